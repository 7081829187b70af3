/**
 * Start-up: how soon a freshly started process gives its first answer, orgsim against a bare
 * node:http server, side by side.
 *
 * "First answer": from just before the process is spawned until the last byte of a 200 answer to
 * a real call has arrived. The call is DescribeOrganization by the management account (the same
 * prepared, signed-looking request the load workloads send), on a fresh connection, sent as soon
 * as the process has printed its listening line (both are started with port 0 and print the port
 * they got). orgsim runs as a user starts it, `node bin/orgsim.js start --data FILE --port 0`,
 * on an SQLite data file that already holds an organization (made by one start before the
 * measured ones, not counted); the bare server (bench/ceiling.ts) answers the same request with a
 * fixed body. Each command is started once to warm the page cache (not counted), then they take
 * turns (orgsim, bare, orgsim, bare, ...) and each pair gives a ratio, so a machine whose speed
 * drifts during the measurement moves both sides of a ratio together. Servers run pinned to the
 * servers' core, like every server of the bench. The CPU time the process used until its first
 * answer (all threads, from /proc) is reported beside the wall time: other load on the machine
 * disturbs it less.
 *
 * Two more commands are measured in the same turns, so what the start-up bundle and its code cache
 * buy is measured, not assumed: the same start with bin/orgsim.js's code cache deleted first (the
 * first start after a build or an install), and orgsim's CLI from tsc's output (dist/src/, one
 * module file per source file, as it ran before the bundle).
 *
 * Where the time goes: the same starts again under `node --cpu-prof`, each sample classified by
 * its call stack (module loading, compiling, Node's built-ins, better-sqlite3, orgsim's own start,
 * the first request), up to the first answer (the profile's clock is the one the bench reads).
 * BENCH_STARTUP_PROFILES=DIR keeps those profiles (and each start's times.json: spawn, request
 * sent, answer received, in the profile's µs) for a closer look.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { call, closeEndpoint, keepAliveEndpoint, prepare, send } from "./http.js";
import { readNewestProfile, stacksOf, type CallFrame, type CpuProfile } from "./profile.js";
import { canPin, loadAverage, ROOT, SERVER_CORE } from "./servers.js";

const MANAGEMENT = "111111111111";
export const STARTUP_RUNS = 7;
const PROFILE_RUNS = 5;
/** The issue's target: orgsim's first answer within this many times the bare server's. */
export const STARTUP_TARGET_RATIO = 2;

/** One way of starting a server, measured. */
export interface StartCommand {
  name: string;
  /** As a user would type it (for the report). */
  shown: string;
  args: (dataFile: string) => string[];
  /** Run before each start, not timed. */
  prepare?: () => void;
}

export const ORGSIM_START: StartCommand = {
  name: "orgsim",
  shown: "node bin/orgsim.js start --data FILE --port 0",
  args: (file) => [path.join(ROOT, "bin", "orgsim.js"), "start", "--data", file, "--port", "0"],
};
/** bin/orgsim.js's code cache (written by `orgsim start` at exit). */
const CODE_CACHE = path.join(ROOT, "dist", "bundle", "orgsim.cjs.cache");
export const ORGSIM_NO_CACHE: StartCommand = {
  name: "orgsim, no code cache yet",
  shown: "the same, its code cache deleted before each start (the first start after a build or an install)",
  args: ORGSIM_START.args,
  prepare: () => rmSync(CODE_CACHE, { force: true }),
};
export const ORGSIM_UNBUNDLED: StartCommand = {
  name: "orgsim from dist/src (no bundle)",
  shown: "the same CLI imported from dist/src/cli.js (bench/startup-unbundled.ts)",
  args: (file) => [path.join(ROOT, "dist", "bench", "startup-unbundled.js"), "start", "--data", file, "--port", "0"],
};
export const BARE_START: StartCommand = {
  name: "bare node:http",
  shown: "node dist/bench/ceiling.js 0",
  args: () => [path.join(ROOT, "dist", "bench", "ceiling.js"), "0"],
};

export interface FirstAnswer {
  /** Spawn to the last byte of the first 200 answer. */
  ms: number;
  /** CPU time of the process (all threads) when the answer had arrived; undefined without /proc. */
  cpuMs?: number;
}

export interface StartupSeries {
  name: string;
  shown: string;
  runs: FirstAnswer[];
  medianMs: number;
  medianCpuMs?: number;
  /** Median of the pair-by-pair ratios to the bare server's start of the same turn. */
  ratioToBare: number;
  cpuRatioToBare?: number;
}

export interface StartupPhase {
  phase: string;
  /** Median over the profiled starts, ms. */
  ms: number;
}

