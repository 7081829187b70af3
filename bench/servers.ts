/**
 * The servers under test, each its own process, pinned to core 0 with taskset when the machine
 * has it and at least two cores (the load generator runs on core 1): orgsim, the bare node:http
 * ceiling, and moto's server.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, request } from "node:http";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The repository root (this file runs from dist/bench/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

let tasksetChecked: boolean | undefined;
export function canPin(): boolean {
  if (tasksetChecked === undefined) {
    const probe = spawnSync("taskset", ["-c", String(SERVER_CORE), "true"], { stdio: "ignore" });
    // os.cpus() counts online cores whatever this process's own affinity (it may already be pinned to core 1).
    tasksetChecked = probe.status === 0 && cpus().length >= 2;
  }
  return tasksetChecked;
}

/**
 * Runs this script again pinned to the load core (servers get the other), once: the exit code of
 * that run, or undefined when this is that run (or pinning is not possible) and the caller goes on.
 */
export function rerunPinnedToLoadCore(): Promise<number> | undefined {
  if (process.env.ORGSIM_BENCH_CHILD === "1" || !canPin()) return undefined;
  const child = spawn(
    "taskset",
    ["-c", String(LOAD_CORE), process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)],
    {
      stdio: "inherit",
      env: { ...process.env, ORGSIM_BENCH_CHILD: "1", ORGSIM_BENCH_NPROC: String(availableParallelism()) },
    },
  );
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.once("SIGINT", forward);
  process.once("SIGTERM", forward);
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}

/** The command that runs `command` pinned to `core` (as it is where the machine cannot pin). */
function pinned(core: number, command: string, args: string[]): [string, string[]] {
  return canPin() ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];
}

/**
 * Moves a running process (all its threads) to `cores` ("1", "0,1"); false where it could not.
 * The load generator uses it on itself: pinned to its core for most rows, let free on both cores
 * where two orgsim replicas take one core each.
 */
export function setAffinity(pid: number, cores: string): boolean {
  if (!canPin()) return false;
  return spawnSync("taskset", ["-a", "-p", "-c", cores, String(pid)], { stdio: "ignore" }).status === 0;
}

export interface ServerProcess {
  name: string;
  pid: number;
  port: number;
  /** From spawn to the first successful answer of the readiness probe, in ms. */
  readyMs: number;
  /** performance.now() just before the spawn. */
  spawnedAt: number;
  /** The internal errors orgsim logged since the last call ("Operation: message" -> count), then forgets them. */
  takeInternalErrors(): Map<string, number>;
  stop(): Promise<void>;
}

/** orgsim's log line for a call that failed inside it (answered as a 500 ServiceException). */
const INTERNAL_ERROR = /^orgsim: internal error in (\S+) \(request [^)]*\): (.*)$/;

const live = new Set<ChildProcess>();

/** Kills every server this bench started (on exit or failure), by its own pid. */
export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  live.clear();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = address && typeof address === "object" ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** One GET on a fresh connection; the status, or undefined when nothing answers yet. */
function probeOnce(port: number, urlPath: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: urlPath, method: "GET", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", () => resolve(undefined));
    req.setTimeout(2000, () => req.destroy());
    req.end();
  });
}

