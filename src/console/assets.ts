/**
 * The console's static files: plain HTML, JavaScript and CSS in the `console/` folder at the
 * repository root, read when asked for (they are small), so that editing them needs no build
 * and no restart. Found by walking up from this module, which works from `src/` and from
 * `dist/src/` alike.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CONSOLE_ASSETS: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

let found: string | undefined;

/** The `console/` folder that holds index.html, or undefined when it is missing from this install. */
export function consoleDirectory(): string | undefined {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "console");
    if (existsSync(join(candidate, "index.html")) && existsSync(join(candidate, "app.js"))) {
      found = candidate;
      return found;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** One asset's text and content type; undefined for a name that is not an asset. */
export async function readConsoleAsset(name: string): Promise<{ body: string; contentType: string } | undefined> {
  const contentType = CONSOLE_ASSETS[name];
  if (!contentType) return undefined;
  const dir = consoleDirectory();
  if (!dir) throw new Error("the console's files (console/index.html, console/app.js, console/style.css) are missing from this installation");
  return { body: await readFile(join(dir, name), "utf8"), contentType };
}
