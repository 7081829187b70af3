/**
 * `npm run bench:startup`: the start-up rows of the bench alone (bench/startup.ts): orgsim's first
 * answer after process start against a bare node:http server's, side by side, then the profiled
 * starts. Prints them and rewrites the Start-up section (and the target's row) of
 * docs/performance.md, saying it comes from a run of its own; BENCH_NO_WRITE=1 prints only,
 * BENCH_NO_PROFILE=1 skips the profiled starts. Pins itself like `npm run bench` (servers on one
 * core, this process on the other).
 */
import path from "node:path";
import { killAll, rerunPinnedToLoadCore, ROOT } from "./servers.js";
import { startupComparison, STARTUP_RUNS } from "./startup.js";
import { patchPerformanceDoc, startupLines } from "./startup-report.js";

const T0 = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench:startup ${((performance.now() - T0) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
};

async function main(): Promise<number> {
  const pinned = rerunPinnedToLoadCore();
  if (pinned) return pinned;
  process.on("exit", killAll);
  log(`first answer after process start, ${STARTUP_RUNS} turns`);
  const report = await startupComparison(STARTUP_RUNS, log, process.env.BENCH_NO_PROFILE !== "1");
  for (const line of startupLines(report)) console.log(line);
  if (report.profile) {
    for (const [name, phases] of Object.entries(report.profile.phases)) {
      console.log(`  profiled ${name} (median of ${report.profile.runs}):`);
      for (const p of phases) console.log(`    ${p.ms.toFixed(1).padStart(6)} ms  ${p.phase}`);
    }
  }
  if (process.env.BENCH_NO_WRITE !== "1") {
    const file = path.join(ROOT, "docs", "performance.md");
    patchPerformanceDoc(file, report);
    log(`wrote the Start-up section of ${file}`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
