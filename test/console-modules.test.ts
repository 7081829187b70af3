/**
 * The console's script is ES modules served as they are (no build step): the page loads app.js
 * with <script type="module">, and each module imports others by name from /_orgsim/console/.
 * These tests follow the imports over HTTP from the page, as the browser does, and hold the
 * served set to the modules on disk and to the server's allow-list (src/console/assets.ts).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "./helpers/server.js";
import { CONSOLE_ASSETS } from "../src/console/assets.js";

const CONSOLE_DIR = fileURLToPath(new URL("../../console/", import.meta.url));

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s.close();
});

/** The relative module names a module imports: `import ... from "./x.js"`, `export ... from "./x.js"`, `import("./x.js")`. */
function importsOf(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*"\.\/([\w.-]+)"/g)) names.add(m[1]!);
  for (const m of source.matchAll(/(?:^|\n)\s*import\s*"\.\/([\w.-]+)"/g)) names.add(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*"\.\/([\w.-]+)"\s*\)/g)) names.add(m[1]!);
  return [...names];
}

test('Rule (orgsim promise): every module the console page imports, followed from its <script type="module">, is served as text/javascript and renders no data as HTML', async () => {
  const page = await (await fetch(`${s.endpoint}/_orgsim/console`)).text();
  const entry = /<script type="module" src="\/_orgsim\/console\/([\w.-]+)"><\/script>/.exec(page);
  assert.ok(entry, "the page loads its script as a module");

  const served = new Set<string>();
  const queue = [entry[1]!];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (served.has(name)) continue;
    const res = await fetch(`${s.endpoint}/_orgsim/console/${name}`);
    assert.equal(res.status, 200, `${name} is served`);
    assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8", `${name} is JavaScript`);
    const source = await res.text();
    assert.doesNotMatch(source, /\.innerHTML\s*=|insertAdjacentHTML|outerHTML\s*=|document\.write/, `${name} never renders data as HTML`);
    served.add(name);
    queue.push(...importsOf(source));
  }

  const onDisk = readdirSync(CONSOLE_DIR)
    .filter((f) => f.endsWith(".js"))
    .sort();
  assert.deepEqual([...served].sort(), onDisk, "every module on disk is reached from the page, and every import is a module on disk");
  const allowed = Object.keys(CONSOLE_ASSETS)
    .filter((f) => f.endsWith(".js"))
    .sort();
  assert.deepEqual(allowed, onDisk, "the allow-list names exactly the modules");
});

test("Rule (orgsim promise): /_orgsim/console serves only its allow-list; the type-check config and names of Object's own properties are not assets", async () => {
  for (const name of ["tsconfig.json", "constructor", "toString", "__proto__", "hasOwnProperty", "index.js", "app.ts"]) {
    const res = await fetch(`${s.endpoint}/_orgsim/console/${name}`);
    assert.equal(res.status, 404, `${name} is not served`);
    await res.arrayBuffer();
  }
});
