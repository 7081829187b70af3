/** GET /_orgsim/state/version: the fingerprint the page polls, refetching the state only when it changes. */
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { App } from "../app.js";
import type { Tx } from "../store/store.js";
import { readVirtualClock } from "./context.js";

/**
 * A short fingerprint of everything the console shows. Every Organizations write records an
 * event (the latest event id changes); the rest is covered by cheap aggregates: the clock offset
 * (time-dependent states), readiness (set through the control API, which records no event),
 * tags, account names and emails (the Account API), accounts becoming visible or changing
 * closure state, policy versions. One scan of the accounts table: a few milliseconds at 10,000.
 */
export async function stateVersion(app: App): Promise<string> {
  return app.store.transaction((tx) => versionIn(tx, app));
}

/** The fingerprint, read inside a transaction the caller holds. */
export async function versionIn(tx: Tx, app: App): Promise<string> {
  const { now: at, offset } = await readVirtualClock(tx);
  const closeDelay = app.settings.closeAccountDelaySeconds * 1000;
  const events = await tx
    .selectFrom("events")
    .select((eb) => eb.fn.max("id").as("latest"))
    .executeTakeFirst();
  const orgs = await tx
    .selectFrom("organizations")
    .select((eb) => [eb.fn.countAll().as("n"), eb.fn.sum("policy_version").as("v")])
    .executeTakeFirst();
  // Readiness: how many accounts lack each item, and the first and last of them (so that two
  // opposite toggles between two polls still change the fingerprint in practice).
  const accounts = await sql<Record<string, unknown>>`
    SELECT count(*) AS n, count(org_id) AS members, sum(length(name) + length(email)) AS text,
      sum(support_plan) AS sp, sum(contact_info) AS ci, sum(payment_method) AS pm,
      min(CASE WHEN support_plan + contact_info + payment_method < 3 THEN id END) AS first_unready,
      max(CASE WHEN support_plan + contact_info + payment_method < 3 THEN id END) AS last_unready,
      sum(CASE WHEN joined_at IS NOT NULL AND joined_at <= ${at} THEN 1 ELSE 0 END) AS visible,
      sum(CASE WHEN closed_at IS NULL THEN 0 WHEN closed_at + ${closeDelay} <= ${at} THEN 2 ELSE 1 END) AS closing
    FROM accounts`.execute(tx);
  const tags = await sql<Record<string, unknown>>`SELECT count(*) AS n, sum(length(key) + length(value)) AS len FROM tags`.execute(tx);
  const parts = [events?.latest ?? "", offset, orgs?.n, orgs?.v, accounts.rows[0], tags.rows[0]];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}
