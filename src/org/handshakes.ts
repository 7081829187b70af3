/**
 * Handshake rows: how a handshake is made, what state it is in now (an open one past its 15-day
 * expiry is EXPIRED), how it closes, and how it is shown. Every kind of handshake (invitations,
 * the move to all features, responsibility transfers) is made and closed through these; what
 * accepting one does is its kind's (services/organizations/handshake-kinds.ts).
 */
import type { Handshake, HandshakeParty, HandshakeResource } from "@aws-sdk/client-organizations";
import type { CallContext } from "../context.js";
import type { Tx } from "../store/store.js";
import type { HandshakeTable } from "../store/schema.js";
import { nextSeq } from "../store/sequence.js";
import { arns, newHandshakeId } from "./ids.js";
import { errors } from "./errors.js";
import { DAY_MS, type OrgRow } from "./repo.js";
import { closureOf, isRetained, OPEN_STATES, recordClosures } from "./handshake-closures.js";

export { OPEN_STATES } from "./handshake-closures.js";

export type HandshakeRow = HandshakeTable;

export const HANDSHAKE_TTL_MS = 15 * DAY_MS;

/** What AcceptHandshake does for one kind (action) of handshake, after its state and party checks and before the handshake is marked ACCEPTED. */
export interface HandshakeKind {
  accepted(ctx: CallContext, row: HandshakeRow, org: OrgRow): Promise<void>;
}

/** The state a handshake is in now: an open one past its expiry is EXPIRED. */
export function currentState(row: HandshakeRow, now: number): string {
  if ((row.state === "OPEN" || row.state === "REQUESTED") && now >= row.expires_at) return "EXPIRED";
  return row.state;
}

export function toHandshake(row: HandshakeRow, now: number): Handshake {
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
export async function findHandshake(ctx: CallContext, id: string): Promise<HandshakeRow> {
  const row = await ctx.tx.selectFrom("handshakes").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row || !isRetained(row, await closureOf(ctx.tx, id), ctx.now)) throw errors.handshakeNotFound();
  return row;
}

/** Sets the state of handshakes of `orgId`; a closed state (ACCEPTED, DECLINED, CANCELED) records when they closed. */
export async function setHandshakeState(tx: Tx, orgId: string, ids: readonly string[], state: string, now: number): Promise<void> {
  if (ids.length === 0) return;
  await tx.updateTable("handshakes").set({ state }).where("id", "in", ids).execute();
  if (!OPEN_STATES.includes(state)) await recordClosures(tx, orgId, ids, now);
}

/** The ORGANIZATION resource of a handshake: the organization with its management account's email and name. */
export function organizationResource(
  org: OrgRow,
  mgmt: { email: string; name: string } | undefined,
  extra: HandshakeResource[] = [],
): HandshakeResource {
  return {
    Type: "ORGANIZATION",
    Value: org.id,
    Resources: [{ Type: "MASTER_EMAIL", Value: mgmt?.email ?? "" }, { Type: "MASTER_NAME", Value: mgmt?.name ?? "" }, ...extra],
  };
}

/** The parent handshake a handshake names (a PARENT_HANDSHAKE resource: the move to all features). */
export function parentHandshakeIdOf(row: HandshakeRow): string | undefined {
  return (JSON.parse(row.resources) as HandshakeResource[]).find((r) => r.Type === "PARENT_HANDSHAKE")?.Value;
}

/** Whether `row` is a child of `parentId` (for ListHandshakes*'s ParentHandshakeId filter). */
export function isChildHandshakeOf(row: HandshakeRow, parentId: string): boolean {
  return parentHandshakeIdOf(row) === parentId;
}

export async function createHandshake(
  ctx: CallContext,
  org: OrgRow,
  action: string,
  target: { type: "ACCOUNT" | "EMAIL"; id: string },
  resources: HandshakeResource[],
  tags: { Key: string; Value: string }[] | undefined,
): Promise<HandshakeRow> {
  const id = newHandshakeId();
  const row: HandshakeRow = {
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
