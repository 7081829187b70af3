/** The organization's event history (the control API's /_orgsim/events and CloudTrail LookupEvents read it). */
import { randomPoolBytes } from "./random.js";
import type { CallContext } from "../context.js";
import type { EventTable } from "../store/schema.js";
import { hotInsert } from "../store/hot.js";

let sequence = 0;

/** Time-ordered, unique across replicas: virtual ms, a per-process counter, random bits. */
export function newEventId(now: number): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${String(now).padStart(15, "0")}-${String(sequence).padStart(6, "0")}-${randomPoolBytes(4).toString("hex")}`;
}

export async function recordEvent(
  ctx: CallContext,
  orgId: string | null,
  eventName: string,
  detail: Record<string, unknown>,
  eventSource = "organizations.amazonaws.com",
): Promise<void> {
  const row: EventTable = {
    id: newEventId(ctx.now),
    org_id: orgId,
    at: ctx.now,
    event_name: eventName,
    event_source: eventSource,
    account_id: ctx.principal.accountId,
    principal_arn: ctx.principal.arn,
    detail: JSON.stringify({
      requestId: ctx.requestId,
      accessKeyId: ctx.principal.accessKeyId,
      sourceIPAddress: ctx.sourceIp,
      ...detail,
    }),
  };
  // Every write records an event: its INSERT is compiled once (hot.ts).
  await hotInsert(ctx.tx, "events", row);
}

/** An event as the control API, the console and the in-process API show it. */
export interface EventRecord {
  id: string;
  organizationId: string | null;
  /** ISO-8601, on the virtual clock. */
  time: string;
  eventName: string;
  eventSource: string;
  /** The calling account. */
  accountId: string | null;
  principalArn: string | null;
  detail: Record<string, unknown>;
}

export function toEventRecord(r: EventTable): EventRecord {
  return {
    id: r.id,
    organizationId: r.org_id,
    time: new Date(r.at).toISOString(),
    eventName: r.event_name,
    eventSource: r.event_source,
    accountId: r.account_id,
    principalArn: r.principal_arn,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}