export interface StartupProfile {
  runs: number;
  /** Per command name: time from spawn until the profiler started (process creation and Node's first steps), then the sampled phases. */
  phases: Record<string, StartupPhase[]>;
  /** Per command name: median spawn-to-first-answer of the profiled starts (profiling slows them). */
  totalMs: Record<string, number>;
}

export interface StartupReport {
  date: string;
  /** CPU model and Node version. */
  machine: string;
  /** Whether bin/orgsim.js ran the start-up bundle (false: it was missing or older than the last tsc build, and bin ran dist/src/). */
  bundled: boolean;
  nproc: number;
  pinned: boolean;
  loadBefore: string;
  loadAfter: string;
  dataFile: string;
  series: StartupSeries[];
  profile?: StartupProfile;
  profileError?: string;
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

/** The choice bin/orgsim.js makes: the bundle, unless it is missing or older than tsc's last build. */
export function bundleIsCurrent(): boolean {
  const mtime = (rel: string): number => statSync(path.join(ROOT, rel), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const bundled = mtime("dist/bundle/orgsim.cjs");
  return bundled > 0 && bundled >= Math.max(mtime("dist/.tsbuildinfo"), mtime("dist/.tsbuildinfo-src"));
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : Number.NaN;
};

function pinnedCommand(args: string[]): [string, string[]] {
  return canPin() ? ["taskset", ["-c", String(SERVER_CORE), process.execPath, ...args]] : [process.execPath, args];
}

/** CPU ms used so far by every thread of `pid` (schedstat: ns on CPU), undefined without /proc. */
function cpuMsOf(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // A thread that ended meanwhile.
      }
    }
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

interface Started {
  child: ChildProcess;
  answer: FirstAnswer;
  /** process.hrtime (µs) just before the spawn, when the request was sent, when its answer had arrived. */
  spawnUs: number;
  sentUs: number;
  answeredUs: number;
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

interface Listening {
  child: ChildProcess;
  port: number;
  /** process.hrtime (µs) and performance.now() just before the spawn. */
  spawnUs: number;
  t0: number;
}

/** Spawns `cmd` (pinned like every server of the bench) and resolves once it has printed its address. */
async function spawnListening(cmd: StartCommand, dataFile: string, nodeArgs: string[] = []): Promise<Listening> {
  const [bin, argv] = pinnedCommand([...nodeArgs, ...cmd.args(dataFile)]);
  cmd.prepare?.();
  const spawnUs = nowUs();
  const t0 = performance.now();
  const child = spawn(bin, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (err = (err + c).slice(-2000)));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const onData = (c: string): void => {
        out += c;
        const m = /http:\/\/[^\s/]+:(\d+)/.exec(out);
        if (!m) return;
        // Keep reading (and dropping) what it prints after: a full pipe would block the server.
        child.stdout!.off("data", onData).on("data", () => {});
        resolve(Number(m[1]));
      };
      child.stdout!.setEncoding("utf8").on("data", onData);
      child.once("exit", (code, signal) =>
        reject(new Error(`${cmd.name} exited (${code ?? signal}) before printing its address: ${err.trim().slice(-500)}`)),
      );
      setTimeout(() => reject(new Error(`${cmd.name} printed no address within 20 s`)), 20_000).unref();
    });
    return { child, port, spawnUs, t0 };
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
}

