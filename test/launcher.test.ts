/**
 * bin/orgsim.js, the command's launcher: it runs the CLI from the start-up bundle (dist/bundle/,
 * a few files instead of some 350 modules: docs/performance.md, Start-up), and from tsc's output
 * (dist/src/) when there is no bundle or, in a checkout, when tsc built after the bundle was made:
 * a stale bundle never runs. Checked on a copy of the launcher in a scratch package whose two
 * CLIs only say which one ran; the real bundle is run by every test that spawns bin/orgsim.js.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "./helpers/process.js";

/** A scratch package: the real launcher, a "bundle" and a "dist/src" CLI that print their name and arguments. */
function scratch(): { root: string; ran: () => string; touch: (rel: string, secondsAgo: number) => void; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "orgsim-launcher-"));
  mkdirSync(join(root, "bin"));
  mkdirSync(join(root, "dist", "bundle"), { recursive: true });
  mkdirSync(join(root, "dist", "src"), { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "orgsim-launcher-scratch", type: "module" }));
  copyFileSync(BIN, join(root, "bin", "orgsim.js"));
  const cli = (name: string) => `export async function main(argv) { console.log(${JSON.stringify(name)} + " " + argv.join(" ")); return 0; }\n`;
  writeFileSync(join(root, "dist", "bundle", "orgsim.js"), cli("bundle"));
  writeFileSync(join(root, "dist", "src", "cli.js"), cli("src"));
  return {
    root,
    ran: () => {
      const r = spawnSync(process.execPath, [join(root, "bin", "orgsim.js"), "start", "--port", "0"], { encoding: "utf8" });
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
    s.touch("dist/bundle/orgsim.js", 60);
    s.touch("dist/.tsbuildinfo", 10);
    assert.equal(s.ran(), "src start --port 0");
    // tsconfig.build.json's record (npm start, prepack) counts the same.
    s.touch("dist/.tsbuildinfo", 120);
    s.touch("dist/.tsbuildinfo-src", 10);
    assert.equal(s.ran(), "src start --port 0");
    // Bundled after the build (npm run build, npm start): the bundle runs.
    s.touch("dist/bundle/orgsim.js", 1);
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
