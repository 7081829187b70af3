/**
 * LeaveOrganization exactly as AWS documents it (shared/seed/leave_organization.rst), and the
 * same departure rules on RemoveAccountFromOrganization. Each test names the rule it checks.
 */
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListHandshakesForAccountCommand,
  ListTagsForResourceCommand,
  RemoveAccountFromOrganizationCommand,
  TagResourceCommand,
  DescribeOrganizationCommand,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { useTestServer, awsError, rawOrganizationsCall, DAY, MANAGEMENT } from "./helpers/server.js";

const s = useTestServer();
beforeEach(async () => {
  await s.freshOrg();
});

const members = async () => (await s.orgs().send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id!).sort();

test("Rule: the management account can't leave (MasterCannotLeaveOrganizationException)", async () => {
  const err = await awsError(() => s.orgs().send(new LeaveOrganizationCommand({})));
  assert.equal(err.name, "MasterCannotLeaveOrganizationException");
  assert.equal(err.status, 400);
});

test("Rule: a caller in no organization gets AWSOrganizationsNotInUseException", async () => {
  const err = await awsError(() => s.orgs("999999999999").send(new LeaveOrganizationCommand({})));
  assert.equal(err.name, "AWSOrganizationsNotInUseException");
});

test("Rule: a created account waits four days after creation (WAIT_PERIOD_ACTIVE one minute before, allowed one minute after)", async () => {
  const id = await s.createAccount("wait@example.com");
  await s.makeReady(id);
  let err = await awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})));
  assert.equal(err.name, "ConstraintViolationException");
  assert.equal(err.reason, "WAIT_PERIOD_ACTIVE");
  await s.advanceClock(4 * DAY - 60);
  err = await awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})));
  assert.equal(err.reason, "WAIT_PERIOD_ACTIVE");
  await s.advanceClock(120);
  await s.orgs(id).send(new LeaveOrganizationCommand({}));
  assert.ok(!(await members()).includes(id));
});

test("Rule: the waiting period governs RemoveAccountFromOrganization too", async () => {
  const id = await s.createAccount("remove-wait@example.com");
  await s.makeReady(id);
  const err = await awsError(() => s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: id })));
  assert.equal(err.reason, "WAIT_PERIOD_ACTIVE");
  await s.advanceClock(4 * DAY + 60);
  await s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: id }));
  assert.ok(!(await members()).includes(id));
});

test("Rule: invited accounts aren't subject to the waiting period and are ready to stand alone", async () => {
  const id = await s.invite("222222222222");
  await s.orgs(id).send(new LeaveOrganizationCommand({}));
  assert.deepEqual(await members(), [MANAGEMENT]);
});

test("Rule: a created account needs a support plan, then contact information, then a payment method, checked in that order", async () => {
  const id = await s.createAccount("ready@example.com");
  await s.advanceClock(4 * DAY + 1);
  const expectations: [Record<string, boolean>, string | undefined][] = [
    [{}, "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA"],
    [{ contactInformation: true, paymentMethod: true }, "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA"],
    [{ supportPlan: true, contactInformation: false }, "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"],
    [{ contactInformation: true, paymentMethod: false }, "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED"],
  ];
  for (const [items, reason] of expectations) {
    const put = await s.control("PUT", `/_orgsim/accounts/${id}/standalone`, items);
    assert.equal(put.status, 200);
    const err = await awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})));
    assert.equal(err.name, "ConstraintViolationException");
    assert.equal(err.reason, reason, JSON.stringify(items));
  }
  await s.makeReady(id, { paymentMethod: true });
  await s.orgs(id).send(new LeaveOrganizationCommand({}));
});

test("Rule: readiness is checked on what the account has now, whatever way it joined (an invited account without a payment method can't leave)", async () => {
  const id = await s.invite("333333333333");
  await s.control("PUT", `/_orgsim/accounts/${id}/standalone`, { paymentMethod: false });
  const view = await s.control("GET", `/_orgsim/accounts/${id}/standalone`);
  assert.deepEqual(view.body, { accountId: id, supportPlan: true, contactInformation: true, paymentMethod: false });
  const err = await awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})));
  assert.equal(err.reason, "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED");
  const removed = await awsError(() => s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: id })));
  assert.equal(removed.reason, "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED");
});

