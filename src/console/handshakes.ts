/** The handshakes tab: the organization's newest handshakes, each in its state now (`currentState`). */
import { currentState } from "../org/handshakes.js";
import type { HandshakeTable } from "../store/schema.js";
import type { Tx } from "../store/store.js";
import { iso } from "./context.js";
import { RECENT_HANDSHAKES } from "./limits.js";
import type { HandshakeView } from "./types.js";

function toHandshakeView(r: HandshakeTable, at: number): HandshakeView {
  return {
    id: r.id,
    arn: r.arn,
    action: r.action,
    state: currentState(r, at),
    requestedAt: iso(r.requested_at),
    expiresAt: iso(r.expires_at),
    parties: JSON.parse(r.parties) as { Id?: string; Type?: string }[],
    resources: JSON.parse(r.resources) as unknown[],
  };
}

/** The newest handshakes (at most RECENT_HANDSHAKES) and how many the organization has. */
export async function recentHandshakes(
  tx: Tx,
  orgId: string,
  at: number,
): Promise<{ handshakes: HandshakeView[]; handshakeCount: number }> {
  const handshakeCount = await tx
    .selectFrom("handshakes")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("org_id", "=", orgId)
    .executeTakeFirst();
  const handshakes = await tx
    .selectFrom("handshakes")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("requested_at", "desc")
    .orderBy("id", "desc")
    .limit(RECENT_HANDSHAKES)
    .execute();
  return { handshakes: handshakes.map((h) => toHandshakeView(h, at)), handshakeCount: Number(handshakeCount?.n ?? 0) };
}
