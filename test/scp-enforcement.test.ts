/**
 * Service control policies enforced on every call by a member account's principals
 * (Organizations, STS, Account), evaluated through root -> OUs -> account, with AWS's
 * denial messages; and /_orgsim/explain telling which policy decided.
 */
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  LeaveOrganizationCommand,
  MoveAccountCommand,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { GetContactInformationCommand } from "@aws-sdk/client-account";
import { useTestServer, awsError, MANAGEMENT } from "./helpers/server.js";

const s = useTestServer();
let rootId: string;

beforeEach(async () => {
  ({ rootId } = await s.freshOrg());
  await s.orgs().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
});

const doc = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

async function scp(name: string, statements: object[]): Promise<string> {
  const r = await s
    .orgs()
    .send(new CreatePolicyCommand({ Name: name, Description: name, Type: "SERVICE_CONTROL_POLICY", Content: doc(statements) }));
  return r.Policy!.PolicySummary!.Id!;
}
const attach = (policyId: string, targetId: string) => s.orgs().send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));

const MEMBER = "222222222222";

const DENY_LEAVE = { Sid: "DenyLeave", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" };

test("Seed rule: an SCP that denies organizations:LeaveOrganization stops a member from leaving (AccessDeniedException, explicit deny named)", async () => {
  const id = await s.invite(MEMBER);
  const p = await scp("deny-leave", [DENY_LEAVE]);
  await attach(p, rootId);
  const err = await awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})));
  assert.equal(err.name, "AccessDeniedException");
  assert.match(
    err.message,
    /^User: arn:aws:iam::222222222222:root is not authorized to perform: organizations:LeaveOrganization with an explicit deny in a service control policy: arn:aws:organizations::111111111111:policy\/o-[a-z0-9]+\/service_control_policy\/p-[a-z0-9]+$/,
  );
  // Other calls still pass: FullAWSAccess allows them.
  await s.orgs(id).send(new DescribeOrganizationCommand({}));
});

test("Order of the leave checks: the SCP is checked before the waiting period and readiness, and a denied leave doesn't count toward the rate", async () => {
  const id = await s.createAccount("new@example.com");
  await attach(await scp("deny-leave", [DENY_LEAVE]), id);
  // A fresh created account would get WAIT_PERIOD_ACTIVE; the SCP answers first.
  for (let i = 0; i < 6; i++)
    assert.equal((await awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})))).name, "AccessDeniedException");
  // Five other members can still leave in this same second: the six denials consumed nothing.
  const ids = await Promise.all(["300000000001", "300000000002", "300000000003", "300000000004", "300000000005"].map((m) => s.invite(m)));
  const results = await Promise.allSettled(ids.map((m) => s.orgs(m).send(new LeaveOrganizationCommand({}))));
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 5);
});

test("Explicit deny at an OU overrides FullAWSAccess at every level; the management account is never restricted", async () => {
  const id = await s.invite(MEMBER);
  const workloads = await s.createOu(rootId, "Workloads");
  await s.orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: workloads }));
  await attach(await scp("deny-describe", [{ Effect: "Deny", Action: "organizations:Describe*", Resource: "*" }]), workloads);
  const err = await awsError(() => s.orgs(id).send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "AccessDeniedException");
  await s.orgs().send(new DescribeOrganizationCommand({}));
  // Moving the account out of the OU lifts the deny (the decision cache follows the policy version).
  await s.orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: workloads, DestinationParentId: rootId }));
  await s.orgs(id).send(new DescribeOrganizationCommand({}));
});

test("Implicit deny: when an OU's only SCP allows just s3:*, Organizations calls below it are denied 'because no service control policy allows'", async () => {
  const id = await s.invite(MEMBER);
  const sandbox = await s.createOu(rootId, "Sandbox");
  await s.orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: sandbox }));
  await attach(await scp("s3-only", [{ Effect: "Allow", Action: "s3:*", Resource: "*" }]), sandbox);
  await s.orgs().send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: sandbox }));
  const err = await awsError(() => s.orgs(id).send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "AccessDeniedException");
  assert.match(err.message, /because no service control policy allows the organizations:DescribeOrganization action/);
  const why = (await s.control("GET", `/_orgsim/explain?accountId=${id}&action=organizations:DescribeOrganization`)).body as {
    allowed: boolean;
    decision: string;
    decidingLevel: { targetId: string };
  };
  assert.equal(why.allowed, false);
  assert.equal(why.decision, "IMPLICIT_DENY");
  assert.equal(why.decidingLevel.targetId, sandbox);
});

