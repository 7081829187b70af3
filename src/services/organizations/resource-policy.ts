/**
 * The organization's resource-based delegation policy (PutResourcePolicy and its kin): an IAM-style
 * document, written by the management account, that lets member accounts run Organizations' read
 * actions and its policy-management actions. `resourcePolicyAllows` answers the authorization
 * step's question "does the delegation policy grant this action to this member account?".
 *
 * What a delegation policy may hold (AWS's "Delegated administrator for AWS Organizations" and its
 * example policies): statements with a `Principal` naming accounts of the organization (account
 * ids, root ARNs or IAM principal ARNs of those accounts), `Action` among the read-only actions
 * (Describe*, List*) and the policy-management actions, `Resource` "*" or ARNs of the
 * organization's own resources, and optional conditions (e.g. on `organizations:PolicyType`).
 */
import type {
  DescribeResourcePolicyResponse,
  PutResourcePolicyRequest,
  PutResourcePolicyResponse,
  ResourcePolicy,
  Tag,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import type { ResourcePolicyTable } from "../../store/schema.js";
import type { AwsError } from "../../protocol/errors.js";
import { POLICY_VERSIONS } from "../../policy/document-types.js";
import { POLICY_TYPES } from "../../policy/policy-types.js";
import { JsonSyntaxError, parseJsonStrict, type JsonObject, type JsonValue } from "../../policy/strict-json.js";
import { actionMatches, evaluateCondition, resourceMatches, wildcardMatch } from "../../policy/evaluate.js";
import { requestContext } from "../../policy/request-context.js";
import { loadModel } from "../../protocol/model.js";
import { arns, newResourcePolicyId } from "../../org/ids.js";
import { errors, constraintViolation, invalidInput } from "../../org/errors.js";
import { recordEvent } from "../../org/events.js";
import { getAccountRow, isVisible, requireOrg, type OrgRow } from "../../org/repo.js";
import { putTags, validateTags } from "../../org/tags.js";

// Messages: INVALID_PRINCIPAL and ORGANIZATION_NOT_IN_ALL_FEATURES_MODE are the API Reference's
// descriptions (B in docs/research/aws-messages.md); AWS documents no wording for the other
// reasons, so these are orgsim's.
export const MESSAGES = {
  invalidJson: "The provided policy document is not a valid JSON resource policy.",
  invalidPrincipal: "You specified an invalid principal element in the policy.",
  unsupportedAction: "The resource policy contains an action that is not supported in a delegation policy.",
  unsupportedResource: "The resource policy contains a resource that is not supported in a delegation policy.",
  unsupportedPolicyType: "The resource policy contains a policy type that is not supported.",
  tagsOnUpdate: "Tags can be given only when the resource policy is first created, not when an existing resource policy is updated.",
  notAllFeatures:
    "You attempted to perform an operation that requires the organization to be configured to support all features. An organization that supports only consolidated billing features can't perform this operation.",
} as const;

/** The uid of Organizations' service model (its row's in services/table.ts, which imports this module). */
const ORGANIZATIONS_MODEL_UID = "organizations-2016-11-28";

/** The policy-management actions a delegation policy may grant, besides every Describe* and List* action. */
export const DELEGABLE_WRITE_ACTIONS: readonly string[] = [
  "CreatePolicy",
  "UpdatePolicy",
  "DeletePolicy",
  "AttachPolicy",
  "DetachPolicy",
  "EnablePolicyType",
  "DisablePolicyType",
  "TagResource",
  "UntagResource",
];

/** The Organizations operations a delegation policy may grant (without the "organizations:" prefix). */
export function isDelegableAction(operation: string): boolean {
  return operation.startsWith("Describe") || operation.startsWith("List") || DELEGABLE_WRITE_ACTIONS.includes(operation);
}

/** Every IAM action name of Organizations (its operations, from the service model), for matching wildcard actions. */
function organizationsOperations(): readonly string[] {
  return Object.keys(loadModel(ORGANIZATIONS_MODEL_UID).operations);
}

const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);

