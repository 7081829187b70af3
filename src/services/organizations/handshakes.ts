/** Handshakes: invitations (and the all-features flow), their states and their 15-day expiry. */
import type {
  AcceptHandshakeRequest,
  AcceptHandshakeResponse,
  CancelHandshakeRequest,
  CancelHandshakeResponse,
  DeclineHandshakeRequest,
  DeclineHandshakeResponse,
  DescribeHandshakeRequest,
  DescribeHandshakeResponse,
  Handshake,
  HandshakeParty,
  HandshakeResource,
  InviteAccountToOrganizationRequest,
  InviteAccountToOrganizationResponse,
  ListHandshakesForAccountRequest,
  ListHandshakesForAccountResponse,
  ListHandshakesForOrganizationRequest,
  ListHandshakesForOrganizationResponse,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import type { HandshakeTable } from "../../store/schema.js";
import { arns, newHandshakeId } from "../../org/ids.js";
import { errors, invalidInput } from "../../org/errors.js";
import { DAY_MS, ensureAccount, getAccountRow, getOrganization, implicitEmail, membership, requireOrg, type OrgRow } from "../../org/repo.js";
import { joinOrganization } from "./membership.js";
import { recordEvent } from "../../org/events.js";
import { paginate, seqAfter, seqKey } from "./paginate.js";
import { nextSeq } from "../../store/sequence.js";
import { quotas } from "../../quotas.js";
import { ACCOUNT_LIMIT_MESSAGE, accountQuotaReached, isValidAccountEmail } from "../../org/accounts.js";
import { checkInviteAllowedDuringAllFeatures, isChildHandshakeOf, onAllFeaturesHandshakeAccepted } from "./all-features.js";
import { onTransferHandshakeAccepted } from "./transfers.js";
import { validateTagsForNewResource } from "../../org/tags.js";
import { closureOf, isRetained, oldClosures, recordClosures } from "../../org/handshake-closures.js";

export const HANDSHAKE_TTL_MS = 15 * DAY_MS;

/**
 * The check before a response moves a handshake to `target` (ACCEPTED, DECLINED or CANCELED):
 * a handshake already in that state is HandshakeAlreadyInStateException; one that can no longer
 * move (another response closed it, or it expired) is InvalidHandshakeTransitionException.
 */
function requireTransition(state: string, target: string, from: readonly string[]): void {
  if (state === target) throw errors.handshakeAlreadyInState(state);
  if (!from.includes(state)) throw errors.invalidHandshakeTransition(state);
}

/** The state a handshake is in now: an open one past its expiry is EXPIRED. */
export function currentState(row: HandshakeTable, now: number): string {
  if ((row.state === "OPEN" || row.state === "REQUESTED") && now >= row.expires_at) return "EXPIRED";
  return row.state;
}

export function toHandshake(row: HandshakeTable, now: number): Handshake {
  return {
    Id: row.id,
    Arn: row.arn,
    Parties: JSON.parse(row.parties) as HandshakeParty[],
    State: currentState(row, now) as Handshake["State"],
    RequestedTimestamp: new Date(row.requested_at),
    ExpirationTimestamp: new Date(row.expires_at),
    Action: row.action as Handshake["Action"],
    Resources: JSON.parse(row.resources) as HandshakeResource[],
  };
}

/** A handshake AWS still keeps: one closed (or expired) more than 30 days ago is gone. */
async function findHandshake(ctx: CallContext, id: string): Promise<HandshakeTable> {
  const row = await ctx.tx.selectFrom("handshakes").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row || !isRetained(row, await closureOf(ctx.tx, id), ctx.now)) throw errors.handshakeNotFound();
  return row;
}

/** Sets a handshake's closed state (ACCEPTED, DECLINED, CANCELED) and records when it closed. */
async function close(ctx: CallContext, row: HandshakeTable, state: string): Promise<void> {
  await ctx.tx.updateTable("handshakes").set({ state }).where("id", "=", row.id).execute();
  await recordClosures(ctx.tx, row.org_id, [row.id], ctx.now);
}

