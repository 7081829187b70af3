/**
 * The `orgsim` command as users run it: `node bin/orgsim.js start --seed examples/org.yaml` in its
 * own process, then the verbs against it over the control API, with output for people and the
 * exit codes (0 done, 1 server refused/failed or unreachable, 2 usage, 3 explain DENIED); help,
 * version, mistakes named with the nearest option, and JSON lines.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnOrgsim, runNode, BIN, type Run, type ServerProcess } from "./helpers/process.js";
import { VERBS } from "../src/cli.js";
import { nearest, parseArgs, type OptionSpec } from "../src/cli/args.js";
import { DEFAULT_SETTINGS, SETTING_OPTIONS, envName, flagName } from "../src/config.js";

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "org.yaml");

let server: ServerProcess;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgsim-cli-"));
  server = await spawnOrgsim(["--quiet", "--seed", EXAMPLE]);
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `node bin/orgsim.js ...args` to completion. */
const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> =>
  runNode([BIN, ...args], { env: { ORGSIM_ENDPOINT: "", ...env } });

/** A verb against the test server. */
const orgsim = (...args: string[]) => run([...args, "--endpoint", server.endpoint]);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test("start --seed applies the file before serving and says what it built", async () => {
  assert.match(server.output(), /^orgsim listening on http:\/\/127\.0\.0\.1:\d+/, "the first line is still the listening line");
  // The seed's summary follows the listening line.
  for (let i = 0; i < 100 && !server.output().includes("seeded"); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(
    server.output(),
    /seeded .*org\.yaml: organization o-[0-9a-z]+ \(management 111111111111, root r-[0-9a-z]+\): 6 OUs, 6 member accounts, 3 policies/,
  );
  const out = await orgsim("export");
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /managementEmail: aws-management@example\.com/);
  assert.match(out.stdout, /id: "555555555555"\n\s+name: payments-prod/);
});

test("orgsim clock, clock advance 4d: the virtual clock in words (ORGSIM_ENDPOINT works as --endpoint)", async () => {
  const shown = await run(["clock"], { ORGSIM_ENDPOINT: server.endpoint });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^virtual time \d{4}-\d\d-\d\dT.*Z, no offset\n$/);
  const advanced = await orgsim("clock", "advance", "4d");
  assert.equal(advanced.code, 0, advanced.stderr);
  assert.match(advanced.stdout, /^clock advanced by 4 days: virtual time .*, offset \+4d \(4 days ahead of real time\)/);
  const json = await orgsim("clock", "--json");
  assert.equal((JSON.parse(json.stdout) as { offsetSeconds: number }).offsetSeconds, 4 * 86400);
});

test("orgsim account ready <id> / account show <id>", async () => {
  const before = await orgsim("account", "show", "666666666666");
  assert.equal(before.code, 0, before.stderr);
  assert.equal(
    before.stdout.trim(),
    "account 666666666666 is not ready to stand alone: support plan no, contact information no, payment method no",
  );
  const ready = await orgsim("account", "ready", "666666666666");
  assert.equal(
    ready.stdout.trim(),
    "account 666666666666 is ready to stand alone: support plan yes, contact information yes, payment method yes",
  );
});

