/**
 * Reads (and the few idempotent writes) about organization policies that several modules share:
 * the AWS managed policies, a policy as an organization sees it, policy targets, and the
 * policies that apply to an account through the hierarchy (root, each OU on the path, the
 * account), which SCP enforcement and effective management policies both evaluate.
 */
import { isReadOnly, type Tx } from "../store/store.js";
import type { PolicyTable } from "../store/schema.js";
import { nextSeq } from "../store/sequence.js";
import {
  FULL_AWS_ACCESS_CONTENT,
  RCP_FULL_AWS_ACCESS_CONTENT,
  RESOURCE_CONTROL_POLICY,
  SERVICE_CONTROL_POLICY,
} from "../policy/policy-types.js";
import { arns } from "./ids.js";
import { getAccountRow, getOrganization, getRoot, isPolicyTypeEnabled, isVisible, type OrgRow } from "./repo.js";

export type PolicyRow = PolicyTable;
export type PolicyTargetType = "ROOT" | "ORGANIZATIONAL_UNIT" | "ACCOUNT";

/** The ids of the AWS managed policies, the same in every organization. */
export const FULL_AWS_ACCESS_ID = "p-FullAWSAccess";
export const RCP_FULL_AWS_ACCESS_ID = "p-RCPFullAWSAccess";

/** The `org_id` of the AWS managed policies, stored once for every organization. */
export const AWS_MANAGED_ORG_ID = "aws";
/** The partition the stored ARN of an AWS managed policy names; answers use the organization's partition. */
const STORED_PARTITION = "aws";

/** The AWS managed policies: each policy type's default policy, attached for you when the type is enabled. */
export const AWS_MANAGED_POLICIES: readonly { id: string; name: string; description: string; type: string; content: string }[] = [
  {
    id: FULL_AWS_ACCESS_ID,
    name: "FullAWSAccess",
    description: "Allows access to every operation",
    type: SERVICE_CONTROL_POLICY,
    content: FULL_AWS_ACCESS_CONTENT,
  },
  {
    id: RCP_FULL_AWS_ACCESS_ID,
    name: "RCPFullAWSAccess",
    description: "Allows access to every operation",
    type: RESOURCE_CONTROL_POLICY,
    content: RCP_FULL_AWS_ACCESS_CONTENT,
  },
];

/** The AWS managed policy that AWS attaches to every root, OU and account when `policyType` is enabled. */
export function defaultPolicyIdFor(policyType: string): string | undefined {
  return AWS_MANAGED_POLICIES.find((p) => p.type === policyType)?.id;
}

/**
 * Inserts the AWS managed policies once (idempotent; they are shared by every organization).
 * Every state has them from its start (App installs them with the state's baseline, and again on
 * reset); a read transaction never writes, so there this only relies on that.
 */
