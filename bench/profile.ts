/**
 * The one place that reads V8 CPU profiles (`node --cpu-prof`) for the bench: the profile's types,
 * reading the newest .cpuprofile of a folder, the call stack of a sample, and a frame's source
 * file (a frame of the start-up bundle, dist/bundle/orgsim.cjs, is traced back to the dist/src/
 * or node_modules/ file esbuild bundled at that line). On top of it, the summary of a server under
 * load: the top functions by self time, and self time grouped by layer (node:http, SigV4, Kysely,
 * SQLite, protocol, policy, GC, ...). Idle time is left out, so shares are of busy time.
 * bench/startup.ts classifies start-up profiles with the same reading code.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./servers.js";

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  /** µs, on the clock of process.hrtime. */
  startTime: number;
}

export interface HotFunction {
  name: string;
  where: string;
  layer: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  functions: HotFunction[];
  layers: { layer: string; selfMs: number; share: number }[];
}

function isCpuProfile(value: unknown): value is CpuProfile {
  const v = value as Partial<CpuProfile> | null;
  return !!v && Array.isArray(v.nodes) && Array.isArray(v.samples) && Array.isArray(v.timeDeltas);
}

/** The newest .cpuprofile in `dir`, parsed; undefined if none was written. */
export function readNewestProfile(dir: string): CpuProfile | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort();
  const last = files[files.length - 1];
  if (!last) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(path.join(dir, last), "utf8"));
  return isCpuProfile(parsed) ? parsed : undefined;
}

/** The call stack of each profile node, leaf first (built once per profile, on demand). */
export function stacksOf(profile: CpuProfile): (id: number) => CallFrame[] {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const cache = new Map<number, CallFrame[]>();
  return (id) => {
    let s = cache.get(id);
    if (!s) {
      s = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const node = byId.get(cur);
        if (node) s.push(node.callFrame);
      }
      cache.set(id, s);
    }
    return s;
  };
}

/** The start-up bundle's modules: the first line of each (0-based) and its path ("dist/src/...", "node_modules/..."), in order. */
const bundleModules = new Map<string, { line: number; file: string }[]>();

function modulesOfBundle(file: string): { line: number; file: string }[] {
  let mods = bundleModules.get(file);
  if (!mods) {
    mods = [];
    try {
      // esbuild (not minified) opens each module's code with a comment line naming its file.
      const lines = readFileSync(file, "latin1").split("\n");
      for (let i = 0; i < lines.length; i++) {
        const m = /^\/\/ ((?:dist\/src|node_modules)\/\S+\.[cm]?js)$/.exec(lines[i]!);
        if (m) mods.push({ line: i, file: m[1]! });
      }
    } catch {
      // No bundle to read: its frames stay as they are.
    }
    bundleModules.set(file, mods);
  }
  return mods;
}

/**
 * The frame as if it ran from its own file: a frame of the start-up bundle gets the URL of the
 * module esbuild put at its line (file://ROOT/dist/src/... or file://ROOT/node_modules/...), its
 * line number then still the bundle's. Any other frame is returned as it is.
 */
