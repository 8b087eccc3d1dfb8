import { describe, expect, it } from "vitest";
import { KeyedQueue } from "../../../src/chat/kernel/keyed-queue.js";

describe("KeyedQueue", () => {
  it("runs tasks of one key in order and other keys alongside", async () => {
    const queue = new KeyedQueue();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const first = queue.run("a", () => new Promise<void>((resolve) => (releaseFirst = resolve)).then(() => void events.push("a1")));
    const second = queue.run("a", async () => void events.push("a2"));
    const other = queue.run("b", async () => void events.push("b1"));
    await other;
    expect(events).toEqual(["b1"]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(["b1", "a1", "a2"]);
  });

  it("goes on with the next task after one failed, and reports the failure to its caller", async () => {
    const queue = new KeyedQueue();
    const failed = queue.run("a", async () => {
      throw new Error("boom");
    });
    const next = queue.run("a", async () => "ran");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ran");
    await queue.idle();
  });
});
