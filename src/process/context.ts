/**
 * What a process operation runs with: the person it runs for, the tracker acting as them, the store,
 * the notifications, the ERP and the settings. Commands get this and a little more (the trigger and
 * the message size of their place, in framework/command.ts); the process never needs those.
 */
import type { Logger } from "pino";
import type { Notifier } from "../chat/notifier.js";
import type { ProcessSettings } from "../core/process-settings.js";
import type { ErpPort } from "../erp/erp.js";
import type { Platform, StaffDirectory, StaffMember } from "../identity.js";
import type { Store } from "../store/store.js";
import type { QueueSource } from "./queue.js";
import type { TrackerPort } from "./tracker-port.js";

/** Everything a process operation may use; it receives it and never reaches for globals. */
export interface ProcessContext {
  /** The staff member the operation runs for. */
  caller: StaffMember;
  platform: Platform;
  /** The tracker, acting on behalf of the caller. */
  tracker: TrackerPort;
  staff: StaffDirectory;
  store: Store;
  notifier: Notifier;
  /** Where sales contacts and resolutions of sales-originated bugs are recorded. */
  erp: ErpPort;
  settings: ProcessSettings;
  now: () => Date;
  log: Logger;
  /** Where listings (`mine`, `summary`) read open bugs: the engine's mirror while it runs; the tracker when absent. */
  queueSource?: QueueSource;
}
