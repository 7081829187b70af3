/**
 * orgsim promise: every code block that README.md and docs/**\/*.md tell a user to run runs, as
 * printed, so the docs cannot drift from what orgsim does. Each block is a subtest named
 * "<file>: <section heading> block N", run in the file's order against ONE orgsim per file (the
 * walk-throughs build on each other, as in a user's terminal; any reset must be in the text).
 *
 * The one change to what is printed: a local orgsim address in a block
 * (`http://localhost:<port>`, `http://127.0.0.1:<port>`) becomes the test server's address, as
 * tests never bind a fixed port; a separate subtest checks that those addresses name the
 * default port of the code, and the `orgsim` command's default endpoint is the test server's.
 *
 * By language:
 * - `sh`/`bash`: the commands run in one bash session per file (variables and exports carry over
 *   from block to block), in a scratch folder that holds `examples/` of this checkout, with `aws`
 *   (the AWS CLI) and `orgsim` (this checkout's bin) on the PATH and no AWS settings of the
 *   machine's. Every command must succeed, except one followed by a comment line
 *   `# An error occurred (...)`: that is what the AWS CLI prints, and the command must fail with
 *   it (a comment ending in `...` gives the start of the message).
 * - `python`: runs with python3 (boto3).
 * - `ts`: type-checked (strict) and run with node (`node --test` when it imports node:test), in
 *   a folder where `orgsim` resolves to this checkout's built package.
 * - `yaml` with `organizations:` or `clock:`: a seed, applied to a fresh orgsim.
 * - `hcl`: parsed with HashiCorp's HCL parser (@cdktn/hcl2json); Terraform itself isn't here.
 * - `json`: parsed.
 * - `text`: output, not run.
 * A block that must not run says why in an HTML comment right above it,
 * `<!-- not run: reason -->`; those are listed in NOT_RUN below, so they stay few and deliberate.
 */
import "./helpers/quiet-sdk.js";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { startTestServer, type TestServer } from "./helpers/server.js";
import { DEFAULT_SETTINGS } from "../src/config.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BLOCK_TIMEOUT_MS = 120_000;

/** Blocks that carry a `<!-- not run: ... -->` marker. A new one must be added here, on purpose. */
const NOT_RUN = ["README.md: Quick start block 1", "README.md: Several replicas over PostgreSQL block 1"];

// ------------------------------------------------------------------------------------------------
// Reading the blocks
// ------------------------------------------------------------------------------------------------

interface Block {
  file: string;
  name: string;
  lang: string;
  text: string;
  line: number;
  notRun?: string;
}

export function readBlocks(file: string, markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let section = "(top)";
  const perSection = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      section = heading[1]!.trim();
      continue;
    }
    const fence = /^(`{3,})\s*([\w+-]*)/.exec(line);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith(fence[1]!); i++) body.push(lines[i]!);
    let j = start - 1;
    while (j >= 0 && lines[j]!.trim() === "") j--;
    const marker = j >= 0 ? /^<!--\s*not run:\s*(.*?)\s*-->$/.exec(lines[j]!.trim()) : null;
    const n = (perSection.get(section) ?? 0) + 1;
    perSection.set(section, n);
    blocks.push({
      file,
      name: `${file}: ${section} block ${n}`,
      lang: fence[2]!.toLowerCase(),
      text: body.join("\n") + "\n",
      line: start + 1,
      notRun: marker?.[1],
    });
  }
  return blocks;
}

function docFiles(): string[] {
  const files = ["README.md"];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) files.push(path);
    }
  };
  if (existsSync(join(ROOT, "docs"))) walk("docs");
  return files;
}

const LOCAL_ADDRESS = /http:\/\/(?:localhost|127\.0\.0\.1):(\d+)/g;

/** The block as it runs here: a local orgsim address becomes the test server's. */
const pointedAt = (text: string, endpoint: string) => text.replace(LOCAL_ADDRESS, endpoint);

// ------------------------------------------------------------------------------------------------
// The scratch folder and the environment every block runs in
// ------------------------------------------------------------------------------------------------

const scratch = mkdtempSync(join(tmpdir(), "orgsim-docs-"));

function prepareScratch(): void {
  symlinkSync(join(ROOT, "examples"), join(scratch, "examples"));
  // `orgsim` resolves to this checkout (its package.json `exports`, its built dist/), and the
  // packages a user would have installed beside it resolve to this checkout's node_modules.
  mkdirSync(join(scratch, "node_modules"));
  symlinkSync(ROOT, join(scratch, "node_modules", "orgsim"));
  for (const scope of ["@aws-sdk", "@smithy", "@types"])
    symlinkSync(join(ROOT, "node_modules", scope), join(scratch, "node_modules", scope));
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "docs-blocks", private: true, type: "module" }));
  mkdirSync(join(scratch, "bin"));
  const shim = join(scratch, "bin", "orgsim");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "bin", "orgsim.js")}" "$@"\n`);
  chmodSync(shim, 0o755);
  mkdirSync(join(scratch, "home"));
}

