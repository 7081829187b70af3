/**
 * The load generator's HTTP side: raw awsJson1.1 requests with a fixed, valid-looking SigV4
 * Authorization header (built once, never signed per request), written as prepared bytes on
 * keep-alive connections. orgsim in its default (non-strict) mode maps a 12-digit access key id
 * to that account's root user without verifying the signature; moto verifies no signature
 * either. So what is measured is the server, not the client's signer.
 *
 * The client is a minimal HTTP/1.1 one over node:net (one request in flight per connection,
 * Content-Length or chunked answers) rather than node:http's Agent: node:http's client costs
 * more CPU per request than the bare node:http server it measures, so with the two on one core
 * each the "ceiling" would be the load generator's, not the server's. `clientCpuUsPerStep` in
 * every result shows the load generator's own cost.
 *
 * Several replicas of one server (orgsim over one PostgreSQL database) are balanced here, in the
 * load generator, as a least-outstanding-requests load balancer does: a `Balanced` upstream sends
 * each request to the replica with the fewest requests in flight, ties taken in turn. (Sent
 * strictly in turn, a closed loop couples the replicas: a worker whose request went to a stalled
 * replica waits, and soon every worker does while the other replica idles.)
 */
import net from "node:net";

export const REGION = "us-east-1";
const TARGET_PREFIX = "AWSOrganizationsV20161128";
const FAKE_SIGNATURE = "f".repeat(64);
const CRLF2 = Buffer.from("\r\n\r\n");

export interface RawResponse {
  status: number;
  body: string;
}

/** An Organizations call whose bytes are prepared before the clock starts. */
export interface PreparedCall {
  operation: string;
  bytes: Buffer;
}

/** One keep-alive connection with at most one request in flight. */
class Connection {
  private readonly socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private pending: { resolve: (r: RawResponse) => void; reject: (e: Error) => void } | undefined;
  alive = true;

  constructor(host: string, port: number) {
    this.socket = net.connect(port, host);
    this.socket.setNoDelay(true);
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (err) => this.fail(err));
    this.socket.on("close", () => this.fail(new Error("socket hang up")));
  }

  request(bytes: Buffer): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(bytes);
    });
  }

  close(): void {
    this.alive = false;
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.alive = false;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const parsed = parseResponse(this.buf);
    if (!parsed) return;
    this.buf = this.buf.subarray(parsed.consumed);
    if (parsed.close) this.close();
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(parsed.response);
  }
}

/** A complete response at the start of `buf`, or undefined while more bytes are needed. */
function parseResponse(buf: Buffer): { response: RawResponse; consumed: number; close: boolean } | undefined {
  const headerEnd = buf.indexOf(CRLF2);
  if (headerEnd < 0) return undefined;
  const head = buf.toString("latin1", 0, headerEnd);
  const lines = head.split("\r\n");
  const status = Number(lines[0]!.split(" ")[1]);
  let length: number | undefined;
  let chunked = false;
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === "content-length") length = Number(value);
    else if (name === "transfer-encoding") chunked = value.includes("chunked");
    else if (name === "connection") close = value === "close";
  }
  const bodyStart = headerEnd + 4;
  if (length !== undefined) {
    if (buf.length < bodyStart + length) return undefined;
    return { response: { status, body: buf.toString("utf8", bodyStart, bodyStart + length) }, consumed: bodyStart + length, close };
  }
  if (chunked) {
    const parts: Buffer[] = [];
    let at = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString("latin1", at, lineEnd), 16);
      if (size === 0) {
        const end = buf.indexOf(CRLF2, lineEnd);
        if (end < 0) return undefined;
        return { response: { status, body: Buffer.concat(parts).toString("utf8") }, consumed: end + 4, close };
      }
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  // Neither: the answer ends when the server closes; not spoken by the servers measured here.
  throw new Error(`an answer with neither Content-Length nor chunked encoding (HTTP ${status})`);
}

/** A server and its pool of keep-alive connections (a closed loop of N workers holds N of them). */
export interface Endpoint {
  host: string;
  port: number;
  idle: Connection[];
  all: Set<Connection>;
  /** Requests sent and not yet answered. */
  inFlight: number;
}

export function keepAliveEndpoint(host: string, port: number): Endpoint {
  return { host, port, idle: [], all: new Set(), inFlight: 0 };
}

/** Several replicas of one server: each request goes to the one with the fewest requests in flight (ties in turn), on that replica's own keep-alive pool. */
export interface Balanced {
  replicas: Endpoint[];
  next: number;
}

/** Where a request goes: one server, or balanced replicas. */
export type Upstream = Endpoint | Balanced;

