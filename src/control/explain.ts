/** GET /_orgsim/explain: which SCP at which level allowed or denied an action for an account. */
import type { App } from "../app.js";
import { rootCallContext } from "../auth/principal.js";
import { virtualNow } from "../clock.js";
import { getAccountRow, getOrganization, getRoot, isPolicyTypeEnabled } from "../org/repo.js";
import { explainScps, SCP } from "../org/scps.js";
import { bad } from "./http.js";

export interface ExplainQuery {
  accountId: string;
  action: string;
  principalArn?: string;
  resource?: string;
  region?: string;
}

export async function explain(app: App, q: ExplainQuery): Promise<Record<string, unknown>> {
  if (!/^\d{12}$/.test(q.accountId)) throw bad("accountId must be a 12-digit account id.");
  if (!/^[\w-]+:[\w*?]+$/.test(q.action)) throw bad('action must look like "organizations:LeaveOrganization".');
  return app.store.transaction(async (tx) => {
    const account = await getAccountRow(tx, q.accountId);
    const org = account?.org_id ? await getOrganization(tx, account.org_id) : undefined;
    if (!org)
      return { accountId: q.accountId, action: q.action, allowed: true, reason: "The account is in no organization: no SCP applies." };
    if (org.management_account_id === q.accountId) {
      return { accountId: q.accountId, action: q.action, allowed: true, reason: "SCPs never restrict the management account." };
    }
    if (!isPolicyTypeEnabled(await getRoot(tx, org.id), SCP)) {
      return { accountId: q.accountId, action: q.action, allowed: true, reason: "SCPs are not enabled in this organization's root." };
    }
    const ctx = rootCallContext(app, tx, await virtualNow(tx), {
      accountId: q.accountId,
      partition: org.partition,
      region: q.region,
      operation: "Explain",
      requestId: "explain",
    });
    const { decision, message, path } = await explainScps(
      ctx,
      org,
      q.accountId,
      q.action,
      q.resource ?? "*",
      q.principalArn ?? ctx.principal.arn,
    );
    return {
      accountId: q.accountId,
      organizationId: org.id,
      action: q.action,
      principalArn: q.principalArn ?? ctx.principal.arn,
      allowed: decision.allowed,
      decision: decision.kind,
      decidingLevel: decision.decidingLevel,
      message: message || undefined,
      levels: path.map((level, i) => ({
        targetId: level.targetId,
        targetType: level.targetType,
        policies: level.policies.map((p) => ({ id: p.id, name: p.name })),
        allowedBy: decision.levels[i]?.allowedBy ?? [],
        deniedBy: decision.levels[i]?.deniedBy ?? [],
      })),
    };
  });
}
