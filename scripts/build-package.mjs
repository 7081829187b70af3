#!/usr/bin/env node
// `npm pack` / `npm publish` (prepack): a clean build of src/ alone into dist/src, so the package
// ships exactly the compiled modules of the current sources (no stale file of a removed module,
// no tests or benchmarks; package.json's "files" picks what goes in), then the start-up bundle of
// the CLI into dist/bundle (scripts/bundle.mjs), which bin/orgsim.js runs.
import { rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle } from "./bundle.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const stale of ["dist/src", "dist/bundle", "dist/.tsbuildinfo-src", "dist/.tsbuildinfo", "dist/.start-build-stamp"])
  rmSync(join(root, stale), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const built = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
if (built.status !== 0) process.exit(built.status ?? 1);
await bundle();
