#!/usr/bin/env node
// Runs the whole suite on the compiled output: node's test runner over dist/test, then the
// Python compatibility suite (boto3 and the AWS CLI v1) when python3 has them.
// On PostgreSQL when ORGSIM_TEST_DATABASE_URL is set, on SQLite otherwise.
import { readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const testDir = join(root, "dist", "test");
const only = process.argv.slice(2);
const files = readdirSync(testDir)
  .filter((f) => f.endsWith(".test.js"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join(testDir, f));
const engine = process.env.ORGSIM_TEST_DATABASE_URL ? "PostgreSQL" : "SQLite";
console.log(`orgsim tests on ${engine}: ${files.length} files`);
const node = spawnSync(process.execPath, ["--test", "--test-concurrency=2", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  cwd: root,
});
let failed = node.status !== 0;

const compat = join(root, "test", "compat");
if (only.length === 0 && existsSync(compat)) {
  const probe = spawnSync("python3", ["-c", "import boto3, pytest"], { stdio: "ignore" });
  if (probe.status === 0) {
    const py = spawnSync("python3", ["-m", "pytest", "-q", compat], { stdio: "inherit", cwd: root });
    if (py.status !== 0) failed = true;
  } else {
    console.log("compatibility suite skipped: python3 lacks boto3 or pytest");
  }
}
process.exit(failed ? 1 : 0);
