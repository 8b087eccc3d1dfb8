import { defineConfig } from "vitest/config";

/**
 * `npm run test:real`: the suite against a real MantisBT 2.28.4 and a real Synapse 1.67.0, started
 * once per run by the global setup. One file at a time: the files share the servers and reset them.
 */
export default defineConfig({
  test: {
    include: ["test/real/**/*.test.ts"],
    globalSetup: ["test/real/global-setup.ts"],
    fileParallelism: false,
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
