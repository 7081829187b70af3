import { test } from "node:test";
import assert from "node:assert/strict";
import { AwsError } from "../src/protocol/errors.js";
import { parseConditionOperator } from "../src/policy/condition-operators.js";
import { parsePolicyDocument } from "../src/policy/document.js";
import { statementsOf, type PolicyDocument } from "../src/policy/document-types.js";
import { MALFORMED_POLICY_MESSAGE } from "../src/policy/malformed.js";
import {
  AISERVICES_OPT_OUT_POLICY_MAX_CHARS,
  AUTHORIZATION_POLICY_MAX_CHARS,
  FULL_AWS_ACCESS_CONTENT,
  MANAGEMENT_POLICY_MAX_CHARS,
  POLICY_CONTENT_LIMIT_MESSAGE,
  POLICY_CONTENT_MAX_CHARS,
  POLICY_TYPES,
  RCP_FULL_AWS_ACCESS_CONTENT,
  maxPolicyContentChars,
} from "../src/policy/policy-types.js";
import { JsonSyntaxError, parseJsonStrict, parseOrderedJson } from "../src/policy/strict-json.js";

const SCP = "SERVICE_CONTROL_POLICY";
const RCP = "RESOURCE_CONTROL_POLICY";

function j(value: unknown): string {
  return JSON.stringify(value);
}

function scp(...statements: unknown[]): string {
  return j({ Version: "2012-10-17", Statement: statements });
}

function rcp(...statements: unknown[]): string {
  return j({ Version: "2012-10-17", Statement: statements });
}

function catchAws(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  assert.fail("expected an AwsError");
}

// -------------------------------------------------------------------------------------------
// Documents that AWS accepts
// -------------------------------------------------------------------------------------------

interface ValidRow {
  rule: string;
  type: string;
  text: string;
  awsManaged?: boolean;
}

const denyStmt = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" };

