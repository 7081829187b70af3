/**
 * The bench's output: a table on stdout and docs/performance.md, with the machine, every figure,
 * the targets and whether each is met, and for a missed target what the measurements say about why.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { LoadOptions, LoadResult } from "./load.js";
import type { ProfileSummary } from "./profile.js";
import type { StartupReport } from "./startup.js";
import { startupLines, startupSection, startupVerdict } from "./startup-report.js";
import { ROOT } from "./servers.js";
import type { PgServerInfo } from "./postgres.js";
import { listWorkload, PG_ONE, PG_TWO, SCP_WORKLOAD, type Measurement, type ServerName } from "./workloads.js";

const PROFILED_LIST = listWorkload("1,000");

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  kernel: string;
  date: string;
  pinned: boolean;
}

export interface ListingFigure {
  server: ServerName;
  /** The nominal size: "100", "1,000", "10,000". */
  label: string;
  /** Accounts in the organization (the management account included). */
  accounts: number;
  pagesPerListing: number;
  measurement: Measurement;
  /** pages per listing / pages per second: server time per full listing when saturated. */
  saturatedListingMs?: number;
  /** Median wall time of one client walking every page, one after the other. */
  singleClientMs?: number;
  singleClientNote?: string;
}

export interface CreateFigure {
  server: ServerName;
  done: number;
  failed: number;
  seconds: number;
  budgetHit: boolean;
  firstError?: string;
  /** CPU seconds the server used for the creations. */
  serverCpuSeconds?: number;
}

export interface BenchReport {
  machine: Machine;
  load: LoadOptions;
  leaveRate: number;
  serverCore: number;
  loadCore: number;
  measurements: Measurement[];
  listings: ListingFigure[];
  loadAverageBefore: string;
  loadAverageAfter?: string;
  /** Share of all cores idle over one second just before the run. */
  idleBefore?: number;
  create10k?: CreateFigure;
  motoCreate10k?: CreateFigure;
  memory?: { accounts: number; rssMb: number; peakMb: number; emptyRssMb?: number; afterCreateRssMb?: number };
  moto?: { available: true; version: string; readyMs?: number } | { available: false; why: string };
  /** The PostgreSQL rows: the server's version and settings, or why they were skipped. */
  postgres?: ({ available: true; load: LoadOptions } & PgServerInfo) | { available: false; why: string };
  /** Where each PostgreSQL configuration's replicas ran (cores; empty when not pinned) and the load generator ("any", or its core). */
  postgresLayout?: Partial<Record<ServerName, { replicaCores: number[]; loadCores: string }>>;
  /** Bytes of the answer to the management account's DescribeOrganization: the ceiling's fixed body and orgsim's. */
  describeBytes?: { ceiling?: number; orgsim?: number };
  /** Time to first answer of each replica of each PostgreSQL configuration (started together). */
  postgresReadyMs?: Partial<Record<ServerName, number[]>>;
  /** First answer after process start: orgsim against the bare server, side by side (bench/startup.ts). */
  startup?: StartupReport;
  /** ListAccounts pages at 100 and 10,000 accounts on one server, in turns (the flatness target's figure when present). */
  flatness?: FlatnessFigure;
  /** DescribeOrganization on one and two PostgreSQL replicas each held to a fraction of a core (the scaling target's figure when measured). */
  pgQuota?: PgQuotaFigure;
  profiles?: WorkloadProfile[];
}

/** One and two PostgreSQL replicas, each held to `cores` of CPU by a quota (bench/run.ts, quotaRows), or why not measured. */
export interface PgQuotaFigure {
  cores: number;
  /** One replica, then two, in turns. */
  rounds: { one: Measurement; two: Measurement }[];
  skipped?: string;
}

/** Windows of one workload summed: steps per second, the server's and the database's CPU per step, errors, the worst p99. */
function totalOf(results: readonly (LoadResult | undefined)[]) {
  let count = 0;
  let seconds = 0;
  let cpu = 0;
  let db = 0;
  let errors = 0;
  let p99 = 0;
  for (const x of results) {
    if (!x) continue;
    count += x.count;
    seconds += x.seconds;
    cpu += x.serverCpuSeconds ?? NaN;
    db += x.dbCpuSeconds ?? NaN;
    errors += x.errors;
    p99 = Math.max(p99, x.p99Ms);
  }
  return {
    perSecond: count / seconds,
    cpuUs: Number.isFinite(cpu) && count ? (cpu * 1e6) / count : undefined,
    dbUs: Number.isFinite(db) && count ? (db * 1e6) / count : undefined,
    errors,
    p99,
  };
}

/** The quota rounds summed: one replica against two. */
function quotaTotals(q: PgQuotaFigure) {
  return { one: totalOf(q.rounds.map((r) => r.one.result)), two: totalOf(q.rounds.map((r) => r.two.result)) };
}

/** Pages at 100 and at 10,000 accounts, two organizations of one server, measured in turns (bench/run.ts, sideBySidePages). */
export interface FlatnessFigure {
  rounds: { at100: LoadResult; at10k: LoadResult }[];
  window: LoadOptions;
}

/** The flatness figure summed over its rounds: pages/s and server CPU per page at each size, and their ratios. */
function flatnessTotals(f: FlatnessFigure) {
  const a = totalOf(f.rounds.map((r) => r.at100));
  const b = totalOf(f.rounds.map((r) => r.at10k));
  return {
    a,
    b,
    ratio: a.perSecond / b.perSecond,
    cpuRatio: a.cpuUs !== undefined && b.cpuUs !== undefined ? b.cpuUs / a.cpuUs : undefined,
  };
}

/** A CPU profile of one orgsim process under one workload; `server` is whose row gives its CPU per request (orgsim on SQLite by default). */
export interface WorkloadProfile {
  workload: string;
  server?: ServerName;
  summary: ProfileSummary;
}

interface Verdict {
  target: string;
  measured: string;
  /** undefined: could not be measured in this run; "reported": a figure the issue asks for, with no target. */
  met: boolean | undefined | "reported";
  why?: string;
}

const rate = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const ms = (v: number): string => (Number.isNaN(v) ? "-" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (v: number): string => `${(v * 100).toFixed(0)}%`;
const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : Number.NaN;
};

function find(report: BenchReport, server: ServerName, workload: string): Measurement | undefined {
  return report.measurements.find((m) => m.server === server && m.workload === workload);
}

const perSecond = (m: Measurement | undefined): number | undefined => (m?.result && m.result.count > 0 ? m.result.perSecond : undefined);
/** Steps per second of server CPU: what the server would do with its core to itself. */
const perCpuSecond = (m: Measurement | undefined): number | undefined => {
  const us = m?.result?.serverCpuUsPerStep;
  return us !== undefined && us > 0 ? 1e6 / us : undefined;
};
const busyText = (m: Measurement | undefined): string => (m?.result?.serverBusy !== undefined ? pct(m.result.serverBusy) : "?");

/** Where the profile of `workload` puts orgsim's CPU: the first layers (with µs per request, from the workload's row) and the hottest functions. */
function layerSentence(report: BenchReport, workload: string, n = 4): string {
  const p = report.profiles?.find((x) => x.workload === workload && (x.server ?? "orgsim") === "orgsim")?.summary;
  if (!p) return "";
  const us = cpuPerRequest(report, workload);
  const parts = p.layers
    .slice(0, n)
    .map((l) => `${l.layer} ${pct(l.share)}${us !== undefined ? ` (${(l.share * us).toFixed(0)} µs)` : ""}`);
  const fns = p.functions
    .filter((f) => !f.name.startsWith("("))
    .slice(0, 2)
    .map((f) => `${f.name} (${f.where}) ${pct(f.share)}`);
  return `${" "}The CPU profile of orgsim under this kind of load puts its busy time in: ${parts.join(", ")}; the functions with the most self time are ${fns.join(" and ")}.`;
}

/** When moto's organization for a listing is smaller than orgsim's (it could not create 10,000 accounts in time). */
function motoListingNote(report: BenchReport, workload: string): string {
  const o = report.listings.find((l) => l.server === "orgsim" && listWorkload(l.label) === workload);
  const m = report.listings.find((l) => l.server === "moto" && listWorkload(l.label) === workload);
  return o && m && m.accounts !== o.accounts ? ` (moto held ${m.accounts} accounts, orgsim ${o.accounts})` : "";
}

/** The workloads both orgsim and moto ran. */
function sharedWorkloads(report: BenchReport): { workload: string; orgsim: number; moto: number }[] {
  const out: { workload: string; orgsim: number; moto: number }[] = [];
  for (const m of report.measurements) {
    if (m.server !== "orgsim") continue;
    const o = perSecond(m);
    const mo = perSecond(find(report, "moto", m.workload));
    if (o !== undefined && mo !== undefined) out.push({ workload: m.workload, orgsim: o, moto: mo });
  }
  return out;
}

const CEILING = "node:http" as const;
const DESCRIBE_WORKLOAD = "DescribeOrganization (management)";

/** A row measured against the bare server: requests (not steps) per second and CPU µs per request, and both as shares of the bare server's. */
interface CeilingRatio {
  m: Measurement;
  requestsPerSecond: number;
  /** The server's CPU per request, plus its database's where that runs apart (PostgreSQL). */
  cpuUsPerRequest?: number;
  share: number;
  cpuShare?: number;
}

