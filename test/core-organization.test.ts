/** The organization lifecycle through the AWS SDK v3: AWS's rules for organizations, roots, accounts and handshakes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AcceptHandshakeCommand,
  CancelHandshakeCommand,
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  DeclineHandshakeCommand,
  DeleteOrganizationCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  ListHandshakesForAccountCommand,
  ListHandshakesForOrganizationCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  RemoveAccountFromOrganizationCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import { startTestServer, useTestServer, awsError, DAY, MANAGEMENT } from "./helpers/server.js";

/** The token with its last two characters changed (never to what they were), so its signature no longer matches. */
function forgeToken(token: string): string {
  const tail = token.slice(-2) === "xx" ? "yy" : "xx";
  return token.slice(0, -2) + tail;
}

const s = useTestServer();

test("CreateOrganization: the caller becomes the management account, with AWS's ID and ARN formats", async () => {
  const { org } = await s.freshOrg();
  assert.match(org.Id!, /^o-[a-z0-9]{10,32}$/);
  assert.equal(org.Arn, `arn:aws:organizations::${MANAGEMENT}:organization/${org.Id}`);
  assert.equal(org.MasterAccountId, MANAGEMENT);
  assert.equal(org.FeatureSet, "ALL");
  const roots = await s.orgs().send(new ListRootsCommand({}));
  assert.equal(roots.Roots!.length, 1);
  assert.match(roots.Roots![0]!.Id!, /^r-[0-9a-z]{4,32}$/);
  assert.equal(roots.Roots![0]!.Arn, `arn:aws:organizations::${MANAGEMENT}:root/${org.Id}/${roots.Roots![0]!.Id}`);
  const described = await s.orgs().send(new DescribeOrganizationCommand({}));
  assert.equal(described.Organization!.Id, org.Id);
});

test("CreateOrganization: CONSOLIDATED_BILLING feature set is kept", async () => {
  await s.reset();
  const org = (await s.orgs().send(new CreateOrganizationCommand({ FeatureSet: "CONSOLIDATED_BILLING" }))).Organization!;
  assert.equal(org.FeatureSet, "CONSOLIDATED_BILLING");
});

test("CreateOrganization: an account already in an organization gets AlreadyInOrganizationException", async () => {
  await s.freshOrg();
  const err = await awsError(() => s.orgs().send(new CreateOrganizationCommand({})));
  assert.equal(err.name, "AlreadyInOrganizationException");
});

test("An account in no organization gets AWSOrganizationsNotInUseException", async () => {
  await s.freshOrg();
  const err = await awsError(() => s.orgs("999999999999").send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "AWSOrganizationsNotInUseException");
  assert.equal(err.message, "Your account is not a member of an organization.");
  assert.ok(err.requestId, "every error carries a request id");
  const leave = await awsError(() => s.orgs("999999999999").send(new LeaveOrganizationCommand({})));
  assert.equal(leave.name, "AWSOrganizationsNotInUseException");
});

test("CreateAccount: answers IN_PROGRESS, then DescribeCreateAccountStatus SUCCEEDED with a 12-digit account that is CREATED", async () => {
  const { org } = await s.freshOrg();
  const started = await s
    .orgs()
    .send(new CreateAccountCommand({ Email: "dev@example.com", AccountName: "dev", Tags: [{ Key: "env", Value: "dev" }] }));
  assert.equal(started.CreateAccountStatus!.State, "IN_PROGRESS");
  assert.match(started.CreateAccountStatus!.Id!, /^car-[a-z0-9]{8,32}$/);
  const status = await s.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.CreateAccountStatus!.Id }));
  assert.equal(status.CreateAccountStatus!.State, "SUCCEEDED");
  const id = status.CreateAccountStatus!.AccountId!;
  assert.match(id, /^\d{12}$/);
  const account = (await s.orgs().send(new DescribeAccountCommand({ AccountId: id }))).Account!;
  assert.equal(account.JoinedMethod, "CREATED");
  assert.equal(account.Status, "ACTIVE");
  assert.equal(account.State, "ACTIVE");
  assert.equal(account.Email, "dev@example.com");
  assert.equal(account.Arn, `arn:aws:organizations::${MANAGEMENT}:account/${org.Id}/${id}`);
  const tags = await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: id }));
  assert.deepEqual(tags.Tags, [{ Key: "env", Value: "dev" }]);
});

