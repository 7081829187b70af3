import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePolicyDocument } from "../src/policy/document.js";
import type { PolicyDocument, PolicyStatement } from "../src/policy/document-types.js";
import { FULL_AWS_ACCESS_CONTENT, RCP_FULL_AWS_ACCESS_CONTENT } from "../src/policy/policy-types.js";
import {
  actionMatches,
  denialMessage,
  evaluateCondition,
  evaluateRcps,
  evaluateScps,
  ipInCidr,
  isExemptPrincipal,
  resourceMatches,
  statementApplies,
  wildcardMatch,
  type Decision,
  type LevelPolicies,
  type RequestContext,
} from "../src/policy/evaluate.js";

const ROOT = "r-abcd";
const OU = "ou-abcd-11111111";
const ACCOUNT = "222222222222";
const MEMBER_ROLE = `arn:aws:iam::${ACCOUNT}:role/Developer`;

function scp(...statements: unknown[]): PolicyDocument {
  return parsePolicyDocument(JSON.stringify({ Version: "2012-10-17", Statement: statements }), "SERVICE_CONTROL_POLICY");
}

const FULL = {
  id: "p-FullAWSAccess",
  name: "FullAWSAccess",
  document: parsePolicyDocument(FULL_AWS_ACCESS_CONTENT, "SERVICE_CONTROL_POLICY"),
};

function pol(id: string, ...statements: unknown[]) {
  return { id, name: `name-${id}`, document: scp(...statements) };
}

type Pol = ReturnType<typeof pol>;

function path(root: Pol[], ou: Pol[], account: Pol[]): LevelPolicies[] {
  return [
    { targetId: ROOT, targetType: "ROOT", policies: root },
    { targetId: OU, targetType: "ORGANIZATIONAL_UNIT", policies: ou },
    { targetId: ACCOUNT, targetType: "ACCOUNT", policies: account },
  ];
}

function ctx(action: string, resource = "*", keys: RequestContext["keys"] = {}): RequestContext {
  return { action, resource, keys: { "aws:PrincipalArn": MEMBER_ROLE, "aws:PrincipalAccount": ACCOUNT, ...keys } };
}

