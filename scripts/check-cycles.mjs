#!/usr/bin/env node
// Fails when run-time imports under src/ form a cycle, and names each cycle with the imports
// that tie it (`importer -> imported: names`). Fails too on an import against the direction
// docs/architecture.md gives the layers (DIRECTIONS below: the organization model imports no
// service, a service no other service, ...).
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
 * Imports that must not exist, whatever else holds: [importer, imported, why]. A path ending in
 * "/" is a folder; "services/*\/" is any one service's folder (an import from one service's
 * folder into another's is refused; services/table.ts, the composition root, is no service).
 */
const DIRECTIONS = [
  ...["services/", "control/", "console/", "seed/", "app.ts", "server.ts", "index.ts", "cli.ts", "cli/"].map((to) => [
    "org/",
    to,
    "the organization model sits below everything that uses it: it imports no service and calls no operation",
  ]),
  ["services/*/", "services/*/", "a service reads the shared model (src/org/), never another service's modules"],
  ...["org/", "services/", "control/", "console/", "seed/", "app.ts", "store/"].map((to) => ["policy/", to, "the policy language and its evaluation read no state: the model applies them"]),
  ["control/routes-", "control/api.ts", "route files take what they share from control/http.ts, never from the router that joins them"],
];

/** The rule of DIRECTIONS that `from -> to` breaks, if any (paths relative to src/). */
function brokenDirection(from, to) {
  const within = (path, place) => (place.endsWith("/") || place.endsWith("-") ? path.startsWith(place) : path === place);
  const serviceOf = (path) => /^services\/([^/]+)\//.exec(path)?.[1];
  for (const [a, b, why] of DIRECTIONS) {
    if (a === "services/*/") {
      const x = serviceOf(from);
      const y = serviceOf(to);
      if (x && y && x !== y) return why;
      continue;
    }
    if (within(from, a) && within(to, b)) return why;
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
  const candidates = [base.replace(/\.js$/, ".ts"), base.replace(/\.cjs$/, ".cts"), base.replace(/\.mjs$/, ".mts"), base, `${base}.ts`, join(base, "index.ts")];
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
    : ts.transpileModule(text, { fileName: file, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const out = [];
  const add = (specifier, names) => {
    const to = resolveSpecifier(file, specifier);
    if (to) out.push({ to, names });
  };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, namesOf(node));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
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
  if (against.length > 0) process.exit(1);
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