test("Rule: the readiness control API rejects unknown items and non-boolean values", async () => {
  const unknown = await s.control("PUT", "/_orgsim/accounts/222222222222/standalone", { creditCard: true });
  assert.equal(unknown.status, 400);
  const wrong = await s.control("PUT", "/_orgsim/accounts/222222222222/standalone", { supportPlan: "yes" });
  assert.equal(wrong.status, 400);
});

test("Rule: after leaving, the account's tags are deleted, it is gone from ListAccounts, and it can be invited again and rejoin", async () => {
  const id = await s.invite("444444444444", { tags: [{ Key: "team", Value: "blue" }] });
  await s.orgs().send(new TagResourceCommand({ ResourceId: id, Tags: [{ Key: "cost", Value: "42" }] }));
  await s.orgs(id).send(new LeaveOrganizationCommand({}));
  assert.deepEqual(await members(), [MANAGEMENT]);
  const outside = await awsError(() => s.orgs(id).send(new DescribeOrganizationCommand({})));
  assert.equal(outside.name, "AWSOrganizationsNotInUseException");
  await s.invite(id, { tags: [{ Key: "team", Value: "green" }] });
  const tags = await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: id }));
  assert.deepEqual(tags.Tags, [{ Key: "team", Value: "green" }], "no tag survives a departure");
});

test("Rule: a departure is recorded as AccountDepartedOrganization with departureMethod LEFT or REMOVED and departureTime, newest first", async () => {
  const a = await s.invite("555555555555");
  const b = await s.invite("666666666666");
  await s.orgs(a).send(new LeaveOrganizationCommand({}));
  await s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: b }));
  const res = await s.control("GET", "/_orgsim/events?eventName=AccountDepartedOrganization");
  const events = (
    res.body as { events: { eventName: string; detail: { accountId: string; departureMethod: string; departureTime: string } }[] }
  ).events;
  assert.equal(events.length, 2);
  assert.equal(events[0]!.detail.accountId, b);
  assert.equal(events[0]!.detail.departureMethod, "REMOVED");
  assert.equal(events[1]!.detail.accountId, a);
  assert.equal(events[1]!.detail.departureMethod, "LEFT");
  assert.ok(!Number.isNaN(Date.parse(events[1]!.detail.departureTime)));
  const page = await s.control("GET", "/_orgsim/events?maxResults=1");
  const body = page.body as { events: unknown[]; nextToken?: string };
  assert.equal(body.events.length, 1);
  assert.ok(body.nextToken);
});

test("Rule: pending handshakes of the old organization no longer apply after leaving", async () => {
  const id = await s.invite("777777777777");
  // A second organization's invitation stays; the old organization's duplicate invitation is canceled.
  await s.orgs(id).send(new LeaveOrganizationCommand({}));
  const hs = await s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: id } }));
  assert.equal(hs.Handshake!.State, "OPEN");
  const listed = await s.orgs(id).send(new ListHandshakesForAccountCommand({}));
  assert.ok(listed.Handshakes!.some((h) => h.Id === hs.Handshake!.Id && h.State === "OPEN"));
});

test("Rule: at most 5 LeaveOrganization calls succeed per second per organization; the excess get TooManyRequestsException with nothing changed", async () => {
  const ids = Array.from({ length: 10 }, (_, i) => `80000000000${i}`);
  for (const id of ids) await s.invite(id);
  const started = performance.now();
  const results = await Promise.allSettled(ids.map((id) => s.orgs(id).send(new LeaveOrganizationCommand({}))));
  const elapsed = performance.now() - started;
  const ok = results.filter((r) => r.status === "fulfilled").length;
  const throttled = results.filter((r) => r.status === "rejected" && (r.reason as Error).name === "TooManyRequestsException").length;
  // The window is real time: ten calls answered within one second leave exactly 5; on a machine so
  // loaded that they spread over more, each second still lets at most 5 through.
  if (elapsed < 1000) assert.equal(ok, 5, `ten leaves within ${Math.round(elapsed)} ms`);
  else assert.ok(ok >= 5 && ok <= 5 * Math.ceil(elapsed / 1000), `${ok} leaves succeeded in ${Math.round(elapsed)} ms`);
  assert.equal(throttled, 10 - ok, "every other leave is TooManyRequestsException");
  assert.equal((await members()).length, 1 + (10 - ok), "throttled accounts are still members");
});

