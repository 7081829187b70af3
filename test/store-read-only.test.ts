/**
 * Reads never write (issue 12): a transaction opened to read refuses any statement that would
 * change the state, before it runs, and the state stays as it was; the same statement in a write
 * transaction runs. On SQLite this is the statement cache's check of what SQLite compiled (not
 * PRAGMA query_only, whose every change made every prepared statement compile again).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { Store } from "../src/store/store.js";

test("Rule (orgsim promise): a read transaction refuses a statement that writes, and nothing is stored; a write transaction runs it", async () => {
  const store = await Store.open({ data: ":memory:" });
  try {
    const count = (): Promise<number> =>
      store.transaction(async (tx) => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM meta`.execute(tx)).rows[0]!.n));
    const before = await count();
    await assert.rejects(
      store.transaction(async (tx) => {
        await sql`SELECT 1`.execute(tx);
        await sql`INSERT INTO meta (key, value) VALUES ('read-wrote', 'x')`.execute(tx);
      }),
      (err: Error & { code?: string }) => err.code === "SQLITE_READONLY" && /readonly/.test(err.message),
    );
    assert.equal(await count(), before, "the refused read left the state as it was");
    // The read path is usable at once after a refusal, and reads still read.
    assert.equal(await count(), before);
    await store.writeTransaction(async (tx) => {
      await sql`INSERT INTO meta (key, value) VALUES ('write-wrote', 'x')`.execute(tx);
    });
    assert.equal(await count(), before + 1, "a write transaction writes");
  } finally {
    await store.close();
  }
});
