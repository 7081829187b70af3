/**
 * The access table (src/services/organizations/access.ts), operation by operation: each of the
 * model's operations is called, with a minimal valid input, as the management account, a
 * delegated administrator, a plain (invited) member and an account outside any organization,
 * and each caller gets what the operation's rule says from the authorization step:
 * - any: nobody is refused (no AccessDeniedException, no AWSOrganizationsNotInUseException);
 * - member: the outsider gets AWSOrganizationsNotInUseException, the three others are not refused;
 * - management: the outsider NotInUse, the member and the delegated administrator AccessDenied,
 *   the management account not refused;
 * - read: the outsider NotInUse, the member AccessDenied, the delegated administrator and the
 *   management account not refused.
 * A caller that is let through may get any other modelled error (a not-found for the made-up ids
 * below, a constraint...), never a validation error: the input is checked locally against the
 * model and the answer may not be an input-validation InvalidInputException, so every call is
 * known to have reached the authorization step.
 */
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { EnableAWSServiceAccessCommand, RegisterDelegatedAdministratorCommand } from "@aws-sdk/client-organizations";
import { loadModel } from "../src/protocol/model.js";
import { findViolations } from "../src/protocol/validate.js";
import { ACCESS, type AccessRule } from "../src/services/organizations/access.js";
import { useTestServer, rawOrganizationsCall, MANAGEMENT } from "./helpers/server.js";

const model = loadModel("organizations-2016-11-28");
const OPERATIONS = Object.keys(model.operations).sort();

const MEMBER = "222222222222";
const DELEGATED_ADMIN = "333333333333";
const OUTSIDER = "444444444444";
const GUARDDUTY = "guardduty.amazonaws.com";

type Caller = "outsider" | "member" | "delegated admin" | "management";
/** Calling order: the management account last, since its calls are the ones most likely to change the organization. */
const CALLERS: readonly [Caller, string][] = [
  ["outsider", OUTSIDER],
  ["member", MEMBER],
  ["delegated admin", DELEGATED_ADMIN],
  ["management", MANAGEMENT],
];

const ACCESS_DENIED = "AccessDeniedException";
const NOT_IN_USE = "AWSOrganizationsNotInUseException";

/** The InvalidInputException reasons the model-driven validation answers (src/protocol/validate.ts). */
const VALIDATION_REASONS = new Set([
  "INPUT_REQUIRED",
  "MIN_LENGTH_EXCEEDED",
  "MAX_LENGTH_EXCEEDED",
  "INVALID_PATTERN",
  "INVALID_ENUM",
  "INVALID_ENUM_POLICY_TYPE",
  "MIN_VALUE_EXCEEDED",
  "MAX_VALUE_EXCEEDED",
  "INVALID_LIST_MEMBER",
  "INVALID_PATTERN_TARGET_ID",
  "INVALID_SYNTAX_POLICY_ID",
  "INVALID_SYNTAX_ORGANIZATION_ARN",
]);

const s = useTestServer();
let rootId = "";

/**
 * A fresh organization: the management account, a member invited into it, a second invited
 * member that is GuardDuty's delegated administrator; the outsider is in no organization.
 */
async function buildFixture(): Promise<void> {
  ({ rootId } = await s.freshOrg());
  for (const id of [MEMBER, DELEGATED_ADMIN]) await s.invite(id);
  await s.orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: GUARDDUTY }));
  await s.orgs().send(new RegisterDelegatedAdministratorCommand({ AccountId: DELEGATED_ADMIN, ServicePrincipal: GUARDDUTY }));
}

beforeEach(async () => {
  await buildFixture();
});

// ---------------------------------------------------------------------------------------------
// Minimal valid inputs, from the model's input shapes

/**
 * Well-formed values by shape name. Ids name nothing that exists (a not-found after the access
 * step is fine), except the root, so that no call of a refused caller, nor a late one of the
 * management account, changes the fixture more than a rebuild can undo.
 */