export async function ensureAwsManagedPolicies(tx: Tx): Promise<void> {
  if (isReadOnly(tx)) return;
  const present = await tx.selectFrom("policies").select("id").where("org_id", "=", AWS_MANAGED_ORG_ID).execute();
  if (present.length >= AWS_MANAGED_POLICIES.length) return;
  const have = new Set(present.map((r) => r.id));
  for (const p of AWS_MANAGED_POLICIES) {
    if (have.has(p.id)) continue;
    await tx
      .insertInto("policies")
      .values({
        id: p.id,
        org_id: AWS_MANAGED_ORG_ID,
        arn: arns.awsManagedPolicy(STORED_PARTITION, p.type, p.id),
        name: p.name,
        description: p.description,
        type: p.type,
        aws_managed: 1,
        content: p.content,
        seq: await nextSeq(tx),
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }
}

/** The ARN of a policy as `org` sees it: an AWS managed policy's ARN names the organization's partition. */
export function policyArn(
  org: Pick<OrgRow, "partition" | "management_account_id" | "id">,
  policy: Pick<PolicyRow, "id" | "type" | "aws_managed" | "org_id">,
): string {
  if (policy.aws_managed === 1) return arns.awsManagedPolicy(org.partition, policy.type, policy.id);
  return arns.policy(org.partition, org.management_account_id, policy.org_id, policy.type, policy.id);
}

/** A policy the organization can see: one of its own, or an AWS managed policy. */
export async function findPolicy(tx: Tx, orgId: string, policyId: string): Promise<PolicyRow | undefined> {
  await ensureAwsManagedPolicies(tx);
  return tx
    .selectFrom("policies")
    .selectAll()
    .where("id", "=", policyId)
    .where("org_id", "in", [orgId, AWS_MANAGED_ORG_ID])
    .executeTakeFirst();
}

/** Whether a policy type is enabled in the organization's root. */
export async function isPolicyTypeEnabledInOrg(tx: Tx, orgId: string, policyType: string): Promise<boolean> {
  return isPolicyTypeEnabled(await getRoot(tx, orgId), policyType);
}

/**
 * The policies attached directly to a target, optionally of one type, in a stable order (by
 * policy id: the store keeps no attachment time).
 */
export async function attachedPolicies(tx: Tx, orgId: string, targetId: string, policyType?: string): Promise<PolicyRow[]> {
  let q = tx
    .selectFrom("policy_targets")
    .innerJoin("policies", "policies.id", "policy_targets.policy_id")
    .selectAll("policies")
    .where("policy_targets.org_id", "=", orgId)
    .where("policy_targets.target_id", "=", targetId);
  if (policyType !== undefined) q = q.where("policies.type", "=", policyType);
  return q.orderBy("policies.id").execute();
}

export interface PolicyTarget {
  id: string;
  type: PolicyTargetType;
  arn: string;
  name: string;
}

/**
 * A root, OU or account of the organization that policies can be attached to; undefined when
 * the id names nothing in this organization (or an account not yet created at `now`).
 */
export async function findTarget(tx: Tx, org: OrgRow, targetId: string, now: number): Promise<PolicyTarget | undefined> {
  if (targetId.startsWith("r-")) {
    const root = await getRoot(tx, org.id);
    return root.id === targetId ? { id: root.id, type: "ROOT", arn: root.arn, name: root.name } : undefined;
  }
  if (targetId.startsWith("ou-")) {
    const ou = await tx.selectFrom("ous").selectAll().where("id", "=", targetId).where("org_id", "=", org.id).executeTakeFirst();
    return ou ? { id: ou.id, type: "ORGANIZATIONAL_UNIT", arn: ou.arn, name: ou.name } : undefined;
  }
  if (/^\d{12}$/.test(targetId)) {
    const account = await getAccountRow(tx, targetId);
    if (!account || account.org_id !== org.id || !isVisible(account, now)) return undefined;
    return {
      id: account.id,
      type: "ACCOUNT",
      arn: arns.account(org.partition, org.management_account_id, org.id, account.id),
      name: account.name,
    };
  }
  return undefined;
}

/**
 * The levels from the root down to an account: the root, each OU on the path, then the account.
 * Undefined when the account is not in the organization. A dangling or cyclic parent link (never
 * made by the operations) ends the walk at the root.
 */
export async function accountLevels(
  tx: Tx,
  orgId: string,
  accountId: string,
): Promise<{ targetId: string; targetType: PolicyTargetType }[] | undefined> {
  const account = await getAccountRow(tx, accountId);
  if (!account || account.org_id !== orgId || account.parent_id === null) return undefined;
  const root = await getRoot(tx, orgId);
  const ous: string[] = [];
  const seen = new Set<string>();
  let parentId: string = account.parent_id;
  while (parentId.startsWith("ou-") && !seen.has(parentId)) {
    seen.add(parentId);
    const ou = await tx
      .selectFrom("ous")
      .select(["id", "parent_id"])
      .where("id", "=", parentId)
      .where("org_id", "=", orgId)
      .executeTakeFirst();
    if (!ou) break;
    ous.unshift(ou.id);
    parentId = ou.parent_id;
  }
  return [
    { targetId: root.id, targetType: "ROOT" },
    ...ous.map((id) => ({ targetId: id, targetType: "ORGANIZATIONAL_UNIT" as const })),
    { targetId: accountId, targetType: "ACCOUNT" },
  ];
}

/** The path AWS reports for an account: `o-.../r-.../ou-.../<account>/`. */
export function accountPath(orgId: string, levels: { targetId: string }[]): string {
  return `${orgId}/${levels.map((l) => l.targetId).join("/")}/`;
}

export interface PolicyPathLevel {
  targetId: string;
  targetType: PolicyTargetType;
  /** The policies of the type attached directly at this level, ordered by policy id. */
  policies: { id: string; name: string; arn: string; content: string }[];
}

/**
 * The policies of `policyType` that apply to an account, level by level: the root first, then
 * each OU on the path, then the account itself. Empty when the account is not in the
 * organization. A level with no policies is still listed. When the type is not enabled no
 * policies are attached anywhere (DisablePolicyType detaches them), so every level is empty;
 * callers that need to tell "not enabled" apart use {@link isPolicyTypeEnabledInOrg}.
 */
export async function policyPathFor(tx: Tx, orgId: string, accountId: string, policyType: string): Promise<PolicyPathLevel[]> {
  const levels = await accountLevels(tx, orgId, accountId);
  const org = await getOrganization(tx, orgId);
  if (!levels || !org) return [];
  // One query for every level: the path is read on each uncached SCP decision.
  const rows = await tx
    .selectFrom("policy_targets")
    .innerJoin("policies", "policies.id", "policy_targets.policy_id")
    .select(["policy_targets.target_id"])
    .selectAll("policies")
    .where("policy_targets.org_id", "=", orgId)
    .where("policies.type", "=", policyType)
    .where(
      "policy_targets.target_id",
      "in",
      levels.map((l) => l.targetId),
    )
    .orderBy("policies.id")
    .execute();
  return levels.map((level) => ({
    ...level,
    policies: rows
      .filter((r) => r.target_id === level.targetId)
      .map((r) => ({ id: r.id, name: r.name, arn: policyArn(org, r), content: r.content })),
  }));
}
