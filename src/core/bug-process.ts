/** What the process knows about a bug beyond the tracker's own fields: where it came from, its stage, estimate and people. */

export type BugOrigin = "tracker" | "call" | "email" | "sales" | "docs" | "sub-feedback";

/** Process state of one bug that the tracker has no field for. */
export interface BugProcessState {
  bugId: number;
  origin: BugOrigin;
  stage?: string;
  estimateMinutes?: number;
  /** ISO date (yyyy-mm-dd). */
  deadline?: string;
  fixedIn?: string;
  developer?: string;
  reviewer?: string;
  communicator?: string;
  confirmedBy?: string;
  draftNoteId?: number;
  draftText?: string;
  updatedAt: Date;
}
