/**
 * The organization's move from consolidated billing to all features, as state: the parent
 * ENABLE_ALL_FEATURES handshake that is pending, the members' handshakes that name it, and the
 * rule that once every invited member still in the organization has accepted, the management
 * account is asked for its final approval (APPROVE_ALL_FEATURES). Membership re-applies the rule
 * when a member leaves or is removed; the operations (EnableAllFeatures, accepting the
 * handshakes) are in services/organizations/all-features.ts.
 */
import type { CallContext } from "../context.js";
import {
  createHandshake,
  currentState,
  isChildHandshakeOf,
  OPEN_STATES,
  organizationResource,
  setHandshakeState,
  type HandshakeRow,
} from "./handshakes.js";
import { getAccountRow, getOrganization, isVisible, type OrgRow } from "./repo.js";

export const ENABLE_ALL_FEATURES = "ENABLE_ALL_FEATURES";
export const APPROVE_ALL_FEATURES = "APPROVE_ALL_FEATURES";

/** The organization's ENABLE_ALL_FEATURES parent handshake that is still open at `now`, if any. */
export async function pendingParent(ctx: CallContext, org: OrgRow): Promise<HandshakeRow | undefined> {
  const rows = await ctx.tx
    .selectFrom("handshakes")
    .selectAll()
    .where("org_id", "=", org.id)
    .where("action", "=", ENABLE_ALL_FEATURES)
    .where("target_account_id", "=", org.management_account_id)
    .where("state", "in", OPEN_STATES)
    .execute();
  return rows.find((r) => OPEN_STATES.includes(currentState(r, ctx.now)));
}

/** Whether the organization is in the middle of enabling all features. */
export async function isAllFeaturesMigrationPending(ctx: CallContext, org: OrgRow): Promise<boolean> {
  return (await pendingParent(ctx, org)) !== undefined;
}

/** Sends APPROVE_ALL_FEATURES to the management account and opens the parent: every invited member has approved. */
export async function requestFinalApproval(ctx: CallContext, org: OrgRow, parent: HandshakeRow): Promise<void> {
  await setHandshakeState(ctx.tx, org.id, [parent.id], "OPEN", ctx.now);
  const mgmt = await getAccountRow(ctx.tx, org.management_account_id);
  await createHandshake(
    ctx,
    org,
    APPROVE_ALL_FEATURES,
    { type: "ACCOUNT", id: org.management_account_id },
    [organizationResource(org, mgmt), { Type: "PARENT_HANDSHAKE", Value: parent.id }],
    undefined,
  );
}

/**
 * Re-evaluates a pending change: when every invited member still in the organization has accepted
 * its handshake, asks the management account for the final approval. Call it after a member's
 * acceptance, and after a member leaves or is removed (its handshake is canceled then).
 */
export async function reconcileAllFeatures(ctx: CallContext, orgId: string): Promise<void> {
  const org = await getOrganization(ctx.tx, orgId);
  if (!org || org.feature_set === "ALL") return;
  const parent = await pendingParent(ctx, org);
  if (!parent || currentState(parent, ctx.now) !== "REQUESTED") return;
  const children = (
    await ctx.tx
      .selectFrom("handshakes")
      .selectAll()
      .where("org_id", "=", org.id)
      .where("action", "=", ENABLE_ALL_FEATURES)
      .where("target_account_id", "!=", org.management_account_id)
      .execute()
  ).filter((r) => isChildHandshakeOf(r, parent.id));
  for (const child of children) {
    const member = await getAccountRow(ctx.tx, child.target_account_id!);
    const stillMember = member !== undefined && member.org_id === org.id && isVisible(member, ctx.now);
    if (stillMember && currentState(child, ctx.now) !== "ACCEPTED") return;
  }
  await requestFinalApproval(ctx, org, parent);
}
