/**
 * The start-up figures (bench/startup.ts) as the bench prints and writes them: the target's
 * verdict, lines for the console, and the "Start-up" section of docs/performance.md. A start-up
 * run alone (`npm run bench:startup`) rewrites only that section and the target's row.
 */
import { readFileSync, writeFileSync } from "node:fs";
import {
  BARE_START,
  BEFORE_PROFILER,
  FIRST_REQUEST,
  IDLE,
  ORGSIM_NO_CACHE,
  ORGSIM_START,
  ORGSIM_UNBUNDLED,
  STARTUP_TARGET_RATIO,
  type StartupReport,
  type StartupSeries,
} from "./startup.js";

export const STARTUP_TARGET = `First answer after process start within ${STARTUP_TARGET_RATIO}x a bare node:http server's (median of 7 starts each, side by side, SQLite data file)`;
const SECTION = "## Start-up";

const f0 = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? "-" : v.toFixed(0));
const f2 = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? "-" : v.toFixed(2));
const seriesOf = (s: StartupReport, name: string): StartupSeries | undefined => s.series.find((x) => x.name === name);

export interface StartupVerdict {
  target: string;
  measured: string;
  met: boolean | undefined;
  why?: string;
}

export function startupVerdict(s: StartupReport | undefined): StartupVerdict {
  const o = s && seriesOf(s, ORGSIM_START.name);
  const b = s && seriesOf(s, BARE_START.name);
  if (!s || !o || !b) return { target: STARTUP_TARGET, measured: "not measured", met: undefined };
  const v: StartupVerdict = {
    target: STARTUP_TARGET,
    measured:
      `${f2(o.ratioToBare)}x (median of ${o.runs.length} pair ratios; medians ${f0(o.medianMs)} vs ${f0(b.medianMs)} ms)` +
      (o.cpuRatioToBare !== undefined
        ? `; CPU to first answer ${f2(o.cpuRatioToBare)}x (${f0(o.medianCpuMs)} vs ${f0(b.medianCpuMs)} ms)`
        : ""),
    met: o.ratioToBare <= STARTUP_TARGET_RATIO,
  };
  if (!v.met) {
    const extra = extraPhases(s, 3);
    v.why =
      `orgsim's first answer comes ${f0(o.medianMs - b.medianMs)} ms after the bare server's (load average ${s.loadBefore} before the measurement, on ${s.nproc} cores).` +
      (o.cpuRatioToBare !== undefined && o.cpuRatioToBare <= STARTUP_TARGET_RATIO
        ? ` By CPU time it is within the target (${f2(o.cpuRatioToBare)}x): the wall-clock gap is other load on the machine.`
        : "") +
      (extra ? ` Where orgsim spends more than the bare server (profiled starts): ${extra}.` : "") +
      " See the Start-up section.";
  }
  return v;
}

/** The phases where orgsim spends the most beyond the bare server, as text. */
function extraPhases(s: StartupReport, n: number): string {
  const p = s.profile;
  if (!p) return "";
  const o = p.phases[ORGSIM_START.name] ?? [];
  const b = new Map((p.phases[BARE_START.name] ?? []).map((x) => [x.phase, x.ms]));
  return o
    .filter((x) => x.phase !== IDLE)
    .map((x) => ({ phase: x.phase, extra: x.ms - (b.get(x.phase) ?? 0) }))
    .sort((a, c) => c.extra - a.extra)
    .slice(0, n)
    .map((x) => `${x.phase} +${f0(x.extra)} ms`)
    .join(", ");
}

export function startupLines(s: StartupReport | undefined): string[] {
  if (!s) return ["start-up: not measured"];
  const out = s.bundled
    ? []
    : ["WARNING: dist/bundle/ is missing or older than the last tsc build: bin/orgsim.js ran dist/src/ (run npm run build)"];
  out.push(
    `start-up (spawn to first DescribeOrganization answer, ${s.series[0]?.runs.length ?? 0} turns, load average ${s.loadBefore} -> ${s.loadAfter}):`,
  );
  for (const x of s.series) {
    out.push(
      `  ${x.name.padEnd(34)} median ${f0(x.medianMs).padStart(4)} ms  ${f2(x.ratioToBare)}x bare` +
        (x.medianCpuMs !== undefined ? `   CPU ${f0(x.medianCpuMs).padStart(4)} ms  ${f2(x.cpuRatioToBare)}x bare` : "") +
        `   (${x.runs.map((r) => f0(r.ms)).join(", ")})`,
    );
  }
  const v = startupVerdict(s);
  out.push(`  ${v.met === undefined ? "n/a" : v.met ? "met" : "MISSED"}: ${v.target}`);
  return out;
}

