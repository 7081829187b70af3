/** The paths that are orgsim's own (not an AWS API): the control API, the console, and moto's reset route. */

/** moto's server mode resets its state here; orgsim answers it as a control route. */
export const MOTO_RESET_PATH = "/moto-api/reset";

/** Control routes: orgsim's /_orgsim/*, and moto's reset route (same handler, same gate). */
export function isControlPath(path: string): boolean {
  return path === "/_orgsim" || path.startsWith("/_orgsim/") || path === MOTO_RESET_PATH;
}
