/**
 * orgsim's own package: its root folder (where package.json, console/ and model/ are) and its
 * version, read from package.json at run time, so a checkout and an installed package agree.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;
let version: string | undefined;

/** The folder that holds orgsim's package.json, found by walking up from this module (src/ or dist/src/). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown };
      if (pkg.name === "orgsim") return (root = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error("orgsim: cannot find its package.json above its modules (a broken installation?)");
}

/** The version in orgsim's package.json, e.g. "0.1.0". */
export function orgsimVersion(): string {
  if (version) return version;
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") throw new Error("orgsim: its package.json has no version");
  return (version = pkg.version);
}