export function startupSection(s: StartupReport | undefined, standalone = false): string[] {
  const L: string[] = [SECTION, ""];
  if (!s) {
    L.push("Not measured in this run.", "");
    return L;
  }
  if (!s.bundled)
    L.push(
      "**Warning: in this run `dist/bundle/` was missing or older than the last tsc build, so `bin/orgsim.js` ran `dist/src/`: the `orgsim` row is not the bundled start.**",
      "",
    );
  if (standalone)
    L.push(
      `This section comes from a start-up run of its own (\`npm run bench:startup\`), not from the run the rest of this page comes from.`,
      "",
    );
  L.push(
    `- Measured ${s.date} on ${s.machine}, nproc ${s.nproc}; load average (1, 5, 15 min) ${s.loadBefore} before, ${s.loadAfter} after (other engineers' builds and tests share this machine: wall-clock figures move with them, ratios of side-by-side starts much less, CPU time least).`,
    `- First answer: from just before the process is spawned until the last byte of a 200 answer to DescribeOrganization by the management account (a real AWS call, the bench's prepared request), sent on a fresh connection as soon as the process has printed its listening line. Both servers start with port 0 and print the port they got. orgsim: \`${ORGSIM_START.shown}\` (no --quiet: as a user starts it), on ${s.dataFile}, written by orgsim before the measured starts. The bare server: \`${BARE_START.shown}\` (\`bench/ceiling.ts\`: node:http, a fixed answer).`,
    `- Each command is started once unmeasured (page cache), then the commands take turns (${s.series.map((x) => x.name).join(", ")}), ${s.series[0]?.runs.length ?? 0} turns; a ratio is taken within each turn and the median of those ratios is reported. ${s.pinned ? "Every server process is pinned to the servers' core, the bench to the other core." : "Not pinned."} "CPU" is the process's CPU time (all threads) when its answer had arrived.`,
    "",
    "| Command | First answer, median ms | Each start, ms | vs bare node:http (median of pair ratios) | CPU to first answer, median ms | CPU vs bare |",
    "|---|---:|---|---:|---:|---:|",
  );
  for (const x of s.series) {
    L.push(
      `| ${x.name} | ${f0(x.medianMs)} | ${x.runs.map((r) => f0(r.ms)).join(", ")} | ${f2(x.ratioToBare)}x | ${f0(x.medianCpuMs)} | ${x.cpuRatioToBare !== undefined ? `${f2(x.cpuRatioToBare)}x` : "-"} |`,
    );
  }
  L.push("");
  const v = startupVerdict(s);
  L.push(
    `Target: ${v.target}: **${v.met === undefined ? "n/a" : v.met ? "met" : "MISSED"}**, ${v.measured}.${v.why ? ` ${v.why.replace(/ See the Start-up section\.$/, "")}` : ""}`,
    "",
  );

  const u = seriesOf(s, ORGSIM_UNBUNDLED.name);
  const n = seriesOf(s, ORGSIM_NO_CACHE.name);
  const o = seriesOf(s, ORGSIM_START.name);
  const vsBare = (x: StartupSeries | undefined): string => (x ? `${f0(x.medianMs)} ms, ${f2(x.ratioToBare)}x the bare server` : "-");
  L.push(
    "How orgsim starts: `bin/orgsim.js` runs the CLI from a bundle, `dist/bundle/orgsim.cjs` (made by `scripts/bundle.mjs` with esbuild at `npm run build`, `npm start` and `npm pack`): orgsim's modules and Kysely in one file; better-sqlite3, pg, yaml and the SigV4 signer's packages stay in node_modules, required when first used. " +
      "Node loads an ES module graph file by file (resolve, read, compile, link each), and from tsc's output the start loads every module orgsim's server imports plus Kysely's ES build (some 260 files). " +
      "The bundle runs as a `vm.Script` with V8's code cache: `orgsim start` leaves the code V8 compiled beside the bundle at exit (`orgsim.cjs.cache`, keyed by the bundle's content hash, size and time), and later starts skip most compiling; a folder orgsim can't write to just has no cache. " +
      `In the same turns: with the cache (the \`orgsim\` row) ${vsBare(o)}; without it (the first start after a build or an install) ${vsBare(n)}; from dist/src ${vsBare(u)}. ` +
      "A start on a data file whose schema is current skips the migrations' DDL (the schema version is kept in the file's header, PRAGMA user_version); a new or older file is migrated as before.",
    "",
  );

  const p = s.profile;
  if (p) {
    const o2 = p.phases[ORGSIM_START.name] ?? [];
    const b2 = new Map((p.phases[BARE_START.name] ?? []).map((x) => [x.phase, x.ms]));
    const phases = [...new Set([...o2.map((x) => x.phase), ...b2.keys()])];
    const om = new Map(o2.map((x) => [x.phase, x.ms]));
    phases.sort((a, c) => (om.get(c) ?? 0) - (om.get(a) ?? 0));
    L.push(
      `Where the start goes: ${p.runs} more starts of each under \`node --cpu-prof --cpu-prof-interval 100\`, every sample up to the first answer classified by its call stack (\`bench/startup.ts\`, phaseOfStack), median ms per phase. Profiling slows a start (first answer under the profiler: orgsim ${f0(p.totalMs[ORGSIM_START.name])} ms, bare ${f0(p.totalMs[BARE_START.name])} ms), so read the phases as shares; orgsim starts with its code cache, as in the \`orgsim\` row. "${BEFORE_PROFILER}" is the time from spawn to the profile's first sample (same clock); "${FIRST_REQUEST}" counts every sample between sending the request and receiving its answer.`,
      "",
      `| Phase | orgsim ms | bare node:http ms |`,
      "|---|---:|---:|",
    );
    for (const ph of phases) L.push(`| ${ph} | ${f0(om.get(ph))} | ${f0(b2.get(ph))} |`);
    L.push("");
    const extra = extraPhases(s, 4);
    if (extra) L.push(`Beyond the bare server, orgsim's start spends most in: ${extra}.`, "");
  } else if (s.profileError) {
    L.push(`The start-up profile failed: ${s.profileError}`, "");
  }
  return L;
}

