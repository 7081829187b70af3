/**
 * Starting against a state that can't be used says which one, why, and what to do, on one line
 * without a stack trace, and exits 1: an unreachable or missing PostgreSQL database (host, port,
 * database named), an SQLite data file that can't be opened (its path and the reason).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "./helpers/process.js";

const pgUrl = process.env.ORGSIM_TEST_DATABASE_URL;

function start(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ORGSIM_")));
    const child = spawn(process.execPath, [BIN, "start", "--port", "0", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // A start that succeeds by mistake would run for ever: stop it, the assertions report why.
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, stderr, stdout });
    });
  });
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function assertOneClearLine(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
}

test("Rule (orgsim promise): an unreachable PostgreSQL names host, port and database, asks whether it is running, and exits 1", async () => {
  const port = await closedPort();
  const r = await start(["--database", `postgres://orgsim:secret-password@127.0.0.1:${port}/orgsim_db`]);
  assert.equal(r.code, 1);
  assertOneClearLine(
    r.stderr,
    new RegExp(
      `^orgsim: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port} \\(database "orgsim_db"\\): connection refused\\. Is PostgreSQL running, and listening on 127\\.0\\.0\\.1:${port}\\?$`,
      "m",
    ),
  );
  assert.doesNotMatch(r.stderr, /secret-password/, "the password is never printed");
});

test(
  "Rule (orgsim promise): a missing PostgreSQL database names it and gives the createdb command, exit 1",
  { skip: !pgUrl && "needs ORGSIM_TEST_DATABASE_URL (PostgreSQL)" },
  async () => {
    const url = new URL(pgUrl!);
    const name = `orgsim_missing_${randomBytes(4).toString("hex")}`;
    url.pathname = `/${name}`;
    const r = await start(["--database", url.toString()]);
    assert.equal(r.code, 1);
    assertOneClearLine(
      r.stderr,
      new RegExp(
        `the database does not exist\\. Create it with: createdb -h ${url.hostname.replace(/\./g, "\\.")} -p ${url.port || 5432} -U \\S+ ${name}`,
      ),
    );
    assert.match(r.stderr, new RegExp(`\\(database "${name}"\\)`));
  },
);

test("Rule (orgsim promise): an SQLite data file that can't be opened names its path and the reason, exit 1", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orgsim-start-"));
  try {
    const missingDir = join(dir, "no-such-dir", "state.db");
    const r1 = await start(["--data", missingDir]);
    assert.equal(r1.code, 1);
    assertOneClearLine(
      r1.stderr,
      new RegExp(`cannot open the SQLite data file "${missingDir.replace(/[.]/g, "\\.")}": .*directory does not exist`),
    );
    const notDb = join(dir, "notes.txt");
    writeFileSync(notDb, "these are notes, not a database\n".repeat(100));
    const r2 = await start(["--data", notDb]);
    assert.equal(r2.code, 1);
    assertOneClearLine(r2.stderr, /cannot open the SQLite data file ".*notes\.txt": file is not a database\. It is not an SQLite database/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
