/**
 * What every control route shares: the route's type, its JSON answer, and the errors a route
 * throws for a request it refuses. Route files (routes-*.ts) export arrays of routes; api.ts
 * joins them into the router. Nothing here imports a route or the router.
 */
import type { App } from "../app.js";
import type { HttpRequestParts } from "../auth/sigv4.js";
import { AwsError } from "../protocol/errors.js";

export interface ControlResponse {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type ControlRoute = (app: App, req: HttpRequestParts, params: string[], url: URL) => Promise<ControlResponse>;

/** [method, path pattern, handler]; the pattern's groups are the handler's `params`. */
export type RouteEntry = [method: string, pattern: RegExp, route: ControlRoute];

/** A JSON answer. */
export const json = (status: number, value: unknown, headers?: Record<string, string>): ControlResponse =>
  headers === undefined ? { status, body: JSON.stringify(value) } : { status, body: JSON.stringify(value), headers };

/** A request the route refuses: 400 with `message` (the server answers it as {"error": "BadRequest", "message"}). */
export const bad = (message: string): AwsError => new AwsError("BadRequest", message, { status: 400 });

/** The request body as a JSON object ({} when empty); BadRequest for anything else. */
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
