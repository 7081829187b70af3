/**
 * orgsim's promise on lists: every list operation returns its items in creation order (accounts
 * in the order they joined the organization), the same order on every read, page after page.
 * Items are made in an order that is not their id's (invited accounts with descending ids, tags,
 * OU names and service principals out of alphabetical order), then read with small pages, twice.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { rmSync } from "node:fs";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import {
  AcceptHandshakeCommand,
  AttachPolicyCommand,
  CreateAccountCommand,
  CreatePolicyCommand,
  DescribeCreateAccountStatusCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListChildrenCommand,
  ListCreateAccountStatusCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  ListHandshakesForOrganizationCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  RegisterDelegatedAdministratorCommand,
  TagResourceCommand,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { startTestServer, useTestServer, MANAGEMENT, type TestServer } from "./helpers/server.js";
import { MIGRATIONS } from "../src/store/schema.js";

const s = useTestServer();

/** Every item of a list, read with pages of `size`, as the keys `pick` gives. */
async function readAll<P extends { NextToken?: string }>(
  page: (token: string | undefined) => Promise<P>,
  pick: (p: P) => string[],
): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    out.push(...pick(p));
    token = p.NextToken;
  } while (token);
  return out;
}

/** Reads a list twice with pages of two items; both reads must give `expected`, in order. */
async function assertOrder<P extends { NextToken?: string }>(
  what: string,
  page: (token: string | undefined) => Promise<P>,
  pick: (p: P) => string[],
  expected: string[],
): Promise<void> {
  for (const read of ["first", "second"]) {
    assert.deepEqual(await readAll(page, pick), expected, `${what}, ${read} read`);
  }
}

/** An invited member (invited and accepted), as the id of its handshake (whose list order is checked). */
async function joinedHandshake(accountId: string): Promise<string> {
  const hs = await s.openInvitation(accountId);
  await s.orgs(accountId).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id }));
  return hs.Id!;
}

/** A created member, with the id of its CreateAccount request (whose list order is checked). */
async function createWithRequestId(orgs: OrganizationsClient, name: string): Promise<{ requestId: string; accountId: string }> {
  const started = await orgs.send(new CreateAccountCommand({ Email: `${name}@example.com`, AccountName: name }));
  const done = await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.CreateAccountStatus!.Id }));
  return { requestId: started.CreateAccountStatus!.Id!, accountId: done.CreateAccountStatus!.AccountId! };
}

const SCP = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: action, Resource: "*" }] });

