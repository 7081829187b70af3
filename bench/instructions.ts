/**
 * `npm run bench:instructions`: what a request costs in instructions, counted by valgrind's
 * callgrind, for orgsim and the bare node:http server (bench/ceiling.ts). Unlike req/s and CPU
 * time, an instruction count does not drift with the machine's speed, so a change of a few
 * percent shows, run after run. Each server runs under callgrind twice, answering N and then 3N
 * requests (one keep-alive connection, the bench's own client, outside valgrind); the difference
 * divided by 2N is the cost of one request in steady state, start-up and shut-down cancelled out.
 * What it leaves out: the kernel's share (socket writes, wake-ups) and the cache misses and stalls
 * that make an instruction dear or cheap, so it complements `npm run bench`, not replaces it. Part
 * of the count is V8 still compiling between N and 3N (TurboFan), more for more code.
 *
 * How precise: the same build measures the same to within about 0.5%. Another build of the same
 * code can move by 3-4% (seen: 109.5k and 113.8k per DescribeOrganization), as V8's heap and its
 * collections fall differently, so a change smaller than that is not shown by one pair of runs.
 *
 * Needs valgrind (Debian: apt-get install valgrind); says so and exits 2 without it. Prints only.
 * BENCH_INSTR_ONLY=describe|create runs one workload; BENCH_INSTR_N sets N for DescribeOrganization
 * (default 5000; CreateAccount, some 14 times dearer per call, uses N/10).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { closeEndpoint, invoke, keepAliveEndpoint, prepare, type Endpoint, type PreparedCall } from "./http.js";
import { freePort, ROOT, waitReady } from "./servers.js";

const MANAGEMENT = "111111111111";
/** One request at a time: under concurrent load, how many requests one event-loop turn takes depends on timing. */
const CONNECTIONS = Number(process.env.BENCH_INSTR_CONNECTIONS ?? 1);
/**
 * What makes the count the same run after run (at the default N, two runs' figures per request
 * were 0.2% apart; without these flags, two identical runs' totals differed 50 times more): V8
 * without helper threads (no concurrent compilation, marking or sweeping: when optimized code
 * arrives would depend on thread timing, and callgrind counts every thread), fixed hash and random
 * seeds, and a young generation of a fixed size with no memory reducer (V8 otherwise sizes it,
 * and collects, by allocation rate over wall time, so the number of scavenges would follow
 * valgrind's speed). The young generation is V8's own maximum.
 */
const NODE_FLAGS = (
  process.env.BENCH_INSTR_NODE_FLAGS ??
  "--single-threaded --hash-seed=1 --random-seed=1 --min-semi-space-size=16 --max-semi-space-size=16 --no-memory-reducer"
)
  .split(" ")
  .filter(Boolean);
const READY_TIMEOUT_MS = 180_000;
const EXIT_TIMEOUT_MS = 120_000;

