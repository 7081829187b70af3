#!/usr/bin/env node
// The Dockerfile's steps, performed without Docker (CI has no Docker engine), so the file can't
// rot unnoticed. It reads ./Dockerfile, not a copy of its commands:
//
//   - the build context is a clean copy of the repository (git's tracked and untracked files,
//     minus .gitignore and .dockerignore), so nothing built locally leaks in;
//   - every stage gets a scratch folder standing for its file system: WORKDIR creates and enters
//     a folder, COPY copies from the context or (--from) another stage, RUN runs its commands
//     with sh in the stage's folder, with absolute paths (/orgsim, /data) taken inside it. A
//     RUN's `&&`-separated commands that change the OS image (apt-get, apk, chown, useradd) are
//     skipped: the CI image has those tools, and there is no image to change;
//   - the final stage must have a non-root USER, a VOLUME holding ORGSIM_DATA, EXPOSE equal to
//     ORGSIM_PORT, a HEALTHCHECK and a CMD. Its CMD is started with its ENV (on a free port in
//     place of the fixed one), the HEALTHCHECK command must pass, the AWS CLI creates an
//     organization, SIGTERM must stop it with exit code 0, and a restart finds the organization
//     again in the volume;
//   - compose.yaml: its orgsim services are started the same way, with their environment but the
//     database URL pointed at a fresh database on the local PostgreSQL (ORGSIM_TEST_DATABASE_URL,
//     default postgres://postgres@127.0.0.1:5432/postgres), and must share one state.
//
// Supported instructions: FROM, WORKDIR, COPY, RUN, ENV, USER, VOLUME, EXPOSE, HEALTHCHECK, CMD;
// any other fails the check (teach this script first). Run by .ci/run; takes a few minutes.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(join(tmpdir(), "orgsim-dockerfile-"));
const keep = process.env.ORGSIM_KEEP_CHECK_DIR === "1";
const children = new Set();

function fail(message) {
  console.error(`check-dockerfile: ${message}`);
  for (const child of children) stopGroup(child, "SIGKILL");
  if (!keep) rmSync(work, { recursive: true, force: true });
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Reading the Dockerfile

/** Instructions with continuation lines joined and comments dropped: [{ op, args, line }]. */
export function readDockerfile(text) {
  const out = [];
  let current = "";
  let startLine = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (current === "" && (line === "" || line.startsWith("#"))) return;
    if (current !== "" && line.startsWith("#")) return;
    if (current === "") startLine = i + 1;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      return;
    }
    current += line;
    const [, op, args] = /^(\S+)\s*(.*)$/s.exec(current);
    out.push({ op: op.toUpperCase(), args: args.trim(), line: startLine });
    current = "";
  });
  return out;
}