test("Order: every Organizations list returns creation order (accounts: order of joining), the same on a second read, in pages of two", async () => {
  const orgs = s.orgs();
  const { rootId } = await s.freshOrg();

  // Accounts: invited with descending ids, then two created ones.
  const invited = ["999999999991", "555555555551", "222222222221"];
  const handshakes: string[] = [];
  for (const id of invited) handshakes.push(await joinedHandshake(id));
  const created = [await createWithRequestId(orgs, "zulu"), await createWithRequestId(orgs, "alpha")];
  const accounts = [MANAGEMENT, ...invited, ...created.map((c) => c.accountId)];
  assert.notDeepEqual(accounts, [...accounts].sort(), "the accounts must join out of id order for this test to mean anything");

  await assertOrder(
    "ListAccounts",
    (t) => orgs.send(new ListAccountsCommand({ MaxResults: 2, NextToken: t })),
    (p) => p.Accounts!.map((a) => a.Id!),
    accounts,
  );
  await assertOrder(
    "ListAccountsForParent",
    (t) => orgs.send(new ListAccountsForParentCommand({ ParentId: rootId, MaxResults: 2, NextToken: t })),
    (p) => p.Accounts!.map((a) => a.Id!),
    accounts,
  );
  await assertOrder(
    "ListChildren ACCOUNT",
    (t) => orgs.send(new ListChildrenCommand({ ParentId: rootId, ChildType: "ACCOUNT", MaxResults: 2, NextToken: t })),
    (p) => p.Children!.map((c) => c.Id!),
    accounts,
  );
  await assertOrder(
    "ListCreateAccountStatus",
    (t) => orgs.send(new ListCreateAccountStatusCommand({ MaxResults: 1, NextToken: t })),
    (p) => p.CreateAccountStatuses!.map((c) => c.Id!),
    created.map((c) => c.requestId),
  );
  await assertOrder(
    "ListHandshakesForOrganization",
    (t) => orgs.send(new ListHandshakesForOrganizationCommand({ MaxResults: 2, NextToken: t })),
    (p) => p.Handshakes!.map((h) => h.Id!),
    handshakes,
  );

  // OUs named out of alphabetical order.
  const ous: string[] = [];
  for (const name of ["charlie", "alpha", "bravo"]) {
    ous.push(await s.createOu(rootId, name));
  }
  await assertOrder(
    "ListOrganizationalUnitsForParent",
    (t) => orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId, MaxResults: 2, NextToken: t })),
    (p) => p.OrganizationalUnits!.map((o) => o.Name!),
    ["charlie", "alpha", "bravo"],
  );
  await assertOrder(
    "ListChildren ORGANIZATIONAL_UNIT",
    (t) => orgs.send(new ListChildrenCommand({ ParentId: rootId, ChildType: "ORGANIZATIONAL_UNIT", MaxResults: 2, NextToken: t })),
    (p) => p.Children!.map((c) => c.Id!),
    ous,
  );

  // Policies, and attachments in the order they were made: account, OU, root.
  await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
  const policies: string[] = [];
  for (const [name, action] of [
    ["zeta", "s3:*"],
    ["eta", "ec2:*"],
    ["theta", "iam:*"],
  ] as const) {
    policies.push(
      (await orgs.send(new CreatePolicyCommand({ Name: name, Description: name, Type: "SERVICE_CONTROL_POLICY", Content: SCP(action) })))
        .Policy!.PolicySummary!.Id!,
    );
  }
  await assertOrder(
    "ListPolicies",
    (t) => orgs.send(new ListPoliciesCommand({ Filter: "SERVICE_CONTROL_POLICY", MaxResults: 2, NextToken: t })),
    (p) => p.Policies!.map((x) => x.Name!),
    ["FullAWSAccess", "zeta", "eta", "theta"],
  );
  const target = invited[0]!;
  for (const policyId of [...policies].reverse()) await orgs.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: target }));
  await assertOrder(
    "ListPoliciesForTarget",
    (t) => orgs.send(new ListPoliciesForTargetCommand({ TargetId: target, Filter: "SERVICE_CONTROL_POLICY", MaxResults: 2, NextToken: t })),
    (p) => p.Policies!.map((x) => x.Name!),
    ["FullAWSAccess", "zeta", "eta", "theta"],
  );
  const targets = [invited[2]!, ous[1]!, rootId];
  for (const targetId of targets) await orgs.send(new AttachPolicyCommand({ PolicyId: policies[0], TargetId: targetId }));
  await assertOrder(
    "ListTargetsForPolicy",
    (t) => orgs.send(new ListTargetsForPolicyCommand({ PolicyId: policies[0], MaxResults: 2, NextToken: t })),
    (p) => p.Targets!.map((x) => x.TargetId!),
    [target, ...targets],
  );

  // Tags: keys out of alphabetical order; a new value keeps a key's place.
  await orgs.send(
    new TagResourceCommand({
      ResourceId: target,
      Tags: [
        { Key: "zone", Value: "1" },
        { Key: "app", Value: "2" },
      ],
    }),
  );
  await orgs.send(
    new TagResourceCommand({
      ResourceId: target,
      Tags: [
        { Key: "mode", Value: "3" },
        { Key: "zone", Value: "4" },
      ],
    }),
  );
  const tags = await orgs.send(new ListTagsForResourceCommand({ ResourceId: target }));
  assert.deepEqual(tags.Tags, [
    { Key: "zone", Value: "4" },
    { Key: "app", Value: "2" },
    { Key: "mode", Value: "3" },
  ]);

  // Trusted access and delegated administrators.
  // CloudTrail allows several delegated administrators, SSM one.
  const principals = ["ssm.amazonaws.com", "guardduty.amazonaws.com", "cloudtrail.amazonaws.com"];
  for (const principal of principals) await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: principal }));
  await assertOrder(
    "ListAWSServiceAccessForOrganization",
    (t) => orgs.send(new ListAWSServiceAccessForOrganizationCommand({ MaxResults: 2, NextToken: t })),
    (p) => p.EnabledServicePrincipals!.map((x) => x.ServicePrincipal!),
    principals,
  );
  await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: invited[1]!, ServicePrincipal: "ssm.amazonaws.com" }));
  for (const accountId of [invited[2]!, invited[0]!, invited[1]!]) {
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: accountId, ServicePrincipal: "cloudtrail.amazonaws.com" }));
  }
  // Each administrator once, in the order of its first registration.
  const admins = [invited[1]!, invited[2]!, invited[0]!];
  await assertOrder(
    "ListDelegatedAdministrators",
    (t) => orgs.send(new ListDelegatedAdministratorsCommand({ MaxResults: 2, NextToken: t })),
    (p) => p.DelegatedAdministrators!.map((x) => x.Id!),
    admins,
  );
  await assertOrder(
    "ListDelegatedServicesForAccount",
    (t) => orgs.send(new ListDelegatedServicesForAccountCommand({ AccountId: invited[1]!, MaxResults: 1, NextToken: t })),
    (p) => p.DelegatedServices!.map((x) => x.ServicePrincipal!),
    ["ssm.amazonaws.com", "cloudtrail.amazonaws.com"],
  );
});