/** A user's shell with nothing of this machine's AWS or orgsim settings; `orgsim`'s default endpoint is the test server. */
function blockEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // NODE_TEST_CONTEXT would make a `node --test` inside a test skip its files silently.
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("AWS_") && !k.startsWith("ORGSIM_") && k !== "NODE_TEST_CONTEXT") env[k] = v;
  return {
    ...env,
    PATH: `${join(scratch, "bin")}:${process.env.PATH ?? ""}`,
    HOME: join(scratch, "home"),
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ORGSIM_ENDPOINT: endpoint,
  };
}

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
const awsCli = has("aws", ["--version"]);
const boto3 = has("python3", ["-c", "import boto3"]);

// ------------------------------------------------------------------------------------------------
// sh: one bash session per file
// ------------------------------------------------------------------------------------------------

interface Command {
  text: string;
  line: number;
  /** What the AWS CLI must print on stderr (a prefix when the comment ends in "..."). */
  expectError?: string;
}

/** The block's commands (lines joined by trailing backslashes), each with the error the text says it prints. */
export function commandsOf(text: string): Command[] {
  const commands: Command[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      const error = /^#\s*(An error occurred \(.*)$/.exec(trimmed);
      const last = commands[commands.length - 1];
      if (error && last && last.expectError === undefined) last.expectError = error[1]!;
      continue;
    }
    const start = i;
    let full = line;
    while (/\\$/.test(lines[i]!) && i + 1 < lines.length) full += `\n${lines[++i]}`;
    commands.push({ text: full, line: start + 1 });
  }
  return commands;
}

class Session {
  private readonly bash: ChildProcess;
  private out = "";
  private seq = 0;

  constructor(env: NodeJS.ProcessEnv) {
    this.bash = spawn("bash", ["--noprofile", "--norc"], { cwd: scratch, env, stdio: ["pipe", "pipe", "pipe"] });
    this.bash.stdout!.on("data", (d: Buffer) => (this.out += d.toString()));
    this.bash.stderr!.on("data", (d: Buffer) => (this.out += d.toString()));
  }

