/**
 * The account quota reads the organization's account count, which the database keeps as accounts
 * join, leave and are removed (triggers, ACCOUNT_COUNT_DDL in src/store/schema.ts), instead of
 * counting the accounts on every CreateAccount. These tests hold AWS's rule at the edge of the
 * quota through every way an account comes and goes, and that the kept count always equals a
 * fresh count of the accounts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateAccountCommand, LeaveOrganizationCommand, RemoveAccountFromOrganizationCommand } from "@aws-sdk/client-organizations";
import { sql } from "kysely";
import type { Store as StoreType } from "../src/store/store.js";
import { useTestServer, assertAwsError, awsError } from "./helpers/server.js";

// AWS's default quota: 10 accounts per organization (the management account included).
const s = useTestServer({ quotas: "aws" });

/** The kept counts against a fresh count of the accounts, per organization. */
async function counts(): Promise<{ kept: Record<string, number>; counted: Record<string, number> }> {
  return s.sim.app.store.transaction(async (tx) => {
    const kept = await sql<{ org_id: string; n: number }>`SELECT org_id, n FROM org_account_counts WHERE n <> 0`.execute(tx);
    const counted = await sql<{ org_id: string; n: number }>`
      SELECT org_id, COUNT(*) AS n FROM accounts WHERE org_id IS NOT NULL GROUP BY org_id`.execute(tx);
    const byOrg = (rows: { org_id: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.org_id, Number(r.n)]));
    return { kept: byOrg(kept.rows), counted: byOrg(counted.rows) };
  });
}

async function assertCountsTrue(): Promise<void> {
  const { kept, counted } = await counts();
  assert.deepEqual(kept, counted, "the kept account counts equal a fresh count of the accounts");
}

test("Quota (CreateAccount, aws preset): ACCOUNT_NUMBER_LIMIT_EXCEEDED at 10 accounts; an account that leaves or is removed frees its place", async () => {
  const { orgId } = await s.freshOrg();
  const invited = await s.invite("222222222222");
  const members: string[] = [];
  for (let i = 0; i < 8; i++) members.push(await s.createAccount(`count-${i}@example.com`));
  await assertCountsTrue();
  assert.equal((await counts()).kept[orgId], 10);
  const create = (email: string) => s.orgs().send(new CreateAccountCommand({ Email: email, AccountName: email.split("@")[0]! }));
  assertAwsError(await awsError(() => create("count-over@example.com")), "ConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED");

  // The invited account leaves: one place is free again.
  await s.makeReady(invited);
  await s.orgs(invited).send(new LeaveOrganizationCommand({}));
  await assertCountsTrue();
  const again = await s.createAccount("count-again@example.com");
  assertAwsError(await awsError(() => create("count-over-2@example.com")), "ConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED");

  // The management account removes a created member (ready to stand alone, past its waiting period).
  await s.makeReady(members[0]!);
  await s.advanceClock(5 * 86_400);
  await s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: members[0]! }));
  await assertCountsTrue();
  assert.equal((await counts()).kept[orgId], 9);
  assert.ok(again);
  await s.createAccount("count-last@example.com");
  await assertCountsTrue();
});

test("Rule (orgsim promise): the kept counts follow a second organization and a reset", async () => {
  const first = await s.freshOrg();
  await s.createAccount("count-a@example.com");
  // Another account's own organization.
  const other = "333333333333";
  const second = await s.createOrg({ management: other });
  await assertCountsTrue();
  assert.equal((await counts()).kept[second.orgId], 1);
  await s.reset();
  assert.deepEqual((await counts()).kept, {}, "a reset leaves no counts");
  const fresh = await s.createOrg();
  assert.notEqual(fresh.orgId, first.orgId);
  assert.deepEqual((await counts()).kept, { [fresh.orgId]: 1 });
  await assertCountsTrue();
});

