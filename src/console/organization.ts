/**
 * The organizations (for the selector) and the chosen one: its facts, tree, shown accounts,
 * policies, handshakes, delegated administrators and latest events.
 */
import type { App } from "../app.js";
import { SCP } from "../org/scps.js";
import { getRoot, isPolicyTypeEnabled, parsePolicyTypes, type OrgRow } from "../org/repo.js";
import type { Tx } from "../store/store.js";
import { consoleContext, iso } from "./context.js";
import { recentEvents } from "./events.js";
import { recentHandshakes } from "./handshakes.js";
import type { ScpMemo } from "./leave-verdict.js";
import { policyViews } from "./policies.js";
import { showOpenContainers, showSearchMatches, type ShowContext } from "./shown-accounts.js";
import { visibleAt } from "./sql.js";
import { buildTree } from "./tree.js";
import type { ConsoleQuery, ConsoleState, OrganizationSummary, OrganizationView } from "./types.js";

/** Every organization, oldest first, with its management account and visible account count. */
export async function organizationSummaries(tx: Tx, at: number): Promise<{ rows: OrgRow[]; summaries: OrganizationSummary[] }> {
  const rows = await tx.selectFrom("organizations").selectAll().orderBy("created_at").orderBy("id").execute();
  if (rows.length === 0) return { rows, summaries: [] };
  const counts = await tx
    .selectFrom("accounts")
    .select((eb) => ["org_id", eb.fn.countAll().as("n")])
    .where("org_id", "is not", null)
    .where(visibleAt(at))
    .groupBy("org_id")
    .execute();
  const countOf = new Map(counts.map((c) => [c.org_id, Number(c.n)]));
  const emails = await tx
    .selectFrom("accounts")
    .select(["id", "email"])
    .where(
      "id",
      "in",
      rows.map((r) => r.management_account_id),
    )
    .execute();
  const emailOf = new Map(emails.map((e) => [e.id, e.email]));
  return {
    rows,
    summaries: rows.map((r) => ({
      id: r.id,
      managementAccountId: r.management_account_id,
      managementAccountEmail: emailOf.get(r.management_account_id) ?? null,
      featureSet: r.feature_set,
      accountCount: countOf.get(r.id) ?? 0,
    })),
  };
}

/** The chosen organization's view, and the search's summary when the page searches. */
export async function organizationView(
  app: App,
  tx: Tx,
  org: OrgRow,
  summary: OrganizationSummary,
  q: ConsoleQuery,
  at: number,
): Promise<{ view: OrganizationView; search: ConsoleState["search"] }> {
  const root = await getRoot(tx, org.id);
  const scpEnabled = isPolicyTypeEnabled(root, SCP);
  const ctx = consoleContext(app, tx, org, at);
  const { tree, nodes } = await buildTree(tx, org, root, at);
  const scpMemo: ScpMemo = new Map();
  const shown: ShowContext = { ctx, org, at, scpEnabled, scpMemo };

  let search: ConsoleState["search"] = null;
  const query = q.search?.trim() ?? "";
  if (query !== "") search = await showSearchMatches(shown, nodes, q, query);
  else await showOpenContainers(shown, tree, nodes, q);

  const services = await tx.selectFrom("service_access").selectAll().where("org_id", "=", org.id).orderBy("principal").execute();
  const delegated = await tx
    .selectFrom("delegated_admins")
    .leftJoin("accounts", "accounts.id", "delegated_admins.account_id")
    .select(["delegated_admins.account_id", "delegated_admins.principal", "delegated_admins.enabled_at", "accounts.name"])
    .where("delegated_admins.org_id", "=", org.id)
    .orderBy("delegated_admins.principal")
    .orderBy("delegated_admins.account_id")
    .execute();
  const { handshakes, handshakeCount } = await recentHandshakes(tx, org.id, at);
  const { events, eventsNextToken } = await recentEvents(tx, org.id);

  return {
    search,
    view: {
      ...summary,
      arn: org.arn,
      partition: org.partition,
      createdAt: iso(org.created_at),
      policyTypes: [...parsePolicyTypes(root)],
      trustedServices: services.map((s) => ({ servicePrincipal: s.principal, enabledAt: iso(s.enabled_at) })),
      delegatedAdministrators: delegated.map((d) => ({
        accountId: d.account_id,
        accountName: d.name,
        servicePrincipal: d.principal,
        enabledAt: iso(d.enabled_at),
      })),
      root: tree,
      policies: await policyViews(tx, org, root, nodes),
      handshakes,
      handshakeCount,
      events,
      eventsNextToken,
    },
  };
}
