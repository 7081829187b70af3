/**
 * The state behind one asynchronous, transactional interface, on embedded SQLite
 * (better-sqlite3) or PostgreSQL (pg). One API call is one transaction; on PostgreSQL the
 * transaction is SERIALIZABLE and a serialization conflict is retried a bounded number of
 * times before it surfaces as ConcurrentModificationException, as on AWS.
 */
import SqliteDatabase from "better-sqlite3";
import type pg from "pg";
import { Kysely, sql, type Transaction } from "kysely";
import { resolve } from "node:path";
import { ACCOUNT_COUNT_DDL, ACCOUNT_COUNT_FILL, MIGRATIONS, SEQUENCED_TABLES, SEQUENCE_INDEXES, TABLES, type Database } from "./schema.js";
import { migrateSequences } from "./sequence.js";
import { AwsError } from "../protocol/errors.js";
import { StateUnavailableError, StoreOpenError } from "./errors.js";
import { pgDialect, VERSION_SQL, type PgConnection } from "./pg-driver.js";
import { PinnedRead, SqliteDriver } from "./sqlite-driver.js";

export type Tx = Transaction<Database>;
export type Engine = "sqlite" | "postgres";

export const CONCURRENT_MODIFICATION_MESSAGE =
  "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later.";

const MAX_ATTEMPTS = 8;
const RETRYABLE_PG_CODES = new Set(["40001", "40P01"]);

/** How long a call waits for a PostgreSQL connection (a new one, or a free one of the pool) before it is answered as unavailable. */
export const PG_CONNECT_TIMEOUT_MS = 5_000;
/** How long PostgreSQL lets one statement run (the writers' lock wait included) before cancelling it. */
export const PG_STATEMENT_TIMEOUT_MS = 20_000;
/** How long the client waits for any answer to a statement (a dead network gives none) before giving up on the connection. */
export const PG_QUERY_TIMEOUT_MS = PG_STATEMENT_TIMEOUT_MS + 5_000;
const PG_POOL_SIZE = 10;

/** Transactions opened to read: nothing may write in them (the database refuses, and ensureAccount does not insert). */
const readOnlyTransactions = new WeakSet<object>();

/** Whether `tx` is a read transaction (see Store.transaction). */
export function isReadOnly(tx: Tx): boolean {
  return readOnlyTransactions.has(tx);
}

/**
 * What was read at one state version (rows, the clock offset, which operations have faults),
 * served again to every read while the version holds. Every write transaction bumps the version
 * as it commits (on every replica: the version is a row of the shared state), so a read at a
 * newer version finds the cache empty. Entries are kept by kind, then by id: the kinds are
 * constants and the ids mostly strings of cached rows, so a look-up hashes no new string.
 */
class StateCache {
  version = -1;
  readonly entries = new Map<string, Map<string, unknown>>();
  /** Rows held (a list page counts its rows), bounded by CACHE_LIMIT so memory stays flat at any state size. */
  weight = 0;
}
const CACHE_LIMIT = 2_000;

/** A transaction's view of the cache: the version it reads at, and (PostgreSQL) its connection. */
interface ReadState {
  cache: StateCache;
  version: number;
  /** PostgreSQL: the connection, which begins the transaction on its first statement. */
  conn: PgConnection | undefined;
  /** A write transaction: whether it has written yet (from then on it reads its own changes, not the cache). */
  wrote: (() => boolean) | undefined;
  /** SQLite: the pinned read the transaction is (see sqlite-driver.ts); a stale one's reads are not cached. */
  pinned?: PinnedRead;
}
const readStates = new WeakMap<object, ReadState>();

/** What peekState answers when the cache holds nothing for the key at the transaction's version. */
const NOT_CACHED: unique symbol = Symbol("not cached");

function peekState(state: ReadState, kind: string, id: string): unknown {
  const cache = state.cache;
  if (cache.version !== state.version) return NOT_CACHED;
  const ofKind = cache.entries.get(kind);
  if (ofKind === undefined) return NOT_CACHED;
  const hit = ofKind.get(id);
  return hit !== undefined || ofKind.has(id) ? hit : NOT_CACHED;
}

/** A value the state cache may hold already (then no promise), or one still to be read. */
export type Cached<T> = T | Promise<T>;

/**
 * cachedRead, answered at once (no promise, no microtask) when the cache holds the value: for the
 * reads every call makes, whose callers then go on synchronously (andThen).
 */