const validRows: ValidRow[] = [
  { rule: "FullAWSAccess (the default SCP) is valid", type: SCP, text: FULL_AWS_ACCESS_CONTENT },
  {
    rule: "SCP without Version is accepted (the guide's own examples omit it)",
    type: SCP,
    text: j({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }),
  },
  {
    rule: "Version 2008-10-17 is accepted for SCPs",
    type: SCP,
    text: j({ Version: "2008-10-17", Statement: { Effect: "Deny", Action: "s3:*", Resource: "*" } }),
  },
  {
    rule: "Id element is accepted",
    type: SCP,
    text: j({ Version: "2012-10-17", Id: "my-policy", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
  },
  { rule: "Statement may be a single object", type: SCP, text: j({ Statement: { Effect: "Deny", Action: "ec2:*", Resource: "*" } }) },
  {
    rule: "Action may be a string or an array",
    type: SCP,
    text: scp({ Effect: "Deny", Action: ["iam:*", "ec2:*", "rds:*"], Resource: "*" }),
  },
  {
    rule: "SCP Resource is optional (Allow s3:* without Resource)",
    type: SCP,
    text: j({ Statement: { Effect: "Allow", Action: "s3:*" } }),
  },
  {
    rule: "SCP Deny with specific resource ARNs",
    type: SCP,
    text: scp({ Effect: "Deny", Action: ["iam:DeleteRole"], Resource: ["arn:aws:iam::*:role/role-to-deny"] }),
  },
  {
    rule: "full IAM language: Allow with a Condition (since Sept 2025)",
    type: SCP,
    text: scp({ Effect: "Allow", Action: "ec2:*", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } }),
  },
  {
    rule: "full IAM language: Allow with individual resource ARNs",
    type: SCP,
    text: scp({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }),
  },
  {
    rule: "full IAM language: NotAction with Allow",
    type: SCP,
    text: scp({ Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" }),
  },
  {
    rule: "full IAM language: NotResource with Allow",
    type: SCP,
    text: scp({ Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" }),
  },
  {
    rule: "full IAM language: NotResource with Deny",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "s3:*", NotResource: ["arn:aws:s3:::ok", "arn:aws:s3:::ok/*"] }),
  },
  {
    rule: "full IAM language: wildcard at the beginning of an action",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "ec2:*Instances", Resource: "*" }),
  },
  {
    rule: "full IAM language: wildcard in the middle of an action",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "iam:*Access*Key*", Resource: "*" }),
  },
  { rule: "? wildcard in an action", type: SCP, text: scp({ Effect: "Deny", Action: "organizations:LeaveOrganizatio?", Resource: "*" }) },
  { rule: "service prefix with a hyphen", type: SCP, text: scp({ Effect: "Deny", Action: "execute-api:Invoke", Resource: "*" }) },
  {
    rule: "Deny with NotAction and StringNotEquals (region lock example)",
    type: SCP,
    text: scp({
      Sid: "DenyAllOutsideEU",
      Effect: "Deny",
      NotAction: ["cloudfront:*", "iam:*", "route53:*", "support:*"],
      Resource: "*",
      Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-central-1", "eu-west-1"] } },
    }),
  },
  {
    rule: "every condition operator with IfExists and set qualifiers",
    type: SCP,
    text: scp({
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: {
        "ForAnyValue:StringLikeIfExists": { "aws:TagKeys": ["a*"] },
        "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] },
        NumericLessThanEquals: { "s3:max-keys": 10 },
        Bool: { "aws:SecureTransport": false },
        Null: { "aws:PrincipalTag/team": "true" },
        DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" },
        IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"] },
        ArnNotLikeIfExists: { "aws:PrincipalArn": "arn:aws:iam::*:role/Admin" },
        BinaryEquals: { "s3:x": "QUJD" },
      },
    }),
  },
  {
    rule: "policy variables in Resource and Condition values",
    type: SCP,
    text: scp({
      Effect: "Deny",
      Action: "iam:*",
      Resource: "arn:aws:iam::${aws:PrincipalAccount}:role/*",
      Condition: { StringNotEquals: { "aws:ResourceTag/owner": "${aws:PrincipalTag/owner}" } },
    }),
  },
  {
    rule: "Sids are letters and digits, unique",
    type: SCP,
    text: scp({ Sid: "One1", Effect: "Allow", Action: "*", Resource: "*" }, { Sid: "Two2", Effect: "Deny", Action: "s3:*", Resource: "*" }),
  },
  {
    rule: "white space everywhere is fine",
    type: SCP,
    text: `\n\t{ "Version" : "2012-10-17" ,\r\n "Statement" : [ { "Effect" : "Allow" , "Action" : "*" , "Resource" : "*" } ] }\n`,
  },
  { rule: "RCP: Deny with Principal *, Action, Resource", type: RCP, text: rcp(denyStmt) },
  {
    rule: "RCP: Deny with NotResource and a Condition",
    type: RCP,
    text: rcp({
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*", "sqs:*"],
      NotResource: "arn:aws:s3:::public/*",
      Condition: { BoolIfExists: { "aws:SecureTransport": "false" } },
    }),
  },
  {
    rule: "RCP: wildcards anywhere in the action name",
    type: RCP,
    text: rcp({ Effect: "Deny", Principal: "*", Action: "sts:*Role*", Resource: "*" }),
  },
  {
    rule: "RCP: RCPFullAWSAccess (Allow, Action *) is valid as an AWS managed policy",
    type: RCP,
    text: RCP_FULL_AWS_ACCESS_CONTENT,
    awsManaged: true,
  },
  {
    rule: "tag policy from the inheritance guide (Policy A)",
    type: "TAG_POLICY",
    text: j({ tags: { costcenter: { tag_key: { "@@assign": "CostCenter" }, tag_value: { "@@assign": ["Development", "Support"] } } } }),
  },
  {
    rule: "tag policy with child control operators (Policy E)",
    type: "TAG_POLICY",
    text: j({
      tags: {
        project: {
          tag_key: { "@@operators_allowed_for_child_policies": ["@@none"], "@@assign": "Project" },
          tag_value: { "@@operators_allowed_for_child_policies": ["@@append"], "@@assign": ["Maintenance", "Escalations"] },
        },
      },
    }),
  },
  {
    rule: "node with only a child control operator (Policy H)",
    type: "TAG_POLICY",
    text: j({ tags: { project: { tag_value: { "@@operators_allowed_for_child_policies": ["@@append", "@@remove"] } } } }),
  },
  {
    rule: "@@append and @@remove together",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { tag_value: { "@@append": ["A"], "@@remove": ["B"] } } } }),
  },
  {
    rule: "backup policy with nested settings",
    type: "BACKUP_POLICY",
    text: j({
      plans: {
        daily: {
          regions: { "@@append": ["us-east-1"] },
          rules: {
            r1: { schedule_expression: { "@@assign": "cron(0 5 ? * * *)" }, lifecycle: { delete_after_days: { "@@assign": "35" } } },
          },
        },
      },
    }),
  },
  {
    rule: "AI services opt-out policy",
    type: "AISERVICES_OPT_OUT_POLICY",
    text: j({ services: { default: { opt_out_policy: { "@@assign": "optOut" } } } }),
  },
  {
    rule: "declarative policy for EC2",
    type: "DECLARATIVE_POLICY_EC2",
    text: j({ ec2_attributes: { image_block_public_access: { state: { "@@assign": "block_new_sharing" } } } }),
  },
  {
    rule: "chatbot, Security Hub, Inspector and other management types share the syntax",
    type: "SECURITYHUB_POLICY",
    text: j({ securityhub: { enable_in_regions: { "@@append": ["ALL_SUPPORTED"] } } }),
  },
  {
    rule: "plain values without an operator are accepted (treated as @@assign)",
    type: "CHATBOT_POLICY",
    text: j({ chatbot: { platforms: { slack: { client: { "@@assign": "enabled" } } }, default: "x" } }),
  },
];