/** Whether the caller is the handshake's invited party (by account id or by its email). */
async function isTargetParty(ctx: CallContext, row: HandshakeTable): Promise<boolean> {
  if (row.target_account_id === ctx.principal.accountId) return true;
  if (row.target_email) {
    return (await callerEmail(ctx)).toLowerCase() === row.target_email.toLowerCase();
  }
  return false;
}

/** The caller's email: its account's, or the implicit one of an account orgsim knows only by id. */
async function callerEmail(ctx: CallContext): Promise<string> {
  const account = await getAccountRow(ctx.tx, ctx.principal.accountId);
  return account?.email ?? implicitEmail(ctx.principal.accountId);
}

async function isOrganizationParty(ctx: CallContext, row: HandshakeTable): Promise<boolean> {
  const { org } = await membership(ctx);
  return org !== undefined && org.id === row.org_id && org.management_account_id === ctx.principal.accountId;
}

/** The ORGANIZATION resource of a handshake: the organization with its management account's email and name. */
export function organizationResource(org: OrgRow, mgmt: { email: string; name: string } | undefined, extra: HandshakeResource[] = []): HandshakeResource {
  return {
    Type: "ORGANIZATION",
    Value: org.id,
    Resources: [{ Type: "MASTER_EMAIL", Value: mgmt?.email ?? "" }, { Type: "MASTER_NAME", Value: mgmt?.name ?? "" }, ...extra],
  };
}

export async function createHandshake(
  ctx: CallContext,
  org: OrgRow,
  action: string,
  target: { type: "ACCOUNT" | "EMAIL"; id: string },
  resources: HandshakeResource[],
  tags: { Key: string; Value: string }[] | undefined,
): Promise<HandshakeTable> {
  const id = newHandshakeId();
  const row: HandshakeTable = {
    id,
    org_id: org.id,
    arn: arns.handshake(org.partition, org.management_account_id, org.id, action === "INVITE" ? "invite" : action, id),
    action,
    state: "OPEN",
    requested_at: ctx.now,
    expires_at: ctx.now + HANDSHAKE_TTL_MS,
    parties: JSON.stringify([
      { Id: org.id, Type: "ORGANIZATION" },
      { Id: target.id, Type: target.type },
    ] satisfies HandshakeParty[]),
    resources: JSON.stringify(resources),
    target_account_id: target.type === "ACCOUNT" ? target.id : null,
    target_email: target.type === "EMAIL" ? target.id : null,
    tags: tags && tags.length > 0 ? JSON.stringify(tags) : null,
    seq: await nextSeq(ctx.tx),
  };
  await ctx.tx.insertInto("handshakes").values(row).execute();
  return row;
}