export function cachedNow<T>(tx: Tx, kind: string, id: string, load: () => Promise<T>): Cached<T> {
  const state = readStates.get(tx);
  const known = state && !state.wrote?.() ? peekState(state, kind, id) : NOT_CACHED;
  return known !== NOT_CACHED ? (known as T) : cachedRead(tx, kind, id, load);
}

/** `f` of a value that may still be on its way: at once when it is there, after it when it is a promise. */
export function andThen<T, U>(value: Cached<T>, f: (known: T) => Cached<U>): Cached<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/**
 * `load()`, or what it gave in an earlier read of the same `kind` and `id` at the same state
 * version: in read transactions, and in write transactions until their first write (from then on
 * they read their own changes). The value is frozen, since calls share it.
 */
export async function cachedRead<T>(tx: Tx, kind: string, id: string, load: () => Promise<T>): Promise<T> {
  const state = readStates.get(tx);
  if (!state || state.wrote?.()) return load();
  const hit = peekState(state, kind, id);
  if (hit !== NOT_CACHED) return hit as T;
  const cache = state.cache;
  const value = await load();
  // A snapshot that began at another version than the call started at: the call runs again.
  if (state.conn && state.conn.version !== state.version) return value;
  if (state.wrote?.() || state.pinned?.stale) return value;
  // A call that started before a newer version was cached: the newer entries stay.
  if (state.version < cache.version) return value;
  const weight = Array.isArray(value) ? value.length + 1 : 1;
  if (cache.version !== state.version || cache.weight + weight > CACHE_LIMIT) {
    cache.version = state.version;
    cache.entries.clear();
    cache.weight = 0;
  }
  cache.weight += weight;
  if (typeof value === "object" && value !== null) Object.freeze(value);
  let ofKind = cache.entries.get(kind);
  if (ofKind === undefined) cache.entries.set(kind, (ofKind = new Map()));
  ofKind.set(id, value);
  return value;
}

/**
 * The state version as PostgreSQL has it, for reads that may be served from the cache: one query
 * shared by every call that arrived before it was sent (never one sent before a call arrived, so
 * a read that starts after a commit on any replica sees it), one in flight at a time.
 */
class VersionPoll {
  #pending: Promise<number> | undefined;
  #inFlight: Promise<number> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  version(): Promise<number> {
    if (this.#pending) return this.#pending;
    const pending = this.#sendAfter(this.#inFlight);
    this.#pending = pending;
    return pending;
  }

  async #sendAfter(previous: Promise<number> | undefined): Promise<number> {
    // Callers join until the query is sent (after the one in flight answers).
    await (previous ? previous.then(noop, noop) : undefined);
    this.#pending = undefined;
    const sent = this.pool.query<{ version: number | string }>(VERSION_SQL).then((r) => Number(r.rows[0]?.version ?? 0));
    this.#inFlight = sent;
    try {
      return await sent;
    } finally {
      if (this.#inFlight === sent) this.#inFlight = undefined;
    }
  }
}
const noop = (): void => undefined;

/** The connection a PostgreSQL transaction runs on (no statement is sent to find it). */
async function connectionOf(tx: Tx): Promise<PgConnection> {
  return tx.getExecutor().provideConnection(async (conn) => conn as PgConnection);
}

/** Where a PostgreSQL URL points, for messages (never the password). */
export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** PostgreSQL error codes and Node socket errors that mean "the database is unreachable or went away", not a bad statement. */
const UNAVAILABLE_CODES = new Set([
  "57P01", // admin_shutdown: pg_terminate_backend, or a fast shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "57014", // query_canceled: the statement timeout
  "53300", // too_many_connections
  "3D000", // the database was dropped
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "08P01",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Query read timeout|connection timeout|Client was closed|has been discarded|Cannot use a pool after calling end/i;

/** A connection that was dropped under a call (terminated backend, reset socket), as opposed to a database that can't be reached at all. */
const DROPPED_CODES = new Set(["57P01", "ECONNRESET", "EPIPE"]);
const DROPPED_MESSAGES = /Connection terminated unexpectedly|not queryable|has been discarded/i;
/** Times a call is run again on a fresh connection after its connection was dropped before COMMIT. */
const DROPPED_RETRIES = 2;

function isDropped(err: unknown): boolean {
  const code = errorCode(err);
  if (code !== undefined && DROPPED_CODES.has(code)) return true;
  return DROPPED_MESSAGES.test(err instanceof Error ? err.message : "");
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Whether a driver error means the database is unavailable (the call may succeed later) rather than a fault in orgsim. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof StateUnavailableError) return true;
  const code = errorCode(err);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  const message = err instanceof Error ? err.message : "";
  // AggregateError (several addresses tried): unavailable if its parts are.
  if (err instanceof AggregateError && err.errors.length > 0 && err.errors.every(isUnavailable)) return true;
  return UNAVAILABLE_MESSAGES.test(message);
}

function plainReason(err: unknown): string {
  const code = errorCode(err);
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "57014") return `a statement ran longer than ${PG_STATEMENT_TIMEOUT_MS / 1000} s and was cancelled`;
  if (err instanceof AggregateError && err.errors.length > 0) return plainReason(err.errors[0]);
  const message = err instanceof Error ? err.message : String(err);
  return message || code || "unknown error";
}

