/**
 * "Could it leave now?": what LeaveOrganization, called now by an account's root user, would
 * answer, from the same rules in the same order (management account, SCPs through `explainScps`,
 * then `departureChecks`), with every rule's own answer for the page's checklist.
 */
import type { CallContext } from "../context.js";
import { explainScps, type Explanation } from "../org/scps.js";
import { requestContext } from "../policy/request-context.js";
import { denialMessage } from "../policy/evaluate.js";
import { errors } from "../org/errors.js";
import { arns } from "../org/ids.js";
import { departureChecks, WAIT_PERIOD_MS } from "../org/departure.js";
import { describeTimeLeft as formatDuration } from "../duration.js";
import type { AccountRow, OrgRow } from "../org/repo.js";
import { iso } from "./context.js";
import type { LeaveCheck, LeaveVerdict } from "./types.js";

const LEAVE_ACTION = "organizations:LeaveOrganization";

/**
 * The SCP decision on LeaveOrganization for accounts of one answer, shared by accounts whose paths
 * carry the same policies (same parent, same account-level SCPs). Without a Condition block on the
 * path the decision can't depend on who asks, so one evaluation serves them all; with one, each
 * account is evaluated on its own.
 */
export type ScpMemo = Map<string, { explanation: Explanation; perPrincipal: boolean }>;

const HAS_CONDITION = /"Condition"\s*:/;

async function leaveScpDecision(ctx: CallContext, org: OrgRow, row: AccountRow, memoKey: string, memo: ScpMemo): Promise<Explanation> {
  const principalArn = arns.rootUser(org.partition, row.id);
  const known = memo.get(memoKey);
  if (!known || known.perPrincipal) {
    const explanation = await explainScps(ctx, org, row.id, LEAVE_ACTION, "*", principalArn);
    if (!known) {
      const perPrincipal = explanation.path.some((l) => l.policies.some((p) => HAS_CONDITION.test(p.content)));
      memo.set(memoKey, { explanation, perPrincipal });
    }
    return explanation;
  }
  const { decision, path } = known.explanation;
  const own = <L extends { targetId: string; targetType: string }>(level: L): L =>
    level.targetType === "ACCOUNT" ? { ...level, targetId: row.id } : level;
  const mine = { ...decision, decidingLevel: decision.decidingLevel && own(decision.decidingLevel), levels: decision.levels.map(own) };
  const arnOf = new Map(path.flatMap((l) => l.policies.map((p) => [p.id, p.arn] as const)));
  const rc = requestContext(ctx, org, LEAVE_ACTION, "*", principalArn);
  return {
    decision: mine,
    message: mine.allowed ? "" : denialMessage(principalArn, rc, mine, (id) => arnOf.get(id) ?? ""),
    path: path.map(own),
  };
}

/** What LeaveOrganization would answer now, in AWS's order: management account, SCPs, then the departure rules; and every rule's own answer. */
export async function leaveVerdict(
  ctx: CallContext,
  org: OrgRow,
  scp: { memo: ScpMemo; key: string } | undefined,
  row: AccountRow,
): Promise<LeaveVerdict> {
  let waitPeriod: LeaveVerdict["waitPeriod"];
  if (row.created_by_org_id === org.id && row.joined_at !== null && ctx.now < row.joined_at + WAIT_PERIOD_MS) {
    const endsAt = row.joined_at + WAIT_PERIOD_MS;
    waitPeriod = { endsAt: iso(endsAt), secondsLeft: Math.ceil((endsAt - ctx.now) / 1000), left: formatDuration(endsAt - ctx.now) };
  }
  if (row.id === org.management_account_id) {
    const err = errors.masterCannotLeave();
    return {
      canLeave: false,
      error: err.code,
      message: err.message,
      detail: "the management account can't leave; delete the organization instead",
      checks: [],
    };
  }
  const checks: LeaveCheck[] = [];
  let scpView: LeaveVerdict["scp"];
  if (scp) {
    const { decision, message } = await leaveScpDecision(ctx, org, row, scp.key, scp.memo);
    const level = decision.decidingLevel;
    if (decision.allowed) {
      checks.push({ rule: "scp", ok: true });
    } else {
      const where = level ? `${level.targetType} ${level.targetId}` : "the account's path";
      checks.push({
        rule: "scp",
        ok: false,
        error: "AccessDeniedException",
        message,
        detail:
          decision.kind === "EXPLICIT_DENY"
            ? `denied by SCP ${level?.policyName ?? "?"} (${level?.policyId ?? "?"}) attached to ${where}`
            : `no SCP attached to ${where} allows ${LEAVE_ACTION}`,
      });
      scpView = {
        decision: decision.kind,
        targetId: level?.targetId,
        targetType: level?.targetType,
        policyId: level?.policyId,
        policyName: level?.policyName,
      };
    }
  }
  for (const { rule, blocker } of await departureChecks(ctx, org, row)) {
    checks.push(
      blocker
        ? {
            rule,
            ok: false,
            error: "ConstraintViolationException",
            reason: blocker.reason,
            message: blocker.message,
            detail: blocker.detail,
          }
        : { rule, ok: true },
    );
  }
  const first = checks.find((c) => !c.ok);
  if (!first) return { canLeave: true, waitPeriod, checks };
  return {
    canLeave: false,
    error: first.error,
    reason: first.reason,
    message: first.message,
    detail: first.detail,
    waitPeriod,
    ...(first.rule === "scp" ? { scp: scpView } : {}),
    checks,
  };
}
