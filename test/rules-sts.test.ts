/**
 * STS rules of the API Reference that docs/research/rule-audit.md found untested or not yet held,
 * through the AWS SDK v3 STSClient (awsQuery): one test per rule, named after it.
 */
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { AttachPolicyCommand, CreatePolicyCommand, EnablePolicyTypeCommand, ListRootsCommand } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { useTestServer, awsError } from "./helpers/server.js";

const s = useTestServer();
let member: string;
let roleArn: string;

beforeEach(async () => {
  await s.freshOrg();
  member = await s.createAccount("sts@example.com");
  roleArn = `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`;
});

test("Rule: a SourceIdentity can't begin with the reserved prefix aws: (ValidationError; the model's pattern admits no colon at all)", async () => {
  const err = await awsError(() =>
    s.sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "rule", SourceIdentity: "aws:me" })),
  );
  assert.equal(err.name, "ValidationError");
  assert.equal(err.status, 400);
  assert.match(err.message, /sourceIdentity/);
  const ok = await s.sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "rule", SourceIdentity: "jane@example.com" }));
  assert.equal(ok.SourceIdentity, "jane@example.com");
});

test("Rule: DurationSeconds runs from 900 seconds up to the role's maximum session duration (one hour for these roles); beyond is ValidationError", async () => {
  const over = await awsError(() =>
    s.sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "rule", DurationSeconds: 3601 })),
  );
  assert.equal(over.name, "ValidationError");
  const under = await awsError(() =>
    s.sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "rule", DurationSeconds: 899 })),
  );
  assert.equal(under.name, "ValidationError");
  const longest = await s.sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "rule", DurationSeconds: 3600 }));
  assert.ok(longest.Credentials!.Expiration!.getTime() - Date.now() > 3500 * 1000);
  // By default a session lasts one hour.
  const plain = await s.sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "rule" }));
  assert.ok(plain.Credentials!.Expiration!.getTime() - Date.now() <= 3600 * 1000);
});

test("Rule: GetCallerIdentity needs no permission: an SCP that denies every action doesn't stop it", async () => {
  const rootId = (await s.orgs().send(new ListRootsCommand({}))).Roots![0]!.Id!;
  await s.orgs().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
  const policy = await s.orgs().send(
    new CreatePolicyCommand({
      Name: "deny-all",
      Description: "",
      Type: "SERVICE_CONTROL_POLICY",
      Content: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }),
    }),
  );
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: policy.Policy!.PolicySummary!.Id, TargetId: member }));
  assert.equal((await s.sts(member).send(new GetCallerIdentityCommand({}))).Account, member);
});

test("Rule: STS operations orgsim does not serve are refused with a 4xx that names them (InvalidAction), never a silent success", async () => {
  const err = await awsError(() => s.sts().send(new GetSessionTokenCommand({})));
  assert.equal(err.name, "InvalidAction");
  assert.equal(err.status, 400);
  assert.match(err.message, /GetSessionToken/);
});
