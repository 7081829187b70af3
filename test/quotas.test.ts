/** Quotas: with --quotas aws, orgsim answers AWS's own errors where AWS's default quotas stop a caller. */
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  AcceptHandshakeCommand,
  CloseAccountCommand,
  CreateAccountCommand,
  InviteAccountToOrganizationCommand,
  CancelHandshakeCommand,
} from "@aws-sdk/client-organizations";
import { useTestServer, awsError, DAY } from "./helpers/server.js";

const s = useTestServer({ quotas: "aws" });
beforeEach(async () => {
  await s.freshOrg();
});

const create = (i: number) => s.createAccount(`q${i}@example.com`);

test("Quota (aws preset): an organization holds 10 accounts; the 11th CreateAccount is ACCOUNT_NUMBER_LIMIT_EXCEEDED and an invitation HandshakeConstraintViolationException", async () => {
  for (let i = 1; i < 10; i++) await create(i);
  const err = await awsError(() => s.orgs().send(new CreateAccountCommand({ Email: "over@example.com", AccountName: "over" })));
  assert.equal(err.name, "ConstraintViolationException");
  assert.equal(err.reason, "ACCOUNT_NUMBER_LIMIT_EXCEEDED");
  const invite = await awsError(() =>
    s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: "222222222222" } })),
  );
  assert.equal(invite.name, "HandshakeConstraintViolationException");
  assert.equal(invite.reason, "ACCOUNT_NUMBER_LIMIT_EXCEEDED");
});

test("Quota (aws preset): open invitations count toward the account quota", async () => {
  for (let i = 1; i < 9; i++) await create(i);
  await s.openInvitation("222222222222");
  const err = await awsError(() => s.orgs().send(new CreateAccountCommand({ Email: "over@example.com", AccountName: "over" })));
  assert.equal(err.reason, "ACCOUNT_NUMBER_LIMIT_EXCEEDED");
});

test("Quota (aws preset): 20 invitations a day; the 21st is HANDSHAKE_RATE_LIMIT_EXCEEDED, and the next day it is allowed again", async () => {
  for (let i = 0; i < 20; i++) {
    const hs = await s
      .orgs()
      .send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: `3000000000${String(i).padStart(2, "0")}` } }));
    await s.orgs().send(new CancelHandshakeCommand({ HandshakeId: hs.Handshake!.Id }));
  }
  const err = await awsError(() =>
    s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: "399999999999" } })),
  );
  assert.equal(err.name, "HandshakeConstraintViolationException");
  assert.equal(err.reason, "HANDSHAKE_RATE_LIMIT_EXCEEDED");
  await s.advanceClock(DAY + 1);
  const hs = await s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: "399999999999" } }));
  await s.orgs("399999999999").send(new AcceptHandshakeCommand({ HandshakeId: hs.Handshake!.Id }));
});

test("Quota: closing accounts is limited to a share of members (within a floor) in a rolling 30 days: CLOSE_ACCOUNT_QUOTA_EXCEEDED", async () => {
  const set = await s.control("PUT", "/_orgsim/quotas", { closeAccountMin: 2, accountsPerOrganization: 100 });
  assert.equal(set.status, 200);
  const ids: string[] = [];
  for (let i = 1; i <= 5; i++) ids.push(await create(i));
  // 5 members: max(2, 20% of 5) = 2 closures in 30 days.
  await s.orgs().send(new CloseAccountCommand({ AccountId: ids[0]! }));
  await s.orgs().send(new CloseAccountCommand({ AccountId: ids[1]! }));
  const err = await awsError(() => s.orgs().send(new CloseAccountCommand({ AccountId: ids[2]! })));
  assert.equal(err.name, "ConstraintViolationException");
  assert.equal(err.reason, "CLOSE_ACCOUNT_QUOTA_EXCEEDED");
  await s.advanceClock(30 * DAY + 1);
  await s.orgs().send(new CloseAccountCommand({ AccountId: ids[2]! }));
});

test("Rule (aws preset): closures in a rolling 30 days are the higher of 250 or 20% of the member accounts, at most 1,000 (CLOSE_ACCOUNT_QUOTA_EXCEEDED)", async () => {
  const view = (await s.control("GET", "/_orgsim/quotas")).body as { quotas: Record<string, number> };
  assert.equal(view.quotas.closeAccountShare, 0.2);
  assert.equal(view.quotas.closeAccountMin, 250);
  assert.equal(view.quotas.closeAccountMax, 1000);
  // The share, observed with the floor lowered: 10 members allow 2 closures.
  await s.control("PUT", "/_orgsim/quotas", { closeAccountMin: 1, accountsPerOrganization: 100 });
  const ids: string[] = [];
  for (let i = 1; i <= 10; i++) ids.push(await create(i));
  await s.orgs().send(new CloseAccountCommand({ AccountId: ids[0]! }));
  await s.orgs().send(new CloseAccountCommand({ AccountId: ids[1]! }));
  const err = await awsError(() => s.orgs().send(new CloseAccountCommand({ AccountId: ids[2]! })));
  assert.equal(err.reason, "CLOSE_ACCOUNT_QUOTA_EXCEEDED");
});

test("Rule (aws preset): a closed account still counts toward the organization's account quota", async () => {
  const ids: string[] = [];
  for (let i = 1; i < 10; i++) ids.push(await create(i));
  await s.orgs().send(new CloseAccountCommand({ AccountId: ids[0]! }));
  const err = await awsError(() =>
    s.orgs().send(new CreateAccountCommand({ Email: "after-close@example.com", AccountName: "after-close" })),
  );
  assert.equal(err.name, "ConstraintViolationException");
  assert.equal(err.reason, "ACCOUNT_NUMBER_LIMIT_EXCEEDED");
});

test("Quota overrides: unknown names and bad values are refused; reset clears them", async () => {
  assert.equal((await s.control("PUT", "/_orgsim/quotas", { accountsPerOrg: 5 })).status, 400);
  assert.equal((await s.control("PUT", "/_orgsim/quotas", { invitationsPerDay: -1 })).status, 400);
  await s.control("PUT", "/_orgsim/quotas", { invitationsPerDay: 3 });
  await s.reset();
  const view = (await s.control("GET", "/_orgsim/quotas")).body as { quotas: { invitationsPerDay: number } };
  assert.equal(view.quotas.invitationsPerDay, 20);
});
