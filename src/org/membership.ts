/** Accounts joining and departing an organization: every side effect in one place. */
import { hotQuery } from "../store/hot.js";
import type { CallContext } from "../context.js";
import type { AccountRow, OrgRow } from "./repo.js";
import { bumpPolicyVersion, getRoot, isPolicyTypeEnabled } from "./repo.js";
import { recordEvent } from "./events.js";
import { OPEN_STATES, setHandshakeState } from "./handshakes.js";
import { reconcileAllFeatures } from "./feature-set.js";
import { nextSeq } from "../store/sequence.js";
import { AWS_MANAGED_POLICIES } from "./policy-repo.js";

/** AWS attaches the managed full-access policy of each enabled SCP/RCP type to every new target. */
export async function attachDefaultPolicies(ctx: CallContext, org: OrgRow, targetId: string, targetType: string): Promise<void> {
  const root = await getRoot(ctx.tx, org.id);
  for (const policy of AWS_MANAGED_POLICIES) {
    if (!isPolicyTypeEnabled(root, policy.type)) continue;
    const row = { org_id: org.id, policy_id: policy.id, target_id: targetId, target_type: targetType, seq: await nextSeq(ctx.tx) };
    await hotQuery(ctx.tx, "attach-default-policy", Object.values(row), (t) =>
      t
        .insertInto("policy_targets")
        .values(row)
        .onConflict((oc) => oc.doNothing()),
    );
  }
}

export async function joinOrganization(
  ctx: CallContext,
  org: OrgRow,
  account: AccountRow,
  how: { method: "INVITED" | "CREATED"; joinedAt: number; tags?: { Key: string; Value: string }[] },
): Promise<void> {
  const root = await getRoot(ctx.tx, org.id);
  const joined = {
    org_id: org.id,
    parent_id: root.id,
    joined_method: how.method,
    joined_at: how.joinedAt,
    created_by_org_id: how.method === "CREATED" ? org.id : null,
    // Lists show an organization's accounts in the order they joined it.
    seq: await nextSeq(ctx.tx),
  };
  await hotQuery(ctx.tx, "join-account", [...Object.values(joined), account.id], (t) =>
    t.updateTable("accounts").set(joined).where("id", "=", account.id),
  );
  await hotQuery(ctx.tx, "delete-tags", [account.id], (t) => t.deleteFrom("tags").where("resource_id", "=", account.id));
  for (const tag of how.tags ?? []) {
    await ctx.tx
      .insertInto("tags")
      .values({ resource_id: account.id, key: tag.Key, value: tag.Value, seq: await nextSeq(ctx.tx) })
      .execute();
  }
  // No policy-version bump: a joining account changes no other principal's SCP decision, and
  // its own were never cached in this organization (its departure bumped the version).
  await attachDefaultPolicies(ctx, org, account.id, "ACCOUNT");
}

/**
 * The account leaves (LEFT) or is removed (REMOVED): its tags, policy attachments, delegations and
 * open handshakes of the organization go; it is a standalone account again.
 */
export async function departOrganization(ctx: CallContext, org: OrgRow, account: AccountRow, method: "LEFT" | "REMOVED"): Promise<void> {
  const tx = ctx.tx;
  await tx
    .updateTable("accounts")
    .set({ org_id: null, parent_id: null, joined_method: null, joined_at: null, created_by_org_id: null })
    .where("id", "=", account.id)
    .execute();
  await tx.deleteFrom("tags").where("resource_id", "=", account.id).execute();
  await tx.deleteFrom("policy_targets").where("org_id", "=", org.id).where("target_id", "=", account.id).execute();
  await tx.deleteFrom("delegated_admins").where("org_id", "=", org.id).where("account_id", "=", account.id).execute();
  const open = await tx
    .selectFrom("handshakes")
    .select("id")
    .where("org_id", "=", org.id)
    .where("target_account_id", "=", account.id)
    .where("state", "in", OPEN_STATES)
    .execute();
  await setHandshakeState(
    tx,
    org.id,
    open.map((r) => r.id),
    "CANCELED",
    ctx.now,
  );
  await bumpPolicyVersion(tx, org.id);
  // A member that never approved all features no longer holds the change back.
  await reconcileAllFeatures(ctx, org.id);
  await recordEvent(ctx, org.id, "AccountDepartedOrganization", {
    accountId: account.id,
    departureMethod: method,
    departureTime: new Date(ctx.now).toISOString(),
  });
}