function sampleFor(shapeName: string): unknown {
  switch (shapeName) {
    case "AccountId":
      return "123456789012";
    case "ChildId":
    case "TaggableResourceId":
      return "123456789012";
    case "PolicyId":
      return "p-examplepolicyid";
    case "ParentId":
    case "RootId":
    case "PolicyTargetId":
      return rootId;
    case "HandshakeId":
      return "h-examplehandshakeid";
    case "CreateAccountRequestId":
      return "car-examplecreateaccountrequestid";
    case "OrganizationalUnitId":
      return "ou-abcd-abcdefgh";
    case "ResponsibilityTransferId":
      return "rt-exampletransferid";
    case "Email":
      return "access-test@example.com";
    case "CreateAccountName":
    case "OrganizationalUnitName":
    case "PolicyName":
    case "ResponsibilityTransferName":
      return "access-test";
    case "PolicyDescription":
      return "access test";
    case "PolicyContent":
    case "ResourcePolicyContent":
      return "{}";
    case "ServicePrincipal":
      return GUARDDUTY;
    case "PolicyType":
      return "SERVICE_CONTROL_POLICY";
    case "EffectivePolicyType":
      return "TAG_POLICY";
    case "HandshakeParty":
      return { Type: "ACCOUNT", Id: "123456789012" };
    case "TagKey":
      return "access-test";
    case "TagValue":
      return "v";
    case "Timestamp": {
      // awsJson timestamps are epoch seconds: the beginning of tomorrow (UTC), as transfers want.
      const day = 86_400;
      return (Math.floor(Date.now() / 1000 / day) + 1) * day;
    }
    default:
      return undefined;
  }
}

/** A value of the shape: the sample of its name, else one built from its type and constraints. */
function valueOf(shapeName: string): unknown {
  const sample = sampleFor(shapeName);
  if (sample !== undefined) return sample;
  const shape = model.shapes[shapeName];
  assert.ok(shape, `the model has no shape ${shapeName}`);
  switch (shape.type) {
    case "structure":
      return requiredMembers(shapeName);
    case "list":
      return Array.from({ length: Math.max(1, shape.min ?? 1) }, () => valueOf(shape.member!.shape));
    case "map":
      return {};
    case "string":
      if (shape.enum) return shape.enum[0];
      return "x".repeat(Math.max(1, shape.min ?? 1));
    case "integer":
    case "long":
    case "double":
    case "float":
      return shape.min ?? 1;
    case "boolean":
      return false;
    case "timestamp":
      return Math.floor(Date.now() / 1000);
    default:
      throw new Error(`no sample for shape ${shapeName} (${shape.type})`);
  }
}

/** The structure's required members only (optional ones, such as DescribeEffectivePolicy's TargetId, stay out). */
function requiredMembers(shapeName: string): Record<string, unknown> {
  const shape = model.shapes[shapeName]!;
  const out: Record<string, unknown> = {};
  for (const name of shape.required ?? []) out[name] = valueOf(shape.members![name]!.shape);
  return out;
}

function inputFor(operation: string): Record<string, unknown> {
  const ref = model.operations[operation]!.input;
  return ref ? requiredMembers(ref.shape) : {};
}

// ---------------------------------------------------------------------------------------------
// Raw awsJson calls

interface Answer {
  status: number;
  type?: string;
  reason?: string;
  message?: string;
}

async function call(operation: string, accountId: string, input: Record<string, unknown>): Promise<Answer> {
  const res = await rawOrganizationsCall(s.endpoint, operation, accountId, JSON.stringify(input));
  const body = (res.text ? JSON.parse(res.text) : {}) as { __type?: string; Message?: string; Reason?: string };
  if (res.status === 200) return { status: 200 };
  return { status: res.status, type: body.__type, reason: body.Reason, message: body.Message };
}

const show = (a: Answer): string =>
  a.status === 200 ? "200 OK" : `${a.status} ${a.type}${a.reason ? ` (${a.reason})` : ""}: ${a.message}`;