export function balanced(host: string, ports: number[]): Balanced {
  if (ports.length === 0) throw new Error("balanced: no replica");
  return { replicas: ports.map((port) => keepAliveEndpoint(host, port)), next: 0 };
}

/** The replica with the fewest requests in flight, the next in turn among equals. */
function pick(up: Upstream): Endpoint {
  if (!("replicas" in up)) return up;
  const n = up.replicas.length;
  let best = up.replicas[up.next % n]!;
  for (let i = 1; i < n; i++) {
    const ep = up.replicas[(up.next + i) % n]!;
    if (ep.inFlight < best.inFlight) best = ep;
  }
  up.next = (up.replicas.indexOf(best) + 1) % n;
  return best;
}

export function closeEndpoint(up: Upstream): void {
  for (const ep of "replicas" in up ? up.replicas : [up]) {
    for (const c of ep.all) c.close();
    ep.all.clear();
    ep.idle.length = 0;
  }
}

/** `20261129T101010Z`, as X-Amz-Date wants it. */
function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

const RUN_DATE = amzDate(new Date());

/** The request bytes of a signed-looking Organizations call by `accessKeyId` (a 12-digit id means that account's root user in orgsim). */
export function prepare(accessKeyId: string, operation: string, input: object): PreparedCall {
  const body = JSON.stringify(input);
  const head =
    "POST / HTTP/1.1\r\n" +
    "Host: 127.0.0.1\r\n" +
    "Content-Type: application/x-amz-json-1.1\r\n" +
    `X-Amz-Target: ${TARGET_PREFIX}.${operation}\r\n` +
    `X-Amz-Date: ${RUN_DATE}\r\n` +
    `Authorization: AWS4-HMAC-SHA256 Credential=${accessKeyId}/${RUN_DATE.slice(0, 8)}/${REGION}/organizations/aws4_request, ` +
    `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${FAKE_SIGNATURE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return { operation, bytes: Buffer.from(head + body) };
}

export async function send(up: Upstream, bytes: Buffer): Promise<RawResponse> {
  const ep = pick(up);
  let conn = ep.idle.pop();
  while (conn && !conn.alive) conn = ep.idle.pop();
  if (!conn) {
    conn = new Connection(ep.host, ep.port);
    ep.all.add(conn);
  }
  ep.inFlight++;
  try {
    const res = await conn.request(bytes);
    if (conn.alive) ep.idle.push(conn);
    else ep.all.delete(conn);
    return res;
  } catch (err) {
    ep.all.delete(conn);
    conn.close();
    throw err;
  } finally {
    ep.inFlight--;
  }
}

/** An AWS error answer (or a transport failure), with AWS's error name when there is one. */
export class CallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  override toString(): string {
    return `${this.code}${this.status && !this.code.startsWith("HTTP") ? ` (HTTP ${this.status})` : ""}: ${this.message}`;
  }
}

function errorOf(res: RawResponse, operation: string): CallError {
  let code = `HTTP ${res.status}`;
  let message = res.body.slice(0, 300);
  try {
    const parsed = JSON.parse(res.body) as { __type?: unknown; message?: unknown; Message?: unknown };
    if (typeof parsed.__type === "string") code = parsed.__type.replace(/^.*#/, "");
    const m = parsed.Message ?? parsed.message;
    if (typeof m === "string") message = m;
  } catch {
    // Not JSON: moto answers what it does not implement with an HTML error page.
    if (/^\s*</.test(res.body)) message = "an HTML error page";
  }
  return new CallError(code, `${operation}: ${message}`, res.status);
}

/** Sends a prepared call; the parsed JSON answer, or a CallError for any non-200 answer. */
export async function invoke(ep: Upstream, call: PreparedCall): Promise<Record<string, unknown>> {
  const res = await send(ep, call.bytes);
  if (res.status !== 200) throw errorOf(res, call.operation);
  return res.body === "" ? {} : (JSON.parse(res.body) as Record<string, unknown>);
}

/** For setup steps: prepare and invoke in one. */
export function call(ep: Upstream, accessKeyId: string, operation: string, input: object = {}): Promise<Record<string, unknown>> {
  return invoke(ep, prepare(accessKeyId, operation, input));
}

/** Reads a nested string member of an answer, e.g. `str(out, "CreateAccountStatus", "Id")`. */
export function str(value: unknown, ...path: string[]): string {
  let cur: unknown = value;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") throw new Error(`answer has no ${path.join(".")}`);
    cur = (cur as Record<string, unknown>)[key];
  }
  if (typeof cur !== "string") throw new Error(`answer has no string ${path.join(".")}`);
  return cur;
}

export function describeError(err: unknown): string {
  if (err instanceof CallError) return err.toString();
  if (err instanceof Error) return err.message;
  return String(err);
}
