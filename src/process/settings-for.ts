/**
 * A person's effective settings (working calendar, time zone, reminder mode, quiet hours): their own
 * overrides from `settings`, then the staff file, then the company defaults. Commands and engine
 * jobs both ask here, so a deadline is judged in the same calendar wherever it is judged.
 */
import { resolvePersonSettings, type PersonSettings, type PersonTimeZone } from "../core/people-settings.js";
import type { ProcessSettings } from "../core/process-settings.js";

import type { Store } from "../store/store.js";

/** What reading a person's settings needs: the store (their overrides) and the process settings (the defaults). */
export interface SettingsSource {
  store: Store;
  settings: ProcessSettings;
}

/** A person as the settings know them: their handle (the key of their overrides) and the staff file's time zone. */
export type SettingsPerson = PersonTimeZone & { name: string };

/** A person's effective settings; `undefined` (a handler the bot does not know) gets the company's. */
export async function settingsFor(source: SettingsSource, person: SettingsPerson | undefined): Promise<PersonSettings> {
  return resolvePersonSettings(person, person ? await source.store.preferences.get(person.name) : {}, source.settings);
}
