/**
 * The emulator's own state: health, reset, the virtual clock, quota overrides and injected faults.
 *
 *   GET  /_orgsim/health                 ok (200) or degraded (503), with the reason
 *   POST /_orgsim/reset                  empty state, clock offset 0, no faults
 *   GET  /_orgsim/clock                  the virtual clock
 *   POST /_orgsim/clock                  {"advanceSeconds": n} or {"offsetSeconds": n}
 *   GET  /_orgsim/quotas, PUT            the preset, the overrides, the quotas in force
 *   GET  /_orgsim/faults, POST, DELETE   injected faults
 */
import type { App } from "../app.js";
import { StateUnavailableError } from "../store/errors.js";
import { advanceClock, clockView, readClockOffset, setClockOffset, virtualNow } from "../clock.js";
import { addFault, validateFault, type FaultSpec } from "../faults.js";
import { quotasFor, quotasProblem, readOverrides, validateOverrides, writeOverrides } from "../quotas.js";
import { orgsimVersion } from "../version.js";
import { timingView } from "../config.js";
import { bad, json, parseObject, type ControlResponse, type RouteEntry } from "./http.js";

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

export const stateRoutes: RouteEntry[] = [
  ["GET", /^\/_orgsim\/health$/, async (app) => health(app)],
  [
    "POST",
    /^\/_orgsim\/reset$/,
    async (app) => {
      await app.reset();
      return json(200, { reset: true });
    },
  ],
  ["GET", /^\/_orgsim\/clock$/, async (app) => json(200, clockView(await app.store.transaction((tx) => readClockOffset(tx))))],
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
    /^\/_orgsim\/faults$/,
    async (app) => {
      const rows = await app.store.transaction((tx) => tx.selectFrom("faults").selectAll().orderBy("created_at").execute());
      return json(200, {
        faults: rows.map((r) => ({
          id: r.id,
          operation: r.operation,
          ...(JSON.parse(r.error) as object),
          remaining: r.remaining,
          probability: r.probability,
        })),
      });
    },
  ],
  [
    "POST",
    /^\/_orgsim\/faults$/,
    async (app, req) => {
      const spec = parseObject(req) as unknown as FaultSpec;
      const problem = validateFault(
        [...app.services.values()].map((s) => s.model),
        spec,
      );
      if (problem) throw bad(problem);
      const id = await app.store.writeTransaction(async (tx) => addFault(tx, spec, await virtualNow(tx)));
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
];