test("Rule (orgsim promise): an SQLite file from before the kept counts gets them filled from its accounts when opened", async () => {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const { default: SqliteDatabase } = await import("better-sqlite3");
  const { Store } = await import("../src/store/store.js");
  const dir = mkdtempSync(path.join(tmpdir(), "orgsim-count-"));
  const file = path.join(dir, "state.db");
  try {
    const store = await Store.open({ data: file });
    await store.close();
    // The file as an orgsim without the counts left it: no triggers, no counts table, another schema version.
    const raw = new SqliteDatabase(file);
    raw.exec(`DROP TRIGGER accounts_count_insert; DROP TRIGGER accounts_count_delete; DROP TRIGGER accounts_count_update;
      DROP TABLE org_account_counts`);
    const insert = raw.prepare(`INSERT INTO accounts (id, org_id, email, name, created_at, support_plan, contact_info, payment_method, seq)
      VALUES (?, ?, ?, ?, 0, 1, 1, 1, ?)`);
    for (let i = 0; i < 7; i++) insert.run(String(100000000000 + i), "o-aaaaaaaaaa", `a${i}@example.com`, `a${i}`, i + 1);
    for (let i = 7; i < 10; i++) insert.run(String(100000000000 + i), "o-bbbbbbbbbb", `a${i}@example.com`, `a${i}`, i + 1);
    insert.run("100000000099", null, "standalone@example.com", "standalone", 99);
    raw.pragma("user_version = 0");
    raw.close();
    const reopened = await Store.open({ data: file });
    try {
      const rows = await reopened.transaction((tx) => tx.selectFrom("org_account_counts").selectAll().orderBy("org_id").execute());
      assert.deepEqual(
        rows.map((r) => [r.org_id, Number(r.n)]),
        [
          ["o-aaaaaaaaaa", 7],
          ["o-bbbbbbbbbb", 3],
        ],
      );
    } finally {
      await reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Rule (orgsim promise): a PostgreSQL database from before the kept counts gets them filled once, when its triggers are made", async (t) => {
  const adminUrl = process.env.ORGSIM_TEST_DATABASE_URL;
  if (!adminUrl) return t.skip("PostgreSQL only (ORGSIM_TEST_DATABASE_URL)");
  const { default: pg } = await import("pg");
  const { randomBytes } = await import("node:crypto");
  const { Store } = await import("../src/store/store.js");
  const name = `orgsim_count_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const counts = async (store: StoreType) =>
    (await store.transaction((tx) => tx.selectFrom("org_account_counts").selectAll().orderBy("org_id").execute())).map((r) => [
      r.org_id,
      Number(r.n),
    ]);
  try {
    await (await Store.open({ databaseUrl: url.toString() })).close();
    // The database as an orgsim without the counts left it: no triggers, no counts table.
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await client.query(`DROP TRIGGER accounts_count_change ON accounts; DROP TRIGGER accounts_count_move ON accounts;
      DROP TABLE org_account_counts`);
    for (let i = 0; i < 5; i++)
      await client.query(
        `INSERT INTO accounts (id, org_id, email, name, created_at, support_plan, contact_info, payment_method, seq)
         VALUES ($1, 'o-cccccccccc', $2, $3, 0, 1, 1, 1, $4)`,
        [String(100000000000 + i), `c${i}@example.com`, `c${i}`, i + 1],
      );
    await client.end();
    const reopened = await Store.open({ databaseUrl: url.toString() });
    try {
      assert.deepEqual(await counts(reopened), [["o-cccccccccc", 5]]);
    } finally {
      await reopened.close();
    }
    // A later start (triggers already there) counts nothing twice; the triggers keep counting.
    const again = await Store.open({ databaseUrl: url.toString() });
    try {
      assert.deepEqual(await counts(again), [["o-cccccccccc", 5]]);
      await again.writeTransaction(async (tx) => {
        await tx.updateTable("accounts").set({ org_id: null }).where("id", "=", "100000000000").execute();
      });
      assert.deepEqual(await counts(again), [["o-cccccccccc", 4]]);
    } finally {
      await again.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
