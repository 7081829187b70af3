/**
 * When each handshake was closed. AWS keeps an ACCEPTED, DECLINED or CANCELED handshake in its
 * answers for 30 days after it closed, and an EXPIRED one for 30 days after it expired; after that
 * the handshake is gone (not listed, and HandshakeNotFoundException when named).
 *
 * Every write that closes a handshake records the time here (one table beside `handshakes`, so the
 * handshake rows and the queries that page through them stay as they are). A handshake closed before
 * this table existed has no entry; it is kept until 30 days after its expiry date, the latest it
 * could have closed.
 */
import type { Tx } from "../store/store.js";
import type { HandshakeTable } from "../store/schema.js";
import { DAY_MS } from "./repo.js";

/** How long a closed handshake stays in AWS's answers. */
export const CLOSED_VISIBLE_MS = 30 * DAY_MS;

/** The states in which a handshake can still be answered; every other state is closed. */
export const OPEN_STATES: readonly string[] = ["OPEN", "REQUESTED"];

/** Records that the handshakes `ids` of `orgId` closed at `at` (their state was just set to a closed one). */
export async function recordClosures(tx: Tx, orgId: string, ids: readonly string[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .insertInto("handshake_closures")
    .values(ids.map((id) => ({ handshake_id: id, org_id: orgId, closed_at: at })))
    .onConflict((oc) => oc.column("handshake_id").doUpdateSet({ closed_at: at }))
    .execute();
}

/** When `row` closed, if it has (an open handshake past its expiry closed when it expired). */
function closedAt(row: HandshakeTable, recorded: number | undefined, now: number): number | undefined {
  if (OPEN_STATES.includes(row.state)) return now >= row.expires_at ? row.expires_at : undefined;
  return recorded ?? row.expires_at;
}

/** Whether AWS still shows the handshake at `now`. */
export function isRetained(row: HandshakeTable, recorded: number | undefined, now: number): boolean {
  const closed = closedAt(row, recorded, now);
  return closed === undefined || now <= closed + CLOSED_VISIBLE_MS;
}

/** The recorded closing time of one handshake. */
export async function closureOf(tx: Tx, id: string): Promise<number | undefined> {
  const row = await tx.selectFrom("handshake_closures").select("closed_at").where("handshake_id", "=", id).executeTakeFirst();
  return row?.closed_at;
}

/**
 * The recorded closing times that can hide a handshake a list would otherwise show at `now`: more
 * than 30 days old, of handshakes still within 30 days of their expiry (the others are hidden by
 * that rule already). A bounded read, done once per list call.
 */
export async function oldClosures(tx: Tx, now: number): Promise<Map<string, number>> {
  const rows = await tx
    .selectFrom("handshake_closures")
    .innerJoin("handshakes", "handshakes.id", "handshake_closures.handshake_id")
    .select(["handshake_closures.handshake_id", "handshake_closures.closed_at"])
    .where("handshake_closures.closed_at", "<", now - CLOSED_VISIBLE_MS)
    .where("handshakes.expires_at", ">=", now - CLOSED_VISIBLE_MS)
    .execute();
  return new Map(rows.map((r) => [r.handshake_id, Number(r.closed_at)]));
}
