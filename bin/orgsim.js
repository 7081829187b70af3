#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled TypeScript. It runs from the start-up bundle
// (dist/bundle/, made by scripts/bundle.mjs: a few files instead of some 350 modules, so the
// server answers sooner), else from tsc's output (dist/src/). In a checkout, a compile newer than
// the bundle (tsc run without bundling) means the bundle is stale: dist/src/ is used then.
import { statSync } from "node:fs";

const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundled = mtime("../dist/bundle/orgsim.js");
// Only a checkout has these records of tsc's builds; the package ships none.
const compiled = Math.max(mtime("../dist/.tsbuildinfo"), mtime("../dist/.tsbuildinfo-src"));

let cli;
try {
  cli = await import(bundled > 0 && bundled >= compiled ? "../dist/bundle/orgsim.js" : "../dist/src/cli.js");
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
