/**
 * Deterministic tracker content: six users, project "Taler" with categories and versions, and about
 * thirty GNU Taler bugs across every status, dated relative to the simulator's clock. Customers'
 * personal data appears only where the support process puts it: in one private note of a bug tagged
 * `customer-data` (all of it fictitious).
 */
import { ACCESS, STATUS, VIEW_STATE } from "./constants.js";
import { ALL_PROJECTS, type MantisDatabase, type NewBugRow } from "./database.js";

/** A seeded account; the token is the bare API token MantisBT expects in `Authorization`. */
export interface SeedUser {
  name: string;
  realName: string;
  email: string;
  accessLevel: number;
  token: string;
}

function tokenFor(name: string): string {
  // 32 characters, the length of a real MantisBT API token.
  return `sim-${name}-token-`.padEnd(32, "x");
}

/** The accounts of the seeded tracker; `administrator` is the one the bot runs with. */
export const SEED_USERS: readonly SeedUser[] = [
  { name: "administrator", realName: "Support Bot Admin", email: "admin@taler-systems.example", accessLevel: ACCESS.administrator, token: tokenFor("administrator") },
  { name: "manager", realName: "Martina Keller", email: "martina.keller@taler-systems.example", accessLevel: ACCESS.manager, token: tokenFor("manager") },
  { name: "alice", realName: "Alice Moreau", email: "alice.moreau@taler-systems.example", accessLevel: ACCESS.developer, token: tokenFor("alice") },
  { name: "bob", realName: "Bob Lindqvist", email: "bob.lindqvist@taler-systems.example", accessLevel: ACCESS.developer, token: tokenFor("bob") },
  { name: "carol", realName: "Carol Nakamura", email: "carol.nakamura@taler-systems.example", accessLevel: ACCESS.developer, token: tokenFor("carol") },
  { name: "reporter", realName: "Rolf Berger", email: "rolf.berger@taler-systems.example", accessLevel: ACCESS.reporter, token: tokenFor("reporter") },
];

/** The seeded project. */
export const SEED_PROJECT = { id: 1, name: "Taler", description: "GNU Taler: wallet, exchange, merchant backend, bank integration" };
/** Categories of the seeded project; the first is MantisBT's global category, which every project inherits. */
export const SEED_CATEGORIES = ["General", "wallet", "exchange", "merchant", "documentation"] as const;
/** The category a fresh MantisBT has for all projects (`admin/schema.php` creates it with project 0). */
const GLOBAL_CATEGORY: Category = "General";
/** Tags that exist from the start (the support process uses both). */
export const SEED_TAGS = { customer: "Customer", customerData: "customer-data" } as const;

const DAY = 86_400;
const HOUR = 3_600;

/** `[4h, 14.3.2034]`: estimate left and deadline, the subject tag of the support process. */
export function subjectTag(estimate: string, deadlineSeconds: number): string {
  const date = new Date(deadlineSeconds * 1000);
  return `[${estimate}, ${date.getUTCDate()}.${date.getUTCMonth() + 1}.${date.getUTCFullYear()}]`;
}

type UserName = "administrator" | "manager" | "alice" | "bob" | "carol" | "reporter";
type Category = (typeof SEED_CATEGORIES)[number];
type Status = keyof typeof STATUS;

interface SeedNote {
  author: UserName;
  text: string;
  private?: boolean;
  /** Age of the note in hours. */
  hoursAgo: number;
}

interface SeedBug {
  summary: string;
  description: string;
  category: Category;
  status: Status;
  reporter: UserName;
  handler?: UserName;
  priority?: number;
  severity?: number;
  resolution?: number;
  fixedIn?: string;
  target?: string;
  tags?: string[];
  private?: boolean;
  createdDaysAgo: number;
  /** Hours since the last update; kept distinct so the list order is stable. */
  updatedHoursAgo: number;
  notes?: SeedNote[];
  monitors?: UserName[];
}

