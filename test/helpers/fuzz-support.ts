/**
 * Shared by the hostile-input, soak and concurrency suites: a seeded PRNG, unsigned SigV4-shaped
 * headers (any well-formed Authorization works when --strict-auth is off), a raw-socket HTTP
 * client for what fetch refuses to send, checkers for each protocol's error form, a separate
 * orgsim process on a fresh PostgreSQL database when ORGSIM_TEST_DATABASE_URL is set, and a
 * snapshot of the state that hostile input must never change.
 */
import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  ListAccountsCommand,
  ListHandshakesForOrganizationCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { spawnOrgsim, type ServerProcess } from "./process.js";
import { MANAGEMENT, REGION } from "./server.js";

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

/** mulberry32: small, fast, and the same sequence for the same seed on every run. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** Printable ASCII (0x20-0x7e). */
  text(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(0x20 + this.int(95));
    return s;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

export function amzDate(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
}

/** A well-formed (unverified) SigV4 Authorization header: the access key is the account id. */
export function authorization(accessKeyId: string, service: string, date = amzDate()): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${date.slice(0, 8)}/${REGION}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
}

export function signedHeaders(accessKeyId: string, service: string): Record<string, string> {
  const date = amzDate();
  return { "X-Amz-Date": date, Authorization: authorization(accessKeyId, service, date) };
}

export const ORGS_TARGET_PREFIX = "AWSOrganizationsV20161128";
export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";

export function orgsHeaders(operation: string, account = MANAGEMENT): Record<string, string> {
  return {
    "Content-Type": JSON_CONTENT_TYPE,
    "X-Amz-Target": `${ORGS_TARGET_PREFIX}.${operation}`,
    ...signedHeaders(account, "organizations"),
  };
}

