/**
 * EnableAllFeatures: moving a consolidated-billing organization to all features, AWS's way.
 *
 * 1. The management account calls EnableAllFeatures. It gets the parent ENABLE_ALL_FEATURES
 *    handshake (parties: the organization; state REQUESTED), and every member account that joined
 *    by invitation gets its own ENABLE_ALL_FEATURES handshake (OPEN) naming the parent. Accounts
 *    the organization created get none: they need not approve.
 * 2. Each invited member accepts its handshake. When every invited member (still in the
 *    organization) has accepted, the parent becomes OPEN and an APPROVE_ALL_FEATURES handshake is
 *    sent to the management account (at once when there is no invited member).
 * 3. The management account accepts APPROVE_ALL_FEATURES: the organization has all features, and
 *    the parent handshake is ACCEPTED. (AWS's EnableAllFeatures page also describes finalizing by
 *    accepting the ENABLE_ALL_FEATURES handshake; accepting the OPEN parent does the same.)
 *
 * While the change is pending, invitations to join are refused (INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES)
 * and a second EnableAllFeatures is ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION. A member
 * that declines blocks the change until it leaves or is removed, or the management account cancels
 * the parent handshake and starts again.
 */
import type { EnableAllFeaturesRequest, EnableAllFeaturesResponse, HandshakeParty, HandshakeResource } from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import type { HandshakeTable } from "../../store/schema.js";
import { errors, constraintViolation } from "../../org/errors.js";
import { recordEvent } from "../../org/events.js";
import { recordClosures } from "../../org/handshake-closures.js";
import { createHandshake, currentState, organizationResource, toHandshake } from "./handshakes.js";
import { getAccountRow, getOrganization, isVisible, requireOrg, type OrgRow } from "../../org/repo.js";

export const ENABLE_ALL_FEATURES = "ENABLE_ALL_FEATURES";
export const APPROVE_ALL_FEATURES = "APPROVE_ALL_FEATURES";

/** Organizations larger than this must use AWS's assisted migration instead. */
export const ALL_FEATURES_MIGRATION_MAX_ACCOUNTS = 5000;

export const MESSAGES = {
  /** A (AWS Advent 2018, CLI output) */
  alreadyAllFeatures: "All features are already enabled on this organization.",
  /** B */
  alreadyPending: "The handshake request is invalid because the organization has already started the process to enable all features.",
  /** B */
  inviteDisabled: "You can't issue new invitations to join an organization while it's in the process of enabling all features. You can resume inviting accounts after you finalize the process when all accounts have agreed to the change.",
  /** B */
  sizeLimit:
    "Your organization has more than 5000 accounts, and you can only use the standard migration process for organizations with less than 5000 accounts. Use the assisted migration process to enable all features mode, or create a support case for assistance if you are unable to use assisted migration.",
} as const;

const OPEN_STATES = ["OPEN", "REQUESTED"];

function resourcesOf(row: HandshakeTable): HandshakeResource[] {
  return JSON.parse(row.resources) as HandshakeResource[];
}

/** The parent handshake a member's ENABLE_ALL_FEATURES (or the APPROVE_ALL_FEATURES) handshake names. */
export function parentHandshakeIdOf(row: HandshakeTable): string | undefined {
  return resourcesOf(row).find((r) => r.Type === "PARENT_HANDSHAKE")?.Value;
}

/** Whether `row` is a child of `parentId` (for ListHandshakes*'s ParentHandshakeId filter). */
export function isChildHandshakeOf(row: HandshakeTable, parentId: string): boolean {
  return parentHandshakeIdOf(row) === parentId;
}

