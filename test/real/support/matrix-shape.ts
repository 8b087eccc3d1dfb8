/**
 * Makes two Matrix homeservers' answers comparable by shape (for `compareJsonShapes`): ids differ by
 * nature between two servers, so map keys that are Matrix ids (`!room:server`, `@user:server`,
 * `#alias:server`, `$event`) become the names a test gave them, and event arrays become maps keyed by
 * what each event is (type, state key, membership, msgtype), because two servers may order the
 * events of one answer differently while holding the same ones (an event repeated in one array, as
 * Synapse repeats one in a newly joined room's timeline, keeps its place as `... #2`). Nothing else is
 * changed. `compareMatrixValues` then checks the few values that must agree beyond their types.
 */

/** The names a test gave to the ids one server handed out (`@bot`, `!dm`, `$command`). */
export class MatrixIdNames {
  private readonly names = new Map<string, string>();

  /** Remembers `id` under `name`; answers `id`. */
  set(id: string, name: string): string {
    this.names.set(id, name);
    return id;
  }

  /** The name given to `id`, if any. */
  get(id: string): string | undefined {
    return this.names.get(id);
  }

  /** `text` with every named id replaced by its name (a request path, readable in a report). */
  describe(text: string): string {
    let out = text;
    for (const [id, name] of this.names) out = out.split(id).join(name);
    return out;
  }
}

const ROOM_OR_USER_OR_ALIAS = /^[!@#][^:\s]+:\S+$/;
const EVENT_ID = /^\$[A-Za-z0-9+/=_-]+(?::\S+)?$/;
const SIGIL_KIND: Record<string, string> = { "!": "room", "@": "user", "#": "alias", $: "event" };

/** Whether a string is a Matrix room, user, alias or event id. */
export function isMatrixId(value: string): boolean {
  return ROOM_OR_USER_OR_ALIAS.test(value) || EVENT_ID.test(value);
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An event as the client-server API sends it (also account data and ephemeral events: type and content). */
function isEventLike(value: unknown): value is JsonObject & { type: string } {
  return isObject(value) && typeof value["type"] === "string" && isObject(value["content"]);
}

/**
 * A readable key for an event: `m.room.member @alice invite`, `m.room.message m.notice`,
 * `m.room.create (state)`. Two events with the same key get `#2`, `#3` in order.
 */
function eventKey(event: JsonObject & { type: string }, names: MatrixIdNames): string {
  const parts = [event.type];
  const stateKey = event["state_key"];
  if (typeof stateKey === "string") parts.push(stateKey === "" ? "(state)" : idName(stateKey, names, new Map()));
  const content = event["content"] as JsonObject;
  for (const field of ["membership", "msgtype"]) {
    if (typeof content[field] === "string") parts.push(content[field] as string);
  }
  return parts.join(" ");
}

/** The test's name for an id, else `<kind n>` numbered per object so two unnamed ids stay apart. */
function idName(id: string, names: MatrixIdNames, unnamed: Map<string, number>): string {
  const known = names.get(id);
  if (known !== undefined) return known;
  if (!isMatrixId(id)) return id;
  const kind = SIGIL_KIND[id[0]!] ?? "id";
  const count = (unnamed.get(kind) ?? 0) + 1;
  unnamed.set(kind, count);
  return count === 1 ? `<${kind}>` : `<${kind} ${count}>`;
}

/** The answer with id keys named and event arrays keyed by event, ready for `compareJsonShapes`. */
export function normaliseMatrixJson(value: unknown, names: MatrixIdNames): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every(isEventLike)) return value.map((item) => normaliseMatrixJson(item, names));
    const keyed: JsonObject = {};
    for (const event of value) {
      const base = eventKey(event, names);
      let key = base;
      for (let n = 2; Object.hasOwn(keyed, key); n++) key = `${base} #${n}`;
      keyed[key] = normaliseMatrixJson(event, names);
    }
    return keyed;
  }
  if (!isObject(value)) return value;
  const unnamed = new Map<string, number>();
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) out[isMatrixId(key) ? idName(key, names, unnamed) : key] = normaliseMatrixJson(inner, names);
  return out;
}

/**
 * Fields whose values (not only types) must agree: what a room is and what a client decides on
 * (membership, room version, join rule, power levels, `limited`, thread counts, unread counts).
 * Everything else (ids, texts, timestamps, ages, tokens) differs by nature between two servers.
 */
const COMPARED_VALUES = new Set([
  "limited",
  "membership",
  "is_direct",
  "msgtype",
  "rel_type",
  "is_falling_back",
  "room_version",
  "join_rule",
  "history_visibility",
  "guest_access",
  "presence",
  "currently_active",
  "count",
  "current_user_participated",
  "notification_count",
  "highlight_count",
  "m.joined_member_count",
  "m.invited_member_count",
  "ban",
  "kick",
  "redact",
  "invite",
  "events_default",
  "state_default",
  "users_default",
  "historical",
  "enabled",
  "default",
]);

/** Whether an object is the content of `m.room.power_levels`, whose `users` and `events` maps hold power levels. */
function isPowerLevels(value: JsonObject): boolean {
  return "users_default" in value || "state_default" in value;
}

/**
 * Differences in the values of {@link COMPARED_VALUES} (and of power-level maps) between two
 * normalised answers, at the paths both share; one readable line each.
 */
export function compareMatrixValues(expected: unknown, actual: unknown, labels: { expected: string; actual: string }): string[] {
  return valuesAt("$", "", false, expected, actual, labels);
}

function valuesAt(path: string, key: string, powerLevel: boolean, expected: unknown, actual: unknown, labels: { expected: string; actual: string }): string[] {
  if (isObject(expected) && isObject(actual)) {
    const powerMaps = isPowerLevels(expected);
    return Object.keys(expected)
      .filter((inner) => Object.hasOwn(actual, inner))
      .flatMap((inner) => valuesAt(childPath(path, inner), inner, powerLevel || (powerMaps && (inner === "users" || inner === "events")), expected[inner], actual[inner], labels));
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return [];
    return expected.flatMap((item, index) => valuesAt(`${path}[${index}]`, key, powerLevel, item, actual[index], labels));
  }
  const compared = COMPARED_VALUES.has(key) || (powerLevel && typeof expected === "number");
  if (!compared || expected === actual || typeof expected === "object" || typeof actual === "object") return [];
  return [`${path}: ${JSON.stringify(expected)} in ${labels.expected}, ${JSON.stringify(actual)} in ${labels.actual}`];
}

/** `$.rooms.join["!dm"]`: dots for plain keys, brackets for the rest, as compareJsonShapes writes paths. */
function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