/** Leading --name=value flags of an instruction, and the rest. */
function flagsOf(args) {
  const flags = {};
  let rest = args;
  for (;;) {
    const m = /^--([\w-]+)=(\S+)\s+/.exec(rest);
    if (!m) break;
    flags[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

/** ENV k=v k2="v 2" (or the legacy ENV k v). */
function parseEnv(args) {
  const env = {};
  if (!/^[\w.-]+=/.test(args)) {
    const [k, ...v] = args.split(/\s+/);
    env[k] = v.join(" ");
    return env;
  }
  for (const m of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) env[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
  return env;
}

const execForm = (text, where) => {
  try {
    const value = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  } catch {
    // fall through
  }
  return fail(`${where}: use the exec form ["cmd", "arg", ...] (the check runs it without a shell)`);
};

// ---------------------------------------------------------------------------------------------
// The build context: a clean copy

function dockerignore() {
  const file = join(root, ".dockerignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map(
      (p) =>
        new RegExp(
          `^${p
            .replace(/^\/+|\/+$/g, "")
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*\*/g, "\u0000")
            .replace(/\*/g, "[^/]*")
            .replace(/\u0000/g, ".*")
            .replace(/\?/g, "[^/]")}(/|$)`,
        ),
    );
}

function cleanContext() {
  const dir = join(work, "context");
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  if (listed.status !== 0) fail(`git ls-files failed: ${listed.stderr}`);
  const ignored = dockerignore();
  let count = 0;
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    if (ignored.some((re) => re.test(file)) || !existsSync(join(root, file)) || statSync(join(root, file)).isDirectory()) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
    count++;
  }
  console.log(`context: ${count} files (a clean copy of the repository)`);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Stages

/** Skipped commands: they change the OS image, which the check does not have. */
const SYSTEM_COMMANDS = /^(apt-get|apt|apk|chown|useradd|adduser|groupadd|addgroup|yum|dnf)\b/;

class Stage {
  constructor(index, image, name) {
    this.index = index;
    this.image = image;
    this.name = name;
    this.root = join(work, "stages", String(index));
    this.cwd = "/";
    this.env = {};
    this.user = "root";
    this.volumes = [];
    this.expose = [];
    this.healthcheck = undefined;
    this.cmd = undefined;
    mkdirSync(this.root, { recursive: true });
  }

  /** An image path (absolute, or relative to WORKDIR) as a path on this machine. */
  host(path) {
    const abs = posix.resolve(this.cwd, path);
    return join(this.root, abs);
  }

  /** Absolute paths in a command or value, moved inside the stage's folder. */
  rewrite(text) {
    return text.replace(/(^|[\s='"])(\/(?!\/)(?!dev\/null)[\w.@*/-]*)/g, (_, lead, path) => `${lead}${join(this.root, path)}`);
  }

  runEnv(extra = {}) {
    const env = { ...process.env };
    for (const [k, v] of Object.entries({ ...this.env, ...extra })) env[k] = this.rewrite(v);
    return env;
  }
}

function copy(stage, stages, context, instr) {
  const { flags, rest } = flagsOf(instr.args);
  const parts = rest.startsWith("[") ? execForm(rest, `COPY at line ${instr.line}`) : rest.split(/\s+/);
  const dest = parts.pop();
  let from = context;
  let fromStage;
  if (flags.from !== undefined) {
    fromStage = stages.find((s) => s.name === flags.from || String(s.index) === flags.from);
    if (!fromStage) fail(`COPY --from=${flags.from} at line ${instr.line}: no such stage`);
  }
  for (const src of parts) {
    if (/[*?[]/.test(src)) fail(`COPY at line ${instr.line}: wildcards are not supported by the check (${src})`);
    const source = fromStage ? join(fromStage.root, posix.resolve("/", src)) : join(from, src);
    if (!existsSync(source)) fail(`COPY at line ${instr.line}: ${src} does not exist`);
    const target = stage.host(dest);
    if (statSync(source).isDirectory()) {
      mkdirSync(target, { recursive: true });
      for (const entry of readdirSync(source))
        cpSync(join(source, entry), join(target, entry), { recursive: true, verbatimSymlinks: true });
    } else {
      const toDir = dest.endsWith("/") || parts.length > 1;
      const file = toDir ? join(target, basename(src)) : target;
      mkdirSync(dirname(file), { recursive: true });
      cpSync(source, file);
    }
  }
}

function run(stage, instr) {
  const command = instr.args.startsWith("[") ? execForm(instr.args, `RUN at line ${instr.line}`).join(" ") : instr.args;
  const kept = [];
  for (const part of command.split(/\s+&&\s+/)) {
    if (SYSTEM_COMMANDS.test(part.trim())) console.log(`   skipped (OS image): ${part.trim()}`);
    else kept.push(stage.rewrite(part.trim()));
  }
  if (kept.length === 0) return;
  const cwd = stage.host(".");
  mkdirSync(cwd, { recursive: true });
  const done = spawnSync("sh", ["-c", kept.join(" && ")], { cwd, env: stage.runEnv(), stdio: "inherit" });
  if (done.status !== 0) fail(`RUN at line ${instr.line} failed (exit ${done.status ?? done.signal}): ${command}`);
}

function build(instructions, context) {
  const stages = [];
  let stage;
  for (const instr of instructions) {
    console.log(
      `${String(instr.line).padStart(3)}: ${instr.op} ${instr.args.length > 110 ? `${instr.args.slice(0, 110)}...` : instr.args}`,
    );
    if (instr.op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instr.args);
      if (!m) fail(`FROM at line ${instr.line}: cannot read "${instr.args}"`);
      stage = new Stage(stages.length, m[1], m[2]);
      stages.push(stage);
      const major = /^node:(\d+)/.exec(m[1])?.[1];
      if (major && major !== process.versions.node.split(".")[0])
        console.log(`   note: the image has Node ${major}, this machine ${process.versions.node}`);
      continue;
    }
    if (!stage) fail(`line ${instr.line}: ${instr.op} before FROM`);
    switch (instr.op) {
      case "WORKDIR":
        stage.cwd = posix.resolve(stage.cwd, instr.args);
        mkdirSync(stage.host("."), { recursive: true });
        break;
      case "ENV":
        Object.assign(stage.env, parseEnv(instr.args));
        break;
      case "COPY":
        copy(stage, stages, context, instr);
        break;
      case "RUN":
        run(stage, instr);
        break;
      case "USER":
        stage.user = instr.args;
        break;
      case "VOLUME": {
        const volumes = instr.args.startsWith("[") ? execForm(instr.args, `VOLUME at line ${instr.line}`) : instr.args.split(/\s+/);
        stage.volumes.push(...volumes);
        for (const v of volumes) mkdirSync(stage.host(v), { recursive: true });
        break;
      }
      case "EXPOSE":
        stage.expose.push(...instr.args.split(/\s+/).map((p) => Number(p.split("/")[0])));
        break;
      case "HEALTHCHECK": {
        const { rest } = flagsOf(instr.args);
        if (!rest.startsWith("CMD ")) fail(`HEALTHCHECK at line ${instr.line}: expected HEALTHCHECK [--options] CMD [...]`);
        stage.healthcheck = execForm(rest.slice(4).trim(), `HEALTHCHECK at line ${instr.line}`);
        break;
      }
      case "CMD":
        stage.cmd = execForm(instr.args, `CMD at line ${instr.line}`);
        break;
      default:
        fail(`line ${instr.line}: the check cannot perform ${instr.op}; teach scripts/check-dockerfile.mjs first`);
    }
  }
  return stages;
}

// ---------------------------------------------------------------------------------------------
// Running the image's command

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function stopGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // gone
  }
}

/** Starts the CMD as the container would (its WORKDIR, its ENV and `extra`); resolves once it listens. */
async function startCmd(stage, extra, label) {
  const [cmd, ...args] = stage.cmd;
  const child = spawn(
    cmd,
    args.map((a) => stage.rewrite(a)),
    { cwd: stage.host("."), env: stage.runEnv(extra), detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(child);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: no listening line within 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (/listening on http:\/\//.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    child.once("exit", (code) => reject(new Error(`${label} exited with ${code}:\n${out}`)));
  }).catch((err) => fail(err.message));
  console.log(`   ${label}: ${out.split("\n")[0]}`);
  return {
    output: () => out,
    stop: async () => {
      stopGroup(child, "SIGTERM");
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 15_000))]);
      children.delete(child);
      stopGroup(child, "SIGKILL");
      return code;
    },
  };
}

function healthcheck(stage, extra) {
  const [cmd, ...args] = stage.healthcheck;
  const done = spawnSync(cmd, args, { cwd: stage.host("."), env: stage.runEnv(extra), encoding: "utf8", timeout: 10_000 });
  if (done.status !== 0) fail(`the HEALTHCHECK command failed (exit ${done.status ?? done.signal}): ${done.stderr}`);
}

function aws(port, ...args) {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "111111111111",
    AWS_SECRET_ACCESS_KEY: "x",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  const done = spawnSync("aws", ["--endpoint-url", `http://127.0.0.1:${port}`, "organizations", ...args, "--output", "json"], {
    env,
    encoding: "utf8",
  });
  if (done.status !== 0) fail(`aws organizations ${args.join(" ")} failed: ${done.stderr}`);
  return JSON.parse(done.stdout);
}

async function checkRuntime(stage) {
  if (!stage.user || stage.user === "root" || stage.user === "0") fail("the runtime stage must run as a non-root USER");
  if (!stage.cmd) fail("the runtime stage has no CMD");
  if (!stage.healthcheck) fail("the runtime stage has no HEALTHCHECK");
  if (!stage.cmd.includes("--host") || stage.cmd[stage.cmd.indexOf("--host") + 1] !== "0.0.0.0")
    fail('CMD must listen on every interface inside the container ("--host", "0.0.0.0")');
  const data = stage.env.ORGSIM_DATA;
  if (!data || !stage.volumes.some((v) => data.startsWith(`${v.replace(/\/$/, "")}/`)))
    fail(`ORGSIM_DATA (${data}) must lie in a VOLUME (${stage.volumes.join(", ")})`);
  if (!stage.expose.includes(Number(stage.env.ORGSIM_PORT)))
    fail(`EXPOSE (${stage.expose.join(", ")}) must include ORGSIM_PORT (${stage.env.ORGSIM_PORT})`);
  for (const dev of Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies ?? {})) {
    if (existsSync(join(stage.host("."), "node_modules", dev))) fail(`the runtime has the development dependency ${dev}`);
  }
  for (const absent of ["src", "test", "bench", "dist/test"])
    if (existsSync(join(stage.host("."), absent))) fail(`the runtime has ${absent}/`);

  console.log("== the image's CMD, with its ENV, on a free port");
  const port = String(await freePort());
  const first = await startCmd(stage, { ORGSIM_PORT: port }, "orgsim");
  healthcheck(stage, { ORGSIM_PORT: port });
  console.log("   HEALTHCHECK passed");
  const org = aws(port, "create-organization", "--feature-set", "ALL").Organization;
  console.log(`   create-organization: ${org.Id}`);
  const code = await first.stop();
  if (code !== 0) fail(`orgsim did not stop cleanly on SIGTERM (${code}):\n${first.output()}`);
  if (!existsSync(stage.host(data))) fail(`no data file at ORGSIM_DATA (${data}) in the volume`);
  const second = await startCmd(stage, { ORGSIM_PORT: port }, "orgsim, restarted");
  const again = aws(port, "describe-organization").Organization;
  await second.stop();
  if (again.Id !== org.Id) fail(`after a restart the volume holds ${again.Id}, not ${org.Id}`);
  console.log("   the organization survived a restart in the volume");
}

// ---------------------------------------------------------------------------------------------
// compose.yaml

function psql(url, sql) {
  const done = spawnSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], { encoding: "utf8" });
  if (done.status !== 0) fail(`psql: ${sql}: ${done.stderr}`);
}

