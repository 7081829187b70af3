/**
 * Durability: state in a SQLite file survives a clean stop and a SIGKILL in the middle of a
 * write storm; every acknowledged write is there, nothing is half-applied, and SQLite's
 * integrity check passes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  ListAccountsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import { spawnOrgsim } from "./helpers/process.js";
import { MANAGEMENT } from "./helpers/server.js";

const client = (endpoint: string) =>
  new OrganizationsClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: MANAGEMENT, secretAccessKey: "x" },
    maxAttempts: 1,
  });

async function allAccounts(endpoint: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListAccounts({ client: client(endpoint), pageSize: 20 }, {}))
    ids.push(...page.Accounts!.map((a) => a.Id!));
  return ids.sort();
}

test(
  "Durability: with --data FILE the organization and clock survive a clean stop (SIGTERM exits 0)",
  { skip: !!process.env.ORGSIM_TEST_DATABASE_URL && "SQLite file durability" },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "orgsim-"));
    try {
      const file = join(dir, "state.db");
      const first = await spawnOrgsim(["--data", file, "--quiet"]);
      const org = (await client(first.endpoint).send(new CreateOrganizationCommand({}))).Organization!;
      const advanced = await fetch(`${first.endpoint}/_orgsim/clock`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ advanceSeconds: 3600 }),
      });
      assert.equal(advanced.status, 200);
      assert.equal(await first.stop("SIGTERM"), 0);
      const second = await spawnOrgsim(["--data", file, "--quiet"]);
      try {
        const list = await client(second.endpoint).send(new ListAccountsCommand({}));
        assert.deepEqual(
          list.Accounts!.map((a) => a.Id),
          [MANAGEMENT],
        );
        assert.ok(list.Accounts![0]!.Arn!.includes(org.Id!));
        const clock = (await (await fetch(`${second.endpoint}/_orgsim/clock`)).json()) as { offsetSeconds: number };
        assert.equal(clock.offsetSeconds, 3600);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "Durability: SIGKILL during a CreateAccount storm loses no acknowledged account and half-applies nothing",
  { skip: !!process.env.ORGSIM_TEST_DATABASE_URL && "SQLite file durability" },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "orgsim-"));
    try {
      const file = join(dir, "state.db");
      const server = await spawnOrgsim(["--data", file, "--quiet"]);
      const orgs = client(server.endpoint);
      await orgs.send(new CreateOrganizationCommand({}));
      const acknowledged: string[] = [];
      let stop = false;
      let n = 0;
      const worker = async () => {
        while (!stop) {
          const i = n++;
          try {
            const r = await orgs.send(new CreateAccountCommand({ Email: `storm${i}@example.com`, AccountName: `storm${i}` }));
            acknowledged.push(r.CreateAccountStatus!.Id!);
          } catch {
            return; // the server died under us
          }
        }
      };
      const workers = Array.from({ length: 8 }, worker);
      while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 5));
      await server.stop("SIGKILL");
      stop = true;
      await Promise.all(workers);
      const restarted = await spawnOrgsim(["--data", file, "--quiet"]);
      try {
        const again = client(restarted.endpoint);
        const accounts = new Set(await allAccounts(restarted.endpoint));
        for (const id of acknowledged) {
          const status = (await again.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }))).CreateAccountStatus!;
          assert.equal(status.State, "SUCCEEDED");
          assert.ok(accounts.has(status.AccountId!), `acknowledged account ${status.AccountId} is listed`);
        }
      } finally {
        await restarted.stop();
      }
      const db = new Database(file, { readonly: true });
      try {
        assert.equal((db.pragma("integrity_check") as { integrity_check: string }[])[0]!.integrity_check, "ok");
        // No account is both in and out of an organization, and every member has a parent.
        const broken = db.prepare("SELECT count(*) AS n FROM accounts WHERE (org_id IS NULL) <> (parent_id IS NULL)").get() as {
          n: number;
        };
        assert.equal(broken.n, 0);
        const orphans = db
          .prepare(
            "SELECT count(*) AS n FROM create_account_status s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.account_id IS NOT NULL AND a.id IS NULL",
          )
          .get() as { n: number };
        assert.equal(orphans.n, 0, "every creation record has its account");
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