const badJson = (): AwsError => invalidInput("INVALID_RESOURCE_POLICY_JSON", MESSAGES.invalidJson);
const badPrincipal = (): AwsError => invalidInput("INVALID_PRINCIPAL", MESSAGES.invalidPrincipal);
const badAction = (): AwsError => invalidInput("UNSUPPORTED_ACTION_IN_RESOURCE_POLICY", MESSAGES.unsupportedAction);
const badResource = (): AwsError => invalidInput("UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY", MESSAGES.unsupportedResource);
const badPolicyType = (): AwsError => invalidInput("UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY", MESSAGES.unsupportedPolicyType);

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);
}

/** A string, or a non-empty array of strings; anything else is malformed JSON for a policy. */
function stringList(v: JsonValue | undefined): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")) return v as string[];
  throw badJson();
}

/** One statement of a delegation policy, normalized. */
export interface DelegationStatement {
  sid?: string;
  effect: "Allow" | "Deny";
  /** Principal entries of type AWS: account ids or ARNs. */
  principals: string[];
  actions: string[];
  /** Undefined: every resource. */
  resources?: string[];
  condition?: Record<string, Record<string, string | string[]>>;
}

/** Parses the document's JSON and its IAM grammar; InvalidInputException INVALID_RESOURCE_POLICY_JSON when either is wrong. */
export function parseDelegationPolicy(content: string): { version?: string; statements: DelegationStatement[] } {
  let doc: JsonValue;
  try {
    doc = parseJsonStrict(content);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw badJson();
    throw err;
  }
  if (!isObject(doc)) throw badJson();
  for (const key of Object.keys(doc)) if (!["Version", "Id", "Statement"].includes(key)) throw badJson();
  const version = doc.Version;
  if (version !== undefined && (typeof version !== "string" || !(POLICY_VERSIONS as readonly string[]).includes(version))) throw badJson();
  if (doc.Id !== undefined && typeof doc.Id !== "string") throw badJson();
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) throw badJson();
  const statements = list.map((s): DelegationStatement => {
    if (!isObject(s)) throw badJson();
    for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) throw badJson();
    if (s.Effect !== "Allow" && s.Effect !== "Deny") throw badJson();
    if (s.Sid !== undefined && typeof s.Sid !== "string") throw badJson();
    // A delegation policy names whom it grants: Principal is required, NotPrincipal unsupported.
    if (s.NotPrincipal !== undefined || s.Principal === undefined) throw badPrincipal();
    const principals = parsePrincipal(s.Principal);
    if (s.NotAction !== undefined) throw badAction();
    if (s.Action === undefined) throw badJson();
    const actions = stringList(s.Action);
    if (s.NotResource !== undefined) throw badResource();
    const resources = s.Resource === undefined ? undefined : stringList(s.Resource);
    const condition = s.Condition === undefined ? undefined : parseCondition(s.Condition);
    const out: DelegationStatement = { effect: s.Effect, principals, actions };
    if (typeof s.Sid === "string") out.sid = s.Sid;
    if (resources !== undefined) out.resources = resources;
    if (condition !== undefined) out.condition = condition;
    return out;
  });
  return version === undefined ? { statements } : { version: version as string, statements };
}

function parsePrincipal(p: JsonValue): string[] {
  if (!isObject(p)) throw badPrincipal();
  const keys = Object.keys(p);
  if (keys.length !== 1 || keys[0] !== "AWS") throw badPrincipal();
  const v = p.AWS;
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")) return v as string[];
  throw badPrincipal();
}

function parseCondition(c: JsonValue): Record<string, Record<string, string | string[]>> {
  if (!isObject(c)) throw badJson();
  const out: Record<string, Record<string, string | string[]>> = {};
  for (const [operator, block] of Object.entries(c)) {
    if (!isObject(block)) throw badJson();
    const keys: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(block)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || !values.every((x) => typeof x === "string" || typeof x === "number" || typeof x === "boolean"))
        throw badJson();
      const strings = values.map((x) => String(x));
      keys[key] = Array.isArray(value) ? strings : strings[0]!;
    }
    out[operator] = keys;
  }
  return out;
}

