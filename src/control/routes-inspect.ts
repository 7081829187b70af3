/**
 * What happened and why: the event history, and which SCP allows or denies an action.
 *
 *   GET /_orgsim/events    ?maxResults=&nextToken=&organizationId=&eventName=   newest first
 *   GET /_orgsim/explain   ?accountId=&action=&principalArn=&resource=&region=
 */
import { toEventRecord } from "../org/events.js";
import { explain } from "./explain.js";
import { bad, json, type RouteEntry } from "./http.js";

export const inspectRoutes: RouteEntry[] = [
  [
    "GET",
    /^\/_orgsim\/events$/,
    async (app, _req, _params, url) => {
      const maxResults = url.searchParams.get("maxResults");
      const limit = maxResults === null || maxResults === "" ? 50 : Number(maxResults);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw bad(`maxResults must be a whole number from 1 to 1000, not "${maxResults!.slice(0, 40)}".`);
      const after = url.searchParams.get("nextToken");
      const orgId = url.searchParams.get("organizationId");
      const name = url.searchParams.get("eventName");
      const rows = await app.store.transaction(async (tx) => {
        let q = tx.selectFrom("events").selectAll();
        if (orgId) q = q.where("org_id", "=", orgId);
        if (name) q = q.where("event_name", "=", name);
        if (after) q = q.where("id", "<", after);
        return q
          .orderBy("id", "desc")
          .limit(limit + 1)
          .execute();
      });
      const page = rows.slice(0, limit);
      return json(200, {
        events: page.map(toEventRecord),
        nextToken: rows.length > limit ? page[page.length - 1]!.id : undefined,
      });
    },
  ],
  [
    "GET",
    /^\/_orgsim\/explain$/,
    async (app, _req, _params, url) => {
      const accountId = url.searchParams.get("accountId") ?? "";
      const action = url.searchParams.get("action") ?? "";
      return json(
        200,
        await explain(app, {
          accountId,
          action,
          principalArn: url.searchParams.get("principalArn") ?? undefined,
          resource: url.searchParams.get("resource") ?? undefined,
          region: url.searchParams.get("region") ?? undefined,
        }),
      );
    },
  ],
];
