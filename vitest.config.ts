import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Simulators listen on loopback; 2-core CI machines are slow to start many at once.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
  },
});