test("CreateAccount: a duplicate email FAILS with EMAIL_ALREADY_EXISTS", async () => {
  await s.freshOrg();
  await s.createAccount("dup@example.com");
  const again = await s.orgs().send(new CreateAccountCommand({ Email: "dup@example.com", AccountName: "again" }));
  const status = await s.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: again.CreateAccountStatus!.Id }));
  assert.equal(status.CreateAccountStatus!.State, "FAILED");
  assert.equal(status.CreateAccountStatus!.FailureReason, "EMAIL_ALREADY_EXISTS");
  const failed = await s.orgs().send(new ListCreateAccountStatusCommand({ States: ["FAILED"] }));
  assert.equal(failed.CreateAccountStatuses!.length, 1);
});

test("CreateAccount: with a creation delay the request stays IN_PROGRESS on the virtual clock", async () => {
  const slow = await startTestServer({ createAccountDelaySeconds: 120 });
  try {
    await slow.createOrg();
    const started = await slow.orgs().send(new CreateAccountCommand({ Email: "slow@example.com", AccountName: "slow" }));
    const id = started.CreateAccountStatus!.Id;
    let status = await slow.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }));
    assert.equal(status.CreateAccountStatus!.State, "IN_PROGRESS");
    assert.equal((await slow.orgs().send(new ListAccountsCommand({}))).Accounts!.length, 1);
    await slow.advanceClock(121);
    status = await slow.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }));
    assert.equal(status.CreateAccountStatus!.State, "SUCCEEDED");
    assert.equal((await slow.orgs().send(new ListAccountsCommand({}))).Accounts!.length, 2);
  } finally {
    await slow.close();
  }
});

test("DescribeCreateAccountStatus: an unknown request id gets CreateAccountStatusNotFoundException", async () => {
  await s.freshOrg();
  const err = await awsError(() =>
    s.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: "car-00000000000000000000000000000000" })),
  );
  assert.equal(err.name, "CreateAccountStatusNotFoundException");
});

test("ListAccounts: pages of MaxResults with NextToken cover every account exactly once", async () => {
  await s.freshOrg();
  const ids = new Set<string>([MANAGEMENT]);
  for (let i = 0; i < 7; i++) ids.add(await s.createAccount(`a${i}@example.com`));
  for (const size of [1, 3, 20]) {
    const seen: string[] = [];
    for await (const page of paginateListAccounts({ client: s.orgs(), pageSize: size }, {})) {
      assert.ok(page.Accounts!.length <= size);
      seen.push(...page.Accounts!.map((a) => a.Id!));
    }
    assert.deepEqual(new Set(seen), ids);
    assert.equal(seen.length, ids.size);
  }
});

test("ListAccounts: a forged or foreign NextToken is InvalidInputException INVALID_NEXT_TOKEN, never page one again", async () => {
  await s.freshOrg();
  await s.createAccount("p1@example.com");
  const first = await s.orgs().send(new ListAccountsCommand({ MaxResults: 1 }));
  assert.ok(first.NextToken);
  const forged = await awsError(() => s.orgs().send(new ListAccountsCommand({ NextToken: forgeToken(first.NextToken!) })));
  assert.equal(forged.name, "InvalidInputException");
  assert.equal(forged.reason, "INVALID_NEXT_TOKEN");
  const foreign = await awsError(() => s.orgs().send(new ListCreateAccountStatusCommand({ NextToken: first.NextToken })));
  assert.equal(foreign.reason, "INVALID_NEXT_TOKEN");
  const garbage = await awsError(() => s.orgs().send(new ListAccountsCommand({ NextToken: "garbage" })));
  assert.equal(garbage.reason, "INVALID_NEXT_TOKEN");
});

test("Input validation: MaxResults outside 1-20 and a bad email are InvalidInputException with a Reason naming the field", async () => {
  await s.freshOrg();
  const tooMany = await awsError(() => s.orgs().send(new ListAccountsCommand({ MaxResults: 21 })));
  assert.equal(tooMany.name, "InvalidInputException");
  assert.equal(tooMany.reason, "MAX_VALUE_EXCEEDED");
  assert.match(tooMany.message, /MaxResults/);
  const email = await awsError(() => s.orgs().send(new CreateAccountCommand({ Email: "not-an-email", AccountName: "x" })));
  assert.equal(email.name, "InvalidInputException");
  assert.ok(["INVALID_PATTERN", "MIN_LENGTH_EXCEEDED"].includes(email.reason!), email.reason);
  assert.match(email.message, /Email/);
});

test("Access: a member account calling a management-only operation gets AccessDeniedException", async () => {
  await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  await s.makeReady(member, { supportPlan: true });
  for (const call of [
    () => s.orgs(member).send(new ListAccountsCommand({})),
    () => s.orgs(member).send(new CreateAccountCommand({ Email: "x@example.com", AccountName: "x" })),
    () => s.orgs(member).send(new DeleteOrganizationCommand({})),
  ]) {
    const err = await awsError(call);
    assert.equal(err.name, "AccessDeniedException");
  }
  // A member may describe its own organization.
  const org = await s.orgs(member).send(new DescribeOrganizationCommand({}));
  assert.equal(org.Organization!.MasterAccountId, MANAGEMENT);
});

