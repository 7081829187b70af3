/**
 * SCP enforcement: the step every call by a principal of a member account passes through
 * (Organizations, STS, Account, CloudTrail: each service's authorization step calls it), and the
 * explanation of a decision (the explain API, the console). The organization's policies on the
 * account's path are the model's (policy-repo.ts); the policy language and its evaluation are
 * src/policy/'s. The action must be allowed at every level of the path
 * root -> OUs -> account and denied nowhere. The management account and service-linked roles
 * are exempt. Decisions are cached per (organization policy version, principal, action,
 * resource, region, source IP) unless a policy on the path depends on the time.
 */
import type { CallContext } from "../context.js";
import { AwsError } from "../protocol/errors.js";
import { andThen, type Cached } from "../store/store.js";
import { getRoot, isPolicyTypeEnabled, membership, type Membership, type OrgRow } from "./repo.js";
import { FULL_AWS_ACCESS_ID, policyPathFor, type PolicyPathLevel } from "./policy-repo.js";
import { parsePolicyDocument } from "../policy/document.js";
import type { PolicyDocument } from "../policy/document-types.js";
import { denialMessage, evaluateScps, isExemptPrincipal, type Decision, type LevelPolicies } from "../policy/evaluate.js";
import { requestContext } from "../policy/request-context.js";

export const SCP = "SERVICE_CONTROL_POLICY";

export type PathPolicy = PolicyPathLevel["policies"][number];
export type PathLevel = PolicyPathLevel;

const parsed = new Map<string, PolicyDocument>();
function documentOf(policy: PathPolicy): PolicyDocument {
  const key = `${policy.id}\u0000${policy.content}`;
  let doc = parsed.get(key);
  if (!doc) {
    doc = parsePolicyDocument(policy.content, SCP, { awsManaged: policy.id === FULL_AWS_ACCESS_ID });
    if (parsed.size > 5000) parsed.clear();
    parsed.set(key, doc);
  }
  return doc;
}

export interface Explanation {
  decision: Decision;
  message: string;
  path: PathLevel[];
}

/** Evaluates the SCPs on `accountId`'s path for one request, with everything needed to explain it. */
export async function explainScps(
  ctx: CallContext,
  org: OrgRow,
  accountId: string,
  action: string,
  resource: string,
  principalArn?: string,
): Promise<Explanation> {
  const path = await policyPathFor(ctx.tx, org.id, accountId, SCP);
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
export function enforceScps(ctx: CallContext, action: string, resource: string): Cached<void> {
  return andThen(membership(ctx), (known) => enforceFor(ctx, known, action, resource));
}

/**
 * enforceScps once the caller's membership is known: undefined (nothing to wait for) when no SCP
 * applies or the decision is cached; throws AccessDeniedException for a cached denial.
 */
function enforceFor(ctx: CallContext, { org }: Membership, action: string, resource: string): Cached<void> {
  if (!org || org.management_account_id === ctx.principal.accountId) return undefined;
  if (isExemptPrincipal(ctx.principal.arn)) return undefined;
  const key = `${org.id}|${org.policy_version}|${ctx.principal.arn}|${action}|${resource}|${ctx.region}|${ctx.sourceIp}`;
  const denial = cache.get(key);
  if (denial === undefined) return decide(ctx, org, key, action, resource);
  if (denial) throw new AwsError("AccessDeniedException", denial);
  return undefined;
}

/** The SCP decision for a call not in the decision cache: evaluated, cached unless it depends on the time, enforced. */
async function decide(ctx: CallContext, org: OrgRow, key: string, action: string, resource: string): Promise<void> {
  let denial: string | null;
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
  if (denial) throw new AwsError("AccessDeniedException", denial);
}
