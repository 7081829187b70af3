/**
 * The console's static files: plain HTML, JavaScript (ES modules) and CSS in the `console/`
 * folder at the repository root, read when asked for (they are small), so that editing them needs
 * no build and no restart. Found by walking up from this module, which works from `src/` and from
 * `dist/src/` alike.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HTML = "text/html; charset=utf-8";
const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

/**
 * Every file the page loads, and its content type: nothing else in `console/` is served. The
 * script is ES modules that import each other by name (`app.js` imports the rest), so each
 * module is listed here; a test checks that the list and the modules' imports agree.
 */
export const CONSOLE_ASSETS: Readonly<Record<string, string>> = {
  "index.html": HTML,
  "style.css": CSS,
  "app.js": JS,
  "api.js": JS,
  "detail.js": JS,
  "dom.js": JS,
  "events.js": JS,
  "explain.js": JS,
  "format.js": JS,
  "handshakes.js": JS,
  "header.js": JS,
  "model.js": JS,
  "policies.js": JS,
  "sync.js": JS,
  "tabs.js": JS,
  "tree.js": JS,
  "widgets.js": JS,
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
  // Own names only: "constructor" or "toString" are no assets.
  const contentType = Object.hasOwn(CONSOLE_ASSETS, name) ? CONSOLE_ASSETS[name] : undefined;
  if (!contentType) return undefined;
  const dir = consoleDirectory();
  if (!dir) throw new Error("the console's files (console/index.html, console/*.js, console/style.css) are missing from this installation");
  return { body: await readFile(join(dir, name), "utf8"), contentType };
}
