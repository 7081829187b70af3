/**
 * Several orgsim replicas over one PostgreSQL database (run when ORGSIM_TEST_DATABASE_URL is
 * set): concurrent creates, invites, moves and leaves spread across three processes keep the
 * invariants, the leave rate limit holds across replicas, and every replica answers the same reads.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  AcceptHandshakeCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import { spawnOrgsim, type ServerProcess } from "./helpers/process.js";
import { MANAGEMENT } from "./helpers/server.js";

const pgUrl = process.env.ORGSIM_TEST_DATABASE_URL;

const client = (endpoint: string, account = MANAGEMENT) =>
  new OrganizationsClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: account, secretAccessKey: "x" }, maxAttempts: 1 });

async function listIds(endpoint: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListAccounts({ client: client(endpoint), pageSize: 20 }, {}))
    ids.push(...page.Accounts!.map((a) => a.Id!));
  return ids.sort();
}

test(
  "Replicas: three orgsim processes on one PostgreSQL database keep the invariants under concurrent writes",
  { skip: !pgUrl && "needs ORGSIM_TEST_DATABASE_URL (PostgreSQL)" },
  async () => {
    const name = `orgsim_r_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(pgUrl!);
    url.pathname = `/${name}`;
    const replicas: ServerProcess[] = [];
    try {
      // All three start at once: migrations must be safe when run concurrently.
      replicas.push(...(await Promise.all([0, 1, 2].map(() => spawnOrgsim(["--database", url.toString(), "--quiet"])))));
      const at = (i: number) => replicas[i % replicas.length]!.endpoint;
      await client(at(0)).send(new CreateOrganizationCommand({}));

      // Creates spread across replicas.
      const created = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const r = await client(at(i)).send(new CreateAccountCommand({ Email: `r${i}@example.com`, AccountName: `r${i}` }));
          const s = await client(at(i + 1)).send(
            new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: r.CreateAccountStatus!.Id }),
          );
          assert.equal(s.CreateAccountStatus!.State, "SUCCEEDED");
          return s.CreateAccountStatus!.AccountId!;
        }),
      );
      assert.equal(new Set(created).size, 30);

      // Invites accepted through other replicas.
      const invited = Array.from({ length: 10 }, (_, i) => `70000000000${i}`);
      await Promise.all(
        invited.map(async (id, i) => {
          const hs = await client(at(i)).send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: id } }));
          await client(at(i + 1), id).send(new AcceptHandshakeCommand({ HandshakeId: hs.Handshake!.Id }));
        }),
      );

      // Ten leaves at once through three replicas: the 5-per-second limit holds across them.
      const started = performance.now();
      const results = await Promise.allSettled(invited.map((id, i) => client(at(i), id).send(new LeaveOrganizationCommand({}))));
      const seconds = Math.ceil((performance.now() - started) / 1000);
      const ok = results.filter((r) => r.status === "fulfilled").length;
      const reasons = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as Error);
      for (const e of reasons) assert.ok(["TooManyRequestsException", "ConcurrentModificationException"].includes(e.name), e.name);
      // The window is real time: at most 5 in each second the ten calls spread over (one, unless the machine is loaded).
      assert.ok(ok <= 5 * seconds, `at most 5 leaves succeed per second across replicas, got ${ok} in ${seconds} s`);
      assert.ok(ok >= 1);

      // Every replica answers the same reads.
      const views = await Promise.all(replicas.map((r) => listIds(r.endpoint)));
      assert.deepEqual(views[1], views[0]);
      assert.deepEqual(views[2], views[0]);
      assert.equal(views[0]!.length, 1 + 30 + (10 - ok));

      // Each account is in exactly one parent, and in or out of the organization entirely.
      const db = new pg.Client({ connectionString: url.toString() });
      await db.connect();
      try {
        const broken = await db.query("SELECT count(*)::int AS n FROM accounts WHERE (org_id IS NULL) <> (parent_id IS NULL)");
        assert.equal(broken.rows[0].n, 0);
      } finally {
        await db.end();
      }
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  },
);
