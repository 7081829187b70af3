/**
 * `npm run bench`: every workload, side by side, in one run on this machine, against orgsim
 * (in-memory SQLite, its own process), a bare node:http server (the ceiling: every orgsim row is
 * also given as a share of its requests per second and per CPU-second) and moto's server.
 * Servers run pinned to core 0, this load generator to core 1. Prints a table and writes the
 * figures, the machine, the targets and whether each is met into docs/performance.md.
 *
 * Then orgsim over PostgreSQL (a fresh database, dropped at the end): each workload on one replica
 * pinned to core 0 (load generator on core 1), then on two replicas of the same database behind
 * the load generator's round-robin, pinned to cores 0 and 1 (the load generator then free to run
 * on either core); PostgreSQL's own processes are not pinned. Then CPU profiles of orgsim under
 * the main workloads (and of one PostgreSQL replica), summarized by layer (bench/profile.ts).
 *
 * A part of the bench: BENCH_ONLY=<comma list> runs only the rows it names, prints them and
 * writes nothing. Names (see PARTS below):
 *   servers   ceiling (the bare node:http server), orgsim (in-memory SQLite), pg1, pg2 (PostgreSQL,
 *             1 and 2 replicas), moto;
 *   workloads describe (DescribeOrganization by the management account), list (ListAccounts pages
 *             at 100 and 1,000 accounts), create (CreateAccount + DescribeCreateAccountStatus),
 *             scp (the member call through 3 OUs x 5 SCPs), cycle (invite -> accept -> leave),
 *             10k (10,000 CreateAccount, ListAccounts at 10,000, RSS);
 *   extras    startup (first answer after start, side by side), profile (CPU profiles of orgsim
 *             under the named workloads).
 * Rows run for every named server (all servers if none is named) and every named workload (all
 * if none is named); the ceiling runs with any other server, as the ratios need it; with only
 * extras named, no load rows run; profile runs on SQLite with orgsim, on PostgreSQL with pg1 (and
 * describe). One workload against the ceiling in about 20 s (the build included):
 *   BENCH_ONLY=orgsim,describe npm run bench
 *   BENCH_ONLY=orgsim,scp,profile BENCH_SECONDS=2 npm run bench
 *   BENCH_ONLY=pg1,pg2,describe npm run bench
 *
 * Environment: BENCH_SECONDS (measured seconds per workload, default 3), BENCH_WARMUP_SECONDS
 * (default 1), BENCH_CONNECTIONS (default 16), BENCH_PG_SECONDS (measured seconds per PostgreSQL
 * workload, default 2), BENCH_PG_WARMUP_SECONDS (default 2), BENCH_PG_URL (the server to create
 * databases on, default postgres://postgres@127.0.0.1:5432/postgres), BENCH_NO_PG=1, BENCH_NO_MOTO=1,
 * BENCH_NO_PROFILE=1, BENCH_NO_WRITE=1 (print only), BENCH_ONLY (above), BENCH_OUT=FILE (write the
 * page there instead of docs/performance.md, even for a part of the bench).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, release, tmpdir } from "node:os";
import path from "node:path";
import { closeEndpoint, invoke, balanced, keepAliveEndpoint, prepare, send } from "./http.js";
import { bounded, type LoadOptions } from "./load.js";
import {
  canPin,
  rerunPinnedToLoadCore,
  cpuSecondsOf,
  killAll,
  loadAverage,
  machineIdle,
  LOAD_CORE,
  memoryOf,
  motoAvailable,
  setAffinity,
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
  scpMember,
  PG_ONE,
  PG_TWO,
  SCP_WORKLOAD,
  type Measurement,
  type ServerName,
  type Target,
} from "./workloads.js";
import { freshDatabase, pgCpuSampler, probePostgres, type FreshDatabase } from "./postgres.js";
import { readProfileDir } from "./profile.js";
import { startupComparison, STARTUP_RUNS } from "./startup.js";
import {
  writeReport,
  printTable,
  type BenchReport,
  type FlatnessFigure,
  type ListingFigure,
  type Machine,
  type PgQuotaFigure,
  type WorkloadProfile,
} from "./report.js";
import { limitCpu, type CpuQuota } from "./cpu-quota.js";

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

/** The names BENCH_ONLY takes (the header comment says what each runs). */
const PARTS = {
  servers: ["ceiling", "orgsim", "pg1", "pg2", "moto"],
  workloads: ["describe", "list", "create", "scp", "cycle", "10k"],
  extras: ["startup", "profile"],
} as const;
type Part = (typeof PARTS)[keyof typeof PARTS][number];