const T0 = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench:instructions ${((performance.now() - T0) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
};

interface Subject {
  name: string;
  /** The server's command line (node and its arguments), given the port. */
  argv(port: number): string[];
  /** A path that answers 200 once the server is up. */
  readyPath: string;
}

const BARE: Subject = {
  name: "node:http (bare)",
  argv: (port) => [process.execPath, ...NODE_FLAGS, path.join(ROOT, "dist", "bench", "ceiling.js"), String(port)],
  readyPath: "/",
};
const ORGSIM: Subject = {
  name: "orgsim (in-memory SQLite)",
  // Through the library entry, not bin/orgsim.js: see instr-server.ts.
  argv: (port) => [process.execPath, ...NODE_FLAGS, path.join(ROOT, "dist", "bench", "instr-server.js"), String(port)],
  readyPath: "/_orgsim/health",
};

interface Workload {
  name: string;
  /** Requests in the short run; the long run answers three times as many. */
  n: number;
  /** Before counting: what the server needs (an organization). */
  setup(ep: Endpoint): Promise<void>;
  /** The i-th request. */
  request(i: number): PreparedCall;
  subjects: Subject[];
}

/** Larger N, less of the run-to-run noise per request (a collection more or less between the two runs). */
const N = Math.max(100, Math.round(Number(process.env.BENCH_INSTR_N ?? 5000)));
const RUN_ID = Date.now().toString(36);

const WORKLOADS: Workload[] = [
  {
    name: "DescribeOrganization (management)",
    n: N,
    setup: async (ep) => {
      // The bare server answers it with its fixed body, as it answers everything.
      await invoke(ep, prepare(MANAGEMENT, "CreateOrganization", { FeatureSet: "ALL" }));
    },
    request: (() => {
      const call = prepare(MANAGEMENT, "DescribeOrganization", {});
      return () => call;
    })(),
    subjects: [BARE, ORGSIM],
  },
  {
    name: "CreateAccount",
    n: Math.max(50, Math.round(N / 10)),
    setup: async (ep) => {
      await invoke(ep, prepare(MANAGEMENT, "CreateOrganization", { FeatureSet: "ALL" }));
    },
    request: (i) => prepare(MANAGEMENT, "CreateAccount", { AccountName: `instr-${i}`, Email: `instr-${RUN_ID}-${i}@example.com` }),
    subjects: [ORGSIM],
  },
];

function valgrindVersion(): string | undefined {
  const out = spawnSync("valgrind", ["--version"], { encoding: "utf8" });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

/** One server under callgrind answering `count` requests of the workload: its total instruction count. */
async function countInstructions(subject: Subject, workload: Workload, count: number, dir: string): Promise<number> {
  const port = await freePort();
  const out = path.join(dir, `callgrind.${subject.name.replace(/\W+/g, "_")}.${workload.name.replace(/\W+/g, "_")}.${count}`);
  const child = spawn("valgrind", ["--tool=callgrind", "--smc-check=all-non-file", `--callgrind-out-file=${out}`, ...subject.argv(port)], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ep = keepAliveEndpoint("127.0.0.1", port);
  try {
    await waitReady(
      child,
      port,
      subject.readyPath,
      (s) => s === 200,
      performance.now(),
      READY_TIMEOUT_MS,
      subject.name,
      () => stderr,
    );
    await workload.setup(ep);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < count) await invoke(ep, workload.request(next++));
      }),
    );
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(
      `${subject.name}, ${workload.name}: ${err instanceof Error ? err.message : String(err)}; valgrind said: ${stderr.slice(-800)}`,
    );
  } finally {
    closeEndpoint(ep);
  }
  // A clean exit writes the counts.
  child.kill("SIGTERM");
  const force = setTimeout(() => child.kill("SIGKILL"), EXIT_TIMEOUT_MS);
  await exited;
  clearTimeout(force);
  const summary = /^summary:\s+(\d+)/m.exec(readFileSync(out, "utf8"));
  if (!summary) throw new Error(`${subject.name}, ${workload.name}: callgrind wrote no summary (${stderr.slice(-400)})`);
  return Number(summary[1]);
}

interface Row {
  workload: string;
  subject: string;
  perRequest: number;
}

async function main(): Promise<number> {
  const version = valgrindVersion();
  if (!version) {
    console.error("bench:instructions needs valgrind (callgrind), which is not installed here: apt-get install valgrind (Debian, Ubuntu).");
    return 2;
  }
  const only = process.env.BENCH_INSTR_ONLY;
  const workloads = WORKLOADS.filter((w) => !only || w.name.toLowerCase().startsWith(only.toLowerCase()));
  const dir = mkdtempSync(path.join(tmpdir(), "orgsim-instr-"));
  const rows: Row[] = [];
  try {
    for (const w of workloads) {
      // The short and long runs of every server at once: instruction counts don't depend on what else runs.
      log(`${w.name}: ${w.subjects.map((s) => s.name).join(", ")}, ${w.n} and ${3 * w.n} requests each, under callgrind (${version})`);
      const counts = await Promise.all(
        w.subjects.map((s) => Promise.all([countInstructions(s, w, w.n, dir), countInstructions(s, w, 3 * w.n, dir)])),
      );
      w.subjects.forEach((s, i) => {
        const [short, long] = counts[i]!;
        rows.push({ workload: w.name, subject: s.name, perRequest: (long - short) / (2 * w.n) });
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`Instructions per request in user space (callgrind; (count at 3N - count at N) / 2N):`);
  for (const r of rows) {
    const bare = rows.find((b) => b.workload === r.workload && b.subject === BARE.name);
    const ratio = bare && r.subject !== BARE.name ? `   bare / orgsim = ${(bare.perRequest / r.perRequest).toFixed(3)}` : "";
    console.log(
      `  ${r.workload.padEnd(36)} ${r.subject.padEnd(28)} ${Math.round(r.perRequest).toLocaleString("en-US").padStart(11)}${ratio}`,
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