test("Deny at the account level, with a wildcard action (organizations:Leave*), and at a nested OU three levels down", async () => {
  const id = await s.invite(MEMBER);
  const a = await s.createOu(rootId, "A");
  const b = await s.createOu(a, "B");
  const c = await s.createOu(b, "C");
  await s.orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: c }));
  await attach(await scp("deny-leave-wild", [{ Effect: "Deny", Action: "organizations:Leave*", Resource: "*" }]), id);
  assert.equal((await awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})))).name, "AccessDeniedException");
  await attach(await scp("deny-describe-c", [{ Effect: "Deny", Action: "organizations:Describe?rganization", Resource: "*" }]), c);
  assert.equal((await awsError(() => s.orgs(id).send(new DescribeOrganizationCommand({})))).name, "AccessDeniedException");
  const why = (await s.control("GET", `/_orgsim/explain?accountId=${id}&action=organizations:DescribeOrganization`)).body as {
    decision: string;
    decidingLevel: { targetId: string; policyName: string };
    levels: { targetId: string }[];
  };
  assert.equal(why.decision, "EXPLICIT_DENY");
  assert.equal(why.decidingLevel.targetId, c);
  assert.equal(why.decidingLevel.policyName, "deny-describe-c");
  assert.deepEqual(
    why.levels.map((l) => l.targetId),
    [rootId, a, b, c, id],
  );
});

test("NotAction: a Deny with NotAction denies everything except the listed actions", async () => {
  const id = await s.invite(MEMBER);
  await attach(
    await scp("only-describe", [
      { Effect: "Deny", NotAction: ["organizations:DescribeOrganization", "sts:GetCallerIdentity"], Resource: "*" },
    ]),
    id,
  );
  await s.orgs(id).send(new DescribeOrganizationCommand({}));
  assert.equal((await awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})))).name, "AccessDeniedException");
});

test("Condition on aws:PrincipalArn exempts a break-glass role; SCPs apply to roles and root users alike; STS and the Account API are enforced too", async () => {
  const id = await s.createAccount("w@example.com");
  await attach(
    await scp("guard", [
      {
        Sid: "DenyAllButBreakGlass",
        Effect: "Deny",
        Action: ["organizations:DescribeOrganization", "account:GetContactInformation", "sts:AssumeRole"],
        Resource: "*",
        Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass" } },
      },
    ]),
    rootId,
  );
  // The member's root user is denied.
  assert.equal((await awsError(() => s.orgs(id).send(new DescribeOrganizationCommand({})))).name, "AccessDeniedException");
  const account = await awsError(() => s.account(id).send(new GetContactInformationCommand({})));
  assert.equal(account.name, "AccessDeniedException");
  assert.equal(account.status, 403);
  // The management account assumes OrganizationAccountAccessRole (not restricted); the session is a member principal and is denied.
  const creds = (
    await s.sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: "ops" }))
  ).Credentials!;
  const session = { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! };
  assert.equal((await awsError(() => s.orgs(session).send(new DescribeOrganizationCommand({})))).name, "AccessDeniedException");
  const sts = await awsError(() =>
    s
      .sts(session)
      .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: "chain" })),
  );
  assert.equal(sts.name, "AccessDenied");
  assert.equal(sts.status, 403);
  // GetCallerIdentity needs no permission, so no SCP can deny it.
  assert.equal((await s.sts(session).send(new GetCallerIdentityCommand({}))).Account, id);
  // explain with the break-glass role's ARN: allowed.
  const why = (
    await s.control(
      "GET",
      `/_orgsim/explain?accountId=${id}&action=organizations:DescribeOrganization&principalArn=arn:aws:iam::${id}:role/BreakGlass`,
    )
  ).body as { allowed: boolean };
  assert.equal(why.allowed, true);
});

test("aws:PrincipalArn of a role session is the role's ARN: a session of the BreakGlass role is exempt from the guard-rail", async () => {
  const id = await s.createAccount("bg@example.com", { roleName: "BreakGlass" });
  await attach(
    await scp("guard", [
      {
        Effect: "Deny",
        Action: "organizations:DescribeOrganization",
        Resource: "*",
        Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass" } },
      },
    ]),
    rootId,
  );
  const creds = (await s.sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/BreakGlass`, RoleSessionName: "incident" })))
    .Credentials!;
  const session = { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! };
  await s.orgs(session).send(new DescribeOrganizationCommand({}));
  assert.equal((await awsError(() => s.orgs(id).send(new DescribeOrganizationCommand({})))).name, "AccessDeniedException");
});

test("Explain: the control API validates its input and explains accounts outside SCP reach", async () => {
  assert.equal((await s.control("GET", "/_orgsim/explain?accountId=12&action=organizations:X")).status, 400);
  const mgmt = (await s.control("GET", `/_orgsim/explain?accountId=${MANAGEMENT}&action=organizations:LeaveOrganization`)).body as {
    allowed: boolean;
    reason: string;
  };
  assert.equal(mgmt.allowed, true);
  assert.match(mgmt.reason, /management account/);
});
