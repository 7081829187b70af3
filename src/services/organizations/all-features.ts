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
import type { EnableAllFeaturesRequest, EnableAllFeaturesResponse, HandshakeParty } from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import { errors, constraintViolation } from "../../org/errors.js";
import { recordEvent } from "../../org/events.js";
import {
  createHandshake,
  isChildHandshakeOf,
  OPEN_STATES,
  organizationResource,
  parentHandshakeIdOf,
  setHandshakeState,
  toHandshake,
  type HandshakeRow,
} from "../../org/handshakes.js";
import {
  APPROVE_ALL_FEATURES,
  ENABLE_ALL_FEATURES,
  isAllFeaturesMigrationPending,
  pendingParent,
  reconcileAllFeatures,
  requestFinalApproval,
} from "../../org/feature-set.js";
import { getAccountRow, isVisible, requireOrg, type OrgRow } from "../../org/repo.js";

/** Organizations larger than this must use AWS's assisted migration instead. */
export const ALL_FEATURES_MIGRATION_MAX_ACCOUNTS = 5000;

export const MESSAGES = {
  /** A (AWS Advent 2018, CLI output) */
  alreadyAllFeatures: "All features are already enabled on this organization.",
  /** B */
  alreadyPending: "The handshake request is invalid because the organization has already started the process to enable all features.",
  /** B */
  inviteDisabled:
    "You can't issue new invitations to join an organization while it's in the process of enabling all features. You can resume inviting accounts after you finalize the process when all accounts have agreed to the change.",
  /** B */
  sizeLimit:
    "Your organization has more than 5000 accounts, and you can only use the standard migration process for organizations with less than 5000 accounts. Use the assisted migration process to enable all features mode, or create a support case for assistance if you are unable to use assisted migration.",
} as const;

/** For InviteAccountToOrganization: no invitations while all features are being enabled. */
export async function checkInviteAllowedDuringAllFeatures(ctx: CallContext, org: OrgRow): Promise<void> {
  if (await isAllFeaturesMigrationPending(ctx, org)) {
    throw errors.handshakeConstraint("INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES", MESSAGES.inviteDisabled);
  }
}

/** The organization now has all features; the pending parent and final-approval handshakes are accepted. */
async function finalize(ctx: CallContext, org: OrgRow, parentId: string | undefined): Promise<void> {
  await ctx.tx.updateTable("organizations").set({ feature_set: "ALL" }).where("id", "=", org.id).execute();
  if (parentId) {
    await setHandshakeState(ctx.tx, org.id, [parentId], "ACCEPTED", ctx.now);
    const approvals = await ctx.tx
      .selectFrom("handshakes")
      .selectAll()
      .where("org_id", "=", org.id)
      .where("action", "=", APPROVE_ALL_FEATURES)
      .where("state", "in", OPEN_STATES)
      .execute();
    for (const a of approvals) if (isChildHandshakeOf(a, parentId)) await setHandshakeState(ctx.tx, org.id, [a.id], "ACCEPTED", ctx.now);
  }
  await recordEvent(ctx, org.id, "EnableAllFeaturesCompleted", { featureSet: "ALL" });
}

/**
 * What accepting an ENABLE_ALL_FEATURES or APPROVE_ALL_FEATURES handshake does (its kind in
 * handshake-kinds.ts), after AcceptHandshake's state checks (the handshake is OPEN and the caller
 * its invited party), inside the call's transaction. Idempotent with AcceptHandshake's own marking
 * of the handshake ACCEPTED.
 */
export async function onAllFeaturesHandshakeAccepted(ctx: CallContext, row: HandshakeRow, org: OrgRow): Promise<void> {
  await setHandshakeState(ctx.tx, org.id, [row.id], "ACCEPTED", ctx.now);
  if (row.action === APPROVE_ALL_FEATURES) {
    await finalize(ctx, org, parentHandshakeIdOf(row));
  } else if (row.target_account_id === org.management_account_id) {
    // The parent itself (OPEN once every member approved): accepting it finalizes too.
    await finalize(ctx, org, row.id);
  } else {
    await reconcileAllFeatures(ctx, org.id);
  }
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
  await setHandshakeState(
    ctx.tx,
    org.id,
    earlier.map((r) => r.id),
    "CANCELED",
    ctx.now,
  );
  const parent = await createHandshake(
    ctx,
    org,
    ENABLE_ALL_FEATURES,
    { type: "ACCOUNT", id: org.management_account_id },
    [{ Type: "ORGANIZATION", Value: org.id }],
    undefined,
  );
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
