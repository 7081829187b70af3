/**
 * `npm run bench`: every workload, side by side, in one run on this machine, against orgsim
 * (in-memory SQLite, its own process), a bare node:http server (the ceiling) and moto's server.
 * Servers run pinned to core 0, this load generator to core 1. Prints a table and writes the
 * figures, the machine, the targets and whether each is met into docs/performance.md.
 *
 * Then orgsim over PostgreSQL (a fresh database per configuration, dropped at the end): one
 * replica, and three replicas on the same database behind the load generator's round-robin, all
 * three pinned to core 0; PostgreSQL's own processes are not pinned.
 *
 * Environment: BENCH_SECONDS (measured seconds per workload, default 3), BENCH_WARMUP_SECONDS
 * (default 1), BENCH_CONNECTIONS (default 16), BENCH_PG_SECONDS (measured seconds per PostgreSQL
 * workload, default 2), BENCH_PG_URL (the server to create databases on, default
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_NO_PG=1, BENCH_NO_MOTO=1,
 * BENCH_NO_PROFILE=1, BENCH_NO_WRITE=1 (print only).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, release, tmpdir } from "node:os";
import path from "node:path";
import { closeEndpoint, keepAliveEndpoint, roundRobin } from "./http.js";
import type { LoadOptions } from "./load.js";
import {
  canPin,
  cpuSecondsOf,
  killAll,
  loadAverage,
  machineIdle,
  LOAD_CORE,
  memoryOf,
  motoAvailable,
  startCeiling,
  startMoto,
  startOrgsim,
  SERVER_CORE,
  type ServerProcess,
} from "./servers.js";
import {
  createAccountPairs,
  createAccounts,
  createOrganization,
  describeOrganization,
  fullListing,
  inviteAcceptLeave,
  listAccounts,
  listWorkload,
  memberCallThroughScps,
  PG_ONE,
  PG_THREE,
  SCP_WORKLOAD,
  type Measurement,
  type ServerName,
  type Target,
} from "./workloads.js";
import { freshDatabase, pgCpuSampler, probePostgres, type FreshDatabase } from "./postgres.js";
import { readProfileDir, type ProfileSummary } from "./profile.js";
import { startupComparison, STARTUP_RUNS } from "./startup.js";
import { writeReport, printTable, type BenchReport, type ListingFigure, type Machine } from "./report.js";

const MANAGEMENT = "111111111111";
const MOTO_ACCOUNT = "123456789012";
const LEAVE_RATE = 100_000;
/** Organization sizes (the management account included) of the ListAccounts workload on the main servers. */
const SMALL_SIZES: [string, number][] = [
  ["100", 100],
  ["1,000", 1000],
];
const PROFILED_LIST = listWorkload("1,000");
/** The 10,000-account creation on moto stops here (moto's CreateAccount slows as accounts grow). */
const MOTO_CREATE_BUDGET_MS = 20_000;

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const LOAD: LoadOptions = {
  concurrency: Math.round(envNumber("BENCH_CONNECTIONS", 16)),
  warmupMs: envNumber("BENCH_WARMUP_SECONDS", 1) * 1000,
  durationMs: envNumber("BENCH_SECONDS", 3) * 1000,
};

/** The PostgreSQL rows: shorter windows (8 of them, 2 configurations x 4 workloads) to keep the run short. */
const PG_LOAD: LoadOptions = {
  concurrency: LOAD.concurrency,
  warmupMs: Math.min(LOAD.warmupMs, 1000),
  durationMs: envNumber("BENCH_PG_SECONDS", 2) * 1000,
};
const PG_REPLICAS = 3;
/** The PostgreSQL rows' workloads and their units (for the rows of a skipped configuration). */
const PG_WORKLOADS: [string, string][] = [
  ["DescribeOrganization (management)", "req"],
  [listWorkload("1,000"), "page"],
  ["CreateAccount + DescribeCreateAccountStatus", "pair"],
  [`${SCP_WORKLOAD} (decision cached)`, "req"],
];

