/**
 * Commands that change the tracker with several requests (`ask`, `confirm ... with-sub-bugs`) run each
 * write as a step: when one fails after others were made, the reply lists what was done and what was
 * not, and the command is written so that running it again finishes the rest without doing any step
 * twice. A failure before the first write is reported as it is: nothing was changed.
 */
import { formatPartialChange } from "../core/partial-change.js";
import { BotError } from "../errors.js";

/** A command stopped after some of its writes; `userMessage` says which were made and which not. */
export class PartialChangeError extends BotError {
  override readonly name = "PartialChangeError";
  constructor(
    readonly done: readonly string[],
    readonly notDone: readonly string[],
    options: { cause: unknown; retry: string },
  ) {
    super(
      "partial-change",
      formatPartialChange({
        reason: options.cause instanceof BotError ? options.cause.userMessage : "something went wrong on my side",
        done,
        notDone,
        retry: options.retry,
      }),
      { cause: options.cause, ...(options.cause instanceof BotError && options.cause.hint ? { hint: options.cause.hint } : {}) },
    );
  }
}

/** One write: what it is while still to do, and what it did once done. */
export interface WriteStep<T> {
  todo: string;
  done: string | ((result: T) => string);
}

/** The writes one command run has made so far. */
export class WriteSteps {
  private readonly made: string[] = [];

  /** @param retry what running the command again does, e.g. "it opens no second sub-bug" */
  constructor(private readonly retry: string) {}

  /** Counts a step an earlier run of the same command made, so a failure now still lists it as done. */
  madeEarlier(description: string): void {
    this.made.push(description);
  }

  /**
   * Runs one write. When it fails after earlier steps succeeded, throws a PartialChangeError that
   * lists them as done and this step and `later` (what would have followed) as not done.
   */
  async run<T>(step: WriteStep<T>, write: () => Promise<T>, later: readonly string[] = []): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      if (this.made.length === 0) throw error;
      throw new PartialChangeError([...this.made], [step.todo, ...later], { cause: error, retry: this.retry });
    }
    this.made.push(typeof step.done === "string" ? step.done : step.done(result));
    return result;
  }
}
