/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and answers where the server's CPU time went:
 * the top functions by self time, and self time grouped by layer (HTTP, SigV4, Kysely, SQLite,
 * protocol, policy, ...). Idle time is left out, so shares are of busy time.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./servers.js";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
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

/** The layer of orgsim (or of its dependencies) a frame belongs to. */
export function layerOf(frame: CallFrame): string {
  const url = frame.url;
  const name = frame.functionName;
  if (name === "(garbage collector)") return "garbage collection";
  if (name === "(program)" || name === "(root)") return "V8/native (unattributed)";
  if (url.includes("/node_modules/kysely/")) return "Kysely (query building, compiling, driver)";
  if (url.includes("/node_modules/better-sqlite3/")) return "SQLite (better-sqlite3)";
  if (url.includes("/node_modules/@smithy/") || url.includes("/node_modules/@aws-crypto/")) return "SigV4 libraries";
  if (url.includes("/node_modules/")) return `other dependency (${url.split("/node_modules/")[1]?.split("/")[0] ?? "?"})`;
  if (url.includes("/dist/src/auth/")) return "orgsim auth (SigV4 parsing, identity)";
  if (url.includes("/dist/src/protocol/")) return "orgsim protocol (parse, validate, serialize)";
  if (url.includes("/dist/src/policy/")) return "orgsim SCP evaluation";
  if (url.includes("/dist/src/store/")) return "orgsim store";
  if (url.includes("/dist/src/services/")) return "orgsim operations";
  if (url.includes("/dist/src/")) return "orgsim server/app/log";
  if (url.startsWith("node:internal/http") || url.startsWith("node:_http") || url.startsWith("node:http") || url.includes("_http_"))
    return "node:http";
  if (
    url.startsWith("node:internal/streams") ||
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
  if (url === "") return name ? "native/builtin functions" : "V8/native (unattributed)";
  return "other";
}

function shortUrl(url: string): string {
  if (url === "") return "(native)";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + "/node_modules/".length);
  const rootUrl = `file://${ROOT}/`;
  return url.startsWith(rootUrl) ? url.slice(rootUrl.length) : url;
}

/** `skipMs`: leave out the samples of the profile's first milliseconds (start and setup, before the load). */
export function summarize(profile: CpuProfile, top = 15, skipMs = 0): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const selfUs = new Map<number, number>();
  let elapsedUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsedUs += delta;
    if (elapsedUs < skipMs * 1000) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const fnSelf = new Map<string, { frame: CallFrame; us: number }>();
  const layerSelf = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const frame = node.callFrame;
    if (frame.functionName === "(idle)") continue;
    busyUs += us;
    const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}`;
    const entry = fnSelf.get(key) ?? { frame, us: 0 };
    entry.us += us;
    fnSelf.set(key, entry);
    const layer = layerOf(frame);
    layerSelf.set(layer, (layerSelf.get(layer) ?? 0) + us);
  }
  const functions = [...fnSelf.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({
      name: e.frame.functionName || "(anonymous)",
      where: `${shortUrl(e.frame.url)}${e.frame.url ? `:${e.frame.lineNumber + 1}` : ""}`,
      layer: layerOf(e.frame),
      selfMs: e.us / 1000,
      share: busyUs ? e.us / busyUs : 0,
    }));
  const layers = [...layerSelf.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([layer, us]) => ({ layer, selfMs: us / 1000, share: busyUs ? us / busyUs : 0 }));
  return { busyMs: busyUs / 1000, functions, layers };
}

/** The newest .cpuprofile in `dir`, summarized; undefined if none was written. */
export function readProfileDir(dir: string, top = 15, skipMs = 0): ProfileSummary | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort();
  const last = files[files.length - 1];
  if (!last) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(path.join(dir, last), "utf8"));
  return isCpuProfile(parsed) ? summarize(parsed, top, skipMs) : undefined;
}