test("orgsim explain: which SCP denies, at which level (exit code 3); the break-glass role is allowed (exit code 0)", async () => {
  const denied = await orgsim("explain", "555555555555", "organizations:LeaveOrganization");
  assert.equal(denied.code, 3, `DENIED exits 3 so scripts can test it: ${denied.stderr}`);
  const lines = denied.stdout.trim().split("\n");
  assert.match(
    lines[0]!,
    /^DENIED by p-[0-9a-z]+ \(DenyLeaveOrganization\) at r-[0-9a-z]+, statement DenyLeaveExceptBreakGlass: organizations:LeaveOrganization for account 555555555555$/,
  );
  assert.ok(
    lines.some((l) => /^ {2}ROOT +r-\S+ +denies: DenyLeaveOrganization/.test(l)),
    denied.stdout,
  );
  assert.ok(
    lines.some((l) => /^ {2}ACCOUNT +555555555555 +allows: FullAWSAccess/.test(l)),
    denied.stdout,
  );
  assert.match(denied.stdout, /AWS would answer: AccessDeniedException: User: arn:aws:iam::555555555555:root is not authorized/);

  const breakGlass = await orgsim(
    "explain",
    "555555555555",
    "organizations:LeaveOrganization",
    "--principal-arn",
    "arn:aws:iam::555555555555:role/BreakGlass",
  );
  assert.equal(breakGlass.code, 0, breakGlass.stderr);
  assert.match(
    breakGlass.stdout,
    /^ALLOWED by p-FullAWSAccess \(FullAWSAccess\): organizations:LeaveOrganization for account 555555555555/,
  );

  const management = await orgsim("explain", "111111111111", "organizations:LeaveOrganization");
  assert.equal(management.code, 0, management.stderr);
  assert.match(management.stdout, /^ALLOWED: .* - SCPs never restrict the management account\./);
  const deniedJson = await orgsim("explain", "555555555555", "organizations:LeaveOrganization", "--json");
  assert.equal(deniedJson.code, 3, "--json keeps the exit code");
  assert.equal((JSON.parse(deniedJson.stdout) as { allowed: boolean }).allowed, false);
});

test("orgsim events: one readable line per event, newest first, filtered by name", async () => {
  const out = await orgsim("events", "--event-name", "CreateAccount");
  assert.equal(out.code, 0, out.stderr);
  const lines = out.stdout.trim().split("\n");
  assert.equal(lines.length, 5, out.stdout);
  for (const line of lines)
    assert.match(
      line,
      /^\d{4}-\d\d-\d\dT\S+Z {2}CreateAccount +by 111111111111 {2}o-[0-9a-z]+ {2}createAccountRequestId=car-\S+ accountName=\S+$/,
    );
});

test("orgsim seed FILE: an invalid file is refused with file:line:col and exit code 1; a valid one adds to the state", async () => {
  const bad = file("bad.yaml", 'organizations:\n  - management: "222222222299"\n    policyTypes: [SCP]\n');
  const refused = await orgsim("seed", bad);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /the seed was not applied/);
  assert.ok(
    refused.stderr.includes(`${bad}:3:19: organizations[0].policyTypes[0]: expected one of SERVICE_CONTROL_POLICY`),
    refused.stderr,
  );

  const failing = file("failing.yaml", 'organizations:\n  - management: "111111111111"\n');
  const conflict = await orgsim("seed", failing);
  assert.equal(conflict.code, 1);
  assert.ok(conflict.stderr.includes(`${failing}:2:17: organizations[0].management: AlreadyInOrganizationException`), conflict.stderr);

  const good = file("good.yaml", 'organizations:\n  - management: "222222222299"\n    ous: [{ name: Extra }]\n');
  const applied = await orgsim("seed", good);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(
    applied.stdout,
    /^seeded .*good\.yaml: organization o-\S+ \(management 222222222299, root r-\S+\): 1 OU, 0 member accounts, 0 policies \(\d+ operations\)$/m,
  );
  const state = await orgsim("export");
  assert.match(state.stdout, /management: "111111111111"/, "the seed added to the state");
  assert.match(state.stdout, /management: "222222222299"/);
});

test("orgsim export > state.yaml, reset, seed state.yaml: the state comes back", async () => {
  const before = await orgsim("export");
  const saved = file("state.yaml", before.stdout);
  const reset = await orgsim("reset");
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /state reset/);
  assert.equal((await orgsim("export")).stdout.trim().split("\n").pop(), "organizations: []");
  const restored = await orgsim("seed", saved, "--reset");
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal((await orgsim("export")).stdout, before.stdout);
});

