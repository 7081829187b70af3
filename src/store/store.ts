/**
 * The state behind one asynchronous, transactional interface, on embedded SQLite
 * (better-sqlite3) or PostgreSQL (pg). One API call is one transaction; on PostgreSQL the
 * transaction is SERIALIZABLE and a serialization conflict is retried a bounded number of
 * times before it surfaces as ConcurrentModificationException, as on AWS.
 */
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase as KyselySqliteDatabase, type SqliteStatement, type Transaction } from "kysely";
import { MIGRATIONS, TABLES, type Database } from "./schema.js";
import { migrateSequences } from "./sequence.js";
import { AwsError } from "../protocol/errors.js";

export type Tx = Transaction<Database>;
export type Engine = "sqlite" | "postgres";

export const CONCURRENT_MODIFICATION_MESSAGE =
  "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later.";

const MAX_ATTEMPTS = 8;
const RETRYABLE_PG_CODES = new Set(["40001", "40P01"]);

/**
 * better-sqlite3 behind Kysely, with its prepared statements kept by SQL text: Kysely's driver
 * prepares every query afresh, and compiling SQL was the largest single cost of a call.
 */
function cachingSqlite(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(text: string): SqliteStatement {
      let statement = statements.get(text);
      if (!statement) {
        statement = database.prepare(text) as unknown as SqliteStatement;
        // Statements with IN lists vary in text; keep the cache bounded.
        if (statements.size >= 2000) statements.clear();
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

export interface StoreOptions {
  /** SQLite file path or ":memory:" (default), ignored when databaseUrl is set. */
  data?: string;
  /** postgres://... selects the PostgreSQL engine. */
  databaseUrl?: string;
}

export class Store {
  readonly engine: Engine;
  readonly db: Kysely<Database>;
  private readonly sqlite: SqliteDatabase.Database | undefined;

  private constructor(engine: Engine, db: Kysely<Database>, sqlite?: SqliteDatabase.Database) {
    this.engine = engine;
    this.db = db;
    this.sqlite = sqlite;
  }

  static async open(options: StoreOptions): Promise<Store> {
    if (options.databaseUrl) {
      // Loaded only for PostgreSQL, so an SQLite start doesn't pay for it.
      const { default: pg } = await import("pg");
      // BIGINT columns hold epoch milliseconds, well inside Number's exact range.
      pg.types.setTypeParser(20, (value: string) => Number(value));
      const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
      pool.on("error", (err) => console.error(`orgsim: PostgreSQL pool error: ${err.message}`));
      const store = new Store("postgres", new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }));
      await store.migrate();
      return store;
    }
    const file = options.data ?? ":memory:";
    const database = new SqliteDatabase(file);
    if (file !== ":memory:") database.pragma("journal_mode = WAL");
    // NORMAL in WAL mode loses nothing when the process dies; only an OS crash can cost the last commits.
    database.pragma("synchronous = NORMAL");
    database.pragma("busy_timeout = 5000");
    const store = new Store("sqlite", new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingSqlite(database) }) }), database);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    if (this.engine === "postgres") {
      // Several replicas may start at once: one migrates while the others wait on the lock.
      await this.db.connection().execute(async (conn) => {
        await sql`SELECT pg_advisory_lock(4566001)`.execute(conn);
        try {
          for (const ddl of MIGRATIONS) await sql.raw(ddl).execute(conn);
          await migrateSequences(conn);
        } finally {
          await sql`SELECT pg_advisory_unlock(4566001)`.execute(conn);
        }
      });
      return;
    }
    for (const ddl of MIGRATIONS) await sql.raw(ddl).execute(this.db);
    await migrateSequences(this.db);
  }

  /**
   * Runs `fn` as one transaction; retried on a serialization conflict (PostgreSQL). Calls that
   * only read pass nothing; calls that change state pass `write: true`.
   * `write: true` on PostgreSQL first takes an advisory lock (before BEGIN), so writers from
   * every replica queue instead of failing each other's SERIALIZABLE checks (SQLite's single
   * writer gives the same order); readers never wait for it.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>, options: { write?: boolean } = {}): Promise<T> {
    if (this.engine === "sqlite") return this.db.transaction().execute(fn);
    for (let attempt = 1; ; attempt++) {
      try {
        // Reads run on a REPEATABLE READ snapshot: consistent, and without SERIALIZABLE's predicate
        // locks, which concurrent reads otherwise pile up until PostgreSQL runs out of shared memory.
        if (!options.write) return await this.db.transaction().setIsolationLevel("repeatable read").execute(fn);
        // The lock is taken before BEGIN, so the transaction's snapshot is taken after the wait.
        return await this.db.connection().execute(async (conn) => {
          await sql`SELECT pg_advisory_lock(4566002)`.execute(conn);
          try {
            return await conn.transaction().setIsolationLevel("serializable").execute(fn);
          } finally {
            await sql`SELECT pg_advisory_unlock(4566002)`.execute(conn);
          }
        });
      } catch (err) {
        if (!isRetryable(err)) throw err;
        if (attempt >= MAX_ATTEMPTS) throw new AwsError("ConcurrentModificationException", CONCURRENT_MODIFICATION_MESSAGE);
        await new Promise((r) => setTimeout(r, Math.random() * 2 ** Math.min(attempt, 7)));
      }
    }
  }

  /** A transaction that changes state (see transaction). */
  writeTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction(fn, { write: true });
  }

  /** Deletes every row of every table (the control API's reset). */
  async reset(): Promise<void> {
    await this.writeTransaction(async (tx) => {
      for (const table of TABLES) await tx.deleteFrom(table).execute();
    });
  }

  /** SQLite's own integrity check ("ok" when sound); PostgreSQL answers "ok". */
  integrityCheck(): string {
    if (!this.sqlite) return "ok";
    const rows = this.sqlite.pragma("integrity_check") as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join("; ");
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE_PG_CODES.has(code);
}
