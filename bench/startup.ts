/**
 * Where orgsim's start goes, measured in fresh Node processes pinned like the server: Node's own
 * boot, importing orgsim's modules (and, each alone in its own process, every runtime dependency),
 * then startOrgsim() (models, SQLite schema, listen).
 */
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { canPin, ROOT, SERVER_CORE } from "./servers.js";

export interface StartupBreakdown {
  /** Node's boot until the first line of the script runs. */
  bootMs: number;
  importMs: number;
  startMs: number;
  /** Each runtime dependency imported alone in a fresh process (ms), and whether orgsim imports it statically. */
  dependencies: { name: string; importMs: number; staticallyImported: boolean }[];
}

function runScript(script: string): Promise<string> {
  const args = ["--input-type=module", "-e", script];
  const [cmd, argv] = canPin() ? ["taskset", ["-c", String(SERVER_CORE), process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`startup probe exited ${code}: ${err.slice(-500)}`))));
  });
}

function jsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...jsFiles(full));
    else if (entry.endsWith(".js")) out.push(full);
  }
  return out;
}

/** Dependencies named in a static `import ... from "dep"` (or "dep/...") by any compiled module of orgsim. */
function staticImports(names: string[]): Set<string> {
  const found = new Set<string>();
  for (const file of jsFiles(path.join(ROOT, "dist", "src"))) {
    const text = readFileSync(file, "utf8");
    for (const name of names) {
      const re = new RegExp(`^import[^;]*?from\\s*["']${name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(/[^"']*)?["']`, "m");
      if (re.test(text)) found.add(name);
    }
  }
  return found;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;

export async function startupBreakdown(runs = 3): Promise<StartupBreakdown> {
  const index = pathToFileURL(path.join(ROOT, "dist", "src", "index.js")).href;
  const script =
    `const t0 = performance.now(); const m = await import(${JSON.stringify(index)}); const t1 = performance.now();` +
    `const sim = await m.startOrgsim({ port: 0, quiet: true }); const t2 = performance.now(); await sim.close();` +
    `console.log(JSON.stringify({ boot: t0, imp: t1 - t0, start: t2 - t1 }));`;
  const boots: number[] = [];
  const imports: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = JSON.parse(await runScript(script)) as { boot: number; imp: number; start: number };
    boots.push(r.boot);
    imports.push(r.imp);
    starts.push(r.start);
  }
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const names = Object.keys(pkg.dependencies ?? {});
  const statics = staticImports(names);
  const dependencies: StartupBreakdown["dependencies"] = [];
  for (const name of names) {
    try {
      const out = await runScript(`const t0 = performance.now(); await import(${JSON.stringify(name)}); console.log(performance.now() - t0);`);
      dependencies.push({ name, importMs: Number(out.trim()), staticallyImported: statics.has(name) });
    } catch {
      // A dependency that does not import on its own (no main entry): not part of the picture.
    }
  }
  dependencies.sort((a, b) => b.importMs - a.importMs);
  return { bootMs: median(boots), importMs: median(imports), startMs: median(starts), dependencies };
}