export interface Answer {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

export async function httpCall(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Answer> {
  const body = init.body === undefined ? undefined : typeof init.body === "string" ? init.body : new Uint8Array(init.body);
  const res = await fetch(url, { method: init.method ?? "POST", headers: init.headers, body });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return { status: res.status, headers, body: await res.text() };
}

/** Parses one HTTP/1.1 response (the server closes or sends Content-Length); undefined when nothing came back. */
export function parseRawResponse(raw: Buffer): Answer | undefined {
  const text = raw.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const lines = text.slice(0, end).split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(Buffer.byteLength(text.slice(0, end + 4), "latin1"));
  const length = headers["content-length"];
  if (length !== undefined) body = body.subarray(0, Number(length));
  return { status: Number(m[1]), headers, body: body.toString("utf8") };
}

export interface RawOptions {
  /** Milliseconds between pieces. */
  gapMs?: number;
  /** Destroy the socket after the last piece instead of waiting for the answer. */
  abortAfterSend?: boolean;
  /** Give up waiting for the answer after this long (then the socket is destroyed). */
  deadlineMs?: number;
  /** Called once every piece is written. */
  onSent?: () => void;
}

/** Writes `pieces` on a fresh TCP connection and returns whatever the server answered. */
export function rawHttp(port: number, pieces: (string | Buffer)[], opts: RawOptions = {}): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve(parseRawResponse(Buffer.concat(chunks)));
    };
    const deadline = setTimeout(finish, opts.deadlineMs ?? 20_000);
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      const answer = parseRawResponse(Buffer.concat(chunks));
      if (
        answer &&
        answer.headers["content-length"] !== undefined &&
        Buffer.byteLength(answer.body) >= Number(answer.headers["content-length"])
      )
        finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.on("connect", async () => {
      for (const piece of pieces) {
        if (done) return;
        socket.write(piece);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      opts.onSent?.();
      if (opts.abortAfterSend) finish();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// What a well-formed AWS error looks like, per protocol
// ---------------------------------------------------------------------------------------------

const REQUEST_ID = /^[0-9A-Za-z-]{16,64}$/;

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** 4xx only, except the body-size limit's 413 (also 4xx) — a 5xx is never an answer to bad input. */
function statusProblem(a: Answer): string | undefined {
  if (a.status < 400 || a.status > 499) return `status ${a.status}`;
  return undefined;
}

/** awsJson1.1: status 4xx, x-amzn-RequestId, a JSON object with `__type` and `Message`. */
export function jsonErrorProblem(a: Answer, allowed?: readonly string[]): string | undefined {
  const s = statusProblem(a);
  if (s) return s;
  if (!REQUEST_ID.test(a.headers["x-amzn-requestid"] ?? "")) return "no x-amzn-RequestId header";
  const body = parseJsonObject(a.body);
  if (!body) return "body is not a JSON object";
  if (typeof body.__type !== "string" || body.__type === "") return "no __type";
  if (typeof body.Message !== "string") return "no Message";
  if (allowed && !allowed.includes(body.__type)) return `__type ${body.__type} not in [${allowed.join(", ")}]`;
  return undefined;
}

/**
 * A small XML well-formedness check: balanced elements, no stray '<' or '&' in text, only the
 * predefined or numeric entities. Returns the problem, or undefined.
 */
export function xmlProblem(text: string): string | undefined {
  const stack: string[] = [];
  let i = text.startsWith("<?xml") ? text.indexOf("?>") + 2 : 0;
  let roots = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(chunk)) return "bare & in text";
    if (chunk.includes(">")) return "stray > in text";
    if (stack.length === 0 && chunk.trim() !== "") return "text outside the root element";
    if (lt < 0) break;
    const gt = text.indexOf(">", lt);
    if (gt < 0) return "unterminated tag";
    const tag = text.slice(lt + 1, gt);
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim();
      if (stack.pop() !== name) return `mismatched </${name}>`;
    } else {
      const m = /^([A-Za-z_][\w.-]*)(\s+[A-Za-z_:][\w:.-]*="[^"<]*")*\s*(\/?)$/.exec(tag);
      if (!m) return `bad tag <${tag.slice(0, 40)}>`;
      if (stack.length === 0) roots++;
      if (m[3] !== "/") stack.push(m[1]!);
    }
    i = gt + 1;
  }
  if (stack.length > 0) return `unclosed <${stack[stack.length - 1]}>`;
  if (roots !== 1) return `${roots} root elements`;
  return undefined;
}

/** awsQuery (STS): status 4xx, `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function queryErrorProblem(a: Answer, allowed?: readonly string[]): string | undefined {
  const s = statusProblem(a);
  if (s) return s;
  const xml = xmlProblem(a.body);
  if (xml) return `not well-formed XML: ${xml}`;
  const m =
    /^<ErrorResponse(?: xmlns="[^"]*")?><Error><Type>Sender<\/Type><Code>([A-Za-z.]+)<\/Code><Message>[^<]*<\/Message>(?:<\w+>[^<]*<\/\w+>)*<\/Error><RequestId>([^<]+)<\/RequestId><\/ErrorResponse>$/.exec(
      a.body,
    );
  if (!m) return "not an awsQuery ErrorResponse with Type Sender, Code, Message and RequestId";
  if (!REQUEST_ID.test(m[2]!)) return "bad RequestId";
  if (allowed && !allowed.includes(m[1]!)) return `Code ${m[1]} not in [${allowed.join(", ")}]`;
  return undefined;
}

/** restJson1 (Account): status 4xx, x-amzn-ErrorType, x-amzn-RequestId, a JSON object with a message. */
export function restErrorProblem(a: Answer, allowed?: readonly string[]): string | undefined {
  const s = statusProblem(a);
  if (s) return s;
  const type = a.headers["x-amzn-errortype"];
  if (!type) return "no x-amzn-ErrorType header";
  if (!REQUEST_ID.test(a.headers["x-amzn-requestid"] ?? "")) return "no x-amzn-RequestId header";
  const body = parseJsonObject(a.body);
  if (!body) return "body is not a JSON object";
  if (typeof body.message !== "string" && typeof body.Message !== "string") return "no message";
  const code = type.split(":")[0]!;
  if (allowed && !allowed.includes(code)) return `x-amzn-ErrorType ${code} not in [${allowed.join(", ")}]`;
  return undefined;
}

/** The control API's error form: status 4xx and a JSON object `{error, message}` (both strings). */
export function controlErrorProblem(a: Answer, allowed?: readonly string[]): string | undefined {
  const s = statusProblem(a);
  if (s) return s;
  const body = parseJsonObject(a.body);
  if (!body) return "body is not a JSON object";
  if (typeof body.error !== "string" || body.error === "") return "no error";
  if (typeof body.message !== "string" || body.message === "") return "no message";
  if (allowed && !allowed.includes(body.error)) return `error ${body.error} not in [${allowed.join(", ")}]`;
  return undefined;
}

/**
 * The body-size limit's answer: 413 RequestEntityTooLargeException in the wire form of the
 * request's protocol (the control API answers its own `{error, message}`).
 */
export function tooLargeProblem(a: Answer, protocol: "json" | "query" | "rest" | "control"): string | undefined {
  if (a.status !== 413) return `status ${a.status}, expected 413`;
  const code = ["RequestEntityTooLargeException"];
  if (protocol === "json") return jsonErrorProblem(a, code);
  if (protocol === "query") return queryErrorProblem(a, code);
  if (protocol === "rest") return restErrorProblem(a, code);
  const body = parseJsonObject(a.body);
  return body?.error === code[0] && typeof body.message === "string" ? undefined : "not a control-API error {error, message}";
}

// ---------------------------------------------------------------------------------------------
// A separate orgsim process with a state of its own
// ---------------------------------------------------------------------------------------------

export interface IsolatedServer {
  proc: ServerProcess;
  endpoint: string;
  port: number;
  pid: number;
  engine: "sqlite" | "postgres";
  /** SIGTERM (graceful) by default; SIGKILL for a server that is stuck. Drops its database. */
  close(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `orgsim start` as users run it, on a fresh PostgreSQL database when ORGSIM_TEST_DATABASE_URL
 * is set (dropped on close), otherwise on SQLite (in memory, or a temporary file with
 * `sqliteFile`).
 */
export async function spawnIsolated(extraArgs: string[] = [], options: { sqliteFile?: boolean } = {}): Promise<IsolatedServer> {
  const pgUrl = process.env.ORGSIM_TEST_DATABASE_URL;
  let drop: () => Promise<void> = async () => {};
  const args = ["--quiet", ...extraArgs];
  if (pgUrl) {
    const name = `orgsim_f_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    args.push("--database", url.toString());
    drop = async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else if (options.sqliteFile) {
    const dir = mkdtempSync(join(tmpdir(), "orgsim-soak-"));
    args.push("--data", join(dir, "state.db"));
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  let proc: ServerProcess;
  try {
    proc = await spawnOrgsim(args);
  } catch (err) {
    await drop();
    throw err;
  }
  const endpoint = proc.endpoint;
  return {
    proc,
    endpoint,
    port: Number(new URL(endpoint).port),
    pid: proc.child.pid!,
    engine: pgUrl ? "postgres" : "sqlite",
    close: async (signal = "SIGTERM") => {
      await proc.stop(signal);
      await drop();
    },
  };
}

/** Resident set size of a process in KiB (VmRSS of /proc/<pid>/status), or undefined if it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

export function orgsClient(endpoint: string, accessKeyId = MANAGEMENT): OrganizationsClient {
  return new OrganizationsClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId, secretAccessKey: "orgsim-test-secret" },
    maxAttempts: 1,
  });
}

export async function control(endpoint: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${endpoint}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Every event of the control API's log, counted page by page. */
export async function countEvents(endpoint: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const q = new URLSearchParams({ maxResults: "1000" });
    if (token) q.set("nextToken", token);
    const res = await control(endpoint, "GET", `/_orgsim/events?${q}`);
    const body = res.body as { events: unknown[]; nextToken?: string };
    n += body.events.length;
    token = body.nextToken;
  } while (token);
  return n;
}

export interface Snapshot {
  accounts: string[];
  handshakes: string[];
  ous: string[];
  events: number;
}

/** What hostile input must never change: accounts (with status), handshakes (with state), OUs, the event count. */
export async function snapshot(endpoint: string): Promise<Snapshot> {
  const c = orgsClient(endpoint);
  const accounts: string[] = [];
  let token: string | undefined;
  do {
    const page = await c.send(new ListAccountsCommand({ NextToken: token }));
    accounts.push(...page.Accounts!.map((a) => `${a.Id}:${a.State ?? a.Status}:${a.Name}`));
    token = page.NextToken;
  } while (token);
  const handshakes: string[] = [];
  do {
    const page = await c.send(new ListHandshakesForOrganizationCommand({ NextToken: token }));
    handshakes.push(...page.Handshakes!.map((h) => `${h.Id}:${h.State}`));
    token = page.NextToken;
  } while (token);
  const root = (await c.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const ous: string[] = [];
  do {
    const page = await c.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root, NextToken: token }));
    ous.push(...page.OrganizationalUnits!.map((o) => `${o.Id}:${o.Name}`));
    token = page.NextToken;
  } while (token);
  c.destroy();
  return { accounts: accounts.sort(), handshakes: handshakes.sort(), ous: ous.sort(), events: await countEvents(endpoint) };
}

export interface ControlSnapshot {
  clockOffsetSeconds: number;
  faults: unknown[];
  quotaOverrides: unknown;
}

/** What hostile control requests must never change: the clock offset, the armed faults, the quota overrides. */
export async function controlSnapshot(endpoint: string): Promise<ControlSnapshot> {
  const clock = await control(endpoint, "GET", "/_orgsim/clock");
  const faults = await control(endpoint, "GET", "/_orgsim/faults");
  const quotas = await control(endpoint, "GET", "/_orgsim/quotas");
  if (clock.status !== 200 || faults.status !== 200 || quotas.status !== 200) {
    throw new Error(`control reads failed: clock ${clock.status}, faults ${faults.status}, quotas ${quotas.status}`);
  }
  return {
    clockOffsetSeconds: (clock.body as { offsetSeconds: number }).offsetSeconds,
    faults: (faults.body as { faults: unknown[] }).faults,
    quotaOverrides: (quotas.body as { overrides: unknown }).overrides,
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
}

/** The AWS error name of a rejected SDK call ("" for a success). */
export function errorName(r: PromiseSettledResult<unknown>): string {
  if (r.status === "fulfilled") return "";
  const e = r.reason as { name?: string };
  return e?.name ?? String(r.reason);
}