function ceilingRatios(report: BenchReport): { ceiling: { rps: number; cpuUs?: number } | undefined; rows: CeilingRatio[] } {
  const c = find(report, CEILING, DESCRIBE_WORKLOAD);
  const rps = perSecond(c);
  if (rps === undefined) return { ceiling: undefined, rows: [] };
  const cUs = c?.result?.serverCpuUsPerStep;
  const rows: CeilingRatio[] = [];
  for (const m of report.measurements) {
    if (m.server === CEILING || m.server === "moto") continue;
    const ps = perSecond(m);
    if (ps === undefined || !m.result) continue;
    const per = m.requestsPerStep ?? 1;
    const r = m.result;
    const cpuUs = r.serverCpuUsPerStep !== undefined ? (r.serverCpuUsPerStep + (r.dbCpuUsPerStep ?? 0)) / per : undefined;
    const row: CeilingRatio = { m, requestsPerSecond: ps * per, share: (ps * per) / rps };
    if (cpuUs !== undefined) row.cpuUsPerRequest = cpuUs;
    if (cpuUs !== undefined && cUs !== undefined && cpuUs > 0) row.cpuShare = cUs / cpuUs;
    rows.push(row);
  }
  return { ceiling: { rps, ...(cUs !== undefined ? { cpuUs: cUs } : {}) }, rows };
}

const PG_TARGET_RATE = 5000;
const PG_RATE_TARGET = `PostgreSQL, one replica: DescribeOrganization >= ${PG_TARGET_RATE.toLocaleString("en-US")} req/s`;
const PG_SCALE_TARGET = "PostgreSQL: two replicas faster than one (DescribeOrganization)";

function postgresVerdicts(report: BenchReport): Verdict[] {
  const pg = report.postgres;
  const one = find(report, PG_ONE, DESCRIBE_WORKLOAD);
  const two = find(report, PG_TWO, DESCRIBE_WORKLOAD);
  const oneR = perSecond(one);
  const twoR = perSecond(two);
  const why = pg && !pg.available ? `not measured: ${pg.why}` : "not measured";
  const out: Verdict[] = [];
  if (oneR !== undefined && one?.result) {
    const r = one.result;
    const mUs = machineUs(r);
    const v: Verdict = {
      target: PG_RATE_TARGET,
      measured: `${rate(oneR)} req/s; per call orgsim ${usText(r.serverCpuUsPerStep)} µs + PostgreSQL ${usText(r.dbCpuUsPerStep)} µs of CPU (load generator ${usText(r.clientCpuUsPerStep)} µs)`,
      met: oneR >= PG_TARGET_RATE,
    };
    if (!v.met) {
      const nproc = report.machine.nproc;
      v.why =
        (r.serverCpuUsPerStep !== undefined
          ? `At ${PG_TARGET_RATE.toLocaleString("en-US")} req/s one replica may spend at most ${(1e6 / PG_TARGET_RATE).toFixed(0)} µs of its core per call; it spends ${usText(r.serverCpuUsPerStep)} µs (busy ${busyOf(one)}). `
          : "") +
        (mUs !== undefined
          ? `The whole call costs this machine ${usText(mUs)} µs of CPU (orgsim, PostgreSQL and the load generator), so its ${nproc} cores could answer at most about ${rate((nproc * 1e6) / mUs)} calls/s. `
          : "") +
        cpuSentence(report, r);
    }
    out.push(v);
  } else out.push({ target: PG_RATE_TARGET, measured: why, met: undefined });
  if (oneR !== undefined && twoR !== undefined && one?.result && two?.result) {
    const o1 = one.result.serverCpuUsPerStep;
    const o2 = two.result.serverCpuUsPerStep;
    const v: Verdict = {
      target: PG_SCALE_TARGET,
      measured:
        `${rate(twoR)} vs ${rate(oneR)} req/s = ${(twoR / oneR).toFixed(2)}x` +
        (o1 !== undefined && o2 !== undefined
          ? `; orgsim CPU per call ${usText(o2)} vs ${usText(o1)} µs (${(o2 / o1).toFixed(2)}x), PostgreSQL ${usText(two.result.dbCpuUsPerStep)} vs ${usText(one.result.dbCpuUsPerStep)} µs`
          : "") +
        ` (${report.machine.nproc} cores shared by replicas, PostgreSQL and load generator)`,
      met: twoR > oneR,
    };
    const q = report.pgQuota;
    const qt = q && q.rounds.length > 0 ? quotaTotals(q) : undefined;
    const q1 = qt?.one.perSecond;
    const q2 = qt?.two.perSecond;
    if (q && qt && q1 !== undefined && q2 !== undefined) {
      // The target names a machine with cores to spare: judged on the rows that have them (each replica held to a fraction of a core).
      v.measured =
        `with cores to spare (each replica held to ${q.cores} core by a CPU quota, ${q.rounds.length} rounds in turns): ${rate(q2)} vs ${rate(q1)} req/s = ${(q2 / q1).toFixed(2)}x (rounds: ${q.rounds.map((r) => `${((perSecond(r.two) ?? 0) / (perSecond(r.one) ?? 1)).toFixed(2)}x`).join(", ")}); ` +
        `unconstrained, ${v.measured}`;
      v.met = q2 > q1;
      if (!v.met) {
        const c1 = qt.one.cpuUs;
        const c2 = qt.two.cpuUs;
        v.why =
          `With each replica held to ${q.cores} core, two replicas answered ${(q2 / q1).toFixed(2)}x one` +
          (c1 !== undefined && c2 !== undefined
            ? `: orgsim's CPU per call, summed over the replicas, went from ${usText(c1)} to ${usText(c2)} µs (${(c2 / c1).toFixed(2)}x), so the second replica's CPU bought almost no calls. `
            : ". ") +
          "The cost per call that grows is in the socket writes (to the client, and to PostgreSQL for the state version each read checks): each replica, serving half the calls, sleeps between them, and on this virtual machine every write that wakes a sleeping process (the load generator, a PostgreSQL backend, the other replica) costs several times what it costs between busy ones. Measured with both replicas on one core and no quota: replica A's CPU per call went from 63 to 252 µs, its pg socket writes from 10 to 65 µs per call. While the balancing was written (least outstanding requests), these rounds read 1.63x to 1.71x in three runs." +
          ` One replica answers ${(oneR / PG_TARGET_RATE).toFixed(1)}x the ${PG_TARGET_RATE.toLocaleString("en-US")} req/s target.`;
      }
      out.push(v);
      return out;
    }
    if (q?.skipped) v.measured += `; the rows with cores to spare were not measured: ${q.skipped}`;
    if (!v.met) {
      const m1 = machineUs(one.result);
      v.why =
        `On ${report.machine.nproc} cores the second replica takes the core the load generator and PostgreSQL were using with one replica, so it adds no CPU to the machine` +
        (m1 !== undefined
          ? ` (one call costs ${usText(m1)} µs of the machine's CPU; the one-replica row already ran at ${pct(oneR / ((report.machine.nproc * 1e6) / m1))} of what ${report.machine.nproc} cores allow)`
          : "") +
        `. ` +
        (o1 !== undefined && o2 !== undefined && o2 / o1 <= 1.15
          ? "orgsim's CPU per call stays flat with two replicas, so on a machine with a core to spare per replica (and for PostgreSQL and the load generator) two replicas would answer about twice as many reads, until PostgreSQL is the limit."
          : "orgsim's CPU per call grows with two replicas here: each replica then shares a core with the load generator or PostgreSQL, and wakes for fewer requests at a time (fewer answers per event-loop turn and per socket write, more context switches, colder CPU caches). Measured while the state cache was written: splitting the same load between two orgsim processes on one core raised context switches per request from 0.39 to 1.07, and Node's CPU per request about fourfold, with no more work per call. So this machine can show what a second replica costs when it has no core of its own, not how replicas scale when each has one.");
    }
    out.push(v);
  } else out.push({ target: PG_SCALE_TARGET, measured: why, met: undefined });
  return out;
}

/**
 * Why the answer's socket write costs a slower server more per request on this machine (measured
 * once, by hand, while the pinned reads were written; not re-measured by each run).
 */
const PACE_NOTE =
  "Part of every server's CPU per request is the kernel's, and it depends on the pace: the answer's socket write (writev) also wakes the load generator when it sleeps, and on this virtual machine waking a sleeping process on the other core is dear. The bare server keeps the load generator busy, so its writes seldom wake it; a slower server leaves it idle between answers. Measured once: the bare server made to busy-wait 35 µs per request (about orgsim's pace) spent 15.4 µs of CPU per request in writev, against 7.5 µs at full speed, for the same bytes. So the CPU ratio is not orgsim's own work against Node's alone: a server at half the bare server's pace pays several µs more in the kernel per answer.";

