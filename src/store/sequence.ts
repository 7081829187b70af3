/**
 * Creation order. Every listed row holds `seq`, a number drawn on insert from one store-wide,
 * ever-increasing sequence, and lists page through it (keyset on `seq`), so a list comes back in
 * the order its items were created, the same order every time, at O(page) cost at any depth.
 *
 * PostgreSQL draws from a real SEQUENCE (`nextval` never blocks and never conflicts, and writers
 * are serialized by the writers' advisory lock, so the numbers follow the order of commits).
 * SQLite keeps the counter in `meta` (one connection serializes every transaction). A reset
 * empties `meta` with every other table, so the SQLite counter starts again from 1 on an empty
 * state; PostgreSQL's sequence just goes on.
 */
import { CompiledQuery, PostgresAdapter, sql, type Kysely } from "kysely";
import { SEQUENCED_TABLES, SEQUENCE_INDEXES, type Database } from "./schema.js";

const isPostgres = (db: Kysely<Database>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

// Run on every insert of a listed row: plain SQL, compiled once, not built per call.
const PG_NEXT = "SELECT nextval('orgsim_seq') AS v FROM generate_series(1, $1::int)";
const SQLITE_NEXT = `INSERT INTO meta (key, value) VALUES ('seq', ?)
  ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + CAST(? AS INTEGER) AS TEXT)
  RETURNING value`;

/** `count` new numbers of the sequence, ascending, each larger than any drawn before. */
export async function nextSeqs(db: Kysely<Database>, count: number): Promise<number[]> {
  if (count <= 0) return [];
  if (isPostgres(db)) {
    const { rows } = await db.executeQuery<{ v: number | string }>(CompiledQuery.raw(PG_NEXT, [count]));
    return rows.map((r) => Number(r.v)).sort((a, b) => a - b);
  }
  const { rows } = await db.executeQuery<{ value: string }>(CompiledQuery.raw(SQLITE_NEXT, [String(count), count]));
  const last = Number(rows[0]!.value);
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
}

/** One new number of the sequence. */
export async function nextSeq(db: Kysely<Database>): Promise<number> {
  return (await nextSeqs(db, 1))[0]!;
}

async function hasSeqColumn(db: Kysely<Database>, table: string): Promise<boolean> {
  const { rows } = isPostgres(db)
    ? await sql`SELECT 1 AS present FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = 'seq'`.execute(db)
    : await sql`SELECT 1 AS present FROM pragma_table_info(${table}) WHERE name = 'seq'`.execute(db);
  return rows.length > 0;
}

/**
 * Adds `seq` to a table of a store made before creation order existed, numbering the rows it
 * already holds in the order of their key (the order lists had until then), after every number
 * drawn so far. One transaction per table: a crash leaves each table either done or untouched.
 */
async function addSeqColumn(tx: Kysely<Database>, table: string, key: readonly string[]): Promise<void> {
  const postgres = isPostgres(tx);
  await sql
    .raw(postgres ? `ALTER TABLE ${table} ADD COLUMN seq BIGINT` : `ALTER TABLE ${table} ADD COLUMN seq BIGINT NOT NULL DEFAULT 0`)
    .execute(tx);
  const counted = await sql<{ n: number | string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(tx);
  const count = Number(counted.rows[0]!.n);
  if (count > 0) {
    const first = (await nextSeqs(tx, count))[0]!;
    const columns = key.join(", ");
    const match = key.map((k) => `${table}.${k} = numbered.${k}`).join(" AND ");
    await sql
      .raw(
        `UPDATE ${table} SET seq = numbered.n + ${first - 1}
         FROM (SELECT ${columns}, row_number() OVER (ORDER BY ${columns}) AS n FROM ${table}) AS numbered
         WHERE ${match}`,
      )
      .execute(tx);
  }
  if (postgres) {
    // A replica of an earlier version still running against this database inserts rows without
    // seq: the default numbers them too.
    await sql.raw(`ALTER TABLE ${table} ALTER COLUMN seq SET DEFAULT nextval('orgsim_seq')`).execute(tx);
    await sql.raw(`ALTER TABLE ${table} ALTER COLUMN seq SET NOT NULL`).execute(tx);
  }
}

/** Brings a store to creation order: the sequence, the `seq` columns, their indexes. Idempotent. */
export async function migrateSequences(db: Kysely<Database>): Promise<void> {
  if (isPostgres(db)) await sql`CREATE SEQUENCE IF NOT EXISTS orgsim_seq`.execute(db);
  for (const { table, key } of SEQUENCED_TABLES) {
    if (await hasSeqColumn(db, table)) continue;
    await db.transaction().execute((tx) => addSeqColumn(tx, table, key));
  }
  for (const ddl of SEQUENCE_INDEXES) await sql.raw(ddl).execute(db);
}
