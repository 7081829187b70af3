/**
 * The one HTTP listener. It routes by what AWS clients send: X-Amz-Target (awsJson1.1),
 * form-encoded Action= (awsQuery, STS), REST paths (restJson1, the Account API), and
 * /_orgsim/* for the emulator's own control API and console (with moto's POST /moto-api/reset,
 * which goes through the same control path).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { App } from "./app.js";
import { AwsError } from "./protocol/errors.js";
import { StateUnavailableError } from "./store/errors.js";
import {
  JSON_CONTENT_TYPE,
  matchesTarget,
  operationFromTarget,
  parseJsonBody,
  serializeJsonError,
  serializeJsonOutput,
  targetTable,
} from "./protocol/awsJson.js";
import { parseQueryInput, queryParameters, serializeQueryError, serializeQueryOutput, xmlEscape } from "./protocol/awsQuery.js";
import { matchRestOperation, parseRestJsonInput, serializeRestJsonError, serializeRestJsonOutput } from "./protocol/restJson.js";
import { authenticate, type Authenticated } from "./auth/identity.js";
import type { HttpRequestParts } from "./auth/sigv4.js";
import { handleControl } from "./control/api.js";
import { isControlPath } from "./http/paths.js";
import type { ServiceDefinition } from "./context.js";
import { gateFor, guardRequest, refusalCode, type Gate, type Verdict } from "./http/guard.js";
import { isLandingRequest, landingReply } from "./landing.js";
import { askedOperation, servedSet, unservedReply, unservedService, type ServedSet } from "./unserved.js";

export interface RunningServer {
  url: string;
  port: number;
  app: App;
  server: Server;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

/** The request target "/": no query. Shared by every such request (nothing writes to a request's query). */
const ROOT_TARGET = Object.freeze({ pathname: "/", searchParams: new URLSearchParams() });

/** A request target split into its path and query, as `new URL` normalizes them; undefined when it is no valid URL. */
function targetOf(raw: string): { pathname: string; searchParams: URLSearchParams } | undefined {
  // The target every awsJson and awsQuery client sends: nothing to normalize, no URL to build.
  if (raw === "/") return ROOT_TARGET;
  try {
    return new URL(raw, "http://localhost");
  } catch {
    return undefined;
  }
}