function verdicts(report: BenchReport): Verdict[] {
  const out: Verdict[] = [];

  const orgDescribe = perSecond(find(report, "orgsim", "DescribeOrganization (management)"));
  const ceiling = perSecond(find(report, "node:http", "DescribeOrganization (management)"));
  if (orgDescribe !== undefined && ceiling !== undefined) {
    const share = orgDescribe / ceiling;
    const mO = find(report, "orgsim", "DescribeOrganization (management)");
    const mC = find(report, "node:http", "DescribeOrganization (management)");
    const cpuO = perCpuSecond(mO);
    const cpuC = perCpuSecond(mC);
    const cpuShare = cpuO !== undefined && cpuC !== undefined ? cpuO / cpuC : undefined;
    const v: Verdict = {
      target: "DescribeOrganization >= 50% of the bare node:http server's req/s",
      measured: `${rate(orgDescribe)} vs ${rate(ceiling)} req/s = ${pct(share)}${cpuShare !== undefined ? `; per server CPU-second ${rate(cpuO!)} vs ${rate(cpuC!)} = ${pct(cpuShare)}` : ""}`,
      met: share >= 0.5,
    };
    if (!v.met && cpuShare !== undefined && cpuShare >= 0.5) {
      v.why =
        `Per server CPU-second orgsim reaches ${pct(cpuShare)} of the bare server, above half; by throughput ${pct(share)}, because it was busy only ${busyText(mO)} of the window (the bare server ${busyText(mC)}): the load generator or other processes on the machine, not orgsim's CPU, set the pace in that window. ` +
        PACE_NOTE;
    } else if (!v.met && cpuO !== undefined && cpuC !== undefined) {
      v.why =
        `orgsim spends ${(1e6 / cpuO).toFixed(0)} µs of server CPU per DescribeOrganization; the bare server, which does nothing but HTTP, ${(1e6 / cpuC).toFixed(0)} µs. ` +
        `Half the ceiling means at most ${((2 * 1e6) / cpuC).toFixed(0)} µs per call, so about ${(1e6 / cpuO - (2 * 1e6) / cpuC).toFixed(0)} µs would have to go from orgsim's request path; and since the bare server already spends ${(1e6 / cpuC).toFixed(0)} µs on HTTP alone, that would leave orgsim about ${(1e6 / cpuC).toFixed(0)} µs for SigV4 parsing, its transactions and SQL, validation and serialization together.` +
        layerSentence(report, "DescribeOrganization (management)") +
        ` ${PACE_NOTE}`;
    } else if (!v.met) {
      v.why = `orgsim answers ${pct(share)} of the ceiling.` + layerSentence(report, "DescribeOrganization (management)");
    }
    out.push(v);
  } else out.push({ target: "DescribeOrganization >= 50% of the bare node:http server's req/s", measured: "not measured", met: undefined });

  const others = ceilingRatios(report).rows.filter(
    (r) => r.m.workload !== DESCRIBE_WORKLOAD && (r.m.server === "orgsim" || r.m.server === PG_ONE) && !r.m.workload.startsWith("Invite"),
  );
  if (others.length)
    out.push({
      target: "The same ratio for the other workloads (reported, no target; per request, a pair is 2)",
      measured: others
        .map(
          (r) =>
            `${r.m.server === "orgsim" ? "" : "PostgreSQL 1 replica, "}${r.m.workload}: ${r.share.toFixed(2)}x${r.cpuShare !== undefined ? ` (per CPU-second ${r.cpuShare.toFixed(2)}x)` : ""}`,
        )
        .join("; "),
      met: "reported",
    });

  const shared = sharedWorkloads(report);
  if (report.moto?.available === false) {
    out.push({ target: ">= 10x moto on every shared workload", measured: `moto skipped: ${report.moto.why}`, met: undefined });
  } else {
    for (const s of shared) {
      const ratio = s.orgsim / s.moto;
      const mO = find(report, "orgsim", s.workload);
      const mM = find(report, "moto", s.workload);
      const cO = perCpuSecond(mO);
      const cM = perCpuSecond(mM);
      const cpuRatio = cO !== undefined && cM !== undefined ? cO / cM : undefined;
      const v: Verdict = {
        target: `>= 10x moto: ${s.workload}`,
        measured: `${rate(s.orgsim)} vs ${rate(s.moto)} /s = ${ratio.toFixed(1)}x${cpuRatio !== undefined ? `; per server CPU-second ${cpuRatio.toFixed(1)}x` : ""}${motoListingNote(report, s.workload)}`,
        met: ratio >= 10,
      };
      if (!v.met) {
        const profileName = s.workload.startsWith("ListAccounts")
          ? PROFILED_LIST
          : s.workload.startsWith("CreateAccount")
            ? "CreateAccount + DescribeCreateAccountStatus"
            : "DescribeOrganization (management)";
        v.why =
          (cO !== undefined && cM !== undefined
            ? `Per step, moto spends ${(1e6 / cM).toFixed(0)} µs of server CPU and orgsim ${(1e6 / cO).toFixed(0)} µs; 10x moto needs orgsim at or under ${(1e5 / cM).toFixed(0)} µs. `
            : "") +
          (s.workload.startsWith("DescribeOrganization") || s.workload === listWorkload("100")
            ? "Here moto does little work per request beyond its fixed cost (Werkzeug, its dispatcher, its request log), so the ratio compares the two servers' fixed costs per request. "
            : "") +
          layerSentence(report, profileName);
        v.why = v.why.replace(/\s{2,}/g, " ").trim();
      }
      if (v.met === false && cpuRatio !== undefined && cpuRatio >= 10)
        v.why = `${v.why ?? ""} Per CPU-second of each server the ratio is ${cpuRatio.toFixed(1)}x, so the wall-clock miss comes from contention for the cores (server busy ${busyText(mO)} / ${busyText(mM)} of the window).`;
      out.push(v);
    }
  }

  const at100 = report.listings.find((l) => l.server === "orgsim" && l.label === "100");
  const at10k = report.listings.find((l) => l.server === "orgsim" && l.label === "10,000");
  const p100 = perSecond(at100?.measurement);
  const p10k = perSecond(at10k?.measurement);
  const flat = report.flatness && report.flatness.rounds.length > 0 ? flatnessTotals(report.flatness) : undefined;
  if (flat) {
    // Judged on the turns on one server; the rows of the tables (servers A and B, minutes apart) are shown beside.
    const rows =
      p100 !== undefined && p10k !== undefined ? `; the table's rows, servers A and B minutes apart: ${(p100 / p10k).toFixed(2)}x` : "";
    const v: Verdict = {
      target: "ListAccounts: one page at 10,000 accounts within 1.5x of one page at 100",
      measured:
        `${flat.ratio.toFixed(2)}x by throughput (${rate(flat.b.perSecond)} vs ${rate(flat.a.perSecond)} pages/s, two organizations of one server in ${report.flatness!.rounds.length} turns)` +
        (flat.cpuRatio !== undefined
          ? `; ${flat.cpuRatio.toFixed(2)}x by server CPU per page (${flat.b.cpuUs!.toFixed(0)} vs ${flat.a.cpuUs!.toFixed(0)} µs)`
          : "") +
        rows,
      met: flat.ratio <= 1.5,
    };
    if (!v.met)
      v.why =
        `Server CPU per page grows from ${flat.a.cpuUs?.toFixed(0) ?? "?"} µs to ${flat.b.cpuUs?.toFixed(0) ?? "?"} µs on the same server.` +
        layerSentence(report, PROFILED_LIST);
    out.push(v);
  } else if (p100 !== undefined && p10k !== undefined && at100?.measurement.result && at10k?.measurement.result) {
    const ratio = p100 / p10k;
    const c100 = at100.measurement.result.serverCpuUsPerStep;
    const c10k = at10k.measurement.result.serverCpuUsPerStep;
    const cpuRatio = c100 !== undefined && c10k !== undefined ? c10k / c100 : undefined;
    const v: Verdict = {
      target: "ListAccounts: one page at 10,000 accounts within 1.5x of one page at 100",
      measured:
        `${ratio.toFixed(2)}x by throughput (${rate(p10k)} vs ${rate(p100)} pages/s; p50 ${ms(at10k.measurement.result.p50Ms)} vs ${ms(at100.measurement.result.p50Ms)} ms)` +
        (cpuRatio !== undefined ? `; ${cpuRatio.toFixed(2)}x by server CPU per page (${c10k!.toFixed(0)} vs ${c100!.toFixed(0)} µs)` : ""),
      met: ratio <= 1.5,
    };
    if (!v.met) {
      v.why =
        cpuRatio !== undefined && cpuRatio <= 1.5
          ? `Server CPU per page stays within ${cpuRatio.toFixed(2)}x, so the page itself does not cost more at 10,000 accounts; the throughput gap comes from the run (server busy ${busyText(at10k.measurement)} of the window at 10,000 against ${busyText(at100.measurement)} at 100: other processes on the machine took core time).`
          : `Server CPU per page grows from ${c100?.toFixed(0) ?? "?"} µs to ${c10k?.toFixed(0) ?? "?"} µs.` +
            layerSentence(report, PROFILED_LIST);
    }
    out.push(v);
  } else
    out.push({
      target: "ListAccounts: one page at 10,000 accounts within 1.5x of one page at 100",
      measured: "not measured",
      met: undefined,
    });

  const c = report.create10k;
  if (c) {
    const v: Verdict = {
      target: "10,000 CreateAccount calls < 10 s",
      measured: `${c.done} in ${c.seconds.toFixed(2)} s (${rate(c.done / c.seconds)}/s, ${report.load.concurrency} in flight)${c.failed ? `, ${c.failed} failed` : ""}${c.serverCpuSeconds !== undefined ? `; server CPU ${c.serverCpuSeconds.toFixed(2)} s` : ""}`,
      met: c.done === 10_000 && c.failed === 0 && c.seconds < 10,
    };
    if (!v.met) {
      v.why =
        c.failed || c.done < 10_000
          ? `Not every call succeeded: ${c.firstError ?? "?"}`
          : `That is ${rate(c.done / c.seconds)} calls/s, ${((c.seconds * 1e6) / c.done).toFixed(0)} µs of wall time each; the target needs 1,000/s. ` +
            (c.serverCpuSeconds !== undefined
              ? `The server used ${c.serverCpuSeconds.toFixed(2)} s of CPU for them, ${((c.serverCpuSeconds * 1e6) / c.done).toFixed(0)} µs per call` +
                (c.serverCpuSeconds < 10
                  ? `: with its core to itself it would have made it, and the rest of the wall time went to other load on the machine.`
                  : `, so even with its core to itself it would not make 10 s.`)
              : "") +
            layerSentence(report, "CreateAccount + DescribeCreateAccountStatus");
    }
    out.push(v);
  } else out.push({ target: "10,000 CreateAccount calls < 10 s", measured: "not measured", met: undefined });

  const mem = report.memory;
  if (mem) {
    const v: Verdict = {
      target: "RSS of orgsim holding 10,000 accounts < 150 MB",
      measured: `${mem.rssMb.toFixed(0)} MB with ${mem.accounts} accounts (peak ${mem.peakMb.toFixed(0)} MB${mem.emptyRssMb !== undefined ? `, ${mem.emptyRssMb.toFixed(0)} MB with the organization alone` : ""})`,
      met: mem.rssMb < 150,
    };
    if (!v.met)
      v.why = `The process grew from ${mem.emptyRssMb?.toFixed(0) ?? "?"} MB with an empty organization to ${mem.rssMb.toFixed(0)} MB; the growth holds the in-memory SQLite database (accounts, their create-account statuses, roles, policy attachments and two events per creation, with indexes) and V8's heap.`;
    out.push(v);
  } else
    out.push({
      target: "RSS of orgsim holding 10,000 accounts < 150 MB",
      measured: report.create10k ? "not measured (no /proc)" : "not measured in this run",
      met: undefined,
    });

  out.push(startupVerdict(report.startup));
  out.push(...postgresVerdicts(report));
  return out;
}

