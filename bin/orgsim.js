#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled TypeScript (dist/, built by npm run build or, in the
// package, shipped).
let cli;
try {
  cli = await import("../dist/src/cli.js");
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