/** The account a principal entry names: a 12-digit id, a root ARN, or an IAM user/role ARN of the partition. */
export function principalAccount(entry: string, partition: string): string | undefined {
  if (/^\d{12}$/.test(entry)) return entry;
  const m = /^arn:([a-z0-9-]+):(iam|sts)::(\d{12}):(.+)$/.exec(entry);
  if (!m || m[1] !== partition) return undefined;
  const [, , service, account, resource] = m;
  if (service === "iam" && (resource === "root" || /^(user|role)\/[\w+=,.@\-/]+$/.test(resource!))) return account;
  if (service === "sts" && /^assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+$/.test(resource!)) return account;
  return undefined;
}

/** Organizations' actions that `pattern` (e.g. "organizations:List*") names; undefined when it is not an Organizations action. */
function matchedOperations(pattern: string, operations: readonly string[]): string[] | undefined {
  const colon = pattern.indexOf(":");
  if (colon < 0) return undefined;
  const service = pattern.slice(0, colon);
  if (!wildcardMatch(service, "organizations", true)) return undefined;
  return operations.filter((operation) => actionMatches(pattern, `organizations:${operation}`));
}

/** Checks principals, actions, resources and policy types against what a delegation policy may hold. */
async function checkStatements(
  ctx: CallContext,
  org: OrgRow,
  statements: DelegationStatement[],
  operations: readonly string[],
): Promise<void> {
  const resourcePrefix = `arn:${org.partition}:organizations::${org.management_account_id}:`;
  for (const stmt of statements) {
    for (const entry of stmt.principals) {
      const account = principalAccount(entry, org.partition);
      if (account === undefined || account === org.management_account_id) throw badPrincipal();
      const row = await getAccountRow(ctx.tx, account);
      if (!row || row.org_id !== org.id || !isVisible(row, ctx.now)) throw badPrincipal();
    }
    for (const action of stmt.actions) {
      const matched = matchedOperations(action, operations);
      // Every action the pattern names must be delegable; a pattern naming none is no supported action.
      if (matched === undefined || matched.length === 0 || !matched.every(isDelegableAction)) throw badAction();
    }
    for (const resource of stmt.resources ?? []) {
      if (resource === "*") continue;
      if (!resource.startsWith(resourcePrefix)) throw badResource();
      const rest = resource.slice(resourcePrefix.length);
      if (!/^(organization|account|root|ou|policy|handshake|resourcepolicy)\//.test(rest) && rest !== "*") throw badResource();
    }
    for (const block of Object.values(stmt.condition ?? {})) {
      for (const [key, value] of Object.entries(block)) {
        if (key.toLowerCase() !== "organizations:policytype") continue;
        for (const v of Array.isArray(value) ? value : [value]) {
          if (!POLICY_TYPES.some((t) => wildcardMatch(v, t, false))) throw badPolicyType();
        }
      }
    }
  }
}

function toResourcePolicy(row: ResourcePolicyTable): ResourcePolicy {
  return { ResourcePolicySummary: { Id: row.id, Arn: row.arn }, Content: row.content };
}

async function findPolicy(ctx: CallContext, org: OrgRow): Promise<ResourcePolicyTable | undefined> {
  return ctx.tx.selectFrom("resource_policies").selectAll().where("org_id", "=", org.id).executeTakeFirst();
}

export const PutResourcePolicy = op(async (ctx, input: PutResourcePolicyRequest): Promise<PutResourcePolicyResponse> => {
  const org = await requireOrg(ctx);
  if (org.feature_set !== "ALL") throw constraintViolation("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", MESSAGES.notAllFeatures);
  const content = input.Content!;
  const parsed = parseDelegationPolicy(content);
  await checkStatements(ctx, org, parsed.statements, organizationsOperations());
  const tags = (input.Tags ?? []) as Tag[];
  const existing = await findPolicy(ctx, org);
  if (existing && tags.length > 0) throw invalidInput("UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED", MESSAGES.tagsOnUpdate);
  let row: ResourcePolicyTable;
  if (existing) {
    row = { ...existing, content };
    await ctx.tx.updateTable("resource_policies").set({ content }).where("org_id", "=", org.id).execute();
  } else {
    validateTags(tags);
    const id = newResourcePolicyId();
    row = { org_id: org.id, id, arn: arns.resourcePolicy(org.partition, org.management_account_id, org.id, id), content };
    await ctx.tx.insertInto("resource_policies").values(row).execute();
    if (tags.length > 0) await putTags(ctx, id, tags);
  }
  await recordEvent(ctx, org.id, "PutResourcePolicy", { resourcePolicyId: row.id });
  return { ResourcePolicy: toResourcePolicy(row) };
});

export const DescribeResourcePolicy = op(async (ctx, _input: Record<string, never>): Promise<DescribeResourcePolicyResponse> => {
  const org = await requireOrg(ctx);
  const row = await findPolicy(ctx, org);
  if (!row) throw errors.resourcePolicyNotFound();
  return { ResourcePolicy: toResourcePolicy(row) };
});

export const DeleteResourcePolicy = op(async (ctx, _input: Record<string, never>): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  const row = await findPolicy(ctx, org);
  if (!row) throw errors.resourcePolicyNotFound();
  await ctx.tx.deleteFrom("resource_policies").where("org_id", "=", org.id).execute();
  await ctx.tx.deleteFrom("tags").where("resource_id", "=", row.id).execute();
  await recordEvent(ctx, org.id, "DeleteResourcePolicy", { resourcePolicyId: row.id });
  return {};
});

