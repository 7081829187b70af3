#!/usr/bin/env node
// The package as a user gets it: `npm pack` (prepack builds it), then in an empty temporary
// folder `npm install <tarball> --omit=dev` and
//   - `npx orgsim --version` prints package.json's version;
//   - `npx orgsim start --port 0` prints its address on the first line; a real call with the AWS
//     CLI v1 (create-organization) succeeds; health and the console name the version; SIGTERM stops it;
//   - `require("orgsim")` and `import("orgsim")` each start an in-process orgsim;
//   - the types resolve for both (a .cts and a .mts consumer, type-checked by the repo's tsc);
//   - the pytest plugin shipped in the package runs the README's pytest example;
//   - the tarball holds no tests, benchmarks, sources or source maps, and holds the start-up
//     bundle (dist/bundle/) that bin/orgsim.js runs, so `npx orgsim start` above ran it.
// Run by .ci/run; takes a minute or two (better-sqlite3 may compile on install).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
const work = mkdtempSync(join(tmpdir(), "orgsim-package-"));
const app = join(work, "app");
const keep = process.env.ORGSIM_KEEP_CHECK_DIR === "1";

function step(what) {
  console.log(`== ${what}`);
}

function fail(message) {
  console.error(`check-package: ${message}`);
  process.exit(1);
}

/** Runs a command to completion; fails the check on a non-zero exit. */
function run(cmd, args, options = {}) {
  const { fullEnv, ...rest } = options;
  const done = spawnSync(cmd, args, { cwd: app, encoding: "utf8", ...rest, env: fullEnv ?? { ...process.env, ...options.env } });
  if (done.status !== 0)
    fail(`${cmd} ${args.join(" ")} exited with ${done.status ?? done.signal}\n${done.stdout ?? ""}${done.stderr ?? ""}`);
  return done.stdout ?? "";
}

try {
  step("npm pack");
  const packed = JSON.parse(
    run("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, stdio: ["ignore", "pipe", "inherit"] }),
  );
  const files = packed[0].files.map((f) => f.path);
  const tarball = join(work, packed[0].filename);
  const unwanted = files.filter(
    (f) =>
      /^(test|bench|src|scripts|docs|\.ci)\/|^dist\/(test|bench)\/|\.map$/.test(f) || (/\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f)),
  );
  if (unwanted.length > 0) fail(`the tarball holds files users don't need: ${unwanted.join(", ")}`);
  for (const needed of [
    "bin/orgsim.js",
    "dist/bundle/orgsim.cjs",
    "dist/src/cli.js",
    "dist/src/index.js",
    "dist/src/index.d.ts",
    "dist/src/cjs/index.cjs",
    "dist/src/cjs/index.d.cts",
    "console/index.html",
    "console/app.js",
    "model/organizations-2016-11-28.json",
    "python/orgsim_pytest.py",
    "LICENSE",
    "NOTICE",
  ]) {
    if (!files.includes(needed)) fail(`the tarball lacks ${needed}`);
  }
  console.log(`${files.length} files, ${packed[0].size} bytes`);

  step("npm install <tarball> --omit=dev in an empty folder");
  mkdirSync(app);
  run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", tarball], { stdio: ["ignore", "inherit", "inherit"] });
  const devDependencies = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies ?? {});
  for (const dev of devDependencies) if (existsSync(join(app, "node_modules", dev))) fail(`a development dependency was installed: ${dev}`);

  step("npx orgsim --version");
  const shown = run("npx", ["orgsim", "--version"]).trim();
  if (shown !== version) fail(`npx orgsim --version printed ${JSON.stringify(shown)}, expected ${version}`);

  step("npx orgsim start --port 0, then the AWS CLI against it");
  await checkServer();

  step('require("orgsim") and import("orgsim")');
  const probe = (entry) => `
    const sim = await startOrgsim({ port: 0, quiet: true });
    const health = await (await fetch(sim.endpoint + "/_orgsim/health")).json();
    await sim.close();
    if (health.version !== ${JSON.stringify(version)}) throw new Error("health: " + JSON.stringify(health));
    console.log("${entry} ok " + sim.endpoint);`;
  console.log(
    run("node", [
      "-e",
      `const { startOrgsim } = require("orgsim"); (async () => { ${probe("require")} })().catch((e) => { console.error(e); process.exit(1); });`,
    ]).trim(),
  );
  console.log(run("node", ["--input-type=module", "-e", `import { startOrgsim } from "orgsim"; ${probe("import")}`]).trim());

  step("types for require and import (tsc, strict, no skipLibCheck)");
  checkTypes();

  step("the pytest plugin from the package, with the README's example");
  checkPytest();

  console.log("check-package: the packed orgsim installs, starts, answers and loads from ESM and CommonJS");
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}