const LEAVE = ctx("organizations:LeaveOrganization");
const denyLeave = pol("p-denyleave1", { Sid: "DenyLeave", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" });
const allowS3 = pol("p-allows3only", { Effect: "Allow", Action: "s3:*", Resource: "*" });

// -------------------------------------------------------------------------------------------
// Hierarchy decisions
// -------------------------------------------------------------------------------------------

interface DecisionRow {
  rule: string;
  path: LevelPolicies[];
  ctx: RequestContext;
  kind: Decision["kind"];
  deciding?: { targetId: string; policyId?: string; statementSid?: string };
}

const decisionRows: DecisionRow[] = [
  {
    rule: "FullAWSAccess at every level allows",
    path: path([FULL], [FULL], [FULL]),
    ctx: LEAVE,
    kind: "ALLOWED",
    deciding: { targetId: ACCOUNT, policyId: "p-FullAWSAccess" },
  },
  {
    rule: "explicit deny at OU overrides allow at account",
    path: path([FULL], [FULL, denyLeave], [FULL]),
    ctx: LEAVE,
    kind: "EXPLICIT_DENY",
    deciding: { targetId: OU, policyId: "p-denyleave1", statementSid: "DenyLeave" },
  },
  {
    rule: "explicit deny at the account overrides FullAWSAccess",
    path: path([FULL], [FULL], [FULL, denyLeave]),
    ctx: LEAVE,
    kind: "EXPLICIT_DENY",
    deciding: { targetId: ACCOUNT, policyId: "p-denyleave1" },
  },
  {
    rule: "explicit deny at root applies to every account below",
    path: path([FULL, denyLeave], [FULL], [FULL]),
    ctx: LEAVE,
    kind: "EXPLICIT_DENY",
    deciding: { targetId: ROOT, policyId: "p-denyleave1" },
  },
  {
    rule: "the first deny root-first is the deciding one",
    path: path([FULL], [FULL, pol("p-ouDeny0001", { Effect: "Deny", Action: "organizations:*", Resource: "*" })], [FULL, denyLeave]),
    ctx: LEAVE,
    kind: "EXPLICIT_DENY",
    deciding: { targetId: OU, policyId: "p-ouDeny0001" },
  },
  {
    rule: "deny for another action does not apply",
    path: path([FULL], [FULL, denyLeave], [FULL]),
    ctx: ctx("organizations:DescribeOrganization"),
    kind: "ALLOWED",
  },
  {
    rule: "implicit deny when an OU has no allowing policy",
    path: path([FULL], [allowS3], [FULL]),
    ctx: LEAVE,
    kind: "IMPLICIT_DENY",
    deciding: { targetId: OU },
  },
  {
    rule: "allow-listed action passes an allow-list OU",
    path: path([FULL], [allowS3], [FULL]),
    ctx: ctx("s3:GetObject", "arn:aws:s3:::b/k"),
    kind: "ALLOWED",
  },
  {
    rule: "implicit deny when a level has no policies at all",
    path: path([FULL], [], [FULL]),
    ctx: LEAVE,
    kind: "IMPLICIT_DENY",
    deciding: { targetId: OU },
  },
  {
    rule: "implicit deny at the account when only parents allow",
    path: path([FULL], [FULL], [allowS3]),
    ctx: LEAVE,
    kind: "IMPLICIT_DENY",
    deciding: { targetId: ACCOUNT },
  },
  {
    rule: "implicit deny is reported at the first level root-first",
    path: path([allowS3], [allowS3], [allowS3]),
    ctx: LEAVE,
    kind: "IMPLICIT_DENY",
    deciding: { targetId: ROOT },
  },
  {
    rule: "deny-all: FullAWSAccess removed from root leaves nothing allowed",
    path: path([pol("p-denynothin", { Effect: "Allow", Action: "ec2:Describe*", Resource: "*" })], [FULL], [FULL]),
    ctx: LEAVE,
    kind: "IMPLICIT_DENY",
    deciding: { targetId: ROOT },
  },
  {
    rule: "deny-all statement denies explicitly",
    path: path([FULL, pol("p-denyall001", { Sid: "DenyAll", Effect: "Deny", Action: "*", Resource: "*" })], [FULL], [FULL]),
    ctx: ctx("sts:GetCallerIdentity"),
    kind: "EXPLICIT_DENY",
    deciding: { targetId: ROOT, statementSid: "DenyAll" },
  },
  {
    rule: "explicit deny wins over an allow in the same policy",
    path: path(
      [FULL],
      [FULL],
      [
        pol(
          "p-mixed00001",
          { Effect: "Allow", Action: "*", Resource: "*" },
          { Effect: "Deny", Action: "organizations:Leave*", Resource: "*" },
        ),
      ],
    ),
    ctx: LEAVE,
    kind: "EXPLICIT_DENY",
    deciding: { targetId: ACCOUNT, policyId: "p-mixed00001" },
  },
  {
    rule: "explicit deny beats implicit deny in reporting",
    path: path([allowS3], [FULL], [FULL, denyLeave]),
    ctx: LEAVE,
    kind: "EXPLICIT_DENY",
    deciding: { targetId: ACCOUNT },
  },
  {
    rule: "allow via NotAction Allow (everything but IAM)",
    path: path([FULL], [pol("p-notiam0001", { Effect: "Allow", NotAction: "iam:*", Resource: "*" })], [FULL]),
    ctx: LEAVE,
    kind: "ALLOWED",
  },
  {
    rule: "NotAction Allow does not allow the excluded actions",
    path: path([FULL], [pol("p-notiam0001", { Effect: "Allow", NotAction: "iam:*", Resource: "*" })], [FULL]),
    ctx: ctx("iam:CreateUser"),
    kind: "IMPLICIT_DENY",
    deciding: { targetId: OU },
  },
  {
    rule: "Allow with a Condition that fails does not allow",
    path: path(
      [FULL],
      [
        pol("p-condallow1", {
          Effect: "Allow",
          Action: "*",
          Resource: "*",
          Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
        }),
      ],
      [FULL],
    ),
    ctx: ctx("ec2:RunInstances", "*", { "aws:RequestedRegion": "us-east-1" }),
    kind: "IMPLICIT_DENY",
  },
  {
    rule: "Allow with a Condition that holds allows",
    path: path(
      [FULL],
      [
        pol("p-condallow1", {
          Effect: "Allow",
          Action: "*",
          Resource: "*",
          Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
        }),
      ],
      [FULL],
    ),
    ctx: ctx("ec2:RunInstances", "*", { "aws:RequestedRegion": "eu-west-1" }),
    kind: "ALLOWED",
  },
  {
    rule: "region-lock Deny with NotAction exempts global services",
    path: path(
      [
        FULL,
        pol("p-regionlock", {
          Effect: "Deny",
          NotAction: ["iam:*", "organizations:*"],
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1"] } },
        }),
      ],
      [FULL],
      [FULL],
    ),
    ctx: ctx("organizations:LeaveOrganization", "*", { "aws:RequestedRegion": "us-east-1" }),
    kind: "ALLOWED",
  },
  {
    rule: "region-lock Deny denies regional services outside the region",
    path: path(
      [
        FULL,
        pol("p-regionlock", {
          Effect: "Deny",
          NotAction: ["iam:*", "organizations:*"],
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1"] } },
        }),
      ],
      [FULL],
      [FULL],
    ),
    ctx: ctx("ec2:RunInstances", "*", { "aws:RequestedRegion": "us-east-1" }),
    kind: "EXPLICIT_DENY",
    deciding: { targetId: ROOT, policyId: "p-regionlock" },
  },
  {
    rule: "aws:PrincipalArn condition exempts a role from a deny",
    path: path(
      [FULL],
      [
        FULL,
        pol("p-exemptadm1", {
          Effect: "Deny",
          Action: "organizations:*",
          Resource: "*",
          Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/Admin" } },
        }),
      ],
      [FULL],
    ),
    ctx: ctx("organizations:LeaveOrganization", "*", { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/Admin` }),
    kind: "ALLOWED",
  },
  {
    rule: "aws:PrincipalArn condition still denies other roles",
    path: path(
      [FULL],
      [
        FULL,
        pol("p-exemptadm1", {
          Effect: "Deny",
          Action: "organizations:*",
          Resource: "*",
          Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/Admin" } },
        }),
      ],
      [FULL],
    ),
    ctx: LEAVE,
    kind: "EXPLICIT_DENY",
  },
  {
    rule: "deny on a specific resource ARN applies to that resource only",
    path: path(
      [FULL, pol("p-protectrol", { Effect: "Deny", Action: "iam:DeleteRole", Resource: "arn:aws:iam::*:role/Protected" })],
      [FULL],
      [FULL],
    ),
    ctx: ctx("iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/Other`),
    kind: "ALLOWED",
  },
  {
    rule: "deny on a specific resource ARN",
    path: path(
      [FULL, pol("p-protectrol", { Effect: "Deny", Action: "iam:DeleteRole", Resource: "arn:aws:iam::*:role/Protected" })],
      [FULL],
      [FULL],
    ),
    ctx: ctx("iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/Protected`),
    kind: "EXPLICIT_DENY",
  },
  { rule: "an empty path allows (nothing restricts)", path: [], ctx: LEAVE, kind: "ALLOWED" },
];

for (const row of decisionRows) {
  test(`decision: ${row.rule}`, () => {
    const d = evaluateScps(row.path, row.ctx);
    assert.equal(d.kind, row.kind);
    assert.equal(d.allowed, row.kind === "ALLOWED");
    assert.equal(d.policyType, "SERVICE_CONTROL_POLICY");
    assert.equal(d.levels.length, row.path.length);
    if (row.deciding !== undefined) {
      assert.ok(d.decidingLevel);
      assert.equal(d.decidingLevel.targetId, row.deciding.targetId);
      if ("policyId" in row.deciding) assert.equal(d.decidingLevel.policyId, row.deciding.policyId);
      if (row.kind === "IMPLICIT_DENY") assert.equal(d.decidingLevel.policyId, undefined);
      if (row.deciding.statementSid !== undefined) assert.equal(d.decidingLevel.statementSid, row.deciding.statementSid);
    }
  });
}

test("decision: levels report every allowing and denying policy with Sids", () => {
  const d = evaluateScps(path([FULL], [FULL, denyLeave], [FULL, allowS3]), LEAVE);
  assert.deepEqual(d.levels, [
    { targetId: ROOT, targetType: "ROOT", allowedBy: [{ policyId: "p-FullAWSAccess", policyName: "FullAWSAccess" }], deniedBy: [] },
    {
      targetId: OU,
      targetType: "ORGANIZATIONAL_UNIT",
      allowedBy: [{ policyId: "p-FullAWSAccess", policyName: "FullAWSAccess" }],
      deniedBy: [{ policyId: "p-denyleave1", policyName: "name-p-denyleave1", sid: "DenyLeave" }],
    },
    { targetId: ACCOUNT, targetType: "ACCOUNT", allowedBy: [{ policyId: "p-FullAWSAccess", policyName: "FullAWSAccess" }], deniedBy: [] },
  ]);
  assert.deepEqual(d.decidingLevel, {
    targetId: OU,
    targetType: "ORGANIZATIONAL_UNIT",
    policyId: "p-denyleave1",
    policyName: "name-p-denyleave1",
    statementSid: "DenyLeave",
  });
});

test("decision: hand-built documents with single-object Statement and string Action work", () => {
  const doc: PolicyDocument = { Version: "2012-10-17", Statement: { Effect: "Deny", Action: "organizations:Leave*", Resource: "*" } };
  const d = evaluateScps(path([FULL], [FULL], [FULL, { id: "p-handbuilt1", name: "hand", document: doc }]), LEAVE);
  assert.equal(d.kind, "EXPLICIT_DENY");
});

test("decision: a management-policy document (no statements) allows nothing", () => {
  const doc = parsePolicyDocument(JSON.stringify({ tags: { a: { "@@assign": "b" } } }), "TAG_POLICY");
  const d = evaluateScps(path([FULL], [{ id: "p-tagpolicy1", name: "tag", document: doc }], [FULL]), LEAVE);
  assert.equal(d.kind, "IMPLICIT_DENY");
});

test("RCP: RCPFullAWSAccess everywhere allows; a Deny RCP denies with the RCP type", () => {
  const rcpFull = {
    id: "p-RCPFullAWSAccess",
    name: "RCPFullAWSAccess",
    document: parsePolicyDocument(RCP_FULL_AWS_ACCESS_CONTENT, "RESOURCE_CONTROL_POLICY", { awsManaged: true }),
  };
  const denyOutsideOrg = {
    id: "p-rcporgonly",
    name: "OrgOnly",
    document: parsePolicyDocument(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "OrgOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: "*",
            Condition: {
              StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-abcdefghij" },
              BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
            },
          },
        ],
      }),
      "RESOURCE_CONTROL_POLICY",
    ),
  };
  const p: LevelPolicies[] = [
    { targetId: ROOT, targetType: "ROOT", policies: [rcpFull, denyOutsideOrg] },
    { targetId: ACCOUNT, targetType: "ACCOUNT", policies: [rcpFull] },
  ];
  const inside = evaluateRcps(p, ctx("s3:GetObject", "arn:aws:s3:::b/k", { "aws:PrincipalOrgID": "o-abcdefghij" }));
  assert.equal(inside.kind, "ALLOWED");
  const outside = evaluateRcps(p, ctx("s3:GetObject", "arn:aws:s3:::b/k", { "aws:PrincipalOrgID": "o-zzzzzzzzzz" }));
  assert.equal(outside.kind, "EXPLICIT_DENY");
  assert.equal(outside.policyType, "RESOURCE_CONTROL_POLICY");
  const service = evaluateRcps(
    p,
    ctx("s3:GetObject", "arn:aws:s3:::b/k", { "aws:PrincipalOrgID": undefined, "aws:PrincipalIsAWSService": "true" }),
  );
  assert.equal(service.kind, "ALLOWED");
});

