/**
 * Responsibility transfers (AWS Billing Transfer, 2025): the management account of one
 * organization (the bill-transfer account) invites the management account of another (the
 * bill-source account) to let it manage and pay that organization's consolidated bill.
 *
 * - The invitation is a TRANSFER_RESPONSIBILITY handshake; the transfer is REQUESTED while it is
 *   open, and DECLINED, CANCELED or EXPIRED when the handshake is. The invited management account
 *   accepts it with AcceptHandshake (ACCEPTED) before the last day ahead of the start date.
 * - A transfer starts at 00:00:00.000 UTC on the first day of a month (StartTimestamp). Either
 *   party ends it with TerminateResponsibilityTransfer (WITHDRAWN); it ends at 23:59:59.999 UTC on
 *   the last day of a month (EndTimestamp), the current month at the earliest.
 * - For the inviter the transfer is inbound (it takes the responsibility; the transfer's Target);
 *   for the invited organization it is outbound (the transfer's Source). Each side sees the
 *   transfer under an ARN of its own organization, with `inbound` or `outbound`.
 * - Quotas: an organization pays for at most MAX_INBOUND_TRANSFERS other organizations (open
 *   invitations count) and has its bill paid by at most one (MAX_OUTBOUND_TRANSFERS); a chain of
 *   transfers (A pays for B, which pays for C) is at most MAX_TRANSFER_CHAIN_LENGTH long.
 *
 * Times use the virtual clock.
 */
import { randomBytes } from "node:crypto";
import type {
  DescribeResponsibilityTransferRequest,
  DescribeResponsibilityTransferResponse,
  HandshakeResource,
  InviteOrganizationToTransferResponsibilityRequest,
  InviteOrganizationToTransferResponsibilityResponse,
  ListInboundResponsibilityTransfersRequest,
  ListInboundResponsibilityTransfersResponse,
  ListOutboundResponsibilityTransfersRequest,
  ListOutboundResponsibilityTransfersResponse,
  ResponsibilityTransfer,
  Tag,
  TerminateResponsibilityTransferRequest,
  TerminateResponsibilityTransferResponse,
  UpdateResponsibilityTransferRequest,
  UpdateResponsibilityTransferResponse,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import type { HandshakeTable, ResponsibilityTransferTable } from "../../store/schema.js";
import { AwsError } from "../../protocol/errors.js";
import { errors, constraintViolation, invalidInput } from "../../org/errors.js";
import { recordEvent } from "../../org/events.js";
import { createHandshake, currentState, toHandshake, type HandshakeRow } from "../../org/handshakes.js";
import { pages } from "./pages.js";
import { nextSeq } from "../../store/sequence.js";
import {
  DAY_MS,
  getAccountRow,
  getOrganization,
  implicitEmail,
  membership,
  requireOrg,
  type AccountRow,
  type OrgRow,
} from "../../org/repo.js";
import { putTags, validateTags } from "../../org/tags.js";

export const TRANSFER_RESPONSIBILITY = "TRANSFER_RESPONSIBILITY";

/** Organizations another organization may pay for at a time. AWS's default is 0 (adjustable up to 1,000); orgsim grants the maximum. */
export const MAX_INBOUND_TRANSFERS = 1000;
/** Organizations that may pay for one organization's bill at a time (AWS: 1, not adjustable). */
export const MAX_OUTBOUND_TRANSFERS = 1;
/** Transfers in one chain (customer -> partner -> distributor). AWS does not publish the number; orgsim's choice. */
export const MAX_TRANSFER_CHAIN_LENGTH = 2;
/** An invitation must be accepted at least this long before the transfer starts. */
export const ACCEPT_BEFORE_START_MS = DAY_MS;
/** How far ahead a transfer may start. AWS does not publish the number; orgsim's choice. */
export const MAX_START_AHEAD_MS = 365 * DAY_MS;

// Messages: the API Reference's descriptions of each exception and reason (B in docs/research/aws-messages.md).
export const MESSAGES = {
  notFound: "We can't find a transfer that you specified.",
  alreadyInStatus: "The responsibility transfer is already in the status that you specified.",
  invalidTransition:
    "The responsibility transfer can't transition to the requested state because it's not in a valid state for this operation.",
  startNotBeginningOfDay: "You provided an invalid start date. The start date must be the beginning of the day (00:00:00.000).",
  startNotBeginningOfMonth: "You provided an invalid start date. The start date must be the first day of the month.",
  startTooEarly: "You provided an invalid start date. The start date is too early.",
  startTooLate: "You provided an invalid start date. The start date is too late.",
  endNotEndOfMonth: "You provided an invalid end date. The end date must be the end of the last day of the month (23.59.59.999).",
  endTooEarly: "You provided an invalid end date. The end date is too early.",
  sourceAndTargetMatch: "An account can't accept a transfer invitation if it is both the sender and recipient of the invitation.",
  alreadyExists: "You cannot perform this operation with the current transfer.",
  inboundQuota: "You have exceeded your inbound transfers limit.",
  outboundQuota: "You have exceeded your outbound transfers limit.",
  chainLength: "You have exceeded the maximum length of your transfer chain.",
  updateNotAllowed:
    "You cannot update this transfer because it is no longer active. Transfers that have been withdrawn, declined, expired, or cancelled cannot be modified.",
  invalidPartyType: "You specified the wrong type of entity (account, organization, or email) as a party.",
  invalidTargetId: "You specified a handshake target ID that doesn't match the pattern of an account ID (12 digits).",
  invalidEmail: "You specified an invalid email address for the invited account owner.",
} as const;

export const transferErrors = {
  notFound: () => new AwsError("ResponsibilityTransferNotFoundException", MESSAGES.notFound),
  alreadyInStatus: () => new AwsError("ResponsibilityTransferAlreadyInStatusException", MESSAGES.alreadyInStatus),
  invalidTransition: () => new AwsError("InvalidResponsibilityTransferTransitionException", MESSAGES.invalidTransition),
};

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** A timestamp input (Date, epoch seconds, or ISO-8601 string) in epoch milliseconds. */
export function toEpochMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return Math.round(value * 1000);
  if (typeof value === "string") return Date.parse(value);
  return Number.NaN;
}

