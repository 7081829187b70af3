/**
 * The package's entry points as users load them: `require("orgsim")` from CommonJS and
 * `import("orgsim")` from ES modules (the repository resolves "orgsim" to itself through
 * package.json's "exports", as an installed package does), each starting a real server; and
 * `npm start`'s launcher, which compiles only when src/ changed since the last build.
 * scripts/check-package.mjs (run by .ci/run) does the same from the packed tarball.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runNode, type Run } from "./helpers/process.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  exports: Record<string, Record<string, Record<string, string>> | string>;
  files: string[];
};

const node = (args: string[], cwd = ROOT): Promise<Run> => runNode(args, { cwd });

/** Starts an in-process orgsim through the entry, creates an organization over HTTP, checks the version in health. */
const probe = `
  const sim = await startOrgsim({ port: 0, quiet: true, seed: 'organizations:\\n  - management: "111111111111"\\n' });
  const health = await (await fetch(sim.endpoint + "/_orgsim/health")).json();
  const orgs = sim.seeded.organizations.length;
  await sim.close();
  console.log(JSON.stringify({ endpoint: sim.endpoint, version: health.version, orgs }));
`;

function checkProbe(out: Run): void {
  assert.equal(out.code, 0, out.stderr);
  const answer = JSON.parse(out.stdout) as { endpoint: string; version: string; orgs: number };
  assert.match(answer.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(answer.version, PACKAGE.version);
  assert.equal(answer.orgs, 1);
}

test('Promise: require("orgsim") works from CommonJS on Node 20 (an async startOrgsim over the ES modules)', async () => {
  const out = await node([
    "-e",
    `const { startOrgsim, load } = require("orgsim"); (async () => { ${probe}; const m = await load(); if (typeof m.OrgsimError !== "function") throw new Error("load()"); })().catch((e) => { console.error(e); process.exit(1); });`,
  ]);
  checkProbe(out);
});

test('Promise: import("orgsim") works from ES modules', async () => {
  const out = await node(["--input-type=module", "-e", `import { startOrgsim } from "orgsim"; ${probe}`]);
  checkProbe(out);
});

test("Promise: package.json's exports name files that exist, with types for import and require; bin, console and model are packed", () => {
  const entry = PACKAGE.exports["."] as Record<string, Record<string, string>>;
  for (const condition of ["import", "require"]) {
    for (const kind of ["types", "default"]) {
      const file = entry[condition]?.[kind];
      assert.ok(file, `exports["."].${condition}.${kind}`);
      assert.ok(existsSync(join(ROOT, file)), `${file} exists after the build`);
    }
  }
  assert.match(entry.require!.types!, /\.d\.cts$/, "CommonJS types are a .d.cts file");
  for (const needed of ["bin/", "dist/src/", "console/", "model/", "python/orgsim_pytest.py"])
    assert.ok(PACKAGE.files.includes(needed), `files has ${needed}`);
  assert.ok(!PACKAGE.files.some((f) => /^(test|bench|src)\b|dist\/test|dist\/bench/.test(f)), "no tests, benchmarks or sources in files");
});

// ---------------------------------------------------------------------------------------------
// npm start's launcher, in a scratch checkout whose "compiler" only records that it ran

function scratchCheckout(): { dir: string; compiled: () => boolean; bundled: () => boolean; run: () => Promise<Run>; reset: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "orgsim-start-"));
  for (const sub of ["scripts", "bin", "src", "dist/src", "node_modules/typescript/bin", "node_modules/esbuild"])
    mkdirSync(join(dir, sub), { recursive: true });
  copyFileSync(join(ROOT, "scripts", "start.mjs"), join(dir, "scripts", "start.mjs"));
  copyFileSync(join(ROOT, "scripts", "bundle.mjs"), join(dir, "scripts", "bundle.mjs"));
  // The "bundler" records that it ran and answers an empty bundle.
  const bundleMarker = join(dir, "bundled");
  writeFileSync(join(dir, "package.json"), '{ "name": "orgsim-start-scratch", "dependencies": {} }\n');
  writeFileSync(join(dir, "node_modules", "esbuild", "package.json"), '{ "name": "esbuild", "version": "0.0.0", "main": "index.js" }\n');
  writeFileSync(
    join(dir, "node_modules", "esbuild", "index.js"),
    `exports.build = async (o) => { require("node:fs").appendFileSync(${JSON.stringify(bundleMarker)}, "x"); return { outputFiles: [{ path: o.outfile, text: "" }] }; };\n`,
  );
  writeFileSync(join(dir, "tsconfig.json"), "{}\n");
  writeFileSync(join(dir, "tsconfig.build.json"), "{}\n");
  writeFileSync(join(dir, "src", "cli.ts"), "export {};\n");
  writeFileSync(join(dir, "bin", "orgsim.js"), 'console.log("cli " + process.argv.slice(2).join(" "));\n');
  writeFileSync(join(dir, "node_modules", "typescript", "package.json"), '{ "name": "typescript", "version": "0.0.0" }\n');
  const marker = join(dir, "compiled");
  writeFileSync(
    join(dir, "node_modules", "typescript", "bin", "tsc"),
    `require("node:fs").appendFileSync(${JSON.stringify(marker)}, "x"); require("node:fs").writeFileSync(${JSON.stringify(join(dir, "dist", "src", "cli.js"))}, "");\n`,
  );
  return {
    dir,
    compiled: () => existsSync(marker),
    bundled: () => existsSync(bundleMarker),
    reset: () => {
      rmSync(marker, { force: true });
      rmSync(bundleMarker, { force: true });
    },
    run: () => node([join(dir, "scripts", "start.mjs"), "start", "--port", "0"], dir),
  };
}

