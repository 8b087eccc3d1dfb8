/**
 * Complete settings for tests that build services by hand: the documented defaults, read from the
 * same schema the bot's configuration is composed of, with a test's own values over them.
 */
import { processEnvSchema, processSettingsFromEnv, type ProcessSettings } from "../../src/core/process-settings.js";

/** The process settings with every default, as an unconfigured bot has them, and `overrides` over them. */
export function testProcessSettings(overrides: Partial<ProcessSettings> = {}): ProcessSettings {
  return { ...processSettingsFromEnv(processEnvSchema.parse({}), { category: "General" }), ...overrides };
}