test("exit code 2 for usage mistakes; 1 when the server can't be reached", async () => {
  for (const args of [
    ["frobnicate"],
    ["clock", "advance", "soon"],
    ["account", "ready", "12"],
    ["seed", join(dir, "missing.yaml")],
    ["explain", "555555555555"],
    [],
  ]) {
    const out = await orgsim(...args);
    assert.equal(out.code, 2, `orgsim ${args.join(" ")}: ${out.stdout}${out.stderr}`);
    assert.notEqual(out.stderr, "");
  }
  const unreachable = await run(["clock", "--endpoint", "http://127.0.0.1:9"]);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /cannot reach orgsim at http:\/\/127\.0\.0\.1:9 .*is it running\?/);
  const help = await run(["help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /orgsim seed <file>/);
});

test("start --seed with a broken file exits 1 with the problem's line, before listening", async () => {
  const bad = file("start-bad.yaml", 'organizations:\n  - management: "111111111111"\n    ous:\n      - nme: Oops\n');
  const out = await run(["start", "--port", "0", "--quiet", "--seed", bad]);
  assert.equal(out.code, 1);
  assert.doesNotMatch(out.stdout, /listening/);
  assert.ok(out.stderr.includes(`${bad}:4:9: organizations[0].ous[0].nme: unknown key "nme" in an OU; did you mean "name"?`), out.stderr);
});

/** The line after "listening on" may arrive a moment after it. */
async function outputMatching(server: ServerProcess, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 100 && !pattern.test(server.output()); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(server.output(), pattern);
}

test("start --seed on a persistent --data file seeds the first start and keeps the state on a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orgsim-seed-"));
  const file = join(dir, "state.db");
  try {
    const first = await spawnOrgsim(["--data", file, "--seed", EXAMPLE, "--quiet"]);
    const exported = await (await fetch(`${first.endpoint}/_orgsim/export`)).text();
    await outputMatching(first, /seeded /);
    assert.equal(await first.stop(), 0);
    const second = await spawnOrgsim(["--data", file, "--seed", EXAMPLE, "--quiet"]);
    try {
      await outputMatching(second, /not applied: the state already holds organizations/);
      assert.equal(await (await fetch(`${second.endpoint}/_orgsim/export`)).text(), exported);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// The command line's own promises: version, help, usage mistakes, exit codes, JSON lines

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json"), "utf8")) as { version: string }
).version;

test("orgsim --version and -v print package.json's version; /_orgsim/health and the console show it too", async () => {
  for (const flag of ["--version", "-v"]) {
    const out = await run([flag]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, `${PACKAGE_VERSION}\n`);
  }
  const health = (await (await fetch(`${server.endpoint}/_orgsim/health`)).json()) as { status: string; version: string };
  assert.equal(health.version, PACKAGE_VERSION);
  const page = await (await fetch(`${server.endpoint}/_orgsim/console`)).text();
  assert.match(page, new RegExp(`id="orgsim-version"[^>]*>v${PACKAGE_VERSION.replaceAll(".", "\\.")}<`));
  assert.doesNotMatch(page, /\{\{ORGSIM_VERSION\}\}/);
});

test("--help on every verb, and orgsim help <verb>, print that verb's usage and exit 0 without starting anything", async () => {
  for (const verb of VERBS) {
    for (const args of [
      [...verb.words, "--help"],
      [...verb.words, "-h"],
      ["help", ...verb.words],
    ]) {
      const out = await run(args);
      const shown = `orgsim ${args.join(" ")}: ${out.stdout}${out.stderr}`;
      assert.equal(out.code, 0, shown);
      assert.match(out.stdout, new RegExp(`^usage: orgsim ${verb.words.join(" ")}`, "m"), shown);
      assert.doesNotMatch(out.stdout, /^orgsim listening on/m, shown);
      for (const option of verb.options)
        assert.ok(out.stdout.includes(`--${option.negatable ? "[no-]" : ""}${option.name}`), `${shown}\nlacks --${option.name}`);
    }
  }
  // --help wins over everything else on the line, even a mistake.
  const mixed = await run(["start", "--port", "0", "--prot", "--help"]);
  assert.equal(mixed.code, 0, mixed.stderr);
  assert.match(mixed.stdout, /^usage: orgsim start \[options\]/);
  assert.match(
    mixed.stdout,
    /--port N +listen port.*\[ORGSIM_PORT, default 4599\]/,
    "start's usage comes from the settings table, with env names and defaults",
  );
  const group = await run(["account", "--help"]);
  assert.equal(group.code, 0, group.stderr);
  assert.match(group.stdout, /usage: orgsim account ready <id>[\s\S]*usage: orgsim account show <id>/);
});

/** A real option of the verb with two neighbouring letters swapped: --port -> --prot. */
function typo(name: string): string {
  return name.length < 3 ? `${name}x` : `${name[0]}${name[2]}${name[1]}${name.slice(3)}`;
}

test("an unknown or mistyped option exits 2 and names it and the nearest real one, for every verb", async () => {
  for (const verb of VERBS) {
    const option = verb.client ? { name: "endpoint" } : verb.options.find((o) => o.name === "port")!;
    const wrong = typo(option.name);
    const args = [
      ...verb.words,
      ...verb.args.map((a) => (a === "<id>" || a === "<account>" ? "555555555555" : a === "<duration>" ? "1h" : "x")),
      `--${wrong}`,
      "v",
    ];
    const out = await orgsimUnstarted(args);
    assert.equal(out.code, 2, `orgsim ${args.join(" ")}: ${out.stdout}${out.stderr}`);
    assert.ok(out.stderr.includes(`unknown option --${wrong}; did you mean --${option.name}?`), `orgsim ${args.join(" ")}: ${out.stderr}`);
  }
  const start = await run(["start", "--prot", "4599"]);
  assert.equal(start.code, 2);
  assert.match(start.stderr, /^orgsim: unknown option --prot; did you mean --port\?\n/);
  assert.doesNotMatch(start.stdout, /listening/);
  const far = await run(["start", "--frobnicate"]);
  assert.equal(far.code, 2);
  assert.match(far.stderr, /^orgsim: unknown option --frobnicate\n/, "no suggestion when nothing is close");
  const verb = await run(["acount", "show", "555555555555"]);
  assert.equal(verb.code, 2);
  assert.match(verb.stderr, /unknown command "acount"; did you mean "orgsim account"\?/);
  const sub = await run(["clock", "advnce", "4d"]);
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /did you mean "orgsim clock advance"\?/);
});

