/**
 * A fresh PostgreSQL store and a fresh SQLite store end with the same schema after every migration:
 * tables, columns (name, type family, nullability, default, identity), primary keys, foreign keys,
 * indexes and how many CHECK constraints each table has. Read from each database's own catalogue
 * (SQLite's PRAGMAs, PostgreSQL's information_schema and pg_catalog), not from the migrations' text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { PostgresDb } from "../../src/store/postgres-db.js";
import { SqliteDb } from "../../src/store/sqlite-db.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres-database.js";

interface Column {
  name: string;
  /** integer, text, real or blob: SQLite's storage classes, which PostgreSQL's types map onto. */
  type: string;
  notNull: boolean;
  /** The default as SQL text, `identity` for a generated id, null for none. */
  default: string | null;
}

interface Table {
  columns: Column[];
  primaryKey: string[];
  foreignKeys: string[];
  /** `name: [unique] (columns)`; unique constraints as `unique (columns)`. */
  indexes: string[];
  checks: number;
}

type Schema = Record<string, Table>;

let database: TestDatabase;
let sqlite: SqliteDb;
let postgres: PostgresDb;

beforeAll(async () => {
  database = await createTestDatabase();
  sqlite = new SqliteDb(":memory:");
  postgres = new PostgresDb(database.url);
  await sqlite.migrate(MIGRATIONS);
  await postgres.migrate(MIGRATIONS);
});
afterAll(async () => {
  await sqlite?.close();
  await postgres?.close();
  await database?.drop();
});

const latest = Math.max(...MIGRATIONS.map((migration) => migration.version));

describe("the schema on both backends", () => {
  it("reaches the same version", async () => {
    expect(await sqlite.schemaVersion()).toBe(latest);
    expect(await postgres.schemaVersion()).toBe(latest);
  });

  it("has the same tables, columns, keys, indexes and checks", async () => {
    const fromSqlite = await sqliteSchema(sqlite);
    const fromPostgres = await postgresSchema(postgres);
    expect(Object.keys(fromPostgres).sort()).toEqual(Object.keys(fromSqlite).sort());
    for (const table of Object.keys(fromSqlite)) expect({ table, ...fromPostgres[table] }).toEqual({ table, ...fromSqlite[table] });
  });

  it("numbers notifications in the order they were queued on SQLite as on PostgreSQL (migration 13)", async () => {
    for (const db of [sqlite, postgres]) {
      for (const key of ["b", "a", "c"]) {
        await db.run(
          "INSERT INTO notifications (key, kind, recipient, period, state, created_at) VALUES (?, 'k', 'alice', 'p', 'pending', '2026-01-01T00:00:00.000Z')",
          [key],
        );
      }
      const rows = await db.all<{ key: string }>("SELECT key FROM notifications ORDER BY created_at, seq");
      expect(rows.map((row) => row.key)).toEqual(["b", "a", "c"]);
    }
  });
});

async function sqliteSchema(db: SqliteDb): Promise<Schema> {
  const tables = await db.all<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  const schema: Schema = {};
  for (const { name, sql } of tables) {
    const info = await db.all<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(`PRAGMA table_info(${name})`);
    const autoincrement = /AUTOINCREMENT/i.test(sql);
    const primaryKey = info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name);
    const columns = info.map((column): Column => {
      const isRowidId = autoincrement && primaryKey.length === 1 && primaryKey[0] === column.name;
      // notifications.seq is filled by the trigger notifications_seq on SQLite, an identity on PostgreSQL.
      const isSeq = name === "notifications" && column.name === "seq";
      return {
        name: column.name,
        type: column.type.toLowerCase(),
        // SQLite lets a non-integer primary key hold NULL (a legacy quirk); nothing of ours stores one.
        notNull: column.notnull === 1 || column.pk > 0 || isSeq,
        default: isRowidId || isSeq ? "identity" : column.dflt_value,
      };
    });
    const foreignKeys = (await db.all<{ table: string; from: string; to: string; on_delete: string }>(`PRAGMA foreign_key_list(${name})`)).map(
      (key) => `${key.from} -> ${key.table}(${key.to}) on delete ${key.on_delete.toLowerCase()}`,
    );
    const indexes: string[] = [];
    for (const index of await db.all<{ name: string; unique: number; origin: string }>(`PRAGMA index_list(${name})`)) {
      if (index.origin === "pk") continue;
      const indexColumns = (await db.all<{ name: string }>(`PRAGMA index_info(${index.name})`)).map((column) => column.name).join(", ");
      indexes.push(index.origin === "u" ? `unique (${indexColumns})` : `${index.name}: ${index.unique ? "unique " : ""}(${indexColumns})`);
    }
    const checks = (sql.replace(/--[^\n]*/g, "").match(/\bCHECK\s*\(/gi) ?? []).length;
    schema[name] = { columns, primaryKey, foreignKeys: foreignKeys.sort(), indexes: indexes.sort(), checks };
  }
  return schema;
}

