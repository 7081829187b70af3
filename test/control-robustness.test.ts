/**
 * The control API under out-of-range values, and reads that must not write:
 * - every control write validates its values and is atomic: a refused or failed request leaves
 *   the state exactly as it was (the clock, faults, quotas, readiness, GovCloud pairing, credentials);
 * - the virtual clock stays within 1970-01-01 .. 9999-01-01, and an unusable stored value is
 *   reported (health degraded, a clear error) and can be fixed through the API, never a brick;
 * - GET routes of the control API and read-only AWS operations store nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListPoliciesCommand,
  ListRootsCommand,
} from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  GetAccountInformationCommand,
  GetAlternateContactCommand,
  GetContactInformationCommand,
  ListRegionsCommand,
} from "@aws-sdk/client-account";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { startOrgsim } from "../src/index.js";
import { TABLES } from "../src/store/schema.js";
import { useTestServer, awsError, MANAGEMENT, REGION } from "./helpers/server.js";

const s = useTestServer({}, (server) => server.createOrg());

/** Every row of every table, as text: what "the state is exactly as it was" compares. */
async function stateRows(): Promise<Record<string, string[]>> {
  return s.sim.app.store.transaction(async (tx) => {
    const out: Record<string, string[]> = {};
    for (const table of TABLES) {
      const rows = await tx.selectFrom(table).selectAll().execute();
      out[table] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  });
}

const json = (body: unknown) => body as Record<string, unknown>;

test("Rule (orgsim promise): a clock offset outside 1970-01-01 .. 9999-01-01 is 400 naming the range, and changes nothing", async () => {
  await s.control("POST", "/_orgsim/clock", { offsetSeconds: 3600 });
  const before = await stateRows();
  for (const body of [
    { offsetSeconds: 1e13 },
    { offsetSeconds: -1e13 },
    { offsetSeconds: 1e300 },
    { offsetSeconds: -Date.now() / 1000 - 86_400 },
    { advanceSeconds: 1e13 },
    { advanceSeconds: 1e300 },
    { offsetSeconds: 1, advanceSeconds: 1 },
  ]) {
    const res = await s.control("POST", "/_orgsim/clock", body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(json(res.body).error, "BadRequest");
    const message = String(json(res.body).message);
    if (!("advanceSeconds" in body && "offsetSeconds" in body)) {
      assert.match(message, /1970-01-01T00:00:00\.000Z \.\. 9999-01-01T00:00:00\.000Z/, message);
      assert.match(message, /offset must be between -\d+ and \d+ seconds/, message);
    }
  }
  assert.deepEqual(await stateRows(), before, "the refused requests changed nothing");
  // Everything that reads the clock still answers.
  const clock = await s.control("GET", "/_orgsim/clock");
  assert.equal(clock.status, 200);
  assert.equal(json(clock.body).offsetSeconds, 3600);
  assert.equal((await s.control("GET", "/_orgsim/state")).status, 200);
  assert.equal((await fetch(`${s.endpoint}/_orgsim/console`)).status, 200);
  await s.orgs().send(new DescribeOrganizationCommand({}));
  // The edges are accepted: far in the future, and back to real time.
  const far = Math.floor((Date.UTC(9999, 0, 1) - Date.now()) / 1000) - 60;
  assert.equal((await s.control("POST", "/_orgsim/clock", { offsetSeconds: far })).status, 200);
  await s.orgs().send(new DescribeOrganizationCommand({}));
  assert.equal((await s.control("POST", "/_orgsim/clock", { offsetSeconds: 0 })).status, 200);
});

test("Rule (orgsim promise): an unusable stored clock offset is reported — health degraded, calls answer a clear error — and POST /_orgsim/clock fixes it without a restart", async () => {
  // As an older orgsim (or a hand edit) could have left it.
  await s.sim.app.store.writeTransaction((tx) =>
    tx
      .insertInto("meta")
      .values({ key: "clock_offset_ms", value: "1e16" })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: "1e16" }))
      .execute(),
  );
  const health = await s.control("GET", "/_orgsim/health");
  assert.equal(health.status, 503);
  assert.equal(json(health.body).status, "degraded");
  assert.match(String(json(health.body).reason), /stored virtual clock offset .* POST \/_orgsim\/clock/);
  // Twice: the second call finds the stored value in the state cache (read without a statement) and must say the same.
  for (let i = 0; i < 2; i++) {
    const err = await awsError(() => s.orgs().send(new DescribeOrganizationCommand({})));
    assert.equal(err.name, "ServiceException");
    assert.equal(err.status, 500);
    assert.match(err.message, /stored virtual clock offset/);
  }
  const clock = await s.control("GET", "/_orgsim/clock");
  assert.equal(clock.status, 500);
  assert.match(String(json(clock.body).message), /POST \/_orgsim\/clock/);
  // The way out named in the message works.
  assert.equal((await s.control("POST", "/_orgsim/clock", { offsetSeconds: 0 })).status, 200);
  assert.equal((await s.control("GET", "/_orgsim/health")).status, 200);
  assert.equal(json((await s.control("GET", "/_orgsim/health")).body).status, "ok");
  await s.orgs().send(new DescribeOrganizationCommand({}));
});