for (const row of validRows) {
  test(`valid: ${row.rule}`, () => {
    const doc = parsePolicyDocument(row.text, row.type, { awsManaged: row.awsManaged ?? false });
    assert.ok(Array.isArray(doc.Statement));
  });
}

for (const type of POLICY_TYPES) {
  if (type === SCP || type === RCP) continue;
  test(`valid: every management type (${type}) accepts an operator document`, () => {
    const doc = parsePolicyDocument(j({ setting: { "@@assign": "x" } }), type);
    assert.deepEqual(doc.Statement, []);
    assert.deepEqual(JSON.parse(JSON.stringify(doc.managementContent)), { setting: { "@@assign": "x" } });
  });
}

// -------------------------------------------------------------------------------------------
// Documents AWS rejects
// -------------------------------------------------------------------------------------------

interface InvalidRow {
  rule: string;
  type: string;
  text: string;
  /** A pattern the message must contain (after AWS's generic first sentence). */
  message: RegExp;
}

const allowAll = { Effect: "Allow", Action: "*", Resource: "*" };

const invalidRows: InvalidRow[] = [
  // JSON syntax
  {
    rule: "invalid JSON reports line and column",
    type: SCP,
    text: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow" "Action": "*"}\n  ]\n}',
    message: /Invalid JSON at line 4, column 24 \(character 70\): unexpected '"'; expected ',' or '}' after the value of "Effect"/,
  },
  { rule: "empty document", type: SCP, text: "   ", message: /the document is empty/ },
  {
    rule: "trailing comma in an array",
    type: SCP,
    text: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},]}',
    message: /trailing comma before '\]'/,
  },
  {
    rule: "trailing comma in an object",
    type: SCP,
    text: '{"Statement":{"Effect":"Allow","Action":"*",}}',
    message: /trailing comma before '}'/,
  },
  { rule: "single-quoted strings", type: SCP, text: "{'Statement': []}", message: /double quotes/ },
  { rule: "unterminated string", type: SCP, text: '{"Statement": "abc', message: /unterminated string/ },
  { rule: "bare word", type: SCP, text: '{"Statement": allow}', message: /unexpected 'allow'/ },
  {
    rule: "more than one policy object (two top-level objects)",
    type: SCP,
    text: `${j({ Statement: allowAll })}\n${j({ Statement: allowAll })}`,
    message: /after the end of the top-level value; a policy must consist of exactly one JSON object/,
  },
  {
    rule: "more than one Statement element (duplicate key)",
    type: SCP,
    text: `{"Statement": ${j(allowAll)}, "Statement": ${j(allowAll)}}`,
    message: /duplicate key "Statement"/,
  },
  {
    rule: "duplicate key inside a statement",
    type: SCP,
    text: '{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"*"}}',
    message: /duplicate key "Effect"/,
  },
  {
    rule: "raw control character in a string",
    type: SCP,
    text: '{"Statement":"a\nb"}',
    message: /a line break is not allowed inside a string/,
  },
  { rule: "invalid escape", type: SCP, text: '{"Statement":"\\x"}', message: /invalid escape sequence '\\x'/ },
  { rule: "policy is an array, not an object", type: SCP, text: j([allowAll]), message: /The policy must be a JSON object, not an array/ },
  // Top level
  { rule: "missing Statement", type: SCP, text: j({ Version: "2012-10-17" }), message: /no Statement element; Statement is required/ },
  {
    rule: "unknown top-level key",
    type: SCP,
    text: j({ Version: "2012-10-17", Statement: allowAll, Extra: 1 }),
    message: /Unknown top-level element "Extra"/,
  },
  {
    rule: "top-level keys are case sensitive",
    type: SCP,
    text: j({ statement: allowAll }),
    message: /Unknown top-level element "statement" \(did you mean "Statement"\?/,
  },
  {
    rule: "Version must be 2012-10-17 or 2008-10-17",
    type: SCP,
    text: j({ Version: "2012-10-18", Statement: allowAll }),
    message: /Version: "2012-10-18" is not a valid policy version; Version must be "2012-10-17" or "2008-10-17"/,
  },
  {
    rule: "Version must be a string",
    type: SCP,
    text: j({ Version: 2012, Statement: allowAll }),
    message: /Version: a number is not a valid policy version/,
  },
  { rule: "Id must be a string", type: SCP, text: j({ Id: 5, Statement: allowAll }), message: /Id: Id must be a string/ },
  { rule: "empty Statement array", type: SCP, text: j({ Statement: [] }), message: /Statement array must contain at least one statement/ },
  {
    rule: "Statement must be an object or array",
    type: SCP,
    text: j({ Statement: "Allow" }),
    message: /Statement must be an object or an array of objects, not a string/,
  },
  {
    rule: "statement entry must be an object",
    type: SCP,
    text: j({ Statement: [allowAll, "x"] }),
    message: /Statement\[1\]: each statement must be a JSON object, not a string/,
  },
  // Statement elements
  {
    rule: "unknown statement key",
    type: SCP,
    text: scp({ ...allowAll, Actions: "*" }),
    message: /Statement\[0\]: unknown statement element "Actions"/,
  },
  {
    rule: "statement keys are case sensitive",
    type: SCP,
    text: scp({ effect: "Allow", Action: "*", Resource: "*" }),
    message: /unknown statement element "effect" \(did you mean "Effect"\?/,
  },
  {
    rule: "missing Effect",
    type: SCP,
    text: scp({ Action: "*", Resource: "*" }),
    message: /Statement\[0\]: the statement has no Effect element/,
  },
  {
    rule: "Effect is case sensitive",
    type: SCP,
    text: scp({ Effect: "allow", Action: "*", Resource: "*" }),
    message: /Statement\[0\]\.Effect: "allow" is not a valid effect; Effect must be "Allow" or "Deny"/,
  },
  {
    rule: "Effect not Allow/Deny",
    type: SCP,
    text: scp({ Effect: "Permit", Action: "*", Resource: "*" }),
    message: /"Permit" is not a valid effect/,
  },
  {
    rule: "both Action and NotAction",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "s3:*", NotAction: "iam:*", Resource: "*" }),
    message: /either Action or NotAction, not both/,
  },
  {
    rule: "neither Action nor NotAction",
    type: SCP,
    text: scp({ Effect: "Deny", Resource: "*" }),
    message: /no Action or NotAction element; one of them is required/,
  },
  {
    rule: "empty Action array",
    type: SCP,
    text: scp({ Effect: "Deny", Action: [], Resource: "*" }),
    message: /Statement\[0\]\.Action: Action must not be an empty array/,
  },
  {
    rule: "Action must be strings",
    type: SCP,
    text: scp({ Effect: "Deny", Action: ["s3:*", 5], Resource: "*" }),
    message: /Statement\[0\]\.Action\[1\]: each Action entry must be a string, not a number/,
  },
  {
    rule: "Action must be service:Action",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "s3GetObject", Resource: "*" }),
    message: /Statement\[0\]\.Action: "s3GetObject" is not a valid action/,
  },
  {
    rule: "Action with an empty action name",
    type: SCP,
    text: scp({ Effect: "Deny", Action: ["s3:"], Resource: "*" }),
    message: /Statement\[0\]\.Action\[0\]: "s3:" is not a valid action/,
  },
  {
    rule: "Action with two colons",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "s3:Get:Object", Resource: "*" }),
    message: /"s3:Get:Object" is not a valid action/,
  },
  {
    rule: "Action with a space",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "s3:Get Object", Resource: "*" }),
    message: /"s3:Get Object" is not a valid action/,
  },
  {
    rule: "NotAction entries are validated too",
    type: SCP,
    text: scp({ Effect: "Deny", NotAction: ["iam:*", "bogus"], Resource: "*" }),
    message: /Statement\[0\]\.NotAction\[1\]: "bogus" is not a valid action/,
  },
  {
    rule: "Principal is not supported in SCPs",
    type: SCP,
    text: scp({ Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: "*" }),
    message: /the Principal element is not supported in service control policies/,
  },
  {
    rule: "NotPrincipal is not supported in SCPs",
    type: SCP,
    text: scp({ Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "s3:*", Resource: "*" }),
    message: /the NotPrincipal element is not supported in service control policies/,
  },
  {
    rule: "both Resource and NotResource",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "s3:*", Resource: "*", NotResource: "arn:aws:s3:::x" }),
    message: /either Resource or NotResource, not both/,
  },
  {
    rule: "Resource must be * or an ARN",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "s3:*", Resource: "my-bucket" }),
    message: /Statement\[0\]\.Resource: "my-bucket" is not a valid resource/,
  },
  {
    rule: "Resource ARN needs six components",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "s3:*", Resource: ["arn:aws:s3"] }),
    message: /Statement\[0\]\.Resource\[0\]: "arn:aws:s3" is not a valid resource/,
  },
  {
    rule: "empty Resource array",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "s3:*", Resource: [] }),
    message: /Resource must not be an empty array/,
  },
  {
    rule: "Sid must be alphanumeric",
    type: SCP,
    text: scp({ Sid: "Deny-Leave", Effect: "Deny", Action: "*", Resource: "*" }),
    message: /Statement\[0\]\.Sid: "Deny-Leave" is not a valid statement ID/,
  },
  {
    rule: "Sid must be a string",
    type: SCP,
    text: scp({ Sid: 1, Effect: "Deny", Action: "*", Resource: "*" }),
    message: /Sid must be a string/,
  },
  {
    rule: "Sids must be unique",
    type: SCP,
    text: scp({ Sid: "A", ...allowAll }, { Sid: "A", Effect: "Deny", Action: "s3:*", Resource: "*" }),
    message: /Statement\[1\]\.Sid: duplicate statement ID "A"/,
  },
  // Conditions
  {
    rule: "unknown condition operator",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: { StringEqualz: { "aws:x": "y" } } }),
    message: /Statement\[0\]\.Condition\.StringEqualz: "StringEqualz" is not a valid condition operator/,
  },
  {
    rule: "condition operators are case sensitive",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: { stringequals: { "aws:x": "y" } } }),
    message: /"stringequals" is not a valid condition operator/,
  },
  {
    rule: "Null takes no IfExists",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: { NullIfExists: { "aws:x": "true" } } }),
    message: /"NullIfExists" is not a valid condition operator \(Null takes neither IfExists nor ForAnyValue\/ForAllValues\)/,
  },
  {
    rule: "Null takes no set qualifier",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: { "ForAnyValue:Null": { "aws:x": "true" } } }),
    message: /"ForAnyValue:Null" is not a valid condition operator/,
  },
  {
    rule: "Condition must be an object",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: ["x"] }),
    message: /Condition must be an object/,
  },
  {
    rule: "operator block must be an object",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: { StringEquals: "x" } }),
    message: /the value of condition operator StringEquals must be an object/,
  },
  {
    rule: "condition key needs a prefix",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: { StringEquals: { RequestedRegion: "x" } } }),
    message: /"RequestedRegion" is not a valid condition key/,
  },
  {
    rule: "empty list of condition values",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:x": [] } } }),
    message: /must not be empty/,
  },
  {
    rule: "null condition value",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:x": null } } }),
    message: /a condition value must be a string, number or boolean, not null/,
  },
  {
    rule: "object inside a condition value list",
    type: SCP,
    text: scp({ Effect: "Deny", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:x": ["a", {}] } } }),
    message: /Condition\.StringEquals\.aws:x\[1\]: a condition value must be a string, number or boolean, not an object/,
  },
  // RCP rules
  {
    rule: "RCP: Principal is required",
    type: RCP,
    text: rcp({ Effect: "Deny", Action: "s3:*", Resource: "*" }),
    message: /every RCP statement must contain "Principal": "\*"/,
  },
  {
    rule: "RCP: Principal must be *",
    type: RCP,
    text: rcp({ Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: "*" }),
    message: /you can only specify "\*" in the Principal element of an RCP/,
  },
  {
    rule: "RCP: NotPrincipal unsupported",
    type: RCP,
    text: rcp({ Effect: "Deny", NotPrincipal: "*", Action: "s3:*", Resource: "*" }),
    message: /NotPrincipal element is not supported in resource control policies/,
  },
  {
    rule: "RCP: Allow only in RCPFullAWSAccess",
    type: RCP,
    text: rcp({ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }),
    message: /RCPs that you create must use "Effect": "Deny"/,
  },
  {
    rule: "RCP: NotAction unsupported",
    type: RCP,
    text: rcp({ Effect: "Deny", Principal: "*", NotAction: "s3:*", Resource: "*" }),
    message: /NotAction element is not supported in resource control policies/,
  },
  {
    rule: "RCP: Action * alone not allowed in a customer managed RCP",
    type: RCP,
    text: rcp({ Effect: "Deny", Principal: "*", Action: "*", Resource: "*" }),
    message: /"\*" alone is not allowed in the Action element of a customer managed RCP/,
  },
  {
    rule: "RCP: Resource or NotResource required",
    type: RCP,
    text: rcp({ Effect: "Deny", Principal: "*", Action: "s3:*" }),
    message: /every RCP statement must contain one of them/,
  },
  {
    rule: "RCP: Version must be 2012-10-17",
    type: RCP,
    text: j({ Version: "2008-10-17", Statement: denyStmt }),
    message: /Version must be "2012-10-17"\./,
  },
  {
    rule: "RCP: RCPFullAWSAccess is rejected as a customer policy",
    type: RCP,
    text: RCP_FULL_AWS_ACCESS_CONTENT,
    message: /must use "Effect": "Deny"/,
  },
  // Management policies
  {
    rule: "management: must be a JSON object",
    type: "TAG_POLICY",
    text: j(["tags"]),
    message: /The policy must be a JSON object, not an array/,
  },
  { rule: "management: empty policy", type: "TAG_POLICY", text: "{}", message: /the policy element is empty/ },
  {
    rule: "management: unknown @@ operator",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { tag_key: { "@@replace": "CostCenter" } } } }),
    message: /tags\.cc\.tag_key\.@@replace: "@@replace" is not a valid inheritance operator/,
  },
  {
    rule: "management: operators are case sensitive",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { tag_key: { "@@Assign": "CostCenter" } } } }),
    message: /"@@Assign" is not a valid inheritance operator \(did you mean "@@assign"\?\)/,
  },
  {
    rule: "management: single @ typo",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { tag_key: { "@assign": "CostCenter" } } } }),
    message: /"@assign" is not a valid inheritance operator \(did you mean "@@assign"\?\)/,
  },
  {
    rule: "management: operators not allowed at the top level",
    type: "TAG_POLICY",
    text: j({ "@@assign": "x" }),
    message: /inheritance operators can't be used at the top level/,
  },
  {
    rule: "management: @@append needs an array",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { tag_value: { "@@append": "Marketing" } } } }),
    message:
      /tags\.cc\.tag_value\.@@append: @@append can be used only with multi-valued settings; its value must be an array, not a string/,
  },
  {
    rule: "management: @@remove needs an array",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { tag_value: { "@@remove": 3 } } } }),
    message: /@@remove can be used only with multi-valued settings/,
  },
  {
    rule: "management: empty @@append",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { tag_value: { "@@append": [] } } } }),
    message: /the array of values for @@append must not be empty/,
  },
  {
    rule: "management: @@assign can't hold an object",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { "@@assign": { a: 1 } } } }),
    message: /the value of @@assign must be a string, number, boolean or an array of them, not an object/,
  },
  { rule: "management: @@assign can't be null", type: "TAG_POLICY", text: j({ tags: { cc: { "@@assign": null } } }), message: /not null/ },
  {
    rule: "management: @@assign array of objects",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { "@@assign": ["a", { b: 1 }] } } }),
    message: /tags\.cc\.@@assign\[1\]: the values of @@assign must be strings, numbers or booleans/,
  },
  {
    rule: "management: child control needs an array",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { "@@operators_allowed_for_child_policies": "@@none", "@@assign": "x" } } }),
    message: /@@operators_allowed_for_child_policies must be an array/,
  },
  {
    rule: "management: child control unknown value",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { "@@operators_allowed_for_child_policies": ["@@bogus"], "@@assign": "x" } } }),
    message: /"@@bogus" is not a valid value for @@operators_allowed_for_child_policies/,
  },
  {
    rule: "management: @@all must stand alone",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { "@@operators_allowed_for_child_policies": ["@@all", "@@assign"], "@@assign": "x" } } }),
    message: /"@@all" and "@@none" must be the only value/,
  },
  {
    rule: "management: @@none must stand alone",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { "@@operators_allowed_for_child_policies": ["@@append", "@@none"] } } }),
    message: /"@@all" and "@@none" must be the only value/,
  },
  {
    rule: "management: empty child control list",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { "@@operators_allowed_for_child_policies": [] } } }),
    message: /must not be an empty array; use \["@@none"\]/,
  },
  {
    rule: "management: duplicate child control value",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { "@@operators_allowed_for_child_policies": ["@@append", "@@append"] } } }),
    message: /"@@append" is listed more than once/,
  },
  {
    rule: "management: empty nested element",
    type: "BACKUP_POLICY",
    text: j({ plans: { daily: {} } }),
    message: /plans\.daily: the policy element is empty/,
  },
  {
    rule: "management: value operator mixed with nested settings",
    type: "TAG_POLICY",
    text: j({ tags: { cc: { tag_value: { "@@remove": ["x"], enforced_for: { "@@remove": ["y"] } } } } }),
    message: /tags\.cc\.tag_value: a policy element can't combine value-setting operators/,
  },
  {
    rule: "management: null setting",
    type: "TAG_POLICY",
    text: j({ tags: { cc: null } }),
    message: /tags\.cc: a policy setting can't be null/,
  },
  {
    rule: "management: blank key",
    type: "TAG_POLICY",
    text: j({ tags: { " ": { "@@assign": "x" } } }),
    message: /policy keys must not be empty or blank/,
  },
  {
    rule: "management: invalid JSON",
    type: "BACKUP_POLICY",
    text: '{"plans": {',
    message: /Invalid JSON at line 1, column 12 \(character 12\)/,
  },
];