/** The organization's ENABLE_ALL_FEATURES parent handshake that is still open at `now`, if any. */
async function pendingParent(ctx: CallContext, org: OrgRow): Promise<HandshakeTable | undefined> {
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

/** For InviteAccountToOrganization: no invitations while all features are being enabled. */
export async function checkInviteAllowedDuringAllFeatures(ctx: CallContext, org: OrgRow): Promise<void> {
  if (await isAllFeaturesMigrationPending(ctx, org)) {
    throw errors.handshakeConstraint("INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES", MESSAGES.inviteDisabled);
  }
}

async function setState(ctx: CallContext, org: OrgRow, id: string, state: string): Promise<void> {
  await ctx.tx.updateTable("handshakes").set({ state }).where("id", "=", id).execute();
  if (!OPEN_STATES.includes(state)) await recordClosures(ctx.tx, org.id, [id], ctx.now);
}

/** Sends APPROVE_ALL_FEATURES to the management account and opens the parent: every invited member has approved. */
async function requestFinalApproval(ctx: CallContext, org: OrgRow, parent: HandshakeTable): Promise<void> {
  await setState(ctx, org, parent.id, "OPEN");
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

/** The organization now has all features; the pending parent and final-approval handshakes are accepted. */
async function finalize(ctx: CallContext, org: OrgRow, parentId: string | undefined): Promise<void> {
  await ctx.tx.updateTable("organizations").set({ feature_set: "ALL" }).where("id", "=", org.id).execute();
  if (parentId) {
    await setState(ctx, org, parentId, "ACCEPTED");
    const approvals = await ctx.tx
      .selectFrom("handshakes")
      .selectAll()
      .where("org_id", "=", org.id)
      .where("action", "=", APPROVE_ALL_FEATURES)
      .where("state", "in", OPEN_STATES)
      .execute();
    for (const a of approvals) if (isChildHandshakeOf(a, parentId)) await setState(ctx, org, a.id, "ACCEPTED");
  }
  await recordEvent(ctx, org.id, "EnableAllFeaturesCompleted", { featureSet: "ALL" });
}

/**
 * AcceptHandshake's extra step for ENABLE_ALL_FEATURES and APPROVE_ALL_FEATURES handshakes, run
 * after its state checks (the handshake is OPEN and the caller its invited party), inside the
 * call's transaction. Idempotent with AcceptHandshake's own marking of the handshake ACCEPTED.
 */
export async function onAllFeaturesHandshakeAccepted(ctx: CallContext, row: HandshakeTable): Promise<void> {
  if (row.action !== ENABLE_ALL_FEATURES && row.action !== APPROVE_ALL_FEATURES) return;
  const org = await getOrganization(ctx.tx, row.org_id);
  if (!org) return;
  if (row.action === APPROVE_ALL_FEATURES) {
    await setState(ctx, org, row.id, "ACCEPTED");
    await finalize(ctx, org, parentHandshakeIdOf(row));
    return;
  }
  if (row.target_account_id === org.management_account_id) {
    // The parent itself (OPEN once every member approved): accepting it finalizes too.
    await setState(ctx, org, row.id, "ACCEPTED");
    await finalize(ctx, org, row.id);
    return;
  }
  await setState(ctx, org, row.id, "ACCEPTED");
  await reconcileAllFeatures(ctx, org.id);
}

export const EnableAllFeatures = op(async (ctx, _input: EnableAllFeaturesRequest): Promise<EnableAllFeaturesResponse> => {
  const org = await requireOrg(ctx);
  if (org.feature_set === "ALL") {
    throw errors.handshakeConstraint("ORGANIZATION_ALREADY_HAS_ALL_FEATURES", MESSAGES.alreadyAllFeatures);
  }
  if (await pendingParent(ctx, org)) {
    throw errors.handshakeConstraint("ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION", MESSAGES.alreadyPending);
  }
  const members = (await ctx.tx.selectFrom("accounts").selectAll().where("org_id", "=", org.id).orderBy("id").execute()).filter((a) =>
    isVisible(a, ctx.now),
  );
  if (members.length > ALL_FEATURES_MIGRATION_MAX_ACCOUNTS) {
    throw constraintViolation("ALL_FEATURES_MIGRATION_ORGANIZATION_SIZE_LIMIT_EXCEEDED", MESSAGES.sizeLimit);
  }
  // Member handshakes of an earlier attempt (canceled, declined or expired parent) are closed.
  const earlier = await ctx.tx
    .selectFrom("handshakes")
    .select("id")
    .where("org_id", "=", org.id)
    .where("action", "in", [ENABLE_ALL_FEATURES, APPROVE_ALL_FEATURES])
    .where("state", "in", OPEN_STATES)
    .execute();
  if (earlier.length > 0) {
    const ids = earlier.map((r) => r.id);
    await ctx.tx.updateTable("handshakes").set({ state: "CANCELED" }).where("id", "in", ids).execute();
    await recordClosures(ctx.tx, org.id, ids, ctx.now);
  }
  const parent = await createHandshake(ctx, org, ENABLE_ALL_FEATURES, { type: "ACCOUNT", id: org.management_account_id }, [{ Type: "ORGANIZATION", Value: org.id }], undefined);
  // AWS's parent handshake names only the organization and awaits the members' responses.
  const parties = JSON.stringify([{ Id: org.id, Type: "ORGANIZATION" }] satisfies HandshakeParty[]);
  await ctx.tx.updateTable("handshakes").set({ state: "REQUESTED", parties }).where("id", "=", parent.id).execute();
  const mgmt = await getAccountRow(ctx.tx, org.management_account_id);
  const invited = members.filter((a) => a.joined_method === "INVITED" && a.id !== org.management_account_id);
  for (const member of invited) {
    await createHandshake(
      ctx,
      org,
      ENABLE_ALL_FEATURES,
      { type: "ACCOUNT", id: member.id },
      [organizationResource(org, mgmt), { Type: "PARENT_HANDSHAKE", Value: parent.id }],
      undefined,
    );
  }
  await recordEvent(ctx, org.id, "EnableAllFeatures", { handshakeId: parent.id, invitedAccounts: invited.length });
  if (invited.length === 0) await requestFinalApproval(ctx, org, { ...parent, state: "REQUESTED" });
  const row = await ctx.tx.selectFrom("handshakes").selectAll().where("id", "=", parent.id).executeTakeFirstOrThrow();
  return { Handshake: toHandshake(row, ctx.now) };
});
