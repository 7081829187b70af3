/**
 * Debian's Chromium driven by playwright-core, for the tests that need a real browser (the
 * console, and what a hostile page can do). Missing either, those tests skip with the reason;
 * CI sets ORGSIM_REQUIRE_BROWSER=1 so that a missing browser fails instead.
 */
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

/** Headless, and quiet on a machine with a closed network (no background connections). */
export const LAUNCH_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * playwright-core's Chromium launcher (typed by the caller, who names what it uses of it), or
 * why it can't be had; throws when ORGSIM_REQUIRE_BROWSER=1 and it can't.
 */
export async function loadChromium<C>(what: string): Promise<C | string> {
  const missing = await (async (): Promise<string | C> => {
    if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (install it with: apt-get install -y chromium)`;
    try {
      const moduleName = "playwright-core";
      const playwright = (await import(moduleName)) as { chromium?: C };
      return playwright.chromium ?? "playwright-core has no chromium launcher";
    } catch {
      return "playwright-core is not installed (npm install --save-dev playwright-core)";
    }
  })();
  if (typeof missing === "string" && process.env.ORGSIM_REQUIRE_BROWSER === "1") {
    throw new Error(`ORGSIM_REQUIRE_BROWSER=1 but the ${what} can't run: ${missing}`);
  }
  return missing;
}