/** `npx orgsim start --port 0`: its first line, a real call, health, console, and a clean stop. */
async function checkServer() {
  const child = spawn("npx", ["orgsim", "start", "--port", "0"], { cwd: app, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  const stopGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  try {
    const firstLine = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address line within 60 s: ${out}${err}`)), 60_000);
      child.stdout.on("data", () => {
        if (out.includes("\n")) {
          clearTimeout(timer);
          resolve(out.split("\n")[0]);
        }
      });
      child.once("exit", (code) => reject(new Error(`npx orgsim start exited with ${code}: ${out}${err}`)));
    });
    const match = /^orgsim listening on (http:\/\/127\.0\.0\.1:(\d+)) \(in-memory SQLite\)$/.exec(firstLine);
    if (!match) fail(`unexpected first line: ${firstLine}`);
    const endpoint = match[1];
    const env = {
      AWS_ACCESS_KEY_ID: "111111111111",
      AWS_SECRET_ACCESS_KEY: "x",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    const created = JSON.parse(
      run("aws", ["--endpoint-url", endpoint, "organizations", "create-organization", "--feature-set", "ALL", "--output", "json"], { env }),
    );
    if (created.Organization?.MasterAccountId !== "111111111111") fail(`create-organization answered ${JSON.stringify(created)}`);
    console.log(`create-organization: ${created.Organization.Id}`);
    const health = await (await fetch(`${endpoint}/_orgsim/health`)).json();
    if (health.version !== version) fail(`/_orgsim/health: ${JSON.stringify(health)}`);
    const page = await (await fetch(`${endpoint}/_orgsim/console`)).text();
    if (!page.includes(`v${version}`)) fail("the console page does not show the version");
    stopGroup("SIGTERM");
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("timeout"), 15_000))]);
    if (code === "timeout") fail("npx orgsim start did not stop on SIGTERM");
  } finally {
    stopGroup("SIGKILL");
  }
}

function checkTypes() {
  const types = join(app, "types");
  mkdirSync(types);
  const body = (how) => `
const sim: Orgsim = await startOrgsim({ port: 0, quiet: true, seed: "organizations: []" });
const endpoint: string = sim.endpoint;
const seeded: SeedResult | undefined = sim.seeded;
// @ts-expect-error: port is a number
await startOrgsim({ port: "4599" });
await sim.close();
export const checked = [endpoint, seeded, "${how}"];
`;
  writeFileSync(
    join(types, "consumer.mts"),
    `import { startOrgsim, OrgsimError, type Orgsim, type SeedResult } from "orgsim";\nexport const error = OrgsimError;\n${body("import")}`,
  );
  writeFileSync(
    join(types, "consumer.cts"),
    `import { startOrgsim, load, type Orgsim, type SeedResult } from "orgsim";\nexport async function main() {\nconst { OrgsimError } = await load();\n${body("require").replace(/^export const checked = /m, "return ")}void OrgsimError;\n}\n`,
  );
  writeFileSync(
    join(types, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [join(root, "node_modules", "@types")],
      },
      files: ["consumer.mts", "consumer.cts"],
    }),
  );
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  run("node", [tsc, "-p", join(types, "tsconfig.json")], { cwd: types });
}

function checkPytest() {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = /```python\n(# test_orgs\.py[\s\S]*?)```/.exec(readme);
  if (!block) fail("README.md has no ```python block starting with # test_orgs.py");
  const dir = join(app, "pytest");
  mkdirSync(dir);
  writeFileSync(join(dir, "test_orgs.py"), block[1]);
  // As the README says to run it; no ORGSIM_* or AWS_* setting of this shell leaks in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("ORGSIM_") && !key.startsWith("AWS_")));
  Object.assign(env, { PYTHONPATH: join(app, "node_modules", "orgsim", "python"), PYTHONDONTWRITEBYTECODE: "1" });
  console.log(
    run("python3", ["-m", "pytest", "-q", "-p", "orgsim_pytest", "-p", "no:cacheprovider", dir], { cwd: dir, fullEnv: env })
      .trim()
      .split("\n")
      .pop(),
  );
}
