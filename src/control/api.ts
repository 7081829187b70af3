/**
 * The control API on /_orgsim/* (and moto's /moto-api/reset): JSON in, JSON out. A thin shell over
 * the same functions the operations use (store, clock, readiness, faults, events). The routes are
 * the arrays of the routes-*.ts files; this module only joins them and finds the one a request
 * names (http.ts holds what the routes share, so no route imports this router).
 */
import type { App } from "../app.js";
import type { HttpRequestParts } from "../auth/sigv4.js";
import { json, type ControlResponse, type RouteEntry } from "./http.js";
import { stateRoutes } from "./routes-state.js";
import { accountRoutes } from "./routes-accounts.js";
import { govcloudRoutes } from "./routes-govcloud.js";
import { inspectRoutes } from "./routes-inspect.js";
import { consoleRoutes } from "./routes-console.js";
import { seedRoutes } from "./routes-seed.js";
import { motoRoutes } from "./routes-moto.js";

export type { ControlResponse } from "./http.js";

const ROUTES: readonly RouteEntry[] = [
  ...stateRoutes,
  ...accountRoutes,
  ...govcloudRoutes,
  ...inspectRoutes,
  ...consoleRoutes,
  ...seedRoutes,
  ...motoRoutes,
];

/** The route the request's path and method name: 405 when only the method is wrong, 404 when no path matches. */
export async function handleControl(app: App, req: HttpRequestParts, url: URL): Promise<ControlResponse> {
  let pathMatched = false;
  for (const [method, pattern, route] of ROUTES) {
    const m = pattern.exec(url.pathname);
    if (!m) continue;
    pathMatched = true;
    if (method !== req.method) continue;
    return route(app, req, m.slice(1), url);
  }
  if (pathMatched) return json(405, { error: "MethodNotAllowed", message: `${req.method} is not allowed on ${url.pathname}` });
  return json(404, { error: "NotFound", message: `No control API route ${url.pathname}` });
}
