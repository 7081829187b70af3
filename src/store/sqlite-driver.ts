/**
 * orgsim's Kysely driver for SQLite (better-sqlite3), in place of Kysely's own: the same single
 * connection, with its prepared statements kept by SQL text, and a way to read without a
 * transaction of Kysely's.
 *
 * - Statements are prepared once per SQL text: Kysely's driver prepares every query afresh, and
 *   compiling SQL was the largest single cost of a call.
 * - Whether a statement writes comes from what SQLite compiled (`statement.readonly`; BEGIN and
 *   COMMIT count as reads): a read transaction refuses it, a write transaction from then on reads
 *   its own changes, not the state cache. Not PRAGMA query_only, whose every change expires every
 *   prepared statement of the connection.
 * - One transaction at a time holds the connection (a mutex, as Kysely's driver has); `busy` says
 *   whether one does.
 * - A pinned read (`PinnedRead`): calls that start while no transaction is open read at the state
 *   version of that moment, and most of what they read comes from the state cache (store.ts)
 *   without any statement. A statement such a call does need runs at once, synchronously, inside
 *   its own BEGIN ... COMMIT with a check that the state version is still the pinned one; if it
 *   is not, the pinned read is stale and its calls run again as ordinary read transactions.
 */
import SqliteDatabase from "better-sqlite3";
import {
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  Transaction,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from "kysely";
import type { Database } from "./schema.js";

/** Statements with IN lists vary in text: the cache is bounded, and starts again when full. */
const STATEMENT_CACHE_LIMIT = 2_000;

/** What the store tells the driver about the transaction in progress (one at a time). */
export interface SqliteHooks {
  /** A statement that writes ran (in a write transaction: from then on it reads its own changes). */
  onWrite(): void;
  /** Whether the transaction in progress only reads (a statement that writes is refused). */
  reading(): boolean;
  /** The transaction in progress ended: committed, or rolled back. */
  ended(committed: boolean): void;
}

/** A pinned read found the state version moved: its calls run again (see PinnedRead). */
export class StaleReadError extends Error {
  constructor() {
    super("the state changed under a read served at an earlier state version; the call runs again");
  }
}

function readOnlyRefusal(): Error {
  return new SqliteDatabase.SqliteError("attempt to write a readonly database (a read transaction)", "SQLITE_READONLY");
}

/** The result of one statement, as Kysely expects it. */
function run<R>(statement: SqliteDatabase.Statement, parameters: readonly unknown[]): QueryResult<R> {
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/** The single connection, as Kysely sees it. */
class SqliteConnection implements DatabaseConnection {
  readonly #statements = new Map<string, SqliteDatabase.Statement>();

  constructor(
    readonly database: SqliteDatabase.Database,
    private readonly hooks: SqliteHooks,
  ) {}

  /** The prepared statement of `text` (prepared on first use). */
  statement(text: string): SqliteDatabase.Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.database.prepare(text);
      if (this.#statements.size >= STATEMENT_CACHE_LIMIT) this.#statements.clear();
      this.#statements.set(text, statement);
    }
    return statement;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const statement = this.statement(query.sql);
      if (!statement.readonly) {
        if (this.hooks.reading()) throw readOnlyRefusal();
        this.hooks.onWrite();
      }
      return Promise.resolve(run<R>(statement, query.parameters));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  streamQuery = notStreamed;
}

/** Kysely's streaming, which orgsim never uses. */
function notStreamed<R>(): AsyncIterableIterator<QueryResult<R>> {
  throw new Error("orgsim's SQLite driver does not stream");
}

/**
 * A read at one state version, shared by every call that starts at that version while no
 * transaction is open: a Kysely transaction whose statements each run in a BEGIN ... COMMIT of
 * their own, after a check that the version has not moved (under a write transaction in
 * progress, they first wait for it to end). Once the version has moved the read is stale: the
 * statement throws, and every call that ran on it runs again (Store.transaction).
 */
export class PinnedRead {
  /** Set when a statement found the state version moved on. */
  stale = false;
  readonly tx: Transaction<Database>;

  constructor(
    readonly version: number,
    private readonly driver: SqliteDriver,
    db: Kysely<Database>,
  ) {
    const connection: DatabaseConnection = {
      executeQuery: <R>(query: CompiledQuery) => this.#execute<R>(query),
      streamQuery: notStreamed,
    };
    const executor = db.getExecutor().withConnectionProvider({ provideConnection: (consume) => consume(connection) });
    this.tx = new Transaction<Database>({ config: { dialect: driver.dialect }, driver, dialect: driver.dialect, executor });
  }

  async #execute<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // A write transaction in progress holds the connection (and will move the version).
    while (this.driver.busy) await this.driver.idle();
    return this.driver.runPinned<R>(this, query);
  }
}

/** better-sqlite3 behind Kysely: one connection, its statement cache, its mutex, and pinned reads. */
export class SqliteDriver implements Driver {
  readonly connection: SqliteConnection;
  readonly #hooks: SqliteHooks;
  #locked: Promise<void> | undefined;
  #unlock: (() => void) | undefined;
  readonly #begin: SqliteDatabase.Statement;
  readonly #commit: SqliteDatabase.Statement;
  readonly #rollback: SqliteDatabase.Statement;
  /** The state version's read, once the migrations made its table. */
  versionRead: SqliteDatabase.Statement | undefined;
  /** Kysely's SQLite dialect with this driver. */
  readonly dialect: Dialect = sqliteDialect(this);

  constructor(database: SqliteDatabase.Database, hooks: SqliteHooks) {
    this.connection = new SqliteConnection(database, hooks);
    this.#hooks = hooks;
    this.#begin = database.prepare("BEGIN");
    this.#commit = database.prepare("COMMIT");
    this.#rollback = database.prepare("ROLLBACK");
  }

  /** Whether a transaction (or a statement run outside one, through Kysely) holds the connection. */
  get busy(): boolean {
    return this.#locked !== undefined;
  }

  /** Resolves when the connection is next free (it may be taken again at once). */
  idle(): Promise<void> {
    return this.#locked ?? Promise.resolve();
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.#locked) await this.#locked;
    this.#locked = new Promise<void>((resolve) => (this.#unlock = resolve));
    return this.connection;
  }

  async beginTransaction(): Promise<void> {
    this.#begin.run();
  }

  async commitTransaction(): Promise<void> {
    try {
      this.#commit.run();
    } catch (err) {
      this.#hooks.ended(false);
      throw err;
    }
    this.#hooks.ended(true);
  }

  async rollbackTransaction(): Promise<void> {
    this.#hooks.ended(false);
    this.#rollback.run();
  }

  async releaseConnection(): Promise<void> {
    const unlock = this.#unlock;
    this.#locked = undefined;
    this.#unlock = undefined;
    unlock?.();
  }

  async destroy(): Promise<void> {
    this.connection.database.close();
  }

  /**
   * One statement of a pinned read, now (no transaction may hold the connection): in a BEGIN ...
   * COMMIT of its own, after checking that the state version is still the pinned one. Nothing
   * else runs on the connection meanwhile: every step is synchronous.
   */
  runPinned<R>(pinned: PinnedRead, query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.busy) return Promise.reject(new Error("a pinned read ran a statement while a transaction held the connection"));
    try {
      const statement = this.connection.statement(query.sql);
      if (!statement.readonly) throw readOnlyRefusal();
      this.#begin.run();
      try {
        if (pinned.stale || Number(this.versionRead!.get()) !== pinned.version) {
          pinned.stale = true;
          throw new StaleReadError();
        }
        return Promise.resolve(run<R>(statement, query.parameters));
      } finally {
        this.#commit.run();
      }
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/** Kysely's SQLite dialect with orgsim's driver. */
export function sqliteDialect(driver: SqliteDriver): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
  };
}