test("Invite by ACCOUNT: the handshake is OPEN for 15 days, accepted by the target, who joins INVITED with the invitation's tags", async () => {
  const { org } = await s.freshOrg();
  const target = "222222222222";
  const hs = (
    await s.orgs().send(
      new InviteAccountToOrganizationCommand({
        Target: { Type: "ACCOUNT", Id: target },
        Notes: "welcome",
        Tags: [{ Key: "team", Value: "a" }],
      }),
    )
  ).Handshake!;
  assert.match(hs.Id!, /^h-[0-9a-z]{8,32}$/);
  assert.equal(hs.State, "OPEN");
  assert.equal(hs.Action, "INVITE");
  assert.equal(hs.ExpirationTimestamp!.getTime() - hs.RequestedTimestamp!.getTime(), 15 * 86400 * 1000);
  assert.ok(hs.Resources!.some((r) => r.Type === "NOTES" && r.Value === "welcome"));
  assert.ok(hs.Parties!.some((p) => p.Type === "ORGANIZATION" && p.Id === org.Id));
  const dup = await awsError(() => s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: target } })));
  assert.equal(dup.name, "DuplicateHandshakeException");
  const listed = await s.orgs(target).send(new ListHandshakesForAccountCommand({}));
  assert.deepEqual(
    listed.Handshakes!.map((h) => h.Id),
    [hs.Id],
  );
  const accepted = await s.orgs(target).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id }));
  assert.equal(accepted.Handshake!.State, "ACCEPTED");
  const account = (await s.orgs().send(new DescribeAccountCommand({ AccountId: target }))).Account!;
  assert.equal(account.JoinedMethod, "INVITED");
  assert.deepEqual((await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: target }))).Tags, [{ Key: "team", Value: "a" }]);
  // Accepting it again: it is already in the requested state (AWS's own exception for that case).
  const again = await awsError(() => s.orgs(target).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })));
  assert.equal(again.name, "HandshakeAlreadyInStateException");
});

test("Invite by EMAIL: the account with that email can see and decline it; the organization can cancel another", async () => {
  await s.freshOrg();
  const target = "333333333333";
  const hs = (
    await s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "EMAIL", Id: `account-${target}@example.com` } }))
  ).Handshake!;
  // The handshake is not visible to an unrelated account.
  const other = await awsError(() => s.orgs("444444444444").send(new DescribeHandshakeCommand({ HandshakeId: hs.Id })));
  assert.equal(other.name, "HandshakeNotFoundException");
  const declined = await s.orgs(target).send(new DeclineHandshakeCommand({ HandshakeId: hs.Id }));
  assert.equal(declined.Handshake!.State, "DECLINED");
  const hs2 = (await s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: "444444444444" } }))).Handshake!;
  const canceled = await s.orgs().send(new CancelHandshakeCommand({ HandshakeId: hs2.Id }));
  assert.equal(canceled.Handshake!.State, "CANCELED");
  const listed = await s.orgs().send(new ListHandshakesForOrganizationCommand({}));
  assert.equal(listed.Handshakes!.length, 2);
});

test("Handshakes expire after 15 days on the virtual clock and can no longer be accepted", async () => {
  await s.freshOrg();
  const hs = await s.openInvitation("555555555555");
  await s.advanceClock(15 * DAY + 1);
  const described = await s.orgs().send(new DescribeHandshakeCommand({ HandshakeId: hs.Id }));
  assert.equal(described.Handshake!.State, "EXPIRED");
  const err = await awsError(() => s.orgs("555555555555").send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })));
  assert.equal(err.name, "InvalidHandshakeTransitionException");
});

test("RemoveAccountFromOrganization: an invited member is removed and becomes standalone; the management account cannot be", async () => {
  await s.freshOrg();
  await s.invite("666666666666");
  await s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: "666666666666" }));
  const gone = await awsError(() => s.orgs().send(new DescribeAccountCommand({ AccountId: "666666666666" })));
  assert.equal(gone.name, "AccountNotFoundException");
  const mgmt = await awsError(() => s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: MANAGEMENT })));
  assert.equal(mgmt.name, "MasterCannotLeaveOrganizationException");
});

test("LeaveOrganization: the management account gets MasterCannotLeaveOrganizationException", async () => {
  await s.freshOrg();
  const err = await awsError(() => s.orgs().send(new LeaveOrganizationCommand({})));
  assert.equal(err.name, "MasterCannotLeaveOrganizationException");
});