test("Rule (orgsim promise): a refused clock change is not stored, so it can't survive a restart (SQLite file)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orgsim-clock-"));
  const data = join(dir, "state.db");
  try {
    const first = await startOrgsim({ port: 0, quiet: true, data });
    const res = await fetch(`${first.endpoint}/_orgsim/clock`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"offsetSeconds": 1e13}',
    });
    assert.equal(res.status, 400);
    await first.close();
    const second = await startOrgsim({ port: 0, quiet: true, data });
    try {
      const clock = await fetch(`${second.endpoint}/_orgsim/clock`);
      assert.equal(clock.status, 200);
      assert.equal(((await clock.json()) as { offsetSeconds: number }).offsetSeconds, 0);
      assert.equal((await fetch(`${second.endpoint}/_orgsim/state`)).status, 200);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Rule (orgsim promise): out-of-range faults, quotas, readiness, GovCloud and credential values are 400 with the valid range, and change nothing", async () => {
  const before = await stateRows();
  const refused: [string, string, unknown, RegExp][] = [
    [
      "POST",
      "/_orgsim/faults",
      { operation: "DescribeOrganization", error: "ServiceException", count: 1e12 },
      /count must be a whole number from 1 to 1000000000/,
    ],
    ["POST", "/_orgsim/faults", { operation: "DescribeOrganization", error: "ServiceException", count: 0 }, /count must be/],
    ["POST", "/_orgsim/faults", { operation: "DescribeOrganization", error: "ServiceException", probability: 0 }, /probability/],
    ["POST", "/_orgsim/faults", { operation: "DescribeOrganization", error: "ServiceException", probability: 1.5 }, /probability/],
    [
      "POST",
      "/_orgsim/faults",
      { operation: "DescribeOrganization", error: "ServiceException", reason: { a: 1 } },
      /reason must be a string/,
    ],
    [
      "POST",
      "/_orgsim/faults",
      { operation: "DescribeOrganization", error: "ServiceException", message: "m".repeat(5000) },
      /message must be a string of at most 2048/,
    ],
    ["POST", "/_orgsim/faults", { operation: "DescribeOrganization", error: "ServiceException", bogus: 1 }, /unknown field "bogus"/],
    ["POST", "/_orgsim/faults", { operation: "constructor", error: "ServiceException" }, /unknown operation constructor/],
    ["POST", "/_orgsim/faults", { operation: "toString", error: "ThrottlingException" }, /unknown operation toString/],
    ["PUT", "/_orgsim/quotas", { accountsPerOrganization: 1e300 }, /accountsPerOrganization must be a whole number from 0 to 1000000000/],
    ["PUT", "/_orgsim/quotas", { accountsPerOrganization: 2.5 }, /whole number/],
    ["PUT", "/_orgsim/quotas", { closeAccountShare: 2 }, /closeAccountShare must be a number from 0 to 1/],
    ["PUT", "/_orgsim/quotas", { toString: 5 }, /unknown quota "toString"/],
    ["PUT", "/_orgsim/quotas", { constructor: 5 }, /unknown quota "constructor"/],
    [
      "PUT",
      "/_orgsim/quotas",
      { closeAccountMin: 50, closeAccountMax: 10 },
      /closeAccountMin \(50\) must not exceed closeAccountMax \(10\)/,
    ],
    [
      "PUT",
      "/_orgsim/accounts/222222222222/standalone",
      { supportPlan: true, paymentMethod: "yes" },
      /paymentMethod must be true or false/,
    ],
    ["PUT", "/_orgsim/accounts/222222222222/standalone", { supportPlan: true, bogus: true }, /Unknown readiness item/],
    ["PUT", "/_orgsim/accounts/222222222222/govcloud", { enabled: 1 }, /enabled must be true or false/],
    ["POST", "/_orgsim/credentials", { accountId: "1".repeat(13) }, /12-digit/],
    ["POST", "/_orgsim/credentials", { accountId: 111111111111 }, /12-digit/],
  ];
  for (const [method, path, body, message] of refused) {
    const res = await s.control(method, path, body);
    assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.equal(json(res.body).error, "BadRequest");
    assert.match(String(json(res.body).message), message, `${method} ${path} ${JSON.stringify(body)}`);
  }
  assert.deepEqual(await stateRows(), before, "the refused requests changed nothing");
});

