#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled TypeScript. It runs from the start-up bundle,
// dist/bundle/orgsim.cjs (scripts/bundle.mjs: one file instead of some 350 modules), else from
// tsc's output, dist/src/. In a checkout, a tsc build newer than the bundle (tsc run without
// bundling) means the bundle is stale: dist/src/ runs then. See docs/performance.md, Start-up.
//
// The bundle runs as a vm.Script with V8's code cache: `orgsim start` leaves, beside the bundle,
// the code V8 compiled for it (orgsim.cjs.cache), and later starts skip most compiling. The cache
// is keyed by the bundle's content hash (its first line, written by scripts/bundle.mjs), size and
// modification time: V8 itself checks only the source's length (and its own version and flags),
// and would run the old code of a changed bundle of the same length. Where the folder can't be
// written (a read-only install), there is simply no cache.
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const at = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const bundle = at("../dist/bundle/orgsim.cjs");
const bundled = mtime(bundle);
// Only a checkout has these records of tsc's builds; the package ships none.
const compiled = Math.max(mtime(at("../dist/.tsbuildinfo")), mtime(at("../dist/.tsbuildinfo-src")));

/** The bundle's exports, its compiled code taken from (or, for `start`, left in) the code cache. */
function loadBundle(file, modified) {
  const source = readFileSync(file);
  const hash = /^\/\/ orgsim start-up bundle, sha256 ([0-9a-f]{64})\n/.exec(source.subarray(0, 128).toString("latin1"))?.[1];
  const key = hash ? Buffer.from(`${hash} ${source.length} ${modified}\n`) : undefined;
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    const cache = key && readFileSync(cacheFile);
    if (cache && cache.length > key.length && key.equals(cache.subarray(0, key.length))) cachedData = cache.subarray(key.length);
  } catch {
    // No cache yet.
  }
  // CommonJS's own wrapper, on the first line so line numbers in stack traces are the file's.
  // Written as Latin-1 (scripts/bundle.mjs): no UTF-8 decoding of a megabyte.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source.toString("latin1")}\n})`, {
    filename: file,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  if (key && (cachedData === undefined || script.cachedDataRejected) && process.argv[2] === "start") {
    // At exit, so the cache holds what the server compiled while it ran (its start, its calls).
    process.once("exit", () => {
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        writeFileSync(tmp, Buffer.concat([key, script.createCachedData()]));
        renameSync(tmp, cacheFile);
      } catch {
        // A folder orgsim may not write to: no cache, nothing else changes.
        try {
          unlinkSync(`${cacheFile}.${process.pid}`);
        } catch {
          // Never written.
        }
      }
    });
  }
  return module.exports;
}

let cli;
try {
  cli = bundled > 0 && bundled >= compiled ? loadBundle(bundle, bundled) : await import("../dist/src/cli.js");
} catch (err) {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/src/cli.js")) {
    console.error("orgsim: dist/ is missing: in a checkout, build it first (npm run build, or npm start builds and starts)");
    process.exit(1);
  }
  throw err;
}

cli.main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === "number") process.exitCode = code;
  },
  (err) => {
    console.error(`orgsim: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