/** A verb pointed at a port where nothing listens: a usage mistake must be reported before any request. */
const orgsimUnstarted = (args: string[]) => run([...args, "--endpoint", "http://127.0.0.1:9"]);

test("a missing argument names it; a missing option value names the option (exit code 2)", async () => {
  const cases: [string[], RegExp][] = [
    [["account", "ready"], /^orgsim: account ready: missing <id>\n/],
    [["account", "show"], /^orgsim: account show: missing <id>\n/],
    [["explain", "555555555555"], /^orgsim: explain: missing <action>\n/],
    [["explain"], /^orgsim: explain: missing <account> <action>\n/],
    [["clock", "advance"], /^orgsim: clock advance: missing <duration>\n/],
    [["seed"], /^orgsim: seed: missing <file>\n/],
    [["account"], /^orgsim: orgsim account needs one of: ready <id>, show <id>\n/],
    [["start", "--port"], /^orgsim: option --port needs a value \(--port N\)\n/],
    [["start", "--port", "--quiet"], /^orgsim: option --port needs a value/],
    [["events", "--event-name"], /^orgsim: option --event-name needs a value \(--event-name NAME\)\n/],
    [["clock", "--endpoint"], /^orgsim: option --endpoint needs a value \(--endpoint URL\)\n/],
    [["reset", "now"], /^orgsim: reset: unexpected argument "now"\n/],
  ];
  for (const [args, pattern] of cases) {
    const out = await run(args);
    assert.equal(out.code, 2, `orgsim ${args.join(" ")}: ${out.stdout}${out.stderr}`);
    assert.match(out.stderr, pattern, `orgsim ${args.join(" ")}`);
    assert.match(out.stderr, /\nusage: orgsim /, "the verb's usage line follows");
  }
});

test("start on a port that is taken exits 1 with one line that names the port and --port (no stack trace)", async () => {
  const port = new URL(server.endpoint).port;
  const out = await run(["start", "--port", port, "--quiet"]);
  assert.equal(out.code, 1, out.stdout + out.stderr);
  assert.equal(out.stdout, "");
  assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
  assert.match(out.stderr, new RegExp(`^orgsim: cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} is already in use .*--port`));
  assert.doesNotMatch(out.stderr, /\n\s+at /);
});