test("Rule: throttled, denied and failed leaves don't count toward the rate; organizations are independent", async () => {
  const failing = await s.createAccount("fail@example.com"); // waiting period: fails, doesn't count
  for (let i = 0; i < 6; i++) await awsError(() => s.orgs(failing).send(new LeaveOrganizationCommand({})));
  const ids = Array.from({ length: 5 }, (_, i) => `81000000000${i}`);
  for (const id of ids) await s.invite(id);
  const results = await Promise.allSettled(ids.map((id) => s.orgs(id).send(new LeaveOrganizationCommand({}))));
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 5);
  // Another organization has its own budget in the same second.
  await s.createOrg({ management: "900000000000" });
  const other = Array.from({ length: 5 }, (_, i) => `82000000000${i}`);
  for (const id of other) await s.invite(id, { management: "900000000000" });
  const otherResults = await Promise.allSettled(other.map((id) => s.orgs(id).send(new LeaveOrganizationCommand({}))));
  assert.equal(otherResults.filter((r) => r.status === "fulfilled").length, 5);
});

test("Rule: the success answer is an empty JSON object with a request id", async () => {
  const id = await s.invite("222222222223");
  const res = await rawOrganizationsCall(s.endpoint, "LeaveOrganization", id, "{}");
  assert.equal(res.status, 200);
  assert.equal(res.text, "{}");
  assert.match(res.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
});

test("Identity: the management account assumes OrganizationAccountAccessRole in a created account; the session acts as that account and the leave rules apply to it", async () => {
  const id = await s.createAccount("role@example.com");
  const assumed = await s
    .sts()
    .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: "vending" }));
  const c = assumed.Credentials!;
  const creds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  const who = await s.sts(creds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, id);
  assert.equal(who.Arn, `arn:aws:sts::${id}:assumed-role/OrganizationAccountAccessRole/vending`);
  const err = await awsError(() => s.orgs(creds).send(new LeaveOrganizationCommand({})));
  assert.equal(err.reason, "WAIT_PERIOD_ACTIVE");
  await s.advanceClock(4 * DAY + 1);
  await s.makeReady(id);
  // Four virtual days outlive the one-hour session: assume the role again.
  const expired = await awsError(() => s.orgs(creds).send(new LeaveOrganizationCommand({})));
  assert.equal(expired.name, "ExpiredTokenException");
  const again = (
    await s
      .sts()
      .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: "vending" }))
  ).Credentials!;
  await s
    .orgs({ accessKeyId: again.AccessKeyId!, secretAccessKey: again.SecretAccessKey!, sessionToken: again.SessionToken! })
    .send(new LeaveOrganizationCommand({}));
  assert.ok(!(await members()).includes(id));
});

test("Identity: AssumeRole into a role that doesn't exist, or from an account the role doesn't trust, is AccessDenied", async () => {
  const id = await s.createAccount("trust@example.com");
  const missing = await awsError(() =>
    s.sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/Nope`, RoleSessionName: "probe" })),
  );
  assert.equal(missing.name, "AccessDenied");
  assert.equal(missing.status, 403);
  const stranger = await awsError(() =>
    s
      .sts("999999999999")
      .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: "probe" })),
  );
  assert.equal(stranger.name, "AccessDenied");
});

test("Identity: temporary credentials expire on the virtual clock (ExpiredTokenException)", async () => {
  const id = await s.createAccount("expire@example.com");
  const assumed = await s.sts().send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
      RoleSessionName: "short",
      DurationSeconds: 900,
    }),
  );
  const c = assumed.Credentials!;
  const creds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  await s.orgs(creds).send(new DescribeOrganizationCommand({}));
  await s.advanceClock(901);
  const err = await awsError(() => s.orgs(creds).send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "ExpiredTokenException");
  const wrongSecret = await awsError(() => s.orgs({ ...creds, secretAccessKey: "wrong" }).send(new DescribeOrganizationCommand({})));
  assert.equal(wrongSecret.name, "InvalidSignatureException");
});

test("Fault injection: LeaveOrganization answers an injected ServiceException once, then behaves again", async () => {
  const id = await s.invite("222222222224");
  const add = await s.control("POST", "/_orgsim/faults", { operation: "LeaveOrganization", error: "ServiceException", count: 1 });
  assert.equal(add.status, 201);
  const err = await awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})));
  assert.equal(err.name, "ServiceException");
  assert.equal(err.status, 500);
  assert.ok((await members()).includes(id), "an injected fault changes nothing");
  await s.orgs(id).send(new LeaveOrganizationCommand({}));
  const bad = await s.control("POST", "/_orgsim/faults", { operation: "LeaveOrganization", error: "DuplicatePolicyException" });
  assert.equal(bad.status, 400, "only the operation's modelled errors can be injected");
});