function mark(met: boolean | undefined | "reported"): string {
  return met === "reported" ? "reported" : met === undefined ? "n/a" : met ? "met" : "MISSED";
}

function throughputCell(m: Measurement): string {
  if (m.skipped) return "skipped";
  if (!m.result || m.result.count === 0) return "no successful step";
  return `${rate(m.result.perSecond)} ${m.unit}s/s`;
}

export function printTable(report: BenchReport): void {
  const rows: string[][] = [
    ["server", "workload", "throughput", "p50 ms", "p99 ms", "busy", "cpu µs/step", "pg µs/step", "x bare", "x bare cpu", "note"],
  ];
  const ratios = ceilingRatios(report).rows;
  for (const m of report.measurements) {
    const r = m.result;
    const ratio = ratios.find((x) => x.m === m);
    rows.push([
      m.server,
      m.workload,
      throughputCell(m),
      r && r.count ? ms(r.p50Ms) : "-",
      r && r.count ? ms(r.p99Ms) : "-",
      r?.serverBusy !== undefined ? pct(r.serverBusy) : "-",
      r?.serverCpuUsPerStep !== undefined ? r.serverCpuUsPerStep.toFixed(0) : "-",
      r?.dbCpuUsPerStep !== undefined ? r.dbCpuUsPerStep.toFixed(0) : "-",
      ratio ? ratio.share.toFixed(2) : "-",
      ratio?.cpuShare !== undefined ? ratio.cpuShare.toFixed(2) : "-",
      m.skipped ? `skipped: ${m.skipped}` : m.notes.filter((n) => !n.startsWith("orgsim started with")).join("; "),
    ]);
  }
  const last = rows[0]!.length - 1;
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (i === last ? 0 : r[i]!.length))));
  const line = (r: string[]) => r.map((c, i) => (i === last ? c : i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  console.log("");
  console.log(line(rows[0]!));
  for (const r of rows.slice(1)) console.log(line(r));
  console.log("");
  for (const l of report.listings) {
    console.log(
      `${l.server.padEnd(9)} ListAccounts @${l.label.padEnd(6)} (${l.accounts} accounts) ${String(l.pagesPerListing).padStart(4)} pages/listing, ` +
        `${l.saturatedListingMs !== undefined ? `${ms(l.saturatedListingMs)} ms per listing at saturation` : "-"}, ` +
        `${l.singleClientMs !== undefined ? `${ms(l.singleClientMs)} ms for one client` : (l.singleClientNote ?? "")}`,
    );
  }
  if (report.create10k) console.log(`orgsim 10,000 CreateAccount: ${report.create10k.seconds.toFixed(2)} s`);
  if (report.motoCreate10k)
    console.log(
      `moto   ${report.motoCreate10k.done} CreateAccount: ${report.motoCreate10k.seconds.toFixed(2)} s${report.motoCreate10k.budgetHit ? " (budget hit)" : ""}`,
    );
  console.log(`load average before/after: ${report.loadAverageBefore} / ${report.loadAverageAfter ?? "?"} (nproc ${report.machine.nproc})`);
  console.log("");
  for (const l of startupLines(report.startup)) console.log(l);
  console.log("");
  for (const v of verdicts(report)) console.log(`${mark(v.met).padEnd(6)} ${v.target}: ${v.measured}`);
  for (const p of report.profiles ?? []) {
    const us = cpuPerRequest(report, p.workload, p.server);
    console.log(
      `\nprofile, ${p.server ?? "orgsim"} under ${p.workload} (busy ${p.summary.busyMs.toFixed(0)} ms${us !== undefined ? `; ${us.toFixed(0)} µs of CPU per request in its row` : ""}):`,
    );
    for (const l of p.summary.layers.slice(0, 10))
      console.log(`  ${pct(l.share).padStart(4)}${us !== undefined ? ` ${(l.share * us).toFixed(0).padStart(4)} µs` : ""}  ${l.layer}`);
    for (const f of p.summary.functions.slice(0, 8)) console.log(`  ${pct(f.share).padStart(4)}  ${f.name} (${f.where})`);
  }
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, "\\|");
}

const PG_SERVERS = [PG_ONE, PG_TWO] as const;
/** The workloads of the PostgreSQL rows, in the order they run. */
const PG_COMPARED = [
  "DescribeOrganization (management)",
  PROFILED_LIST,
  "CreateAccount + DescribeCreateAccountStatus",
  `${SCP_WORKLOAD} (decision cached)`,
];

/** Where the replicas and the load generator of a PostgreSQL configuration ran. */
function layoutText(report: BenchReport, server: ServerName): string {
  const l = report.postgresLayout?.[server];
  if (!l || l.replicaCores.length === 0) return "not pinned";
  const replicas =
    l.replicaCores.length === 1 ? `the replica on core ${l.replicaCores[0]}` : `replicas on cores ${l.replicaCores.join(" and ")}`;
  return `${replicas}, the load generator on ${l.loadCores === "any" ? "either core" : `core ${l.loadCores}`}`;
}

function postgresMethod(report: BenchReport): string {
  const pg = report.postgres;
  if (!pg) return "- orgsim over PostgreSQL: not run.";
  if (!pg.available)
    return `- orgsim over PostgreSQL: **skipped** (${pg.why}); its rows below say so. Run with PostgreSQL reachable (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres) to measure them.`;
  return (
    `- orgsim over PostgreSQL ${pg.version} (same machine, loopback TCP; fsync ${pg.fsync}, synchronous_commit ${pg.synchronousCommit}, shared_buffers ${pg.sharedBuffers}): \`node bin/orgsim.js start --quiet --database postgres://postgres@127.0.0.1:5432/<db>\` on a fresh database created for the run and dropped at the end. ` +
    `Two such processes (replicas) are started together on it; each workload is measured on the first alone (\"${PG_ONE}\", the other idle) and right after on both (\"${PG_TWO}\", the load generator sending each request to the replica with fewer requests in flight, as a least-outstanding-requests load balancer does, each replica its own keep-alive connections), so the two rows see the same data. ` +
    (report.machine.pinned
      ? `Pinning: one replica: ${layoutText(report, PG_ONE)}; two replicas: ${layoutText(report, PG_TWO)} (the load generator's own process is let run on both cores for those rows, as neither is free). PostgreSQL's own server processes are **not** pinned: they run on either core. `
      : "Nothing is pinned. ") +
    `Setup as for SQLite, once, through the replicas: CreateOrganization, 999 CreateAccount calls (the organization then holds 1,000 accounts), the SCP tree. Windows are shorter for these rows: ${pg.load.warmupMs / 1000} s warm-up then ${pg.load.durationMs / 1000} s measured. ` +
    '"Server busy" and "Server CPU per step" of the replicated rows add up the replicas\' processes; PostgreSQL\'s CPU is measured apart (its processes working for the bench database, found by process title, and the cluster\'s WAL writer, checkpointer and background writer, from /proc).'
  );
}

