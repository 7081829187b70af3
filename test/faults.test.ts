/** Fault injection: count, probability, Reason, listing and clearing, for any operation and any of its modelled errors. */
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { DescribeOrganizationCommand, ListAccountsCommand } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { useTestServer, awsError } from "./helpers/server.js";

const s = useTestServer();
beforeEach(async () => {
  await s.freshOrg();
});

test("Faults: count N fails exactly the next N calls of that operation, others are untouched", async () => {
  await s.control("POST", "/_orgsim/faults", { operation: "DescribeOrganization", error: "TooManyRequestsException", count: 2 });
  for (let i = 0; i < 2; i++)
    assert.equal((await awsError(() => s.orgs().send(new DescribeOrganizationCommand({})))).name, "TooManyRequestsException");
  await s.orgs().send(new ListAccountsCommand({}));
  await s.orgs().send(new DescribeOrganizationCommand({}));
});

test("Faults: probability p fails about p of the calls (200 calls at 0.5: between 50 and 150), until cleared with DELETE", async () => {
  await s.control("POST", "/_orgsim/faults", { operation: "DescribeOrganization", error: "ServiceException", probability: 0.5 });
  let failed = 0;
  for (let i = 0; i < 200; i++) {
    try {
      await s.orgs().send(new DescribeOrganizationCommand({}));
    } catch (err) {
      assert.equal((err as Error).name, "ServiceException");
      failed++;
    }
  }
  assert.ok(failed > 50 && failed < 150, `${failed} of 200 failed`);
  const listed = (await s.control("GET", "/_orgsim/faults")).body as { faults: { operation: string; probability: number }[] };
  assert.deepEqual(
    listed.faults.map((f) => [f.operation, f.probability]),
    [["DescribeOrganization", 0.5]],
  );
  await s.control("DELETE", "/_orgsim/faults");
  for (let i = 0; i < 20; i++) await s.orgs().send(new DescribeOrganizationCommand({}));
});

test("Faults: a Reason can be injected with errors that carry one; STS faults answer in XML", async () => {
  await s.control("POST", "/_orgsim/faults", {
    operation: "ListAccounts",
    error: "InvalidInputException",
    reason: "INVALID_NEXT_TOKEN",
    count: 1,
  });
  const err = await awsError(() => s.orgs().send(new ListAccountsCommand({})));
  assert.equal(err.name, "InvalidInputException");
  assert.equal(err.reason, "INVALID_NEXT_TOKEN");
  await s.control("POST", "/_orgsim/faults", { operation: "GetCallerIdentity", error: "ServiceException", count: 1 });
  const sts = await awsError(() => s.sts().send(new GetCallerIdentityCommand({})));
  assert.equal(sts.status, 500);
});

test("Faults: specs are validated (unknown operation, an error the operation can't return, bad count or probability)", async () => {
  for (const bad of [
    { operation: "NoSuchOperation", error: "ServiceException" },
    { operation: "ListAccounts", error: "DuplicatePolicyException" },
    { operation: "ListAccounts", error: "ServiceException", count: 0 },
    { operation: "ListAccounts", error: "ServiceException", probability: 1.5 },
    { error: "ServiceException" },
  ]) {
    assert.equal((await s.control("POST", "/_orgsim/faults", bad)).status, 400, JSON.stringify(bad));
  }
});