test("--log-format json: every line orgsim prints is JSON, the start banner (with url) and the seed summary included", async () => {
  const json = await spawnOrgsim(["--log-format", "json", "--seed", EXAMPLE]);
  try {
    await outputMatching(json, /"seed":/);
    // A call, so the per-call line is there too.
    await fetch(`${json.endpoint}/_orgsim/clock`);
    await outputMatching(json, /\n.*\n/);
    const lines = json.output().trim().split("\n");
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`not JSON: ${line}`);
      }
    });
    assert.equal(parsed[0]!.url, json.endpoint, "the first line is a JSON object with the url");
    assert.equal(parsed[0]!.port, Number(new URL(json.endpoint).port));
    assert.equal(parsed[0]!.level, "info");
    assert.match(String(parsed[0]!.msg), /^orgsim listening on http:\/\/127\.0\.0\.1:\d+ \(in-memory SQLite\)$/);
    assert.equal(parsed[0]!.version, PACKAGE_VERSION);
    assert.match(String(parsed[1]!.msg), /^seeded .*org\.yaml: organization o-/);
  } finally {
    await json.stop();
  }
  const port = new URL(server.endpoint).port;
  const failed = await run(["start", "--port", port, "--log-format", "json"]);
  assert.equal(failed.code, 1);
  const line = JSON.parse(failed.stderr) as { level: string; msg: string };
  assert.equal(line.level, "error");
  assert.match(line.msg, /port \d+ is already in use/);
});

test("the default port is 4599 (LocalStack has 4566), for start and for the verbs' endpoint", async () => {
  assert.equal(DEFAULT_SETTINGS.port, 4599);
  const help = await run(["help"]);
  assert.match(help.stdout, /then http:\/\/127\.0\.0\.1:4599\)/);
  assert.doesNotMatch(help.stdout, /4566/);
});

test("the option grammar every verb shares: --name=value, switches with --no-, --, repeatable options, nearest names", () => {
  const options: OptionSpec[] = [
    { name: "port", value: "N", help: "" },
    { name: "control-api", negatable: true, help: "" },
    { name: "allow-host", value: "HOST", repeatable: true, help: "" },
  ];
  const parsed = parseArgs(["--port=0", "--no-control-api", "--allow-host", "a.test", "--allow-host=b.test", "x", "--", "--port"], options);
  assert.deepEqual(
    [...parsed.options],
    [
      ["port", "0"],
      ["control-api", false],
      ["allow-host", "a.test,b.test"],
    ],
  );
  assert.deepEqual(parsed.positionals, ["x", "--port"], "after --, everything is an argument");
  assert.throws(() => parseArgs(["--no-port"], options), /unknown option --no-port \(--port takes a value: --port N\)/);
  assert.throws(() => parseArgs(["--no-contrl-api"], options), /unknown option --no-contrl-api; did you mean --no-control-api\?/);
  assert.throws(() => parseArgs(["--control-api=maybe"], options), /--control-api is a switch/);
  assert.equal(nearest("prot", ["port", "host"]), "port");
  assert.equal(nearest("allow", ["allow-host", "port"]), "allow-host", "a unique prefix");
  assert.equal(nearest("zzzz", ["port", "host"]), undefined);
});

test("Promise: the README's configuration table lists every start option with its ORGSIM_* variable", () => {
  const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("## Configuration"));
  const rows = table
    .slice(0, table.indexOf("\n## ", 5))
    .split("\n")
    .filter((line) => line.startsWith("| `--"));
  for (const key of Object.keys(SETTING_OPTIONS) as (keyof typeof SETTING_OPTIONS)[]) {
    const flag = flagName(key);
    const row = rows.find((r) => r.startsWith(`| \`--${flag}`) || r.startsWith(`| \`--no-${flag}`));
    assert.ok(row, `README's configuration table has a row for --${flag}`);
    assert.ok(row.includes(envName(key)), `its row names ${envName(key)}`);
  }
});
