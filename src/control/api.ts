/**
 * The control API on /_orgsim/*: JSON in, JSON out. A thin shell over the same functions the
 * operations use (store, clock, readiness, faults, events).
 */
import { randomBytes } from "node:crypto";
import type { App } from "../app.js";
import type { HttpRequestParts } from "../auth/sigv4.js";
import type { Tx } from "../store/store.js";
import { AwsError } from "../protocol/errors.js";
import { StateUnavailableError } from "../store/errors.js";
import { advanceClock, clockView, readClockOffset, setClockOffset } from "../clock.js";
import { addFault, validateFault, type FaultSpec } from "./faults.js";
import { ensureAccount } from "../services/organizations/repo.js";
import { arns } from "../services/organizations/ids.js";
import { explain } from "./explain.js";
import { toEventRecord } from "../services/organizations/events.js";
import { quotasFor, quotasProblem, readOverrides, validateOverrides, writeOverrides } from "../quotas.js";
import { consoleRoutes } from "./routes-console.js";
import { seedRoutes } from "./routes-seed.js";
import { orgsimVersion } from "../version.js";
import { motoRoutes } from "./routes-moto.js";
import { timingView } from "../config.js";

export interface ControlResponse {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type ControlRoute = (app: App, req: HttpRequestParts, params: string[], url: URL) => Promise<ControlResponse>;

export const json = (status: number, value: unknown): ControlResponse => ({ status, body: JSON.stringify(value) });
export const bad = (message: string) => new AwsError("BadRequest", message, { status: 400 });

export function parseObject(req: HttpRequestParts): Record<string, unknown> {
  const text = req.body.toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw bad(`The body is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw bad("The body must be a JSON object.");
  return value as Record<string, unknown>;
}

const READINESS_FIELDS = { supportPlan: "support_plan", contactInformation: "contact_info", paymentMethod: "payment_method" } as const;

/** An account's readiness, in the caller's transaction (a read transaction stores nothing). */
async function standaloneView(tx: Tx, accountId: string) {
  const now = Date.now() + (await readClockOffset(tx));
  const row = await ensureAccount(tx, accountId, now);
  return { accountId, supportPlan: row.support_plan === 1, contactInformation: row.contact_info === 1, paymentMethod: row.payment_method === 1 };
}

export type RouteEntry = [method: string, pattern: RegExp, route: ControlRoute];

/**
 * `ok` (200) when the database answers and the values every call reads (the clock offset, the
 * quota overrides) are usable; otherwise `degraded` (503) with the reason, until that changes:
 * no restart is needed.
 */
async function health(app: App): Promise<ControlResponse> {
  const engine = app.store.engine;
  const probe = await app.store.probe();
  let reason = probe.ok ? undefined : probe.reason;
  if (probe.ok) {
    try {
      await app.store.transaction(async (tx) => {
        await readClockOffset(tx);
        await readOverrides(tx);
      });
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      reason = err.message;
    }
  }
  const about = { engine, version: orgsimVersion(), timing: timingView(app.settings) };
  return reason === undefined ? json(200, { status: "ok", ...about }) : json(503, { status: "degraded", ...about, reason });
}

/** Routes: [method, path pattern, handler]. */
const routes: RouteEntry[] = [
  ["GET", /^\/_orgsim\/health$/, async (app) => health(app)],
  [
    "POST",
    /^\/_orgsim\/reset$/,
    async (app) => {
      await app.reset();
      return json(200, { reset: true });
    },
  ],
  [
    "GET",
    /^\/_orgsim\/clock$/,
    async (app) => json(200, clockView(await app.store.transaction((tx) => readClockOffset(tx)))),
  ],
  [
    "POST",
    /^\/_orgsim\/clock$/,
    async (app, req) => {
      const body = parseObject(req);
      const { advanceSeconds, offsetSeconds } = body;
      if (advanceSeconds !== undefined && (typeof advanceSeconds !== "number" || !Number.isFinite(advanceSeconds) || advanceSeconds < 0)) {
        throw bad("advanceSeconds must be a non-negative number (the virtual clock never goes back).");
      }
      if (offsetSeconds !== undefined && (typeof offsetSeconds !== "number" || !Number.isFinite(offsetSeconds))) {
        throw bad("offsetSeconds must be a number.");
      }
      if (advanceSeconds === undefined && offsetSeconds === undefined) throw bad('Send {"advanceSeconds": n} or {"offsetSeconds": n}.');
      if (advanceSeconds !== undefined && offsetSeconds !== undefined) throw bad("Send advanceSeconds or offsetSeconds, not both.");
      // The answer is computed inside the transaction: anything that fails rolls the change back.
      return app.store.writeTransaction(async (tx) => {
        let offset: number;
        if (offsetSeconds !== undefined) {
          offset = Math.round((offsetSeconds as number) * 1000);
          await setClockOffset(tx, offset);
        } else {
          offset = await advanceClock(tx, advanceSeconds as number);
        }
        return json(200, clockView(offset));
      });
    },
  ],
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
        const now = Date.now() + (await readClockOffset(tx));
        await ensureAccount(tx, id!, now);
        if (Object.keys(set).length > 0) await tx.updateTable("accounts").set(set).where("id", "=", id!).execute();
        return json(200, await standaloneView(tx, id!));
      });
    },
  ],
  [
    "GET",
    /^\/_orgsim\/faults$/,
    async (app) => {
      const rows = await app.store.transaction((tx) => tx.selectFrom("faults").selectAll().orderBy("created_at").execute());
      return json(200, {
        faults: rows.map((r) => ({ id: r.id, operation: r.operation, ...(JSON.parse(r.error) as object), remaining: r.remaining, probability: r.probability })),
      });
    },
  ],
  [
    "POST",
    /^\/_orgsim\/faults$/,
    async (app, req) => {
      const spec = parseObject(req) as unknown as FaultSpec;
      const problem = validateFault([...app.services.values()].map((s) => s.model), spec);
      if (problem) throw bad(problem);
      const id = await app.store.writeTransaction(async (tx) => addFault(tx, spec, Date.now() + (await readClockOffset(tx))));
      return json(201, { id });
    },
  ],
  [
    "DELETE",
    /^\/_orgsim\/faults$/,
    async (app) => {
      await app.store.writeTransaction((tx) => tx.deleteFrom("faults").execute());
      return json(200, { faults: [] });
    },
  ],
  [
    "GET",
    /^\/_orgsim\/events$/,
    async (app, _req, _params, url) => {
      const maxResults = url.searchParams.get("maxResults");
      const limit = maxResults === null || maxResults === "" ? 50 : Number(maxResults);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw bad(`maxResults must be a whole number from 1 to 1000, not "${maxResults!.slice(0, 40)}".`);
      const after = url.searchParams.get("nextToken");
      const orgId = url.searchParams.get("organizationId");
      const name = url.searchParams.get("eventName");
      const rows = await app.store.transaction(async (tx) => {
        let q = tx.selectFrom("events").selectAll();
        if (orgId) q = q.where("org_id", "=", orgId);
        if (name) q = q.where("event_name", "=", name);
        if (after) q = q.where("id", "<", after);
        return q.orderBy("id", "desc").limit(limit + 1).execute();
      });
      const page = rows.slice(0, limit);
      return json(200, {
        events: page.map(toEventRecord),
        nextToken: rows.length > limit ? page[page.length - 1]!.id : undefined,
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
        const now = Date.now() + (await readClockOffset(tx));
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
  [
    "GET",
    /^\/_orgsim\/quotas$/,
    async (app) => {
      const overrides = await app.store.transaction((tx) => readOverrides(tx));
      return json(200, { preset: app.settings.quotas, overrides, quotas: { ...quotasFor(app.settings.quotas), ...overrides } });
    },
  ],
  [
    "PUT",
    /^\/_orgsim\/quotas$/,
    async (app, req) => {
      const body = parseObject(req);
      const problem = validateOverrides(body);
      if (problem) throw bad(problem);
      return app.store.writeTransaction(async (tx) => {
        // Stored overrides that no longer validate are replaced by this body, as the health check advises.
        const stored = await readOverrides(tx).catch((err: unknown) => {
          if (err instanceof StateUnavailableError && /quota overrides/.test(err.message)) return {};
          throw err;
        });
        const overrides = { ...stored, ...body };
        const inForce = { ...quotasFor(app.settings.quotas), ...overrides };
        const invalid = quotasProblem(inForce);
        if (invalid) throw bad(invalid);
        await writeOverrides(tx, overrides);
        return json(200, { preset: app.settings.quotas, overrides, quotas: inForce });
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

const extraRoutes: RouteEntry[] = [...consoleRoutes, ...seedRoutes, ...motoRoutes];

/** Lets other modules (explain, console) add their routes. */
export function addControlRoute(method: string, pattern: RegExp, route: ControlRoute): void {
  extraRoutes.push([method, pattern, route]);
}

export async function handleControl(app: App, req: HttpRequestParts, url: URL): Promise<ControlResponse> {
  let pathMatched = false;
  for (const [method, pattern, route] of [...routes, ...extraRoutes]) {
    const m = pattern.exec(url.pathname);
    if (!m) continue;
    pathMatched = true;
    if (method !== req.method) continue;
    return route(app, req, m.slice(1), url);
  }
  if (pathMatched) return json(405, { error: "MethodNotAllowed", message: `${req.method} is not allowed on ${url.pathname}` });
  return json(404, { error: "NotFound", message: `No control API route ${url.pathname}` });
}