test("Rule (orgsim promise): reads never write — GET routes of the control API and read-only AWS operations leave every table as it was", async () => {
  const stranger = "222222222223";
  const root = (await s.orgs().send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const before = await stateRows();
  const gets = [
    "/_orgsim/health",
    "/_orgsim/clock",
    `/_orgsim/accounts/${stranger}/standalone`,
    `/_orgsim/accounts/${stranger}/govcloud`,
    `/_orgsim/accounts/${MANAGEMENT}/standalone`,
    "/_orgsim/faults",
    "/_orgsim/events",
    "/_orgsim/quotas",
    `/_orgsim/explain?accountId=${stranger}&action=organizations:LeaveOrganization`,
    `/_orgsim/explain?accountId=${MANAGEMENT}&action=organizations:LeaveOrganization`,
    "/_orgsim/state",
    "/_orgsim/state/version",
    `/_orgsim/state/accounts/${MANAGEMENT}`,
    `/_orgsim/state/accounts/${stranger}`,
    "/_orgsim/export",
    "/_orgsim/console",
  ];
  for (const path of gets) {
    const res = await fetch(`${s.endpoint}${path}`);
    await res.arrayBuffer();
    assert.ok(res.status < 500, `GET ${path}: ${res.status}`);
  }
  // An account known only by its id reads as a signed-up standalone account, without being stored.
  const standalone = await s.control("GET", `/_orgsim/accounts/${stranger}/standalone`);
  assert.deepEqual(standalone.body, { accountId: stranger, supportPlan: true, contactInformation: true, paymentMethod: true });

  await s.orgs().send(new DescribeOrganizationCommand({}));
  await s.orgs().send(new ListAccountsCommand({}));
  await s.orgs().send(new ListPoliciesCommand({ Filter: "SERVICE_CONTROL_POLICY" }));
  await s.orgs().send(new DescribePolicyCommand({ PolicyId: "p-FullAWSAccess" }));
  assert.ok(root);
  await s.sts(stranger).send(new GetCallerIdentityCommand({}));
  await s.account(stranger).send(new GetAccountInformationCommand({}));
  await s
    .account(stranger)
    .send(new GetContactInformationCommand({}))
    .catch(() => undefined);
  await s
    .account(stranger)
    .send(new GetAlternateContactCommand({ AlternateContactType: "BILLING" }))
    .catch(() => undefined);
  await s.account(stranger).send(new ListRegionsCommand({}));
  const trail = new CloudTrailClient({
    endpoint: s.endpoint,
    region: REGION,
    credentials: { accessKeyId: MANAGEMENT, secretAccessKey: "x" },
    maxAttempts: 1,
  });
  await trail.send(new LookupEventsCommand({}));
  assert.deepEqual(await stateRows(), before, "a read stored something");
});

test("Rule (orgsim promise): a write through the control API stores the implicit account a GET only showed", async () => {
  const id = "222222222224";
  assert.equal((await s.control("PUT", `/_orgsim/accounts/${id}/standalone`, { paymentMethod: false })).status, 200);
  const row = await s.sim.app.store.transaction((tx) =>
    tx.selectFrom("accounts").select(["id", "payment_method"]).where("id", "=", id).executeTakeFirst(),
  );
  assert.deepEqual(row, { id, payment_method: 0 });
  assert.deepEqual((await s.control("GET", `/_orgsim/accounts/${id}/standalone`)).body, {
    accountId: id,
    supportPlan: true,
    contactInformation: true,
    paymentMethod: false,
  });
});
