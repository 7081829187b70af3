/**
 * CloudTrail LookupEvents over orgsim's event history (table `events`, the same rows
 * GET /_orgsim/events shows), newest first.
 *
 * Whose events a caller sees (CloudTrail's event history is per account):
 * - every account sees the API calls it made itself (`account_id` = caller), whatever
 *   organization they concerned, including ones it has since left or deleted;
 * - the management account of an organization also sees every event of that organization,
 *   whoever made it, including the events Organizations itself emits (AccountDepartedOrganization,
 *   CreateAccountResult), which AWS shows only in the management account's history. Other
 *   callers never see those service events, not even when their own call caused them.
 *
 * As on AWS: Organizations is a global service whose events are in the us-east-1 history
 * (cn-northwest-1, us-gov-west-1 in those partitions), so a lookup in any other region finds
 * none; only the last 90 days (virtual clock) are kept for lookup; at most one lookup attribute.
 */
import { createHash } from "node:crypto";
import type { LookupAttribute, LookupEventsRequest, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import { op } from "../../context.js";
import type { EventTable } from "../../store/schema.js";
import { DAY_MS, membership } from "../../org/repo.js";
import { Pagination } from "../../paginate.js";
import { cloudtrailErrors, MAX_LOOKUP_ATTRIBUTES } from "./errors.js";
import { globalEventsRegion, rowIdOf, SERVICE_EVENTS, toCloudTrailEvent, type CloudTrailEventView } from "./records.js";

/** Event history is kept for lookup for 90 days. */
export const LOOKUP_HORIZON_MS = 90 * DAY_MS;
export const DEFAULT_MAX_RESULTS = 50;

/** A timestamp member as the JSON protocol carries it: epoch seconds, or an ISO-8601 string. */
function timestampMs(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return Math.round(value * 1000);
  if (typeof value === "string") return Date.parse(value);
  return undefined;
}

/** A NextToken that isn't one of ours for this very request (same caller, same filters) is InvalidNextTokenException. */
const pages = new Pagination(cloudtrailErrors.invalidNextToken);

function matches(attribute: LookupAttribute | undefined, view: CloudTrailEventView): boolean {
  if (!attribute) return true;
  const value = attribute.AttributeValue!;
  switch (attribute.AttributeKey) {
    case "ReadOnly":
      return view.event.ReadOnly === value;
    case "Username":
      return view.username === value;
    case "AccessKeyId":
      return view.accessKeyId === value;
    case "ResourceType":
      return view.resources.some((r) => r.ResourceType === value);
    case "ResourceName":
      return view.resources.some((r) => r.ResourceName === value);
    default:
      // EventId, EventName, EventSource are filtered by the query.
      return true;
  }
}

export const LookupEvents = op(async (ctx, input: LookupEventsRequest): Promise<LookupEventsResponse> => {
  const attributes = input.LookupAttributes ?? [];
  if (attributes.length > MAX_LOOKUP_ATTRIBUTES) throw cloudtrailErrors.tooManyLookupAttributes(attributes.length);
  const attribute = attributes[0];
  const start = timestampMs(input.StartTime);
  const end = timestampMs(input.EndTime);
  if (start !== undefined && end !== undefined && start > end) throw cloudtrailErrors.invalidTimeRange(new Date(start), new Date(end));

  // A token is good only for the request that received it: same caller, same filters.
  const scope = createHash("sha256")
    .update(
      JSON.stringify([
        attribute?.AttributeKey ?? null,
        attribute?.AttributeValue ?? null,
        start ?? null,
        end ?? null,
        input.EventCategory ?? null,
        ctx.region,
      ]),
    )
    .digest("base64url")
    .slice(0, 16);
  pages.readToken(ctx, scope, input.NextToken);

  const caller = ctx.principal.accountId;
  const { org } = await membership(ctx);
  const managedOrgId = org && org.management_account_id === caller ? org.id : undefined;
  const view = { recipientAccountId: caller, region: ctx.region };
  // No Insights events are ever recorded, and Organizations' events live in one region only.
  const none = input.EventCategory === "insight" || ctx.region !== globalEventsRegion(ctx.partition);
  // Event times are whole seconds (see records.ts): compare the range with an event's second.
  const from = Math.max(ctx.now - LOOKUP_HORIZON_MS, start === undefined ? Number.NEGATIVE_INFINITY : Math.ceil(start / 1000) * 1000);
  const until = end === undefined ? undefined : Math.floor(end / 1000) * 1000 + 1000;

  const fetch = async (after: string | undefined, limit: number): Promise<EventTable[]> => {
    if (none) return [];
    let q = ctx.tx
      .selectFrom("events")
      .selectAll()
      .where((eb) => {
        const own = eb.and([eb("account_id", "=", caller), eb("event_name", "not in", [...SERVICE_EVENTS])]);
        return managedOrgId ? eb.or([eb("org_id", "=", managedOrgId), own]) : own;
      })
      .where("at", ">=", from);
    if (until !== undefined) q = q.where("at", "<", until);
    if (attribute?.AttributeKey === "EventName") q = q.where("event_name", "=", attribute.AttributeValue!);
    if (attribute?.AttributeKey === "EventSource") q = q.where("event_source", "=", attribute.AttributeValue!);
    if (attribute?.AttributeKey === "EventId") q = q.where("id", "=", rowIdOf(attribute.AttributeValue!));
    if (after !== undefined) q = q.where("id", "<", after);
    return q.orderBy("id", "desc").limit(limit).execute();
  };

  const page = await pages.paginate(
    ctx,
    scope,
    { NextToken: input.NextToken, MaxResults: input.MaxResults ?? DEFAULT_MAX_RESULTS },
    { fetch, keyOf: (row) => row.id },
    (row) => {
      const shown = toCloudTrailEvent(row, view);
      return matches(attribute, shown) ? shown.event : undefined;
    },
  );
  return { Events: page.items, NextToken: page.NextToken };
});
