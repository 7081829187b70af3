#!/usr/bin/env node
// `npm start`: runs orgsim from a checkout, compiling TypeScript first only when a file under
// src/ (or a tsconfig) is newer than the last build, then bundling the CLI for a quick start
// (scripts/bundle.mjs) only when the bundle is older than that build. Nothing changed: straight to
// the CLI, neither compiler nor bundler loaded. A fresh clone (no dist/) is built once, then starts.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const stamp = join(dist, ".start-build-stamp");

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
};

/** The newest modification time among the build's inputs. */
function newestInput() {
  let newest = Math.max(mtime(join(root, "tsconfig.json")), mtime(join(root, "tsconfig.build.json")));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, mtime(full));
    }
  };
  walk(join(root, "src"));
  return newest;
}

/** When the compiled output was last brought up to date: this script's stamp, or either tsc build's record. */
const lastBuild = () => Math.max(mtime(stamp), mtime(join(dist, ".tsbuildinfo")), mtime(join(dist, ".tsbuildinfo-src")));

const missing = !existsSync(join(dist, "src", "cli.js"));
const newest = newestInput();
if (missing || newest > lastBuild()) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    console.error("orgsim: src/ changed since the last build and the TypeScript compiler is not installed; run npm ci first");
    process.exit(1);
  }
  // An incremental build emits only what its record says changed: without the output, start over.
  if (missing) rmSync(join(dist, ".tsbuildinfo-src"), { force: true });
  console.error(missing ? "orgsim: compiling src/ (first start) ..." : "orgsim: compiling src/ (changed since the last build) ...");
  const built = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
  if (built.status !== 0) process.exit(built.status ?? 1);
  mkdirSync(dist, { recursive: true });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  // Not older than what was compiled, even when a source's time is ahead of the clock.
  const at = new Date(Math.max(Date.now(), Math.ceil(newest) + 1));
  utimesSync(stamp, at, at);
}

// The start-up bundle, when the compiled output is newer (bin/orgsim.js runs dist/src/ until then).
const bundleFile = join(dist, "bundle", "orgsim.cjs");
const built = lastBuild();
if (mtime(bundleFile) < built) {
  let bundle;
  try {
    ({ bundle } = await import("./bundle.mjs"));
    await bundle();
  } catch (err) {
    // A checkout installed without dev dependencies has no esbuild: start from dist/src/.
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || !String(err.message).includes("esbuild")) throw err;
    bundle = undefined;
    console.error("orgsim: esbuild is not installed (npm ci installs it); starting from dist/src/, which starts slower");
  }
  // Not older than the build it bundles, even when that build's stamp is ahead of the clock.
  if (bundle) {
    const at = new Date(Math.max(Date.now(), Math.ceil(built) + 1));
    utimesSync(bundleFile, at, at);
  }
}

// The CLI reads process.argv as `orgsim` would: `npm start -- --port 4567` is `orgsim start --port 4567`.
await import(pathToFileURL(join(root, "bin", "orgsim.js")).href);
