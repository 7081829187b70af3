/**
 * The PostgreSQL side of the bench: whether a server answers (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres, used only to create and drop databases), a fresh
 * database per configuration measured, and the CPU its server processes use. PostgreSQL's own
 * processes are not pinned: they run wherever the kernel puts them, on either core.
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpuSecondsOf } from "./servers.js";

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Where the admin URL points, without any password it may hold (for the report). */
export function pgWhere(): string {
  try {
    const u = new URL(PG_ADMIN_URL);
    return `${u.hostname}:${u.port || "5432"}`;
  } catch {
    return "an unparsable BENCH_PG_URL";
  }
}

/** `pg` is imported only here, when the PostgreSQL rows run (as orgsim itself loads it only for PostgreSQL). */
async function admin<T>(fn: (client: import("pg").Client) => Promise<T>): Promise<T> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface PgServerInfo {
  version: string;
  fsync: string;
  synchronousCommit: string;
  sharedBuffers: string;
  maxPredLocksPerTransaction: string;
  maxConnections: string;
}

/** The server's version and the settings that weigh on the figures, or why it can't be used. */
export async function probePostgres(): Promise<{ ok: true; info: PgServerInfo } | { ok: false; why: string }> {
  try {
    return await admin(async (c) => {
      const show = async (name: string): Promise<string> => {
        const r = await c.query<Record<string, string>>(`SHOW ${name}`);
        return String(Object.values(r.rows[0] ?? {})[0] ?? "?");
      };
      const full = await show("server_version");
      return {
        ok: true as const,
        info: {
          version: full.split(" ")[0] ?? full,
          fsync: await show("fsync"),
          synchronousCommit: await show("synchronous_commit"),
          sharedBuffers: await show("shared_buffers"),
          maxPredLocksPerTransaction: await show("max_pred_locks_per_transaction"),
          maxConnections: await show("max_connections"),
        },
      };
    });
  } catch (err) {
    const code = err !== null && typeof err === "object" && "code" in err && typeof err.code === "string" ? `${err.code}: ` : "";
    const message = err instanceof Error ? err.message : String(err);
    const why = code && !message.includes(code.slice(0, -2)) ? `${code}${message}` : message;
    return {
      ok: false,
      why: /Cannot find (module|package) 'pg'/.test(why)
        ? "the pg package is not installed"
        : `PostgreSQL not reachable at ${pgWhere()} (${why})`,
    };
  }
}

export interface FreshDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

let counter = 0;
const RUN_TAG = `${Date.now().toString(36)}_${process.pid}`;

/** CREATE DATABASE orgsim_bench_<run>_<n>; `drop()` removes it (WITH (FORCE): the replicas' pools may linger). */
export async function freshDatabase(): Promise<FreshDatabase> {
  const name = `orgsim_bench_${RUN_TAG}_${++counter}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * The PostgreSQL processes that work for database `name`: its backends (and autovacuum workers),
 * found by their process titles ("postgres: 15/main: user NAME 127.0.0.1(port) ..."), plus the
 * cluster's background processes (WAL writer, checkpointer, background writer), which no other
 * database of an idle cluster keeps busy. Client backends of other databases are left out.
 */
function pgProcesses(name: string): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return out;
  }
  const clientOfAnother = /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]|[0-9a-f:]+\(\d+\)/;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, "latin1").replace(/\0+/g, " ").trim();
    } catch {
      continue;
    }
    if (!title.startsWith("postgres: ")) continue;
    const words = title.split(/\s+/);
    if (words.includes(name) || !clientOfAnother.test(title)) out.push(Number(entry));
  }
  return out;
}

/**
 * A cumulative CPU counter (seconds) of database `name`'s PostgreSQL processes: each process
 * counts from the first sample that sees it (a process first seen later counts from its start),
 * so two samples bracket the CPU spent between them. Backends that exit between two samples
 * take their CPU with them (the replicas' pools keep theirs open under load).
 */
export function pgCpuSampler(name: string): () => number | undefined {
  const base = new Map<number, number>();
  let first = true;
  return () => {
    const pids = pgProcesses(name);
    if (pids.length === 0) return undefined;
    let sum = 0;
    for (const pid of pids) {
      const cpu = cpuSecondsOf(pid);
      if (cpu === undefined) continue;
      if (!base.has(pid)) base.set(pid, first ? cpu : 0);
      sum += cpu - base.get(pid)!;
    }
    first = false;
    return sum;
  };
}