/** What BENCH_ONLY selects; `all` when it is unset. */
interface Selection {
  all: boolean;
  names: Set<string>;
}

function selection(): Selection {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return { all: true, names: new Set() };
  const names = new Set(
    raw
      .split(",")
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean),
  );
  const known = new Set<string>([...PARTS.servers, ...PARTS.workloads, ...PARTS.extras]);
  const unknown = [...names].filter((n) => !known.has(n));
  if (unknown.length)
    throw new Error(
      `BENCH_ONLY: unknown ${unknown.join(", ")}; servers: ${PARTS.servers.join(", ")}; workloads: ${PARTS.workloads.join(", ")}; extras: ${PARTS.extras.join(", ")}`,
    );
  return { all: false, names };
}

const SELECTED = selection();
const namedAny = (list: readonly string[]): boolean => list.some((n) => SELECTED.names.has(n));
/** Whether the load rows run at all (BENCH_ONLY naming only extras runs none). */
const LOAD_ROWS = SELECTED.all || namedAny(PARTS.servers) || namedAny(PARTS.workloads);

/** Whether BENCH_ONLY names `part`, or names nothing of its kind (servers, workloads, extras): then every one of them. */
function named(part: Part): boolean {
  if (SELECTED.all) return true;
  const kind = (Object.keys(PARTS) as (keyof typeof PARTS)[]).find((k) => (PARTS[k] as readonly string[]).includes(part))!;
  return kind === "extras" ? SELECTED.names.has(part) : !namedAny(PARTS[kind]) || SELECTED.names.has(part);
}

/** Whether the load rows of `part` (a server or a workload) run, or the extra `part` does. */
const wants = (part: Part): boolean => ((PARTS.extras as readonly string[]).includes(part) ? named(part) : LOAD_ROWS && named(part));

/** The ceiling runs whenever load rows do: every ratio needs it (4 s). */
const wantsCeiling = (): boolean => LOAD_ROWS;

const LOAD: LoadOptions = {
  concurrency: Math.round(envNumber("BENCH_CONNECTIONS", 16)),
  warmupMs: envNumber("BENCH_WARMUP_SECONDS", 1) * 1000,
  durationMs: envNumber("BENCH_SECONDS", 3) * 1000,
};

/**
 * The PostgreSQL rows: shorter windows (8 of them, 2 configurations x 4 workloads) to keep the run
 * short; a warm-up of its own (2 s by default), as the second replica warms up on half the calls.
 */