/** What each caller must (or must not) get, by rule. */
function expectation(operation: string, rule: AccessRule, caller: Caller): { must?: string; mustNot: string[] } {
  const refused = [ACCESS_DENIED, NOT_IN_USE];
  if (rule === "any") return { mustNot: refused };
  // An outsider gets NotInUse where the operation's model lists it, else AccessDenied (CancelHandshake).
  const notInUseModelled = (model.operations[operation]!.errors ?? []).some((e) => e.shape === NOT_IN_USE);
  if (caller === "outsider") return { must: notInUseModelled ? NOT_IN_USE : ACCESS_DENIED, mustNot: [] };
  if (caller === "management") return { mustNot: refused };
  if (caller === "member") return rule === "member" ? { mustNot: refused } : { must: ACCESS_DENIED, mustNot: [] };
  // delegated admin
  return rule === "management" ? { must: ACCESS_DENIED, mustNot: [] } : { mustNot: refused };
}

const DESCRIPTIONS: Record<AccessRule, string> = {
  any: "nobody is refused, in an organization or not",
  member: "the outsider gets NotInUse; management, delegated admin and member are not refused",
  management: "the outsider gets NotInUse, member and delegated admin AccessDenied; management is not refused",
  read: "the outsider gets NotInUse, a plain member AccessDenied; management and delegated admin are not refused",
};

const READ_ONLY = /^(Describe|List)/;

/** Every answer of the per-operation tests, for the last test. */
const answers: { operation: string; caller: Caller; tag: string; answer: Answer }[] = [];

test("Access: the table names exactly the model's 63 operations", () => {
  assert.equal(OPERATIONS.length, 63);
  assert.deepEqual(Object.keys(ACCESS).sort(), OPERATIONS);
});

for (const operation of OPERATIONS) {
  const rule: AccessRule = ACCESS[operation] ?? "management";
  test(`Access: ${operation} is ${rule}: ${DESCRIPTIONS[rule]}`, async () => {
    assert.ok(Object.hasOwn(ACCESS, operation), `access.ts has no rule for ${operation}`);
    const failures: string[] = [];
    for (const [caller, accountId] of CALLERS) {
      const input = inputFor(operation);
      // The input keeps every constraint of the model, so validation (which runs first) lets it through.
      const ref = model.operations[operation]!.input;
      if (ref)
        assert.deepEqual(
          findViolations(model, ref.shape, input),
          [],
          `${operation}: the test's input ${JSON.stringify(input)} is not valid`,
        );

      const answer = await call(operation, accountId, input);
      const tag = `${operation} as ${caller} (${accountId}) with ${JSON.stringify(input)} answered ${show(answer)}`;
      // The call reached the authorization step: no validation error, no crash.
      assert.notEqual(answer.type, "SerializationException", tag);
      assert.ok(
        !(answer.type === "InvalidInputException" && VALIDATION_REASONS.has(answer.reason ?? "")),
        `validation refused the input: ${tag}`,
      );
      assert.ok(answer.status < 500, `crashed: ${tag}`);
      answers.push({ operation, caller, tag, answer });

      const { must, mustNot } = expectation(operation, rule, caller);
      if (must !== undefined && answer.type !== must) failures.push(`expected ${must}: ${tag}`);
      if (answer.type !== undefined && mustNot.includes(answer.type)) failures.push(`expected not ${answer.type}: ${tag}`);

      // A call that went through and may have changed the organization (a member that left, an
      // outsider that created its own organization...): rebuild it for the next caller.
      if (answer.status === 200 && !READ_ONLY.test(operation)) await buildFixture();
    }
    assert.deepEqual(failures, [], failures.join("\n"));
  });
}

test("Access: every refusal (and every other error) a caller gets is among the operation's modelled errors", (t) => {
  if (answers.length < OPERATIONS.length * CALLERS.length) {
    t.skip("needs the per-operation tests above to have run");
    return;
  }
  const unmodelled = answers
    .filter(
      ({ operation, answer }) => answer.status !== 200 && !(model.operations[operation]!.errors ?? []).some((e) => e.shape === answer.type),
    )
    .map(({ tag }) => `not a modelled error: ${tag}`);
  assert.deepEqual(unmodelled, [], unmodelled.join("\n"));
});