test("Order: an account that leaves and joins again goes to the end of ListAccounts (the order is the order of joining)", async () => {
  const orgs = s.orgs();
  await s.freshOrg();
  for (const id of ["333333333333", "444444444444"]) await s.invite(id);
  await s.orgs("333333333333").send(new LeaveOrganizationCommand({}));
  await s.invite("333333333333");
  const ids = await readAll(
    (t) => orgs.send(new ListAccountsCommand({ MaxResults: 1, NextToken: t })),
    (p) => p.Accounts!.map((a) => a.Id!),
  );
  assert.deepEqual(ids, [MANAGEMENT, "444444444444", "333333333333"]);
});

test("Pagination: a NextToken still works after items before it are deleted and new ones are created (keyset on creation order)", async () => {
  const orgs = s.orgs();
  const { rootId } = await s.freshOrg();
  const names = ["e", "d", "c", "b", "a"];
  for (const name of names) await s.createOu(rootId, name);
  const first = await orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId, MaxResults: 2 }));
  assert.deepEqual(
    first.OrganizationalUnits!.map((o) => o.Name),
    ["e", "d"],
  );
  await s.createOu(rootId, "0-new");
  const rest = await readAll(
    (t) => orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId, MaxResults: 2, NextToken: t ?? first.NextToken })),
    (p) => p.OrganizationalUnits!.map((o) => o.Name!),
  );
  assert.deepEqual(rest, ["c", "b", "a", "0-new"]);
});

// ------------------------------------------------------------------------------------------------
// A store written before creation order existed
// ------------------------------------------------------------------------------------------------

