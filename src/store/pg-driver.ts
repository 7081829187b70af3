/**
 * orgsim's Kysely driver for PostgreSQL (pg), in place of Kysely's own: the same pool and client,
 * fewer round trips and less parsing per call.
 *
 * - A transaction begins with its first statement, not before: a read served from the state
 *   cache (store.ts) takes no connection at all.
 * - BEGIN and the state version read are one round trip (one simple-protocol query); a write
 *   takes the writers' advisory lock before it (its own round trip, so that its snapshot is
 *   taken after the wait).
 * - Ending a write is one round trip too: the state version bump, COMMIT, the lock's release.
 * - Statements with parameters run as named prepared statements, parsed and planned once per
 *   connection (their name stands for their text, the same on every connection).
 */
import type pg from "pg";
import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from "kysely";

/** The advisory lock every writer holds from before BEGIN to after COMMIT (writers of every replica queue on it). */
export const WRITERS_LOCK = 4566002;
/** The state version: one row, bumped by every write transaction as it commits. */
export const VERSION_SQL = "SELECT version FROM state_version WHERE id = 1";
const BUMP_SQL = "UPDATE state_version SET version = version + 1 WHERE id = 1";
const LOCK_SQL = `SELECT pg_advisory_lock(${WRITERS_LOCK})`;
const UNLOCK_SQL = `SELECT pg_advisory_unlock(${WRITERS_LOCK})`;

/** How a transaction begins: a read (REPEATABLE READ, READ ONLY), a write (the writers' lock, SERIALIZABLE), or plain (migrations). */
type Mode = "read" | "write" | "plain";

const PROLOGUE: Record<Mode, string> = {
  read: `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${VERSION_SQL}`,
  write: `BEGIN ISOLATION LEVEL SERIALIZABLE; ${VERSION_SQL}`,
  plain: "BEGIN",
};

/** Names of prepared statements by SQL text; bounded, since texts with IN lists vary (beyond it, statements run unnamed). */
const names = new Map<string, string>();
const MAX_NAMED = 500;

function queryConfig(text: string, values: unknown[]): pg.QueryConfig {
  if (values.length === 0) return { text, values };
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `orgsim_${names.size}`;
    names.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

/** Whether a statement only reads. */
function isSelect(text: string): boolean {
  return /^\s*select\b/i.test(text);
}

const COUNTED = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

/** One connection as Kysely sees it: a pool client taken on the first statement, given back on release. */
export class PgConnection implements DatabaseConnection {
  #client: pg.PoolClient | undefined;
  #mode: Mode | undefined;
  #begun = false;
  #locked = false;
  #broken = false;
  /** The state version the current transaction's snapshot sees, once it has begun (reads and writes). */
  version: number | undefined;
  /** Whether the current transaction has run a statement other than a SELECT. */
  wrote = false;

  constructor(private readonly pool: pg.Pool) {}

  async #connect(): Promise<pg.PoolClient> {
    if (!this.#client) this.#client = await this.pool.connect();
    return this.#client;
  }

  /** Marks a transaction as open; its BEGIN goes with its first statement. */
  begin(settings: TransactionSettings): void {
    this.#mode = settings.accessMode === "read only" ? "read" : settings.isolationLevel === "serializable" ? "write" : "plain";
    this.#begun = false;
    this.version = undefined;
    this.wrote = false;
  }

  /** Whether the transaction has begun in the database (a statement was sent). */
  get begun(): boolean {
    return this.#begun;
  }

  /** Begins the transaction now, if it hasn't begun, and returns the state version its snapshot sees (undefined for a plain one). */
  async snapshotVersion(): Promise<number | undefined> {
    await this.#ensureBegun();
    return this.version;
  }

  async #ensureBegun(): Promise<void> {
    const mode = this.#mode;
    if (mode === undefined || this.#begun) return;
    const client = await this.#connect();
    this.#begun = true;
    if (mode === "write") {
      // Its own round trip: statements before a BEGIN in one query join its transaction, whose
      // snapshot would then be taken before the wait.
      this.#locked = true;
      await client.query(LOCK_SQL);
    }
    const results = (await client.query(PROLOGUE[mode])) as unknown as pg.QueryResult | pg.QueryResult[];
    if (mode !== "plain" && Array.isArray(results)) {
      const row = results[results.length - 1]?.rows[0] as { version?: unknown } | undefined;
      this.version = Number(row?.version ?? 0);
    }
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    await this.#ensureBegun();
    const client = await this.#connect();
    if (!this.wrote && !isSelect(query.sql)) this.wrote = true;
    const result = await client.query(queryConfig(query.sql, [...query.parameters]));
    return {
      rows: (result.rows ?? []) as R[],
      numAffectedRows: COUNTED.has(result.command) ? BigInt(result.rowCount ?? 0) : undefined,
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("orgsim's PostgreSQL driver does not stream");
  }

  /** Ends the transaction: COMMIT (a write bumps the state version first) or ROLLBACK, and the writers' lock is released. */
  async finish(commit: boolean): Promise<void> {
    const mode = this.#mode;
    this.#mode = undefined;
    if (!this.#begun) return;
    this.#begun = false;
    const client = this.#client!;
    const unlock = this.#locked ? `; ${UNLOCK_SQL}` : "";
    try {
      if (commit) {
        try {
          const results = (await client.query(`${mode === "write" ? `${BUMP_SQL}; ` : ""}COMMIT${unlock}`)) as unknown as
            pg.QueryResult | pg.QueryResult[];
          // PostgreSQL answers COMMIT of a transaction an earlier error aborted with ROLLBACK.
          const commands = Array.isArray(results) ? results.map((r) => r.command) : [results.command];
          if (commands.includes("ROLLBACK")) throw new Error("the transaction was aborted by an earlier error and rolled back");
          this.#locked = false;
          return;
        } catch (err) {
          // Nothing after the failed statement ran: roll back and release the lock here.
          await this.#rollback(client, unlock);
          throw err;
        }
      }
      await this.#rollback(client, unlock);
    } finally {
      this.#locked = false;
    }
  }

  async #rollback(client: pg.PoolClient, unlock: string): Promise<void> {
    try {
      await client.query(`ROLLBACK${unlock}`);
    } catch {
      // The session may still hold the lock or an open transaction: it is closed, not reused.
      this.#broken = true;
    }
  }

  /** Gives the client back to the pool (or closes it, when a failure may have left it in a transaction or holding the lock). */
  release(): void {
    const client = this.#client;
    this.#client = undefined;
    if (this.#begun || this.#locked) this.#broken = true;
    client?.release(this.#broken ? true : undefined);
    this.#broken = false;
    this.#begun = false;
    this.#locked = false;
  }
}

class PgDriver implements Driver {
  constructor(private readonly pool: pg.Pool) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgConnection(this.pool);
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    (connection as PgConnection).begin(settings);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgConnection).finish(true);
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgConnection).finish(false);
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PgConnection).release();
  }
  async destroy(): Promise<void> {
    await this.pool.end();
  }
}

/** Kysely's PostgreSQL dialect with orgsim's driver. */
export function pgDialect(pool: pg.Pool): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PgDriver(pool),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
  };
}