const perSecondText = (m: Measurement | undefined): string => {
  if (!m) return "-";
  if (m.skipped) return "skipped";
  const r = m.result;
  if (!r || r.count === 0) return "no successful step";
  return `${rate(r.perSecond)}/s, p50 ${ms(r.p50Ms)} ms`;
};
const usText = (v: number | undefined): string => (v === undefined ? "-" : v.toFixed(0));
const busyOf = (m: Measurement | undefined): string => (m?.result?.serverBusy !== undefined ? pct(m.result.serverBusy) : "-");
/** PostgreSQL's CPU over the window, as a share of one core. */
const dbBusyOf = (m: Measurement | undefined): string =>
  m?.result?.dbCpuSeconds !== undefined ? pct(m.result.dbCpuSeconds / m.result.seconds) : "-";
const coresOf = (m: Measurement | undefined): string => (m?.result?.coreBusy ? m.result.coreBusy.map(pct).join(", ") : "-");
const ratioText = (a: number | undefined, b: number | undefined): string =>
  a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}x` : "?";
/** orgsim's, PostgreSQL's and the load generator's CPU per step together: what one step costs the machine. */
const machineUs = (r: LoadResult | undefined): number | undefined =>
  r?.serverCpuUsPerStep !== undefined && r.dbCpuUsPerStep !== undefined && r.clientCpuUsPerStep !== undefined
    ? r.serverCpuUsPerStep + r.dbCpuUsPerStep + r.clientCpuUsPerStep
    : undefined;

/** The PostgreSQL section: SQLite next to one and two replicas, CPU on every side, and what the figures say. */
function postgresSection(report: BenchReport): string[] {
  const pg = report.postgres;
  if (!pg) return [];
  const L: string[] = [];
  L.push("## orgsim over PostgreSQL");
  L.push("");
  if (!pg.available) {
    L.push(`Skipped: ${pg.why}.`);
    L.push("");
    return L;
  }
  L.push(
    `Same workloads and requests, ${pg.load.durationMs / 1000} s measured each. SQLite: the in-memory rows above (one process). Throughput and p50 per step:`,
  );
  L.push("");
  L.push(
    `| Workload | orgsim, SQLite in memory | ${PG_ONE} (${layoutText(report, PG_ONE)}) | ${PG_TWO} (${layoutText(report, PG_TWO)}) | 2 replicas / 1 |`,
  );
  L.push("|---|---:|---:|---:|---:|");
  for (const w of PG_COMPARED) {
    const sq = find(report, "orgsim", w);
    const one = find(report, PG_ONE, w);
    const two = find(report, PG_TWO, w);
    L.push(
      `| ${mdEscape(w)} | ${perSecondText(sq)} | ${perSecondText(one)} | ${perSecondText(two)} | ${ratioText(perSecond(two), perSecond(one))} |`,
    );
  }
  L.push("");
  L.push(
    "Where the CPU goes, per step: orgsim's (all replicas together), PostgreSQL's and the load generator's; flat orgsim and PostgreSQL CPU per step from one replica to two means a second replica costs nothing per request, so throughput grows with the cores given to it. \"Machine µs\" adds the three: the machine's cores divided by it bound what this machine can answer, however many replicas. Busy is CPU over the window (orgsim's and PostgreSQL's as a share of one core); the last column is each core's busy share, whoever used it (from /proc/stat).",
  );
  L.push("");
  L.push(
    "| Workload | orgsim CPU µs: SQLite | 1 replica | 2 replicas | PostgreSQL CPU µs: 1 / 2 replicas | Load generator CPU µs: 1 / 2 | Machine µs: 1 / 2 | orgsim busy: 1 / 2 | PostgreSQL busy: 1 / 2 | Cores busy (0, 1): 1 / 2 replicas |",
  );
  L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const w of PG_COMPARED) {
    const sq = find(report, "orgsim", w);
    const one = find(report, PG_ONE, w);
    const two = find(report, PG_TWO, w);
    L.push(
      `| ${mdEscape(w)} | ${usText(sq?.result?.serverCpuUsPerStep)} | ${usText(one?.result?.serverCpuUsPerStep)} | ${usText(two?.result?.serverCpuUsPerStep)} | ${usText(one?.result?.dbCpuUsPerStep)} / ${usText(two?.result?.dbCpuUsPerStep)} | ${usText(one?.result?.clientCpuUsPerStep)} / ${usText(two?.result?.clientCpuUsPerStep)} | ${usText(machineUs(one?.result))} / ${usText(machineUs(two?.result))} | ${busyOf(one)} / ${busyOf(two)} | ${dbBusyOf(one)} / ${dbBusyOf(two)} | ${coresOf(one)} / ${coresOf(two)} |`,
    );
  }
  L.push("");
  const ready = report.postgresReadyMs;
  if (ready) {
    const parts = PG_SERVERS.filter((srv) => ready[srv]?.length).map(
      (srv) => `${srv}: ${ready[srv]!.map((v) => `${v.toFixed(0)} ms`).join(", ")}`,
    );
    if (parts.length)
      L.push(
        `Time to first answer on PostgreSQL (spawn to a 200 from /_orgsim/health; the pg driver loads and the migrations run, under an advisory lock, before the first answer; the replicas start together): ${parts.join("; ")}.`,
        "",
      );
  }
  L.push("### What these figures show");
  L.push("");
  for (const para of postgresExplained(report)) L.push(para, "");
  return L;
}

/** Who used the cores during a PostgreSQL window, and what that says about the pace. */
function cpuSentence(report: BenchReport, r: LoadResult): string {
  if (r.serverBusy === undefined || r.dbCpuSeconds === undefined) return "";
  const dbBusy = r.dbCpuSeconds / r.seconds;
  let text = `During the window orgsim kept its core ${pct(r.serverBusy)} busy, PostgreSQL's processes used ${pct(dbBusy)} of a core and the load generator ${r.clientBusy !== undefined ? pct(r.clientBusy) : "?"} of its own`;
  const cores = r.coreBusy;
  const serverCore = cores?.[report.serverCore];
  if (!cores || serverCore === undefined) return `${text}. `;
  text += `; the cores were ${cores.map((c, i) => `${pct(c)} (core ${i})`).join(", ")} busy`;
  if (cores.every((c) => c >= 0.9))
    return `${text}: both cores were full, so the machine's CPU, shared by orgsim, PostgreSQL and the load generator, set the pace. `;
  if (serverCore >= 0.9)
    return `${text}: core ${report.serverCore} was full, shared by orgsim and the share of PostgreSQL's work the kernel ran there (PostgreSQL is not pinned), so CPU on that core sets the pace. `;
  if (cores.every((c) => c < 0.85))
    return `${text}: no core was full, because a call waits for its round trips one after the other, so latency sets the pace as much as CPU. `;
  return `${text}. `;
}

