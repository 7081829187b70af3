/** What every console view reads with: the virtual now, and a read-only call context for the shared rules. */
import type { App } from "../app.js";
import { rootCallContext } from "../auth/principal.js";
import { readClockOffset } from "../clock.js";
import type { CallContext } from "../context.js";
import type { OrgRow } from "../org/repo.js";
import type { Tx } from "../store/store.js";

/** A time (epoch ms) as the JSON shows it. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A read-only call context for the shared rule functions (departureBlocker, explainScps). */
export function consoleContext(app: App, tx: Tx, org: OrgRow, now: number): CallContext {
  return rootCallContext(app, tx, now, {
    accountId: org.management_account_id,
    partition: org.partition,
    operation: "Console",
    requestId: "console",
  });
}

/** The virtual clock's now (epoch ms) and its offset from real time, read once per answer. */
export async function readVirtualClock(tx: Tx): Promise<{ now: number; offset: number }> {
  const offset = await readClockOffset(tx);
  return { now: Date.now() + offset, offset };
}
