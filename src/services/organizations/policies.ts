/**
 * Organization policies: creating and editing them, attaching them to roots, OUs and accounts,
 * enabling and disabling policy types, and effective management policies.
 *
 * Rules kept from AWS:
 * - Policies need all features: a CONSOLIDATED_BILLING organization can neither create policies
 *   nor enable a policy type (PolicyTypeNotAvailableForOrganizationException).
 * - A policy can be created before its type is enabled, but attached only once it is
 *   (PolicyTypeNotEnabledException).
 * - Enabling SCPs (RCPs) attaches the AWS managed FullAWSAccess (RCPFullAWSAccess) to the root and
 *   every OU and account; every target keeps at least one SCP; RCPFullAWSAccess can't be detached;
 *   AWS managed policies can't be edited or deleted; disabling a type detaches its policies.
 * - Each type has a per-target attachment limit and a per-organization policy count limit.
 * - Effective policies exist for management policy types only, for accounts only.
 */
import type {
  Account,
  AttachPolicyRequest,
  CreatePolicyRequest,
  CreatePolicyResponse,
  DeletePolicyRequest,
  DescribeEffectivePolicyRequest,
  DescribeEffectivePolicyResponse,
  DescribePolicyRequest,
  DescribePolicyResponse,
  DetachPolicyRequest,
  DisablePolicyTypeRequest,
  DisablePolicyTypeResponse,
  EffectivePolicyValidationError,
  EnablePolicyTypeRequest,
  EnablePolicyTypeResponse,
  ListAccountsWithInvalidEffectivePolicyRequest,
  ListAccountsWithInvalidEffectivePolicyResponse,
  ListEffectivePolicyValidationErrorsRequest,
  ListEffectivePolicyValidationErrorsResponse,
  ListPoliciesForTargetRequest,
  ListPoliciesForTargetResponse,
  ListPoliciesRequest,
  ListPoliciesResponse,
  ListTargetsForPolicyRequest,
  ListTargetsForPolicyResponse,
  Policy,
  PolicySummary,
  PolicyTargetSummary,
  Tag,
  UpdatePolicyRequest,
  UpdatePolicyResponse,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import { quotas } from "../../quotas.js";
import { parsePolicyDocument } from "../../policy/document.js";
import { isAuthorizationPolicyType, RESOURCE_CONTROL_POLICY, SERVICE_CONTROL_POLICY } from "../../policy/policy-types.js";
import { computeEffectivePolicy, type EffectivePolicyError, type EffectivePolicyLevel } from "../../policy/effective.js";
import { newPolicyId } from "../../org/ids.js";
import { errors, constraintViolation, invalidInput } from "../../org/errors.js";
import {
  bumpPolicyVersion,
  getAccountRow,
  getMemberAccount,
  getRoot,
  isDelegatedAdministrator,
  isPolicyTypeEnabled,
  isServiceAccessEnabled,
  isVisible,
  parsePolicyTypes,
  requireOrg,
  toAccount,
  toRoot,
  type AccountRow,
  type OrgRow,
  type RootRow,
} from "../../org/repo.js";
import {
  accountLevels,
  accountPath,
  attachedPolicies,
  AWS_MANAGED_ORG_ID,
  defaultPolicyIdFor,
  ensureAwsManagedPolicies,
  findPolicy,
  findTarget,
  policyArn,
  RCP_FULL_AWS_ACCESS_ID,
  type PolicyRow,
  type PolicyTargetType,
} from "../../org/policy-repo.js";
import { recordEvent } from "../../org/events.js";
import { pages } from "./pages.js";
import { nextSeq, nextSeqs } from "../../store/sequence.js";
import { putTags } from "../../org/tags.js";
import { POLICY_TYPE_SERVICE_PRINCIPALS } from "./service-principals.js";

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

/** Policies of a type attached directly to one root, OU or account (Quotas for AWS Organizations). */
export const MAX_ATTACHMENTS_PER_TARGET: Readonly<Record<string, number>> = {
  SERVICE_CONTROL_POLICY: 5,
  RESOURCE_CONTROL_POLICY: 5,
  AISERVICES_OPT_OUT_POLICY: 5,
  TAG_POLICY: 10,
  BACKUP_POLICY: 10,
};
/** The limit for management policy types the quotas page doesn't list. */
export const DEFAULT_MAX_ATTACHMENTS_PER_TARGET = 10;

export const maxAttachmentsFor = (policyType: string): number =>
  MAX_ATTACHMENTS_PER_TARGET[policyType] ?? DEFAULT_MAX_ATTACHMENTS_PER_TARGET;

/** Types of which every root, OU and account must keep at least one attached policy. */
const MIN_ONE_ATTACHED: readonly string[] = [SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY];

/** AWS managed policies that stay attached while their type is enabled. */
const NON_DETACHABLE: readonly string[] = [RCP_FULL_AWS_ACCESS_ID];

/** Operations whose events mark a change of the policies that apply somewhere (LastUpdatedTimestamp). */
const POLICY_CHANGE_EVENTS = ["AttachPolicy", "DetachPolicy", "UpdatePolicy", "EnablePolicyType", "DisablePolicyType"];

// ---------------------------------------------------------------------------------------------
// Errors without a shared constructor
// ---------------------------------------------------------------------------------------------

const immutablePolicy = () => invalidInput("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.");
const nonDetachablePolicy = () => invalidInput("NON_DETACHABLE_POLICY", "You can't detach this AWS Managed Policy.");
const targetNotSupported = () => invalidInput("TARGET_NOT_SUPPORTED", "You can't perform the specified operation on that target entity.");
const policyNumberLimit = () =>
  constraintViolation(
    "POLICY_NUMBER_LIMIT_EXCEEDED",
    "You attempted to exceed the number of policies that you can have in an organization.",
  );
const maxAttachmentLimit = () =>
  constraintViolation(
    "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.",
  );
const minAttachmentLimit = () =>
  constraintViolation(
    "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.",
  );
const serviceAccessNotEnabled = (type: string, service: string) =>
  constraintViolation(
    "SERVICE_ACCESS_NOT_ENABLED",
    `You attempted to enable a policy type before you enabled service access. Call the EnableAWSServiceAccess API first (${type} needs ${service}).`,
  );
const unsupportedEffectiveType = (policyType: string) =>
  invalidInput("INVALID_ENUM_POLICY_TYPE", `${policyType} isn't supported: effective policies exist only for management policy types.`);

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

function toSummary(org: OrgRow, row: PolicyRow): PolicySummary {
  return {
    Id: row.id,
    Arn: policyArn(org, row),
    Name: row.name,
    Description: row.description,
    Type: row.type as PolicySummary["Type"],
    AwsManaged: row.aws_managed === 1,
  };
}

function toPolicy(org: OrgRow, row: PolicyRow): Policy {
  return { PolicySummary: toSummary(org, row), Content: row.content };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async function requirePolicy(ctx: CallContext, org: OrgRow, policyId: string): Promise<PolicyRow> {
  const row = await findPolicy(ctx.tx, org.id, policyId);
  if (!row) throw errors.policyNotFound();
  return row;
}

async function requireTarget(ctx: CallContext, org: OrgRow, targetId: string) {
  const target = await findTarget(ctx.tx, org, targetId, ctx.now);
  if (!target) throw errors.targetNotFound();
  return target;
}

/** The organization's root when `rootId` names it; RootNotFoundException otherwise. */
async function requireRoot(ctx: CallContext, org: OrgRow, rootId: string): Promise<RootRow> {
  const root = await getRoot(ctx.tx, org.id);
  if (root.id !== rootId) throw errors.rootNotFound();
  return root;
}

/** Policies need all features. */
function requirePoliciesAvailable(org: OrgRow): void {
  if (org.feature_set !== "ALL") throw errors.policyTypeNotAvailable();
}

async function nameTaken(ctx: CallContext, org: OrgRow, type: string, name: string, except?: string): Promise<boolean> {
  let q = ctx.tx
    .selectFrom("policies")
    .select("id")
    .where("org_id", "in", [org.id, AWS_MANAGED_ORG_ID])
    .where("type", "=", type)
    .where("name", "=", name);
  if (except !== undefined) q = q.where("id", "!=", except);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

async function unusedPolicyId(ctx: CallContext): Promise<string> {
  for (;;) {
    const id = newPolicyId();
    const taken = await ctx.tx.selectFrom("policies").select("id").where("id", "=", id).executeTakeFirst();
    if (!taken) return id;
  }
}

async function isAttachedAnywhere(ctx: CallContext, policyId: string): Promise<boolean> {
  const row = await ctx.tx.selectFrom("policy_targets").select("policy_id").where("policy_id", "=", policyId).limit(1).executeTakeFirst();
  return row !== undefined;
}

async function isAttached(ctx: CallContext, org: OrgRow, policyId: string, targetId: string): Promise<boolean> {
  const row = await ctx.tx
    .selectFrom("policy_targets")
    .select("policy_id")
    .where("org_id", "=", org.id)
    .where("policy_id", "=", policyId)
    .where("target_id", "=", targetId)
    .executeTakeFirst();
  return row !== undefined;
}

async function setPolicyTypes(ctx: CallContext, root: RootRow, types: { Type: string; Status: string }[]): Promise<RootRow> {
  const policy_types = JSON.stringify(types);
  await ctx.tx.updateTable("roots").set({ policy_types }).where("id", "=", root.id).execute();
  return { ...root, policy_types };
}

/** Whether the caller may read about any account of the organization: the management account or a delegated administrator. */
async function readsWholeOrganization(ctx: CallContext, org: OrgRow): Promise<boolean> {
  return org.management_account_id === ctx.principal.accountId || isDelegatedAdministrator(ctx.tx, org.id, ctx.principal.accountId);
}

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

export const CreatePolicy = op(async (ctx, input: CreatePolicyRequest): Promise<CreatePolicyResponse> => {
  const org = await requireOrg(ctx);
  requirePoliciesAvailable(org);
  const type = input.Type!;
  const content = input.Content!;
  parsePolicyDocument(content, type);
  await ensureAwsManagedPolicies(ctx.tx);
  if (await nameTaken(ctx, org, type, input.Name!)) throw errors.duplicatePolicy();
  const count = await ctx.tx
    .selectFrom("policies")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("org_id", "=", org.id)
    .where("type", "=", type)
    .executeTakeFirstOrThrow();
  // Policies of one type an organization may hold (customer managed): the policiesPerType quota.
  if (Number(count.n) >= (await quotas(ctx)).policiesPerType) throw policyNumberLimit();
  const id = await unusedPolicyId(ctx);
  const row: PolicyRow = {
    id,
    org_id: org.id,
    arn: "",
    name: input.Name!,
    description: input.Description ?? "",
    type,
    aws_managed: 0,
    content,
    seq: await nextSeq(ctx.tx),
  };
  row.arn = policyArn(org, row);
  await ctx.tx.insertInto("policies").values(row).execute();
  if (input.Tags && input.Tags.length > 0) await putTags(ctx, id, input.Tags as Tag[]);
  await recordEvent(ctx, org.id, "CreatePolicy", { policyId: id, policyType: type, name: row.name });
  return { Policy: toPolicy(org, row) };
});

export const UpdatePolicy = op(async (ctx, input: UpdatePolicyRequest): Promise<UpdatePolicyResponse> => {
  const org = await requireOrg(ctx);
  const row = await requirePolicy(ctx, org, input.PolicyId!);
  if (row.aws_managed === 1) throw immutablePolicy();
  const updated: PolicyRow = { ...row };
  if (input.Name !== undefined && input.Name !== row.name) {
    if (await nameTaken(ctx, org, row.type, input.Name, row.id)) throw errors.duplicatePolicy();
    updated.name = input.Name;
  }
  if (input.Description !== undefined) updated.description = input.Description;
  if (input.Content !== undefined) {
    parsePolicyDocument(input.Content, row.type);
    updated.content = input.Content;
  }
  await ctx.tx
    .updateTable("policies")
    .set({ name: updated.name, description: updated.description, content: updated.content })
    .where("id", "=", row.id)
    .execute();
  if (updated.content !== row.content) await bumpPolicyVersion(ctx.tx, org.id);
  await recordEvent(ctx, org.id, "UpdatePolicy", {
    policyId: row.id,
    policyType: row.type,
    contentChanged: updated.content !== row.content,
  });
  return { Policy: toPolicy(org, updated) };
});

export const DeletePolicy = op(async (ctx, input: DeletePolicyRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  const row = await requirePolicy(ctx, org, input.PolicyId!);
  if (row.aws_managed === 1) throw immutablePolicy();
  if (await isAttachedAnywhere(ctx, row.id)) throw errors.policyInUse();
  await ctx.tx.deleteFrom("tags").where("resource_id", "=", row.id).execute();
  await ctx.tx.deleteFrom("policies").where("id", "=", row.id).execute();
  await recordEvent(ctx, org.id, "DeletePolicy", { policyId: row.id, policyType: row.type });
  return {};
});

export const DescribePolicy = op(async (ctx, input: DescribePolicyRequest): Promise<DescribePolicyResponse> => {
  const org = await requireOrg(ctx);
  return { Policy: toPolicy(org, await requirePolicy(ctx, org, input.PolicyId!)) };
});

export const ListPolicies = op(async (ctx, input: ListPoliciesRequest): Promise<ListPoliciesResponse> => {
  const org = await requireOrg(ctx);
  await ensureAwsManagedPolicies(ctx.tx);
  const type = input.Filter!;
  const page = await pages.paginate(
    ctx,
    `${org.id}:${type}`,
    input,
    pages.keyset(ctx.tx.selectFrom("policies").selectAll().where("org_id", "in", [org.id, AWS_MANAGED_ORG_ID]).where("type", "=", type)),
    (r) => toSummary(org, r),
  );
  return { Policies: page.items, NextToken: page.NextToken };
});

export const ListPoliciesForTarget = op(async (ctx, input: ListPoliciesForTargetRequest): Promise<ListPoliciesForTargetResponse> => {
  const org = await requireOrg(ctx);
  const target = await requireTarget(ctx, org, input.TargetId!);
  await ensureAwsManagedPolicies(ctx.tx);
  const type = input.Filter!;
  const page = await pages.paginate(
    ctx,
    `${org.id}:${target.id}:${type}`,
    input,
    pages.keyset(
      ctx.tx
        .selectFrom("policy_targets")
        .innerJoin("policies", "policies.id", "policy_targets.policy_id")
        .selectAll("policies")
        .where("policy_targets.org_id", "=", org.id)
        .where("policy_targets.target_id", "=", target.id)
        .where("policies.type", "=", type),
      "policies.seq",
    ),
    (r) => toSummary(org, r),
  );
  return { Policies: page.items, NextToken: page.NextToken };
});

export const ListTargetsForPolicy = op(async (ctx, input: ListTargetsForPolicyRequest): Promise<ListTargetsForPolicyResponse> => {
  const org = await requireOrg(ctx);
  const policy = await requirePolicy(ctx, org, input.PolicyId!);
  const attachments = pages.keyset(
    ctx.tx.selectFrom("policy_targets").select(["target_id", "seq"]).where("org_id", "=", org.id).where("policy_id", "=", policy.id),
  );
  const page = await pages.paginate(
    ctx,
    `${org.id}:${policy.id}`,
    input,
    {
      // Each attachment's target is looked up as its page is read; one no longer there is skipped.
      fetch: async (after, limit) => {
        const rows = await attachments.fetch(after, limit);
        const out: { key: string; summary: PolicyTargetSummary | undefined }[] = [];
        for (const r of rows) {
          const target = await findTarget(ctx.tx, org, r.target_id, ctx.now);
          out.push({
            key: attachments.keyOf(r),
            summary: target && { TargetId: target.id, Arn: target.arn, Name: target.name, Type: target.type },
          });
        }
        return out;
      },
      keyOf: (r) => r.key,
    },
    (r) => r.summary,
  );
  return { Targets: page.items, NextToken: page.NextToken };
});

// ---------------------------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------------------------

export const AttachPolicy = op(async (ctx, input: AttachPolicyRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  const policy = await requirePolicy(ctx, org, input.PolicyId!);
  const target = await requireTarget(ctx, org, input.TargetId!);
  if (!isPolicyTypeEnabled(await getRoot(ctx.tx, org.id), policy.type)) throw errors.policyTypeNotEnabled();
  if (await isAttached(ctx, org, policy.id, target.id)) throw errors.duplicatePolicyAttachment();
  const attached = await attachedPolicies(ctx.tx, org.id, target.id, policy.type);
  if (attached.length >= maxAttachmentsFor(policy.type)) throw maxAttachmentLimit();
  await ctx.tx
    .insertInto("policy_targets")
    .values({ org_id: org.id, policy_id: policy.id, target_id: target.id, target_type: target.type, seq: await nextSeq(ctx.tx) })
    .execute();
  await bumpPolicyVersion(ctx.tx, org.id);
  await recordEvent(ctx, org.id, "AttachPolicy", { policyId: policy.id, policyType: policy.type, targetId: target.id });
  return {};
});

export const DetachPolicy = op(async (ctx, input: DetachPolicyRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  const policy = await requirePolicy(ctx, org, input.PolicyId!);
  const target = await requireTarget(ctx, org, input.TargetId!);
  if (!(await isAttached(ctx, org, policy.id, target.id))) throw errors.policyNotAttached();
  if (NON_DETACHABLE.includes(policy.id)) throw nonDetachablePolicy();
  if (MIN_ONE_ATTACHED.includes(policy.type)) {
    const attached = await attachedPolicies(ctx.tx, org.id, target.id, policy.type);
    if (attached.length <= 1) throw minAttachmentLimit();
  }
  await ctx.tx
    .deleteFrom("policy_targets")
    .where("org_id", "=", org.id)
    .where("policy_id", "=", policy.id)
    .where("target_id", "=", target.id)
    .execute();
  await bumpPolicyVersion(ctx.tx, org.id);
  await recordEvent(ctx, org.id, "DetachPolicy", { policyId: policy.id, policyType: policy.type, targetId: target.id });
  return {};
});

// ---------------------------------------------------------------------------------------------
// Policy types
// ---------------------------------------------------------------------------------------------

const INSERT_CHUNK = 500;

/** Attaches an AWS managed default policy to the root and every OU and account of the organization. */
async function attachEverywhere(ctx: CallContext, org: OrgRow, root: RootRow, policyId: string): Promise<void> {
  const ous = await ctx.tx.selectFrom("ous").select("id").where("org_id", "=", org.id).execute();
  // Accounts whose creation is still completing already belong to the organization, so they get it too.
  const accounts = await ctx.tx.selectFrom("accounts").select("id").where("org_id", "=", org.id).execute();
  const targets: { id: string; type: PolicyTargetType }[] = [
    { id: root.id, type: "ROOT" },
    ...ous.map((o) => ({ id: o.id, type: "ORGANIZATIONAL_UNIT" as const })),
    ...accounts.map((a) => ({ id: a.id, type: "ACCOUNT" as const })),
  ];
  for (let i = 0; i < targets.length; i += INSERT_CHUNK) {
    const chunk = targets.slice(i, i + INSERT_CHUNK);
    const seqs = await nextSeqs(ctx.tx, chunk.length);
    const values = chunk.map((t, j) => ({ org_id: org.id, policy_id: policyId, target_id: t.id, target_type: t.type, seq: seqs[j]! }));
    await ctx.tx
      .insertInto("policy_targets")
      .values(values)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

export const EnablePolicyType = op(async (ctx, input: EnablePolicyTypeRequest): Promise<EnablePolicyTypeResponse> => {
  const org = await requireOrg(ctx);
  let root = await requireRoot(ctx, org, input.RootId!);
  const type = input.PolicyType!;
  requirePoliciesAvailable(org);
  const types = parsePolicyTypes(root);
  if (types.some((t) => t.Type === type && t.Status === "ENABLED")) throw errors.policyTypeAlreadyEnabled();
  const service = POLICY_TYPE_SERVICE_PRINCIPALS[type];
  if (service !== undefined && !(await isServiceAccessEnabled(ctx.tx, org.id, service))) throw serviceAccessNotEnabled(type, service);
  root = await setPolicyTypes(ctx, root, [...types.filter((t) => t.Type !== type), { Type: type, Status: "ENABLED" }]);
  const defaultPolicy = defaultPolicyIdFor(type);
  if (defaultPolicy) {
    await ensureAwsManagedPolicies(ctx.tx);
    await attachEverywhere(ctx, org, root, defaultPolicy);
  }
  await bumpPolicyVersion(ctx.tx, org.id);
  await recordEvent(ctx, org.id, "EnablePolicyType", { rootId: root.id, policyType: type });
  return { Root: toRoot(org, root) };
});

export const DisablePolicyType = op(async (ctx, input: DisablePolicyTypeRequest): Promise<DisablePolicyTypeResponse> => {
  const org = await requireOrg(ctx);
  let root = await requireRoot(ctx, org, input.RootId!);
  const type = input.PolicyType!;
  const types = parsePolicyTypes(root);
  if (!types.some((t) => t.Type === type && t.Status === "ENABLED")) throw errors.policyTypeNotEnabled();
  await ctx.tx
    .deleteFrom("policy_targets")
    .where("org_id", "=", org.id)
    .where("policy_id", "in", ctx.tx.selectFrom("policies").select("id").where("type", "=", type))
    .execute();
  root = await setPolicyTypes(
    ctx,
    root,
    types.filter((t) => t.Type !== type),
  );
  await bumpPolicyVersion(ctx.tx, org.id);
  await recordEvent(ctx, org.id, "DisablePolicyType", { rootId: root.id, policyType: type });
  return { Root: toRoot(org, root) };
});

// ---------------------------------------------------------------------------------------------
// Effective policies (management policy types)
// ---------------------------------------------------------------------------------------------

function requireManagementPolicyType(policyType: string): void {
  if (isAuthorizationPolicyType(policyType)) throw unsupportedEffectiveType(policyType);
}

/**
 * Everything about the organization's attachments of one policy type, read once so that many
 * accounts can be evaluated without a query per level.
 */
class AttachmentIndex {
  private constructor(
    private readonly byTarget: Map<string, PolicyRow[]>,
    private readonly ouParent: Map<string, string>,
    readonly rootId: string,
  ) {}

  static async load(ctx: CallContext, org: OrgRow, root: RootRow, policyType: string): Promise<AttachmentIndex> {
    await ensureAwsManagedPolicies(ctx.tx);
    const rows = await ctx.tx
      .selectFrom("policy_targets")
      .innerJoin("policies", "policies.id", "policy_targets.policy_id")
      .select(["policy_targets.target_id"])
      .selectAll("policies")
      .where("policy_targets.org_id", "=", org.id)
      .where("policies.type", "=", policyType)
      .orderBy("policies.id")
      .execute();
    const byTarget = new Map<string, PolicyRow[]>();
    for (const { target_id, ...policy } of rows) {
      const list = byTarget.get(target_id) ?? [];
      list.push(policy);
      byTarget.set(target_id, list);
    }
    const ous = await ctx.tx.selectFrom("ous").select(["id", "parent_id"]).where("org_id", "=", org.id).execute();
    return new AttachmentIndex(byTarget, new Map(ous.map((o) => [o.id, o.parent_id])), root.id);
  }

  /** Root, OUs, account: the levels of an account whose parent is `parentId`. */
  levels(accountId: string, parentId: string): EffectivePolicyLevel[] {
    const chain: string[] = [];
    const seen = new Set<string>();
    let at = parentId;
    while (at.startsWith("ou-") && !seen.has(at)) {
      seen.add(at);
      chain.unshift(at);
      const parent = this.ouParent.get(at);
      if (parent === undefined) break;
      at = parent;
    }
    return [this.rootId, ...chain, accountId].map((targetId) => {
      const policies = this.byTarget.get(targetId) ?? [];
      return { targetId, contents: policies.map((p) => p.content), policyIds: policies.map((p) => p.id) };
    });
  }
}

interface Effective {
  content: string;
  errors: EffectivePolicyError[];
}

/** The effective policy of an account; undefined when no policy of the type applies to it. */
function effectiveOf(policyType: string, levels: EffectivePolicyLevel[]): Effective | undefined {
  if (levels.every((l) => l.contents.length === 0)) return undefined;
  return computeEffectivePolicy(policyType, levels);
}

/** When the policies of a type last changed in the organization (the store keeps no per-attachment time). */
async function lastPolicyChange(ctx: CallContext, org: OrgRow, policyType: string): Promise<number> {
  const events = await ctx.tx
    .selectFrom("events")
    .select(["at", "detail"])
    .where("org_id", "=", org.id)
    .where("event_name", "in", POLICY_CHANGE_EVENTS)
    .orderBy("id", "desc")
    .execute();
  for (const event of events) {
    let detail: { policyType?: unknown; contentChanged?: unknown };
    try {
      detail = JSON.parse(event.detail) as typeof detail;
    } catch {
      continue;
    }
    // A rename or a new description changes no effective policy.
    if (detail.policyType === policyType && detail.contentChanged !== false) return event.at;
  }
  return org.created_at;
}

/** The effective policy of one account with what ListEffectivePolicyValidationErrors reports. */
async function effectiveForAccount(ctx: CallContext, org: OrgRow, account: AccountRow, policyType: string) {
  const root = await getRoot(ctx.tx, org.id);
  if (!isPolicyTypeEnabled(root, policyType)) throw errors.effectivePolicyNotFound();
  const index = await AttachmentIndex.load(ctx, org, root, policyType);
  const levels = index.levels(account.id, account.parent_id ?? root.id);
  const effective = effectiveOf(policyType, levels);
  if (!effective) throw errors.effectivePolicyNotFound();
  return { effective, levels };
}

export const DescribeEffectivePolicy = op(async (ctx, input: DescribeEffectivePolicyRequest): Promise<DescribeEffectivePolicyResponse> => {
  const org = await requireOrg(ctx);
  const type = input.PolicyType!;
  requireManagementPolicyType(type);
  const targetId = input.TargetId ?? ctx.principal.accountId;
  // Effective policies are reported for accounts only.
  if (!/^\d{12}$/.test(targetId)) throw targetNotSupported();
  // A member account sees its own effective policy; the management account and delegated administrators see any.
  if (targetId !== ctx.principal.accountId && !(await readsWholeOrganization(ctx, org))) throw errors.accessDenied();
  const account = await getAccountRow(ctx.tx, targetId);
  if (!account || account.org_id !== org.id || !isVisible(account, ctx.now)) throw errors.targetNotFound();
  const { effective } = await effectiveForAccount(ctx, org, account, type);
  return {
    EffectivePolicy: {
      PolicyContent: effective.content,
      LastUpdatedTimestamp: new Date(await lastPolicyChange(ctx, org, type)),
      TargetId: account.id,
      PolicyType: type,
    },
  };
});

export const ListAccountsWithInvalidEffectivePolicy = op(
  async (ctx, input: ListAccountsWithInvalidEffectivePolicyRequest): Promise<ListAccountsWithInvalidEffectivePolicyResponse> => {
    const org = await requireOrg(ctx);
    const type = input.PolicyType!;
    requireManagementPolicyType(type);
    const root = await getRoot(ctx.tx, org.id);
    if (!isPolicyTypeEnabled(root, type)) throw errors.effectivePolicyNotFound();
    const index = await AttachmentIndex.load(ctx, org, root, type);
    const page = await pages.paginate(
      ctx,
      `${org.id}:${type}`,
      input,
      pages.keyset(ctx.tx.selectFrom("accounts").selectAll().where("org_id", "=", org.id)),
      (r): Account | undefined => {
        if (!isVisible(r, ctx.now)) return undefined;
        const effective = effectiveOf(type, index.levels(r.id, r.parent_id ?? root.id));
        return effective && effective.errors.length > 0 ? toAccount(ctx, org, r) : undefined;
      },
    );
    return { Accounts: page.items, PolicyType: type, NextToken: page.NextToken };
  },
);

export const ListEffectivePolicyValidationErrors = op(
  async (ctx, input: ListEffectivePolicyValidationErrorsRequest): Promise<ListEffectivePolicyValidationErrorsResponse> => {
    const org = await requireOrg(ctx);
    const type = input.PolicyType!;
    requireManagementPolicyType(type);
    const account = await getMemberAccount(ctx, org, input.AccountId!);
    const { effective } = await effectiveForAccount(ctx, org, account, type);
    const levels = (await accountLevels(ctx.tx, org.id, account.id)) ?? [];
    const all: EffectivePolicyValidationError[] = effective.errors.map((e) => ({
      ErrorCode: e.code,
      ErrorMessage: e.message,
      PathToError: e.path,
      ContributingPolicies: e.contributingPolicies,
    }));
    const page = await pages.paginate(
      ctx,
      `${org.id}:${account.id}:${type}`,
      input,
      {
        fetch: async (after, limit) => {
          const start = after === undefined ? 0 : Number(after) + 1;
          return all.slice(start, start + limit).map((error, i) => ({ key: String(start + i).padStart(6, "0"), error }));
        },
        keyOf: (r) => r.key,
      },
      (r) => r.error,
    );
    return {
      AccountId: account.id,
      PolicyType: type,
      Path: accountPath(org.id, levels),
      EvaluationTimestamp: new Date(await lastPolicyChange(ctx, org, type)),
      EffectivePolicyValidationErrors: page.items,
      NextToken: page.NextToken,
    };
  },
);