const log = (line: string): void => {
  process.stderr.write(`[bench ${((performance.now() - T0) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
};
const T0 = performance.now();

function targetOf(server: Target["server"], proc: ServerProcess, mgmt: string): Target {
  return { server, ep: keepAliveEndpoint("127.0.0.1", proc.port), mgmt, pids: [proc.pid] };
}

function done(m: Measurement): Measurement {
  if (m.skipped) log(`  ${m.server} ${m.workload}: skipped: ${m.skipped}`);
  else if (m.result)
    log(
      `  ${m.server} ${m.workload}: ${m.result.perSecond.toFixed(0)} ${m.unit}/s, p50 ${m.result.p50Ms.toFixed(2)} ms, p99 ${m.result.p99Ms.toFixed(2)} ms${m.result.errors ? `, ${m.result.errors} errors` : ""}`,
    );
  return m;
}

function machine(): Machine {
  const cpuinfo = (() => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  })();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  return {
    nproc: Number(process.env.ORGSIM_BENCH_NPROC ?? availableParallelism()),
    cpuModel: model,
    node: process.version,
    kernel: release(),
    date: new Date().toISOString(),
    pinned: canPin(),
  };
}

async function withServer<T>(start: () => Promise<ServerProcess>, fn: (proc: ServerProcess) => Promise<T>): Promise<T> {
  const proc = await start();
  try {
    return await fn(proc);
  } finally {
    await proc.stop();
  }
}

async function listingFigure(t: Target, label: string, accounts: number, m: Measurement, walkBudgetMs: number): Promise<ListingFigure> {
  const pages = Math.ceil(accounts / 20);
  const fig: ListingFigure = { server: t.server, label, accounts, pagesPerListing: pages, measurement: m };
  const pps = m.result?.perSecond ?? 0;
  if (pps > 0) fig.saturatedListingMs = (pages / pps) * 1000;
  // A single client walking the whole listing; skipped where it would take too long (moto at 10,000).
  const estimateMs = pps > 0 ? (pages / pps) * 1000 : Number.POSITIVE_INFINITY;
  if (estimateMs < walkBudgetMs) {
    const walk = await fullListing(t, 5, walkBudgetMs);
    fig.singleClientMs = walk.medianMs;
    if (walk.accounts !== accounts) m.notes.push(`a single-client walk saw ${walk.accounts} accounts, expected ${accounts}`);
  } else {
    fig.singleClientNote = `not walked: estimated ${(estimateMs / 1000).toFixed(0)} s`;
  }
  return fig;
}

async function benchOrgsim(report: BenchReport): Promise<void> {
  log(`orgsim: server A (--leave-rate-per-second ${LEAVE_RATE})`);
  await withServer(
    () => startOrgsim(["--leave-rate-per-second", String(LEAVE_RATE)]),
    async (proc) => {
      const t = targetOf("orgsim", proc, MANAGEMENT);
      await createOrganization(t);
      report.measurements.push(done(await describeOrganization(t, LOAD)));
      // The organization holds the management account plus the created ones.
      let created = 0;
      for (const [label, size] of SMALL_SIZES) {
        const add = await createAccounts(t, size - 1 - created, LOAD.concurrency);
        if (add.failed) throw new Error(`orgsim CreateAccount failed: ${add.firstError}`);
        created += add.done;
        const m = done(await listAccounts(t, label, size, LOAD));
        report.measurements.push(m);
        report.listings.push(await listingFigure(t, label, size, m, 5_000));
      }
      report.measurements.push(done(await createAccountPairs(t, LOAD)));
      report.measurements.push(done(await memberCallThroughScps(t, LOAD, false)));
      report.measurements.push(done(await memberCallThroughScps(t, LOAD, true)));
      const cycle = await inviteAcceptLeave(t, LOAD);
      cycle.notes.push(
        `orgsim started with --leave-rate-per-second ${LEAVE_RATE}; its default (AWS's limit) is 5 LeaveOrganization calls per second per organization, which would cap this workload at 5 cycles/s`,
      );
      report.measurements.push(done(cycle));
    },
  );

  log("orgsim: server B (fresh) for 10,000 accounts");
  await withServer(
    () => startOrgsim(),
    async (proc) => {
      const t = targetOf("orgsim", proc, MANAGEMENT);
      await createOrganization(t);
      const before = memoryOf(proc.pid);
      const cpu0 = cpuSecondsOf(proc.pid);
      const add = await createAccounts(t, 10_000, LOAD.concurrency);
      const cpu1 = cpuSecondsOf(proc.pid);
      report.create10k = { server: "orgsim", done: add.done, failed: add.failed, seconds: add.ms / 1000, budgetHit: false };
      if (cpu0 !== undefined && cpu1 !== undefined) report.create10k.serverCpuSeconds = cpu1 - cpu0;
      if (add.firstError) report.create10k.firstError = add.firstError;
      log(`  orgsim: ${add.done} CreateAccount in ${(add.ms / 1000).toFixed(2)} s (${add.failed} failed)`);
      const afterCreate = memoryOf(proc.pid);
      const size = add.done + 1;
      const m = done(await listAccounts(t, "10,000", size, LOAD));
      report.measurements.push(m);
      report.listings.push(await listingFigure(t, "10,000", size, m, 10_000));
      const afterList = memoryOf(proc.pid);
      if (afterList) {
        report.memory = {
          accounts: size,
          rssMb: afterList.rssMb,
          peakMb: afterList.peakMb,
          ...(before ? { emptyRssMb: before.rssMb } : {}),
          ...(afterCreate ? { afterCreateRssMb: afterCreate.rssMb } : {}),
        };
      }
    },
  );
}