/** Which wire protocol a request speaks, from its headers alone (before its body is read). */
function protocolOf(req: IncomingMessage): "json" | "query" | "rest" | "control" {
  const url = req.url ?? "";
  const query = url.indexOf("?");
  if (isControlPath(query < 0 ? url : url.slice(0, query))) return "control";
  if (typeof req.headers["x-amz-target"] === "string") return "json";
  if (String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded") || (req.url ?? "").includes("Action="))
    return "query";
  return "rest";
}

/** Bytes of an over-limit streamed body read (and discarded) before the connection is dropped. */
const DRAIN_LIMIT_FACTOR = 16;

/**
 * The request body, up to `limit` bytes. A body declared larger is refused at once; one that
 * grows past the limit while streaming (chunked) is read to its end and discarded before the
 * 413 goes out: answering while the client still sends makes the closing socket reset the
 * connection, and the client would lose the answer.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      reject(new BodyTooLarge());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    // 'close' follows 'end' on every request: only a body that never ended makes an error (building one costs a stack trace).
    let ended = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > limit * DRAIN_LIMIT_FACTOR) req.destroy();
        return;
      }
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      ended = true;
      if (tooLarge) reject(new BodyTooLarge());
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on("close", () => {
      if (!ended) reject(tooLarge ? new BodyTooLarge() : new Error("the client closed the connection before the body ended"));
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, "Content-Length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/** An awsJson answer: the same headers, in the same order, as send() gives them, in one object literal. */
function sendJson(res: ServerResponse, status: number, requestId: string, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    "x-amzn-RequestId": requestId,
    "Content-Type": JSON_CONTENT_TYPE,
    "Content-Length": String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/** What the protocol adapters need from a request. */
interface Incoming {
  parts: HttpRequestParts;
  requestId: string;
  sourceIp: string;
  started: number;
}

/** /_orgsim/health for a caller without the control token: its status, nothing else. */
function healthStatusOnly(body: string): string {
  try {
    const value = JSON.parse(body) as { status?: unknown };
    return JSON.stringify({ status: value.status });
  } catch {
    return "{}";
  }
}

/** A service and operation an X-Amz-Target names. */
interface JsonRoute {
  service: ServiceDefinition;
  operation: string;
}

export class HttpFront {
  private readonly gate: Gate;
  /** Computed once: the services in table order, their names, and what the unserved-service check needs. */
  private readonly services: ServiceDefinition[];
  private readonly serviceNames: string[];
  private readonly served: ServedSet;
  /** Every X-Amz-Target of every awsJson service, to its service and operation (the first service that has it, as routing was). */
  private readonly jsonRoutes = new Map<string, JsonRoute>();

  constructor(readonly app: App) {
    this.gate = gateFor(app.settings);
    this.services = [...app.services.values()];
    this.serviceNames = [...app.services.keys()];
    this.served = servedSet(this.services);
    for (const service of this.services) {
      if (service.protocol !== "json") continue;
      for (const [target, operation] of targetTable(service.model)) {
        if (!this.jsonRoutes.has(target) && this.services.find((s) => s.protocol === "json" && matchesTarget(s.model, target)) === service)
          this.jsonRoutes.set(target, { service, operation });
      }
    }
  }

  private finish(inc: Incoming, service: string, operation: string, principal: string, status: number, err?: AwsError): void {
    // The record is built only when it is printed.
    if (!this.app.logger.logsCalls) return;
    this.app.logger.call({
      requestId: inc.requestId,
      service,
      operation,
      principal,
      status,
      error: err?.code,
      reason: typeof err?.fields.Reason === "string" ? err.fields.Reason : undefined,
      message: err?.message,
      detail: err?.detail,
      ms: performance.now() - inc.started,
    });
  }

  /** Any non-AwsError is an internal fault: logged with its request id, answered as the service's internal error. */
  private asAwsError(err: unknown, inc: Incoming, context: string, service?: ServiceDefinition): AwsError {
    if (err instanceof AwsError) return err;
    this.app.logger.fault(inc.requestId, context, err);
    const code = service?.internalErrorCode ?? "ServiceException";
    // The database is unreachable or a stored value unusable: say so, so the caller knows a retry may work.
    if (err instanceof StateUnavailableError) return new AwsError(code, `${err.message} (request id ${inc.requestId})`, { status: 500 });
    return new AwsError(code, `orgsim hit an internal error (request id ${inc.requestId}); the call changed nothing. See the server log.`, {
      status: 500,
    });
  }

  /** An error found before routing (bad URL, body too large), in the wire form of the request's protocol. */
  private sendFrontError(
    res: ServerResponse,
    protocol: ReturnType<typeof protocolOf>,
    requestId: string,
    err: AwsError,
    status: number,
  ): void {
    const headers = { "x-amzn-RequestId": requestId };
    if (protocol === "control") {
      send(res, status, { ...headers, "Content-Type": "application/json" }, JSON.stringify({ error: err.code, message: err.message }));
    } else if (protocol === "query") {
      const body = `<ErrorResponse><Error><Type>Sender</Type><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      send(res, status, { ...headers, "Content-Type": "text/xml" }, body);
    } else if (protocol === "rest") {
      send(
        res,
        status,
        { ...headers, "Content-Type": "application/json", "x-amzn-ErrorType": err.code },
        JSON.stringify({ message: err.message }),
      );
    } else {
      send(res, status, { ...headers, "Content-Type": JSON_CONTENT_TYPE }, serializeJsonError(err));
    }
  }

  /** The gate's own answer (a preflight, a console token page) or its refusal, in the wire form of the request's protocol. */
  private sendVerdict(
    res: ServerResponse,
    protocol: ReturnType<typeof protocolOf>,
    requestId: string,
    started: number,
    what: string,
    verdict: Exclude<Verdict, { kind: "pass" }>,
  ): void {
    if (verdict.kind === "answer") {
      send(res, verdict.status, { "x-amzn-RequestId": requestId, ...verdict.headers }, verdict.body);
      return;
    }
    const err = new AwsError(refusalCode(verdict.reason, protocol), verdict.message, { status: verdict.status });
    for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
    this.sendFrontError(res, protocol, requestId, err, verdict.status);
    this.app.logger.call({
      requestId,
      service: "-",
      operation: what,
      principal: "-",
      status: verdict.status,
      error: verdict.reason,
      message: verdict.message,
      ms: performance.now() - started,
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const started = performance.now();
    const protocol = protocolOf(req);
    const url = targetOf(req.url ?? "/");
    // The request gate (Host, cross-site, CORS, control token, JSON-only control writes), before the body is read.
    const verdict = guardRequest(this.gate, {
      method: req.method ?? "GET",
      path: url?.pathname ?? (req.url ?? "/").split("?")[0]!,
      query: url?.searchParams ?? new URLSearchParams(),
      headers: req.headers,
      protocol,
    });
    if (verdict.kind !== "pass") {
      req.resume();
      this.sendVerdict(res, protocol, requestId, started, `${req.method} ${url?.pathname ?? "-"}`, verdict);
      return;
    }
    for (const name in verdict.headers) res.setHeader(name, verdict.headers[name]!);
    if (url === undefined) {
      const err = new AwsError("InvalidRequestException", `The request target is not a valid URL path: ${String(req.url).slice(0, 200)}`);
      req.resume();
      this.sendFrontError(res, protocol, requestId, err, 400);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, this.app.settings.maxBodyBytes);
    } catch (err) {
      const tooLarge = err instanceof BodyTooLarge;
      const message = tooLarge
        ? `Request body exceeds the limit of ${this.app.settings.maxBodyBytes} bytes.`
        : "Could not read the request body.";
      this.sendFrontError(
        res,
        protocol,
        requestId,
        new AwsError("RequestEntityTooLargeException", message, { status: 413 }),
        tooLarge ? 413 : 400,
      );
      return;
    }
    const inc: Incoming = {
      parts: { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body },
      requestId,
      sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
      started,
    };
    if (isControlPath(url.pathname)) {
      if (!this.app.settings.controlApi) {
        send(
          res,
          404,
          { "Content-Type": "application/json" },
          JSON.stringify({ error: "The control API is turned off (--no-control-api)." }),
        );
        return;
      }
      try {
        const out = await handleControl(this.app, inc.parts, url instanceof URL ? url : new URL(req.url ?? "/", "http://localhost"));
        const body = verdict.healthOnly ? healthStatusOnly(out.body) : out.body;
        send(res, out.status, { "Content-Type": out.contentType ?? "application/json", ...(out.headers ?? {}) }, body);
      } catch (err) {
        const e = this.asAwsError(err, inc, `control ${url.pathname}`);
        // Health without the control token: the error's name, not its message (which may name the database).
        send(
          res,
          e.status,
          { "Content-Type": "application/json" },
          JSON.stringify(verdict.healthOnly ? { error: e.code } : { error: e.code, message: e.message }),
        );
      }
      return;
    }
    if (this.answeredAtTheDoor(inc, res, protocol === "control" ? "rest" : protocol)) return;
    const target = req.headers["x-amz-target"];
    if (typeof target === "string") return this.handleJson(inc, res, target);
    const contentType = String(req.headers["content-type"] ?? "");
    if (contentType.startsWith("application/x-www-form-urlencoded") || url.searchParams.has("Action")) return this.handleQuery(inc, res);
    return this.handleRest(inc, res);
  }

  /**
   * Requests no service of orgsim's takes: `GET /` from a browser or script (the landing page),
   * and calls signed for a service orgsim does not serve (an AWS-shaped error naming it).
   */
  private answeredAtTheDoor(inc: Incoming, res: ServerResponse, protocol: "json" | "query" | "rest"): boolean {
    if (isLandingRequest(inc.parts)) {
      const host = inc.parts.headers.host;
      const endpoint =
        typeof host === "string" && host !== "" ? `http://${host}` : `http://${this.app.settings.host}:${this.app.settings.port}`;
      const out = landingReply(inc.parts, {
        endpoint,
        services: this.services,
        controlApi: this.app.settings.controlApi,
      });
      send(res, out.status, out.headers, out.body);
      return true;
    }
    // An X-Amz-Target of a served operation is that service's to answer (unservedService's rule), found with one look-up.
    const target = inc.parts.headers["x-amz-target"];
    if (protocol === "json" && typeof target === "string" && this.jsonRoutes.has(target)) return false;
    const asked = unservedService(this.served, inc.parts, protocol);
    if (asked === undefined) return false;
    const out = unservedReply(protocol, asked, this.serviceNames, inc.requestId);
    send(res, out.status, out.headers, out.body);
    this.finish(
      inc,
      asked,
      askedOperation(inc.parts, protocol),
      "-",
      out.status,
      new AwsError(out.code, `orgsim does not serve ${asked}`, { status: out.status }),
    );
    return true;
  }

  /** The call itself, the same for every protocol once the request is read. */
  private invoke(
    inc: Incoming,
    service: ServiceDefinition,
    operation: string,
    input: Record<string, unknown>,
    auth: Authenticated,
  ): Promise<unknown> {
    return this.app.call({ service: service.name, operation, input, auth, requestId: inc.requestId, sourceIp: inc.sourceIp });
  }

  private async handleJson(inc: Incoming, res: ServerResponse, target: string): Promise<void> {
    const route = this.jsonRoutes.get(target);
    const service = route?.service ?? this.services.find((s) => s.protocol === "json" && matchesTarget(s.model, target));
    let operation = target;
    let principal = "-";
    try {
      if (!service) throw new AwsError("UnknownOperationException", `Unknown operation ${target}`);
      const input = parseJsonBody(inc.parts.body);
      operation = route?.operation ?? operationFromTarget(service.model, target);
      // The caller: no promise to wait for when no look-up is needed (a root user's 12-digit key outside strict mode).
      const caller = authenticate(this.app.store, this.app.settings, inc.parts, service.model);
      const auth = caller instanceof Promise ? await caller : caller;
      principal = callerName(auth);
      const output = await this.invoke(inc, service, operation, input, auth);
      sendJson(res, 200, inc.requestId, serializeJsonOutput(service.model, operation, output));
      this.finish(inc, service.name, operation, principal, 200);
    } catch (err) {
      const e = this.asAwsError(err, inc, operation, service);
      sendJson(res, e.status, inc.requestId, serializeJsonError(e));
      this.finish(inc, service?.name ?? "-", operation, principal, e.status, e);
    }
  }

  private async handleQuery(inc: Incoming, res: ServerResponse): Promise<void> {
    const headers = { "x-amzn-RequestId": inc.requestId, "Content-Type": "text/xml" };
    const service = this.services.find((s) => s.protocol === "query");
    const params = queryParameters(inc.parts.body.toString("utf8"), inc.parts.query);
    const operation = params.get("Action") ?? "";
    let principal = "-";
    if (!service) {
      send(res, 404, headers, "<ErrorResponse><Error><Code>UnknownOperation</Code></Error></ErrorResponse>");
      return;
    }
    try {
      if (!Object.hasOwn(service.model.operations, operation)) {
        throw new AwsError(
          "InvalidAction",
          `Could not find operation ${operation} for version ${params.get("Version") ?? "NO_VERSION_SPECIFIED"}`,
        );
      }
      const auth = await authenticate(this.app.store, this.app.settings, inc.parts, service.model);
      principal = callerName(auth);
      const input = parseQueryInput(service.model, operation, params);
      const output = await this.invoke(inc, service, operation, input, auth);
      send(res, 200, headers, serializeQueryOutput(service.model, operation, output, inc.requestId));
      this.finish(inc, service.name, operation, principal, 200);
    } catch (err) {
      const e = this.asAwsError(err, inc, operation, service);
      send(res, e.status, headers, serializeQueryError(service.model, e, inc.requestId));
      this.finish(inc, service.name, operation, principal, e.status, e);
    }
  }

  private async handleRest(inc: Incoming, res: ServerResponse): Promise<void> {
    // The restJson serializer names the answer's Content-Type itself; only the not-found answer below needs one here.
    const jsonHeaders = { "x-amzn-RequestId": inc.requestId };
    const rest = this.services.filter((s) => s.protocol === "rest-json");
    let service: ServiceDefinition | undefined;
    let operation = `${inc.parts.method} ${inc.parts.path}`;
    for (const candidate of rest) {
      const match = matchRestOperation(candidate.model, inc.parts.method, inc.parts.path);
      if (match) {
        service = candidate;
        operation = match.operation;
        break;
      }
    }
    if (!service) {
      send(
        res,
        404,
        { ...jsonHeaders, "Content-Type": "application/json", "x-amzn-ErrorType": "UnknownOperationException" },
        JSON.stringify({ message: `No AWS operation at ${operation}` }),
      );
      return;
    }
    let principal = "-";
    try {
      const auth = await authenticate(this.app.store, this.app.settings, inc.parts, service.model);
      principal = callerName(auth);
      const input = parseRestJsonInput(service.model, operation, inc.parts);
      const output = await this.invoke(inc, service, operation, input, auth);
      const out = serializeRestJsonOutput(service.model, operation, output);
      send(res, out.status, { ...jsonHeaders, ...out.headers }, out.body);
      this.finish(inc, service.name, operation, principal, out.status);
    } catch (err) {
      const e = this.asAwsError(err, inc, operation, service);
      const out = serializeRestJsonError(service.model, e);
      send(res, out.status, { ...jsonHeaders, ...out.headers }, out.body);
      this.finish(inc, service.name, operation, principal, out.status, e);
    }
  }
}

/** How the request log names the caller: a root user by its account id, anyone else by its ARN. */
function callerName(auth: Authenticated): string {
  return auth.principal.type === "Root" ? auth.principal.accountId : auth.principal.arn;
}

/** Why the port could not be taken, in one line that names the address and the way out (--port, --host). */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (err.code === "EADDRINUSE") {
    return new Error(
      `cannot listen on ${where}: port ${port} is already in use (another orgsim, or LocalStack?); choose another with --port N, or --port 0 for any free port`,
    );
  }
  if (err.code === "EACCES")
    return new Error(`cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose another with --port N`);
  if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND")
    return new Error(`cannot listen on ${where}: ${host} is not an address of this machine; check --host`);
  return new Error(`cannot listen on ${where}: ${err.message}`);
}

/**
 * Node checks its request and headers timeouts only every `connectionsCheckingInterval` (30 s by
 * default), so a slow client outlived a short setting by up to that much: check often enough
 * that a timeout is honoured within a quarter of itself (at most every second).
 */
function timeoutOptions(settings: App["settings"]) {
  const requestTimeout = Math.round(settings.requestTimeoutSeconds * 1000);
  const headersTimeout = Math.round(settings.headersTimeoutSeconds * 1000);
  const connectionsCheckingInterval = Math.max(25, Math.min(1000, Math.floor(Math.min(requestTimeout, headersTimeout) / 4)));
  return { requestTimeout, headersTimeout, connectionsCheckingInterval };
}

export async function startServer(app: App, host: string, port: number): Promise<RunningServer> {
  const front = new HttpFront(app);
  const server = createServer(timeoutOptions(app.settings), (req, res) => {
    front.handle(req, res).catch((err: unknown) => {
      app.logger.fault("-", "http", err);
      send(
        res,
        500,
        { "Content-Type": "application/json" },
        JSON.stringify({ __type: "ServiceException", Message: "orgsim hit an internal error." }),
      );
    });
  });
  server.keepAliveTimeout = Math.round(app.settings.keepAliveTimeoutSeconds * 1000);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    app,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    },
  };
}
