/**
 * A start on an SQLite data file whose schema is current skips the migrations' DDL (about 60
 * idempotent statements of every start): the file keeps, in its header (PRAGMA user_version),
 * the schema version it was migrated to. A file at any other version (older or newer orgsim, or
 * made before the version was kept) is migrated as before.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { CreateOrganizationCommand, DescribeOrganizationCommand, ListAccountsCommand } from "@aws-sdk/client-organizations";
import { startTestServer } from "./helpers/server.js";
import { SQLITE_SCHEMA_VERSION } from "../src/store/store.js";

/** One index the migrations create (SEQUENCE_INDEXES). */
const INDEX = "accounts_org_seq";

function inspect(file: string, change?: (db: SqliteDatabase.Database) => void): { version: number; hasIndex: boolean } {
  const db = new SqliteDatabase(file);
  try {
    change?.(db);
    return {
      version: db.pragma("user_version", { simple: true }) as number,
      hasIndex: db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(INDEX) !== undefined,
    };
  } finally {
    db.close();
  }
}

async function startAndCheck(file: string): Promise<void> {
  const server = await startTestServer({ data: file });
  try {
    const org = await server.orgs().send(new DescribeOrganizationCommand({}));
    assert.ok(org.Organization?.Id);
    assert.ok((await server.orgs().send(new ListAccountsCommand({}))).Accounts!.length >= 1);
  } finally {
    await server.close();
  }
}

test("orgsim promise: a start on an SQLite file already at the current schema skips the migrations; a file at another schema version is migrated", async (t) => {
  if (process.env.ORGSIM_TEST_DATABASE_URL) return t.skip("SQLite data files only");
  const file = join(tmpdir(), `orgsim-schema-${randomBytes(6).toString("hex")}.db`);
  try {
    const first = await startTestServer({ data: file });
    try {
      await first.orgs().send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    } finally {
      await first.close();
    }
    // The new file was migrated and stamped.
    assert.deepEqual(inspect(file), { version: SQLITE_SCHEMA_VERSION, hasIndex: true });

    // At the current version, nothing is re-created: an index dropped behind orgsim's back stays dropped.
    assert.equal(inspect(file, (db) => db.exec(`DROP INDEX ${INDEX}`)).hasIndex, false);
    await startAndCheck(file);
    assert.deepEqual(inspect(file), { version: SQLITE_SCHEMA_VERSION, hasIndex: false });

    // At another version, the migrations run again (and restore the index), then the file is stamped.
    inspect(file, (db) => db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION === 1 ? 2 : 1}`));
    await startAndCheck(file);
    assert.deepEqual(inspect(file), { version: SQLITE_SCHEMA_VERSION, hasIndex: true });
  } finally {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  }
});
