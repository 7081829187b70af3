/**
 * Declarative start state: POST /_orgsim/seed applies a seed (YAML or JSON text in the body;
 * `?source=org.yaml` names it in messages, `?reset=true` empties the state first, in the same
 * transaction), GET /_orgsim/export answers the state in the same format (`?format=json` for JSON).
 */
import type { ControlResponse, RouteEntry } from "./api.js";
import { SeedError } from "../seed/errors.js";

// The seed modules (and the YAML library) load on first use, not at every start.
const seedModules = async () => ({ ...(await import("../seed/schema.js")), ...(await import("../seed/apply.js")), ...(await import("../seed/export.js")) });

const json = (status: number, value: unknown): ControlResponse => ({ status, body: JSON.stringify(value) });
const flag = (value: string | null): boolean => value !== null && /^(1|true|yes|)$/i.test(value);

/** The answer for a seed that was not applied: 400 for a malformed seed, 422 when an operation refused it. */
export function seedErrorResponse(err: SeedError): ControlResponse {
  return json(err.kind === "invalid" ? 400 : 422, {
    error: err.kind === "invalid" ? "InvalidSeed" : "SeedFailed",
    message: err.message,
    problems: err.problems,
  });
}

export const seedRoutes: RouteEntry[] = [
  [
    "POST",
    /^\/_orgsim\/seed$/,
    async (app, req, _params, url) => {
      const source = url.searchParams.get("source") || "seed";
      const { readSeed, applySeed } = await seedModules();
      try {
        const plan = readSeed(req.body.toString("utf8"), source);
        const result = await applySeed(app, plan, { reset: flag(url.searchParams.get("reset")) });
        return json(200, result);
      } catch (err) {
        if (err instanceof SeedError) return seedErrorResponse(err);
        throw err;
      }
    },
  ],
  [
    "GET",
    /^\/_orgsim\/export$/,
    async (app, _req, _params, url) => {
      const { exportSeedFile, exportState } = await seedModules();
      if (url.searchParams.get("format") === "json") return json(200, await exportSeedFile(app));
      return { status: 200, body: await exportState(app), contentType: "application/yaml; charset=utf-8" };
    },
  ],
];
