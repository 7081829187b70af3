/**
 * Accounts as no AWS API makes them: the standalone readiness of an account (what it needs to
 * leave its organization), and credentials for an account's root user.
 *
 *   GET  /_orgsim/accounts/{id}/standalone   {"accountId", "supportPlan", "contactInformation", "paymentMethod"}
 *   PUT  /_orgsim/accounts/{id}/standalone   any of those three as true or false
 *   POST /_orgsim/credentials                {"accountId"}: a new access key of that account's root user
 */
import { randomBytes } from "node:crypto";
import type { Tx } from "../store/store.js";
import { virtualNow } from "../clock.js";
import { ensureAccount } from "../org/repo.js";
import { arns } from "../org/ids.js";
import { bad, json, parseObject, type RouteEntry } from "./http.js";

const READINESS_FIELDS = { supportPlan: "support_plan", contactInformation: "contact_info", paymentMethod: "payment_method" } as const;

/** An account's readiness, in the caller's transaction (a read transaction stores nothing). */
async function standaloneView(tx: Tx, accountId: string) {
  const now = await virtualNow(tx);
  const row = await ensureAccount(tx, accountId, now);
  return {
    accountId,
    supportPlan: row.support_plan === 1,
    contactInformation: row.contact_info === 1,
    paymentMethod: row.payment_method === 1,
  };
}

export const accountRoutes: RouteEntry[] = [
  [
    "GET",
    /^\/_orgsim\/accounts\/(\d{12})\/standalone$/,
    async (app, _req, [id]) => json(200, await app.store.transaction((tx) => standaloneView(tx, id!))),
  ],
  [
    "PUT",
    /^\/_orgsim\/accounts\/(\d{12})\/standalone$/,
    async (app, req, [id]) => {
      const body = parseObject(req);
      const set: Record<string, number> = {};
      for (const [key, value] of Object.entries(body)) {
        const column = Object.hasOwn(READINESS_FIELDS, key) ? READINESS_FIELDS[key as keyof typeof READINESS_FIELDS] : undefined;
        if (!column) throw bad(`Unknown readiness item "${key}"; use supportPlan, contactInformation, paymentMethod.`);
        if (typeof value !== "boolean") throw bad(`${key} must be true or false.`);
        set[column] = value ? 1 : 0;
      }
      return app.store.writeTransaction(async (tx) => {
        const now = await virtualNow(tx);
        await ensureAccount(tx, id!, now);
        if (Object.keys(set).length > 0) await tx.updateTable("accounts").set(set).where("id", "=", id!).execute();
        return json(200, await standaloneView(tx, id!));
      });
    },
  ],
  [
    "POST",
    /^\/_orgsim\/credentials$/,
    async (app, req) => {
      const body = parseObject(req);
      const accountId = body.accountId;
      if (typeof accountId !== "string" || !/^\d{12}$/.test(accountId)) throw bad("accountId must be a 12-digit account id.");
      const accessKeyId = `AKIA${randomBytes(10).toString("hex").toUpperCase().slice(0, 16)}`;
      const secretAccessKey = randomBytes(30).toString("base64").slice(0, 40);
      await app.store.writeTransaction(async (tx) => {
        const now = await virtualNow(tx);
        await ensureAccount(tx, accountId, now);
        await tx
          .insertInto("credentials")
          .values({
            access_key_id: accessKeyId,
            secret: secretAccessKey,
            session_token: null,
            account_id: accountId,
            principal_arn: arns.rootUser("aws", accountId),
            user_id: accountId,
            kind: "root",
            expires_at: null,
            created_at: now,
          })
          .execute();
      });
      return json(201, { accessKeyId, secretAccessKey, accountId });
    },
  ],
];