// -------------------------------------------------------------------------------------------
// Statement matching: Action, Resource, Principal
// -------------------------------------------------------------------------------------------

interface MatchRow {
  rule: string;
  stmt: PolicyStatement;
  ctx: RequestContext;
  version?: string;
  applies: boolean;
}

const matchRows: MatchRow[] = [
  // Action
  { rule: "exact action", stmt: { Effect: "Deny", Action: "organizations:LeaveOrganization" }, ctx: LEAVE, applies: true },
  {
    rule: "action matching is case-insensitive (action name)",
    stmt: { Effect: "Deny", Action: "organizations:leaveorganization" },
    ctx: LEAVE,
    applies: true,
  },
  {
    rule: "action matching is case-insensitive (service prefix)",
    stmt: { Effect: "Deny", Action: "ORGANIZATIONS:LeaveOrganization" },
    ctx: LEAVE,
    applies: true,
  },
  { rule: "wildcard organizations:Leave*", stmt: { Effect: "Deny", Action: "organizations:Leave*" }, ctx: LEAVE, applies: true },
  { rule: "wildcard organizations:*", stmt: { Effect: "Deny", Action: "organizations:*" }, ctx: LEAVE, applies: true },
  { rule: "wildcard * matches every action", stmt: { Effect: "Deny", Action: "*" }, ctx: LEAVE, applies: true },
  {
    rule: "? matches exactly one character",
    stmt: { Effect: "Deny", Action: "organizations:LeaveOrganizatio?" },
    ctx: LEAVE,
    applies: true,
  },
  {
    rule: "? does not match zero characters",
    stmt: { Effect: "Deny", Action: "organizations:LeaveOrganization?" },
    ctx: LEAVE,
    applies: false,
  },
  {
    rule: "wildcard at the beginning of the action name",
    stmt: { Effect: "Deny", Action: "organizations:*Organization" },
    ctx: LEAVE,
    applies: true,
  },
  {
    rule: "wildcard in the middle of the action name",
    stmt: { Effect: "Deny", Action: "organizations:L*Org*n" },
    ctx: LEAVE,
    applies: true,
  },
  {
    rule: "a prefix without a wildcard does not match",
    stmt: { Effect: "Deny", Action: "organizations:Leave" },
    ctx: LEAVE,
    applies: false,
  },
  { rule: "another service does not match", stmt: { Effect: "Deny", Action: "account:*" }, ctx: LEAVE, applies: false },
  {
    rule: "wildcard does not match a different service prefix",
    stmt: { Effect: "Deny", Action: "org*:LeaveOrganization" },
    ctx: ctx("account:LeaveOrganization"),
    applies: false,
  },
  {
    rule: "any entry of an Action list matches",
    stmt: { Effect: "Deny", Action: ["s3:*", "organizations:Leave*"] },
    ctx: LEAVE,
    applies: true,
  },
  {
    rule: "NotAction matches everything but the listed actions",
    stmt: { Effect: "Deny", NotAction: ["iam:*", "sts:*"] },
    ctx: LEAVE,
    applies: true,
  },
  {
    rule: "NotAction does not match a listed action",
    stmt: { Effect: "Deny", NotAction: ["iam:*", "organizations:Leave*"] },
    ctx: LEAVE,
    applies: false,
  },
  { rule: "a statement with neither Action nor NotAction never applies", stmt: { Effect: "Deny" }, ctx: LEAVE, applies: false },
  // Resource
  {
    rule: "Resource * matches any resource",
    stmt: { Effect: "Deny", Action: "*", Resource: "*" },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::b/k"),
    applies: true,
  },
  {
    rule: "absent Resource matches any resource (SCP)",
    stmt: { Effect: "Deny", Action: "*" },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::b/k"),
    applies: true,
  },
  {
    rule: "exact resource ARN",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:s3:::b/k" },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::b/k"),
    applies: true,
  },
  {
    rule: "wildcard in the resource part",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:s3:::b/*" },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::b/dir/k"),
    applies: true,
  },
  {
    rule: "resource wildcard does not match another bucket",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:s3:::b/*" },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::c/k"),
    applies: false,
  },
  {
    rule: "wildcard in the account component",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:iam::*:role/Admin" },
    ctx: ctx("iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/Admin`),
    applies: true,
  },
  {
    rule: "? in the account component",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:iam::22222222222?:role/Admin" },
    ctx: ctx("iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/Admin`),
    applies: true,
  },
  {
    rule: "resource path is case-sensitive",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:iam::*:role/admin" },
    ctx: ctx("iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/Admin`),
    applies: false,
  },
  {
    rule: "resource service component is case-insensitive",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:IAM::*:role/Admin" },
    ctx: ctx("iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/Admin`),
    applies: true,
  },
  {
    rule: "wildcard in a component does not cross a colon",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:s3:*:*:bucket" },
    ctx: ctx("s3:GetObject", "arn:aws:s3:us:east:1:bucket"),
    applies: false,
  },
  {
    rule: "the resource component may contain colons",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:logs:*:*:log-group:/app/*" },
    ctx: ctx("logs:PutLogEvents", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/x:log-stream:s`),
    applies: true,
  },
  {
    rule: "a specific ARN does not match a request for resource *",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:organizations::*:account/*" },
    ctx: LEAVE,
    applies: false,
  },
  {
    rule: "NotResource matches resources not listed",
    stmt: { Effect: "Deny", Action: "*", NotResource: "arn:aws:s3:::ok/*" },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::secret/k"),
    applies: true,
  },
  {
    rule: "NotResource does not match a listed resource",
    stmt: { Effect: "Deny", Action: "*", NotResource: ["arn:aws:s3:::ok", "arn:aws:s3:::ok/*"] },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::ok/k"),
    applies: false,
  },
  {
    rule: "NotResource with an ARN matches a request for resource *",
    stmt: { Effect: "Deny", Action: "*", NotResource: "arn:aws:s3:::ok/*" },
    ctx: LEAVE,
    applies: true,
  },
  {
    rule: "policy variable in Resource is substituted (2012-10-17)",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:iam::${aws:PrincipalAccount}:role/*" },
    ctx: ctx("iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/X`),
    version: "2012-10-17",
    applies: true,
  },
  {
    rule: "policy variable in Resource for another account does not match",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:iam::${aws:PrincipalAccount}:role/*" },
    ctx: ctx("iam:DeleteRole", "arn:aws:iam::333333333333:role/X"),
    version: "2012-10-17",
    applies: false,
  },
  {
    rule: "policy variables are literal text under Version 2008-10-17",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:iam::${aws:PrincipalAccount}:role/*" },
    ctx: ctx("iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/X`),
    version: "2008-10-17",
    applies: false,
  },
  {
    rule: "an unresolvable policy variable matches nothing",
    stmt: { Effect: "Deny", Action: "*", Resource: "arn:aws:s3:::${aws:PrincipalTag/bucket}/*" },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::b/k"),
    version: "2012-10-17",
    applies: false,
  },
  // Principal (RCP)
  { rule: "Principal * matches every principal", stmt: { Effect: "Deny", Principal: "*", Action: "*" }, ctx: LEAVE, applies: true },
  {
    rule: "Principal AWS account id matches that account's principals",
    stmt: { Effect: "Deny", Principal: { AWS: ACCOUNT }, Action: "*" },
    ctx: LEAVE,
    applies: true,
  },
  {
    rule: "Principal AWS root ARN matches that account's principals",
    stmt: { Effect: "Deny", Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] }, Action: "*" },
    ctx: LEAVE,
    applies: true,
  },
  {
    rule: "Principal for another account does not match",
    stmt: { Effect: "Deny", Principal: { AWS: "333333333333" }, Action: "*" },
    ctx: LEAVE,
    applies: false,
  },
  {
    rule: "NotPrincipal excludes the listed principal",
    stmt: { Effect: "Deny", NotPrincipal: { AWS: MEMBER_ROLE }, Action: "*" },
    ctx: LEAVE,
    applies: false,
  },
];

for (const row of matchRows) {
  test(`match: ${row.rule}`, () => {
    assert.equal(statementApplies(row.stmt, row.ctx, row.version), row.applies);
  });
}

// -------------------------------------------------------------------------------------------
// Condition operators
// -------------------------------------------------------------------------------------------

interface CondRow {
  rule: string;
  condition: Record<string, Record<string, string | number | boolean | (string | number | boolean)[]>>;
  keys: RequestContext["keys"];
  expected: boolean;
  version?: string;
  now?: Date;
}

const condRows: CondRow[] = [
  // String
  {
    rule: "StringEquals matches exactly",
    condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
    keys: { "aws:RequestedRegion": "eu-west-1" },
    expected: true,
  },
  {
    rule: "StringEquals is case-sensitive",
    condition: { StringEquals: { "aws:RequestedRegion": "EU-WEST-1" } },
    keys: { "aws:RequestedRegion": "eu-west-1" },
    expected: false,
  },
  {
    rule: "StringEquals treats * literally",
    condition: { StringEquals: { "aws:RequestedRegion": "eu-*" } },
    keys: { "aws:RequestedRegion": "eu-west-1" },
    expected: false,
  },
  {
    rule: "multiple values for one key are ORed",
    condition: { StringEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } },
    keys: { "aws:RequestedRegion": "eu-west-1" },
    expected: true,
  },
  {
    rule: "multiple keys under one operator are ANDed (one fails)",
    condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1", "aws:PrincipalType": "AssumedRole" } },
    keys: { "aws:RequestedRegion": "eu-west-1", "aws:PrincipalType": "User" },
    expected: false,
  },
  {
    rule: "multiple keys under one operator are ANDed (all hold)",
    condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1", "aws:PrincipalType": "User" } },
    keys: { "aws:RequestedRegion": "eu-west-1", "aws:PrincipalType": "User" },
    expected: true,
  },
  {
    rule: "multiple operators are ANDed",
    condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" }, Bool: { "aws:SecureTransport": "true" } },
    keys: { "aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "false" },
    expected: false,
  },
  {
    rule: "condition key names are case-insensitive",
    condition: { StringEquals: { "AWS:requestedregion": "eu-west-1" } },
    keys: { "aws:RequestedRegion": "eu-west-1" },
    expected: true,
  },
  {
    rule: "positive operator on a missing key is false",
    condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
    keys: {},
    expected: false,
  },
  {
    rule: "StringNotEquals on a missing key matches",
    condition: { StringNotEquals: { "aws:RequestedRegion": "eu-west-1" } },
    keys: {},
    expected: true,
  },
  {
    rule: "StringNotEquals with several values is a NOR (value listed)",
    condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] } },
    keys: { "aws:RequestedRegion": "eu-central-1" },
    expected: false,
  },
  {
    rule: "StringNotEquals with several values is a NOR (value not listed)",
    condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] } },
    keys: { "aws:RequestedRegion": "us-east-1" },
    expected: true,
  },
  {
    rule: "StringEqualsIgnoreCase ignores case",
    condition: { StringEqualsIgnoreCase: { "aws:PrincipalTag/team": "PLATFORM" } },
    keys: { "aws:PrincipalTag/team": "platform" },
    expected: true,
  },
  {
    rule: "StringNotEqualsIgnoreCase ignores case",
    condition: { StringNotEqualsIgnoreCase: { "aws:PrincipalTag/team": "PLATFORM" } },
    keys: { "aws:PrincipalTag/team": "platform" },
    expected: false,
  },
  {
    rule: "StringLike with *",
    condition: { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/ops-*" } },
    keys: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/ops-admin` },
    expected: true,
  },
  {
    rule: "StringLike with ?",
    condition: { StringLike: { "aws:RequestedRegion": "eu-west-?" } },
    keys: { "aws:RequestedRegion": "eu-west-1" },
    expected: true,
  },
  {
    rule: "StringLike is case-sensitive",
    condition: { StringLike: { "aws:RequestedRegion": "EU-*" } },
    keys: { "aws:RequestedRegion": "eu-west-1" },
    expected: false,
  },
  { rule: "StringLike on a missing key is false", condition: { StringLike: { "aws:RequestedRegion": "*" } }, keys: {}, expected: false },
  {
    rule: "StringNotLike on a missing key matches",
    condition: { StringNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/Admin" } },
    keys: { "aws:PrincipalArn": undefined },
    expected: true,
  },
  {
    rule: "StringNotLike with a matching value is false",
    condition: { StringNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/Admin*" } },
    keys: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/AdminX` },
    expected: false,
  },
  // Numeric
  { rule: "NumericEquals", condition: { NumericEquals: { "s3:max-keys": 10 } }, keys: { "s3:max-keys": "10" }, expected: true },
  {
    rule: "NumericEquals compares numerically (10.0 = 10)",
    condition: { NumericEquals: { "s3:max-keys": "10" } },
    keys: { "s3:max-keys": "10.0" },
    expected: true,
  },
  { rule: "NumericNotEquals", condition: { NumericNotEquals: { "s3:max-keys": 10 } }, keys: { "s3:max-keys": "11" }, expected: true },
  { rule: "NumericLessThan", condition: { NumericLessThan: { "s3:max-keys": 10 } }, keys: { "s3:max-keys": "9" }, expected: true },
  {
    rule: "NumericLessThan at the bound is false",
    condition: { NumericLessThan: { "s3:max-keys": 10 } },
    keys: { "s3:max-keys": "10" },
    expected: false,
  },
  {
    rule: "NumericLessThanEquals at the bound",
    condition: { NumericLessThanEquals: { "s3:max-keys": 10 } },
    keys: { "s3:max-keys": "10" },
    expected: true,
  },
  { rule: "NumericGreaterThan", condition: { NumericGreaterThan: { "s3:max-keys": 10 } }, keys: { "s3:max-keys": "11" }, expected: true },
  {
    rule: "NumericGreaterThanEquals below the bound is false",
    condition: { NumericGreaterThanEquals: { "s3:max-keys": 10 } },
    keys: { "s3:max-keys": "9" },
    expected: false,
  },
  {
    rule: "Numeric with a non-numeric request value is false",
    condition: { NumericEquals: { "s3:max-keys": 10 } },
    keys: { "s3:max-keys": "ten" },
    expected: false,
  },
  { rule: "NumericNotEquals on a missing key matches", condition: { NumericNotEquals: { "s3:max-keys": 10 } }, keys: {}, expected: true },
  // Date
  {
    rule: "DateGreaterThan with aws:CurrentTime",
    condition: { DateGreaterThan: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } },
    keys: { "aws:CurrentTime": "2025-06-01T12:00:00Z" },
    expected: true,
  },
  {
    rule: "DateLessThan with aws:CurrentTime",
    condition: { DateLessThan: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } },
    keys: { "aws:CurrentTime": "2025-06-01T12:00:00Z" },
    expected: false,
  },
  {
    rule: "DateEquals across formats (epoch seconds vs ISO)",
    condition: { DateEquals: { "aws:CurrentTime": "1735689600" } },
    keys: { "aws:CurrentTime": "2025-01-01T00:00:00Z" },
    expected: true,
  },
  {
    rule: "DateNotEquals",
    condition: { DateNotEquals: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } },
    keys: { "aws:CurrentTime": "2025-01-02T00:00:00Z" },
    expected: true,
  },
  {
    rule: "DateLessThanEquals at the bound",
    condition: { DateLessThanEquals: { "aws:EpochTime": "2025-01-01T00:00:00Z" } },
    keys: { "aws:EpochTime": "1735689600" },
    expected: true,
  },
  {
    rule: "DateGreaterThanEquals below the bound is false",
    condition: { DateGreaterThanEquals: { "aws:CurrentTime": "2025-01-02T00:00:00Z" } },
    keys: { "aws:CurrentTime": "2025-01-01T00:00:00Z" },
    expected: false,
  },
  {
    rule: "aws:CurrentTime defaults to the request time",
    condition: { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } },
    keys: {},
    now: new Date("2029-12-31T23:59:59Z"),
    expected: true,
  },
  {
    rule: "aws:EpochTime defaults to the request time",
    condition: { DateGreaterThan: { "aws:EpochTime": "2030-01-01T00:00:00Z" } },
    keys: {},
    now: new Date("2029-12-31T23:59:59Z"),
    expected: false,
  },
  // Bool and Binary
  { rule: "Bool true", condition: { Bool: { "aws:SecureTransport": true } }, keys: { "aws:SecureTransport": "true" }, expected: true },
  {
    rule: "Bool false vs true",
    condition: { Bool: { "aws:SecureTransport": "false" } },
    keys: { "aws:SecureTransport": "true" },
    expected: false,
  },
  {
    rule: "Bool is case-insensitive on true/false",
    condition: { Bool: { "aws:MultiFactorAuthPresent": "True" } },
    keys: { "aws:MultiFactorAuthPresent": "true" },
    expected: true,
  },
  {
    rule: "Bool on a non-boolean request value is false",
    condition: { Bool: { "aws:SecureTransport": "true" } },
    keys: { "aws:SecureTransport": "yes" },
    expected: false,
  },
  { rule: "BinaryEquals compares base64 bytes", condition: { BinaryEquals: { "s3:x": "QUJD" } }, keys: { "s3:x": "QUJD" }, expected: true },
  { rule: "BinaryEquals different bytes", condition: { BinaryEquals: { "s3:x": "QUJD" } }, keys: { "s3:x": "QUJE" }, expected: false },
  // IP
  {
    rule: "IpAddress IPv4 in CIDR",
    condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } },
    keys: { "aws:SourceIp": "203.0.113.7" },
    expected: true,
  },
  {
    rule: "IpAddress IPv4 outside CIDR",
    condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } },
    keys: { "aws:SourceIp": "203.0.114.7" },
    expected: false,
  },
  {
    rule: "IpAddress single address means /32",
    condition: { IpAddress: { "aws:SourceIp": "203.0.113.7" } },
    keys: { "aws:SourceIp": "203.0.113.7" },
    expected: true,
  },
  {
    rule: "IpAddress IPv6 in CIDR",
    condition: { IpAddress: { "aws:SourceIp": "2001:db8::/32" } },
    keys: { "aws:SourceIp": "2001:db8:1234::1" },
    expected: true,
  },
  {
    rule: "IpAddress IPv6 outside CIDR",
    condition: { IpAddress: { "aws:SourceIp": "2001:db8::/32" } },
    keys: { "aws:SourceIp": "2001:db9::1" },
    expected: false,
  },
  {
    rule: "IpAddress IPv4 address vs IPv6 block never matches",
    condition: { IpAddress: { "aws:SourceIp": "2001:db8::/32" } },
    keys: { "aws:SourceIp": "10.0.0.1" },
    expected: false,
  },
  {
    rule: "IpAddress list is ORed",
    condition: { IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } },
    keys: { "aws:SourceIp": "192.168.4.4" },
    expected: true,
  },
  {
    rule: "NotIpAddress outside the block",
    condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8"] } },
    keys: { "aws:SourceIp": "11.0.0.1" },
    expected: true,
  },
  {
    rule: "NotIpAddress inside the block",
    condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8"] } },
    keys: { "aws:SourceIp": "10.1.2.3" },
    expected: false,
  },
  {
    rule: "NotIpAddress on a missing key matches",
    condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8"] } },
    keys: {},
    expected: true,
  },
  // ARN
  { rule: "ArnEquals exact", condition: { ArnEquals: { "aws:PrincipalArn": MEMBER_ROLE } }, keys: {}, expected: true },
  {
    rule: "ArnLike with wildcards per component",
    condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/Dev*" } },
    keys: {},
    expected: true,
  },
  {
    rule: "ArnEquals also accepts wildcards (IAM treats it like ArnLike)",
    condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::*:role/Developer" } },
    keys: {},
    expected: true,
  },
  {
    rule: "ArnLike is case-sensitive",
    condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/developer" } },
    keys: {},
    expected: false,
  },
  {
    rule: "ArnLike on a non-ARN value is false",
    condition: { ArnLike: { "aws:SourceArn": "*" } },
    keys: { "aws:SourceArn": "not-an-arn" },
    expected: false,
  },
  {
    rule: "ArnNotEquals with another ARN",
    condition: { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::*:role/Admin" } },
    keys: {},
    expected: true,
  },
  {
    rule: "ArnNotLike on a missing key matches",
    condition: { ArnNotLike: { "aws:SourceArn": "arn:aws:s3:::*" } },
    keys: {},
    expected: true,
  },
  // Null
  { rule: "Null true: key absent", condition: { Null: { "aws:PrincipalTag/team": "true" } }, keys: {}, expected: true },
  {
    rule: "Null true: key present",
    condition: { Null: { "aws:PrincipalTag/team": "true" } },
    keys: { "aws:PrincipalTag/team": "x" },
    expected: false,
  },
  {
    rule: "Null false: key present",
    condition: { Null: { "aws:PrincipalTag/team": false } },
    keys: { "aws:PrincipalTag/team": "x" },
    expected: true,
  },
  { rule: "Null false: key absent", condition: { Null: { "aws:PrincipalTag/team": "false" } }, keys: {}, expected: false },
  {
    rule: "Null true: an empty multivalued key counts as absent",
    condition: { Null: { "aws:TagKeys": "true" } },
    keys: { "aws:TagKeys": [] },
    expected: true,
  },
  // IfExists
  {
    rule: "IfExists on a missing key is true",
    condition: { StringEqualsIfExists: { "aws:RequestedRegion": "eu-west-1" } },
    keys: {},
    expected: true,
  },
  {
    rule: "IfExists on a present key is checked",
    condition: { StringEqualsIfExists: { "aws:RequestedRegion": "eu-west-1" } },
    keys: { "aws:RequestedRegion": "us-east-1" },
    expected: false,
  },
  {
    rule: "IfExists works with any base operator (NumericLessThanIfExists)",
    condition: { NumericLessThanIfExists: { "s3:max-keys": 10 } },
    keys: {},
    expected: true,
  },
  {
    rule: "BoolIfExists on a missing key is true",
    condition: { BoolIfExists: { "aws:SecureTransport": "false" } },
    keys: {},
    expected: true,
  },
  // Set qualifiers
  {
    rule: "ForAllValues on an empty set is true",
    condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] } },
    keys: { "aws:TagKeys": [] },
    expected: true,
  },
  {
    rule: "ForAllValues on a missing key is true",
    condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] } },
    keys: {},
    expected: true,
  },
  {
    rule: "ForAllValues when every value is allowed",
    condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] } },
    keys: { "aws:TagKeys": ["a", "b"] },
    expected: true,
  },
  {
    rule: "ForAllValues when one value is not allowed",
    condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] } },
    keys: { "aws:TagKeys": ["a", "c"] },
    expected: false,
  },
  {
    rule: "ForAllValues with StringLike",
    condition: { "ForAllValues:StringLike": { "aws:TagKeys": ["team-*"] } },
    keys: { "aws:TagKeys": ["team-a", "team-b"] },
    expected: true,
  },
  {
    rule: "ForAllValues with a negated operator: no value may match",
    condition: { "ForAllValues:StringNotEquals": { "aws:TagKeys": ["secret"] } },
    keys: { "aws:TagKeys": ["a", "secret"] },
    expected: false,
  },
  {
    rule: "ForAnyValue on a missing key is false",
    condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } },
    keys: {},
    expected: false,
  },
  {
    rule: "ForAnyValue on an empty set is false",
    condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } },
    keys: { "aws:TagKeys": [] },
    expected: false,
  },
  {
    rule: "ForAnyValue when one value matches",
    condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } },
    keys: { "aws:TagKeys": ["x", "a"] },
    expected: true,
  },
  {
    rule: "ForAnyValue when no value matches",
    condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } },
    keys: { "aws:TagKeys": ["x", "y"] },
    expected: false,
  },
  {
    rule: "ForAnyValue with a negated operator: some value does not match",
    condition: { "ForAnyValue:StringNotEquals": { "aws:TagKeys": ["a"] } },
    keys: { "aws:TagKeys": ["a", "b"] },
    expected: true,
  },
  {
    rule: "ForAnyValue...IfExists on a missing key is true",
    condition: { "ForAnyValue:StringEqualsIfExists": { "aws:TagKeys": ["a"] } },
    keys: {},
    expected: true,
  },
  {
    rule: "single-valued operator on a multivalued key: any value matches",
    condition: { StringEquals: { "aws:TagKeys": "b" } },
    keys: { "aws:TagKeys": ["a", "b"] },
    expected: true,
  },
  // Policy variables
  {
    rule: "policy variable in a condition value is substituted",
    condition: { StringEquals: { "aws:ResourceTag/owner": "${aws:PrincipalTag/owner}" } },
    keys: { "aws:ResourceTag/owner": "alice", "aws:PrincipalTag/owner": "alice" },
    version: "2012-10-17",
    expected: true,
  },
  {
    rule: "policy variable mismatch",
    condition: { StringEquals: { "aws:ResourceTag/owner": "${aws:PrincipalTag/owner}" } },
    keys: { "aws:ResourceTag/owner": "alice", "aws:PrincipalTag/owner": "bob" },
    version: "2012-10-17",
    expected: false,
  },
  {
    rule: "policy variable names are case-insensitive",
    condition: { StringEquals: { "aws:ResourceTag/owner": "${AWS:principaltag/OWNER}" } },
    keys: { "aws:ResourceTag/owner": "alice", "aws:PrincipalTag/owner": "alice" },
    version: "2012-10-17",
    expected: true,
  },
  {
    rule: "missing policy variable: a positive operator does not match",
    condition: { StringEquals: { "aws:ResourceTag/owner": "${aws:PrincipalTag/owner}" } },
    keys: { "aws:ResourceTag/owner": "alice" },
    version: "2012-10-17",
    expected: false,
  },
  {
    rule: "missing policy variable: a negated operator matches",
    condition: { StringNotEquals: { "aws:ResourceTag/owner": "${aws:PrincipalTag/owner}" } },
    keys: { "aws:ResourceTag/owner": "alice" },
    version: "2012-10-17",
    expected: true,
  },
  {
    rule: "policy variable default value",
    condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team, 'none'}" } },
    keys: { "aws:ResourceTag/team": "none" },
    version: "2012-10-17",
    expected: true,
  },
  {
    rule: "policy variable inside StringLike stays literal",
    condition: { StringLike: { "aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/*" } },
    keys: {},
    version: "2012-10-17",
    expected: true,
  },
  {
    rule: "${*} is a literal asterisk in StringLike",
    condition: { StringLike: { "s3:prefix": "home/${*}" } },
    keys: { "s3:prefix": "home/x" },
    version: "2012-10-17",
    expected: false,
  },
  {
    rule: "${*} matches a real asterisk",
    condition: { StringLike: { "s3:prefix": "home/${*}" } },
    keys: { "s3:prefix": "home/*" },
    version: "2012-10-17",
    expected: true,
  },
  {
    rule: "variables are not substituted under Version 2008-10-17",
    condition: { StringEquals: { "aws:ResourceTag/owner": "${aws:PrincipalTag/owner}" } },
    keys: { "aws:ResourceTag/owner": "alice", "aws:PrincipalTag/owner": "alice" },
    version: "2008-10-17",
    expected: false,
  },
  // Misc
  {
    rule: "an unknown operator never holds",
    condition: { StringEqualz: { "aws:RequestedRegion": "eu-west-1" } },
    keys: { "aws:RequestedRegion": "eu-west-1" },
    expected: false,
  },
  {
    rule: "operator names are matched case-insensitively at evaluation",
    condition: { stringequals: { "aws:RequestedRegion": "eu-west-1" } },
    keys: { "aws:RequestedRegion": "eu-west-1" },
    expected: true,
  },
  { rule: "an empty Condition holds", condition: {}, keys: {}, expected: true },
];

for (const row of condRows) {
  test(`condition: ${row.rule}`, () => {
    const c: RequestContext = {
      action: "s3:GetObject",
      resource: "*",
      keys: { "aws:PrincipalArn": MEMBER_ROLE, "aws:PrincipalAccount": ACCOUNT, ...row.keys },
    };
    if (row.now !== undefined) c.now = row.now;
    assert.equal(evaluateCondition(row.condition, c, row.version ?? "2012-10-17"), row.expected);
  });
}

// -------------------------------------------------------------------------------------------
// Helpers
// -------------------------------------------------------------------------------------------

const wildcardRows: { pattern: string; value: string; ignoreCase?: boolean; expected: boolean }[] = [
  { pattern: "*", value: "", expected: true },
  { pattern: "", value: "", expected: true },
  { pattern: "", value: "a", expected: false },
  { pattern: "a*b*c", value: "aXXbYYc", expected: true },
  { pattern: "a*b*c", value: "aXXbYY", expected: false },
  { pattern: "*a*a*a*a*b", value: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", expected: false },
  { pattern: "??", value: "ab", expected: true },
  { pattern: "??", value: "abc", expected: false },
  { pattern: "AbC", value: "abc", ignoreCase: true, expected: true },
  { pattern: "AbC", value: "abc", expected: false },
];

for (const row of wildcardRows) {
  test(`wildcard: "${row.pattern}" vs "${row.value}"${row.ignoreCase ? " (ignore case)" : ""}`, () => {
    assert.equal(wildcardMatch(row.pattern, row.value, row.ignoreCase ?? false), row.expected);
  });
}

test("helpers: actionMatches and resourceMatches", () => {
  assert.equal(actionMatches("Organizations:Leave*", "organizations:LeaveOrganization"), true);
  assert.equal(resourceMatches("arn:aws:s3:::b/*", "arn:aws:s3:::b/k"), true);
  assert.equal(resourceMatches("*", "*"), true);
});

const cidrRows: { ip: string; cidr: string; expected: boolean }[] = [
  { ip: "10.0.0.1", cidr: "10.0.0.0/8", expected: true },
  { ip: "10.0.0.1", cidr: "0.0.0.0/0", expected: true },
  { ip: "10.0.0.1", cidr: "10.0.0.2/32", expected: false },
  { ip: "256.0.0.1", cidr: "0.0.0.0/0", expected: false },
  { ip: "10.0.0.1", cidr: "10.0.0.0/33", expected: false },
  { ip: "::1", cidr: "::1/128", expected: true },
  { ip: "2001:db8::1", cidr: "2001:0db8:0000:0000:0000:0000:0000:0000/64", expected: true },
  { ip: "2001:db8:0:1::1", cidr: "2001:db8::/64", expected: false },
  { ip: "::ffff:192.0.2.1", cidr: "192.0.2.0/24", expected: true },
  { ip: "::ffff:192.0.2.1", cidr: "::ffff:192.0.2.0/120", expected: true },
  { ip: "1:2:3:4:5:6:7:8:9", cidr: "::/0", expected: false },
  { ip: "1::2::3", cidr: "::/0", expected: false },
];

for (const row of cidrRows) {
  test(`ipInCidr: ${row.ip} in ${row.cidr} is ${row.expected}`, () => {
    assert.equal(ipInCidr(row.ip, row.cidr), row.expected);
  });
}

// -------------------------------------------------------------------------------------------
// Denial messages
// -------------------------------------------------------------------------------------------

const ORG = "o-abcdefghij";
const MGMT = "111111111111";
const arnOf = (id: string) => `arn:aws:organizations::${MGMT}:policy/${ORG}/service_control_policy/${id}`;

const messageRows: { rule: string; decision: Decision; ctx: RequestContext; arnOf?: (id: string) => string; expected: string }[] = [
  {
    rule: "explicit deny names the denying policy ARN",
    decision: evaluateScps(
      path([FULL], [FULL, denyLeave], [FULL]),
      ctx("organizations:LeaveOrganization", `arn:aws:organizations::${MGMT}:account/${ORG}/${ACCOUNT}`),
    ),
    ctx: ctx("organizations:LeaveOrganization", `arn:aws:organizations::${MGMT}:account/${ORG}/${ACCOUNT}`),
    expected: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: organizations:LeaveOrganization on resource: arn:aws:organizations::${MGMT}:account/${ORG}/${ACCOUNT} with an explicit deny in a service control policy: ${arnOf("p-denyleave1")}`,
  },
  {
    rule: "implicit deny: because no service control policy allows the action",
    decision: evaluateScps(
      path([FULL], [allowS3], [FULL]),
      ctx("organizations:LeaveOrganization", `arn:aws:organizations::${MGMT}:account/${ORG}/${ACCOUNT}`),
    ),
    ctx: ctx("organizations:LeaveOrganization", `arn:aws:organizations::${MGMT}:account/${ORG}/${ACCOUNT}`),
    expected: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: organizations:LeaveOrganization on resource: arn:aws:organizations::${MGMT}:account/${ORG}/${ACCOUNT} because no service control policy allows the organizations:LeaveOrganization action`,
  },
  {
    rule: "resource * is omitted (action without resource-level permissions)",
    decision: evaluateScps(path([FULL], [allowS3], [FULL]), ctx("sts:GetCallerIdentity")),
    ctx: ctx("sts:GetCallerIdentity"),
    expected: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: sts:GetCallerIdentity because no service control policy allows the sts:GetCallerIdentity action`,
  },
  {
    rule: "no policy ARN when policyArnOf returns an empty string",
    decision: evaluateScps(path([FULL, denyLeave], [FULL], [FULL]), LEAVE),
    ctx: LEAVE,
    arnOf: () => "",
    expected: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: organizations:LeaveOrganization with an explicit deny in a service control policy`,
  },
  {
    rule: "RCP wording",
    decision: {
      allowed: false,
      kind: "EXPLICIT_DENY",
      policyType: "RESOURCE_CONTROL_POLICY",
      decidingLevel: { targetId: ROOT, targetType: "ROOT", policyId: "p-rcp0000001" },
      levels: [],
    },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::b/k"),
    arnOf: (id) => `arn:aws:organizations::${MGMT}:policy/${ORG}/resource_control_policy/${id}`,
    expected: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a resource control policy: arn:aws:organizations::${MGMT}:policy/${ORG}/resource_control_policy/p-rcp0000001`,
  },
  {
    rule: "RCP implicit wording",
    decision: { allowed: false, kind: "IMPLICIT_DENY", policyType: "RESOURCE_CONTROL_POLICY", levels: [] },
    ctx: ctx("s3:GetObject", "arn:aws:s3:::b/k"),
    expected: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no resource control policy allows the s3:GetObject action`,
  },
  {
    rule: "an allowed decision has no message",
    decision: evaluateScps(path([FULL], [FULL], [FULL]), LEAVE),
    ctx: LEAVE,
    expected: "",
  },
];

for (const row of messageRows) {
  test(`denialMessage: ${row.rule}`, () => {
    assert.equal(denialMessage(`arn:aws:iam::${ACCOUNT}:root`, row.ctx, row.decision, row.arnOf ?? arnOf), row.expected);
  });
}

// -------------------------------------------------------------------------------------------
// Exempt principals
// -------------------------------------------------------------------------------------------

const exemptRows: { arn: string; exempt: boolean; rule: string }[] = [
  {
    rule: "service-linked role",
    arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations`,
    exempt: true,
  },
  {
    rule: "service-linked role in GovCloud",
    arn: `arn:aws-us-gov:iam::${ACCOUNT}:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO`,
    exempt: true,
  },
  {
    rule: "session of a service-linked role",
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForOrganizations/session`,
    exempt: true,
  },
  { rule: "ordinary role", arn: `arn:aws:iam::${ACCOUNT}:role/Developer`, exempt: false },
  { rule: "OrganizationAccountAccessRole is not exempt", arn: `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`, exempt: false },
  { rule: "session of an ordinary role", arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/session`, exempt: false },
  { rule: "root user", arn: `arn:aws:iam::${ACCOUNT}:root`, exempt: false },
  { rule: "role merely named like a service role path", arn: `arn:aws:iam::${ACCOUNT}:role/my/aws-service-role/x`, exempt: false },
];

for (const row of exemptRows) {
  test(`isExemptPrincipal: ${row.rule}`, () => {
    assert.equal(isExemptPrincipal(row.arn), row.exempt);
  });
}
