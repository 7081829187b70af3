/**
 * `orgsim start` as users run it, beyond loopback: the warning that names what is reachable
 * (text, or a JSON line with --log-format json), the Host check on every interface, and the
 * CLI verbs presenting --control-token / $ORGSIM_CONTROL_TOKEN.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { spawnOrgsim, runNode, BIN, type Run, type ServerProcess } from "./helpers/process.js";
import { web } from "./helpers/web.js";
import { exposureOf, exposureText } from "../src/http/exposure.js";
import { DEFAULT_SETTINGS } from "../src/config.js";

const TOKEN = "start-test-token-0123456789abcdef";

/** Waits until the process has printed `needle` (the warning follows the listening line), or fails with the output. */
async function printed(server: ServerProcess, needle: string | RegExp): Promise<string> {
  for (let i = 0; i < 250; i++) {
    const out = server.output();
    if (typeof needle === "string" ? out.includes(needle) : needle.test(out)) return out;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the process never printed ${String(needle)}:\n${server.output()}`);
}

const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> =>
  runNode([BIN, ...args], { env: { ORGSIM_ENDPOINT: "", ORGSIM_CONTROL_TOKEN: "", ...env } });

test("Rule (binding beyond loopback): start --host 0.0.0.0 warns on stderr that the AWS APIs (without authentication), the control API and the console are reachable, and how to close each", async () => {
  const server = await spawnOrgsim(["--host", "0.0.0.0", "--quiet"]);
  try {
    const out = await printed(server, "docs/security.md");
    assert.match(
      out,
      /orgsim: WARNING: listening on 0\.0\.0\.0 \(every network interface\), port \d+, not only on this machine's loopback/,
    );
    assert.match(out, /the AWS APIs .* without authentication \(--strict-auth/);
    assert.match(out, /the control API \(\/_orgsim\/\).*without a token \(--control-token requires one; --no-control-api turns it off\)/);
    assert.match(out, /the console \(\/_orgsim\/console\)/);
    assert.match(out, /--allow-host adds names/);
    // The Host check on every interface: the machine's own name and its interface addresses pass, a foreign name does not.
    const port = new URL(server.endpoint).port;
    const endpoint = `http://127.0.0.1:${port}`;
    assert.equal((await web(endpoint, { path: "/_orgsim/clock", headers: { host: `${hostname()}:${port}` } })).status, 200, hostname());
    for (const a of Object.values(networkInterfaces()).flat()) {
      if (!a || a.family !== "IPv4") continue;
      assert.equal((await web(endpoint, { path: "/_orgsim/clock", headers: { host: `${a.address}:${port}` } })).status, 200, a.address);
    }
    const rebound = await web(endpoint, { path: "/_orgsim/clock", headers: { host: "attacker.example" } });
    assert.equal(rebound.status, 403);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test("Rule (binding beyond loopback): with --log-format json the warning is one JSON line (level warn, what is reachable); --strict-auth and --control-token change what it says", async () => {
  const server = await spawnOrgsim(["--host", "0.0.0.0", "--log-format", "json", "--strict-auth", "--control-token", TOKEN]);
  try {
    const out = await printed(server, /"level":"warn"/);
    const line = out.split("\n").find((l) => l.includes('"level":"warn"'))!;
    const warning = JSON.parse(line) as { level: string; msg: string; reachable: string[]; notes: string[] };
    assert.equal(warning.level, "warn");
    assert.match(warning.msg, /0\.0\.0\.0/);
    assert.ok(
      warning.reachable.some((r) => /credentials orgsim issued/.test(r)),
      "strict auth named",
    );
    assert.ok(
      warning.reachable.some((r) => /with the control token only/.test(r)),
      "the token named",
    );
    assert.ok(!out.includes(TOKEN), "the token itself is never printed");
  } finally {
    await server.stop();
  }
});

test("Rule (binding beyond loopback): the default loopback start prints no warning; --no-control-api says the control API is off", async () => {
  const quiet = await spawnOrgsim(["--quiet"]);
  try {
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!quiet.output().includes("WARNING"), quiet.output());
  } finally {
    await quiet.stop();
  }
  // The text itself, for the settings a start can't show cheaply.
  const off = exposureOf({ ...DEFAULT_SETTINGS, host: "::", controlApi: false }, 4599)!;
  assert.match(exposureText(off), /The control API and the console are off \(--no-control-api\)/);
  assert.ok(!exposureText(off).includes("the console (/_orgsim/console)"));
  assert.match(exposureText(exposureOf({ ...DEFAULT_SETTINGS, allowHosts: ["*"] }, 4599)!), /Host check is off \(--allow-host \*\)/);
  assert.equal(exposureOf({ ...DEFAULT_SETTINGS, host: "localhost" }, 4599), undefined);
  assert.equal(exposureOf({ ...DEFAULT_SETTINGS, host: "127.0.0.2" }, 4599), undefined);
  assert.ok(exposureOf({ ...DEFAULT_SETTINGS, host: "192.168.1.5" }, 4599));
});

test("Rule (--control-token): the CLI verbs present --control-token or $ORGSIM_CONTROL_TOKEN; without it they fail with exit 1 and say what is missing", async () => {
  const server = await spawnOrgsim(["--quiet", "--control-token", TOKEN]);
  const dir = mkdtempSync(join(tmpdir(), "orgsim-token-"));
  try {
    const endpoint = ["--endpoint", server.endpoint];
    const refused = await run(["clock", ...endpoint]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /401 ControlTokenRequired/);
    assert.match(refused.stderr, /--control-token/);
    const wrong = await run(["reset", ...endpoint, "--control-token", "wrong-wrong-wrong-wrong"]);
    assert.equal(wrong.code, 1);

    const flag = await run(["clock", "advance", "1h", ...endpoint, "--control-token", TOKEN]);
    assert.equal(flag.code, 0, flag.stderr);
    assert.match(flag.stdout, /clock advanced by 1 hour/);
    const fromEnv = await run(["clock", ...endpoint], { ORGSIM_CONTROL_TOKEN: TOKEN });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(fromEnv.stdout, /offset \+1h/);

    const seedFile = join(dir, "org.yaml");
    writeFileSync(seedFile, 'organizations:\n  - management: "111111111111"\n    ous: [{ name: Prod }]\n');
    const seeded = await run(["seed", seedFile, ...endpoint], { ORGSIM_CONTROL_TOKEN: TOKEN });
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.match(seeded.stdout, /seeded .*org\.yaml: organization o-/);
    const exported = await run(["export", ...endpoint, "--control-token", TOKEN]);
    assert.match(exported.stdout, /name: Prod/);
    const reset = await run(["reset", ...endpoint], { ORGSIM_CONTROL_TOKEN: TOKEN });
    assert.equal(reset.code, 0, reset.stderr);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