for (const row of invalidRows) {
  test(`invalid: ${row.rule}`, () => {
    const err = catchAws(() => parsePolicyDocument(row.text, row.type));
    assert.equal(err.code, "MalformedPolicyDocumentException");
    assert.equal(err.status, 400);
    assert.ok(err.message.startsWith(MALFORMED_POLICY_MESSAGE + " "), err.message);
    assert.match(err.message, row.message);
  });
}

// -------------------------------------------------------------------------------------------
// Size quotas
// -------------------------------------------------------------------------------------------

function padTo(text: string, length: number): string {
  // Pads with white space outside strings, which AWS counts against the quota.
  assert.ok(text.length <= length);
  return text + " ".repeat(length - text.length);
}

const sizeRows: { rule: string; type: string; base: string; length: number; ok: boolean }[] = [
  { rule: "SCP of exactly 5,120 characters is accepted", type: SCP, base: FULL_AWS_ACCESS_CONTENT, length: 5120, ok: true },
  {
    rule: "SCP of 5,121 characters exceeds the quota (white space counts)",
    type: SCP,
    base: FULL_AWS_ACCESS_CONTENT,
    length: 5121,
    ok: false,
  },
  { rule: "RCP of 5,121 characters exceeds the quota", type: RCP, base: rcp(denyStmt), length: 5121, ok: false },
  {
    rule: "tag policy of 10,000 characters is accepted",
    type: "TAG_POLICY",
    base: j({ tags: { a: { "@@assign": "b" } } }),
    length: 10000,
    ok: true,
  },
  {
    rule: "tag policy of 10,001 characters exceeds the quota",
    type: "TAG_POLICY",
    base: j({ tags: { a: { "@@assign": "b" } } }),
    length: 10001,
    ok: false,
  },
  {
    rule: "backup policy of 10,001 characters exceeds the quota",
    type: "BACKUP_POLICY",
    base: j({ plans: { a: { "@@assign": "b" } } }),
    length: 10001,
    ok: false,
  },
  {
    rule: "AI services opt-out policy of 2,500 characters is accepted",
    type: "AISERVICES_OPT_OUT_POLICY",
    base: j({ services: { default: { opt_out_policy: { "@@assign": "optOut" } } } }),
    length: 2500,
    ok: true,
  },
  {
    rule: "AI services opt-out policy of 2,501 characters exceeds its 2,500 quota",
    type: "AISERVICES_OPT_OUT_POLICY",
    base: j({ services: { default: { opt_out_policy: { "@@assign": "optOut" } } } }),
    length: 2501,
    ok: false,
  },
  { rule: "size is checked before syntax (oversized invalid JSON is a size error)", type: SCP, base: "{", length: 6000, ok: false },
];

