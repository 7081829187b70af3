/** Declarative start state: POST /_orgsim/seed and GET /_orgsim/export; being written. */
import type { RouteEntry } from "./api.js";

export const seedRoutes: RouteEntry[] = [];