/** Polls until `ok(status)`; resolves the elapsed ms since `since` (a performance.now() value). */
export async function waitReady(
  child: ChildProcess,
  port: number,
  urlPath: string,
  ok: (s: number) => boolean,
  since: number,
  timeoutMs: number,
  name: string,
  stderr: () => string,
): Promise<number> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before answering: ${stderr().slice(-800)}`);
    }
    const status = await probeOnce(port, urlPath);
    if (status !== undefined && ok(status)) return performance.now() - since;
    if (performance.now() - since > timeoutMs)
      throw new Error(`${name} did not answer on port ${port} within ${timeoutMs} ms: ${stderr().slice(-800)}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function launch(
  name: string,
  command: string,
  args: string[],
  port: number,
  readiness: { path: string; ok: (s: number) => boolean; timeoutMs: number },
  env: NodeJS.ProcessEnv = process.env,
  core: number = SERVER_CORE,
): Promise<ServerProcess> {
  const [cmd, argv] = pinned(core, command, args);
  const t0 = performance.now();
  const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
  live.add(child);
  let errText = "";
  let partial = "";
  let internal = new Map<string, number>();
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    // Keep only the tail: moto logs every request on stderr.
    errText = (errText + chunk).slice(-4000);
    const lines = (partial + chunk).split("\n");
    partial = (lines.pop() ?? "").slice(-4000);
    for (const line of lines) {
      const m = INTERNAL_ERROR.exec(line);
      if (m && (internal.size < 20 || internal.has(`${m[1]}: ${m[2]}`)))
        internal.set(`${m[1]}: ${m[2]}`, (internal.get(`${m[1]}: ${m[2]}`) ?? 0) + 1);
    }
  });
  const readyMs = await waitReady(child, port, readiness.path, readiness.ok, t0, readiness.timeoutMs, name, () => errText).catch(
    (err: unknown) => {
      child.kill("SIGKILL");
      live.delete(child);
      throw err;
    },
  );
  return {
    name,
    pid: child.pid ?? -1,
    port,
    readyMs,
    spawnedAt: t0,
    takeInternalErrors: () => {
      const out = internal;
      internal = new Map();
      return out;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          live.delete(child);
          resolve();
          return;
        }
        const force = setTimeout(() => child.kill("SIGKILL"), 3000);
        child.once("exit", () => {
          clearTimeout(force);
          live.delete(child);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** `node bin/orgsim.js start --port P --quiet [extra]`, pinned to `core`; readyMs is spawn -> first 200 from GET /_orgsim/health. */
export async function startOrgsim(extra: string[] = [], nodeArgs: string[] = [], core: number = SERVER_CORE): Promise<ServerProcess> {
  const port = await freePort();
  return launch(
    "orgsim",
    process.execPath,
    [...nodeArgs, path.join(ROOT, "bin", "orgsim.js"), "start", "--port", String(port), "--quiet", ...extra],
    port,
    {
      path: "/_orgsim/health",
      ok: (s) => s === 200,
      timeoutMs: 15_000,
    },
    process.env,
    core,
  );
}

export async function startCeiling(): Promise<ServerProcess> {
  const port = await freePort();
  return launch("node:http", process.execPath, [path.join(ROOT, "dist", "bench", "ceiling.js"), String(port)], port, {
    path: "/",
    ok: (s) => s === 200,
    timeoutMs: 10_000,
  });
}

/** Whether moto is importable, or why not. */
export function motoAvailable(): { ok: true; version: string } | { ok: false; why: string } {
  const probe = spawnSync("python3", ["-c", "import moto; print(moto.__version__)"], { encoding: "utf8" });
  if (probe.error) return { ok: false, why: `python3 could not run: ${probe.error.message}` };
  if (probe.status !== 0)
    return { ok: false, why: `python3 -c "import moto" failed: ${(probe.stderr || "").trim().split("\n").pop() ?? ""}` };
  return { ok: true, version: probe.stdout.trim() };
}

export async function startMoto(): Promise<ServerProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_SECURITY_TOKEN: "testing",
    AWS_SESSION_TOKEN: "testing",
    AWS_DEFAULT_REGION: "us-east-1",
  };
  // Any HTTP answer means moto's server is up (it has no health route of its own).
  return launch(
    "moto",
    "python3",
    ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
    port,
    { path: "/moto-api/", ok: () => true, timeoutMs: 30_000 },
    env,
  );
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const n = Number(out.stdout?.trim());
    clockTicks = out.status === 0 && Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

/** User + system CPU seconds of a process, all its threads (undefined where /proc is missing). */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** The 1-, 5- and 15-minute load averages (other work on the machine shows here). */
export function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

function cpuTimes(): { idle: number; total: number } | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { idle: v[3]! + v[4]!, total: v.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** Share of the machine's CPU left idle over `ms` (before this bench loads it: how busy others keep the machine). */
export async function machineIdle(ms: number): Promise<number | undefined> {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  return a && b && b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : undefined;
}

/** VmRSS and VmHWM of a process, in MB (undefined where /proc is missing). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return undefined;
  }
}