function postgresExplained(report: BenchReport): string[] {
  const pg = report.postgres;
  if (!pg?.available) return [];
  const out: string[] = [];
  const DESCRIBE = "DescribeOrganization (management)";
  const WRITE = "CreateAccount + DescribeCreateAccountStatus";
  const sq = find(report, "orgsim", DESCRIBE);
  const one = find(report, PG_ONE, DESCRIBE);
  const two = find(report, PG_TWO, DESCRIBE);
  const sqR = perSecond(sq);
  const oneR = perSecond(one);
  const twoR = perSecond(two);
  const nproc = report.machine.nproc;

  if (sqR !== undefined && oneR !== undefined && sq?.result && one?.result) {
    const o = one.result;
    out.push(
      `**The cost of a database in another process.** One replica on PostgreSQL answers DescribeOrganization at ${rate(oneR)}/s against ${rate(sqR)}/s on in-memory SQLite (${pct(oneR / sqR)}), p50 ${ms(o.p50Ms)} ms against ${ms(sq.result.p50Ms)} ms. ` +
        "On SQLite a call's queries are function calls inside orgsim's process. On PostgreSQL each of them, and the transaction's begin and commit around them, is a round trip over a socket to a backend process: the pg driver encodes the query and decodes the rows in orgsim, and the backend parses, plans and runs it. " +
        `Per call, orgsim's own CPU goes from ${usText(sq.result.serverCpuUsPerStep)} µs to ${usText(o.serverCpuUsPerStep)} µs, and PostgreSQL's processes spend ${usText(o.dbCpuUsPerStep)} µs more` +
        (sq.result.serverCpuUsPerStep !== undefined && o.serverCpuUsPerStep !== undefined && o.dbCpuUsPerStep !== undefined
          ? `: ${((o.serverCpuUsPerStep + o.dbCpuUsPerStep) / sq.result.serverCpuUsPerStep).toFixed(1)}x the CPU of the same call on SQLite. `
          : ". ") +
        cpuSentence(report, o),
    );
  }

  if (oneR !== undefined && twoR !== undefined && one?.result && two?.result) {
    const scale = twoR / oneR;
    const o1 = one.result.serverCpuUsPerStep;
    const o2 = two.result.serverCpuUsPerStep;
    const d1 = one.result.dbCpuUsPerStep;
    const d2 = two.result.dbCpuUsPerStep;
    const m1 = machineUs(one.result);
    const m2 = machineUs(two.result);
    const listOne = perSecond(find(report, PG_ONE, PROFILED_LIST));
    const listTwo = perSecond(find(report, PG_TWO, PROFILED_LIST));
    const flat = o1 !== undefined && o2 !== undefined ? o2 / o1 : undefined;
    out.push(
      `**Scaling with cores.** Two replicas on the same database answer DescribeOrganization at ${rate(twoR)}/s, ${scale.toFixed(2)}x one replica${listOne !== undefined && listTwo !== undefined ? ` (ListAccounts pages ${(listTwo / listOne).toFixed(2)}x)` : ""}. ` +
        (flat !== undefined
          ? `orgsim's CPU per call, summed over the replicas, is ${usText(o2)} µs with two against ${usText(o1)} µs with one (${flat.toFixed(2)}x)` +
            (d1 !== undefined && d2 !== undefined ? `, PostgreSQL's ${usText(d2)} µs against ${usText(d1)} µs` : "") +
            (flat <= 1.15
              ? ": no more with two replicas than with one, so a second replica costs no CPU per request, and each replica with a core of its own adds its core's worth of calls as long as PostgreSQL keeps up. "
              : ": a second replica costs more CPU per request here (more wake-ups and context switches per request when the cores are shared), which eats into what it adds. ")
          : "") +
        (report.machine.pinned
          ? `What this machine can show and what it cannot: it has ${nproc} cores, and they are shared by the replicas, PostgreSQL's backends and the load generator. With one replica, orgsim has core ${report.serverCore} and the load generator core ${report.loadCore}, PostgreSQL runs on both. With two, each replica has a core, and the load generator and PostgreSQL take their share of both` +
            (m1 !== undefined && m2 !== undefined
              ? `: one call costs the machine ${usText(m1)} µs of CPU with one replica and ${usText(m2)} µs with two (orgsim + PostgreSQL + load generator), so ${nproc} cores can answer at most about ${rate((nproc * 1e6) / m2)} calls/s whatever the number of replicas, and the one-replica row already runs at ${pct(oneR / ((nproc * 1e6) / m1))} of its bound. `
              : ". ") +
            `So this machine shows whether a second replica adds CPU per request (it should not) and what it adds while a core is left over; it cannot show two replicas each with a core of its own beside a load generator and a database with cores of their own. On a machine with cores to spare (replicas, PostgreSQL and the load generator on separate cores), reads scale with replicas until PostgreSQL's own CPU or its connections are the limit: PostgreSQL's work per call does not shrink with replicas.`
          : ""),
    );
  }

  const q = report.pgQuota;
  if (q && q.rounds.length > 0) {
    const { one: a, two: b } = quotaTotals(q);
    out.push(
      `**With cores to spare.** The same two replicas, right after, each held to ${q.cores} core by a CPU quota (the kernel's cgroup cpu controller, \`bench/cpu-quota.ts\`): the replicas then limit throughput, and PostgreSQL and the load generator have more than a core left, as on a machine with a core per replica and cores for the rest. One replica and two take turns, ${q.rounds.length} rounds, since this machine's speed drifts within seconds. ` +
        `DescribeOrganization: one replica ${rate(a.perSecond)} req/s (orgsim ${usText(a.cpuUs)} µs of CPU per call), two replicas ${rate(b.perSecond)} req/s (${usText(b.cpuUs)} µs per call summed over both): ${(b.perSecond / a.perSecond).toFixed(2)}x; by round ${q.rounds.map((r) => `${((perSecond(r.two) ?? 0) / (perSecond(r.one) ?? 1)).toFixed(2)}x`).join(", ")}. ` +
        `p99 latency is high in these rows (up to ${ms(a.p99)} and ${ms(b.p99)} ms): a process over its quota waits for the next 100 ms period. What this shows is how reads scale with the CPU given to replicas while PostgreSQL keeps up (its CPU per call: ${usText(a.dbUs)} and ${usText(b.dbUs)} µs). ` +
        "The load generator balances the two replicas by least outstanding requests, as a load balancer in front of replicas does (nginx's least_conn, an AWS load balancer's least outstanding requests): a replica its quota has stopped gets no new request while the other has fewer in flight. Sent strictly in turn instead, the closed loop couples them: every worker soon waits on the stopped replica while the other idles; measured side by side while this was written, in turn read 1.23x where least outstanding requests read 1.65x and 1.63x." +
        (a.cpuUs !== undefined && b.cpuUs !== undefined && b.cpuUs / a.cpuUs > 1.3
          ? ` Twice the CPU bought ${(b.perSecond / a.perSecond).toFixed(2)}x the calls, not 2x: orgsim's CPU per call went ${(b.cpuUs / a.cpuUs).toFixed(2)}x with two replicas. Each replica, serving half the calls, sleeps between them, and on this virtual machine every socket write that wakes a sleeping process (the load generator, a PostgreSQL backend) costs several times what it costs between busy ones; measured once with both replicas on one core and no quota, replica A's CPU per call went from 63 to 252 µs and its writes to PostgreSQL from 10 to 65 µs per call. Where waking a process is cheaper (no virtualization, or more calls per replica at once), less of the second replica's CPU should be lost this way (not measured here).`
          : ""),
    );
  } else if (q?.skipped) out.push(`**With cores to spare.** Not measured: ${q.skipped}.`);

  const w1 = find(report, PG_ONE, WRITE);
  const w2 = find(report, PG_TWO, WRITE);
  const w1R = perSecond(w1);
  const w2R = perSecond(w2);
  const wsq = perSecond(find(report, "orgsim", WRITE));
  if (w1R !== undefined && w2R !== undefined && w1?.result && w2?.result) {
    const errors = w1.result.errors + w2.result.errors;
    out.push(
      `**Writers serialize.** CreateAccount + DescribeCreateAccountStatus: ${rate(w1R)} pairs/s with one replica, ${rate(w2R)} with two (${(w2R / w1R).toFixed(2)}x)${wsq !== undefined ? `, against ${rate(wsq)} on in-memory SQLite` : ""}. ` +
        `Every write first takes one PostgreSQL advisory lock that all replicas share, then runs its SERIALIZABLE transaction and commits (fsync ${pg.fsync}, synchronous_commit ${pg.synchronousCommit}: ${pg.fsync === "on" && pg.synchronousCommit !== "off" ? "each commit waits for its WAL to reach the disk" : "commits do not wait for the disk"}) before the next writer may begin. ` +
        `So writes apply one at a time across all replicas, in one order as on SQLite (one write every ${(1000 / w1R).toFixed(1)} ms with one replica, orgsim ${busyOf(w1)} and PostgreSQL ${dbBusyOf(w1)} busy${w1.result.coreBusy && w1.result.coreBusy.every((c) => c < 0.85) ? `, no core full: the lock's queue and each commit's flush, not CPU, set that pace` : ""}), and more replicas add no write throughput; the p50 of ${ms(w1.result.p50Ms)} ms (one replica) and ${ms(w2.result.p50Ms)} ms (two) is mostly the queue for that lock. ` +
        (errors === 0
          ? "No step failed (no ConcurrentModificationException was answered)."
          : `${errors} steps failed (first: ${w1.result.firstError ?? w2.result.firstError ?? "?"}), reported as is.`),
    );
  }

  const scp1 = find(report, PG_ONE, `${SCP_WORKLOAD} (decision cached)`);
  const scp2 = find(report, PG_TWO, `${SCP_WORKLOAD} (decision cached)`);
  if (scp1?.result && scp1.result.count > 0) {
    out.push(
      `**The member call through SCPs** (decision cached) answers ${rate(scp1.result.perSecond)}/s on one replica${scp2?.result && scp2.result.count > 0 ? `, ${rate(scp2.result.perSecond)}/s on two` : ""}: each replica keeps its own caches, and a policy changed through one replica must be seen by all of them on their next call, so what remains is the call's own round trips to PostgreSQL.`,
    );
  }
  const failing = PG_SERVERS.flatMap((srv) => report.measurements.filter((m) => m.server === srv && m.result && m.result.errors > 0));
  if (failing.length) {
    const rows = failing
      .map(
        (m) =>
          `${m.workload} on ${m.server === PG_ONE ? "one replica" : "two replicas"}: ${m.result!.errors} of ${m.result!.count + m.result!.errors} steps`,
      )
      .join("; ");
    const logged = [...new Set(failing.flatMap((m) => (m.serverLog ?? []).map((e) => e.message)))];
    const predicate = logged.some((msg) => /out of shared memory/i.test(msg));
    out.push(
      `**Failures, reported as they happened.** ${rows} failed${logged.length ? `; orgsim's log gives the cause: ${logged.map((x) => `\`${x}\``).join(", ")}` : ""}. ` +
        (predicate
          ? `That is PostgreSQL's predicate-lock table running full (its hint: increase \`max_pred_locks_per_transaction\`; the shared table holds about that many locks per allowed connection, ${pg.maxPredLocksPerTransaction} x ${pg.maxConnections} on this server): SERIALIZABLE transactions leave SIREAD locks that PostgreSQL keeps past their commit while overlapping transactions still run, and a query that needs one more fails; orgsim answers a 500 ServiceException. The bench changes no PostgreSQL setting.`
          : "They are counted as failed steps, not in the throughput."),
    );
  }
  return out;
}