const PG_LOAD: LoadOptions = {
  concurrency: LOAD.concurrency,
  warmupMs: envNumber("BENCH_PG_WARMUP_SECONDS", 2) * 1000,
  durationMs: envNumber("BENCH_PG_SECONDS", 2) * 1000,
};
/** The PostgreSQL rows' workloads, their units and BENCH_ONLY names (for the rows of a skipped configuration). */
const PG_WORKLOADS: [string, string, Part][] = [
  ["DescribeOrganization (management)", "req", "describe"],
  [listWorkload("1,000"), "page", "list"],
  ["CreateAccount + DescribeCreateAccountStatus", "pair", "create"],
  [`${SCP_WORKLOAD} (decision cached)`, "req", "scp"],
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

/** The size in bytes of the server's answer to the management account's DescribeOrganization (the ceiling's body is meant to match it). */
async function describeBytes(t: Target): Promise<number | undefined> {
  const res = await send(t.ep, prepare(t.mgmt, "DescribeOrganization", {}).bytes);
  return res.status === 200 ? Buffer.byteLength(res.body) : undefined;
}

async function benchOrgsim(report: BenchReport): Promise<void> {
  const small = wants("describe") || wants("list") || wants("create") || wants("scp") || wants("cycle");
  if (small) {
    log(`orgsim: server A (--leave-rate-per-second ${LEAVE_RATE})`);
    await withServer(
      () => startOrgsim(["--leave-rate-per-second", String(LEAVE_RATE)]),
      async (proc) => {
        const t = targetOf("orgsim", proc, MANAGEMENT);
        await createOrganization(t);
        const bytes = await describeBytes(t);
        if (bytes !== undefined) report.describeBytes = { ...report.describeBytes, orgsim: bytes };
        if (wants("describe")) report.measurements.push(done(await describeOrganization(t, LOAD)));
        // The organization holds the management account plus the created ones.
        let created = 0;
        if (wants("list")) {
          for (const [label, size] of SMALL_SIZES) {
            const add = await createAccounts(t, size - 1 - created, LOAD.concurrency);
            if (add.failed) throw new Error(`orgsim CreateAccount failed: ${add.firstError}`);
            created += add.done;
            const m = done(await listAccounts(t, label, size, LOAD));
            report.measurements.push(m);
            report.listings.push(await listingFigure(t, label, size, m, 5_000));
          }
        }
        if (wants("create")) report.measurements.push(done(await createAccountPairs(t, LOAD)));
        if (wants("scp")) {
          report.measurements.push(done(await memberCallThroughScps(t, LOAD, false)));
          report.measurements.push(done(await memberCallThroughScps(t, LOAD, true)));
        }
        if (wants("cycle")) {
          const cycle = await inviteAcceptLeave(t, LOAD);
          cycle.notes.push(
            `orgsim started with --leave-rate-per-second ${LEAVE_RATE}; its default (AWS's limit) is 5 LeaveOrganization calls per second per organization, which would cap this workload at 5 cycles/s`,
          );
          report.measurements.push(done(cycle));
        }
      },
    );
  }
  if (!wants("10k")) return;

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
      report.flatness = await sideBySidePages(proc, t, size);
    },
  );
}

/** Management account of the small organization the flatness rounds put beside the 10,000-account one. */
const SMALL_ORG_MANAGEMENT = "222222222222";
const FLATNESS_ROUNDS = 3;

/**
 * ListAccounts pages at 100 and at 10,000 accounts on one server, measured in turns: a second
 * organization of 100 accounts beside the big one (after the memory figures are taken), then
 * FLATNESS_ROUNDS rounds of one short window each. Rows measured minutes apart on different
 * servers drift with this machine's speed; turns on one server compare the page itself.
 */
async function sideBySidePages(proc: ServerProcess, big: Target, bigSize: number): Promise<FlatnessFigure> {
  const small = targetOf("orgsim", proc, SMALL_ORG_MANAGEMENT);
  await createOrganization(small);
  const add = await createAccounts(small, 99, LOAD.concurrency);
  if (add.failed) throw new Error(`orgsim CreateAccount failed: ${add.firstError}`);
  const window: LoadOptions = { ...LOAD, warmupMs: 500, durationMs: 1500 };
  const rounds: FlatnessFigure["rounds"] = [];
  for (let i = 0; i < FLATNESS_ROUNDS; i++) {
    const at100 = (await listAccounts(small, "100", 100, window)).result;
    const at10k = (await listAccounts(big, "10,000", bigSize, window)).result;
    if (at100 && at10k) rounds.push({ at100, at10k });
  }
  log(
    `  flatness: ${rounds.map((r) => `${(r.at100.perSecond / r.at10k.perSecond).toFixed(2)}x`).join(", ")} (pages/s @100 over @10,000, in turns)`,
  );
  return { rounds, window };
}