/**
 * orgsim over PostgreSQL, each configuration on a fresh database of its own (dropped at the end):
 * `replicas` orgsim processes, each pinned to core 0, on the same database, balanced request by
 * request in the load generator. Set up (organization, 999 accounts) through the replicas too.
 */
async function benchPostgresConfig(report: BenchReport, server: ServerName, replicas: number): Promise<void> {
  let db: FreshDatabase | undefined;
  const procs: ServerProcess[] = [];
  let target: Target | undefined;
  try {
    db = await freshDatabase();
    const url = db.url;
    log(`${server}: database ${db.name}`);
    // Started together: migrations run under an advisory lock, one replica migrates while the others wait.
    const started = await Promise.allSettled(Array.from({ length: replicas }, () => startOrgsim(["--database", url])));
    for (const s of started) if (s.status === "fulfilled") procs.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    report.postgresReadyMs ??= {};
    report.postgresReadyMs[server] = procs.map((p) => p.readyMs);
    log(`  ${replicas} replica${replicas > 1 ? "s" : ""} ready in ${procs.map((p) => p.readyMs.toFixed(0)).join(", ")} ms`);
    const t: Target = {
      server,
      ep:
        replicas === 1
          ? keepAliveEndpoint("127.0.0.1", procs[0]!.port)
          : roundRobin(
              "127.0.0.1",
              procs.map((p) => p.port),
            ),
      mgmt: MANAGEMENT,
      pids: procs.map((p) => p.pid),
      dbCpu: pgCpuSampler(db.name),
    };
    target = t;
    // The cause of any 500 answer, from the replicas' logs, attached to the workload it happened in.
    const withLog = (m: Measurement): Measurement => {
      const merged = new Map<string, number>();
      for (const p of procs) for (const [message, count] of p.takeInternalErrors()) merged.set(message, (merged.get(message) ?? 0) + count);
      if (merged.size) {
        m.serverLog = [...merged].map(([message, count]) => ({ message, count }));
        m.notes.push(`server log (warm-up included): ${m.serverLog.map((e) => `${e.count} x ${e.message}`).join("; ")}`);
      }
      return done(m);
    };
    const measured = async (run: () => Promise<Measurement>): Promise<Measurement> => {
      for (const p of procs) p.takeInternalErrors();
      return withLog(await run());
    };
    await createOrganization(t);
    report.measurements.push(await measured(() => describeOrganization(t, PG_LOAD)));
    const add = await createAccounts(t, 999, PG_LOAD.concurrency);
    if (add.failed) throw new Error(`CreateAccount on PostgreSQL failed: ${add.firstError}`);
    log(`  999 CreateAccount in ${(add.ms / 1000).toFixed(2)} s`);
    const list = await measured(() => listAccounts(t, "1,000", 1000, PG_LOAD));
    report.measurements.push(list);
    report.listings.push(await listingFigure(t, "1,000", 1000, list, 5_000));
    const pairs = await measured(() => createAccountPairs(t, PG_LOAD));
    pairs.notes.push(
      `writers from ${replicas === 1 ? "the replica" : `all ${replicas} replicas`} queue on one PostgreSQL advisory lock, then run SERIALIZABLE`,
    );
    report.measurements.push(pairs);
    report.measurements.push(await measured(() => memberCallThroughScps(t, PG_LOAD, false)));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log(`  ${server} failed: ${why}`);
    for (const [workload, unit] of PG_WORKLOADS) {
      if (!report.measurements.some((m) => m.server === server && m.workload === workload))
        report.measurements.push({ server, workload, unit, skipped: `failed: ${why}`, notes: [] });
    }
  } finally {
    if (target) closeEndpoint(target.ep);
    await Promise.all(procs.map((p) => p.stop()));
    if (db) {
      const name = db.name;
      await db.drop().then(
        () => log(`  dropped ${name}`),
        (err: unknown) => log(`  could not drop ${name}: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  }
}

async function benchPostgres(report: BenchReport): Promise<void> {
  const skipAll = (why: string): void => {
    report.postgres = { available: false, why };
    log(`PostgreSQL rows skipped: ${why}`);
    for (const server of [PG_ONE, PG_THREE] as const) {
      for (const [workload, unit] of PG_WORKLOADS) report.measurements.push({ server, workload, unit, skipped: why, notes: [] });
    }
  };
  if (process.env.BENCH_NO_PG === "1") return skipAll("BENCH_NO_PG=1");
  const probe = await probePostgres();
  if (!probe.ok) return skipAll(probe.why);
  report.postgres = { available: true, ...probe.info, replicas: PG_REPLICAS, load: PG_LOAD };
  log(`PostgreSQL ${probe.info.version} (fsync ${probe.info.fsync}, synchronous_commit ${probe.info.synchronousCommit})`);
  await benchPostgresConfig(report, PG_ONE, 1);
  await benchPostgresConfig(report, PG_THREE, PG_REPLICAS);
}

async function benchCeiling(report: BenchReport): Promise<void> {
  log("node:http ceiling");
  await withServer(startCeiling, async (proc) => {
    const t = targetOf("node:http", proc, MANAGEMENT);
    report.measurements.push(done(await describeOrganization(t, LOAD)));
  });
}

async function benchMoto(report: BenchReport): Promise<void> {
  if (process.env.BENCH_NO_MOTO === "1") {
    report.moto = { available: false, why: "BENCH_NO_MOTO=1" };
    return;
  }
  const avail = motoAvailable();
  if (!avail.ok) {
    report.moto = { available: false, why: avail.why };
    log(`moto skipped: ${avail.why}`);
    return;
  }
  report.moto = { available: true, version: avail.version };
  log(`moto ${avail.version}`);
  await withServer(startMoto, async (proc) => {
    report.moto = { available: true, version: avail.version, readyMs: proc.readyMs };
    const t = targetOf("moto", proc, MOTO_ACCOUNT);
    await createOrganization(t);
    report.measurements.push(done(await describeOrganization(t, LOAD)));
    let created = 0;
    for (const [label, size] of SMALL_SIZES) {
      const add = await createAccounts(t, size - 1 - created, LOAD.concurrency);
      if (add.failed) throw new Error(`moto CreateAccount failed: ${add.firstError}`);
      created += add.done;
      const m = done(await listAccounts(t, label, size, LOAD));
      report.measurements.push(m);
      report.listings.push(await listingFigure(t, label, size, m, 5_000));
    }
    report.measurements.push(done(await createAccountPairs(t, LOAD)));
    report.measurements.push({
      server: "moto",
      workload: SCP_WORKLOAD,
      unit: "req",
      skipped:
        "not comparable: moto evaluates no SCPs, and maps every access key it did not issue to 123456789012, so no call is a member's",
      notes: [],
    });
    report.measurements.push(done(await inviteAcceptLeave(t, LOAD)));

    // 10,000 accounts on a fresh state, as for orgsim (moto's own reset route).
    const reset = await fetch(`http://127.0.0.1:${proc.port}/moto-api/reset`, { method: "POST" });
    if (!reset.ok) throw new Error(`moto reset answered ${reset.status}`);
    await createOrganization(t);
    const cpu0 = cpuSecondsOf(proc.pid);
    const add = await createAccounts(t, 10_000, LOAD.concurrency, performance.now() + MOTO_CREATE_BUDGET_MS);
    const cpu1 = cpuSecondsOf(proc.pid);
    const budgetHit = add.done + add.failed < 10_000;
    report.motoCreate10k = { server: "moto", done: add.done, failed: add.failed, seconds: add.ms / 1000, budgetHit };
    if (cpu0 !== undefined && cpu1 !== undefined) report.motoCreate10k.serverCpuSeconds = cpu1 - cpu0;
    log(`  moto: ${add.done} CreateAccount in ${(add.ms / 1000).toFixed(2)} s${budgetHit ? " (budget hit)" : ""}`);
    const size = add.done + 1;
    const m = done(await listAccounts(t, "10,000", size, LOAD));
    if (budgetHit)
      m.notes.push(
        `moto held only ${size} accounts: its CreateAccount slows as accounts grow and the bench stops creating after ${MOTO_CREATE_BUDGET_MS / 1000} s, so this row is moto at ${size}, a lighter load than orgsim's 10,001`,
      );
    report.measurements.push(m);
    report.listings.push(await listingFigure(t, "10,000", size, m, 10_000));
  });
}

/** A CPU profile of a fresh orgsim under two workloads (management DescribeOrganization, then CreateAccount). */
async function profileOrgsim(report: BenchReport): Promise<void> {
  if (process.env.BENCH_NO_PROFILE === "1") return;
  const profiles: { workload: string; summary: ProfileSummary }[] = [];
  const short: LoadOptions = { ...LOAD, warmupMs: 500, durationMs: Math.min(LOAD.durationMs, 3000) };
  const scpEvaluated = `${SCP_WORKLOAD} (evaluated on every call)`;
  for (const workload of [
    "DescribeOrganization (management)",
    PROFILED_LIST,
    "CreateAccount + DescribeCreateAccountStatus",
    scpEvaluated,
  ]) {
    const dir = mkdtempSync(path.join(tmpdir(), "orgsim-prof-"));
    try {
      log(`profile: orgsim under ${workload}`);
      let skipMs = 0;
      await withServer(
        () => startOrgsim([], ["--cpu-prof", `--cpu-prof-dir=${dir}`]),
        async (proc) => {
          const t = targetOf("orgsim", proc, MANAGEMENT);
          await createOrganization(t);
          if (workload === PROFILED_LIST) await createAccounts(t, 999, LOAD.concurrency);
          // Only the samples taken under load count (not the start, nor the setup).
          skipMs = performance.now() - proc.spawnedAt;
          if (workload === "DescribeOrganization (management)") await describeOrganization(t, short);
          else if (workload === PROFILED_LIST) await listAccounts(t, "1,000", 1000, short);
          else if (workload === scpEvaluated) {
            const m = await memberCallThroughScps(t, short, true);
            if (m.skipped) log(`  skipped: ${m.skipped}`);
          } else await createAccountPairs(t, short);
        },
      );
      const summary = readProfileDir(dir, 12, skipMs);
      if (summary && summary.busyMs > 200) profiles.push({ workload, summary });
      else log("  no profile was written (the server did not exit cleanly?)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  report.profiles = profiles;
}

async function main(): Promise<number> {
  // Re-exec this load generator pinned to core 1 (servers get core 0).
  if (process.env.ORGSIM_BENCH_CHILD !== "1" && canPin()) {
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
  guardChildren();
  const report: BenchReport = {
    machine: machine(),
    load: LOAD,
    leaveRate: LEAVE_RATE,
    serverCore: SERVER_CORE,
    loadCore: LOAD_CORE,
    measurements: [],
    listings: [],
    loadAverageBefore: loadAverage(),
  };
  const idle = await machineIdle(1000);
  if (idle !== undefined) report.idleBefore = idle;
  log(
    `${report.machine.cpuModel}, nproc ${report.machine.nproc}, node ${report.machine.node}; ${report.machine.pinned ? `servers on core ${SERVER_CORE}, load on core ${LOAD_CORE}` : "not pinned (no taskset or one core)"}`,
  );
  log(
    `machine idle before the run: ${report.idleBefore !== undefined ? `${(report.idleBefore * 100).toFixed(0)}%` : "?"}; load average ${report.loadAverageBefore}`,
  );
  log(
    `load: ${LOAD.concurrency} keep-alive connections, ${LOAD.warmupMs / 1000} s warm-up + ${LOAD.durationMs / 1000} s measured per workload`,
  );

  log(
    `start-up: first answer after process start, orgsim and a bare node:http server side by side (${STARTUP_RUNS} turns), then profiled starts`,
  );
  try {
    report.startup = await startupComparison(STARTUP_RUNS, log, process.env.BENCH_NO_PROFILE !== "1");
  } catch (err) {
    log(`  start-up comparison failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  await benchCeiling(report);
  await benchOrgsim(report);
  await benchPostgres(report);
  await benchMoto(report);
  await profileOrgsim(report);

  report.loadAverageAfter = loadAverage();
  printTable(report);
  if (process.env.BENCH_NO_WRITE !== "1") {
    const file = writeReport(report);
    log(`wrote ${file}`);
  }
  log(`total ${((performance.now() - T0) / 1000).toFixed(0)} s`);
  return 0;
}

/** In the process that starts servers: kill them (by their own pids) however this process ends. */
function guardChildren(): void {
  process.on("exit", killAll);
  process.once("SIGINT", () => {
    killAll();
    process.exit(130);
  });
  process.once("SIGTERM", () => {
    killAll();
    process.exit(143);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    killAll();
    process.exitCode = 1;
  },
);