/** 00:00:00.000 UTC on the first day of the month of `ms`, `offset` months later. */
export function monthStart(ms: number, offset = 0): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
}

/** 23:59:59.999 UTC on the last day of the month of `ms`. */
export function monthEnd(ms: number): number {
  return monthStart(ms, 1) - 1;
}

/** START_DATE_* checks: the first day of a month at midnight UTC, late enough to accept, not too far ahead. */
export function checkStartTimestamp(start: number, now: number): void {
  if (!Number.isFinite(start) || start % DAY_MS !== 0)
    throw invalidInput("START_DATE_NOT_BEGINNING_OF_DAY", MESSAGES.startNotBeginningOfDay);
  if (new Date(start).getUTCDate() !== 1) throw invalidInput("START_DATE_NOT_BEGINNING_OF_MONTH", MESSAGES.startNotBeginningOfMonth);
  if (start - ACCEPT_BEFORE_START_MS <= now) throw invalidInput("START_DATE_TOO_EARLY", MESSAGES.startTooEarly);
  if (start > now + MAX_START_AHEAD_MS) throw invalidInput("START_DATE_TOO_LATE", MESSAGES.startTooLate);
}

/**
 * END_DATE_* checks: within the last second of a month (normalized to 23:59:59.999 UTC), and no
 * earlier than the end of the month in which the transfer is (or will be) running. Returns the end.
 */
export function checkEndTimestamp(end: number | undefined, row: ResponsibilityTransferTable, now: number): number {
  const earliest = monthEnd(Math.max(now, row.start_at));
  if (end === undefined) return earliest;
  if (!Number.isFinite(end) || monthEnd(end) - end >= 1000) throw invalidInput("END_DATE_NOT_END_OF_MONTH", MESSAGES.endNotEndOfMonth);
  const normalized = monthEnd(end);
  if (normalized < earliest) throw invalidInput("END_DATE_TOO_EARLY", MESSAGES.endTooEarly);
  return normalized;
}

