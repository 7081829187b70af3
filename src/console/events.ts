/** The events tab: the organization's latest events, newest first, and the token for older ones. */
import { toEventRecord } from "../org/events.js";
import type { Tx } from "../store/store.js";
import { RECENT_EVENTS } from "./limits.js";
import type { EventView } from "./types.js";

/**
 * The newest RECENT_EVENTS events; `eventsNextToken` (the last one's id) asks
 * GET /_orgsim/events for older ones, null when there are none.
 */
export async function recentEvents(tx: Tx, orgId: string): Promise<{ events: EventView[]; eventsNextToken: string | null }> {
  const events = await tx
    .selectFrom("events")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("id", "desc")
    .limit(RECENT_EVENTS + 1)
    .execute();
  const page = events.slice(0, RECENT_EVENTS);
  return { events: page.map(toEventRecord), eventsNextToken: events.length > RECENT_EVENTS ? page[page.length - 1]!.id : null };
}