const POSTGRES_TYPES: Record<string, string> = { bigint: "integer", integer: "integer", text: "text", "double precision": "real", bytea: "blob" };

async function postgresSchema(db: PostgresDb): Promise<Schema> {
  // schema_version is the PostgreSQL backend's own (SQLite keeps the version in PRAGMA user_version).
  const tables = await db.all<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'",
  );
  const schema: Schema = {};
  for (const { name } of tables) {
    const info = await db.all<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null; is_identity: string }>(
      "SELECT column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position",
      [name],
    );
    const columns = info.map(
      (column): Column => ({
        name: column.column_name,
        type: POSTGRES_TYPES[column.data_type] ?? column.data_type,
        notNull: column.is_nullable === "NO",
        // '{}'::text -> '{}'
        default: column.is_identity === "YES" ? "identity" : (column.column_default?.replace(/::[a-z ]+$/, "") ?? null),
      }),
    );
    const primaryKey = (
      await db.all<{ column_name: string }>(
        `SELECT k.column_name FROM information_schema.table_constraints c
          JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_name = c.table_name
          WHERE c.table_schema = 'public' AND c.table_name = ? AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position`,
        [name],
      )
    ).map((row) => row.column_name);
    const constraints = await db.all<{ type: string; definition: string }>(
      "SELECT contype AS type, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = ?::regclass",
      [name],
    );
    const foreignKeys = constraints
      .filter((constraint) => constraint.type === "f")
      .map((constraint) => {
        // FOREIGN KEY (key) REFERENCES notifications(key) ON DELETE CASCADE
        const match = /^FOREIGN KEY \((.+)\) REFERENCES (\w+)\((.+)\)(?: ON DELETE (.+))?$/.exec(constraint.definition);
        if (!match) throw new Error(`unexpected foreign key ${constraint.definition}`);
        return `${match[1]} -> ${match[2]}(${match[3]}) on delete ${(match[4] ?? "no action").toLowerCase()}`;
      });
    const uniqueConstraints = constraints.filter((constraint) => constraint.type === "u").map((constraint) => constraint.definition.replace(/^UNIQUE /, "unique "));
    // Indexes of their own; those behind a primary key or unique constraint carry the constraint's name.
    const indexes = (
      await db.all<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ?
          AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = ?::regclass AND contype IN ('p', 'u'))`,
        [name, name],
      )
    )
      .map((index) => {
        // CREATE [UNIQUE] INDEX name ON public.table USING btree (a, b)
        const match = /^CREATE (UNIQUE )?INDEX \S+ ON \S+ USING btree \((.+)\)$/.exec(index.indexdef);
        if (!match) throw new Error(`unexpected index ${index.indexdef}`);
        return `${index.indexname}: ${match[1] ? "unique " : ""}(${match[2]})`;
      });
    const checks = constraints.filter((constraint) => constraint.type === "c").length;
    schema[name] = { columns, primaryKey, foreignKeys: foreignKeys.sort(), indexes: [...indexes, ...uniqueConstraints].sort(), checks };
  }
  return schema;
}