// ---------------------------------------------------------------------------------------------
// Rows and views
// ---------------------------------------------------------------------------------------------

const newTransferId = (): string => {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(16);
  let out = "rt-";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
};

async function handshakeOf(ctx: CallContext, row: ResponsibilityTransferTable): Promise<HandshakeTable | undefined> {
  return ctx.tx.selectFrom("handshakes").selectAll().where("id", "=", row.handshake_id).executeTakeFirst();
}

/** The transfer's status now: stored once accepted or withdrawn, else its handshake's. */
export function transferStatus(row: ResponsibilityTransferTable, handshake: HandshakeTable | undefined, now: number): string {
  if (row.status === "ACCEPTED" || row.status === "WITHDRAWN") return row.status;
  if (!handshake) return "CANCELED";
  const state = currentState(handshake, now);
  if (state === "OPEN" || state === "REQUESTED") return "REQUESTED";
  return state; // ACCEPTED, DECLINED, CANCELED, EXPIRED
}

async function statusOf(ctx: CallContext, row: ResponsibilityTransferTable): Promise<string> {
  return transferStatus(row, await handshakeOf(ctx, row), ctx.now);
}

/** Which side of the transfer `org` is: inbound (it takes the responsibility) or outbound (it gives it). */
type Side = "inbound" | "outbound";

async function accountEmail(ctx: CallContext, accountId: string): Promise<string> {
  return (await getAccountRow(ctx.tx, accountId))?.email ?? implicitEmail(accountId);
}

/** Whether the still-unanswered invitation is addressed to `org`'s management account. */
async function invitedIs(ctx: CallContext, row: ResponsibilityTransferTable, org: OrgRow): Promise<boolean> {
  if (row.source_org_id !== null) return false;
  if (row.source_account_id === org.management_account_id) return true;
  if (row.source_email === null) return false;
  return row.source_email.toLowerCase() === (await accountEmail(ctx, org.management_account_id)).toLowerCase();
}

async function sideOf(ctx: CallContext, row: ResponsibilityTransferTable, org: OrgRow): Promise<Side | undefined> {
  if (row.target_org_id === org.id) return "inbound";
  if (row.source_org_id === org.id || (await invitedIs(ctx, row, org))) return "outbound";
  return undefined;
}

async function toTransfer(ctx: CallContext, row: ResponsibilityTransferTable, org: OrgRow, side: Side): Promise<ResponsibilityTransfer> {
  const status = await statusOf(ctx, row);
  const source: ResponsibilityTransfer["Source"] = {};
  if (row.source_account_id !== null) {
    source.ManagementAccountId = row.source_account_id;
    source.ManagementAccountEmail = row.source_email ?? (await accountEmail(ctx, row.source_account_id));
  } else if (row.source_email !== null) {
    source.ManagementAccountEmail = row.source_email;
  }
  const out: ResponsibilityTransfer = {
    Arn: `arn:${org.partition}:organizations::${org.management_account_id}:transfer/${org.id}/${row.type.toLowerCase()}/${side}/${row.id}`,
    Name: row.name,
    Id: row.id,
    Type: row.type as ResponsibilityTransfer["Type"],
    Status: status as ResponsibilityTransfer["Status"],
    Source: source,
    Target: { ManagementAccountId: row.target_account_id, ManagementAccountEmail: row.target_email },
    StartTimestamp: new Date(row.start_at),
    ActiveHandshakeId: row.handshake_id,
  };
  if (row.end_at !== null) out.EndTimestamp = new Date(row.end_at);
  return out;
}