for (const row of sizeRows) {
  test(`size: ${row.rule}`, () => {
    const text = padTo(row.base, row.length);
    if (row.ok) {
      parsePolicyDocument(text, row.type);
      return;
    }
    const err = catchAws(() => parsePolicyDocument(text, row.type));
    assert.equal(err.code, "ConstraintViolationException");
    assert.equal(err.message, POLICY_CONTENT_LIMIT_MESSAGE);
    assert.equal(err.fields.Reason, "POLICY_CONTENT_LIMIT_EXCEEDED");
  });
}

test("size: constants per type", () => {
  assert.equal(AUTHORIZATION_POLICY_MAX_CHARS, 5120);
  assert.equal(MANAGEMENT_POLICY_MAX_CHARS, 10000);
  assert.equal(AISERVICES_OPT_OUT_POLICY_MAX_CHARS, 2500);
  assert.equal(maxPolicyContentChars(SCP), 5120);
  assert.equal(maxPolicyContentChars(RCP), 5120);
  assert.equal(maxPolicyContentChars("DECLARATIVE_POLICY_EC2"), 10000);
  for (const type of POLICY_TYPES) assert.equal(typeof POLICY_CONTENT_MAX_CHARS[type], "number");
});

test("unknown policy type is InvalidInputException INVALID_ENUM_POLICY_TYPE", () => {
  const err = catchAws(() => parsePolicyDocument(FULL_AWS_ACCESS_CONTENT, "NOT_A_TYPE"));
  assert.equal(err.code, "InvalidInputException");
  assert.equal(err.fields.Reason, "INVALID_ENUM_POLICY_TYPE");
});