function where(t: PgTarget): string {
  return `PostgreSQL at ${t.host}:${t.port} (database "${t.database}")`;
}

/** The message for a PostgreSQL that can't be used at start, naming host, port, database and what to do. */
export function describeStartupFailure(t: PgTarget, err: unknown): string {
  const code = errorCode(err);
  const reason = plainReason(err);
  const at = `${t.host}:${t.port}`;
  switch (code) {
    case "ECONNREFUSED":
      return `cannot connect to ${where(t)}: connection refused. Is PostgreSQL running, and listening on ${at}?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot resolve the PostgreSQL host "${t.host}" (database "${t.database}"): ${reason}. Check the host in --database / ORGSIM_DATABASE_URL.`;
    case "3D000":
      return `${where(t)}: the database does not exist. Create it with: createdb -h ${t.host} -p ${t.port} -U ${t.user} ${t.database}`;
    case "28P01":
    case "28000":
      return `${where(t)} refused user "${t.user}": ${reason}. Check the user and password in --database / ORGSIM_DATABASE_URL.`;
    case "57P03":
      return `${where(t)} is starting up or shutting down (${reason}); start orgsim again in a moment.`;
    case "53300":
      return `${where(t)} has no free connections (${reason}); orgsim needs up to ${PG_POOL_SIZE}.`;
    default:
      if (/timeout/i.test(reason)) {
        return `${where(t)} did not answer within ${PG_CONNECT_TIMEOUT_MS / 1000} s (${reason}). Is PostgreSQL running there, and reachable from this machine?`;
      }
      return `cannot use ${where(t)}: ${reason}`;
  }
}

/**
 * Bump when migrate() or migrateSequences() changes in a way the DDL lists below don't show (the
 * lists themselves are part of the fingerprint).
 */
const MIGRATION_LOGIC_REVISION = 2;

/**
 * The schema this build migrates an SQLite file to, as a positive 31-bit number (FNV-1a of the
 * DDL): stored in the file's header (PRAGMA user_version) once the migrations ran, so a start on
 * a file already at this schema skips them (about 60 idempotent statements, a few ms of every
 * start). A file from another version of orgsim, older or newer, holds another number (or 0) and
 * is migrated as before.
 */
