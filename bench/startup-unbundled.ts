/**
 * orgsim's CLI run from tsc's output (dist/src/, a module file per source file), not from the
 * start-up bundle bin/orgsim.js runs: the start-up bench measures both, so what the bundle buys is
 * a figure of the same run. Same arguments and exit codes as bin/orgsim.js.
 */
import { main } from "../src/cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === "number") process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`orgsim: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
