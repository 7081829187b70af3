/**
 * A bounded closed-loop load generator: `concurrency` workers each run one step at a time, back
 * to back, for a warm-up and then a fixed measured window. A step's latency is recorded when it
 * starts and ends inside the window. Bounded in time (and so in count), loopback only.
 */
import { readFileSync } from "node:fs";
import { describeError } from "./http.js";

const hrtimeUs = (): number => Number(process.hrtime.bigint() / 1000n);

export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

/** One unit of work of worker `worker` (a request, a pair of requests, a cycle); throws on failure. */
export type Step = (worker: number) => Promise<void>;

export interface LoadResult {
  /** Steps that succeeded inside the measured window. */
  count: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** CPU seconds the server process used during the measured window (all its threads), when known. */
  serverCpuSeconds?: number;
  /** serverCpuSeconds / window: near 1 when the server had its core to itself and was saturated. */
  serverBusy?: number;
  /** Server CPU per successful step, in µs: the figure least disturbed by other load on the machine. */
  serverCpuUsPerStep?: number;
  /** CPU seconds the database's own processes used during the window (PostgreSQL rows only), and per step in µs. */
  dbCpuSeconds?: number;
  dbCpuUsPerStep?: number;
  /** Each core's busy share over the window (from /proc/stat), where known: who else ran shows here. */
  coreBusy?: number[];
  /** The measured window on process.hrtime's clock (µs), which V8's CPU profiles of the servers also use. */
  windowUs?: [number, number];
  /** The load generator's own CPU per step and share of its core: near 1 means the client, not the server, set the pace. */
  clientCpuUsPerStep?: number;
  clientBusy?: number;
}

/** Busy and total jiffies of each core so far (undefined where /proc/stat is missing). */
function coreTimes(): { busy: number; total: number }[] | undefined {
  try {
    const out: { busy: number; total: number }[] = [];
    for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
      if (!/^cpu\d+ /.test(line)) continue;
      const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
      const total = v.reduce((a, b) => a + b, 0);
      out.push({ busy: total - v[3]! - v[4]!, total });
    }
    return out.length ? out : undefined;
  } catch {
    return undefined;
  }
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * `serverCpu` reads the server's CPU seconds so far (and `dbCpu` its database's, where it has one
 * of its own processes); both are sampled when the measured window opens and closes.
 */
export async function closedLoop(
  options: LoadOptions,
  step: Step,
  serverCpu?: () => number | undefined,
  dbCpu?: () => number | undefined,
): Promise<LoadResult> {
  const begin = performance.now();
  const measureFrom = begin + options.warmupMs;
  const end = measureFrom + options.durationMs;
  // The server's CPU is read by the first worker to step into the window and the first to leave it.
  let cpuFrom: number | undefined;
  let cpuTo: number | undefined;
  let dbFrom: number | undefined;
  let dbTo: number | undefined;
  let coresFrom: { busy: number; total: number }[] | undefined;
  let coresTo: { busy: number; total: number }[] | undefined;
  let cpuOpenedAt = measureFrom;
  let cpuWindowMs = options.durationMs;
  let clientFrom: NodeJS.CpuUsage | undefined;
  let clientTo: NodeJS.CpuUsage | undefined;
  let windowFromUs: number | undefined;
  let windowToUs: number | undefined;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let fatal: unknown;

  const worker = async (w: number): Promise<void> => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end || fatal !== undefined) {
        if (clientTo === undefined && clientFrom !== undefined) {
          cpuTo = serverCpu?.();
          dbTo = dbCpu?.();
          coresTo = coreTimes();
          clientTo = process.cpuUsage(clientFrom);
          cpuWindowMs = t0 - cpuOpenedAt;
          windowToUs = hrtimeUs();
        }
        return;
      }
      if (clientFrom === undefined && t0 >= measureFrom) {
        cpuOpenedAt = t0;
        windowFromUs = hrtimeUs();
        cpuFrom = serverCpu?.();
        dbFrom = dbCpu?.();
        coresFrom = coreTimes();
        clientFrom = process.cpuUsage();
      }
      let ok = true;
      try {
        await step(w);
      } catch (err) {
        ok = false;
        firstError ??= describeError(err);
        // A server that refuses connections is gone: stop rather than spin.
        if (err instanceof Error && /ECONNREFUSED|ECONNRESET|socket hang up/.test(err.message)) fatal = err;
      }
      const t1 = performance.now();
      if (t0 >= measureFrom && t1 <= end) {
        if (ok) latencies.push(t1 - t0);
        else errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  const sorted = Float64Array.from(latencies).sort();
  const seconds = options.durationMs / 1000;
  let sum = 0;
  for (const v of sorted) sum += v;
  const result: LoadResult = {
    count: sorted.length,
    errors,
    seconds,
    perSecond: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length ? sum / sorted.length : Number.NaN,
  };
  if (firstError !== undefined) result.firstError = firstError;
  if (windowFromUs !== undefined && windowToUs !== undefined) result.windowUs = [windowFromUs, windowToUs];
  if (cpuFrom !== undefined && cpuTo !== undefined) {
    result.serverCpuSeconds = cpuTo - cpuFrom;
    result.serverBusy = result.serverCpuSeconds / (cpuWindowMs / 1000);
    if (result.count > 0) result.serverCpuUsPerStep = (result.serverCpuSeconds * 1e6) / result.count;
  }
  if (dbFrom !== undefined && dbTo !== undefined) {
    result.dbCpuSeconds = dbTo - dbFrom;
    if (result.count > 0) result.dbCpuUsPerStep = (result.dbCpuSeconds * 1e6) / result.count;
  }
  if (coresFrom && coresTo && coresFrom.length === coresTo.length) {
    const from = coresFrom;
    result.coreBusy = coresTo.map((c, i) => {
      const dt = c.total - from[i]!.total;
      return dt > 0 ? (c.busy - from[i]!.busy) / dt : 0;
    });
  }
  if (clientTo !== undefined) {
    const us = clientTo.user + clientTo.system;
    result.clientBusy = us / 1000 / cpuWindowMs;
    if (result.count > 0) result.clientCpuUsPerStep = us / result.count;
  }
  return result;
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight; stops early at `deadline` (performance.now() ms). */
export async function bounded(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
  deadline = Number.POSITIVE_INFINITY,
): Promise<{ done: number; failed: number; firstError?: string; ms: number }> {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < n && performance.now() < deadline) {
      const i = next++;
      try {
        await task(i);
        done++;
      } catch (err) {
        failed++;
        firstError ??= describeError(err);
        if (failed > 20 && done === 0) return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, () => worker()));
  const out: { done: number; failed: number; firstError?: string; ms: number } = { done, failed, ms: performance.now() - t0 };
  if (firstError !== undefined) out.firstError = firstError;
  return out;
}