test("CloseAccount: PENDING_CLOSURE then SUSPENDED; closing twice is AccountAlreadyClosedException; the management account can't be closed", async () => {
  const slow = await startTestServer({ closeAccountDelaySeconds: 60 });
  try {
    await slow.createOrg();
    const id = await slow.createAccount("c@example.com");
    await slow.orgs().send(new CloseAccountCommand({ AccountId: id }));
    let account = (await slow.orgs().send(new DescribeAccountCommand({ AccountId: id }))).Account!;
    assert.equal(account.State, "PENDING_CLOSURE");
    await slow.advanceClock(61);
    account = (await slow.orgs().send(new DescribeAccountCommand({ AccountId: id }))).Account!;
    assert.equal(account.Status, "SUSPENDED");
    assert.equal(account.State, "SUSPENDED");
    assert.equal(
      (await awsError(() => slow.orgs().send(new CloseAccountCommand({ AccountId: id })))).name,
      "AccountAlreadyClosedException",
    );
    const mgmt = await awsError(() => slow.orgs().send(new CloseAccountCommand({ AccountId: MANAGEMENT })));
    assert.equal(mgmt.reason, "CANNOT_CLOSE_MANAGEMENT_ACCOUNT");
  } finally {
    await slow.close();
  }
});

test("DeleteOrganization: OrganizationNotEmptyException while members remain, then the management account is standalone", async () => {
  await s.freshOrg();
  await s.invite("777777777777");
  assert.equal((await awsError(() => s.orgs().send(new DeleteOrganizationCommand({})))).name, "OrganizationNotEmptyException");
  await s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: "777777777777" }));
  await s.orgs().send(new DeleteOrganizationCommand({}));
  assert.equal((await awsError(() => s.orgs().send(new DescribeOrganizationCommand({})))).name, "AWSOrganizationsNotInUseException");
});

test("Tags: TagResource/UntagResource/ListTagsForResource on an account; aws: keys are refused; unknown resources are TargetNotFoundException", async () => {
  await s.freshOrg();
  const id = await s.createAccount("t@example.com");
  await s.orgs().send(
    new TagResourceCommand({
      ResourceId: id,
      Tags: [
        { Key: "a", Value: "1" },
        { Key: "b", Value: "2" },
      ],
    }),
  );
  await s.orgs().send(new UntagResourceCommand({ ResourceId: id, TagKeys: ["a"] }));
  assert.deepEqual((await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags, [{ Key: "b", Value: "2" }]);
  const sys = await awsError(() => s.orgs().send(new TagResourceCommand({ ResourceId: id, Tags: [{ Key: "aws:x", Value: "1" }] })));
  assert.equal(sys.reason, "INVALID_SYSTEM_TAGS_PARAMETER");
  const missing = await awsError(() => s.orgs().send(new ListTagsForResourceCommand({ ResourceId: "000000000001" })));
  assert.equal(missing.name, "TargetNotFoundException");
});

test("Isolation: one organization's accounts and handshakes are invisible to another organization", async () => {
  await s.freshOrg();
  const mine = await s.createAccount("mine@example.com");
  await s.createOrg({ management: "888888888888" });
  const err = await awsError(() => s.orgs("888888888888").send(new DescribeAccountCommand({ AccountId: mine })));
  assert.equal(err.name, "AccountNotFoundException");
  const list = await s.orgs("888888888888").send(new ListAccountsCommand({}));
  assert.deepEqual(
    list.Accounts!.map((a) => a.Id),
    ["888888888888"],
  );
});

test("ARNs use the partition of the request's region (cn-north-1: aws-cn, us-gov-west-1: aws-us-gov)", async () => {
  await s.reset();
  const { OrganizationsClient } = await import("@aws-sdk/client-organizations");
  const inRegion = (region: string, account: string) =>
    new OrganizationsClient({ endpoint: s.endpoint, region, credentials: { accessKeyId: account, secretAccessKey: "x" }, maxAttempts: 1 });
  const cn = (await inRegion("cn-north-1", "111111111111").send(new CreateOrganizationCommand({}))).Organization!;
  assert.match(cn.Arn!, /^arn:aws-cn:organizations::111111111111:organization\/o-/);
  const gov = (await inRegion("us-gov-west-1", "222222222222").send(new CreateOrganizationCommand({}))).Organization!;
  assert.match(gov.Arn!, /^arn:aws-us-gov:organizations::222222222222:organization\/o-/);
  const root = (await inRegion("us-gov-west-1", "222222222222").send(new ListRootsCommand({}))).Roots![0]!;
  assert.match(root.Arn!, /^arn:aws-us-gov:organizations::/);
});
