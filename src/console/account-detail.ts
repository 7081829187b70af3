/** GET /_orgsim/state/accounts/{id}: the detail panel of one account. */
import type { App } from "../app.js";
import { SCP } from "../org/scps.js";
import { policyPathFor as policyPath } from "../org/policy-repo.js";
import { getRoot, isPolicyTypeEnabled, parsePolicyTypes } from "../org/repo.js";
import { accountViews } from "./accounts.js";
import { consoleContext, readVirtualClock } from "./context.js";
import type { AccountDetail } from "./types.js";

/** GET /_orgsim/state/accounts/{id}: one account, its path and the policies that reach it. */
export async function accountDetail(app: App, accountId: string): Promise<AccountDetail> {
  return app.store.transaction(async (tx) => {
    const { now: at } = await readVirtualClock(tx);
    const row = await tx.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
    const empty: AccountDetail = { account: null, standalone: null, organizationId: null, path: [], policiesByType: [] };
    if (!row) return empty;
    const readiness = {
      supportPlan: row.support_plan === 1,
      contactInformation: row.contact_info === 1,
      paymentMethod: row.payment_method === 1,
    };
    const org =
      row.org_id && (row.joined_at === null || row.joined_at <= at)
        ? await tx.selectFrom("organizations").selectAll().where("id", "=", row.org_id).executeTakeFirst()
        : undefined;
    if (!org) return { ...empty, standalone: { id: row.id, name: row.name, email: row.email, readiness, organizationId: null } };
    const root = await getRoot(tx, org.id);
    const ctx = consoleContext(app, tx, org, at);
    const [account] = await accountViews(ctx, org, isPolicyTypeEnabled(root, SCP), [row]);

    const path: AccountDetail["path"] = [];
    let parent = row.parent_id;
    for (let depth = 0; parent && depth < 12; depth++) {
      if (parent === root.id) {
        path.unshift({ id: root.id, type: "ROOT", name: root.name });
        break;
      }
      const ou = await tx.selectFrom("ous").select(["id", "name", "parent_id"]).where("id", "=", parent).executeTakeFirst();
      if (!ou) break;
      path.unshift({ id: ou.id, type: "ORGANIZATIONAL_UNIT", name: ou.name });
      parent = ou.parent_id;
    }
    const names = new Map([...path.map((p) => [p.id, p.name] as const), [row.id, row.name] as const]);
    const policiesByType: AccountDetail["policiesByType"] = [];
    for (const t of parsePolicyTypes(root).filter((p) => p.Status === "ENABLED")) {
      const levels = await policyPath(tx, org.id, row.id, t.Type);
      policiesByType.push({
        type: t.Type,
        levels: levels.map((l) => ({
          targetId: l.targetId,
          targetType: l.targetType,
          name: names.get(l.targetId) ?? l.targetId,
          policies: l.policies.map((p) => ({ id: p.id, name: p.name })),
        })),
      });
    }
    return { account: account ?? null, standalone: null, organizationId: org.id, path, policiesByType };
  });
}