test("Promise: npm start bundles the CLI after a compile (the start-up bundle), then not again until the build is newer; without esbuild it starts from dist/src", async () => {
  const c = scratchCheckout();
  try {
    const first = await c.run();
    assert.equal(first.code, 0, first.stderr);
    assert.ok(c.compiled() && c.bundled(), "a fresh clone is compiled, then bundled");

    c.reset();
    const second = await c.run();
    assert.equal(second.code, 0, second.stderr);
    assert.ok(!c.compiled() && !c.bundled(), `nothing changed: neither compiler nor bundler (${second.stderr})`);

    // tsc ran on its own (npx tsc): the bundle is older than the build record, so it is made again, without compiling.
    c.reset();
    const later = new Date(Date.now() + 60_000);
    writeFileSync(join(c.dir, "dist", ".tsbuildinfo"), "{}\n");
    utimesSync(join(c.dir, "dist", ".tsbuildinfo"), later, later);
    const third = await c.run();
    assert.equal(third.code, 0, third.stderr);
    assert.ok(!c.compiled() && c.bundled(), "a build newer than the bundle is bundled");
    c.reset();
    await c.run();
    assert.ok(!c.bundled(), "bundled once, current again");

    // A checkout without dev dependencies: no esbuild, the CLI starts all the same (from dist/src, says bin).
    c.reset();
    rmSync(join(c.dir, "node_modules", "esbuild"), { recursive: true });
    rmSync(join(c.dir, "dist", "bundle"), { recursive: true });
    const bare = await c.run();
    assert.equal(bare.code, 0, bare.stderr);
    assert.match(bare.stderr, /esbuild is not installed/);
    assert.equal(bare.stdout, "cli start --port 0\n");
  } finally {
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test("Promise: npm start compiles on a fresh clone, then not again until a file under src/ changes", async () => {
  const c = scratchCheckout();
  try {
    const first = await c.run();
    assert.equal(first.code, 0, first.stderr);
    assert.ok(c.compiled(), "a clone without dist/ is compiled first");
    assert.equal(first.stdout, "cli start --port 0\n", "then the CLI runs with npm start's arguments");

    c.reset();
    const second = await c.run();
    assert.equal(second.code, 0, second.stderr);
    assert.ok(!c.compiled(), `nothing changed: no compiler (${second.stderr})`);
    assert.equal(second.stdout, "cli start --port 0\n");

    const later = new Date(Date.now() + 60_000);
    utimesSync(join(c.dir, "src", "cli.ts"), later, later);
    const third = await c.run();
    assert.equal(third.code, 0, third.stderr);
    assert.ok(c.compiled(), "a changed source is compiled");
    assert.match(third.stderr, /compiling src\/ \(changed since the last build\)/);
    c.reset();
    await c.run();
    assert.ok(!c.compiled(), "compiled once, current again");

    c.reset();
    rmSync(join(c.dir, "dist", "src", "cli.js"));
    await c.run();
    assert.ok(c.compiled(), "a missing output is compiled even when the record says it is current");
  } finally {
    rmSync(c.dir, { recursive: true, force: true });
  }
});