/** The CPU each replica may use in the quota rows: small enough that two of them leave more than a core to PostgreSQL and the load generator. */
const QUOTA_CORES = 0.3;
/** One and two replicas alternate this many times: this machine's speed drifts within seconds. */
const QUOTA_ROUNDS = 3;

/**
 * DescribeOrganization on one replica and then on two, each replica held to QUOTA_CORES of CPU
 * (cpu-quota.ts): on this 2-core machine the unconstrained rows share the cores among replicas,
 * PostgreSQL and the load generator, so a second replica has no core of its own; with the quota,
 * the replicas are what limits throughput and the rest has cores to spare, as on a machine with
 * more cores. Same replicas, same data, right after the unconstrained rows; the quota is removed
 * before the next rows.
 */
async function quotaRows(report: BenchReport, procs: ServerProcess[], targets: Target[]): Promise<PgQuotaFigure> {
  const limits: CpuQuota[] = [];
  try {
    for (const p of procs) {
      const limit = limitCpu(p.pid, QUOTA_CORES);
      if ("why" in limit) {
        log(`  quota rows skipped: ${limit.why}`);
        return { cores: QUOTA_CORES, rounds: [], skipped: limit.why };
      }
      limits.push(limit);
    }
    log(`  each replica held to ${QUOTA_CORES} core (CPU quota), one and two replicas in turns`);
    const window: LoadOptions = { ...PG_LOAD, warmupMs: 1000 };
    const rounds: PgQuotaFigure["rounds"] = [];
    for (let i = 0; i < QUOTA_ROUNDS; i++) {
      const one = await describeOrganization(targets[0]!, window);
      const free = report.machine.pinned && setAffinity(process.pid, `0-${report.machine.nproc - 1}`);
      let two: Measurement;
      try {
        two = await describeOrganization(targets[1]!, window);
      } finally {
        if (free) setAffinity(process.pid, String(LOAD_CORE));
      }
      log(
        `  round ${i + 1}: 1 replica ${one.result?.perSecond.toFixed(0) ?? "-"} req/s, 2 replicas ${two.result?.perSecond.toFixed(0) ?? "-"} req/s${(one.result?.errors ?? 0) + (two.result?.errors ?? 0) ? " (with errors)" : ""}`,
      );
      rounds.push({ one, two });
    }
    return { cores: QUOTA_CORES, rounds };
  } finally {
    for (const limit of limits) limit.release();
  }
}

/**
 * orgsim over PostgreSQL, on one fresh database (dropped at the end): replica A pinned to the
 * servers' core and, for the two-replica rows, replica B pinned to the other core, both started
 * together. Each workload is measured on A alone (the one-replica row: the load generator on its
 * own core, B idle) and then on A and B, each request to the one with fewer in flight (the two-replica row: the
 * load generator let run on either core meanwhile, as neither is free), one right after the
 * other on the same state, so the two rows see the same data and the same machine. Set up
 * (organization, 999 accounts, the SCP tree) once, through the replicas.
 */