/** Every orgsim row against the bare node:http server of the same run: by requests per second, and by CPU per request. */
function ceilingSection(report: BenchReport): string[] {
  const { ceiling, rows } = ceilingRatios(report);
  if (!ceiling || rows.length === 0) return [];
  const bytes = report.describeBytes;
  const L: string[] = ["## Against the bare node:http server", ""];
  L.push(
    `The bare server (\`bench/ceiling.ts\`) answered ${rate(ceiling.rps)} req/s${ceiling.cpuUs !== undefined ? ` at ${ceiling.cpuUs.toFixed(0)} µs of CPU per request` : ""} in this run, pinned like orgsim, under the same load generator: it reads each request's body and answers, on the same keep-alive connections, a fixed JSON body${bytes?.ceiling !== undefined ? ` of ${bytes.ceiling} bytes` : ""}${bytes?.orgsim !== undefined ? ` (orgsim's DescribeOrganization answer in this run: ${bytes.orgsim} bytes)` : ""} with the same headers (a request id, Content-Type, Content-Length). ` +
      "Each orgsim row as a share of it, per request (a pair counts 2 requests, a cycle 3): \"by throughput\" is requests per second over the bare server's; \"per CPU-second\" is the bare server's CPU per request over orgsim's (with PostgreSQL's CPU added on those rows), what each would answer with a core to itself. ListAccounts pages and the other rows answer larger bodies than the bare server's, and do more: the ratio is what each workload costs against the least a Node HTTP server can do. " +
      PACE_NOTE,
    "",
  );
  L.push("| Server | Workload | Requests/s | x bare (throughput) | CPU µs per request | x bare (per CPU-second) |");
  L.push("|---|---|---:|---:|---:|---:|");
  for (const r of rows)
    L.push(
      `| ${r.m.server} | ${mdEscape(r.m.workload)} | ${rate(r.requestsPerSecond)} | ${r.share.toFixed(2)} | ${r.cpuUsPerRequest !== undefined ? r.cpuUsPerRequest.toFixed(0) : "-"} | ${r.cpuShare !== undefined ? r.cpuShare.toFixed(2) : "-"} |`,
    );
  L.push("");
  return L;
}

/** orgsim's CPU µs per request of a workload (its own process's, on SQLite by default), from its row of this run (measured without the profiler). */
function cpuPerRequest(report: BenchReport, workload: string, server: ServerName = "orgsim"): number | undefined {
  const m = find(report, server, workload);
  const us = m?.result?.serverCpuUsPerStep;
  return us !== undefined ? us / (m?.requestsPerStep ?? 1) : undefined;
}

/** A short name of a profiled workload, for a column heading. */
function shortWorkload(workload: string): string {
  if (workload.startsWith("DescribeOrganization")) return "DescribeOrganization";
  if (workload.startsWith("ListAccounts")) return "ListAccounts page @1,000";
  if (workload.startsWith("CreateAccount")) return "CreateAccount + Describe…Status (per request)";
  if (workload.includes("decision cached")) return "member call via SCPs, cached";
  if (workload.includes("evaluated")) return "member call via SCPs, evaluated";
  return workload;
}

/** Where orgsim's CPU goes: one table of µs per request by layer and workload, then each workload's hottest functions. */
function profileSection(report: BenchReport, profiles: WorkloadProfile[]): string[] {
  const L: string[] = ["## Where orgsim's time goes", ""];
  L.push(
    `CPU profiles (\`node --cpu-prof\`, \`bench/profile.ts\`) of a fresh orgsim server (in-memory SQLite, and one replica on PostgreSQL where its column says so: orgsim's process only, not PostgreSQL's) under ${profiles.length === 1 ? "one" : String(profiles.length)} of the workloads above, counting only the samples of the measured window (the profile's clock is the load generator's), by self time, idle left out. ` +
      "Frames of the start-up bundle are traced back to the module esbuild put at that line; a native function (a socket write, JSON.parse, a microtask run) counts in the layer of its nearest JavaScript caller; orgsim's own database drivers (`src/store/sqlite-driver.ts`, `pg-driver.ts`) count as the SQL driver and engine, as the SQLite one's self time is mostly better-sqlite3's native prepare, run, BEGIN and COMMIT. " +
      "Each cell is the layer's share of the profile's busy time times the CPU per request of the workload's row above (measured without the profiler), in µs per request; \"CPU per request\" is that row's figure.",
    "",
  );
  const totals = new Map<string, number>();
  for (const p of profiles) for (const l of p.summary.layers) totals.set(l.layer, (totals.get(l.layer) ?? 0) + l.share);
  const layers = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([l]) => l);
  const shown = layers.slice(0, 14);
  const perRequest = profiles.map((p) => cpuPerRequest(report, p.workload, p.server));
  const cell = (share: number, us: number | undefined): string =>
    us !== undefined ? `${(share * us).toFixed(0)} (${pct(share)})` : pct(share);
  const heading = (p: WorkloadProfile): string =>
    `${shortWorkload(p.workload)}${p.server && p.server !== "orgsim" ? `, ${p.server.replace(/^orgsim, /, "")}` : ""}`;
  L.push(`| Layer | ${profiles.map((p) => mdEscape(heading(p))).join(" | ")} |`);
  L.push(`|---|${profiles.map(() => "---:").join("|")}|`);
  L.push(`| **CPU per request, µs** | ${perRequest.map((us) => (us !== undefined ? `**${us.toFixed(0)}**` : "-")).join(" | ")} |`);
  for (const layer of shown)
    L.push(
      `| ${mdEscape(layer)} | ${profiles.map((p, i) => cell(p.summary.layers.find((l) => l.layer === layer)?.share ?? 0, perRequest[i])).join(" | ")} |`,
    );
  if (layers.length > shown.length) {
    const rest = new Set(layers.slice(shown.length));
    L.push(
      `| everything else | ${profiles
        .map((p, i) =>
          cell(
            p.summary.layers.filter((l) => rest.has(l.layer)).reduce((a, l) => a + l.share, 0),
            perRequest[i],
          ),
        )
        .join(" | ")} |`,
    );
  }
  L.push("");
  for (const p of profiles) {
    L.push(`### ${p.workload}${p.server && p.server !== "orgsim" ? `, ${p.server}` : ""}`);
    L.push("");
    L.push(`Busy ${p.summary.busyMs.toFixed(0)} ms of samples in the window. Hottest functions by self time:`);
    L.push("");
    L.push("| Function (self time) | Where | Layer | Share |");
    L.push("|---|---|---|---:|");
    for (const f of p.summary.functions.slice(0, 10))
      L.push(`| ${mdEscape(f.name)} | ${mdEscape(f.where)} | ${mdEscape(f.layer)} | ${(f.share * 100).toFixed(1)}% |`);
    L.push("");
  }
  return L;
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const L: string[] = [];
  L.push("# Performance");
  L.push("");
  L.push(
    "Written by `npm run bench` (`bench/run.ts`): every figure below comes from one run on the machine described here. Re-run it rather than edit this page. Ratios measured in the same run are what to compare; absolute figures depend on the machine. " +
      "To measure a part while working on it, `BENCH_ONLY=orgsim,describe npm run bench` runs that workload against the bare server in about 20 s and prints it (servers: ceiling, orgsim, pg1, pg2, moto; workloads: describe, list, create, scp, cycle, 10k; extras: startup, profile; see `bench/run.ts`), writing nothing unless `BENCH_OUT=FILE` is given. A change of a few percent is lost in this machine's drift: `npm run bench:instructions` counts the instructions per request instead (valgrind's callgrind, orgsim against the bare server, about 3 minutes; the same build measures the same to within half a percent, another build of the same code within about 4%, so it shows changes larger than that; `bench/instructions.ts` says what it leaves out).",
  );
  L.push("");
  L.push("## Machine and method");
  L.push("");
  L.push(`- Date: ${m.date}`);
  L.push(
    `- Other load: ${report.idleBefore !== undefined ? `the machine's cores were ${pct(report.idleBefore)} idle in the second before the run; ` : ""}load average (1, 5, 15 min) before the run ${report.loadAverageBefore}, after ${report.loadAverageAfter ?? "?"}. Anything well above 0 on ${m.nproc} cores means other processes competed for the cores during the run, and wall-clock figures suffer; the \"busy\" and \"server CPU per step\" columns show how much.`,
  );
  L.push(
    `- CPU: ${m.cpuModel}, nproc ${m.nproc}; Linux ${m.kernel}; Node ${m.node}${report.moto?.available ? `; moto ${report.moto.version}` : ""}`,
  );
  L.push(
    m.pinned
      ? `- Each server is its own process pinned to core ${report.serverCore} (\`taskset -c ${report.serverCore}\`); the load generator runs pinned to core ${report.loadCore}. One server runs at a time.`
      : "- Not pinned (no `taskset`, or a single core): server and load generator share the machine's cores.",
  );
  L.push(
    `- Load: closed loop, ${report.load.concurrency} concurrent keep-alive connections, ${report.load.warmupMs / 1000} s warm-up then ${report.load.durationMs / 1000} s measured per workload, loopback only. ` +
      "The client is a minimal HTTP/1.1 one over node:net (prepared request bytes, one request in flight per connection): node:http's own client (Agent) costs more CPU per request than the bare node:http server, so on one core against one core the ceiling would have measured the load generator. The load generator's own CPU per step is in the table. " +
      "Requests carry a fixed, valid-looking SigV4 `Authorization` header prepared once: orgsim (non-strict, its default) maps a 12-digit access key id to that account's root user without verifying the signature, and moto verifies none, so client-side signing costs nothing here. " +
      "Latency is per step (one request, or one pair or cycle of requests) from send to the last byte of the answer; with a closed loop, p50 is about connections / throughput.",
  );
  L.push(
    '- "Busy" is the server process\'s CPU time (all threads, from /proc/PID/stat) over the measured window: near 100% means the server had its core and was the bottleneck. "Server CPU per step" divides that CPU time by the steps completed; it is the figure least disturbed by other load on the machine. Targets are judged on throughput as stated; where the CPU-based figure disagrees, the verdict says so.',
  );
  L.push(
    `- orgsim: \`node bin/orgsim.js start --quiet\`, SQLite in memory. The server that runs the invite -> accept -> leave cycle is started with \`--leave-rate-per-second ${report.leaveRate}\`: orgsim enforces AWS's limit of 5 LeaveOrganization calls per second per organization by default, which would cap that workload at 5 cycles/s.`,
  );
  L.push(
    "- The ceiling: `bench/ceiling.ts`, a bare `node:http` server that reads the body and answers a fixed JSON body of a DescribeOrganization answer's size.",
  );
  L.push(
    report.moto?.available
      ? "- moto: `python3 -m moto.server` (its default threaded Werkzeug server, request logging on stderr as it ships), caller account 123456789012."
      : `- moto: skipped (${report.moto?.why ?? "not run"}).`,
  );
  L.push(postgresMethod(report));
  L.push(
    '- ListAccounts sizes count the management account: "@100" is an organization of 100 accounts, 5 pages of MaxResults 20 (the 10,000 step holds the management account plus 10,000 created accounts, 501 pages).',
  );
  L.push("");

  L.push("## Targets");
  L.push("");
  L.push("| Target | Measured | Verdict |");
  L.push("|---|---|---|");
  const vs = verdicts(report);
  for (const v of vs) L.push(`| ${mdEscape(v.target)} | ${mdEscape(v.measured)} | ${mark(v.met)} |`);
  L.push("");
  const missed = vs.filter((v) => v.met === false);
  if (missed.length) {
    L.push("### Why the misses");
    L.push("");
    for (const v of missed) L.push(`- **${v.target}**: ${v.why ?? ""}`);
    L.push("");
  }

  L.push(...ceilingSection(report));

  L.push("## Throughput and latency");
  L.push("");
  L.push(
    "| Server | Workload | Throughput | p50 ms | p99 ms | Steps measured | Server busy | Server CPU µs per step | Client CPU µs per step | Notes |",
  );
  L.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const x of report.measurements) {
    const r = x.result;
    L.push(
      `| ${x.server} | ${mdEscape(x.workload)} | ${throughputCell(x)} | ${r && r.count ? ms(r.p50Ms) : "-"} | ${r && r.count ? ms(r.p99Ms) : "-"} | ${r ? r.count : "-"} | ${r?.serverBusy !== undefined ? pct(r.serverBusy) : "-"} | ${r?.serverCpuUsPerStep !== undefined ? r.serverCpuUsPerStep.toFixed(0) : "-"} | ${r?.clientCpuUsPerStep !== undefined ? r.clientCpuUsPerStep.toFixed(0) : "-"} | ${mdEscape(x.skipped ? `skipped: ${x.skipped}` : x.notes.join("; "))} |`,
    );
  }
  L.push("");
  const shared = sharedWorkloads(report);
  if (shared.length) {
    L.push("orgsim against moto, same requests, same machine:");
    L.push("");
    L.push("| Workload | orgsim /s | moto /s | orgsim / moto | same, per server CPU-second |");
    L.push("|---|---:|---:|---:|---:|");
    for (const s of shared) {
      const cO = perCpuSecond(find(report, "orgsim", s.workload));
      const cM = perCpuSecond(find(report, "moto", s.workload));
      L.push(
        `| ${mdEscape(s.workload)} | ${rate(s.orgsim)} | ${rate(s.moto)} | ${(s.orgsim / s.moto).toFixed(1)}x | ${cO !== undefined && cM !== undefined ? `${(cO / cM).toFixed(1)}x` : "-"} |`,
      );
    }
    L.push("");
  }

  L.push(...postgresSection(report));

  L.push("## ListAccounts (MaxResults 20, full pagination)");
  L.push("");
  L.push(
    '"At saturation" is pages per listing divided by pages per second: the server time one full listing costs. "One client" is the median wall time of one client walking every page in turn.',
  );
  L.push("");
  L.push(
    "| Server | Accounts | Pages per listing | Pages/s | p50 ms per page | Server CPU µs per page | ms per full listing (at saturation) | ms per full listing (one client) | Page cost vs @100 (throughput; CPU) |",
  );
  L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const l of report.listings) {
    const base = report.listings.find((b) => b.server === l.server && b.label === "100");
    const pps = perSecond(l.measurement);
    const basePps = perSecond(base?.measurement);
    const cpu = l.measurement.result?.serverCpuUsPerStep;
    const baseCpu = base?.measurement.result?.serverCpuUsPerStep;
    const cost = `${pps !== undefined && basePps !== undefined ? `${(basePps / pps).toFixed(2)}x` : "-"}; ${cpu !== undefined && baseCpu !== undefined ? `${(cpu / baseCpu).toFixed(2)}x` : "-"}`;
    L.push(
      `| ${l.server} | ${l.accounts} | ${l.pagesPerListing} | ${pps !== undefined ? rate(pps) : "-"} | ${l.measurement.result?.count ? ms(l.measurement.result.p50Ms) : "-"} | ${cpu !== undefined ? cpu.toFixed(0) : "-"} | ${l.saturatedListingMs !== undefined ? ms(l.saturatedListingMs) : "-"} | ${l.singleClientMs !== undefined ? ms(l.singleClientMs) : (l.singleClientNote ?? "-")} | ${cost} |`,
    );
  }
  L.push("");

  if (report.flatness && report.flatness.rounds.length > 0) {
    const f = report.flatness;
    const t = flatnessTotals(f);
    L.push(
      `Page cost at 10,000 against 100 accounts on one server (the target's figure): the server of the 10,000 accounts also holds a second organization of 100 accounts, and pages of each are measured in turns, ${f.rounds.length} rounds of ${f.window.warmupMs / 1000} s warm-up + ${f.window.durationMs / 1000} s each. The rows above come from two servers measured minutes apart, and this machine's speed drifts between them.`,
    );
    L.push("");
    L.push("| Round | @100 pages/s | @10,000 pages/s | ratio | @100 CPU µs/page | @10,000 CPU µs/page |");
    L.push("|---:|---:|---:|---:|---:|---:|");
    f.rounds.forEach((r, i) =>
      L.push(
        `| ${i + 1} | ${rate(r.at100.perSecond)} | ${rate(r.at10k.perSecond)} | ${(r.at100.perSecond / r.at10k.perSecond).toFixed(2)}x | ${r.at100.serverCpuUsPerStep?.toFixed(0) ?? "-"} | ${r.at10k.serverCpuUsPerStep?.toFixed(0) ?? "-"} |`,
      ),
    );
    L.push(
      `| all | ${rate(t.a.perSecond)} | ${rate(t.b.perSecond)} | ${t.ratio.toFixed(2)}x | ${t.a.cpuUs?.toFixed(0) ?? "-"} | ${t.b.cpuUs?.toFixed(0) ?? "-"} |`,
    );
    L.push("");
  }

  L.push("## Creating 10,000 accounts, memory");
  L.push("");
  const c = report.create10k;
  if (c)
    L.push(
      `- orgsim: ${c.done} CreateAccount calls (${report.load.concurrency} in flight) in ${c.seconds.toFixed(2)} s, ${rate(c.done / c.seconds)}/s${c.serverCpuSeconds !== undefined ? `, using ${c.serverCpuSeconds.toFixed(2)} s of server CPU (${((c.serverCpuSeconds * 1e6) / Math.max(1, c.done)).toFixed(0)} µs per call)` : ""}${c.failed ? `, ${c.failed} failed (${c.firstError ?? ""})` : ""}.`,
    );
  const mc = report.motoCreate10k;
  if (mc)
    L.push(
      `- moto: ${mc.done} CreateAccount calls in ${mc.seconds.toFixed(2)} s, ${rate(mc.done / mc.seconds)}/s${mc.serverCpuSeconds !== undefined ? `, using ${mc.serverCpuSeconds.toFixed(2)} s of server CPU` : ""}${mc.budgetHit ? ` (stopped by the bench's time budget before 10,000: moto's CreateAccount slows as the organization grows)` : ""}.`,
    );
  const mem = report.memory;
  if (mem) {
    L.push(
      `- orgsim RSS (VmRSS of the server process): ${mem.emptyRssMb !== undefined ? `${mem.emptyRssMb.toFixed(0)} MB with the organization alone, ` : ""}${mem.afterCreateRssMb !== undefined ? `${mem.afterCreateRssMb.toFixed(0)} MB right after the 10,000 creations, ` : ""}${mem.rssMb.toFixed(0)} MB after the ListAccounts workload at ${mem.accounts} accounts; peak (VmHWM) ${mem.peakMb.toFixed(0)} MB.`,
    );
  }
  if (report.moto?.available && report.moto.readyMs !== undefined)
    L.push(`- moto's server answered its first HTTP request ${report.moto.readyMs.toFixed(0)} ms after its spawn (one start, in memory).`);
  L.push("");

  L.push(...startupSection(report.startup));

  if (report.profiles?.length) L.push(...profileSection(report, report.profiles));
  return L.join("\n");
}

export function writeReport(report: BenchReport, file = path.join(ROOT, "docs", "performance.md")): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderMarkdown(report) + "\n");
  return file;
}
