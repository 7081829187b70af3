/**
 * SCP enforcement: the step every call by a principal of a member account passes through
 * (Organizations, STS, Account). The action must be allowed at every level of the path
 * root -> OUs -> account and denied nowhere. The management account and service-linked roles
 * are exempt. Decisions are cached per (organization policy version, principal, action,
 * resource, region, source IP) unless a policy on the path depends on the time.
 */
import type { CallContext } from "../context.js";
import type { Tx } from "../store/store.js";
import { AwsError } from "../protocol/errors.js";
import { getRoot, isPolicyTypeEnabled, membership, type OrgRow } from "../services/organizations/repo.js";
import { parsePolicyDocument, type PolicyDocument } from "./document.js";
import { denialMessage, evaluateScps, isExemptPrincipal, type Decision, type LevelPolicies, type RequestContext } from "./evaluate.js";

export const SCP = "SERVICE_CONTROL_POLICY";

export interface PathPolicy {
  id: string;
  name: string;
  arn: string;
  content: string;
}

export interface PathLevel {
  targetId: string;
  targetType: "ROOT" | "ORGANIZATIONAL_UNIT" | "ACCOUNT";
  policies: PathPolicy[];
}

/** The targets from the root down to the account: root, each OU, the account. */
export async function targetPath(tx: Tx, accountId: string): Promise<{ targetId: string; targetType: PathLevel["targetType"] }[]> {
  const account = await tx.selectFrom("accounts").select("parent_id").where("id", "=", accountId).executeTakeFirst();
  const path: { targetId: string; targetType: PathLevel["targetType"] }[] = [{ targetId: accountId, targetType: "ACCOUNT" }];
  let parent = account?.parent_id ?? null;
  for (let depth = 0; parent && depth < 10; depth++) {
    if (parent.startsWith("r-")) {
      path.unshift({ targetId: parent, targetType: "ROOT" });
      break;
    }
    path.unshift({ targetId: parent, targetType: "ORGANIZATIONAL_UNIT" });
    const ou = await tx.selectFrom("ous").select("parent_id").where("id", "=", parent).executeTakeFirst();
    parent = ou?.parent_id ?? null;
  }
  return path;
}

/** The policies of `type` attached at each level of the account's path, root first. */
export async function policyPath(tx: Tx, orgId: string, accountId: string, type: string): Promise<PathLevel[]> {
  const targets = await targetPath(tx, accountId);
  const rows = await tx
    .selectFrom("policy_targets")
    .innerJoin("policies", "policies.id", "policy_targets.policy_id")
    .select(["policy_targets.target_id", "policies.id", "policies.name", "policies.arn", "policies.content"])
    .where("policy_targets.org_id", "=", orgId)
    .where("policies.type", "=", type)
    .where(
      "policy_targets.target_id",
      "in",
      targets.map((t) => t.targetId),
    )
    .orderBy("policies.id")
    .execute();
  return targets.map((t) => ({
    ...t,
    policies: rows.filter((r) => r.target_id === t.targetId).map((r) => ({ id: r.id, name: r.name, arn: r.arn, content: r.content })),
  }));
}

const parsed = new Map<string, PolicyDocument>();
function documentOf(policy: PathPolicy): PolicyDocument {
  const key = `${policy.id}\u0000${policy.content}`;
  let doc = parsed.get(key);
  if (!doc) {
    doc = parsePolicyDocument(policy.content, SCP, { awsManaged: policy.id === "p-FullAWSAccess" });
    if (parsed.size > 5000) parsed.clear();
    parsed.set(key, doc);
  }
  return doc;
}

export function requestContext(ctx: CallContext, org: OrgRow, action: string, resource: string, principalArn = ctx.principal.arn): RequestContext {
  const principalAccount = principalArn.split(":")[4] ?? ctx.principal.accountId;
  return {
    action,
    resource,
    now: new Date(ctx.now),
    keys: {
      "aws:PrincipalArn": principalArn,
      "aws:PrincipalAccount": principalAccount,
      "aws:PrincipalOrgID": org.id,
      "aws:PrincipalType": principalArn.endsWith(":root") ? "Account" : principalArn.includes(":assumed-role/") ? "AssumedRole" : "User",
      "aws:RequestedRegion": ctx.region,
      "aws:SourceIp": ctx.sourceIp.replace(/^::ffff:/, ""),
      "aws:CurrentTime": new Date(ctx.now).toISOString(),
      "aws:EpochTime": String(Math.floor(ctx.now / 1000)),
      "aws:SecureTransport": "false",
    },
  };
}

export interface Explanation {
  decision: Decision;
  message: string;
  path: PathLevel[];
}

/** Evaluates the SCPs on `accountId`'s path for one request, with everything needed to explain it. */
export async function explainScps(ctx: CallContext, org: OrgRow, accountId: string, action: string, resource: string, principalArn?: string): Promise<Explanation> {
  const path = await policyPath(ctx.tx, org.id, accountId, SCP);
  const levels: LevelPolicies[] = path.map((l) => ({
    targetId: l.targetId,
    targetType: l.targetType,
    policies: l.policies.map((p) => ({ id: p.id, name: p.name, document: documentOf(p) })),
  }));
  const rc = requestContext(ctx, org, action, resource, principalArn);
  const decision = evaluateScps(levels, rc);
  const arnOf = new Map(path.flatMap((l) => l.policies.map((p) => [p.id, p.arn] as const)));
  const message = decision.allowed ? "" : denialMessage(principalArn ?? ctx.principal.arn, rc, decision, (id) => arnOf.get(id) ?? "");
  return { decision, message, path };
}

const TIME_KEYS = /aws:(CurrentTime|EpochTime)/i;
const cache = new Map<string, string | null>();
const CACHE_LIMIT = 20_000;

/** Throws AccessDeniedException when the SCPs on the caller's path don't allow `action`. */
export async function enforceScps(ctx: CallContext, action: string, resource: string): Promise<void> {
  const { org } = await membership(ctx);
  if (!org || org.management_account_id === ctx.principal.accountId) return;
  if (isExemptPrincipal(ctx.principal.arn)) return;
  const key = `${org.id}|${org.policy_version}|${ctx.principal.arn}|${action}|${resource}|${ctx.region}|${ctx.sourceIp}`;
  let denial = cache.get(key);
  if (denial === undefined) {
    const root = await getRoot(ctx.tx, org.id);
    if (!isPolicyTypeEnabled(root, SCP)) {
      denial = null;
    } else {
      const explained = await explainScps(ctx, org, ctx.principal.accountId, action, resource);
      denial = explained.decision.allowed ? null : explained.message;
      const timeDependent = explained.path.some((l) => l.policies.some((p) => TIME_KEYS.test(p.content)));
      if (timeDependent) {
        if (denial) throw new AwsError("AccessDeniedException", denial);
        return;
      }
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, denial);
  }
  if (denial) throw new AwsError("AccessDeniedException", denial);
}
