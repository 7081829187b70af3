#!/usr/bin/env node
// The server's start-up bundle: the compiled CLI (dist/src/cli.js) and everything it imports,
// orgsim's modules and its JavaScript dependencies, bundled by esbuild into a few ES modules in
// dist/bundle/ that bin/orgsim.js runs. Node loads a module file by file (resolve, read, compile,
// link), and the CLI's start touched about 350 of them (Kysely alone is 263), which was most of
// the time to the first answer (docs/performance.md, "Start-up").
//
// - Input is tsc's output, not the TypeScript sources: the bundle runs exactly what the tests
//   run from dist/src, only in fewer files.
// - Code splitting keeps what orgsim loads lazily (the seed modules and YAML, SigV4 signature
//   checking, event streams) in chunks of their own, loaded on first use as before.
// - better-sqlite3 (a native addon) and pg stay external: required from node_modules at run time.
// - Not minified: stack traces in orgsim's internal-error log lines stay readable.
//
// Run by `npm run build`, `npm start` (when the bundle is older than the build) and prepack.
// Prints nothing on success unless --verbose.
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "src", "cli.js");
const outdir = join(root, "dist", "bundle");

/** Bundles dist/src/cli.js into dist/bundle/ (a fresh folder each time, so no stale chunk stays). */
export async function bundle({ verbose = false } = {}) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: compile first (tsc)`);
  const { build } = await import("esbuild");
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { orgsim: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["better-sqlite3", "pg"],
    // Some dependencies are CommonJS that require() Node's built-ins; an ES module has no require.
    banner: { js: 'import { createRequire as __orgsimCreateRequire } from "node:module"; const require = __orgsimCreateRequire(import.meta.url);' },
    legalComments: "none",
    logLevel: "warning",
    metafile: verbose,
  });
  if (verbose && result.metafile) {
    for (const [file, out] of Object.entries(result.metafile.outputs)) console.log(`${file} ${(out.bytes / 1024).toFixed(0)} KiB`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  bundle({ verbose: process.argv.includes("--verbose") }).catch((err) => {
    console.error(`bundle: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
