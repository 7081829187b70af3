/**
 * PostgreSQL going away must not take orgsim with it (run when ORGSIM_TEST_DATABASE_URL is set):
 * - its backends terminated again and again during a write storm: the process stays up, every
 *   request gets an answer (200, or a retryable 5xx / ConcurrentModification-style error, never
 *   a hang), and every acknowledged write is there afterwards;
 * - PostgreSQL restarting (a private cluster of the test's own, so the shared server is never
 *   touched): meanwhile the health check says degraded with the reason and calls fail fast with a
 *   retryable error; afterwards calls succeed again without restarting orgsim.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreateOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListOrganizationalUnitsForParent,
} from "@aws-sdk/client-organizations";
import { spawnOrgsim, type ServerProcess } from "./helpers/process.js";
import { MANAGEMENT } from "./helpers/server.js";

const pgUrl = process.env.ORGSIM_TEST_DATABASE_URL;
const NEEDS_PG = "needs ORGSIM_TEST_DATABASE_URL (PostgreSQL)";
/** A call that has not answered after this long is a hang (the store's own bounds are 5 s to connect, 25 s per statement). */
const HANG_MS = 45_000;
/** Errors a client may get while the database is away: retryable, as AWS's SDKs treat them. */
const RETRYABLE = new Set(["ServiceException", "ConcurrentModificationException", "TooManyRequestsException"]);

const client = (endpoint: string) =>
  new OrganizationsClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: MANAGEMENT, secretAccessKey: "x" },
    maxAttempts: 1,
  });

interface Outcome {
  ok: boolean;
  error?: string;
  status?: number;
  message?: string;
}

/** Runs a call; a call still unanswered after HANG_MS is reported as a hang instead of waiting for ever. */
async function attempt(call: () => Promise<unknown>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ ok: false, error: "HANG" }), HANG_MS)));
  const done = call().then(
    (): Outcome => ({ ok: true }),
    (err: { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }): Outcome => ({
      ok: false,
      error: err.name ?? "Error",
      status: err.$metadata?.httpStatusCode,
      message: err.message,
    }),
  );
  try {
    return await Promise.race([done, hang]);
  } finally {
    clearTimeout(timer);
  }
}

function problems(outcomes: Outcome[]): string[] {
  return outcomes
    .filter((o) => !o.ok && !(o.error !== undefined && RETRYABLE.has(o.error) && (o.status === undefined || o.status >= 400)))
    .map((o) => `${o.error} ${o.status ?? ""} ${o.message ?? ""}`);
}

async function listOuNames(endpoint: string, root: string): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const page of paginateListOrganizationalUnitsForParent({ client: client(endpoint) }, { ParentId: root })) {
    for (const ou of page.OrganizationalUnits ?? []) names.add(ou.Name!);
  }
  return names;
}

async function listEmails(endpoint: string): Promise<Set<string>> {
  const emails = new Set<string>();
  for await (const page of paginateListAccounts({ client: client(endpoint) }, {}))
    for (const a of page.Accounts ?? []) emails.add(a.Email!);
  return emails;
}

async function health(endpoint: string): Promise<{ status: number; body: { status: string; engine?: string; reason?: string } }> {
  const res = await fetch(`${endpoint}/_orgsim/health`);
  return { status: res.status, body: (await res.json()) as { status: string; engine?: string; reason?: string } };
}

/** Polls until `check` holds (bounded); returns whether it did. */
async function eventually(check: () => Promise<boolean>, limitMs = 30_000): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

test(
  "PostgreSQL: backends terminated again and again during a write storm — the process stays up, every call is answered (200 or retryable), every acknowledged write survives",
  { skip: !pgUrl && NEEDS_PG },
  async () => {
    const name = `orgsim_pgr_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(pgUrl!);
    url.pathname = `/${name}`;
    let sim: ServerProcess | undefined;
    try {
      sim = await spawnOrgsim(["--database", url.toString(), "--quiet"]);
      const endpoint = sim.endpoint;
      await client(endpoint).send(new CreateOrganizationCommand({}));
      const root = (await client(endpoint).send(new ListRootsCommand({}))).Roots![0]!.Id!;

      let storming = true;
      let terminated = 0;
      const killer = (async () => {
        while (storming) {
          // Only this test's database: others' tests share the server.
          const r = await admin.query(
            "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [name],
          );
          terminated += r.rows[0].n as number;
          await new Promise((res) => setTimeout(res, 150 + Math.random() * 150));
        }
      })();

      const ackedOus: string[] = [];
      const ackedEmails: string[] = [];
      const outcomes: Outcome[] = [];
      const WORKERS = 8;
      const PER_WORKER = 40;
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, w) => {
          const c = client(endpoint);
          for (let i = 0; i < PER_WORKER; i++) {
            const tag = `w${w}-${i}`;
            if (i % 2 === 0) {
              const o = await attempt(() => c.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: `ou-${tag}` })));
              outcomes.push(o);
              if (o.ok) ackedOus.push(`ou-${tag}`);
            } else {
              const o = await attempt(() => c.send(new CreateAccountCommand({ Email: `${tag}@example.com`, AccountName: tag })));
              outcomes.push(o);
              if (o.ok) ackedEmails.push(`${tag}@example.com`);
            }
          }
        }),
      );
      storming = false;
      await killer;

      assert.equal(sim.child.exitCode, null, `orgsim is still running\n${sim.output().slice(-2000)}`);
      assert.doesNotMatch(sim.output(), /Unhandled 'error' event|uncaughtException/);
      assert.deepEqual(problems(outcomes).slice(0, 10), [], "every failed call got a retryable AWS error");
      assert.ok(terminated >= 5, `backends were terminated during the storm (${terminated})`);
      const failed = outcomes.filter((o) => !o.ok).length;
      assert.ok(ackedOus.length + ackedEmails.length > 0, "some writes were acknowledged");

      // Every acknowledged write is there (reads retried while connections come back).
      assert.ok(await eventually(async () => (await health(endpoint)).status === 200), "health is ok again");
      const ous = await listOuNames(endpoint, root);
      const emails = await listEmails(endpoint);
      assert.deepEqual(
        ackedOus.filter((n) => !ous.has(n)),
        [],
        "acknowledged OUs are present",
      );
      assert.deepEqual(
        ackedEmails.filter((e) => !emails.has(e)),
        [],
        "acknowledged accounts are present",
      );
      // Diagnostics for the record.
      console.log(`# storm: ${outcomes.length} calls, ${failed} retryable failures, ${terminated} backends terminated`);
    } finally {
      await sim?.stop("SIGKILL");
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  },
);

