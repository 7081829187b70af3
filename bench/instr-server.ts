/**
 * orgsim for `npm run bench:instructions`: the server in memory, started through the library
 * entry (dist/src) rather than bin/orgsim.js, whose start-up bundle runs with a V8 code cache that
 * each run may rewrite (and V8 rejects under other flags): the count would then depend on what the
 * run before left. The request path is the same code. `node dist/bench/instr-server.js PORT`.
 */
import { startOrgsim } from "../src/index.js";

const sim = await startOrgsim({ port: Number(process.argv[2] ?? "0"), quiet: true });
const stop = (): void => {
  sim.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
