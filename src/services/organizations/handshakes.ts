/**
 * Answering handshakes (AcceptHandshake, DeclineHandshake, CancelHandshake), describing and listing
 * them. What accepting one does depends on its kind (handshake-kinds.ts: an invitation joins the
 * account, the all-features handshakes move the organization on, a transfer starts); the rows
 * themselves and their 15-day expiry are the model's (src/org/handshakes.ts).
 */
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
  ListHandshakesForAccountRequest,
  ListHandshakesForAccountResponse,
  ListHandshakesForOrganizationRequest,
  ListHandshakesForOrganizationResponse,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import { errors, invalidInput } from "../../org/errors.js";
import { getAccountRow, getOrganization, implicitEmail, membership, requireOrg } from "../../org/repo.js";
import { recordEvent } from "../../org/events.js";
import {
  currentState,
  findHandshake,
  isChildHandshakeOf,
  setHandshakeState,
  toHandshake,
  type HandshakeRow,
} from "../../org/handshakes.js";
import { isRetained, oldClosures } from "../../org/handshake-closures.js";
import { pages } from "./pages.js";
import { handshakeKind } from "./handshake-kinds.js";

/**
 * The check before a response moves a handshake to `target` (ACCEPTED, DECLINED or CANCELED):
 * a handshake already in that state is HandshakeAlreadyInStateException; one that can no longer
 * move (another response closed it, or it expired) is InvalidHandshakeTransitionException.
 */
function requireTransition(state: string, target: string, from: readonly string[]): void {
  if (state === target) throw errors.handshakeAlreadyInState(state);
  if (!from.includes(state)) throw errors.invalidHandshakeTransition(state);
}

/** Whether the caller is the handshake's invited party (by account id or by its email). */
async function isTargetParty(ctx: CallContext, row: HandshakeRow): Promise<boolean> {
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

async function isOrganizationParty(ctx: CallContext, row: HandshakeRow): Promise<boolean> {
  const { org } = await membership(ctx);
  return org !== undefined && org.id === row.org_id && org.management_account_id === ctx.principal.accountId;
}

export const AcceptHandshake = op(async (ctx, input: AcceptHandshakeRequest): Promise<AcceptHandshakeResponse> => {
  const row = await findHandshake(ctx, input.HandshakeId!);
  if (!(await isTargetParty(ctx, row))) throw errors.handshakeNotFound();
  requireTransition(currentState(row, ctx.now), "ACCEPTED", ["OPEN"]);
  const org = await getOrganization(ctx.tx, row.org_id);
  if (!org) throw errors.handshakeNotFound();
  await handshakeKind(row.action).accepted(ctx, row, org);
  await setHandshakeState(ctx.tx, row.org_id, [row.id], "ACCEPTED", ctx.now);
  await recordEvent(ctx, org.id, "AcceptHandshake", { handshakeId: row.id, action: row.action });
  return { Handshake: toHandshake({ ...row, state: "ACCEPTED" }, ctx.now) };
});

export const DeclineHandshake = op(async (ctx, input: DeclineHandshakeRequest): Promise<DeclineHandshakeResponse> => {
  const row = await findHandshake(ctx, input.HandshakeId!);
  if (!(await isTargetParty(ctx, row))) throw errors.handshakeNotFound();
  requireTransition(currentState(row, ctx.now), "DECLINED", ["OPEN", "REQUESTED"]);
  await setHandshakeState(ctx.tx, row.org_id, [row.id], "DECLINED", ctx.now);
  await recordEvent(ctx, row.org_id, "DeclineHandshake", { handshakeId: row.id });
  return { Handshake: toHandshake({ ...row, state: "DECLINED" }, ctx.now) };
});

export const CancelHandshake = op(async (ctx, input: CancelHandshakeRequest): Promise<CancelHandshakeResponse> => {
  const row = await findHandshake(ctx, input.HandshakeId!);
  if (!(await isOrganizationParty(ctx, row))) throw errors.handshakeNotFound();
  requireTransition(currentState(row, ctx.now), "CANCELED", ["OPEN", "REQUESTED"]);
  await setHandshakeState(ctx.tx, row.org_id, [row.id], "CANCELED", ctx.now);
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
function keep(row: HandshakeRow, now: number, filter: HandshakeFilter, closures: Map<string, number>): Handshake | undefined {
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
    const page = await pages.paginate(
      ctx,
      `account:${input.Filter?.ActionType ?? ""}:${input.Filter?.ParentHandshakeId ?? ""}`,
      input,
      pages.keyset(
        ctx.tx
          .selectFrom("handshakes")
          .selectAll()
          .where((eb) => eb.or([eb("target_account_id", "=", ctx.principal.accountId), eb("target_email", "=", email)])),
      ),
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
    const page = await pages.paginate(
      ctx,
      `${org.id}:${input.Filter?.ActionType ?? ""}:${input.Filter?.ParentHandshakeId ?? ""}`,
      input,
      pages.keyset(ctx.tx.selectFrom("handshakes").selectAll().where("org_id", "=", org.id)),
      (r) => {
        const parent = input.Filter?.ParentHandshakeId;
        if (parent) return isChildHandshakeOf(r, parent) ? keep(r, ctx.now, undefined, closures) : undefined;
        return keep(r, ctx.now, input.Filter, closures);
      },
    );
    return { Handshakes: page.items, NextToken: page.NextToken };
  },
);