/** Writes, with the original DDL (no seq columns), an organization whose accounts, OUs and tags were listed by id/key. */
async function writeOldStore(run: (sql: string, params?: unknown[]) => Promise<void>): Promise<{ orgId: string; rootId: string }> {
  for (const ddl of MIGRATIONS) await run(ddl);
  const orgId = "o-oldstore01";
  const rootId = "r-old1";
  const arn = (kind: string, id: string) => `arn:aws:organizations::${MANAGEMENT}:${kind}/${orgId}/${id}`;
  await run(
    `INSERT INTO organizations (id, arn, feature_set, management_account_id, partition, created_at, policy_version) VALUES ($1, $2, 'ALL', $3, 'aws', 1, 0)`,
    [orgId, arn("organization", orgId), MANAGEMENT],
  );
  await run(`INSERT INTO roots (id, org_id, arn, name, policy_types) VALUES ($1, $2, $3, 'Root', '[]')`, [
    rootId,
    orgId,
    arn("root", rootId),
  ]);
  // Written in an order unlike their ids.
  for (const id of ["777777777777", MANAGEMENT, "333333333333"]) {
    await run(
      `INSERT INTO accounts (id, org_id, parent_id, email, name, joined_method, joined_at, created_at, created_by_org_id,
         support_plan, contact_info, payment_method, closed_at, govcloud_enabled)
       VALUES ($1, $2, $3, $4, $5, 'INVITED', 1, 1, NULL, 1, 1, 1, NULL, 0)`,
      [id, orgId, rootId, `a${id}@example.com`, `Account ${id}`],
    );
  }
  for (const key of ["zone", "app"]) await run(`INSERT INTO tags (resource_id, key, value) VALUES ('777777777777', $1, 'v')`, [key]);
  return { orgId, rootId };
}

async function assertMigrated(server: TestServer): Promise<void> {
  const orgs = server.orgs();
  // The rows that were there keep the order they were listed in (by id, tags by key)...
  const before = await readAll(
    (t) => orgs.send(new ListAccountsCommand({ MaxResults: 1, NextToken: t })),
    (p) => p.Accounts!.map((a) => a.Id!),
  );
  assert.deepEqual(before, [MANAGEMENT, "333333333333", "777777777777"]);
  assert.deepEqual(
    (await orgs.send(new ListTagsForResourceCommand({ ResourceId: "777777777777" }))).Tags!.map((t) => t.Key),
    ["app", "zone"],
  );
  // ...and what is created from now on comes after them.
  await server.invite("222222222222");
  const afterInvite = await readAll(
    (t) => orgs.send(new ListAccountsCommand({ MaxResults: 2, NextToken: t })),
    (p) => p.Accounts!.map((a) => a.Id!),
  );
  assert.deepEqual(afterInvite, [MANAGEMENT, "333333333333", "777777777777", "222222222222"]);
  await orgs.send(new TagResourceCommand({ ResourceId: "777777777777", Tags: [{ Key: "a-new", Value: "v" }] }));
  assert.deepEqual(
    (await orgs.send(new ListTagsForResourceCommand({ ResourceId: "777777777777" }))).Tags!.map((t) => t.Key),
    ["app", "zone", "a-new"],
  );
}

test("Migration: an SQLite data file from before creation order keeps its lists' order (by id, tags by key), and new items come after", async (t) => {
  if (process.env.ORGSIM_TEST_DATABASE_URL) return t.skip("SQLite data files only");
  const file = join(tmpdir(), `orgsim-old-${randomBytes(6).toString("hex")}.db`);
  const db = new SqliteDatabase(file);
  await writeOldStore(async (text, params = []) => {
    db.prepare(text.replace(/\$\d+/g, "?")).run(...(params as unknown[]));
  });
  db.close();
  const server = await startTestServer({ data: file });
  try {
    await assertMigrated(server);
  } finally {
    await server.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  }
});

test("Migration: a PostgreSQL database from before creation order keeps its lists' order (by id, tags by key), and new items come after", async (t) => {
  const adminUrl = process.env.ORGSIM_TEST_DATABASE_URL;
  if (!adminUrl) return t.skip("PostgreSQL only (ORGSIM_TEST_DATABASE_URL)");
  const name = `orgsim_old_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await writeOldStore(async (text, params = []) => {
      await client.query(text, params);
    });
    await client.end();
    const server = await startTestServer({ databaseUrl: url.toString() });
    try {
      await assertMigrated(server);
    } finally {
      await server.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
