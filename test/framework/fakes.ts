/**
 * Test doubles for the dispatcher's services: a tracker and a notifier that record what they were
 * asked, and a services builder with a small staff directory and an in-memory store.
 */
import type { Logger } from "pino";
import { ChannelErp } from "../../src/erp/channel-erp.js";
import type { ChannelKey, Notifier } from "../../src/chat/notifier.js";
import type { ProcessSettings } from "../../src/core/process-settings.js";
import { NotFoundError } from "../../src/errors.js";
import type { DispatchServices } from "../../src/framework/dispatcher.js";
import type { CommandRegistry } from "../../src/framework/registry.js";
import type { Message } from "../../src/framework/reply.js";
import { StaffDirectory, type StaffMember, type StaffMemberInput } from "../../src/identity.js";
import { Store } from "../../src/store/store.js";
import { testProcessSettings } from "../support/settings.js";
import type {
  Actor,
  Bug,
  BugChange,
  BugNote,
  ListBugsQuery,
  NewBug,
  ProjectVersion,
  RelationshipType,
  TrackerPort,
  TrackerUser,
} from "../../src/tracker/tracker.js";

export interface TrackerCall {
  method: keyof TrackerPort;
  /** Tracker user the call was made for, when made through `actingAs`. */
  actingAs?: string;
  args: unknown[];
}

/** A TrackerPort over an in-memory map of bugs that records every call, in order. */
export class FakeTracker implements TrackerPort {
  constructor(
    readonly bugs = new Map<number, Bug>(),
    readonly calls: TrackerCall[] = [],
    private readonly actor?: Actor,
  ) {}

  private record(method: keyof TrackerPort, args: unknown[]): void {
    this.calls.push({ method, actingAs: this.actor?.trackerUser, args });
  }

  async getBug(id: number): Promise<Bug> {
    this.record("getBug", [id]);
    const bug = this.bugs.get(id);
    if (!bug) throw new NotFoundError(`There is no bug #${id}.`);
    return bug;
  }

  async listBugs(query: ListBugsQuery): Promise<Bug[]> {
    this.record("listBugs", [query]);
    return [...this.bugs.values()].slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
  }

  async createBug(bug: NewBug): Promise<Bug> {
    this.record("createBug", [bug]);
    const created = makeBug({ id: this.bugs.size + 1, summary: bug.summary, description: bug.description });
    this.bugs.set(created.id, created);
    return created;
  }

  async updateBug(id: number, change: BugChange, options?: { ifMatch?: string }): Promise<Bug> {
    this.record("updateBug", [id, change, options]);
    const bug = await this.getBugQuietly(id);
    const updated: Bug = {
      ...bug,
      ...(change.status ? { status: change.status } : {}),
      ...(change.priority ? { priority: change.priority } : {}),
      ...(change.handler ? { handler: { id: 0, name: change.handler } } : {}),
    };
    this.bugs.set(id, updated);
    return updated;
  }

  async addNote(id: number, note: { text: string; private: boolean }): Promise<BugNote> {
    this.record("addNote", [id, note]);
    await this.getBugQuietly(id);
    return { id: 1, reporter: { id: 0, name: this.actor?.trackerUser ?? "bot" }, text: note.text, private: note.private, createdAt: new Date(0) };
  }

  async addTags(id: number, tags: string[]): Promise<void> {
    this.record("addTags", [id, tags]);
  }

  async addRelationship(id: number, relationship: { type: RelationshipType; otherBugId: number }): Promise<void> {
    this.record("addRelationship", [id, relationship]);
  }

  async getUser(name: string): Promise<TrackerUser | undefined> {
    this.record("getUser", [name]);
    return undefined;
  }

  async listHandlers(): Promise<TrackerUser[]> {
    this.record("listHandlers", []);
    return [];
  }

  async listVersions(): Promise<string[]> {
    this.record("listVersions", []);
    return [];
  }

  async listProjectVersions(): Promise<ProjectVersion[]> {
    this.record("listProjectVersions", []);
    return [];
  }

  async createVersion(name: string): Promise<ProjectVersion> {
    this.record("createVersion", [name]);
    return { id: 1, name, released: false, obsolete: false };
  }

  async markVersionReleased(versionId: number, on: Date): Promise<ProjectVersion> {
    this.record("markVersionReleased", [versionId, on]);
    return { id: versionId, name: `version #${versionId}`, released: true, obsolete: false, date: on };
  }

  bugUrl(id: number): string {
    return `https://bugs.example.com/view.php?id=${id}`;
  }

  actingAs(actor: Actor): TrackerPort {
    return new FakeTracker(this.bugs, this.calls, actor);
  }

  private async getBugQuietly(id: number): Promise<Bug> {
    const bug = this.bugs.get(id);
    if (!bug) throw new NotFoundError(`There is no bug #${id}.`);
    return bug;
  }
}

/** A bug with plausible defaults; tests override what they care about. */
export function makeBug(fields: Partial<Bug> & { id: number }): Bug {
  return {
    summary: `Bug ${fields.id}`,
    description: "",
    status: "new",
    priority: "normal",
    project: { id: 1, name: "Taler" },
    private: false,
    tags: [],
    notes: [],
    relationships: [],
    createdAt: new Date("2034-03-01T09:00:00Z"),
    updatedAt: new Date("2034-03-01T09:00:00Z"),
    ...fields,
  };
}

export type NotifierCall =
  | { kind: "direct"; recipient: string; message: Message }
  | { kind: "channel"; channel: ChannelKey; message: Message };

/** A Notifier that records what it would have sent. */
export class FakeNotifier implements Notifier {
  readonly sent: NotifierCall[] = [];

  async direct(recipient: StaffMember, message: Message): Promise<void> {
    this.sent.push({ kind: "direct", recipient: recipient.name, message });
  }

  async channel(channel: ChannelKey, message: Message): Promise<void> {
    this.sent.push({ kind: "channel", channel, message });
  }
}

export const TEST_STAFF: readonly StaffMemberInput[] = [
  { name: "manager", role: "management", displayName: "Maria Manager", accounts: { mantis: "manager", mattermost: "maria" } },
  { name: "alice", role: "staff", displayName: "Alice Developer", accounts: { mantis: "alice.m", matrix: "@alice:example.org" } },
  { name: "bob", role: "staff", displayName: "Bob Developer", accounts: { mantis: "bob", mattermost: "bob" } },
];

export const TEST_SETTINGS: ProcessSettings = testProcessSettings({ timeZone: "Europe/Zurich" });

export const TEST_NOW = new Date("2034-03-14T10:00:00Z");

export interface TestServices extends DispatchServices {
  tracker: FakeTracker;
  notifier: FakeNotifier;
}

/** Dispatcher services over fakes; close `store` when done. */
export function makeServices(commands: CommandRegistry, logger: Logger): TestServices {
  const tracker = new FakeTracker(new Map([[12, makeBug({ id: 12, summary: "Wallet shows wrong balance" })]]));
  const store = new Store(":memory:");
  const notifier = new FakeNotifier();
  return {
    commands,
    tracker,
    trackerFor: (member) => tracker.actingAs({ trackerUser: member.accounts.mantis, displayName: member.displayName }),
    staff: new StaffDirectory([...TEST_STAFF]),
    store,
    notifier,
    erp: new ChannelErp(store, notifier, () => TEST_NOW),
    settings: TEST_SETTINGS,
    now: () => TEST_NOW,
    logger,
    newRequestId: () => "req-0001",
  };
}