export const SQLITE_SCHEMA_VERSION = ((): number => {
  const text = JSON.stringify([
    MIGRATION_LOGIC_REVISION,
    MIGRATIONS,
    SEQUENCED_TABLES,
    SEQUENCE_INDEXES,
    ACCOUNT_COUNT_DDL.sqlite,
    ACCOUNT_COUNT_FILL,
  ]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 1 || 1;
})();

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
  /** PostgreSQL only: where the database is, for messages. */
  readonly target: PgTarget | undefined;
  /** The last time the database was found unavailable (ms), and why. */
  private lastUnavailable: { at: number; reason: string } | undefined;

  /** SQLite: whether the transaction in progress only reads (one connection runs one transaction at a time). */
  private sqliteReading = false;
  /** SQLite: the state version's read and bump, prepared once (set after the migrations made the table). */
  private versionStatements: { read: SqliteDatabase.Statement; bump: SqliteDatabase.Statement } | undefined;
  /** SQLite: the driver (its connection's mutex, pinned reads). */
  private sqliteDriver: SqliteDriver | undefined;
  /** SQLite: the pinned read of the latest state version seen (see sqlite-driver.ts). */
  private pinned: PinnedRead | undefined;
  /** PostgreSQL: the shared read of the state version. */
  private readonly versionPoll: VersionPoll | undefined;
  private readonly cache = new StateCache();
  /** SQLite: whether the write transaction in progress has written (one connection runs one transaction at a time). */
  private sqliteWrote = false;
  /**
   * In-memory SQLite: the state version, kept here (no other connection can change a private
   * database, so this process sees every commit); undefined for a file, whose version is read.
   */
  private privateVersion: number | undefined;
  /** SQLite: the version the write transaction in progress bumped the state to, taken as current once it commits. */
  private bumpedTo: number | undefined;

  private constructor(engine: Engine, db: Kysely<Database>, sqlite?: SqliteDatabase.Database, target?: PgTarget, pool?: pg.Pool) {
    this.engine = engine;
    this.db = db;
    this.sqlite = sqlite;
    this.target = target;
    this.versionPoll = pool && new VersionPoll(pool);
  }

  /** Records that the database was unavailable (a connection failed, a call could not reach it). */
  noteUnavailable(err: unknown): void {
    this.lastUnavailable = { at: Date.now(), reason: plainReason(err) };
  }

  /** The error a call gets when the database can't be reached: retryable, naming the database and the reason. */
  private unavailable(err: unknown): StateUnavailableError {
    if (err instanceof StateUnavailableError) return err;
    this.noteUnavailable(err);
    const what = this.target ? where(this.target) : "the database";
    return new StateUnavailableError(`orgsim cannot reach its database, ${what}: ${plainReason(err)}. Try again later.`, { cause: err });
  }

  /**
   * Whether the database answers now (a round trip, bounded by the connection timeout), with the
   * reason when it does not.
   */
  async probe(): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      await this.transaction(async (tx) => {
        await sql`SELECT 1`.execute(tx);
      });
      return { ok: true };
    } catch (err) {
      if (err instanceof StateUnavailableError) return { ok: false, reason: err.message };
      throw err;
    }
  }

  static async open(options: StoreOptions): Promise<Store> {
    if (options.databaseUrl) return Store.openPostgres(options.databaseUrl);
    return Store.openSqlite(options.data ?? ":memory:");
  }

  private static async openPostgres(url: string): Promise<Store> {
    // Loaded only for PostgreSQL, so an SQLite start doesn't pay for it.
    const { default: pg } = await import("pg");
    // BIGINT columns hold epoch milliseconds, well inside Number's exact range.
    pg.types.setTypeParser(20, (value: string) => Number(value));
    const probe = new pg.Client({ connectionString: url });
    const target: PgTarget = { host: probe.host, port: probe.port, database: probe.database ?? "", user: probe.user ?? "" };
    const pool = new pg.Pool({
      connectionString: url,
      max: PG_POOL_SIZE,
      // Bounded waits: a call never hangs on a database that is down or unreachable.
      connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      statement_timeout: PG_STATEMENT_TIMEOUT_MS,
      query_timeout: PG_QUERY_TIMEOUT_MS,
      keepAlive: true,
    });
    const store = new Store("postgres", new Kysely<Database>({ dialect: pgDialect(pool) }), undefined, target, pool);
    // A client whose connection fails emits 'error'. The pool listens only while a client is idle;
    // a client lent to a call would crash the process with an unhandled 'error' event. Every
    // client gets a listener for its whole life: the call in flight fails through its own query,
    // and the pool drops the client when it is released.
    pool.on("connect", (client) => client.on("error", (err: Error) => store.noteUnavailable(err)));
    pool.on("error", (err) => {
      store.noteUnavailable(err);
      console.error(`orgsim: ${where(target)}: an idle connection failed (${plainReason(err)}); the next call opens a new one.`);
    });
    try {
      await store.migrate();
    } catch (err) {
      await store.db.destroy().catch(() => undefined);
      throw new StoreOpenError(describeStartupFailure(target, err), { cause: err });
    }
    return store;
  }

  private static async openSqlite(file: string): Promise<Store> {
    const shown = file === ":memory:" ? file : resolve(file);
    let database: SqliteDatabase.Database | undefined;
    try {
      database = new SqliteDatabase(file);
      if (file !== ":memory:") database.pragma("journal_mode = WAL");
      // NORMAL in WAL mode loses nothing when the process dies; only an OS crash can cost the last commits.
      database.pragma("synchronous = NORMAL");
      database.pragma("busy_timeout = 5000");
      let store: Store | undefined = undefined;
      const hooks = {
        onWrite: (): void => {
          if (store) store.sqliteWrote = true;
        },
        reading: (): boolean => store?.sqliteReading === true,
        ended: (committed: boolean): void => {
          if (!store) return;
          if (committed && store.bumpedTo !== undefined && store.privateVersion !== undefined) store.privateVersion = store.bumpedTo;
          store.bumpedTo = undefined;
        },
      };
      const driver = new SqliteDriver(database, hooks);
      store = new Store("sqlite", new Kysely<Database>({ dialect: driver.dialect }), database);
      store.sqliteDriver = driver;
      await store.migrate();
      if (file === ":memory:") store.privateVersion = store.sqliteVersion();
      return store;
    } catch (err) {
      database?.close();
      throw new StoreOpenError(describeSqliteFailure(shown, err), { cause: err });
    }
  }

  private async migrate(): Promise<void> {
    if (this.engine === "postgres") {
      // Several replicas may start at once: one migrates while the others wait on the lock.
      await this.db.connection().execute(async (conn) => {
        await sql`SELECT pg_advisory_lock(4566001)`.execute(conn);
        try {
          for (const ddl of MIGRATIONS) await sql.raw(ddl).execute(conn);
          await migrateSequences(conn);
          for (const ddl of ACCOUNT_COUNT_DDL.postgres) await sql.raw(ddl).execute(conn);
        } finally {
          await sql`SELECT pg_advisory_unlock(4566001)`.execute(conn);
        }
      });
      return;
    }
    const sqlite = this.sqlite!;
    if (sqlite.pragma("user_version", { simple: true }) !== SQLITE_SCHEMA_VERSION) {
      for (const ddl of MIGRATIONS) await sql.raw(ddl).execute(this.db);
      await migrateSequences(this.db);
      for (const ddl of [...ACCOUNT_COUNT_DDL.sqlite, ACCOUNT_COUNT_FILL]) await sql.raw(ddl).execute(this.db);
      sqlite.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
    }
    this.versionStatements = {
      read: sqlite.prepare(VERSION_SQL).pluck(),
      bump: sqlite.prepare("UPDATE state_version SET version = version + 1 WHERE id = 1"),
    };
    this.sqliteDriver!.versionRead = this.versionStatements.read;
  }

  /**
   * Runs `fn` as one transaction; retried on a serialization conflict (PostgreSQL). Calls that
   * only read pass nothing; calls that change state pass `write: true`.
   * A read transaction can't write: SQLite's statements are refused when SQLite says they write
   * (sqlite-driver.ts), PostgreSQL's transaction is READ ONLY; so a read path that writes is found by
   * the first test that takes it.
   * `write: true` on PostgreSQL first takes an advisory lock (before BEGIN), so writers from
   * every replica queue instead of failing each other's SERIALIZABLE checks (SQLite's single
   * writer gives the same order); readers never wait for it.
   * A database that can't be reached (down, restarting, a dropped connection, a timeout) is a
   * StateUnavailableError: answered as a retryable internal error, never a hang or a crash.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>, options: { write?: boolean } = {}): Promise<T> {
    const write = options.write === true;
    // Set once `fn` has finished, i.e. from the moment COMMIT may be on its way.
    let committing = false;
    const body = async (tx: Tx): Promise<T> => {
      committing = false;
      if (!write) readOnlyTransactions.add(tx);
      const result = await fn(tx);
      committing = true;
      return result;
    };
    if (this.engine === "sqlite") {
      const versions = this.versionStatements!;
      if (write) {
        return this.db.transaction().execute(async (tx) => {
          this.sqliteWrote = false;
          const version = this.sqliteVersion();
          readStates.set(tx, { cache: this.cache, version, conn: undefined, wrote: () => this.sqliteWrote });
          const result = await body(tx);
          versions.bump.run();
          this.bumpedTo = version + 1;
          return result;
        });
      }
      // No transaction holds the connection: read at this state version, pinned (no transaction
      // of Kysely's; most of it comes from the state cache). Stale by the time it ends (a write
      // committed while it ran statements): run again below, as an ordinary read transaction.
      if (!this.sqliteDriver!.busy) {
        const pinned = this.pinnedAt(this.sqliteVersion());
        try {
          const result = await fn(pinned.tx);
          if (!pinned.stale) return result;
        } catch (err) {
          if (!pinned.stale) throw err;
        }
      }
      // Read-only: the driver refuses any statement that would write.
      return this.db.transaction().execute(async (tx) => {
        this.sqliteReading = true;
        try {
          readStates.set(tx, { cache: this.cache, version: this.sqliteVersion(), conn: undefined, wrote: undefined });
          return await body(tx);
        } finally {
          this.sqliteReading = false;
        }
      });
    }
    let dropped = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        // The writers' lock, BEGIN, the version bump and COMMIT are the driver's (pg-driver.ts).
        if (write) {
          return await this.db
            .transaction()
            .setIsolationLevel("serializable")
            .execute(async (tx) => {
              const conn = await connectionOf(tx);
              const version = (await conn.snapshotVersion())!;
              readStates.set(tx, { cache: this.cache, version, conn, wrote: () => conn.wrote });
              return body(tx);
            });
        }
        return await this.pgRead(body);
      } catch (err) {
        if (isUnavailable(err)) {
          // A connection dropped before COMMIT left nothing behind (PostgreSQL rolls back a
          // transaction whose session ends): run the call again on a fresh connection. After
          // COMMIT was sent the outcome is unknown, so the caller is told instead.
          if (!committing && isDropped(err) && dropped++ < DROPPED_RETRIES) {
            this.noteUnavailable(err);
            await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
            continue;
          }
          throw this.unavailable(err);
        }
        if (!isRetryable(err)) throw err;
        if (attempt >= MAX_ATTEMPTS) throw new AwsError("ConcurrentModificationException", CONCURRENT_MODIFICATION_MESSAGE);
        await new Promise((r) => setTimeout(r, Math.random() * 2 ** Math.min(attempt, 7)));
      }
    }
  }

  /** SQLite: the committed state version (no transaction holds the connection), or the one the transaction in progress began at. */
  private sqliteVersion(): number {
    return this.privateVersion ?? Number(this.versionStatements!.read.get());
  }

  /** SQLite: the pinned read at `version`, made once per state version (calls at one version share it). */
  private pinnedAt(version: number): PinnedRead {
    let pinned = this.pinned;
    if (pinned === undefined || pinned.version !== version) {
      pinned = new PinnedRead(version, this.sqliteDriver!, this.db);
      readOnlyTransactions.add(pinned.tx);
      readStates.set(pinned.tx, { cache: this.cache, version, conn: undefined, wrote: undefined, pinned });
      this.pinned = pinned;
    }
    return pinned;
  }

  /**
   * A read on PostgreSQL. It starts at the state version the shared poll answers, and what the
   * cache holds for that version needs no statement; the first statement it does need begins a
   * REPEATABLE READ snapshot (consistent, and without SERIALIZABLE's predicate locks, which
   * concurrent reads otherwise pile up until PostgreSQL runs out of shared memory), which reads
   * the version too. A snapshot at a newer version than the call started at (a write committed in
   * between) would mix two states: the call runs again, reading at the snapshot's version.
   */
  private async pgRead<T>(body: (tx: Tx) => Promise<T>): Promise<T> {
    let conn: PgConnection | undefined;
    const run = (version: number | undefined): Promise<T> =>
      this.db
        .transaction()
        .setIsolationLevel("repeatable read")
        .setAccessMode("read only")
        .execute(async (tx) => {
          conn = await connectionOf(tx);
          readStates.set(tx, { cache: this.cache, version: version ?? (await conn.snapshotVersion())!, conn, wrote: undefined });
          return body(tx);
        });
    const started = await this.versionPoll!.version();
    try {
      const result = await run(started);
      if (conn?.version === undefined || conn.version === started) return result;
    } catch (err) {
      if (conn?.version === undefined || conn.version === started) throw err;
    }
    return run(undefined);
  }

  /** A transaction that changes state (see transaction). */
  writeTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction(fn, { write: true });
  }

  /** Deletes every row of every table (the control API's reset), inside the caller's write transaction. */
  async clear(tx: Tx): Promise<void> {
    for (const table of TABLES) await tx.deleteFrom(table).execute();
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

/** The message for an SQLite data file that can't be used, naming the path and the reason. */
function describeSqliteFailure(path: string, err: unknown): string {
  const code = errorCode(err) ?? "";
  const reason = err instanceof Error ? err.message : String(err);
  let hint = "";
  if (/directory does not exist/i.test(reason)) hint = " Create the directory first, or give another path.";
  else if (code === "SQLITE_CANTOPEN" || /unable to open/i.test(reason))
    hint = " Check that its directory exists and that orgsim may write there.";
  else if (code === "SQLITE_NOTADB") hint = " It is not an SQLite database: give a new file name, or an orgsim data file.";
  else if (code.startsWith("SQLITE_READONLY") || code === "SQLITE_PERM" || /readonly/i.test(reason))
    hint = " orgsim needs to write it: check its permissions.";
  else if (code.startsWith("SQLITE_CORRUPT")) hint = " The file is damaged.";
  return `cannot open the SQLite data file ${JSON.stringify(path)}: ${reason}.${hint}`;
}
