import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real-server suite needs PHP, PostgreSQL and Synapse: `npm run test:real` (vitest.real.config.ts).
    exclude: ["test/real/**", "**/node_modules/**"],
    // One throw-away PostgreSQL per run for the store's PostgreSQL backend (started in the background).
    globalSetup: ["test/support/postgres.ts"],
    // Simulators listen on loopback; 2-core CI machines are slow to start many at once.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
  },
});
