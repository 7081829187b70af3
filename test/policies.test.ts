/** Organization policies through the AWS SDK v3: AWS's rules for policies, attachments, policy types and effective policies. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribeEffectivePolicyCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListAccountsWithInvalidEffectivePolicyCommand,
  ListEffectivePolicyValidationErrorsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  MoveAccountCommand,
  UpdatePolicyCommand,
  type PolicyType,
} from "@aws-sdk/client-organizations";
import { useTestServer, awsError, MANAGEMENT } from "./helpers/server.js";
import { MALFORMED_POLICY_MESSAGE } from "../src/policy/malformed.js";
import { FULL_AWS_ACCESS_CONTENT } from "../src/policy/policy-types.js";

const s = useTestServer();

const j = (v: unknown) => JSON.stringify(v);
const SCP = "SERVICE_CONTROL_POLICY";
const denyS3 = j({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }] });

async function createPolicy(name: string, content = denyS3, type: PolicyType = SCP) {
  return (await s.orgs().send(new CreatePolicyCommand({ Name: name, Description: `${name} policy`, Content: content, Type: type })))
    .Policy!;
}

async function policiesOn(targetId: string, filter: PolicyType = SCP) {
  return ((await s.orgs().send(new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: filter }))).Policies ?? [])
    .map((p) => p.Id!)
    .sort();
}

async function enable(rootId: string, type: PolicyType) {
  return (await s.orgs().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: type }))).Root!;
}

// ---------------------------------------------------------------------------------------------
// AWS managed policies and the SCP lifecycle
// ---------------------------------------------------------------------------------------------

test("FullAWSAccess: an AWS managed SCP with AWS's id, ARN, name, description and content, listed with the SCPs", async () => {
  await s.freshOrg();
  const policy = (await s.orgs().send(new DescribePolicyCommand({ PolicyId: "p-FullAWSAccess" }))).Policy!;
  assert.deepEqual(policy.PolicySummary, {
    Id: "p-FullAWSAccess",
    Arn: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    Name: "FullAWSAccess",
    Description: "Allows access to every operation",
    Type: SCP,
    AwsManaged: true,
  });
  assert.equal(policy.Content, FULL_AWS_ACCESS_CONTENT);
  const listed = (await s.orgs().send(new ListPoliciesCommand({ Filter: SCP }))).Policies!;
  assert.deepEqual(
    listed.map((p) => p.Id),
    ["p-FullAWSAccess"],
  );
  const rcps = (await s.orgs().send(new ListPoliciesCommand({ Filter: "RESOURCE_CONTROL_POLICY" }))).Policies!;
  assert.deepEqual(
    rcps.map((p) => [p.Id, p.Arn, p.AwsManaged]),
    [["p-RCPFullAWSAccess", "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess", true]],
  );
  const tags = (await s.orgs().send(new ListPoliciesCommand({ Filter: "TAG_POLICY" }))).Policies!;
  assert.deepEqual(tags, []);
});

test("AWS managed policies can't be modified or deleted: InvalidInputException IMMUTABLE_POLICY", async () => {
  await s.freshOrg();
  const update = await awsError(() => s.orgs().send(new UpdatePolicyCommand({ PolicyId: "p-FullAWSAccess", Name: "Mine" })));
  assert.equal(update.name, "InvalidInputException");
  assert.equal(update.reason, "IMMUTABLE_POLICY");
  assert.equal(update.status, 400);
  const del = await awsError(() => s.orgs().send(new DeletePolicyCommand({ PolicyId: "p-FullAWSAccess" })));
  assert.equal(del.name, "InvalidInputException");
  assert.equal(del.reason, "IMMUTABLE_POLICY");
  const rcp = await awsError(() => s.orgs().send(new DeletePolicyCommand({ PolicyId: "p-RCPFullAWSAccess" })));
  assert.equal(rcp.reason, "IMMUTABLE_POLICY");
});

test("EnablePolicyType SCP: FullAWSAccess is attached to the root, every OU and every account, and to OUs and accounts created later", async () => {
  const { rootId } = await s.freshOrg();
  const before = await s.createAccount("before@example.com", { name: "before" });
  const ouBefore = await s.createOu(rootId, "Before");
  const root = await enable(rootId, SCP);
  assert.equal(root.Id, rootId);
  assert.deepEqual(root.PolicyTypes, [{ Type: SCP, Status: "ENABLED" }]);
  const listed = (await s.orgs().send(new ListRootsCommand({}))).Roots![0]!;
  assert.deepEqual(listed.PolicyTypes, [{ Type: SCP, Status: "ENABLED" }]);
  for (const target of [rootId, MANAGEMENT, before, ouBefore]) assert.deepEqual(await policiesOn(target), ["p-FullAWSAccess"], target);

  const after = await s.createAccount("after@example.com");
  const ouAfter = await s.createOu(ouBefore, "After");
  assert.deepEqual(await policiesOn(after), ["p-FullAWSAccess"]);
  assert.deepEqual(await policiesOn(ouAfter), ["p-FullAWSAccess"]);

  const targets = (await s.orgs().send(new ListTargetsForPolicyCommand({ PolicyId: "p-FullAWSAccess" }))).Targets!;
  const byId = new Map(targets.map((t) => [t.TargetId, t]));
  assert.equal(targets.length, 6);
  assert.deepEqual(byId.get(rootId), { TargetId: rootId, Arn: root.Arn, Name: "Root", Type: "ROOT" });
  assert.equal(byId.get(before)!.Type, "ACCOUNT");
  assert.equal(byId.get(before)!.Name, "before");
  assert.match(byId.get(before)!.Arn!, new RegExp(`:account/o-[a-z0-9]+/${before}$`));
  assert.equal(byId.get(ouAfter)!.Type, "ORGANIZATIONAL_UNIT");
  assert.equal(byId.get(ouAfter)!.Name, "After");
});

test("EnablePolicyType: PolicyTypeAlreadyEnabledException when enabled, RootNotFoundException for a root not of the organization", async () => {
  const { rootId } = await s.freshOrg();
  await enable(rootId, SCP);
  const again = await awsError(() => enable(rootId, SCP));
  assert.equal(again.name, "PolicyTypeAlreadyEnabledException");
  assert.equal(again.message, "The specified policy type is already enabled.");
  const wrongRoot = await awsError(() => enable("r-zzzz", "TAG_POLICY"));
  assert.equal(wrongRoot.name, "RootNotFoundException");
  const disableWrongRoot = await awsError(() => s.orgs().send(new DisablePolicyTypeCommand({ RootId: "r-zzzz", PolicyType: SCP })));
  assert.equal(disableWrongRoot.name, "RootNotFoundException");
});

test("A CONSOLIDATED_BILLING organization can't use policies: PolicyTypeNotAvailableForOrganizationException", async () => {
  const { rootId } = await s.freshOrg({ featureSet: "CONSOLIDATED_BILLING" });
  for (const type of [SCP, "TAG_POLICY", "BACKUP_POLICY", "RESOURCE_CONTROL_POLICY"] as PolicyType[]) {
    const err = await awsError(() => enable(rootId, type));
    assert.equal(err.name, "PolicyTypeNotAvailableForOrganizationException", type);
  }
  const create = await awsError(() => createPolicy("deny-s3"));
  assert.equal(create.name, "PolicyTypeNotAvailableForOrganizationException");
  const attach = await awsError(() => s.orgs().send(new AttachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: rootId })));
  assert.equal(attach.name, "PolicyTypeNotEnabledException");
});

test("DetachPolicy: every target keeps at least one SCP (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED); FullAWSAccess can go once another SCP is attached", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  await enable(rootId, SCP);
  const last = await awsError(() => s.orgs().send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: member })));
  assert.equal(last.name, "ConstraintViolationException");
  assert.equal(last.reason, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
  const lastRoot = await awsError(() => s.orgs().send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: rootId })));
  assert.equal(lastRoot.reason, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");

  const allowList = await createPolicy(
    "allow-ec2",
    j({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }] }),
  );
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: allowList.PolicySummary!.Id, TargetId: member }));
  await s.orgs().send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: member }));
  assert.deepEqual(await policiesOn(member), [allowList.PolicySummary!.Id]);
  const notAttached = await awsError(() => s.orgs().send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: member })));
  assert.equal(notAttached.name, "PolicyNotAttachedException");
  // FullAWSAccess can be attached again.
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: member }));
  assert.deepEqual(await policiesOn(member), [allowList.PolicySummary!.Id, "p-FullAWSAccess"].sort());
});

test("DisablePolicyType detaches every policy of the type; enabling again attaches FullAWSAccess again", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  const ou = await s.createOu(rootId, "Prod");
  await enable(rootId, SCP);
  const deny = (await createPolicy("deny-s3")).PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: deny, TargetId: ou }));
  const root = (await s.orgs().send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP }))).Root!;
  assert.deepEqual(root.PolicyTypes, []);
  for (const target of [rootId, member, ou, MANAGEMENT]) assert.deepEqual(await policiesOn(target), [], target);
  assert.deepEqual((await s.orgs().send(new ListTargetsForPolicyCommand({ PolicyId: deny }))).Targets, []);
  assert.deepEqual((await s.orgs().send(new ListTargetsForPolicyCommand({ PolicyId: "p-FullAWSAccess" }))).Targets, []);
  // The policy itself stays, and can be deleted now that nothing uses it.
  assert.equal((await s.orgs().send(new DescribePolicyCommand({ PolicyId: deny }))).Policy!.PolicySummary!.Name, "deny-s3");
  const again = await awsError(() => s.orgs().send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP })));
  assert.equal(again.name, "PolicyTypeNotEnabledException");
  await enable(rootId, SCP);
  for (const target of [rootId, member, ou, MANAGEMENT]) assert.deepEqual(await policiesOn(target), ["p-FullAWSAccess"], target);
});

test("RCPs: enabling attaches RCPFullAWSAccess everywhere, and it can't be detached (NON_DETACHABLE_POLICY)", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  const root = await enable(rootId, "RESOURCE_CONTROL_POLICY");
  assert.deepEqual(root.PolicyTypes, [{ Type: "RESOURCE_CONTROL_POLICY", Status: "ENABLED" }]);
  assert.deepEqual(await policiesOn(member, "RESOURCE_CONTROL_POLICY"), ["p-RCPFullAWSAccess"]);
  assert.deepEqual(await policiesOn(member, SCP), [], "enabling RCPs doesn't attach SCPs");
  const detach = await awsError(() => s.orgs().send(new DetachPolicyCommand({ PolicyId: "p-RCPFullAWSAccess", TargetId: member })));
  assert.equal(detach.name, "InvalidInputException");
  assert.equal(detach.reason, "NON_DETACHABLE_POLICY");
  // Customer RCPs must deny.
  const allow = await awsError(() =>
    createPolicy(
      "allow",
      j({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }] }),
      "RESOURCE_CONTROL_POLICY",
    ),
  );
  assert.equal(allow.name, "MalformedPolicyDocumentException");
  const rcp = await createPolicy(
    "deny-external",
    j({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: "*",
          Condition: { StringNotEquals: { "aws:PrincipalOrgID": "o-aaaaaaaaaa" } },
        },
      ],
    }),
    "RESOURCE_CONTROL_POLICY",
  );
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: rcp.PolicySummary!.Id, TargetId: member }));
  await s.orgs().send(new DetachPolicyCommand({ PolicyId: rcp.PolicySummary!.Id, TargetId: member }));
});

// ---------------------------------------------------------------------------------------------
// CreatePolicy, UpdatePolicy, DeletePolicy, DescribePolicy, ListPolicies
// ---------------------------------------------------------------------------------------------

test("CreatePolicy: p- id, the organization's policy ARN, tags; allowed before the type is enabled", async () => {
  const { org } = await s.freshOrg();
  const created = (
    await s.orgs().send(
      new CreatePolicyCommand({
        Name: "deny-s3",
        Description: "no S3",
        Content: denyS3,
        Type: SCP,
        Tags: [{ Key: "team", Value: "sec" }],
      }),
    )
  ).Policy!;
  const id = created.PolicySummary!.Id!;
  assert.match(id, /^p-[0-9a-z]{8}$/);
  assert.deepEqual(created.PolicySummary, {
    Id: id,
    Arn: `arn:aws:organizations::${MANAGEMENT}:policy/${org.Id}/service_control_policy/${id}`,
    Name: "deny-s3",
    Description: "no S3",
    Type: SCP,
    AwsManaged: false,
  });
  assert.equal(created.Content, denyS3);
  assert.deepEqual((await s.orgs().send(new DescribePolicyCommand({ PolicyId: id }))).Policy, created);
  assert.deepEqual((await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags, [{ Key: "team", Value: "sec" }]);
  const listed = (await s.orgs().send(new ListPoliciesCommand({ Filter: SCP }))).Policies!.map((p) => p.Id).sort();
  assert.deepEqual(listed, [id, "p-FullAWSAccess"].sort());
});

test("CreatePolicy: names are unique per organization and type (DuplicatePolicyException), FullAWSAccess included", async () => {
  await s.freshOrg();
  await createPolicy("guard");
  const dup = await awsError(() => createPolicy("guard"));
  assert.equal(dup.name, "DuplicatePolicyException");
  assert.equal(dup.message, "A policy with the same name already exists.");
  const managed = await awsError(() => createPolicy("FullAWSAccess"));
  assert.equal(managed.name, "DuplicatePolicyException");
  // Another type may reuse the name.
  await createPolicy("guard", j({ tags: { team: { tag_key: { "@@assign": "Team" } } } }), "TAG_POLICY");
});

test("CreatePolicy: malformed SCP content is MalformedPolicyDocumentException naming the problem", async () => {
  await s.freshOrg();
  const cases: [string, RegExp][] = [
    ["{not json", /line 1, column 2/],
    [
      j({ Version: "2012-10-17", Statement: [{ Effect: "Permit", Action: "*", Resource: "*" }] }),
      /Statement\[0\]\.Effect: "Permit" is not a valid effect/,
    ],
    [
      j({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "*", Resource: "*" }] }),
      /Principal element is not supported/,
    ],
    [j({ Version: "2012-10-17" }), /no Statement element/],
    [j({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Resource: "*" }] }), /no Action or NotAction element/],
  ];
  for (const [content, detail] of cases) {
    const err = await awsError(() => createPolicy("bad", content));
    assert.equal(err.name, "MalformedPolicyDocumentException", content);
    assert.ok(err.message.startsWith(MALFORMED_POLICY_MESSAGE), err.message);
    assert.match(err.message, detail);
    assert.equal(err.status, 400);
  }
  const big = j({ Version: "2012-10-17", Statement: [{ Sid: "x".repeat(5200), Effect: "Deny", Action: "*", Resource: "*" }] });
  const tooBig = await awsError(() => createPolicy("big", big));
  assert.equal(tooBig.name, "ConstraintViolationException");
  assert.equal(tooBig.reason, "POLICY_CONTENT_LIMIT_EXCEEDED");
  // Nothing was created.
  assert.deepEqual(
    (await s.orgs().send(new ListPoliciesCommand({ Filter: SCP }))).Policies!.map((p) => p.Id),
    ["p-FullAWSAccess"],
  );
});

test("CreatePolicy: an organization holds at most 1000 policies of a type (POLICY_NUMBER_LIMIT_EXCEEDED)", async () => {
  await s.freshOrg();
  const content = j({ tags: { team: { tag_key: { "@@assign": "Team" } } } });
  for (let i = 0; i < 1000; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => createPolicy(`tp-${i + k}`, content, "TAG_POLICY")));
  }
  const err = await awsError(() => createPolicy("one-too-many", content, "TAG_POLICY"));
  assert.equal(err.name, "ConstraintViolationException");
  assert.equal(err.reason, "POLICY_NUMBER_LIMIT_EXCEEDED");
  // Another type has its own quota.
  await createPolicy("scp-still-fine");
  // ListPolicies pages through them all.
  let count = 0;
  let token: string | undefined;
  do {
    const page = await s.orgs().send(new ListPoliciesCommand({ Filter: "TAG_POLICY", MaxResults: 20, NextToken: token }));
    count += page.Policies!.length;
    assert.ok(page.Policies!.length <= 20);
    token = page.NextToken;
  } while (token);
  assert.equal(count, 1000);
});

test("UpdatePolicy: name, description and content change; content is validated; names stay unique", async () => {
  await s.freshOrg();
  const id = (await createPolicy("one")).PolicySummary!.Id!;
  await createPolicy("two");
  const newContent = j({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: ["ec2:RunInstances"], Resource: "*" }] });
  const updated = (await s.orgs().send(new UpdatePolicyCommand({ PolicyId: id, Name: "uno", Description: "first", Content: newContent })))
    .Policy!;
  assert.equal(updated.PolicySummary!.Name, "uno");
  assert.equal(updated.PolicySummary!.Description, "first");
  assert.equal(updated.Content, newContent);
  assert.deepEqual((await s.orgs().send(new DescribePolicyCommand({ PolicyId: id }))).Policy, updated);
  const dup = await awsError(() => s.orgs().send(new UpdatePolicyCommand({ PolicyId: id, Name: "two" })));
  assert.equal(dup.name, "DuplicatePolicyException");
  const bad = await awsError(() => s.orgs().send(new UpdatePolicyCommand({ PolicyId: id, Content: j({ Statement: "nope" }) })));
  assert.equal(bad.name, "MalformedPolicyDocumentException");
  const missing = await awsError(() => s.orgs().send(new UpdatePolicyCommand({ PolicyId: "p-00000000", Name: "x" })));
  assert.equal(missing.name, "PolicyNotFoundException");
});

test("DeletePolicy: PolicyInUseException while attached anywhere; then gone (PolicyNotFoundException)", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  await enable(rootId, SCP);
  const id = (await createPolicy("deny-s3")).PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: id, TargetId: member }));
  const inUse = await awsError(() => s.orgs().send(new DeletePolicyCommand({ PolicyId: id })));
  assert.equal(inUse.name, "PolicyInUseException");
  await s.orgs().send(new DetachPolicyCommand({ PolicyId: id, TargetId: member }));
  await s.orgs().send(new DeletePolicyCommand({ PolicyId: id }));
  const gone = await awsError(() => s.orgs().send(new DescribePolicyCommand({ PolicyId: id })));
  assert.equal(gone.name, "PolicyNotFoundException");
  assert.equal(gone.message, "We can't find a policy with the PolicyId that you specified.");
});

test("Another organization's policy is PolicyNotFoundException; the policy id pattern is checked (INVALID_SYNTAX_POLICY_ID)", async () => {
  await s.freshOrg();
  const id = (await createPolicy("mine")).PolicySummary!.Id!;
  const other = "222222222222";
  await s.createOrg({ management: other });
  const foreign = await awsError(() => s.orgs(other).send(new DescribePolicyCommand({ PolicyId: id })));
  assert.equal(foreign.name, "PolicyNotFoundException");
  const foreignTargets = await awsError(() => s.orgs(other).send(new ListTargetsForPolicyCommand({ PolicyId: id })));
  assert.equal(foreignTargets.name, "PolicyNotFoundException");
  // AWS managed policies are visible to every organization.
  assert.equal(
    (await s.orgs(other).send(new DescribePolicyCommand({ PolicyId: "p-FullAWSAccess" }))).Policy!.PolicySummary!.Name,
    "FullAWSAccess",
  );
  const syntax = await awsError(() => s.orgs().send(new DescribePolicyCommand({ PolicyId: "pol-1" })));
  assert.equal(syntax.name, "InvalidInputException");
  assert.equal(syntax.reason, "INVALID_SYNTAX_POLICY_ID");
});

test("Only the management account writes policies: a member gets AccessDeniedException", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  const create = await awsError(() =>
    s.orgs(member).send(new CreatePolicyCommand({ Name: "x", Description: "", Content: denyS3, Type: SCP })),
  );
  assert.equal(create.name, "AccessDeniedException");
  const enableErr = await awsError(() => s.orgs(member).send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP })));
  assert.equal(enableErr.name, "AccessDeniedException");
});

// ---------------------------------------------------------------------------------------------
// AttachPolicy, ListPoliciesForTarget, ListTargetsForPolicy
// ---------------------------------------------------------------------------------------------

test("AttachPolicy: PolicyTypeNotEnabledException until the type is enabled in the root", async () => {
  const { rootId } = await s.freshOrg();
  const id = (await createPolicy("deny-s3")).PolicySummary!.Id!;
  const err = await awsError(() => s.orgs().send(new AttachPolicyCommand({ PolicyId: id, TargetId: rootId })));
  assert.equal(err.name, "PolicyTypeNotEnabledException");
  await enable(rootId, SCP);
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: id, TargetId: rootId }));
  assert.deepEqual(await policiesOn(rootId), [id, "p-FullAWSAccess"].sort());
});

test("AttachPolicy: DuplicatePolicyAttachmentException, TargetNotFoundException, PolicyNotFoundException", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  await enable(rootId, SCP);
  const id = (await createPolicy("deny-s3")).PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: id, TargetId: member }));
  const dup = await awsError(() => s.orgs().send(new AttachPolicyCommand({ PolicyId: id, TargetId: member })));
  assert.equal(dup.name, "DuplicatePolicyAttachmentException");
  for (const target of ["999999999999", "ou-zzzz-zzzzzzzz", "r-zzzz"]) {
    const missing = await awsError(() => s.orgs().send(new AttachPolicyCommand({ PolicyId: id, TargetId: target })));
    assert.equal(missing.name, "TargetNotFoundException", target);
  }
  const noPolicy = await awsError(() => s.orgs().send(new AttachPolicyCommand({ PolicyId: "p-00000000", TargetId: member })));
  assert.equal(noPolicy.name, "PolicyNotFoundException");
  const listMissing = await awsError(() => s.orgs().send(new ListPoliciesForTargetCommand({ TargetId: "999999999999", Filter: SCP })));
  assert.equal(listMissing.name, "TargetNotFoundException");
  const badPattern = await awsError(() => s.orgs().send(new AttachPolicyCommand({ PolicyId: id, TargetId: "nope" })));
  assert.equal(badPattern.name, "InvalidInputException");
  assert.equal(badPattern.reason, "INVALID_PATTERN_TARGET_ID");
});

test("AttachPolicy: a target holds at most 5 SCPs; the 6th is MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", async () => {
  const { rootId } = await s.freshOrg();
  const ou = await s.createOu(rootId, "Workloads");
  await enable(rootId, SCP);
  // FullAWSAccess is the first; four more make five.
  for (let i = 1; i <= 4; i++) {
    const id = (await createPolicy(`scp-${i}`)).PolicySummary!.Id!;
    await s.orgs().send(new AttachPolicyCommand({ PolicyId: id, TargetId: ou }));
  }
  assert.equal((await policiesOn(ou)).length, 5);
  const sixth = (await createPolicy("scp-6")).PolicySummary!.Id!;
  const err = await awsError(() => s.orgs().send(new AttachPolicyCommand({ PolicyId: sixth, TargetId: ou })));
  assert.equal(err.name, "ConstraintViolationException");
  assert.equal(err.reason, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
  // The limit is per target: the root still takes it.
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: sixth, TargetId: rootId }));
});

test("ListPoliciesForTarget filters by type; ListTargetsForPolicy pages through targets", async () => {
  const { rootId } = await s.freshOrg();
  const a = await s.createAccount("a@example.com");
  const b = await s.createAccount("b@example.com");
  await enable(rootId, SCP);
  await enable(rootId, "TAG_POLICY");
  const tag = (await createPolicy("tags", j({ tags: { team: { tag_key: { "@@assign": "Team" } } } }), "TAG_POLICY")).PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: tag, TargetId: a }));
  assert.deepEqual(await policiesOn(a, "TAG_POLICY"), [tag]);
  assert.deepEqual(await policiesOn(a, SCP), ["p-FullAWSAccess"]);
  assert.deepEqual(await policiesOn(b, "TAG_POLICY"), []);
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const page = await s.orgs().send(new ListTargetsForPolicyCommand({ PolicyId: "p-FullAWSAccess", MaxResults: 1, NextToken: token }));
    assert.ok(page.Targets!.length <= 1);
    seen.push(...page.Targets!.map((t) => t.TargetId!));
    token = page.NextToken;
  } while (token);
  assert.deepEqual(seen.sort(), [MANAGEMENT, a, b, rootId].sort());
});

test("Attachments take effect at once: an SCP attached to a member denies its calls, and detaching it lifts the denial", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  await enable(rootId, SCP);
  await s.orgs(member).send(new DescribeOrganizationCommand({}));
  const deny = (
    await createPolicy(
      "deny-describe",
      j({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "organizations:DescribeOrganization", Resource: "*" }] }),
    )
  ).PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: deny, TargetId: member }));
  const denied = await awsError(() => s.orgs(member).send(new DescribeOrganizationCommand({})));
  assert.equal(denied.name, "AccessDeniedException");
  // The management account is never restricted by SCPs.
  await s.orgs().send(new DescribeOrganizationCommand({}));
  await s.orgs().send(new DetachPolicyCommand({ PolicyId: deny, TargetId: member }));
  await s.orgs(member).send(new DescribeOrganizationCommand({}));
});

// ---------------------------------------------------------------------------------------------
// Effective policies
// ---------------------------------------------------------------------------------------------

const rootTagPolicy = j({
  tags: {
    costcenter: {
      tag_key: { "@@assign": "CostCenter" },
      tag_value: { "@@assign": ["100", "200"] },
    },
  },
});
const accountTagPolicy = j({
  tags: {
    costcenter: { tag_value: { "@@append": ["300"] } },
    project: { tag_key: { "@@assign": "Project" } },
  },
});

test("DescribeEffectivePolicy TAG_POLICY: root and account policies merge (@@assign, then @@append); operators are stripped", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  const other = await s.createAccount("o@example.com");
  const notEnabled = await awsError(() =>
    s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY", TargetId: member })),
  );
  assert.equal(notEnabled.name, "EffectivePolicyNotFoundException");
  await enable(rootId, "TAG_POLICY");
  const none = await awsError(() => s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY", TargetId: member })));
  assert.equal(none.name, "EffectivePolicyNotFoundException");

  const rootPolicy = (await createPolicy("root-tags", rootTagPolicy, "TAG_POLICY")).PolicySummary!.Id!;
  const accountPolicy = (await createPolicy("account-tags", accountTagPolicy, "TAG_POLICY")).PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: rootPolicy, TargetId: rootId }));
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: accountPolicy, TargetId: member }));

  const effective = (await s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY", TargetId: member })))
    .EffectivePolicy!;
  assert.equal(effective.TargetId, member);
  assert.equal(effective.PolicyType, "TAG_POLICY");
  assert.ok(effective.LastUpdatedTimestamp instanceof Date);
  assert.deepEqual(JSON.parse(effective.PolicyContent!), {
    tags: {
      costcenter: { tag_key: "CostCenter", tag_value: ["100", "200", "300"] },
      project: { tag_key: "Project" },
    },
  });
  // An account without its own policy inherits the root's.
  const inherited = (await s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY", TargetId: other })))
    .EffectivePolicy!;
  assert.deepEqual(JSON.parse(inherited.PolicyContent!), { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["100", "200"] } } });
  // Management policies affect the management account too.
  const mgmt = (await s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY" }))).EffectivePolicy!;
  assert.equal(mgmt.TargetId, MANAGEMENT);

  // A member account reads its own effective policy (TargetId defaults to the caller) and no one else's.
  const own = (await s.orgs(member).send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY" }))).EffectivePolicy!;
  assert.equal(own.TargetId, member);
  assert.equal(own.PolicyContent, effective.PolicyContent);
  const foreign = await awsError(() =>
    s.orgs(member).send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY", TargetId: other })),
  );
  assert.equal(foreign.name, "AccessDeniedException");
});

test("DescribeEffectivePolicy: an OU moves the account's inheritance path; roots and OUs aren't supported targets", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  const ou = await s.createOu(rootId, "Finance");
  await enable(rootId, "TAG_POLICY");
  const rootPolicy = (await createPolicy("root-tags", rootTagPolicy, "TAG_POLICY")).PolicySummary!.Id!;
  const ouPolicy = (await createPolicy("ou-tags", j({ tags: { costcenter: { tag_value: { "@@assign": ["900"] } } } }), "TAG_POLICY"))
    .PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: rootPolicy, TargetId: rootId }));
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: ouPolicy, TargetId: ou }));
  const read = async () =>
    JSON.parse(
      (await s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY", TargetId: member }))).EffectivePolicy!
        .PolicyContent!,
    );
  assert.deepEqual(await read(), { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["100", "200"] } } });
  await s.orgs().send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: ou }));
  assert.deepEqual(await read(), { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["900"] } } });
  for (const target of [rootId, ou]) {
    const err = await awsError(() => s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY", TargetId: target })));
    assert.equal(err.name, "InvalidInputException", target);
    assert.equal(err.reason, "TARGET_NOT_SUPPORTED");
  }
  const missing = await awsError(() =>
    s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY", TargetId: "999999999999" })),
  );
  assert.equal(missing.name, "TargetNotFoundException");
});

test("DescribeEffectivePolicy: authorization policies have none (SERVICE_CONTROL_POLICY is an invalid policy type here)", async () => {
  await s.freshOrg();
  const err = await awsError(() => s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: SCP as never })));
  assert.equal(err.name, "InvalidInputException");
  assert.equal(err.reason, "INVALID_ENUM_POLICY_TYPE");
});

test("DescribeEffectivePolicy BACKUP_POLICY: the account's @@assign overrides the root's, @@append adds regions", async () => {
  const { rootId } = await s.freshOrg();
  const member = await s.createAccount("m@example.com");
  await enable(rootId, "BACKUP_POLICY");
  const rootBackup = j({
    plans: {
      daily: {
        regions: { "@@assign": ["us-east-1"] },
        rules: { keep: { schedule_expression: { "@@assign": "cron(0 5 ? * * *)" }, target_backup_vault_name: { "@@assign": "Default" } } },
        selections: {
          tags: {
            all: {
              iam_role_arn: { "@@assign": "arn:aws:iam::$account:role/Backup" },
              tag_key: { "@@assign": "backup" },
              tag_value: { "@@assign": ["daily"] },
            },
          },
        },
      },
    },
  });
  const accountBackup = j({
    plans: {
      daily: {
        regions: { "@@append": ["eu-west-1"] },
        rules: { keep: { target_backup_vault_name: { "@@assign": "Secure" } } },
      },
    },
  });
  const r = (await createPolicy("root-backup", rootBackup, "BACKUP_POLICY")).PolicySummary!.Id!;
  const a = (await createPolicy("account-backup", accountBackup, "BACKUP_POLICY")).PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: r, TargetId: rootId }));
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: a, TargetId: member }));
  const effective = (await s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "BACKUP_POLICY", TargetId: member })))
    .EffectivePolicy!;
  assert.deepEqual(JSON.parse(effective.PolicyContent!), {
    plans: {
      daily: {
        regions: ["us-east-1", "eu-west-1"],
        rules: { keep: { schedule_expression: "cron(0 5 ? * * *)", target_backup_vault_name: "Secure" } },
        selections: { tags: { all: { iam_role_arn: "arn:aws:iam::$account:role/Backup", tag_key: "backup", tag_value: ["daily"] } } },
      },
    },
  });
  // The management account gets the root's policy alone.
  const mgmt = (await s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "BACKUP_POLICY", TargetId: MANAGEMENT })))
    .EffectivePolicy!;
  assert.deepEqual(JSON.parse(mgmt.PolicyContent!).plans.daily.regions, ["us-east-1"]);
});

test("ListAccountsWithInvalidEffectivePolicy and ListEffectivePolicyValidationErrors report an operator a parent policy forbids", async () => {
  const { org, rootId } = await s.freshOrg();
  const good = await s.createAccount("good@example.com");
  const bad = await s.createAccount("bad@example.com", { name: "bad" });
  const ou = await s.createOu(rootId, "Team");
  await s.orgs().send(new MoveAccountCommand({ AccountId: bad, SourceParentId: rootId, DestinationParentId: ou }));
  const notEnabled = await awsError(() => s.orgs().send(new ListAccountsWithInvalidEffectivePolicyCommand({ PolicyType: "TAG_POLICY" })));
  assert.equal(notEnabled.name, "EffectivePolicyNotFoundException");
  await enable(rootId, "TAG_POLICY");
  const locked = j({
    tags: {
      costcenter: {
        tag_key: { "@@assign": "CostCenter" },
        tag_value: { "@@assign": ["100"], "@@operators_allowed_for_child_policies": ["@@none"] },
      },
    },
  });
  const rootPolicy = (await createPolicy("locked", locked, "TAG_POLICY")).PolicySummary!.Id!;
  const childPolicy = (await createPolicy("child", j({ tags: { costcenter: { tag_value: { "@@append": ["200"] } } } }), "TAG_POLICY"))
    .PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: rootPolicy, TargetId: rootId }));
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: childPolicy, TargetId: bad }));

  const invalid = await s.orgs().send(new ListAccountsWithInvalidEffectivePolicyCommand({ PolicyType: "TAG_POLICY" }));
  assert.equal(invalid.PolicyType, "TAG_POLICY");
  assert.deepEqual(
    invalid.Accounts!.map((a) => a.Id),
    [bad],
  );
  assert.equal(invalid.Accounts![0]!.Name, "bad");

  const errors = await s.orgs().send(new ListEffectivePolicyValidationErrorsCommand({ AccountId: bad, PolicyType: "TAG_POLICY" }));
  assert.equal(errors.AccountId, bad);
  assert.equal(errors.PolicyType, "TAG_POLICY");
  assert.equal(errors.Path, `${org.Id}/${rootId}/${ou}/${bad}/`);
  assert.ok(errors.EvaluationTimestamp instanceof Date);
  assert.equal(errors.EffectivePolicyValidationErrors!.length, 1);
  const [error] = errors.EffectivePolicyValidationErrors!;
  assert.equal(error!.ErrorCode, "OPERATOR_NOT_ALLOWED");
  assert.equal(error!.PathToError, "tags.costcenter.tag_value");
  assert.deepEqual(error!.ContributingPolicies, [childPolicy, rootPolicy]);
  // The forbidden @@append was ignored.
  const effective = (await s.orgs().send(new DescribeEffectivePolicyCommand({ PolicyType: "TAG_POLICY", TargetId: bad }))).EffectivePolicy!;
  assert.deepEqual(JSON.parse(effective.PolicyContent!), { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["100"] } } });

  const clean = await s.orgs().send(new ListEffectivePolicyValidationErrorsCommand({ AccountId: good, PolicyType: "TAG_POLICY" }));
  assert.deepEqual(clean.EffectivePolicyValidationErrors, []);
  const noAccount = await awsError(() =>
    s.orgs().send(new ListEffectivePolicyValidationErrorsCommand({ AccountId: "999999999999", PolicyType: "TAG_POLICY" })),
  );
  assert.equal(noAccount.name, "AccountNotFoundException");
});