/** Optional facts of the request, for statements that name resources or carry conditions. */
export interface DelegationRequest {
  /** The caller's principal ARN (a statement may name one IAM role or user); the account's root when absent. */
  principalArn?: string;
  /** The resource ARN the call acts on; when absent, `Resource` elements are not checked. */
  resource?: string;
  /** Extra condition keys, e.g. { "organizations:PolicyType": "BACKUP_POLICY" }. */
  keys?: Record<string, string | string[]>;
}

/**
 * Whether the organization's delegation policy grants `organizations:<action>` to `accountId` (a
 * member account of `org`): an Allow statement names the account (or the caller's ARN) and the
 * action (wildcards allowed), and no Deny statement does. Only delegable actions can be granted.
 */
export async function resourcePolicyAllows(
  ctx: CallContext,
  org: OrgRow,
  accountId: string,
  action: string,
  request: DelegationRequest = {},
): Promise<boolean> {
  const operation = action.startsWith("organizations:") ? action.slice("organizations:".length) : action;
  if (accountId === org.management_account_id || !isDelegableAction(operation)) return false;
  const row = await findPolicy(ctx, org);
  if (!row) return false;
  let parsed: { version?: string; statements: DelegationStatement[] };
  try {
    parsed = parseDelegationPolicy(row.content);
  } catch {
    return false;
  }
  const principalArn = request.principalArn ?? arns.rootUser(org.partition, accountId);
  const rc = requestContext(ctx, org, `organizations:${operation}`, request.resource ?? "*", principalArn);
  rc.keys["aws:PrincipalAccount"] = accountId;
  for (const [key, value] of Object.entries(request.keys ?? {})) rc.keys[key] = value;
  let allowed = false;
  for (const stmt of parsed.statements) {
    if (!stmt.principals.some((p) => principalNames(p, accountId, principalArn, org.partition))) continue;
    if (!stmt.actions.some((a) => actionMatches(a, rc.action))) continue;
    if (
      request.resource !== undefined &&
      stmt.resources !== undefined &&
      !stmt.resources.some((r) => resourceMatches(r, request.resource!))
    )
      continue;
    if (!evaluateCondition(stmt.condition, rc, parsed.version)) continue;
    if (stmt.effect === "Deny") return false;
    allowed = true;
  }
  return allowed;
}

/** Does a principal entry name the caller: its account (id or root ARN) or exactly its ARN? */
function principalNames(entry: string, accountId: string, principalArn: string, partition: string): boolean {
  if (entry === accountId || entry === arns.rootUser(partition, accountId)) return true;
  return entry === principalArn;
}

/** For TagResource and its kin: whether `resourceId` (rp-...) is the organization's resource policy. */
export async function isOrganizationResourcePolicy(ctx: CallContext, org: OrgRow, resourceId: string): Promise<boolean> {
  const row = await findPolicy(ctx, org);
  return row !== undefined && row.id === resourceId;
}
