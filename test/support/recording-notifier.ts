/** A Notifier that records every DM and channel post, for asserting what people were told. */
import type { ChannelKey, Notifier } from "../../src/chat/notifier.js";
import type { Message } from "../../src/framework/reply.js";
import type { StaffMember } from "../../src/identity.js";

export interface SentNotification {
  kind: "direct" | "channel";
  /** Staff name for DMs, channel key for posts. */
  to: string;
  message: Message;
}

export class RecordingNotifier implements Notifier {
  readonly sent: SentNotification[] = [];
  /** When set, every send fails with this error (to test that changes survive chat failures). */
  failWith: Error | undefined;

  async direct(recipient: StaffMember, message: Message): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ kind: "direct", to: recipient.name, message });
  }

  async channel(channel: ChannelKey, message: Message): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ kind: "channel", to: channel, message });
  }

  directsTo(name: string): Message[] {
    return this.sent.filter((n) => n.kind === "direct" && n.to === name).map((n) => n.message);
  }

  postsIn(channel: string): Message[] {
    return this.sent.filter((n) => n.kind === "channel" && n.to === channel).map((n) => n.message);
  }

  /** Everything sent, as one string (to search for personal data that must not leak). */
  text(): string {
    return this.sent.map((n) => `${n.kind}:${n.to}:${n.message.text}`).join("\n");
  }
}
