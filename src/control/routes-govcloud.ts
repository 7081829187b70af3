/**
 * Control API: whether an account is paired with an AWS GovCloud (US) account, which
 * CreateGovCloudAccount requires of the management account.
 *
 *   GET /_orgsim/accounts/{id}/govcloud            -> {"accountId": "...", "enabled": false}
 *   PUT /_orgsim/accounts/{id}/govcloud  {"enabled": true}
 */
import type { App } from "../app.js";
import { virtualNow } from "../clock.js";
import { ensureAccount } from "../org/repo.js";
import { bad, json, parseObject, type ControlResponse, type RouteEntry } from "./http.js";

const PATH = /^\/_orgsim\/accounts\/(\d{12})\/govcloud$/;

/** GET reads (an account known only by its id is not stored by looking at it); PUT stores the account and the flag. */
async function view(app: App, accountId: string, enabled?: boolean): Promise<ControlResponse> {
  const row = await app.store.transaction(
    async (tx) => {
      const now = await virtualNow(tx);
      const account = await ensureAccount(tx, accountId, now);
      if (enabled === undefined) return account;
      await tx
        .updateTable("accounts")
        .set({ govcloud_enabled: enabled ? 1 : 0 })
        .where("id", "=", accountId)
        .execute();
      return tx.selectFrom("accounts").select("govcloud_enabled").where("id", "=", accountId).executeTakeFirstOrThrow();
    },
    { write: enabled !== undefined },
  );
  return json(200, { accountId, enabled: row.govcloud_enabled === 1 });
}

export const govcloudRoutes: RouteEntry[] = [
  ["GET", PATH, async (app, _req, [id]) => view(app, id!)],
  [
    "PUT",
    PATH,
    async (app, req, [id]) => {
      const body = parseObject(req);
      for (const key of Object.keys(body)) if (key !== "enabled") throw bad(`Unknown field "${key}"; send {"enabled": true|false}.`);
      if (typeof body.enabled !== "boolean") throw bad("enabled must be true or false.");
      return view(app, id!, body.enabled);
    },
  ],
];
