import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { ChannelErp } from "../../src/erp/channel-erp.js";
import { createErp } from "../../src/erp/create-erp.js";
import { WebhookErp } from "../../src/erp/webhook-erp.js";
import { ConfigError } from "../../src/errors.js";
import { Store } from "../../src/store/store.js";
import { RecordingNotifier } from "../support/recording-notifier.js";

const store = await Store.open({ path: ":memory:" });
afterAll(() => store.close());

describe("createErp", () => {
  it("uses the store and the sales channel when no webhook is configured", () => {
    const config = loadConfig({});
    expect(config.erp).toBeUndefined();
    expect(createErp(config, store, new RecordingNotifier(), () => new Date())).toBeInstanceOf(ChannelErp);
  });

  it("uses the webhook when ERP_WEBHOOK_URL and ERP_WEBHOOK_SECRET are set", () => {
    const config = loadConfig({ ERP_WEBHOOK_URL: "https://erp.example/hooks/support", ERP_WEBHOOK_SECRET: "0123456789abcdef0123", ERP_WEBHOOK_TIMEOUT_MS: "2500" });
    expect(config.erp).toEqual({ url: "https://erp.example/hooks/support", secret: "0123456789abcdef0123", timeoutMs: 2500 });
    expect(createErp(config, store, new RecordingNotifier(), () => new Date())).toBeInstanceOf(WebhookErp);
  });
});

describe("ERP and docs settings", () => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it.each([
    [{ ERP_WEBHOOK_URL: "https://erp.example/hook" }, "ERP_WEBHOOK_SECRET: missing (the shared secret the ERP checks the signature with)"],
    [{ ERP_WEBHOOK_SECRET: "0123456789abcdef0123" }, "ERP_WEBHOOK_URL: missing (where the ERP receives the bot's sales events)"],
    [{ ERP_WEBHOOK_URL: "erp.example/hook", ERP_WEBHOOK_SECRET: "0123456789abcdef0123" }, "ERP_WEBHOOK_URL: must be a URL such as https://host/path"],
    [{ ERP_WEBHOOK_URL: "https://erp.example/hook", ERP_WEBHOOK_SECRET: "short" }, "ERP_WEBHOOK_SECRET: must be at least 16 characters (a long random string shared with the ERP)"],
    [{ DOCS_REPEAT_WINDOW_DAYS: "0" }, "DOCS_REPEAT_WINDOW_DAYS: must be at least 1 day"],
  ])("names the problem with %o", (env, problem) => {
    expect(problems(env)).toContain(problem);
  });

  it("reads the docs window, 90 days by default", () => {
    expect(loadConfig({}).process.docsRepeatWindowDays).toBe(90);
    expect(loadConfig({ DOCS_REPEAT_WINDOW_DAYS: "30" }).process.docsRepeatWindowDays).toBe(30);
  });
});
