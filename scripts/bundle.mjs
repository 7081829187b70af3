#!/usr/bin/env node
// The server's start-up bundle: the compiled CLI (dist/src/cli.js) and everything of orgsim's it
// imports, with Kysely, bundled by esbuild into one CommonJS file, dist/bundle/orgsim.cjs, that
// bin/orgsim.js runs (with V8's code cache; see there). Node loads an ES module graph file by
// file (resolve, read, compile, link each), and the CLI's start from dist/src touched about 350
// module files (Kysely's ES build alone is 263): most of the time to the first answer
// (docs/performance.md, "Start-up").
//
// - Input is tsc's output, not the TypeScript sources: the bundle runs exactly what the tests
//   run from dist/src, only in one file.
// - Every other runtime dependency stays in node_modules (external), required where orgsim
//   imports it: better-sqlite3 (a native addon whose JavaScript must match the installed build)
//   and pg, and yaml, @smithy/signature-v4 and @aws-crypto/sha256-js, which orgsim loads only on
//   first use (seed files, signature checks). In one CommonJS file, an external required by a
//   lazily loaded module is required when that module first runs, so lazy stays lazy.
// - Not minified: stack traces in orgsim's internal-error log lines stay readable (minifying
//   saved 2-4 ms of CPU per start).
//
// - Its first line names the SHA-256 of the rest: bin/orgsim.js keys its code cache on it (with
//   the file's size and time) without hashing a megabyte at every start. It is written as
//   Latin-1 (esbuild escapes every other character in code; comments keep a few no-break
//   spaces), which bin reads as a one-byte string, with no UTF-8 decoding.
//
// Run by `npm run build`, `npm start` (when the bundle is older than the build) and prepack.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "src", "cli.js");
const outdir = join(root, "dist", "bundle");
/** The dependencies bundled in; every other one stays external. */
const BUNDLED = new Set(["kysely"]);

/** Bundles dist/src/cli.js into dist/bundle/orgsim.cjs (a fresh folder each time: no stale file or code cache stays). */
export async function bundle({ verbose = false } = {}) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: compile first (tsc)`);
  const { build } = await import("esbuild");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.has(d));
  rmSync(outdir, { recursive: true, force: true });
  const outfile = join(outdir, "orgsim.cjs");
  const result = await build({
    entryPoints: [entry],
    outfile,
    write: false,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    external,
    // import("pg") becomes a require: bin/orgsim.js runs the file as a vm.Script, which has no ES module loader.
    supported: { "dynamic-import": false },
    // orgsim finds model/, console/ and package.json from its module's URL.
    define: { "import.meta.url": "__orgsimModuleUrl" },
    banner: { js: 'const __orgsimModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
    charset: "ascii",
    legalComments: "none",
    logLevel: "warning",
    metafile: verbose,
  });
  const text = result.outputFiles.find((f) => f.path === outfile)?.text;
  if (text === undefined) throw new Error(`esbuild wrote no ${outfile}`);
  // charset "ascii" escapes code; what is left is in comments (Kysely's JSDoc has a few no-break spaces).
  if (/[^\x00-\xff]/.test(text)) throw new Error("the bundle holds characters beyond Latin-1 (bin/orgsim.js reads it as Latin-1)");
  const code = Buffer.from(text, "latin1");
  mkdirSync(outdir, { recursive: true });
  writeFileSync(
    outfile,
    Buffer.concat([Buffer.from(`// orgsim start-up bundle, sha256 ${createHash("sha256").update(code).digest("hex")}\n`), code]),
  );
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