  /** Runs the commands one after the other in the session; returns each one's status, stderr, and the whole output. */
  async run(commands: Command[]): Promise<{ results: { status: number; stderr: string }[]; output: string }> {
    const n = ++this.seq;
    // Each file has its own session; the folder is unique across them.
    const dir = mkdtempSync(join(scratch, `sh-${n}-`));
    const script = commands
      .map((c, k) => `{\n${c.text}\n} </dev/null 2>"${dir}/${k}.err"; echo $? >"${dir}/${k}.status"; cat "${dir}/${k}.err" >&2\n`)
      .join("");
    writeFileSync(join(dir, "block.sh"), script);
    const sentinel = `__orgsim_block_${n}_done__`;
    const from = this.out.length;
    this.bash.stdin!.write(`source "${dir}/block.sh"; echo ${sentinel}\n`);
    const started = Date.now();
    while (!this.out.includes(sentinel, from)) {
      if (this.bash.exitCode !== null) throw new Error(`bash exited (${this.bash.exitCode}):\n${this.out.slice(from)}`);
      if (Date.now() - started > BLOCK_TIMEOUT_MS)
        throw new Error(`the block did not finish in ${BLOCK_TIMEOUT_MS / 1000} s:\n${this.out.slice(from)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const output = this.out.slice(from, this.out.indexOf(sentinel, from));
    const results = commands.map((_, k) => ({
      status: Number(readFileSync(join(dir, `${k}.status`), "utf8").trim()),
      stderr: readFileSync(join(dir, `${k}.err`), "utf8"),
    }));
    return { results, output };
  }

  close(): void {
    this.bash.stdin!.end();
    if (this.bash.exitCode === null) this.bash.kill();
  }
}

// ------------------------------------------------------------------------------------------------
// ts: type-check, then run
// ------------------------------------------------------------------------------------------------

function compileTs(file: string): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    types: ["node"],
    outDir: dirname(file),
    rootDir: dirname(file),
  };
  const program = ts.createProgram([file], options);
  const emitted = program.emit();
  return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => {
    const where =
      d.file && d.start !== undefined
        ? `${relative(scratch, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `
        : "";
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: scratch, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill(), BLOCK_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

// ------------------------------------------------------------------------------------------------
// The tests
// ------------------------------------------------------------------------------------------------

const files = docFiles();
const allBlocks = files.flatMap((f) => readBlocks(f, readFileSync(join(ROOT, f), "utf8")));

before(() => prepareScratch());
after(() => rmSync(scratch, { recursive: true, force: true }));

test("orgsim promise: the blocks that must not run are the listed ones, each with its reason", () => {
  const marked = allBlocks.filter((b) => b.notRun !== undefined);
  assert.deepEqual(
    marked.map((b) => b.name),
    NOT_RUN,
  );
  for (const b of marked) assert.ok(b.notRun!.length > 10, `${b.name} says why it is not run`);
});

test(
  "orgsim promise: the docs' local addresses are orgsim's default endpoint (the port in src/config.ts)",
  {
    skip:
      DEFAULT_SETTINGS.port === 4566
        ? "the default port is still LocalStack's 4566 here; the docs already use 4599, which the package work makes the default"
        : false,
  },
  () => {
    for (const b of allBlocks.filter((x) => x.notRun === undefined && x.lang !== "text")) {
      for (const m of b.text.matchAll(LOCAL_ADDRESS))
        assert.equal(Number(m[1]), DEFAULT_SETTINGS.port, `${b.name} (line ${b.line}) points at ${m[0]}`);
    }
  },
);

for (const file of files) {
  const blocks = allBlocks.filter((b) => b.file === file);
  if (blocks.length === 0) continue;
  test(`${file}: every block runs as printed, in order`, async (t) => {
    let server: TestServer | undefined;
    let session: Session | undefined;
    const endpoint = async () => (server ??= await startTestServer()).endpoint;
    try {
      for (const block of blocks) {
        const at = `${block.file}:${block.line}`;
        if (block.notRun !== undefined) {
          await t.test(block.name, { skip: `not run: ${block.notRun}` }, () => {});
          continue;
        }
        switch (block.lang) {
          case "text":
          case "console":
          case "output":
            continue;
          case "sh":
          case "bash":
          case "shell":
            await t.test(block.name, { skip: awsCli ? false : "the AWS CLI (aws) is not installed" }, async () => {
              const url = await endpoint();
              session ??= new Session(blockEnv(url));
              const commands = commandsOf(pointedAt(block.text, url));
              const { results, output } = await session.run(commands);
              commands.forEach((c, k) => {
                const r = results[k]!;
                const where = `${at} + ${c.line - 1}: ${c.text.trim()}`;
                if (c.expectError === undefined) {
                  assert.equal(r.status, 0, `${where}\nexited ${r.status}:\n${output}`);
                } else {
                  assert.notEqual(r.status, 0, `${where}\nshould fail with: ${c.expectError}\n${output}`);
                  const expected = c.expectError.endsWith("...") ? c.expectError.slice(0, -3).trimEnd() : c.expectError;
                  const got = r.stderr.replace(/ \(reached max retries: \d+\)/, "");
                  assert.ok(got.includes(expected), `${where}\nshould print: ${expected}\nprinted: ${r.stderr}`);
                }
              });
            });
            break;
          case "python":
          case "py":
            await t.test(block.name, { skip: boto3 ? false : "python3 lacks boto3" }, async () => {
              const url = await endpoint();
              const path = join(scratch, `block-${block.line}.py`);
              writeFileSync(path, pointedAt(block.text, url));
              const r = await runProcess("python3", [path], blockEnv(url));
              assert.equal(r.status, 0, `${at}: python3 exited ${r.status}:\n${r.output}`);
            });
            break;
          case "ts":
          case "typescript":
            await t.test(block.name, async () => {
              const url = await endpoint();
              const path = join(scratch, `block-${block.line}.ts`);
              writeFileSync(path, pointedAt(block.text, url));
              const problems = compileTs(path);
              assert.deepEqual(problems, [], `${at}: the block does not type-check`);
              const js = path.replace(/\.ts$/, ".js");
              const args = /from\s+["']node:test["']/.test(block.text) ? ["--test", "--test-reporter=spec", js] : [js];
              const r = await runProcess(process.execPath, args, blockEnv(url));
              assert.equal(r.status, 0, `${at}: node exited ${r.status}:\n${r.output}`);
              if (args[0] === "--test") assert.match(r.output, /ℹ pass [1-9]/, `${at}: its tests ran:\n${r.output}`);
            });
            break;
          case "yaml":
          case "yml":
            await t.test(block.name, async () => {
              assert.match(block.text, /^(organizations|clock):/m, `${at}: a yaml block is a seed (or needs a not-run marker)`);
              const fresh = await startTestServer();
              try {
                const result = await fresh.sim.seed(block.text, { source: at });
                assert.ok(result.operations > 0 || result.clockOffsetSeconds !== undefined, `${at}: the seed did something`);
              } finally {
                await fresh.close();
              }
            });
            break;
          case "hcl":
          case "terraform":
          case "tf":
            await t.test(block.name, async () => {
              const { parse } = (await import("@cdktn/hcl2json")) as {
                parse: (name: string, text: string) => Promise<Record<string, unknown>>;
              };
              const parsed = await parse(`${block.file.replace(/\W/g, "_")}_${block.line}.tf`, block.text);
              assert.ok(Object.keys(parsed).length > 0, `${at}: the HCL declares something`);
            });
            break;
          case "json":
            await t.test(block.name, () => {
              assert.doesNotThrow(() => JSON.parse(block.text), `${at}: the JSON parses`);
            });
            break;
          default:
            await t.test(block.name, () => {
              assert.fail(
                `${at}: a \`\`\`${block.lang || "(no language)"} block: give it a language this test runs (sh, python, ts, yaml, hcl, json) or text, or a <!-- not run: reason --> marker`,
              );
            });
        }
      }
    } finally {
      session?.close();
      await server?.close();
    }
  });
}