/**
 * docs/performance.md after a start-up run alone: the Start-up section replaced (or added before
 * the profiles), the target's row replaced, its "why" bullet updated, older start-up lines gone.
 */
export function patchPerformanceDoc(file: string, s: StartupReport): void {
  let lines: string[];
  try {
    lines = readFileSync(file, "utf8").split("\n");
  } catch {
    lines = ["# Performance", ""];
  }
  const isStartupRow = (l: string): boolean => l.startsWith("| First answer after process start") || l.startsWith("| Time to first answer");
  const isStartupWhy = (l: string): boolean =>
    l.startsWith("- **First answer after process start") || l.startsWith("- **Time to first answer");
  const isOldBullet = (l: string): boolean =>
    l.startsWith("- Time to first answer (spawn of") || l.startsWith("- Start, in a fresh process");
  // The section itself.
  const start = lines.findIndex((l) => l === SECTION);
  if (start >= 0) {
    let end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
    if (end < 0) end = lines.length;
    lines.splice(start, end - start);
  }
  const section = startupSection(s, true);
  const before = lines.findIndex((l) => l.startsWith("## Where orgsim's time goes"));
  lines.splice(before >= 0 ? before : lines.length, 0, ...section);
  // The target's row and its "why".
  const v = startupVerdict(s);
  const row = `| ${v.target.replace(/\|/g, "\\|")} | ${v.measured.replace(/\|/g, "\\|")} (start-up run of ${s.date}) | ${v.met === undefined ? "n/a" : v.met ? "met" : "MISSED"} |`;
  const at = lines.findIndex(isStartupRow);
  if (at >= 0) lines[at] = row;
  else {
    const header = lines.findIndex((l) => l.startsWith("| Target | Measured | Verdict |"));
    if (header >= 0) {
      let end = header + 2;
      while (end < lines.length && lines[end]!.startsWith("|")) end++;
      lines.splice(end, 0, row);
    }
  }
  lines = lines
    .filter((l) => !isStartupWhy(l) && !isOldBullet(l))
    .map((l) => (l === "## Creating 10,000 accounts, memory, start" ? "## Creating 10,000 accounts, memory" : l));
  if (v.met === false && v.why) {
    const why = lines.findIndex((l) => l === "### Why the misses");
    if (why >= 0) lines.splice(why + 2, 0, `- **${v.target}**: ${v.why}`);
  }
  // A "Why the misses" heading left without a bullet goes too.
  const why = lines.findIndex((l) => l === "### Why the misses");
  if (why >= 0 && !(lines[why + 2] ?? "").startsWith("- **")) lines.splice(why, 2);
  writeFileSync(file, lines.join("\n").replace(/\n{3,}/g, "\n\n"));
}