async function benchPostgres(report: BenchReport): Promise<void> {
  const configs = (
    [
      [PG_ONE, "pg1"],
      [PG_TWO, "pg2"],
    ] as const
  ).filter(([, part]) => wants(part));
  if (configs.length === 0 || !PG_WORKLOADS.some(([, , part]) => wants(part))) return;
  const skipAll = (why: string): void => {
    for (const [server] of configs) {
      for (const [workload, unit, part] of PG_WORKLOADS)
        if (wants(part) && !report.measurements.some((m) => m.server === server && m.workload === workload))
          report.measurements.push({ server, workload, unit, skipped: why, notes: [] });
    }
  };
  if (process.env.BENCH_NO_PG === "1") {
    report.postgres = { available: false, why: "BENCH_NO_PG=1" };
    return skipAll("BENCH_NO_PG=1");
  }
  const probe = await probePostgres();
  if (!probe.ok) {
    report.postgres = { available: false, why: probe.why };
    log(`PostgreSQL rows skipped: ${probe.why}`);
    return skipAll(probe.why);
  }
  report.postgres = { available: true, ...probe.info, load: PG_LOAD };
  log(`PostgreSQL ${probe.info.version} (fsync ${probe.info.fsync}, synchronous_commit ${probe.info.synchronousCommit})`);

  const pinned = report.machine.pinned;
  const cores = wants("pg2") ? [SERVER_CORE, LOAD_CORE] : [SERVER_CORE];
  let db: FreshDatabase | undefined;
  const procs: ServerProcess[] = [];
  const targets: Target[] = [];
  try {
    db = await freshDatabase();
    const url = db.url;
    log(
      `PostgreSQL database ${db.name}: ${cores.length} replica${cores.length > 1 ? "s" : ""}${pinned ? ` on core ${cores.join(", ")}` : ""}`,
    );
    // Started together: migrations run under an advisory lock, one replica migrates while the others wait.
    const started = await Promise.allSettled(cores.map((core) => startOrgsim(["--database", url], [], core)));
    for (const s of started) if (s.status === "fulfilled") procs.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    log(`  ready in ${procs.map((p) => p.readyMs.toFixed(0)).join(", ")} ms`);
    const dbCpu = pgCpuSampler(db.name);
    report.postgresReadyMs ??= {};
    report.postgresLayout ??= {};
    for (const [server] of configs) {
      const n = server === PG_ONE ? 1 : 2;
      const mine = procs.slice(0, n);
      report.postgresReadyMs[server] = mine.map((p) => p.readyMs);
      report.postgresLayout[server] = {
        replicaCores: pinned ? cores.slice(0, n) : [],
        loadCores: pinned && n === 1 ? String(LOAD_CORE) : "any",
      };
      targets.push({
        server,
        ep:
          n === 1
            ? keepAliveEndpoint("127.0.0.1", mine[0]!.port)
            : balanced(
                "127.0.0.1",
                mine.map((p) => p.port),
              ),
        mgmt: MANAGEMENT,
        pids: mine.map((p) => p.pid),
        dbCpu,
      });
    }
    const setupTarget = targets[targets.length - 1]!;
    // Each row: the cause of any 500 answer from the replicas' logs; two replicas: the load generator on both cores.
    const measured = async (t: Target, run: () => Promise<Measurement>): Promise<Measurement> => {
      for (const p of procs) p.takeInternalErrors();
      const free = t.server === PG_TWO && pinned && setAffinity(process.pid, `0-${report.machine.nproc - 1}`);
      let m: Measurement;
      try {
        m = await run();
      } finally {
        if (free) setAffinity(process.pid, String(LOAD_CORE));
      }
      const merged = new Map<string, number>();
      for (const p of procs) for (const [message, count] of p.takeInternalErrors()) merged.set(message, (merged.get(message) ?? 0) + count);
      if (merged.size) {
        m.serverLog = [...merged].map(([message, count]) => ({ message, count }));
        m.notes.push(`server log (warm-up included): ${m.serverLog.map((e) => `${e.count} x ${e.message}`).join("; ")}`);
      }
      report.measurements.push(done(m));
      return m;
    };
    await createOrganization(setupTarget);
    // Both replicas warm (JIT, pools) before the first row: the first row measures replica A alone, which would otherwise warm up in it.
    const warm = prepare(MANAGEMENT, "DescribeOrganization", {});
    await bounded(2000, PG_LOAD.concurrency, async () => {
      await invoke(setupTarget.ep, warm);
    });
    if (wants("describe")) for (const t of targets) await measured(t, () => describeOrganization(t, PG_LOAD));
    if (wants("describe") && configs.length === 2 && procs.length === 2) report.pgQuota = await quotaRows(report, procs, targets);
    if (wants("list")) {
      const add = await createAccounts(setupTarget, 999, PG_LOAD.concurrency);
      if (add.failed) throw new Error(`CreateAccount on PostgreSQL failed: ${add.firstError}`);
      log(`  999 CreateAccount in ${(add.ms / 1000).toFixed(2)} s`);
      for (const t of targets) {
        const list = await measured(t, () => listAccounts(t, "1,000", 1000, PG_LOAD));
        report.listings.push(await listingFigure(t, "1,000", 1000, list, 5_000));
      }
    }
    if (wants("create"))
      for (const t of targets) {
        const pairs = await measured(t, () => createAccountPairs(t, PG_LOAD));
        pairs.notes.push(
          `writers from ${t.server === PG_ONE ? "the replica" : "both replicas"} queue on one PostgreSQL advisory lock, then run SERIALIZABLE`,
        );
      }
    if (wants("scp")) {
      const setup = await scpMember(setupTarget, false);
      for (const t of targets) await measured(t, () => memberCallThroughScps(t, PG_LOAD, false, setup));
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log(`  PostgreSQL rows failed: ${why}`);
    skipAll(`failed: ${why}`);
  } finally {
    for (const t of targets) closeEndpoint(t.ep);
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

async function benchCeiling(report: BenchReport): Promise<void> {
  if (!wantsCeiling()) return;
  log("node:http ceiling");
  await withServer(startCeiling, async (proc) => {
    const t = targetOf("node:http", proc, MANAGEMENT);
    const bytes = await describeBytes(t);
    if (bytes !== undefined) report.describeBytes = { ...report.describeBytes, ceiling: bytes };
    report.measurements.push(done(await describeOrganization(t, LOAD)));
  });
}

async function benchMoto(report: BenchReport): Promise<void> {
  if (!wants("moto") || !(["describe", "list", "create", "cycle", "10k"] as const).some((w) => wants(w))) return;
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
    if (wants("describe")) report.measurements.push(done(await describeOrganization(t, LOAD)));
    let created = 0;
    if (wants("list")) {
      for (const [label, size] of SMALL_SIZES) {
        const add = await createAccounts(t, size - 1 - created, LOAD.concurrency);
        if (add.failed) throw new Error(`moto CreateAccount failed: ${add.firstError}`);
        created += add.done;
        const m = done(await listAccounts(t, label, size, LOAD));
        report.measurements.push(m);
        report.listings.push(await listingFigure(t, label, size, m, 5_000));
      }
    }
    if (wants("create")) report.measurements.push(done(await createAccountPairs(t, LOAD)));
    if (wants("scp"))
      report.measurements.push({
        server: "moto",
        workload: SCP_WORKLOAD,
        unit: "req",
        skipped:
          "not comparable: moto evaluates no SCPs, and maps every access key it did not issue to 123456789012, so no call is a member's",
        notes: [],
      });
    if (wants("cycle")) report.measurements.push(done(await inviteAcceptLeave(t, LOAD)));
    if (!wants("10k")) return;

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

/** The workloads profiled, their BENCH_ONLY names, and how each is set up and run on a fresh orgsim. */
const PROFILED: { workload: string; part: Part; run: (t: Target, load: LoadOptions) => Promise<Measurement> }[] = [
  { workload: "DescribeOrganization (management)", part: "describe", run: (t, load) => describeOrganization(t, load) },
  {
    workload: PROFILED_LIST,
    part: "list",
    run: async (t, load) => {
      await createAccounts(t, 999, LOAD.concurrency);
      return listAccounts(t, "1,000", 1000, load);
    },
  },
  { workload: "CreateAccount + DescribeCreateAccountStatus", part: "create", run: (t, load) => createAccountPairs(t, load) },
  { workload: `${SCP_WORKLOAD} (decision cached)`, part: "scp", run: (t, load) => memberCallThroughScps(t, load, false) },
  { workload: `${SCP_WORKLOAD} (evaluated on every call)`, part: "scp", run: (t, load) => memberCallThroughScps(t, load, true) },
];

/**
 * A CPU profile of a fresh orgsim under each main workload (and of one replica over PostgreSQL
 * under DescribeOrganization), counting only the samples of the measured window (process.hrtime
 * is the profile's clock too): where a request's CPU goes, by layer.
 */
async function profileOrgsim(report: BenchReport): Promise<void> {
  if (process.env.BENCH_NO_PROFILE === "1" || !wants("profile")) return;
  const profiles: WorkloadProfile[] = [];
  const short: LoadOptions = { ...LOAD, warmupMs: 500, durationMs: Math.min(LOAD.durationMs, 3000) };
  for (const { workload, part, run } of PROFILED) {
    if (!named("orgsim") || !named(part)) continue;
    const dir = mkdtempSync(path.join(tmpdir(), "orgsim-prof-"));
    try {
      log(`profile: orgsim under ${workload}`);
      let window: [number, number] | undefined;
      await withServer(
        () => startOrgsim([], ["--cpu-prof", `--cpu-prof-dir=${dir}`]),
        async (proc) => {
          const t = targetOf("orgsim", proc, MANAGEMENT);
          await createOrganization(t);
          const m = await run(t, short);
          if (m.skipped) log(`  skipped: ${m.skipped}`);
          window = m.result?.windowUs;
        },
      );
      const summary = window ? readProfileDir(dir, 12, window) : undefined;
      if (summary && summary.busyMs > 200) profiles.push({ workload, summary });
      else log("  no profile was written (the server did not exit cleanly?)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // orgsim's side of a PostgreSQL call: one replica on a fresh database, under DescribeOrganization.
  if (named("pg1") && named("describe") && report.postgres?.available) {
    let db: FreshDatabase | undefined;
    const dir = mkdtempSync(path.join(tmpdir(), "orgsim-prof-"));
    try {
      db = await freshDatabase();
      const url = db.url;
      log(`profile: orgsim over PostgreSQL (${db.name}) under DescribeOrganization (management)`);
      let window: [number, number] | undefined;
      await withServer(
        () => startOrgsim(["--database", url], ["--cpu-prof", `--cpu-prof-dir=${dir}`]),
        async (proc) => {
          const t = targetOf(PG_ONE, proc, MANAGEMENT);
          await createOrganization(t);
          window = (await describeOrganization(t, { ...PG_LOAD, durationMs: short.durationMs })).result?.windowUs;
        },
      );
      const summary = window ? readProfileDir(dir, 12, window) : undefined;
      if (summary && summary.busyMs > 200) profiles.push({ workload: "DescribeOrganization (management)", server: PG_ONE, summary });
      else log("  no profile was written (the server did not exit cleanly?)");
    } catch (err) {
      log(`  failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db?.drop().catch(() => undefined);
    }
  }
  report.profiles = profiles;
}

async function main(): Promise<number> {
  // This load generator runs pinned to core 1 (servers get core 0).
  const pinned = rerunPinnedToLoadCore();
  if (pinned) return pinned;
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

  if (!SELECTED.all) log(`BENCH_ONLY=${process.env.BENCH_ONLY}: only those rows, printed, nothing written`);
  if (wants("startup")) {
    log(
      `start-up: first answer after process start, orgsim and a bare node:http server side by side (${STARTUP_RUNS} turns), then profiled starts`,
    );
    try {
      report.startup = await startupComparison(STARTUP_RUNS, log, process.env.BENCH_NO_PROFILE !== "1");
    } catch (err) {
      log(`  start-up comparison failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  await benchCeiling(report);
  await benchOrgsim(report);
  await benchPostgres(report);
  await benchMoto(report);
  await profileOrgsim(report);

  report.loadAverageAfter = loadAverage();
  printTable(report);
  const out = process.env.BENCH_OUT;
  if (out) log(`wrote ${writeReport(report, path.resolve(out))}`);
  else if (process.env.BENCH_NO_WRITE !== "1" && SELECTED.all) log(`wrote ${writeReport(report)}`);
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