// -------------------------------------------------------------------------------------------
// Normalized output
// -------------------------------------------------------------------------------------------

test("parse normalizes Statement, Action, Resource and Condition values to arrays", () => {
  const doc: PolicyDocument = parsePolicyDocument(
    j({
      Version: "2012-10-17",
      Id: "x",
      Statement: {
        Sid: "S1",
        Effect: "Deny",
        Action: "s3:*",
        Resource: "arn:aws:s3:::b",
        Condition: { NumericLessThan: { "s3:max-keys": 10 }, Bool: { "aws:SecureTransport": false } },
      },
    }),
    SCP,
  );
  assert.equal(doc.Version, "2012-10-17");
  assert.equal(doc.Id, "x");
  assert.deepEqual(statementsOf(doc), [
    {
      Sid: "S1",
      Effect: "Deny",
      Action: ["s3:*"],
      Resource: ["arn:aws:s3:::b"],
      Condition: { NumericLessThan: { "s3:max-keys": ["10"] }, Bool: { "aws:SecureTransport": ["false"] } },
    },
  ]);
});

test("parse keeps NotAction/NotResource and RCP Principal", () => {
  const doc = parsePolicyDocument(
    rcp({ Effect: "Deny", Principal: "*", Action: ["sts:AssumeRole"], NotResource: "arn:aws:iam::*:role/ok" }),
    RCP,
  );
  assert.deepEqual(statementsOf(doc), [
    { Effect: "Deny", Principal: "*", Action: ["sts:AssumeRole"], NotResource: ["arn:aws:iam::*:role/ok"] },
  ]);
});

