/**
 * The push rules a new account has on Synapse 1.67.0, as its initial `/sync` delivers them (global
 * account data `m.push_rules`; `synapse/push/baserules.py` with the default configuration). The
 * simulator evaluates none of them; they are here so that `/sync` has the shape a client meets.
 */
import type { JsonObject } from "./types.js";

type Action = string | { set_tweak: string; value?: unknown };

const NOTIFY_SOUND: Action[] = ["notify", { set_tweak: "sound", value: "default" }, { set_tweak: "highlight", value: false }];
const NOTIFY_QUIET: Action[] = ["notify", { set_tweak: "highlight", value: false }];
const HIGHLIGHT: Action[] = ["notify", { set_tweak: "highlight", value: true }];

function rule(ruleId: string, conditions: JsonObject[], actions: Action[], enabled = true): JsonObject {
  return { conditions, actions, rule_id: ruleId, default: true, enabled };
}

function match(key: string, pattern: string): JsonObject {
  return { kind: "event_match", key, pattern };
}

/** The `m.push_rules` content Synapse 1.67.0 gives `userId` before they change any rule. */
export function defaultPushRules(userId: string): JsonObject {
  return {
    global: {
      underride: [
        rule(".m.rule.call", [match("type", "m.call.invite")], ["notify", { set_tweak: "sound", value: "ring" }, { set_tweak: "highlight", value: false }]),
        rule(".m.rule.room_one_to_one", [{ kind: "room_member_count", is: "2" }, match("type", "m.room.message")], NOTIFY_SOUND),
        rule(".m.rule.encrypted_room_one_to_one", [{ kind: "room_member_count", is: "2" }, match("type", "m.room.encrypted")], NOTIFY_SOUND),
        rule(".m.rule.message", [match("type", "m.room.message")], NOTIFY_QUIET),
        rule(".m.rule.encrypted", [match("type", "m.room.encrypted")], NOTIFY_QUIET),
        rule(".im.vector.jitsi", [match("type", "im.vector.modular.widgets"), match("content.type", "jitsi"), match("state_key", "*")], NOTIFY_QUIET),
      ],
      sender: [],
      room: [],
      content: [],
      override: [
        rule(".m.rule.master", [], ["dont_notify"], false),
        rule(".m.rule.suppress_notices", [match("content.msgtype", "m.notice")], ["dont_notify"]),
        rule(".m.rule.invite_for_me", [match("type", "m.room.member"), match("content.membership", "invite"), match("state_key", userId)], NOTIFY_SOUND),
        rule(".m.rule.member_event", [match("type", "m.room.member")], ["dont_notify"]),
        rule(".m.rule.contains_display_name", [{ kind: "contains_display_name" }], ["notify", { set_tweak: "sound", value: "default" }, { set_tweak: "highlight" }]),
        rule(".m.rule.roomnotif", [match("content.body", "@room"), { kind: "sender_notification_permission", key: "room" }], HIGHLIGHT),
        rule(".m.rule.tombstone", [match("type", "m.room.tombstone"), match("state_key", "")], HIGHLIGHT),
        rule(".m.rule.reaction", [match("type", "m.reaction")], ["dont_notify"]),
      ],
    },
    device: {},
  };
}