async function getTransfer(ctx: CallContext, id: string): Promise<ResponsibilityTransferTable | undefined> {
  return ctx.tx.selectFrom("responsibility_transfers").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The transfer as `org` sees it; ResponsibilityTransferNotFoundException when it is not a party. */
async function visibleTransfer(ctx: CallContext, org: OrgRow, id: string): Promise<{ row: ResponsibilityTransferTable; side: Side }> {
  const row = await getTransfer(ctx, id);
  const side = row ? await sideOf(ctx, row, org) : undefined;
  if (!row || !side) throw transferErrors.notFound();
  return { row, side };
}

/** Active (ACCEPTED, not withdrawn) transfers in which `orgId` is the source, or the target. */
async function activeTransfers(
  ctx: CallContext,
  column: "source_org_id" | "target_org_id",
  orgId: string,
): Promise<ResponsibilityTransferTable[]> {
  return ctx.tx.selectFrom("responsibility_transfers").selectAll().where(column, "=", orgId).where("status", "=", "ACCEPTED").execute();
}

/** Transfers below `orgId` in its chain (organizations it pays for, transitively): the longest path. */
async function depthBelow(ctx: CallContext, orgId: string, seen: Set<string>): Promise<number> {
  if (seen.has(orgId)) return Number.POSITIVE_INFINITY;
  seen.add(orgId);
  let depth = 0;
  for (const t of await activeTransfers(ctx, "target_org_id", orgId)) {
    depth = Math.max(depth, 1 + (await depthBelow(ctx, t.source_org_id!, seen)));
  }
  seen.delete(orgId);
  return depth;
}

/** The organizations above `orgId` in its chain (who pays its bill, and who pays theirs). */
async function chainAbove(ctx: CallContext, orgId: string): Promise<string[]> {
  const above: string[] = [];
  let current = orgId;
  for (;;) {
    const [t] = await activeTransfers(ctx, "source_org_id", current);
    if (!t || above.includes(t.target_org_id)) return above;
    above.push(t.target_org_id);
    current = t.target_org_id;
  }
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

export const InviteOrganizationToTransferResponsibility = op(
  async (ctx, input: InviteOrganizationToTransferResponsibilityRequest): Promise<InviteOrganizationToTransferResponsibilityResponse> => {
    const org = await requireOrg(ctx);
    const target = input.Target!;
    if (target.Type !== "ACCOUNT" && target.Type !== "EMAIL") throw invalidInput("INVALID_PARTY_TYPE_TARGET", MESSAGES.invalidPartyType);
    if (target.Type === "ACCOUNT" && !/^\d{12}$/.test(target.Id!))
      throw invalidInput("INVALID_PATTERN_TARGET_ID", MESSAGES.invalidTargetId);
    if (target.Type === "EMAIL" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(target.Id!))
      throw invalidInput("INVALID_EMAIL_ADDRESS_TARGET", MESSAGES.invalidEmail);
    const start = toEpochMs(input.StartTimestamp);
    checkStartTimestamp(start, ctx.now);
    const tags = (input.Tags ?? []) as Tag[];
    validateTags(tags);

    const mgmtEmail = await accountEmail(ctx, org.management_account_id);
    const invited: AccountRow | undefined =
      target.Type === "ACCOUNT"
        ? await getAccountRow(ctx.tx, target.Id!)
        : await ctx.tx.selectFrom("accounts").selectAll().where("email", "=", target.Id!).executeTakeFirst();
    const toSelf =
      target.Type === "ACCOUNT" ? target.Id === org.management_account_id : target.Id!.toLowerCase() === mgmtEmail.toLowerCase();
    if (toSelf || invited?.org_id === org.id) {
      throw errors.handshakeConstraint("SOURCE_AND_TARGET_CANNOT_MATCH", MESSAGES.sourceAndTargetMatch);
    }

    const mine = await ctx.tx.selectFrom("responsibility_transfers").selectAll().where("target_org_id", "=", org.id).execute();
    let live = 0;
    for (const t of mine) {
      const status = await statusOf(ctx, t);
      const sameParty =
        (target.Type === "ACCOUNT" && t.source_account_id === target.Id) ||
        (target.Type === "EMAIL" && t.source_email?.toLowerCase() === target.Id!.toLowerCase()) ||
        (invited?.org_id != null && t.source_org_id === invited.org_id);
      if (sameParty && status === "REQUESTED") throw errors.duplicateHandshake();
      if (sameParty && status === "ACCEPTED")
        throw errors.handshakeConstraint("RESPONSIBILITY_TRANSFER_ALREADY_EXISTS", MESSAGES.alreadyExists);
      if (status === "REQUESTED" || status === "ACCEPTED") live++;
    }
    if (live >= MAX_INBOUND_TRANSFERS) {
      throw constraintViolation("RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION", MESSAGES.inboundQuota);
    }

    const id = newTransferId();
    const mgmt = await getAccountRow(ctx.tx, org.management_account_id);
    const resources: HandshakeResource[] = [
      {
        Type: "ORGANIZATION",
        Value: org.id,
        Resources: [
          { Type: "MANAGEMENT_ACCOUNT", Value: org.management_account_id },
          { Type: "MANAGEMENT_EMAIL", Value: mgmtEmail },
          { Type: "MANAGEMENT_NAME", Value: mgmt?.name ?? "" },
        ],
      },
      { Type: "RESPONSIBILITY_TRANSFER", Value: id },
      { Type: "TRANSFER_TYPE", Value: input.Type! },
      { Type: "TRANSFER_START_TIMESTAMP", Value: new Date(start).toISOString() },
      { Type: target.Type, Value: target.Id! },
    ];
    if (input.Notes !== undefined) resources.push({ Type: "NOTES", Value: input.Notes });
    const handshake = await createHandshake(ctx, org, TRANSFER_RESPONSIBILITY, { type: target.Type, id: target.Id! }, resources, undefined);
    // The invitation can be accepted only until a day before the transfer starts.
    const expiresAt = Math.min(handshake.expires_at, start - ACCEPT_BEFORE_START_MS);
    await ctx.tx.updateTable("handshakes").set({ expires_at: expiresAt }).where("id", "=", handshake.id).execute();
    await ctx.tx
      .insertInto("responsibility_transfers")
      .values({
        id,
        type: input.Type!,
        name: input.SourceName!,
        target_org_id: org.id,
        target_account_id: org.management_account_id,
        target_email: mgmtEmail,
        source_account_id: target.Type === "ACCOUNT" ? target.Id! : null,
        source_email: target.Type === "EMAIL" ? target.Id! : null,
        source_org_id: null,
        handshake_id: handshake.id,
        start_at: start,
        end_at: null,
        status: "REQUESTED",
        created_at: ctx.now,
        seq: await nextSeq(ctx.tx),
      })
      .execute();
    if (tags.length > 0) await putTags(ctx, id, tags);
    await recordEvent(ctx, org.id, "InviteOrganizationToTransferResponsibility", {
      responsibilityTransferId: id,
      handshakeId: handshake.id,
      target: target.Id,
    });
    return { Handshake: toHandshake({ ...handshake, expires_at: expiresAt }, ctx.now) };
  },
);

/**
 * What accepting a TRANSFER_RESPONSIBILITY handshake does (its kind in handshake-kinds.ts), after
 * AcceptHandshake's state checks (the handshake is OPEN, the caller its invited party) and before
 * it marks the handshake ACCEPTED, inside the call's transaction: the caller must be the
 * management account of another organization, within the outbound quota and the chain length.
 * The transfer becomes ACCEPTED.
 */
export async function onTransferHandshakeAccepted(ctx: CallContext, handshake: HandshakeRow): Promise<void> {
  const row = await ctx.tx.selectFrom("responsibility_transfers").selectAll().where("handshake_id", "=", handshake.id).executeTakeFirst();
  if (!row) throw errors.handshakeNotFound();
  const { org } = await membership(ctx);
  if (!org) throw errors.notInUse();
  if (org.management_account_id !== ctx.principal.accountId) throw errors.accessDenied();
  if (org.id === row.target_org_id) throw errors.handshakeConstraint("SOURCE_AND_TARGET_CANNOT_MATCH", MESSAGES.sourceAndTargetMatch);
  if ((await activeTransfers(ctx, "source_org_id", org.id)).length >= MAX_OUTBOUND_TRANSFERS) {
    throw constraintViolation("RESPONSIBILITY_TRANSFER_MAX_OUTBOUND_QUOTA_VIOLATION", MESSAGES.outboundQuota);
  }
  // The inviter must not already be paid for by the accepting organization (a cycle), and the
  // chain through the new transfer must stay within the limit.
  const above = await chainAbove(ctx, row.target_org_id);
  const below = await depthBelow(ctx, org.id, new Set([row.target_org_id]));
  if (above.includes(org.id) || below + 1 + above.length > MAX_TRANSFER_CHAIN_LENGTH) {
    throw constraintViolation("RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION", MESSAGES.chainLength);
  }
  const email = await accountEmail(ctx, ctx.principal.accountId);
  await ctx.tx
    .updateTable("responsibility_transfers")
    .set({ status: "ACCEPTED", source_org_id: org.id, source_account_id: ctx.principal.accountId, source_email: email })
    .where("id", "=", row.id)
    .execute();
  const detail = { responsibilityTransferId: row.id, sourceOrganizationId: org.id, targetOrganizationId: row.target_org_id };
  await recordEvent(ctx, org.id, "ResponsibilityTransferAccepted", detail);
  await recordEvent(ctx, row.target_org_id, "ResponsibilityTransferAccepted", detail);
}

/** For DeleteOrganization: an open invitation or a transfer not yet ended (either side) blocks it. */
export async function hasActiveResponsibilityTransfer(ctx: CallContext, org: OrgRow): Promise<boolean> {
  const rows = await ctx.tx
    .selectFrom("responsibility_transfers")
    .selectAll()
    .where((eb) => eb.or([eb("target_org_id", "=", org.id), eb("source_org_id", "=", org.id), eb("source_org_id", "is", null)]))
    .execute();
  for (const row of rows) {
    if ((await sideOf(ctx, row, org)) === undefined) continue;
    const status = await statusOf(ctx, row);
    if (status === "REQUESTED" || status === "ACCEPTED") return true;
    if (status === "WITHDRAWN" && row.end_at !== null && row.end_at >= ctx.now) return true;
  }
  return false;
}

export const DescribeResponsibilityTransfer = op(
  async (ctx, input: DescribeResponsibilityTransferRequest): Promise<DescribeResponsibilityTransferResponse> => {
    const org = await requireOrg(ctx);
    const { row, side } = await visibleTransfer(ctx, org, input.Id!);
    return { ResponsibilityTransfer: await toTransfer(ctx, row, org, side) };
  },
);

export const ListInboundResponsibilityTransfers = op(
  async (ctx, input: ListInboundResponsibilityTransfersRequest): Promise<ListInboundResponsibilityTransfersResponse> => {
    const org = await requireOrg(ctx);
    if (input.Id !== undefined) {
      const row = await getTransfer(ctx, input.Id);
      if (!row || row.target_org_id !== org.id || row.type !== input.Type) throw transferErrors.notFound();
      return { ResponsibilityTransfers: [await toTransfer(ctx, row, org, "inbound")] };
    }
    const page = await pages.paginate(
      ctx,
      `${org.id}:${input.Type}`,
      input,
      pages.keyset(
        ctx.tx.selectFrom("responsibility_transfers").selectAll().where("target_org_id", "=", org.id).where("type", "=", input.Type!),
      ),
      (r) => r,
    );
    const items: ResponsibilityTransfer[] = [];
    for (const row of page.items) items.push(await toTransfer(ctx, row, org, "inbound"));
    return { ResponsibilityTransfers: items, NextToken: page.NextToken };
  },
);

export const ListOutboundResponsibilityTransfers = op(
  async (ctx, input: ListOutboundResponsibilityTransfersRequest): Promise<ListOutboundResponsibilityTransfersResponse> => {
    const org = await requireOrg(ctx);
    const email = await accountEmail(ctx, org.management_account_id);
    const page = await pages.paginate(
      ctx,
      `${org.id}:${input.Type}`,
      input,
      pages.keyset(
        ctx.tx
          .selectFrom("responsibility_transfers")
          .selectAll()
          .where("type", "=", input.Type!)
          .where((eb) =>
            eb.or([
              eb("source_org_id", "=", org.id),
              eb.and([
                eb("source_org_id", "is", null),
                eb.or([eb("source_account_id", "=", org.management_account_id), eb("source_email", "is not", null)]),
              ]),
            ]),
          ),
      ),
      // Invitations by email are matched case-insensitively here rather than in SQL.
      (r) =>
        r.source_org_id === org.id ||
        r.source_account_id === org.management_account_id ||
        r.source_email?.toLowerCase() === email.toLowerCase()
          ? r
          : undefined,
    );
    const items: ResponsibilityTransfer[] = [];
    for (const row of page.items) items.push(await toTransfer(ctx, row, org, "outbound"));
    return { ResponsibilityTransfers: items, NextToken: page.NextToken };
  },
);

export const UpdateResponsibilityTransfer = op(
  async (ctx, input: UpdateResponsibilityTransferRequest): Promise<UpdateResponsibilityTransferResponse> => {
    const org = await requireOrg(ctx);
    const { row, side } = await visibleTransfer(ctx, org, input.Id!);
    const status = await statusOf(ctx, row);
    if (status !== "REQUESTED" && status !== "ACCEPTED") {
      throw constraintViolation("TRANSFER_RESPONSIBILITY_UPDATE_NOT_ALLOWED", MESSAGES.updateNotAllowed);
    }
    await ctx.tx.updateTable("responsibility_transfers").set({ name: input.Name! }).where("id", "=", row.id).execute();
    await recordEvent(ctx, org.id, "UpdateResponsibilityTransfer", { responsibilityTransferId: row.id });
    return { ResponsibilityTransfer: await toTransfer(ctx, { ...row, name: input.Name! }, org, side) };
  },
);

export const TerminateResponsibilityTransfer = op(
  async (ctx, input: TerminateResponsibilityTransferRequest): Promise<TerminateResponsibilityTransferResponse> => {
    const org = await requireOrg(ctx);
    const { row, side } = await visibleTransfer(ctx, org, input.Id!);
    const status = await statusOf(ctx, row);
    if (status === "WITHDRAWN") throw transferErrors.alreadyInStatus();
    if (status !== "ACCEPTED") throw transferErrors.invalidTransition();
    const end = checkEndTimestamp(input.EndTimestamp === undefined ? undefined : toEpochMs(input.EndTimestamp), row, ctx.now);
    await ctx.tx.updateTable("responsibility_transfers").set({ status: "WITHDRAWN", end_at: end }).where("id", "=", row.id).execute();
    const detail = { responsibilityTransferId: row.id, endTimestamp: new Date(end).toISOString(), terminatedBy: org.id };
    for (const orgId of [row.target_org_id, row.source_org_id]) {
      if (orgId && (await getOrganization(ctx.tx, orgId))) await recordEvent(ctx, orgId, "ResponsibilityTransferTerminated", detail);
    }
    return { ResponsibilityTransfer: await toTransfer(ctx, { ...row, status: "WITHDRAWN", end_at: end }, org, side) };
  },
);

/** For TagResource and its kin: whether `resourceId` (rt-...) is a transfer `org` is a party to. */
export async function isTransferOfOrganization(ctx: CallContext, org: OrgRow, resourceId: string): Promise<boolean> {
  const row = await getTransfer(ctx, resourceId);
  return row !== undefined && (await sideOf(ctx, row, org)) !== undefined;
}