const PRIORITY = { low: 20, normal: 30, high: 40, urgent: 50 } as const;
const SEVERITY = { feature: 10, text: 30, tweak: 40, minor: 50, major: 60, crash: 70, block: 80 } as const;
const RESOLUTION = { open: 10, fixed: 20, duplicate: 60, notABug: 70, wontFix: 90 } as const;

function seedBugs(now: number): SeedBug[] {
  const past = subjectTag("4h", now - 3 * DAY);
  const soon = subjectTag("1d", now + 2 * DAY);
  const tomorrow = subjectTag("8h", now + 1 * DAY);
  const far = subjectTag("2d", now + 45 * DAY);
  const farther = subjectTag("3h", now + 90 * DAY);
  const customer = SEED_TAGS.customer;
  return [
    {
      summary: "Android wallet shows withdrawal as pending although the bank confirmed the transfer",
      description:
        "A customer withdrew 50 CHF from their bank account into the Android wallet (version 0.14.2). The bank statement shows the transfer as executed, but the wallet has listed the withdrawal as 'pending' for two days and the balance did not change.\n\nReported via support e-mail; the customer is waiting for an answer.",
      category: "wallet",
      status: "new",
      reporter: "reporter",
      priority: PRIORITY.high,
      severity: SEVERITY.major,
      tags: [customer],
      createdDaysAgo: 0.5,
      updatedHoursAgo: 11,
      monitors: ["manager"],
    },
    {
      summary: "taler-exchange-httpd logs 'serialization failure' under load and returns 500",
      description:
        "During the load test with 200 concurrent withdrawals the exchange returned HTTP 500 for about 2% of the requests. The log shows PostgreSQL serialization failures that are not retried.",
      category: "exchange",
      status: "new",
      reporter: "alice",
      priority: PRIORITY.normal,
      severity: SEVERITY.major,
      createdDaysAgo: 2,
      updatedHoursAgo: 47,
    },
    {
      summary: "Merchant backoffice: refund button missing for orders paid with coins from two exchanges",
      description:
        "A merchant reports that the 'Refund' button does not appear for orders that were paid with coins from two different exchanges. Orders paid with coins from a single exchange can be refunded.",
      category: "merchant",
      status: "new",
      reporter: "reporter",
      priority: PRIORITY.normal,
      severity: SEVERITY.minor,
      tags: [customer],
      createdDaysAgo: 1,
      updatedHoursAgo: 23,
    },
    {
      summary: `${tomorrow} Exchange: /keys response not cached by the reverse proxy`,
      description:
        "The /keys endpoint sends 'Cache-Control: no-store', so nginx forwards every request to the exchange. With many wallets this is the most expensive request we serve.",
      category: "exchange",
      status: "new",
      reporter: "manager",
      handler: "bob",
      priority: PRIORITY.high,
      severity: SEVERITY.tweak,
      createdDaysAgo: 6,
      updatedHoursAgo: 20,
      notes: [
        {
          author: "bob",
          text: "Feedback: the fix is clear, we need to emit a max-age matching the next key rotation. Conservative estimate 8h including tests; no other subsystem affected.",
          hoursAgo: 21,
        },
      ],
    },
    {
      summary: "iOS wallet crashes when scanning a QR code with an upper-case TALER:// URI",
      description:
        "Scanning a QR code printed by a point-of-sale terminal crashes the iOS wallet immediately. The terminal prints the URI in upper case (TALER://PAY/...), which is valid according to RFC 3986.",
      category: "wallet",
      status: "feedback",
      reporter: "reporter",
      handler: "carol",
      priority: PRIORITY.high,
      severity: SEVERITY.crash,
      tags: [customer],
      createdDaysAgo: 4,
      updatedHoursAgo: 30,
      notes: [
        {
          author: "manager",
          text: "Carol, please give feedback: is the problem clear, and what is a realistic and conservative timeline?",
          hoursAgo: 30,
        },
      ],
    },
    {
      summary: "Auditor reports false positive on reserve closure amounts",
      description:
        "taler-auditor reports a discrepancy for every reserve closed after the wire fee change on the first of the month. The amounts in the wire transfers are correct; the auditor uses the old fee.",
      category: "exchange",
      status: "feedback",
      reporter: "alice",
      handler: "bob",
      priority: PRIORITY.normal,
      severity: SEVERITY.minor,
      createdDaysAgo: 9,
      updatedHoursAgo: 60,
    },
    {
      summary: "Merchant onboarding guide references the removed option DEFAULT_PAY_DEADLINE",
      description:
        "The merchant onboarding guide still tells operators to set DEFAULT_PAY_DEADLINE in the [merchant] section. The option was removed in 0.9.0 and the backend now logs a warning about an unknown option.",
      category: "documentation",
      status: "feedback",
      reporter: "administrator",
      handler: "alice",
      priority: PRIORITY.low,
      severity: SEVERITY.text,
      createdDaysAgo: 3,
      updatedHoursAgo: 52,
    },
    {
      summary: "Wallet-core does not re-fetch the exchange terms of service after an ETag change",
      description:
        "When the exchange publishes new terms of service, wallet-core keeps showing the old version until the exchange entry is deleted and re-added.",
      category: "wallet",
      status: "acknowledged",
      reporter: "carol",
      priority: PRIORITY.normal,
      severity: SEVERITY.minor,
      createdDaysAgo: 15,
      updatedHoursAgo: 150,
    },
    {
      summary: "Deleting a merchant instance leaves orphaned inventory entries",
      description:
        "After DELETE /management/instances/$ID?purge=yes the inventory and template tables still contain rows for the purged instance.",
      category: "merchant",
      status: "acknowledged",
      reporter: "bob",
      priority: PRIORITY.low,
      severity: SEVERITY.minor,
      createdDaysAgo: 20,
      updatedHoursAgo: 200,
    },
    {
      summary: "Merchant backend reveals whether an instance exists through different 404 messages",
      description:
        "Requests to /instances/$ID/private/... answer 'instance unknown' for unknown instances but 'unauthorized' for existing ones, which lets anyone enumerate merchant instances. Keep private until a release with the fix is out.",
      category: "merchant",
      status: "confirmed",
      reporter: "bob",
      handler: "alice",
      priority: PRIORITY.urgent,
      severity: SEVERITY.major,
      private: true,
      createdDaysAgo: 5,
      updatedHoursAgo: 40,
    },
    {
      summary: `${soon} LibEuFin Nexus: EBICS withdrawals stay pending for one bank`,
      description:
        "For customers of one cantonal bank, withdrawals stay 'pending' because Nexus does not recognise the bank's camt.054 notifications. Other banks are fine.",
      category: "exchange",
      status: "confirmed",
      reporter: "reporter",
      handler: "bob",
      priority: PRIORITY.high,
      severity: SEVERITY.major,
      tags: [customer, SEED_TAGS.customerData],
      createdDaysAgo: 8,
      updatedHoursAgo: 16,
      monitors: ["manager"],
      notes: [
        {
          author: "reporter",
          text: "Customer contact (do not copy into public notes): Erika Example, +41 00 000 00 00, erika.example@customer.example. Prefers e-mail; called on the phone line on Monday.",
          private: true,
          hoursAgo: 190,
        },
        {
          author: "bob",
          text: "Feedback: the bank sends camt.054 version 08, we only parse 04. Conservative estimate one day; the EBICS library needs an update too.",
          hoursAgo: 120,
        },
        {
          author: "manager",
          text: "We told the customer we are investigating the issue and linked this bug.",
          hoursAgo: 16,
        },
      ],
    },
    {
      summary: `${far} Wallet: show balances in several currencies on the main screen`,
      description: "Users who hold both CHF and EUR have to switch the currency to see each balance. Show all balances at once.",
      category: "wallet",
      status: "confirmed",
      reporter: "manager",
      handler: "carol",
      priority: PRIORITY.normal,
      severity: SEVERITY.feature,
      target: "1.1.0",
      createdDaysAgo: 30,
      updatedHoursAgo: 300,
    },
    {
      summary: `${past} Exchange: wire fees for next year not published`,
      description:
        "The exchange publishes wire fees only until the end of this year. Wallets will refuse deposits from the first of January if no fees are published for next year.",
      category: "exchange",
      status: "assigned",
      reporter: "reporter",
      handler: "alice",
      priority: PRIORITY.urgent,
      severity: SEVERITY.block,
      tags: [customer],
      createdDaysAgo: 12,
      updatedHoursAgo: 75,
      monitors: ["manager"],
      notes: [
        {
          author: "manager",
          text: "The operator was informed that we are investigating the issue and will publish the fees in time.",
          hoursAgo: 80,
        },
      ],
    },
    {
      summary: `${soon} Merchant: order status page does not refresh after payment in Safari`,
      description:
        "The order status page polls with long-polling; Safari cancels the request after 60 seconds and the page never reloads. The customer has to press reload to see the 'paid' state.",
      category: "merchant",
      status: "assigned",
      reporter: "carol",
      handler: "bob",
      priority: PRIORITY.high,
      severity: SEVERITY.minor,
      createdDaysAgo: 7,
      updatedHoursAgo: 8,
    },
    {
      summary: `${farther} Docs: taler-merchant-setup man page lists the wrong default port`,
      description: "The man page says 8888, the code uses 9966.",
      category: "documentation",
      status: "assigned",
      reporter: "alice",
      handler: "carol",
      priority: PRIORITY.low,
      severity: SEVERITY.text,
      createdDaysAgo: 25,
      updatedHoursAgo: 250,
    },
    {
      summary: "Wallet-core: coin selection picks expired denominations when the phone clock is wrong",
      description:
        "If the device clock is a few hours behind, wallet-core selects coins whose denomination already expired at the exchange and the payment fails with 'denomination expired'.",
      category: "wallet",
      status: "assigned",
      reporter: "bob",
      handler: "alice",
      priority: PRIORITY.normal,
      severity: SEVERITY.major,
      target: "1.1.0",
      createdDaysAgo: 18,
      updatedHoursAgo: 100,
    },
    {
      summary: "Exchange: KYC webhook answers 500 when the provider sends an unknown status",
      description:
        "The KYC provider added the status 'ON_HOLD'. The exchange's webhook handler does not know it and answers 500, so the provider retries forever.",
      category: "exchange",
      status: "assigned",
      reporter: "manager",
      handler: "bob",
      priority: PRIORITY.high,
      severity: SEVERITY.major,
      createdDaysAgo: 10,
      updatedHoursAgo: 35,
    },
    {
      summary: "KYC: add a test fixture for unknown provider status values",
      description: "Sub-task of the webhook fix: a regression test that sends an unknown status to the webhook.",
      category: "exchange",
      status: "new",
      reporter: "bob",
      priority: PRIORITY.normal,
      severity: SEVERITY.tweak,
      createdDaysAgo: 9,
      updatedHoursAgo: 34,
    },
    {
      summary: "Wallet: deposit fails for amounts with more than 8 fractional digits",
      description: "Depositing 0.000000001 KUDOS fails with 'invalid amount' instead of being rounded or refused in the UI.",
      category: "wallet",
      status: "resolved",
      reporter: "carol",
      handler: "carol",
      priority: PRIORITY.low,
      severity: SEVERITY.minor,
      resolution: RESOLUTION.fixed,
      fixedIn: "1.0.0",
      createdDaysAgo: 40,
      updatedHoursAgo: 400,
      notes: [{ author: "carol", text: "Fixed in wallet-core, the UI now refuses such amounts.", hoursAgo: 400 }],
    },
    {
      summary: "Merchant: PDF receipt rounds VAT per line instead of per order",
      description:
        "A merchant noticed that the receipt total differs by one cent from the order total when an order has many lines, because VAT is rounded per line.",
      category: "merchant",
      status: "resolved",
      reporter: "reporter",
      handler: "alice",
      priority: PRIORITY.normal,
      severity: SEVERITY.minor,
      resolution: RESOLUTION.fixed,
      fixedIn: "1.0.0",
      tags: [customer],
      createdDaysAgo: 35,
      updatedHoursAgo: 90,
      notes: [
        {
          author: "alice",
          text: "Draft response to the customer: We fixed the rounding of VAT on receipts; totals now match the order total. The fix is part of release 1.0.0. Thank you for pointing this out.",
          hoursAgo: 110,
        },
      ],
    },
    {
      summary: "Exchange refuses coins of an old denomination right after key rotation",
      description: "Coins of the previous denomination were refused for a few minutes after the rotation.",
      category: "exchange",
      status: "resolved",
      reporter: "alice",
      handler: "bob",
      priority: PRIORITY.normal,
      severity: SEVERITY.minor,
      resolution: RESOLUTION.notABug,
      createdDaysAgo: 50,
      updatedHoursAgo: 700,
      notes: [{ author: "bob", text: "Expected: the wallet used a revoked denomination; the exchange behaved correctly.", hoursAgo: 700 }],
    },
    {
      summary: "Wallet: onboarding screen text truncated in German",
      description: "The second onboarding page cuts the German text after two lines.",
      category: "wallet",
      status: "closed",
      reporter: "carol",
      handler: "carol",
      priority: PRIORITY.low,
      severity: SEVERITY.text,
      resolution: RESOLUTION.fixed,
      fixedIn: "0.9.0",
      createdDaysAgo: 120,
      updatedHoursAgo: 2000,
    },
    {
      summary: "Support paper coins printed by the exchange",
      description: "Request from a trade fair visitor: print coins on paper for people without a phone.",
      category: "General",
      status: "closed",
      reporter: "reporter",
      handler: "manager",
      priority: PRIORITY.low,
      severity: SEVERITY.feature,
      resolution: RESOLUTION.wontFix,
      createdDaysAgo: 110,
      updatedHoursAgo: 1900,
    },
    {
      summary: "Wallet spends an expired coin after the phone clock was changed",
      description: "Same symptom as the coin selection bug: payment fails with 'denomination expired'.",
      category: "wallet",
      status: "closed",
      reporter: "reporter",
      handler: "alice",
      priority: PRIORITY.normal,
      severity: SEVERITY.minor,
      resolution: RESOLUTION.duplicate,
      createdDaysAgo: 16,
      updatedHoursAgo: 98,
    },
    {
      summary: `${farther} Docs: add a troubleshooting section for 'insufficient balance' errors`,
      description:
        "Support keeps answering the same question about 'insufficient balance' errors while a withdrawal is still pending. The user manual should explain it.",
      category: "documentation",
      status: "new",
      reporter: "manager",
      priority: PRIORITY.normal,
      severity: SEVERITY.text,
      createdDaysAgo: 3,
      updatedHoursAgo: 66,
    },
    {
      summary: "Merchant API: GET /private/orders ignores the 'delta' parameter when 'date_s' is given",
      description: "Paging backwards through orders returns the same page again when both parameters are used.",
      category: "merchant",
      status: "feedback",
      reporter: "alice",
      handler: "carol",
      priority: PRIORITY.normal,
      severity: SEVERITY.minor,
      createdDaysAgo: 11,
      updatedHoursAgo: 130,
      notes: [
        { author: "alice", text: "Carol, could you give feedback on whether this touches the SPA as well?", hoursAgo: 140 },
        { author: "carol", text: "Looking at it; the SPA does not use date_s, so only API users are affected.", hoursAgo: 130 },
      ],
    },
    {
      summary: "taler-exchange-dbinit --reset does not drop partitioned tables",
      description: "With sharding enabled, --reset leaves the partitions of the deposits table behind.",
      category: "exchange",
      status: "acknowledged",
      reporter: "bob",
      priority: PRIORITY.low,
      severity: SEVERITY.minor,
      createdDaysAgo: 45,
      updatedHoursAgo: 500,
    },
    {
      summary: "Merchant: template payments fail when the amount is editable by the customer",
      description: "A merchant's donation template lets the payer choose the amount; paying via the template fails with 'amount mismatch'.",
      category: "merchant",
      status: "assigned",
      reporter: "reporter",
      handler: "carol",
      priority: PRIORITY.high,
      severity: SEVERITY.major,
      tags: [customer],
      createdDaysAgo: 5,
      updatedHoursAgo: 28,
    },
    {
      summary: "WebExtension wallet asks for host permissions on every page load in Firefox",
      description: "Since Firefox 128 the wallet extension shows the permission prompt again on each navigation.",
      category: "wallet",
      status: "new",
      reporter: "carol",
      priority: PRIORITY.normal,
      severity: SEVERITY.minor,
      createdDaysAgo: 1.5,
      updatedHoursAgo: 35.5,
    },
    {
      summary: "Bank: conversion rate not applied to cash-out fees",
      description: "The regional currency bank computes the cash-out fee in the regional currency and subtracts it from the fiat amount unconverted.",
      category: "exchange",
      status: "confirmed",
      reporter: "manager",
      handler: "alice",
      priority: PRIORITY.high,
      severity: SEVERITY.major,
      createdDaysAgo: 14,
      updatedHoursAgo: 180,
    },
  ];
}

