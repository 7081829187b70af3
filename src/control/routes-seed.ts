/**
 * Declarative start state: POST /_orgsim/seed applies a seed (a JSON body: the seed itself, or
 * `{"yaml": "<seed text>"}` for a YAML file, so that problems keep the file's lines and columns;
 * `?source=org.yaml` names it in messages, `?reset=true` empties the state first, in the same
 * transaction), GET /_orgsim/export answers the state in the same format (`?format=json` for JSON).
 */
import { json, type ControlResponse, type RouteEntry } from "./http.js";
import { SeedError } from "../seed/errors.js";

// The seed modules (and the YAML library) load on first use, not at every start.
const seedModules = async () => ({
  ...(await import("../seed/read.js")),
  ...(await import("../seed/apply.js")),
  ...(await import("../seed/export.js")),
});

const flag = (value: string | null): boolean => value !== null && /^(1|true|yes|)$/i.test(value);

/** The answer for a seed that was not applied: 400 for a malformed seed, 422 when an operation refused it. */
export function seedErrorResponse(err: SeedError): ControlResponse {
  return json(err.kind === "invalid" ? 400 : 422, {
    error: err.kind === "invalid" ? "InvalidSeed" : "SeedFailed",
    message: err.message,
    problems: err.problems,
  });
}

/**
 * The seed text of a body: the `yaml` member of `{"yaml": "..."}` (control writes are JSON only,
 * and a YAML file travels inside it), else the body itself (a seed written as JSON).
 */
export function seedText(body: string): string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return body; // the seed reader reports where the text goes wrong
  }
  if (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { yaml?: unknown }).yaml === "string"
  ) {
    return (value as { yaml: string }).yaml;
  }
  return body;
}

export const seedRoutes: RouteEntry[] = [
  [
    "POST",
    /^\/_orgsim\/seed$/,
    async (app, req, _params, url) => {
      const source = url.searchParams.get("source") || "seed";
      const { readSeed, applySeed } = await seedModules();
      try {
        const plan = readSeed(seedText(req.body.toString("utf8")), source);
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
