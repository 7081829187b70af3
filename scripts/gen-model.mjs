#!/usr/bin/env node
// Generates the facts-only copy of the AWS service models that orgsim ships in model/.
// Every `documentation` key (AWS's prose) is dropped; operation names, shapes, constraints,
// error lists and paginators are kept. Run again whenever the source models change:
//   node scripts/gen-model.mjs [SOURCE_DIR]   (default: ../shared/model)
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = process.argv[2] ?? join(root, "..", "shared", "model");
const target = join(root, "model");
const DROP = new Set(["documentation", "documentationUrl", "examples", "deprecatedMessage"]);

function strip(value) {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (!DROP.has(k)) out[k] = strip(v);
    return out;
  }
  return value;
}

mkdirSync(target, { recursive: true });
for (const file of readdirSync(source)
  .filter((f) => f.endsWith(".service.json"))
  .sort()) {
  const uid = file.replace(/\.service\.json$/, "");
  const service = strip(JSON.parse(readFileSync(join(source, file), "utf8")));
  let paginators = {};
  try {
    paginators = JSON.parse(readFileSync(join(source, `${uid}.paginators.json`), "utf8")).pagination ?? {};
  } catch {
    paginators = {};
  }
  const out = { metadata: service.metadata, operations: service.operations, shapes: service.shapes, paginators };
  writeFileSync(join(target, `${uid}.json`), JSON.stringify(out) + "\n");
  console.log(`model/${uid}.json: ${Object.keys(out.operations).length} operations`);
}
