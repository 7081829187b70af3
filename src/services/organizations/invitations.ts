/**
 * Invitations: InviteAccountToOrganization sends an INVITE handshake to an account (by id or by
 * email); accepting it (handshake-kinds.ts) joins the account to the organization, with the tags
 * the invitation carried.
 */
import type {
  HandshakeResource,
  InviteAccountToOrganizationRequest,
  InviteAccountToOrganizationResponse,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import { quotas } from "../../quotas.js";
import { errors, invalidInput } from "../../org/errors.js";
import { DAY_MS, ensureAccount, getAccountRow, getOrganization, requireOrg, type OrgRow } from "../../org/repo.js";
import { ACCOUNT_LIMIT_MESSAGE, accountQuotaReached, isValidAccountEmail } from "../../org/accounts.js";
import { createHandshake, organizationResource, toHandshake, type HandshakeRow } from "../../org/handshakes.js";
import { joinOrganization } from "../../org/membership.js";
import { recordEvent } from "../../org/events.js";
import { validateTagsForNewResource } from "../../org/tags.js";
import { checkInviteAllowedDuringAllFeatures } from "./all-features.js";

export const INVITE = "INVITE";

export const InviteAccountToOrganization = op(
  async (ctx, input: InviteAccountToOrganizationRequest): Promise<InviteAccountToOrganizationResponse> => {
    const org = await requireOrg(ctx);
    await checkInviteAllowedDuringAllFeatures(ctx, org);
    const target = input.Target!;
    if (target.Type !== "ACCOUNT" && target.Type !== "EMAIL") {
      throw invalidInput("INVALID_PARTY_TYPE_TARGET", "You specified the wrong type for the handshake's target: use ACCOUNT or EMAIL.");
    }
    if (target.Type === "ACCOUNT" && !/^\d{12}$/.test(target.Id!)) {
      throw invalidInput(
        "INVALID_PATTERN_TARGET_ID",
        "You specified a handshake target ID that doesn't match the pattern of an account ID (12 digits).",
      );
    }
    if (target.Type === "EMAIL" && !isValidAccountEmail(target.Id!)) {
      throw invalidInput("INVALID_EMAIL_ADDRESS_TARGET", "You specified an invalid email address for the invited account owner.");
    }
    // The tags are attached on acceptance, but checked now: one invalid tag and no invitation is sent.
    validateTagsForNewResource(input.Tags, "the invited account");
    // An invited account by id exists implicitly as a standalone account.
    const invited =
      target.Type === "ACCOUNT"
        ? await ensureAccount(ctx.tx, target.Id!, ctx.now)
        : await ctx.tx.selectFrom("accounts").selectAll().where("email", "=", target.Id!).executeTakeFirst();
    if (invited && invited.org_id === org.id) {
      throw errors.handshakeConstraint("ALREADY_IN_AN_ORGANIZATION", "The account is already a member of this organization.");
    }
    const duplicate = await ctx.tx
      .selectFrom("handshakes")
      .selectAll()
      .where("org_id", "=", org.id)
      .where("action", "=", INVITE)
      .where("state", "in", ["OPEN", "REQUESTED"])
      .where("expires_at", ">", ctx.now)
      .where(target.Type === "ACCOUNT" ? "target_account_id" : "target_email", "=", target.Id!)
      .limit(1)
      .executeTakeFirst();
    if (duplicate) throw errors.duplicateHandshake();
    const sentToday = await ctx.tx
      .selectFrom("handshakes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("org_id", "=", org.id)
      .where("action", "=", INVITE)
      .where("requested_at", ">", ctx.now - DAY_MS)
      .executeTakeFirstOrThrow();
    if (Number(sentToday.n) >= (await quotas(ctx)).invitationsPerDay) {
      throw errors.handshakeConstraint(
        "HANDSHAKE_RATE_LIMIT_EXCEEDED",
        "You attempted to exceed the number of handshakes that you can send in one day.",
      );
    }
    if (await accountQuotaReached(ctx, org)) throw errors.handshakeConstraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", ACCOUNT_LIMIT_MESSAGE);
    const mgmt = await getAccountRow(ctx.tx, org.management_account_id);
    const resources: HandshakeResource[] = [
      organizationResource(org, mgmt, [{ Type: "ORGANIZATION_FEATURE_SET", Value: org.feature_set === "ALL" ? "FULL" : org.feature_set }]),
      { Type: target.Type === "ACCOUNT" ? "ACCOUNT" : "EMAIL", Value: target.Id! },
    ];
    if (input.Notes !== undefined) resources.push({ Type: "NOTES", Value: input.Notes });
    const row = await createHandshake(
      ctx,
      org,
      INVITE,
      { type: target.Type, id: target.Id! },
      resources,
      input.Tags as { Key: string; Value: string }[],
    );
    await recordEvent(ctx, org.id, "InviteAccountToOrganization", { handshakeId: row.id, target: target.Id });
    return { Handshake: toHandshake(row, ctx.now) };
  },
);

/**
 * What accepting an invitation does (its kind in handshake-kinds.ts): the caller's account joins
 * the organization, unless it is in one already.
 */
export async function onInvitationAccepted(ctx: CallContext, row: HandshakeRow, org: OrgRow): Promise<void> {
  const account = await ensureAccount(ctx.tx, ctx.principal.accountId, ctx.now);
  if (account.org_id) {
    // A management account would have to leave its own organization first, which it can't do.
    const own = await getOrganization(ctx.tx, account.org_id);
    if (own?.management_account_id === account.id) throw errors.masterCannotLeave();
    throw errors.handshakeConstraint("ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization.");
  }
  await joinOrganization(ctx, org, account, {
    method: "INVITED",
    joinedAt: ctx.now,
    tags: row.tags ? (JSON.parse(row.tags) as { Key: string; Value: string }[]) : [],
  });
}