/** Relationships between seeded bugs, by their position (1-based id): [source, type, destination]. */
const SEED_RELATIONSHIPS: readonly [number, number, number][] = [
  [17, 2, 18], // webhook fix is parent of its test fixture
  [24, 0, 16], // duplicate of the coin selection bug
  [11, 1, 30], // both about bank integration
];

/** Fills an empty database with the users, the project and the seeded bugs. */
export function seedTracker(db: MantisDatabase, now: number): void {
  db.transaction(() => {
    const userIds = new Map<string, number>();
    for (const user of SEED_USERS) {
      const id = db.insertUser({
        name: user.name,
        real_name: user.realName,
        email: user.email,
        access_level: user.accessLevel,
        token: user.token,
        created_at: now - 400 * DAY,
      });
      userIds.set(user.name, id);
    }
    const userId = (name: UserName): number => userIds.get(name) ?? 0;

    db.insertProject({ ...SEED_PROJECT, status: 10, view_state: VIEW_STATE.public });
    const categoryIds = new Map<string, number>();
    for (const name of SEED_CATEGORIES) {
      categoryIds.set(name, db.insertCategory({ project_id: name === GLOBAL_CATEGORY ? ALL_PROJECTS : SEED_PROJECT.id, name }));
    }
    const versions: [string, number, number][] = [
      ["0.9.0", 1, now - 300 * DAY],
      ["1.0.0", 1, now - 100 * DAY],
      ["1.1.0", 0, now + 60 * DAY],
    ];
    for (const [name, released, dateOrder] of versions) {
      db.insertVersion({ project_id: SEED_PROJECT.id, name, description: "", released, obsolete: 0, date_order: dateOrder });
    }
    const tagIds = new Map<string, number>();
    for (const name of Object.values(SEED_TAGS)) tagIds.set(name, db.insertTag(name, userId("manager")).id);

    for (const bug of seedBugs(now)) {
      const createdAt = Math.round(now - bug.createdDaysAgo * DAY);
      const updatedAt = Math.round(now - bug.updatedHoursAgo * HOUR);
      const reporterId = userId(bug.reporter);
      const id = db.insertBug({
        project_id: SEED_PROJECT.id,
        reporter_id: reporterId,
        handler_id: bug.handler ? userId(bug.handler) : 0,
        category_id: categoryIds.get(bug.category) ?? 0,
        summary: bug.summary,
        description: bug.description,
        steps_to_reproduce: "",
        additional_information: "",
        status: STATUS[bug.status],
        resolution: bug.resolution ?? RESOLUTION.open,
        priority: bug.priority ?? PRIORITY.normal,
        severity: bug.severity ?? SEVERITY.minor,
        reproducibility: 70,
        view_state: bug.private ? VIEW_STATE.private : VIEW_STATE.public,
        version: "",
        fixed_in_version: bug.fixedIn ?? "",
        target_version: bug.target ?? "",
        sticky: 0,
        created_at: createdAt,
        updated_at: updatedAt,
      });
      db.insertHistory({ bug_id: id, user_id: reporterId, created_at: createdAt, kind: "issue-new", details: "{}" });
      for (const tag of bug.tags ?? []) {
        const tagId = tagIds.get(tag) ?? 0;
        db.attachTag(id, tagId);
        db.insertHistory({ bug_id: id, user_id: reporterId, created_at: createdAt, kind: "tag-added", details: JSON.stringify({ tagId, tagName: tag }) });
      }
      for (const note of bug.notes ?? []) {
        const at = Math.round(now - note.hoursAgo * HOUR);
        const noteId = db.insertNote({
          bug_id: id,
          reporter_id: userId(note.author),
          text: note.text,
          view_state: note.private ? VIEW_STATE.private : VIEW_STATE.public,
          created_at: at,
          updated_at: at,
        });
        db.insertHistory({ bug_id: id, user_id: userId(note.author), created_at: at, kind: "note-added", details: JSON.stringify({ noteId }) });
      }
      for (const monitor of bug.monitors ?? []) db.addMonitor(id, userId(monitor));
    }
    for (const [source, type, destination] of SEED_RELATIONSHIPS) {
      db.insertRelationship({ source_bug_id: source, destination_bug_id: destination, type });
    }
  });
}