export function sourceFrame(frame: CallFrame): CallFrame {
  const url = frame.url;
  if (!url.endsWith("/dist/bundle/orgsim.cjs")) return frame;
  const file = url.startsWith("file://") ? new URL(url).pathname : url;
  const mods = modulesOfBundle(file);
  let lo = 0;
  let hi = mods.length - 1;
  let found: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (mods[mid]!.line <= frame.lineNumber) {
      found = mods[mid]!.file;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found ? { ...frame, url: `file://${ROOT}/${found}` } : frame;
}

export const GC_LAYER = "garbage collection";
export const SQL_LAYER = "SQL driver and engine (SQLite's prepare and run; pg's protocol and socket writes)";
const PG_DRIVER = /\/node_modules\/(pg|pg-protocol|pg-pool|pg-types)\//;

/**
 * The layer of orgsim (or of its dependencies, or of Node) a frame of a source file belongs to.
 * orgsim's own drivers (src/store/sqlite-driver.ts, pg-driver.ts) count as the SQL driver: the
 * SQLite one is where better-sqlite3's native prepare, run, BEGIN and COMMIT are called (V8 counts
 * that native time as its JavaScript caller's own), so its self time is mostly the SQL engine's.
 * (Kysely's own SQLite driver's executeQuery, the same for a build that still uses it.)
 */
export function layerOf(frame: CallFrame): string {
  const url = frame.url;
  const name = frame.functionName;
  if (name === "(garbage collector)") return GC_LAYER;
  if (name === "(program)" || name === "(root)") return "V8/native (unattributed)";
  if (url.includes("/node_modules/kysely/") && url.includes("sqlite-driver") && name === "executeQuery") return SQL_LAYER;
  if (url.includes("/node_modules/kysely/")) return "Kysely (query building and compiling)";
  if (url.includes("/node_modules/better-sqlite3/") || PG_DRIVER.test(url)) return SQL_LAYER;
  if (url.includes("/node_modules/@smithy/") || url.includes("/node_modules/@aws-crypto/")) return "SigV4 libraries";
  if (url.includes("/node_modules/")) return `other dependency (${url.split("/node_modules/")[1]?.split("/")[0] ?? "?"})`;
  if (url.includes("/dist/src/auth/")) return "orgsim auth (SigV4 parsing, identity)";
  if (url.includes("/dist/src/protocol/")) return "orgsim protocol (parse, validate, serialize)";
  if (url.includes("/dist/src/policy/")) return "orgsim SCP evaluation (policy)";
  if (url.includes("/dist/src/store/sqlite-driver.") || url.includes("/dist/src/store/pg-driver.")) return SQL_LAYER;
  if (url.includes("/dist/src/store/")) return "orgsim store (transactions, statements)";
  if (url.includes("/dist/src/services/") || url.includes("/dist/src/org/")) return "orgsim operations (services, org)";
  if (url.includes("/dist/src/")) return "orgsim server, routing, context, log";
  if (url.endsWith("/dist/bundle/orgsim.cjs")) return "orgsim bundle (esbuild's module wrappers)";
  if (url.startsWith("node:internal/http") || url.startsWith("node:_http") || url.startsWith("node:http") || url.includes("_http_"))
    return "node:http";
  if (
    url.startsWith("node:internal/streams") ||
    url.startsWith("node:internal/stream_base") ||
    url.startsWith("node:net") ||
    url.startsWith("node:stream") ||
    url.startsWith("node:events")
  )
    return "node streams, sockets, events";
  if (url.startsWith("node:internal/crypto")) return "node crypto (UUIDs, HMAC, hashes)";
  if (url.startsWith("node:internal/url")) return "node URL parsing";
  if (
    url.startsWith("node:internal/process/task_queues") ||
    url.startsWith("node:internal/async_hooks") ||
    url.startsWith("node:internal/timers")
  )
    return "promise, tick and timer machinery";
  if (url.startsWith("node:internal/modules") || url.startsWith("node:internal/bootstrap")) return "module loading";
  if (url.startsWith("node:")) return "other node core";
  if (url === "") return name ? "native/builtin functions (no caller known)" : "V8/native (unattributed)";
  return "other";
}

function shortUrl(url: string): string {
  if (url === "") return "(native)";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + "/node_modules/".length);
  const rootUrl = `file://${ROOT}/`;
  return url.startsWith(rootUrl) ? url.slice(rootUrl.length) : url;
}

/** Where a frame is, for the report: its file and line (a bundled frame: its module, then the bundle's line). */
function whereOf(original: CallFrame, frame: CallFrame): string {
  if (original.url === "") return "(native)";
  if (original.url !== frame.url) return `${shortUrl(frame.url)} (bundle line ${original.lineNumber + 1})`;
  return `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

/**
 * `window`: count only the samples inside it (µs on process.hrtime's clock, the profile's own: the
 * measured window of a load, without the server's start, the setup or the warm-up).
 * A native or builtin function (no source: writev, JSON.parse, runMicrotasks, ...) counts in the
 * layer of the nearest caller that has a source, so "node:http" holds the writes node:http makes.
 */
export function summarize(profile: CpuProfile, top = 15, window?: [number, number]): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const stackOf = stacksOf(profile);
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window[0] || t > window[1])) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const fnSelf = new Map<string, { original: CallFrame; frame: CallFrame; layer: string; us: number }>();
  const layerSelf = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const original = node.callFrame;
    if (original.functionName === "(idle)") continue;
    busyUs += us;
    const frame = sourceFrame(original);
    let layer = layerOf(frame);
    if (frame.url === "" && !frame.functionName.startsWith("(")) {
      const caller = stackOf(id).find((f) => f.url !== "");
      if (caller) layer = layerOf(sourceFrame(caller));
    }
    // Node's socket and stream work on behalf of the PostgreSQL driver (its writes to the backend) is the driver's.
    if (
      (frame.url === "" || frame.url.startsWith("node:")) &&
      layer !== GC_LAYER &&
      stackOf(id).some((f) => PG_DRIVER.test(sourceFrame(f).url))
    )
      layer = SQL_LAYER;
    const key = `${original.functionName}|${original.url}|${original.lineNumber}|${layer}`;
    const entry = fnSelf.get(key) ?? { original, frame, layer, us: 0 };
    entry.us += us;
    fnSelf.set(key, entry);
    layerSelf.set(layer, (layerSelf.get(layer) ?? 0) + us);
  }
  const functions = [...fnSelf.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({
      name: e.frame.functionName || "(anonymous)",
      where: e.frame.url === "" ? `(native, in ${e.layer})` : whereOf(e.original, e.frame),
      layer: e.layer,
      selfMs: e.us / 1000,
      share: busyUs ? e.us / busyUs : 0,
    }));
  const layers = [...layerSelf.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([layer, us]) => ({ layer, selfMs: us / 1000, share: busyUs ? us / busyUs : 0 }));
  return { busyMs: busyUs / 1000, functions, layers };
}

/** The newest .cpuprofile in `dir`, summarized; undefined if none was written. */
export function readProfileDir(dir: string, top = 15, window?: [number, number]): ProfileSummary | undefined {
  const profile = readNewestProfile(dir);
  return profile ? summarize(profile, top, window) : undefined;
}