/** Spawns `cmd`, waits for its listening line, sends DescribeOrganization, returns once the 200 answer has arrived (the process still runs). */
async function startAndAsk(cmd: StartCommand, dataFile: string, nodeArgs: string[] = []): Promise<Started> {
  const request = prepare(MANAGEMENT, "DescribeOrganization", {});
  const { child, port, spawnUs, t0 } = await spawnListening(cmd, dataFile, nodeArgs);
  const ep = keepAliveEndpoint("127.0.0.1", port);
  try {
    const sentUs = nowUs();
    const res = await send(ep, request.bytes);
    const answeredUs = nowUs();
    const ms = performance.now() - t0;
    const cpuMs = child.pid !== undefined ? cpuMsOf(child.pid) : undefined;
    if (res.status !== 200) throw new Error(`${cmd.name} answered DescribeOrganization with HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    const org = (JSON.parse(res.body) as { Organization?: { Id?: unknown } }).Organization;
    if (typeof org?.Id !== "string")
      throw new Error(`${cmd.name}: DescribeOrganization answered without an organization: ${res.body.slice(0, 300)}`);
    return { child, answer: { ms, ...(cpuMs !== undefined ? { cpuMs } : {}) }, spawnUs, sentUs, answeredUs };
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  } finally {
    closeEndpoint(ep);
  }
}

async function firstAnswer(cmd: StartCommand, dataFile: string): Promise<FirstAnswer> {
  const s = await startAndAsk(cmd, dataFile);
  await stop(s.child);
  return s.answer;
}

const DATA_ACCOUNTS = 10;

/** An SQLite data file holding an organization with a few accounts, made by orgsim itself. */
async function makeDataFile(dir: string): Promise<string> {
  const file = path.join(dir, "orgsim.db");
  const { child, port } = await spawnListening({ ...ORGSIM_START, args: (f) => [...ORGSIM_START.args(f), "--quiet"] }, file);
  const ep = keepAliveEndpoint("127.0.0.1", port);
  try {
    await call(ep, MANAGEMENT, "CreateOrganization", { FeatureSet: "ALL" });
    for (let i = 0; i < DATA_ACCOUNTS; i++)
      await call(ep, MANAGEMENT, "CreateAccount", { Email: `startup-${i}@example.com`, AccountName: `startup-${i}` });
  } finally {
    closeEndpoint(ep);
    await stop(child);
  }
  return file;
}

/**
 * orgsim's first answer against the bare server's: one unmeasured start of each, then `runs`
 * turns of every command in `commands` (the bare server's last), each ratio taken within a turn.
 */
export async function startupComparison(
  runs = STARTUP_RUNS,
  log: (line: string) => void = () => {},
  withProfile = true,
): Promise<StartupReport> {
  const dir = mkdtempSync(path.join(tmpdir(), "orgsim-startup-"));
  try {
    const loadBefore = loadAverage();
    const dataFile = await makeDataFile(dir);
    const commands = [ORGSIM_START, ORGSIM_NO_CACHE, ORGSIM_UNBUNDLED, BARE_START];
    const results = commands.map(() => [] as FirstAnswer[]);
    for (const cmd of commands) await firstAnswer(cmd, dataFile);
    for (let i = 0; i < runs; i++) {
      for (let j = 0; j < commands.length; j++) results[j]!.push(await firstAnswer(commands[j]!, dataFile));
      log(`  turn ${i + 1}: ${commands.map((c, j) => `${c.name} ${results[j]![i]!.ms.toFixed(0)} ms`).join(", ")}`);
    }
    const bare = results[commands.length - 1]!;
    const series: StartupSeries[] = commands.map((cmd, j) => {
      const r = results[j]!;
      const cpus = r.map((x) => x.cpuMs);
      const bareCpus = bare.map((x) => x.cpuMs);
      const haveCpu = cpus.every((c) => c !== undefined) && bareCpus.every((c) => c !== undefined);
      return {
        name: cmd.name,
        shown: cmd.shown,
        runs: r,
        medianMs: median(r.map((x) => x.ms)),
        ratioToBare: median(r.map((x, i) => x.ms / bare[i]!.ms)),
        ...(haveCpu ? { medianCpuMs: median(cpus as number[]), cpuRatioToBare: median(r.map((x, i) => x.cpuMs! / bare[i]!.cpuMs!)) } : {}),
      };
    });
    const size = statSync(dataFile).size;
    const report: StartupReport = {
      date: new Date().toISOString(),
      bundled: bundleIsCurrent(),
      machine: `${cpuModel()}, Node ${process.version}`,
      nproc: Number(process.env.ORGSIM_BENCH_NPROC ?? 0) || availableParallelism(),
      pinned: canPin(),
      loadBefore,
      loadAfter: loadAverage(),
      dataFile: `an SQLite file of ${(size / 1024).toFixed(0)} KiB holding an organization with ${DATA_ACCOUNTS + 1} accounts`,
      series,
    };
    if (withProfile) {
      try {
        report.profile = await startupProfile(dataFile, dir, log);
      } catch (e) {
        report.profileError = e instanceof Error ? e.message : String(e);
        log(`  start-up profile failed: ${report.profileError}`);
      }
    }
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------
// Where the start goes: CPU profiles of the starts, classified by call stack
// ------------------------------------------------------------------------------------------------

export const BEFORE_PROFILER = "process creation and Node's first steps (before the profiler starts)";
export const FIRST_REQUEST = "the first request (sent after the listening line, until its answer)";
export const IDLE = "idle (waiting: file reads, the listening line's way to the bench)";

/** The phase of one sample, from its stack (leaf first). */
export function phaseOfStack(stack: CallFrame[]): string {
  const leaf = stack[0]!;
  if (leaf.functionName === "(garbage collector)") return "garbage collection";
  if (leaf.functionName === "(program)") return "V8 and native code, unattributed";
  const has = (pred: (f: CallFrame) => boolean): boolean => stack.some(pred);
  const isOrgsim = (f: CallFrame): boolean => f.url.startsWith(`file://${ROOT}/dist/`) || f.url.startsWith(`file://${ROOT}/bin/`);
  // The only CommonJS either server loads after Node's boot is better-sqlite3 (imported by orgsim's store).
  const CJS_FROM_ESM = new Set(["commonjsStrategy", "cjsLoader", "createCJSModuleWrap", "cjsPreparseModuleExports"]);
  if (
    has(
      (f) =>
        f.url.includes("/node_modules/better-sqlite3/") ||
        f.url.includes("/node_modules/bindings/") ||
        f.functionName === "dlopen" ||
        CJS_FROM_ESM.has(f.functionName),
    )
  ) {
    return "better-sqlite3: its CommonJS modules and native addon";
  }
  if (has((f) => f.functionName === "prepareMainThreadExecution" || f.functionName === "prepareExecution"))
    return "Node's boot (pre-execution)";
  if (has((f) => f.functionName === "compileSourceTextModule" || (f.url === "node:vm" && f.functionName === "Script")))
    return "compiling orgsim's code (ES modules' source; the bundle's vm.Script)";
  if (
    has(
      (f) =>
        f.functionName === "compileForInternalLoader" ||
        f.functionName === "compileForPublicLoader" ||
        f.functionName === "builtinStrategy",
    )
  ) {
    return "loading Node's built-in modules (node:http, node:net, node:crypto, ...)";
  }
  // Whichever is nearer the leaf: the server's code (which may read files, hash, require) or Node's module loader.
  const first = stack.find((f) => isOrgsim(f) || f.url.startsWith("node:internal/modules/"));
  if (first && !isOrgsim(first)) return "module loader: resolve, read, link";
  if (first && first.lineNumber === 0 && first.functionName === "") return "evaluating the modules' top level";
  if (first)
    return "the server's own code (orgsim: reading its bundle, CLI, settings, store open and schema check, models, services, baseline, listen)";
  return "other Node internals (streams, timers, process)";
}

/** Per phase, the ms of `profile`'s samples up to `untilUs` (µs, the profile's clock); samples after `fromUs` go to the first request. */
function classify(profile: CpuProfile, fromUs: number, untilUs: number): Map<string, number> {
  const stackOf = stacksOf(profile);
  const out = new Map<string, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t > untilUs) break;
    // A sample stands for the interval that ends at its timestamp.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const stack = stackOf(profile.samples[i]!);
    const phase = stack[0]!.functionName === "(idle)" ? IDLE : t > fromUs ? FIRST_REQUEST : phaseOfStack(stack);
    out.set(phase, (out.get(phase) ?? 0) + ms);
  }
  return out;
}

