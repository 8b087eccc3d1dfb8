/**
 * What `GET /_matrix/client/versions` answers: Synapse 1.67.0's lists (synapse/rest/client/versions.py),
 * with the unstable features its default configuration switches on or off. Synapse 1.67 serves every
 * `/v3/` endpoint the bot uses while advertising spec versions only up to v1.2, as does this simulator.
 */

/** Spec versions Synapse 1.67.0 advertises. */
export const SYNAPSE_VERSIONS = ["r0.0.1", "r0.1.0", "r0.2.0", "r0.3.0", "r0.4.0", "r0.5.0", "r0.6.0", "r0.6.1", "v1.1", "v1.2"] as const;

/** Synapse 1.67.0's unstable feature flags under its default configuration. */
export const SYNAPSE_UNSTABLE_FEATURES: Readonly<Record<string, boolean>> = {
  "org.matrix.label_based_filtering": true,
  "org.matrix.e2e_cross_signing": true,
  "org.matrix.msc2432": true,
  "uk.half-shot.msc2666.mutual_rooms": true,
  "io.element.e2ee_forced.public": false,
  "io.element.e2ee_forced.private": false,
  "io.element.e2ee_forced.trusted_private": false,
  "org.matrix.msc3026.busy_presence": false,
  "org.matrix.msc2285.stable": true,
  "org.matrix.msc3827.stable": true,
  "org.matrix.msc2716": false,
  "org.matrix.msc3030": false,
  "org.matrix.msc3440.stable": true,
  "fi.mau.msc2815": false,
};
