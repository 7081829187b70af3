/**
 * orgsim promise: the test suite's output is the tests' own. The AWS SDK prints a notice on
 * Node.js 20 (its releases after January 2027 need Node.js 22) once per process that makes a
 * client, so once per test file: the helpers turn it off with AWS's documented switch.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./helpers/server.js";

test("orgsim promise: making SDK clients through the test helpers prints no SDK notice", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  const s = await startTestServer();
  try {
    s.orgs();
    s.sts();
    s.account();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    process.off("warning", onWarning);
    await s.close();
  }
  assert.deepEqual(
    warnings.filter((w) => /AWS SDK/.test(w)),
    [],
  );
});
