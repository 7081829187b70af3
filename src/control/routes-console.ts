/** The console's routes (/_orgsim/console and the state it reads); being written. */
import type { RouteEntry } from "./api.js";

export const consoleRoutes: RouteEntry[] = [];