const BULK_SUMMARIES = [
  "Wallet: transaction list scrolls to the top after every update",
  "Exchange: slow query in the aggregator for large reserves",
  "Merchant: inventory image upload rejects PNG files over 1 MB",
  "Docs: API reference misses the error codes of /orders",
  "Bank: account history export uses the wrong date format",
] as const;
const BULK_STATUSES = [STATUS.new, STATUS.feedback, STATUS.acknowledged, STATUS.confirmed, STATUS.assigned, STATUS.resolved, STATUS.closed];

/**
 * Adds `count` plain bugs (no notes, tags or relationships) in one transaction, updated before every
 * seeded bug, for benchmarks with a big tracker: of every status in turn, or NEW and unassigned
 * only (`onlyNew`). Returns the new ids.
 */
export function addBulkBugs(db: MantisDatabase, count: number, now: number, options: { onlyNew?: boolean } = {}): number[] {
  const handlers = ["alice", "bob", "carol"].map((name) => db.userByName(name)?.id ?? 0);
  const reporter = db.userByName("reporter")?.id ?? 1;
  const categories = db.categoriesOf(SEED_PROJECT.id).map((category) => category.id);
  return db.transaction(() => {
    const ids: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const status = options.onlyNew ? STATUS.new : (BULK_STATUSES[index % BULK_STATUSES.length] ?? STATUS.new);
      const handlerId = status === STATUS.new ? 0 : (handlers[index % handlers.length] ?? 0);
      // Spread over the past year, older than the seeded bugs, one minute apart.
      const updatedAt = now - 130 * DAY - index * 60;
      const row: NewBugRow = {
        project_id: SEED_PROJECT.id,
        reporter_id: reporter,
        handler_id: handlerId,
        category_id: categories[index % Math.max(1, categories.length)] ?? 0,
        summary: `${BULK_SUMMARIES[index % BULK_SUMMARIES.length] ?? "Bulk bug"} (#${index + 1})`,
        description: "Generated for load tests.",
        steps_to_reproduce: "",
        additional_information: "",
        status,
        resolution: status >= STATUS.resolved ? RESOLUTION.fixed : RESOLUTION.open,
        priority: PRIORITY.normal,
        severity: SEVERITY.minor,
        reproducibility: 70,
        view_state: VIEW_STATE.public,
        version: "",
        fixed_in_version: "",
        target_version: "",
        sticky: 0,
        created_at: updatedAt - DAY,
        updated_at: updatedAt,
      };
      const id = db.insertBug(row);
      db.insertHistory({ bug_id: id, user_id: reporter, created_at: row.created_at, kind: "issue-new", details: "{}" });
      ids.push(id);
    }
    return ids;
  });
}
