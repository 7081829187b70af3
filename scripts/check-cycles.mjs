#!/usr/bin/env node
// Fails when run-time imports under src/ form a cycle, and names each cycle with the imports
// that tie it (`importer -> imported: names`). Fails too on an import against the map of
// docs/architecture.md: upwards between its layers (LAYERS below: the organization model below
// every service, ...), or against one of its rules (DIRECTIONS: a service imports no other
// service, ...).
//
// A run-time import is one that is still there when the file runs: each file is transpiled the
// way the compiler emits it (type-only imports, and imports used only as types, are dropped),
// then its static imports, re-exports and `import("...")` calls are read. Only imports of other
// files under src/ count. Usage: node scripts/check-cycles.mjs [--list] [--types] (--list prints
// every import it counts, one a line; --types counts type-only imports too, for the circles a
// reader follows even where nothing runs).
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "src");
const SOURCE = /\.(c|m)?ts$/;
const withTypes = process.argv.includes("--types");
const what = withTypes ? "imports (type-only ones included)" : "run-time imports (type-only imports left out)";

/**
 * The layers of src/, top to bottom, as docs/architecture.md's map draws them: a file may import
 * files of its own layer or of a layer below, never of one above. A path ending in "/" is a
 * folder; the longest path that holds a file places it. A file placed nowhere fails the check.
 */
const LAYERS = [
  ["cli.ts", "cli/"],
  ["index.ts", "cjs/"],
  ["server.ts", "http/", "landing.ts", "unserved.ts"],
  ["control/"],
  ["console/", "seed/"],
  ["app.ts", "faults.ts"],
  ["services/table.ts"],
  ["services/"],
  ["auth/"],
  ["org/"],
  ["policy/"],
  ["paginate.ts", "context.ts", "clock.ts", "quotas.ts", "duration.ts"],
  ["store/", "protocol/", "config.ts", "log.ts", "version.ts", "words.ts"],
];

/** Imports refused within a layer or downwards too: [importer, imported, why]. "services/*\/" is any one service's folder. */
const DIRECTIONS = [
  ["services/*/", "services/*/", "a service reads the shared model (src/org/), never another service's modules"],
  ["policy/", "store/", "the policy language and its evaluation read no state: the model applies them"],
  ["control/routes-", "control/api.ts", "route files take what they share from control/http.ts, never from the router that joins them"],
];

/** The layer of a file (path relative to src/), or undefined. */
function layerOf(path) {
  let best;
  LAYERS.forEach((layer, i) => {
    for (const place of layer) {
      const holds = place.endsWith("/") ? path.startsWith(place) : path === place;
      if (holds && (!best || place.length > best.length)) best = { layer: i, length: place.length };
    }
  });
  return best?.layer;
}

/** Why `from -> to` (paths relative to src/) goes against the map, if it does. */
function brokenDirection(from, to) {
  const a = layerOf(from);
  const b = layerOf(to);
  if (a !== undefined && b !== undefined && b < a) return `${LAYERS[b].join(", ")} is above ${LAYERS[a].join(", ")} in the map`;
  const within = (path, place) => (place.endsWith("/") || place.endsWith("-") ? path.startsWith(place) : path === place);
  const serviceOf = (path) => /^services\/([^/]+)\//.exec(path)?.[1];
  for (const [x, y, why] of DIRECTIONS) {
    if (x === "services/*/") {
      const p = serviceOf(from);
      const q = serviceOf(to);
      if (p && q && p !== q) return why;
    } else if (within(from, x) && within(to, y)) {
      return why;
    }
  }
  return undefined;
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The source file a relative specifier names ("./x.js" is ./x.ts), or undefined outside src/. */
function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.cjs$/, ".cts"),
    base.replace(/\.mjs$/, ".mts"),
    base,
    `${base}.ts`,
    join(base, "index.ts"),
  ];
  const found = candidates.find((c) => SOURCE.test(c) && existsSync(c));
  return found && found.startsWith(srcDir) ? found : undefined;
}

/** The names an emitted import or re-export takes from its module. */
function namesOf(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return ["(side effects)"];
    const names = clause.name ? ["default"] : [];
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push("*");
    if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.map((e) => (e.propertyName ?? e.name).text));
    return names;
  }
  const clause = node.exportClause;
  if (!clause || ts.isNamespaceExport(clause)) return ["*"];
  return clause.elements.map((e) => (e.propertyName ?? e.name).text);
}

/** Every run-time import of `file`: [{ to, names }]. */
function runtimeImports(file) {
  const text = readFileSync(file, "utf8");
  const emitted = withTypes
    ? text
    : ts.transpileModule(text, { fileName: file, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
        .outputText;
  const out = [];
  const add = (specifier, names) => {
    const to = resolveSpecifier(file, specifier);
    if (to) out.push({ to, names });
  };
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, namesOf(node));
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, ["import()"]);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, emitted, ts.ScriptTarget.ES2022, true, withTypes ? ts.ScriptKind.TS : ts.ScriptKind.JS));
  return out;
}

/** Strongly connected components (Tarjan): every group of files that import each other. */
function cycles(graph) {
  let index = 0;
  const indexOf = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const connect = (v) => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v)) {
      if (!indexOf.has(to)) {
        connect(to);
        low.set(v, Math.min(low.get(v), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(v, Math.min(low.get(v), indexOf.get(to)));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      const selfImport = graph.get(v).some((e) => e.to === v);
      if (group.length > 1 || selfImport) found.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indexOf.has(v)) connect(v);
  return found;
}

const name = (file) => relative(root, file);
const files = sourceFiles(srcDir).sort();
const graph = new Map(files.map((f) => [f, runtimeImports(f)]));

if (process.argv.includes("--list")) {
  for (const [from, edges] of graph) for (const { to, names } of edges) console.log(`${name(from)} -> ${name(to)}: ${names.join(", ")}`);
}

const inSrc = (file) => relative(srcDir, file);
const unplaced = files.filter((f) => layerOf(inSrc(f)) === undefined);
for (const f of unplaced)
  console.error(`${name(f)} is in no layer: place it in LAYERS (scripts/check-cycles.mjs) and in docs/architecture.md's map`);
const against = [...graph].flatMap(([from, edges]) =>
  edges.flatMap(({ to, names }) => {
    const why = brokenDirection(inSrc(from), inSrc(to));
    return why ? [`  ${name(from)} -> ${name(to)}: ${names.join(", ")} (${why})`] : [];
  }),
);
if (against.length > 0) {
  console.error(`${against.length} import${against.length === 1 ? "" : "s"} against the direction of the layers (docs/architecture.md):`);
  for (const line of against) console.error(line);
}

const found = cycles(graph);
const edges = [...graph.values()].reduce((n, e) => n + e.length, 0);
if (found.length === 0) {
  if (against.length > 0 || unplaced.length > 0) process.exit(1);
  console.log(`no import cycles, no import against the layers: ${files.length} files under src/, ${edges} ${what}`);
  process.exit(0);
}
console.error(`${found.length} import cycle${found.length === 1 ? "" : "s"} among ${what} under src/:`);
found.forEach((group, i) => {
  const members = new Set(group);
  console.error(`\ncycle ${i + 1}: ${group.length} files: ${group.map(name).join(", ")}`);
  for (const from of group) {
    for (const { to, names } of graph.get(from)) if (members.has(to)) console.error(`  ${name(from)} -> ${name(to)}: ${names.join(", ")}`);
  }
});
console.error("\nA cycle is untied where one of its imports turns round or goes: see docs/architecture.md (the direction of imports).");
process.exit(1);
