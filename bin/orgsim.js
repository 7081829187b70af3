#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled TypeScript (npm run build).
import { main } from "../dist/src/cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === "number") process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exitCode = 1;
  },
);