async function checkCompose(stage) {
  const file = join(root, "compose.yaml");
  const compose = parseYaml(readFileSync(file, "utf8"));
  const replicas = Object.entries(compose.services ?? {}).filter(([, s]) => s.build === "." || s.build?.context === ".");
  if (replicas.length < 2) fail("compose.yaml should run at least two orgsim replicas (services with build: .)");
  const urls = new Set(replicas.map(([, s]) => s.environment?.ORGSIM_DATABASE_URL));
  if (urls.size !== 1 || !/^postgres:\/\//.test([...urls][0] ?? "")) fail("the replicas must share one ORGSIM_DATABASE_URL");
  const dbHost = new URL([...urls][0]).hostname;
  if (!compose.services[dbHost]) fail(`ORGSIM_DATABASE_URL names host ${dbHost}, which is no service of compose.yaml`);
  for (const [name, s] of replicas) {
    if (!(s.ports ?? []).some((p) => String(p).endsWith(`:${stage.env.ORGSIM_PORT}`)))
      fail(`${name}: publish the container's port ${stage.env.ORGSIM_PORT}`);
    if (!s.depends_on?.[dbHost]) fail(`${name}: depends_on ${dbHost}, so it starts after the database`);
  }

  const admin = process.env.ORGSIM_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `orgsim_compose_${process.pid}_${Date.now()}`;
  const url = new URL(admin);
  url.pathname = `/${name}`;
  console.log(`== compose.yaml: ${replicas.map(([n]) => n).join(" and ")} over one PostgreSQL database (${name} on ${url.host})`);
  psql(admin, `CREATE DATABASE ${name}`);
  const running = [];
  try {
    for (const [service, s] of replicas) {
      const port = String(await freePort());
      running.push({ port, proc: await startCmd(stage, { ...s.environment, ORGSIM_DATABASE_URL: url.href, ORGSIM_PORT: port }, service) });
      healthcheck(stage, { ORGSIM_PORT: port });
    }
    const org = aws(running[0].port, "create-organization", "--feature-set", "ALL").Organization;
    for (const r of running.slice(1)) {
      const seen = aws(r.port, "describe-organization").Organization;
      if (seen.Id !== org.Id) fail(`replicas disagree: ${org.Id} and ${seen.Id}`);
    }
    console.log(`   every replica sees ${org.Id}`);
  } finally {
    for (const r of running) {
      const code = await r.proc.stop();
      if (code !== 0) console.error(`   a replica stopped with ${code}:\n${r.proc.output()}`);
    }
    psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

// ---------------------------------------------------------------------------------------------

try {
  const instructions = readDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
  const context = cleanContext();
  console.log("== the Dockerfile's steps");
  const stages = build(instructions, context);
  const runtime = stages.at(-1);
  await checkRuntime(runtime);
  await checkCompose(runtime);
  console.log("check-dockerfile: the Dockerfile's steps build a runtime that starts, answers, keeps its volume and runs as replicas");
} finally {
  for (const child of children) stopGroup(child, "SIGKILL");
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