async function startupProfile(dataFile: string, dir: string, log: (line: string) => void): Promise<StartupProfile> {
  const phases: Record<string, StartupPhase[]> = {};
  const totalMs: Record<string, number> = {};
  for (const cmd of [ORGSIM_START, BARE_START]) {
    const perRun: Map<string, number>[] = [];
    const totals: number[] = [];
    for (let i = 0; i < PROFILE_RUNS; i++) {
      const profDir = path.join(process.env.BENCH_STARTUP_PROFILES ?? dir, `prof-${cmd === ORGSIM_START ? "orgsim" : "bare"}-${i}`);
      const s = await startAndAsk(cmd, dataFile, ["--cpu-prof", `--cpu-prof-dir=${profDir}`, "--cpu-prof-interval", "100"]);
      await stop(s.child);
      const profile = readNewestProfile(profDir);
      if (!profile) throw new Error(`${cmd.name} wrote no CPU profile`);
      if (process.env.BENCH_STARTUP_PROFILES)
        writeFileSync(path.join(profDir, "times.json"), JSON.stringify({ spawnUs: s.spawnUs, sentUs: s.sentUs, answeredUs: s.answeredUs }));
      const m = classify(profile, s.sentUs, s.answeredUs);
      m.set(BEFORE_PROFILER, Math.max(0, (profile.startTime - s.spawnUs) / 1000));
      perRun.push(m);
      totals.push(s.answer.ms);
    }
    const names = new Set(perRun.flatMap((m) => [...m.keys()]));
    phases[cmd.name] = [...names].map((phase) => ({ phase, ms: median(perRun.map((m) => m.get(phase) ?? 0)) })).sort((a, b) => b.ms - a.ms);
    totalMs[cmd.name] = median(totals);
    log(
      `  profiled ${cmd.name}: ${phases[cmd.name]!.slice(0, 4)
        .map((p) => `${p.phase} ${p.ms.toFixed(0)} ms`)
        .join("; ")}`,
    );
  }
  return { runs: PROFILE_RUNS, phases, totalMs };
}
