/** The account rows of the tree and of the detail panel: status, tags, delegations, and the leave verdict. */
import type { CallContext } from "../context.js";
import { SCP } from "../org/scps.js";
import { arns } from "../org/ids.js";
import { accountStatus, type AccountRow, type OrgRow } from "../org/repo.js";
import { iso } from "./context.js";
import { leaveVerdict, type ScpMemo } from "./leave-verdict.js";
import { chunks } from "./sql.js";
import type { AccountView } from "./types.js";

/** Account views for rows of one organization, with tags, delegations and the leave verdict. */
export async function accountViews(
  ctx: CallContext,
  org: OrgRow,
  scpEnabled: boolean,
  rows: AccountRow[],
  scpMemo: ScpMemo = new Map(),
): Promise<AccountView[]> {
  if (rows.length === 0) return [];
  const tagsOf = new Map<string, { Key: string; Value: string }[]>();
  for (const ids of chunks(rows.map((r) => r.id))) {
    const tags = await ctx.tx
      .selectFrom("tags")
      .selectAll()
      .where("resource_id", "in", ids)
      .orderBy("resource_id")
      .orderBy("key")
      .execute();
    for (const t of tags) {
      const list = tagsOf.get(t.resource_id) ?? [];
      list.push({ Key: t.key, Value: t.value });
      tagsOf.set(t.resource_id, list);
    }
  }
  const delegations = await ctx.tx
    .selectFrom("delegated_admins")
    .select(["account_id", "principal"])
    .where("org_id", "=", org.id)
    .orderBy("principal")
    .execute();
  const delegatedOf = new Map<string, string[]>();
  for (const d of delegations) delegatedOf.set(d.account_id, [...(delegatedOf.get(d.account_id) ?? []), d.principal]);
  // Account-level SCPs, for sharing one SCP evaluation among accounts with the same path.
  const ownScps = new Map<string, string[]>();
  if (scpEnabled) {
    for (const ids of chunks(rows.map((r) => r.id))) {
      const attached = await ctx.tx
        .selectFrom("policy_targets")
        .innerJoin("policies", "policies.id", "policy_targets.policy_id")
        .select(["policy_targets.target_id", "policies.id"])
        .where("policy_targets.org_id", "=", org.id)
        .where("policy_targets.target_id", "in", ids)
        .where("policies.type", "=", SCP)
        .orderBy("policies.id")
        .execute();
      for (const a of attached) ownScps.set(a.target_id, [...(ownScps.get(a.target_id) ?? []), a.id]);
    }
  }
  const closeDelay = ctx.settings.closeAccountDelaySeconds * 1000;
  const views: AccountView[] = [];
  for (const row of rows) {
    const status = accountStatus(row, ctx.now, closeDelay);
    views.push({
      id: row.id,
      arn: arns.account(org.partition, org.management_account_id, org.id, row.id),
      name: row.name,
      email: row.email,
      status: status.Status,
      state: status.State,
      joinedMethod: row.joined_method,
      joinedAt: row.joined_at === null ? null : iso(row.joined_at),
      parentId: row.parent_id,
      isManagement: row.id === org.management_account_id,
      tags: tagsOf.get(row.id) ?? [],
      readiness: {
        supportPlan: row.support_plan === 1,
        contactInformation: row.contact_info === 1,
        paymentMethod: row.payment_method === 1,
      },
      delegatedServices: delegatedOf.get(row.id) ?? [],
      leave: await leaveVerdict(
        ctx,
        org,
        scpEnabled ? { memo: scpMemo, key: `${row.parent_id}|${(ownScps.get(row.id) ?? []).join(",")}` } : undefined,
        row,
      ),
    });
  }
  return views;
}
