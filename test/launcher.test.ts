/**
 * bin/orgsim.js, the command's launcher: it runs the CLI from the start-up bundle
 * (dist/bundle/orgsim.cjs, one file instead of some 350 modules: docs/performance.md, Start-up),
 * and from tsc's output (dist/src/) when there is no bundle or, in a checkout, when tsc built after
 * the bundle was made: a stale bundle never runs. `orgsim start` leaves V8's code cache beside the
 * bundle, keyed by the bundle's content: a changed bundle never runs with the old one's code.
 * Checked on a copy of the launcher in a scratch package whose two CLIs only say which one ran;
 * the real bundle is run by every test that spawns bin/orgsim.js.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "./helpers/process.js";

/** A bundle as scripts/bundle.mjs writes it: a first line naming the SHA-256 of the code (or `hashOf`'s), then the code. */
function writeBundle(root: string, code: string, hashOf = code): void {
  writeFileSync(
    join(root, "dist", "bundle", "orgsim.cjs"),
    `// orgsim start-up bundle, sha256 ${createHash("sha256").update(hashOf).digest("hex")}\n${code}`,
  );
}

/** A scratch package: the real launcher, a "bundle" and a "dist/src" CLI that print their name and arguments. */
function scratch(): {
  root: string;
  ran: (verb?: string) => string;
  touch: (rel: string, secondsAgo: number) => void;
  cleanup: () => void;
} {
  const root = mkdtempSync(join(tmpdir(), "orgsim-launcher-"));
  mkdirSync(join(root, "bin"));
  mkdirSync(join(root, "dist", "bundle"), { recursive: true });
  mkdirSync(join(root, "dist", "src"), { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "orgsim-launcher-scratch", type: "module" }));
  copyFileSync(BIN, join(root, "bin", "orgsim.js"));
  const say = (name: string) => `async function main(argv) { console.log(${JSON.stringify(name)} + " " + argv.join(" ")); return 0; }`;
  writeBundle(root, `${say("bundle")}\nmodule.exports = { main };\n`);
  writeFileSync(join(root, "dist", "src", "cli.js"), `export ${say("src")}\n`);
  return {
    root,
    ran: (verb = "start") => {
      const r = spawnSync(process.execPath, [join(root, "bin", "orgsim.js"), verb, "--port", "0"], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    },
    touch: (rel, secondsAgo) => {
      const file = join(root, rel);
      writeFileSync(file, "{}", { flag: "a" });
      const at = new Date(Date.now() - secondsAgo * 1000);
      utimesSync(file, at, at);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

test("orgsim promise: bin/orgsim.js runs the start-up bundle when there is no record of a tsc build (an installed package)", () => {
  const s = scratch();
  try {
    assert.equal(s.ran(), "bundle start --port 0");
  } finally {
    s.cleanup();
  }
});

test("orgsim promise: bin/orgsim.js never runs a bundle older than the last tsc build (a checkout compiled without bundling runs dist/src)", () => {
  const s = scratch();
  try {
    s.touch("dist/bundle/orgsim.cjs", 60);
    s.touch("dist/.tsbuildinfo", 10);
    assert.equal(s.ran(), "src start --port 0");
    // tsconfig.build.json's record (npm start, prepack) counts the same.
    s.touch("dist/.tsbuildinfo", 120);
    s.touch("dist/.tsbuildinfo-src", 10);
    assert.equal(s.ran(), "src start --port 0");
    // Bundled after the build (npm run build, npm start): the bundle runs.
    s.touch("dist/bundle/orgsim.cjs", 1);
    assert.equal(s.ran(), "bundle start --port 0");
  } finally {
    s.cleanup();
  }
});

test("orgsim promise: bin/orgsim.js runs dist/src when there is no bundle", () => {
  const s = scratch();
  try {
    rmSync(join(s.root, "dist", "bundle"), { recursive: true });
    assert.equal(s.ran(), "src start --port 0");
  } finally {
    s.cleanup();
  }
});

test("orgsim promise: orgsim start leaves V8's code cache beside the bundle, and a changed bundle runs its own code, not the cached one", () => {
  const s = scratch();
  const cache = join(s.root, "dist", "bundle", "orgsim.cjs.cache");
  try {
    assert.equal(s.ran("reset"), "bundle reset --port 0");
    assert.ok(!existsSync(cache), "only start writes the cache");
    assert.equal(s.ran(), "bundle start --port 0");
    assert.ok(existsSync(cache), "start wrote the cache");
    assert.equal(s.ran(), "bundle start --port 0");
    // Rebundled, same length, other code: a cache keyed by length alone (V8's own check) would run the old code.
    const old = `async function main(argv) { console.log("bundle" + " " + argv.join(" ")); return 0; }\nmodule.exports = { main };\n`;
    writeBundle(s.root, old.replace('"bundle"', '"BUNDLE"'));
    assert.equal(s.ran(), "BUNDLE start --port 0");
    // Edited by hand (its first line left as it was), same length again: still its own code.
    writeBundle(s.root, old.replace('"bundle"', '"Bundle"'), old.replace('"bundle"', '"BUNDLE"'));
    assert.equal(s.ran(), "Bundle start --port 0");
    assert.deepEqual(readdirSync(join(s.root, "dist", "bundle")).sort(), ["orgsim.cjs", "orgsim.cjs.cache"], "no temporary file is left");
  } finally {
    s.cleanup();
  }
});
