/**
 * What the console shows, assembled on the server in one store transaction per request:
 *
 * - `consoleState`: the organizations (for the selector) and, for the chosen one, its root and
 *   OU tree with account counts, the accounts of the containers the page has open (or the
 *   accounts matching a search), its policies with their content and targets, handshakes,
 *   delegated administrators and the latest events (newest first).
 * - `accountDetail`: one account, with its path and the policies that reach it level by level.
 * - `stateVersion`: a fingerprint that changes whenever anything the console shows changes, so
 *   the page can poll it every second and refetch only then.
 *
 * Everything is computed the way the operations compute it: account status from the virtual
 * clock (`accountStatus`), "could it leave now?" from the same rules LeaveOrganization applies
 * (management account, SCPs through `explainScps`, then `departureChecks`, every rule with its
 * answer, the first that blocks being LeaveOrganization's), handshake states with `toHandshake`.
 * Sizes are capped so that an organization of 10,000 accounts stays cheap: accounts come only
 * for open containers (a page each), OUs open by themselves only while the tree stays small
 * (`openContainers`), policy targets are capped per policy.
 *
 * Each view has its module: `organization.ts` (with `tree.ts`, `shown-accounts.ts`,
 * `accounts.ts`, `leave-verdict.ts`, `policies.ts`, `handshakes.ts`, `events.ts`),
 * `account-detail.ts`, `version.ts`; `types.ts` is the JSON they answer, `limits.ts` its caps.
 * This module composes GET /_orgsim/state and is the console's public face.
 */
import type { App } from "../app.js";
import { clockView } from "../clock.js";
import { timingView } from "../config.js";
import { readVirtualClock } from "./context.js";
import { organizationSummaries, organizationView } from "./organization.js";
import type { ConsoleQuery, ConsoleState } from "./types.js";
import { versionIn } from "./version.js";

export { accountDetail } from "./account-detail.js";
export * from "./limits.js";
export { openContainers } from "./tree.js";
export type * from "./types.js";
export { stateVersion } from "./version.js";

/** GET /_orgsim/state: everything the page shows, in one transaction. */
export async function consoleState(app: App, q: ConsoleQuery): Promise<ConsoleState> {
  return app.store.transaction(async (tx) => {
    const version = await versionIn(tx, app);
    const { now: at, offset } = await readVirtualClock(tx);
    const { rows, summaries } = await organizationSummaries(tx, at);
    const index = Math.max(0, q.organizationId ? rows.findIndex((r) => r.id === q.organizationId) : 0);
    const org = rows[index];
    const chosen = org ? await organizationView(app, tx, org, summaries[index]!, q, at) : undefined;
    return {
      version,
      clock: clockView(offset),
      timing: timingView(app.settings),
      organizations: summaries,
      organization: chosen?.view ?? null,
      search: chosen?.search ?? null,
    };
  });
}