export const InviteAccountToOrganization = op(
  async (ctx, input: InviteAccountToOrganizationRequest): Promise<InviteAccountToOrganizationResponse> => {
    const org = await requireOrg(ctx);
    await checkInviteAllowedDuringAllFeatures(ctx, org);
    const target = input.Target!;
    if (target.Type !== "ACCOUNT" && target.Type !== "EMAIL") {
      throw invalidInput("INVALID_PARTY_TYPE_TARGET", "You specified the wrong type for the handshake's target: use ACCOUNT or EMAIL.");
    }
    if (target.Type === "ACCOUNT" && !/^\d{12}$/.test(target.Id!)) {
      throw invalidInput("INVALID_PATTERN_TARGET_ID", "You specified a handshake target ID that doesn't match the pattern of an account ID (12 digits).");
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
      .where("action", "=", "INVITE")
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
      .where("action", "=", "INVITE")
      .where("requested_at", ">", ctx.now - DAY_MS)
      .executeTakeFirstOrThrow();
    if (Number(sentToday.n) >= (await quotas(ctx)).invitationsPerDay) {
      throw errors.handshakeConstraint("HANDSHAKE_RATE_LIMIT_EXCEEDED", "You attempted to exceed the number of handshakes that you can send in one day.");
    }
    if (await accountQuotaReached(ctx, org)) throw errors.handshakeConstraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", ACCOUNT_LIMIT_MESSAGE);
    const mgmt = await getAccountRow(ctx.tx, org.management_account_id);
    const resources: HandshakeResource[] = [
      organizationResource(org, mgmt, [{ Type: "ORGANIZATION_FEATURE_SET", Value: org.feature_set === "ALL" ? "FULL" : org.feature_set }]),
      { Type: target.Type === "ACCOUNT" ? "ACCOUNT" : "EMAIL", Value: target.Id! },
    ];
    if (input.Notes !== undefined) resources.push({ Type: "NOTES", Value: input.Notes });
    const row = await createHandshake(ctx, org, "INVITE", { type: target.Type, id: target.Id! }, resources, input.Tags as { Key: string; Value: string }[]);
    await recordEvent(ctx, org.id, "InviteAccountToOrganization", { handshakeId: row.id, target: target.Id });
    return { Handshake: toHandshake(row, ctx.now) };
  },
);

export const AcceptHandshake = op(async (ctx, input: AcceptHandshakeRequest): Promise<AcceptHandshakeResponse> => {
  const row = await findHandshake(ctx, input.HandshakeId!);
  if (!(await isTargetParty(ctx, row))) throw errors.handshakeNotFound();
  requireTransition(currentState(row, ctx.now), "ACCEPTED", ["OPEN"]);
  const org = await getOrganization(ctx.tx, row.org_id);
  if (!org) throw errors.handshakeNotFound();
  await onTransferHandshakeAccepted(ctx, row);
  await onAllFeaturesHandshakeAccepted(ctx, row);
  if (row.action === "INVITE") {
    const account = await ensureAccount(ctx.tx, ctx.principal.accountId, ctx.now);
    if (account.org_id) {
      // A management account would have to leave its own organization first, which it can't do.
      const own = await getOrganization(ctx.tx, account.org_id);
      if (own?.management_account_id === account.id) throw errors.masterCannotLeave();
      throw errors.handshakeConstraint("ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization.");
    }
    await joinOrganization(ctx, org, account, { method: "INVITED", joinedAt: ctx.now, tags: row.tags ? (JSON.parse(row.tags) as { Key: string; Value: string }[]) : [] });
  } else if (row.action === "ENABLE_ALL_FEATURES") {
    // The member approves; the management account completes the change by accepting APPROVE_ALL_FEATURES.
  } else if (row.action === "APPROVE_ALL_FEATURES") {
    await ctx.tx.updateTable("organizations").set({ feature_set: "ALL" }).where("id", "=", org.id).execute();
  }
  await close(ctx, row, "ACCEPTED");
  await recordEvent(ctx, org.id, "AcceptHandshake", { handshakeId: row.id, action: row.action });
  return { Handshake: toHandshake({ ...row, state: "ACCEPTED" }, ctx.now) };
});

export const DeclineHandshake = op(async (ctx, input: DeclineHandshakeRequest): Promise<DeclineHandshakeResponse> => {
  const row = await findHandshake(ctx, input.HandshakeId!);
  if (!(await isTargetParty(ctx, row))) throw errors.handshakeNotFound();
  requireTransition(currentState(row, ctx.now), "DECLINED", ["OPEN", "REQUESTED"]);
  await close(ctx, row, "DECLINED");
  await recordEvent(ctx, row.org_id, "DeclineHandshake", { handshakeId: row.id });
  return { Handshake: toHandshake({ ...row, state: "DECLINED" }, ctx.now) };
});

export const CancelHandshake = op(async (ctx, input: CancelHandshakeRequest): Promise<CancelHandshakeResponse> => {
  const row = await findHandshake(ctx, input.HandshakeId!);
  if (!(await isOrganizationParty(ctx, row))) throw errors.handshakeNotFound();
  requireTransition(currentState(row, ctx.now), "CANCELED", ["OPEN", "REQUESTED"]);
  await close(ctx, row, "CANCELED");
  await recordEvent(ctx, row.org_id, "CancelHandshake", { handshakeId: row.id });
  return { Handshake: toHandshake({ ...row, state: "CANCELED" }, ctx.now) };
});

export const DescribeHandshake = op(async (ctx, input: DescribeHandshakeRequest): Promise<DescribeHandshakeResponse> => {
  const row = await findHandshake(ctx, input.HandshakeId!);
  if (!(await isTargetParty(ctx, row)) && !(await isOrganizationParty(ctx, row))) throw errors.handshakeNotFound();
  return { Handshake: toHandshake(row, ctx.now) };
});

type HandshakeFilter = { ActionType?: string; ParentHandshakeId?: string } | undefined;

/** A listed handshake, unless the filter drops it or it is gone (closed more than 30 days ago; `closures`: oldClosures). */
function keep(row: HandshakeTable, now: number, filter: HandshakeFilter, closures: Map<string, number>): Handshake | undefined {
  if (filter?.ActionType && row.action !== filter.ActionType) return undefined;
  if (!isRetained(row, closures.get(row.id), now)) return undefined;
  return toHandshake(row, now);
}

function filterError(filter: HandshakeFilter) {
  if (filter?.ActionType && filter.ParentHandshakeId) {
    throw invalidInput("MAX_LIMIT_EXCEEDED_FILTER", "You can specify only one filter parameter: ActionType or ParentHandshakeId.");
  }
}

export const ListHandshakesForAccount = op(
  async (ctx, input: ListHandshakesForAccountRequest): Promise<ListHandshakesForAccountResponse> => {
    filterError(input.Filter);
    const email = await callerEmail(ctx);
    const closures = await oldClosures(ctx.tx, ctx.now);
    const page = await paginate(
      ctx,
      `account:${input.Filter?.ActionType ?? ""}:${input.Filter?.ParentHandshakeId ?? ""}`,
      input,
      (after, limit) => {
        let q = ctx.tx
          .selectFrom("handshakes")
          .selectAll()
          .where((eb) => eb.or([eb("target_account_id", "=", ctx.principal.accountId), eb("target_email", "=", email)]));
        const from = seqAfter(after);
        if (from !== undefined) q = q.where("seq", ">", from);
        return q.orderBy("seq").limit(limit).execute();
      },
      seqKey,
      (r) => {
        const parent = input.Filter?.ParentHandshakeId;
        if (parent) return isChildHandshakeOf(r, parent) ? keep(r, ctx.now, undefined, closures) : undefined;
        return keep(r, ctx.now, input.Filter, closures);
      },
    );
    return { Handshakes: page.items, NextToken: page.NextToken };
  },
);

export const ListHandshakesForOrganization = op(
  async (ctx, input: ListHandshakesForOrganizationRequest): Promise<ListHandshakesForOrganizationResponse> => {
    filterError(input.Filter);
    const org = await requireOrg(ctx);
    const closures = await oldClosures(ctx.tx, ctx.now);
    const page = await paginate(
      ctx,
      `${org.id}:${input.Filter?.ActionType ?? ""}:${input.Filter?.ParentHandshakeId ?? ""}`,
      input,
      (after, limit) => {
        const from = seqAfter(after);
        let q = ctx.tx.selectFrom("handshakes").selectAll().where("org_id", "=", org.id);
        if (from !== undefined) q = q.where("seq", ">", from);
        return q.orderBy("seq").limit(limit).execute();
      },
      seqKey,
      (r) => {
        const parent = input.Filter?.ParentHandshakeId;
        if (parent) return isChildHandshakeOf(r, parent) ? keep(r, ctx.now, undefined, closures) : undefined;
        return keep(r, ctx.now, input.Filter, closures);
      },
    );
    return { Handshakes: page.items, NextToken: page.NextToken };
  },
);
