/**
 * Reads on SQLite that start while no transaction holds the connection run pinned to the state
 * version of that moment (store.ts, sqlite-driver.ts): what the state cache holds needs no
 * statement, and a statement they do need checks that the version has not moved. These tests hold
 * the promises that make that safe: one call sees one state, a write is seen by every read that
 * starts after it commits, and the cache never answers for a state that has changed, whether the
 * change came from this process (in-memory: the version kept in memory) or from another
 * connection to the same file (the version read from the file).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { cachedRead, Store, type Tx } from "../src/store/store.js";

const countMeta = async (tx: Tx): Promise<number> =>
  Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM meta WHERE key LIKE 'pin-%'`.execute(tx)).rows[0]!.n);

const insertMeta = (store: Store, key: string): Promise<void> =>
  store.writeTransaction(async (tx) => {
    await sql`INSERT INTO meta (key, value) VALUES (${key}, 'x')`.execute(tx);
  });

/** A value read through the state cache, as the services read rows. */
const cachedCount = (tx: Tx): Promise<number> => cachedRead(tx, "test-count", "pin", () => countMeta(tx));

test("Rule (orgsim promise): a read sees one state; a write that commits between two of its statements makes it run again, and it answers the new state whole", async () => {
  const store = await Store.open({ data: ":memory:" });
  try {
    let runs = 0;
    let released = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = store.transaction(async (tx) => {
      runs++;
      const first = await countMeta(tx);
      if (!released) await gate;
      const second = await countMeta(tx);
      return { first, second };
    });
    // The read has run its first statement and waits; a write commits meanwhile.
    await new Promise((r) => setImmediate(r));
    await insertMeta(store, "pin-1");
    released = true;
    release();
    const seen = await read;
    assert.deepEqual(seen, { first: 1, second: 1 }, "both statements of the answer saw the same (new) state");
    assert.equal(runs, 2, "the call ran again after the state moved under it");
  } finally {
    await store.close();
  }
});

test("Rule (orgsim promise): a read that starts while a write is in progress waits for it and sees it", async () => {
  const store = await Store.open({ data: ":memory:" });
  try {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const write = store.writeTransaction(async (tx) => {
      await sql`INSERT INTO meta (key, value) VALUES ('pin-w', 'x')`.execute(tx);
      await gate;
    });
    await new Promise((r) => setImmediate(r));
    let done = false;
    const read = store.transaction(countMeta).then((n) => {
      done = true;
      return n;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, false, "the read did not run inside the open write transaction");
    release();
    await write;
    assert.equal(await read, 1, "the read saw the committed write");
  } finally {
    await store.close();
  }
});

test("Rule (orgsim promise): the state cache never answers for a state a write has changed (in-memory SQLite: the version kept in memory)", async () => {
  const store = await Store.open({ data: ":memory:" });
  try {
    assert.equal(await store.transaction(cachedCount), 0);
    assert.equal(await store.transaction(cachedCount), 0, "served again at the same version");
    await insertMeta(store, "pin-a");
    assert.equal(await store.transaction(cachedCount), 1, "a read after the commit sees it");
    // A write that fails changes nothing, and the cache still answers for the committed state.
    await assert.rejects(
      store.writeTransaction(async (tx) => {
        await sql`INSERT INTO meta (key, value) VALUES ('pin-b', 'x')`.execute(tx);
        throw new Error("abandoned");
      }),
      /abandoned/,
    );
    assert.equal(await store.transaction(cachedCount), 1, "the rolled-back write is not seen");
    await insertMeta(store, "pin-c");
    assert.equal(await store.transaction(cachedCount), 2);
  } finally {
    await store.close();
  }
});

test("Rule (orgsim promise): a read through the cache sees a write another connection committed to the same SQLite file", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "orgsim-pin-"));
  const file = path.join(dir, "state.db");
  const a = await Store.open({ data: file });
  const b = await Store.open({ data: file });
  try {
    assert.equal(await a.transaction(cachedCount), 0);
    assert.equal(await a.transaction(cachedCount), 0);
    await insertMeta(b, "pin-other");
    assert.equal(await a.transaction(cachedCount), 1, "the other connection's commit moved the version this one reads");
    // A read pinned before the other connection's commit, whose next statement comes after it, runs again.
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = a.transaction(async (tx) => {
      runs++;
      const first = await countMeta(tx);
      if (runs === 1) await gate;
      return [first, await countMeta(tx)];
    });
    await new Promise((r) => setImmediate(r));
    await insertMeta(b, "pin-other-2");
    release();
    assert.deepEqual(await read, [2, 2]);
    assert.equal(runs, 2);
  } finally {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