// ---------------------------------------------------------------------------------------------
// A private PostgreSQL cluster, so a restart never touches the shared server

function postgresBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  for (const version of readdirSync(base).sort().reverse()) {
    const bin = join(base, version, "bin");
    if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"))) return bin;
  }
  return undefined;
}

/** Why the restart test can't run here, or undefined when it can. */
function restartSkipReason(): string | undefined {
  if (!pgUrl) return NEEDS_PG;
  if (!postgresBin()) return "needs PostgreSQL's server binaries (initdb, pg_ctl) for a private cluster";
  if (process.getuid?.() !== 0) return "needs root, to run a private PostgreSQL cluster as the postgres user";
  if (spawnSync("id", ["postgres"]).status !== 0) return "needs a postgres OS user";
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

class PrivateCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async create(): Promise<PrivateCluster> {
    const bin = postgresBin()!;
    const dir = mkdtempSync(join(tmpdir(), "orgsim-pg-"));
    const ids = execFileSync("id", ["-u", "postgres"]).toString().trim();
    const gid = execFileSync("id", ["-g", "postgres"]).toString().trim();
    chownSync(dir, Number(ids), Number(gid));
    const cluster = new PrivateCluster(dir, await freePort(), bin);
    cluster.asPostgres("initdb", ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"]);
    cluster.start();
    return cluster;
  }

  private asPostgres(tool: string, args: string[]): void {
    const done = spawnSync("runuser", ["-u", "postgres", "--", join(this.bin, tool), ...args], { encoding: "utf8", timeout: 60_000 });
    if (done.status !== 0) throw new Error(`${tool} failed: ${done.stderr || done.stdout}`);
  }

  start(): void {
    this.asPostgres("pg_ctl", [
      "-D",
      join(this.dir, "data"),
      "-l",
      join(this.dir, "log"),
      "-w",
      "-t",
      "60",
      "-o",
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
  }

  stop(): void {
    this.asPostgres("pg_ctl", ["-D", join(this.dir, "data"), "-m", "fast", "-w", "-t", "60", "stop"]);
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

test(
  "PostgreSQL restarting: health says degraded with the reason and calls fail fast with a retryable error meanwhile; afterwards calls succeed without restarting orgsim",
  { skip: restartSkipReason() },
  async () => {
    const cluster = await PrivateCluster.create();
    let sim: ServerProcess | undefined;
    try {
      sim = await spawnOrgsim(["--database", cluster.url, "--quiet"]);
      const endpoint = sim.endpoint;
      const pid = sim.child.pid;
      const c = client(endpoint);
      await c.send(new CreateOrganizationCommand({}));
      const root = (await c.send(new ListRootsCommand({}))).Roots![0]!.Id!;
      for (let i = 0; i < 5; i++) await c.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: `before-${i}` }));
      const up = await health(endpoint);
      assert.deepEqual([up.status, up.body.status, up.body.engine], [200, "ok", "postgres"]);

      cluster.stop();
      // Down: calls are answered (not hung) with a retryable error naming the database.
      const during = await attempt(() => c.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: "during" })));
      assert.equal(during.ok, false);
      assert.equal(during.error, "ServiceException", during.message);
      assert.equal(during.status, 500);
      assert.match(during.message ?? "", new RegExp(`cannot reach its database, PostgreSQL at 127\\.0\\.0\\.1:${cluster.port}`));
      const read = await attempt(() => c.send(new DescribeOrganizationCommand({})));
      assert.deepEqual([read.error, read.status], ["ServiceException", 500]);
      const h = await health(endpoint);
      assert.equal(h.status, 503);
      assert.equal(h.body.status, "degraded");
      assert.match(h.body.reason ?? "", /PostgreSQL at 127\.0\.0\.1:\d+ \(database "postgres"\)/);
      assert.equal(sim.child.exitCode, null, "orgsim is still running while PostgreSQL is down");

      cluster.start();
      // Back: the same process answers again, and nothing acknowledged before was lost.
      assert.ok(await eventually(async () => (await health(endpoint)).status === 200), "health is ok again after the restart");
      await c.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: "after" }));
      const names = await listOuNames(endpoint, root);
      for (const n of ["before-0", "before-1", "before-2", "before-3", "before-4", "after"]) assert.ok(names.has(n), `${n} is present`);
      assert.equal(sim.child.pid, pid);
      assert.equal(sim.child.exitCode, null);
    } finally {
      await sim?.stop("SIGKILL");
      cluster.destroy();
    }
  },
);