test("JSON parser: strict values, escapes, key order and duplicate detection", () => {
  assert.deepEqual(JSON.parse(JSON.stringify(parseJsonStrict('{"a":[1,-2.5e3,true,false,null,"\\u0041\\n\\"\\/"]}'))), {
    a: [1, -2500, true, false, null, 'A\n"/'],
  });
  const ordered = parseOrderedJson('{"2":1,"1":2,"b":3}');
  assert.equal(ordered.kind, "object");
  if (ordered.kind === "object")
    assert.deepEqual(
      ordered.entries.map(([k]) => k),
      ["2", "1", "b"],
    );
  assert.throws(
    () => parseJsonStrict('{"a":1,"a":2}'),
    (e: unknown) => e instanceof JsonSyntaxError && e.line === 1 && e.column === 8,
  );
  assert.throws(() => parseJsonStrict("01"), JsonSyntaxError);
  assert.throws(() => parseJsonStrict("1."), JsonSyntaxError);
  assert.throws(() => parseJsonStrict("[1 2]"), /expected ',' or '\]' in array/);
  const proto = parseJsonStrict('{"__proto__": {"x": 1}}');
  assert.deepEqual(Object.keys(proto as object), ["__proto__"]);
});

const operatorRows: { name: string; expected: ReturnType<typeof parseConditionOperator> }[] = [
  { name: "StringEquals", expected: { base: "StringEquals", ifExists: false } },
  { name: "StringEqualsIfExists", expected: { base: "StringEquals", ifExists: true } },
  { name: "ForAnyValue:StringLike", expected: { qualifier: "ForAnyValue", base: "StringLike", ifExists: false } },
  { name: "ForAllValues:ArnLikeIfExists", expected: { qualifier: "ForAllValues", base: "ArnLike", ifExists: true } },
  { name: "Null", expected: { base: "Null", ifExists: false } },
  { name: "NullIfExists", expected: undefined },
  { name: "ForAllValues:Null", expected: undefined },
  { name: "StringEqual", expected: undefined },
  { name: "IfExists", expected: undefined },
];

for (const row of operatorRows) {
  test(`condition operator grammar: ${row.name}`, () => {
    assert.deepEqual(parseConditionOperator(row.name), row.expected);
  });
}

test("condition operator grammar: case-insensitive mode (used by the evaluator)", () => {
  assert.deepEqual(parseConditionOperator("forallvalues:stringequalsifexists", false), {
    qualifier: "ForAllValues",
    base: "StringEquals",
    ifExists: true,
  });
  assert.equal(parseConditionOperator("stringequals"), undefined);
});
