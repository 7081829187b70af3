/**
 * The request gate: run once per request, from its method, path and headers alone (before the
 * body is read), on every path (the AWS APIs, the control API, the console). It decides, in
 * this order:
 *
 * 1. Host: a name orgsim answers to (`hosts.ts`), against DNS rebinding.
 * 2. Site: a request a browser sent for another site's page is refused: an `Origin` that is
 *    neither orgsim's own nor a `--cors-origin`, `Sec-Fetch-Site: cross-site`/`same-site`
 *    without such an Origin (except a top-level navigation to the console page), and, for a
 *    browser too old to send either, a write whose `Referer` is foreign.
 * 3. CORS preflights from a `--cors-origin` are answered here.
 * 4. Control API: the `--control-token` (except `/_orgsim/health`, which then says only its
 *    status), then writes must be `Content-Type: application/json`.
 *
 * Real SDKs, the AWS CLI and orgsim's CLI send no Origin, Sec-Fetch-* or Referer headers, so
 * nothing here changes what they get.
 */
import type { Settings } from "../config.js";
import { hostAllowed, hostPolicy, parseHostHeader, type HostPolicy } from "./hosts.js";
import { consoleCookie, continuePage, PAGE_HEADERS, presentsToken, sameSecret, tokenRequiredPage } from "./control-token.js";
import { isControlPath } from "./paths.js";

type Headers = Record<string, string | string[] | undefined>;

/** The wire protocol a request speaks, which decides the shape of a refusal. */
export type Protocol = "json" | "query" | "rest" | "control";

export type Refusal =
  "HostNotAllowed" | "OriginNotAllowed" | "CrossSiteRequest" | "PreflightRefused" | "ControlTokenRequired" | "UnsupportedMediaType";

export type Verdict =
  /** Go on; `headers` go on the answer (CORS); `healthOnly`: strip /_orgsim/health to its status. */
  | { kind: "pass"; headers: Record<string, string>; healthOnly: boolean }
  | { kind: "refuse"; status: number; reason: Refusal; message: string; headers: Record<string, string> }
  /** A complete answer from the gate itself (a CORS preflight, the console's token pages). */
  | { kind: "answer"; status: number; headers: Record<string, string>; body: string };

export interface Gate {
  hosts: HostPolicy;
  corsOrigins: ReadonlySet<string>;
  controlApi: boolean;
  controlToken: string | undefined;
  /** The Host check's answer by Host header (null: allowed): clients send the same one on every call. Bounded. */
  hostVerdicts: Map<string, Verdict | null>;
}

/** Distinct Host headers whose check is remembered; past it the memory starts over. */
const HOST_VERDICTS_LIMIT = 64;

export interface GateRequest {
  method: string;
  /** The path without its query. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  protocol: Protocol;
}

export function gateFor(settings: Pick<Settings, "host" | "allowHosts" | "corsOrigins" | "controlApi" | "controlToken">): Gate {
  return {
    hosts: hostPolicy(settings.host, settings.allowHosts),
    corsOrigins: new Set(settings.corsOrigins),
    controlApi: settings.controlApi,
    controlToken: settings.controlToken,
    hostVerdicts: new Map(),
  };
}

/** The error code a refusal carries in each protocol (an AWS SDK turns it into a typed error where the service models one). */
export function refusalCode(reason: Refusal, protocol: Protocol): string {
  if (protocol === "control") return reason;
  return protocol === "query" ? "AccessDenied" : "AccessDeniedException";
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const isConsolePage = (path: string): boolean => /^\/_orgsim\/console\/?$/.test(path);
const isHealth = (path: string): boolean => path === "/_orgsim/health";

/** Request headers a CORS page may send: what the AWS SDKs for JavaScript send, and the control token. */
const CORS_HEADER_NAMES = new Set(["authorization", "content-type", "x-orgsim-control-token"]);
const CORS_HEADER_PREFIXES = ["x-amz-", "x-amzn-", "amz-sdk-"];
const CORS_METHODS = "GET, HEAD, POST, PUT, DELETE";
/** Answer headers a CORS page may read: request ids and error types the SDKs parse, and Date (clock-skew correction). */
const CORS_EXPOSED = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-Query-Error, x-amz-request-id, x-amz-id-2, Date";
const DOCS = "See docs/security.md.";

function refuse(status: number, reason: Refusal, message: string, headers: Record<string, string> = {}): Verdict {
  return { kind: "refuse", status, reason, message, headers };
}

/** An origin as browsers spell it, or undefined for "null" and anything unparsable. */
function originOf(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** orgsim's own origin: the one the request was addressed to (its Host), whatever the scheme a proxy in front terminated. */
function isOwnOrigin(url: URL | undefined, host: string | undefined): boolean {
  return url !== undefined && host !== undefined && url.host === host.trim().toLowerCase();
}

function checkHost(gate: Gate, host: string | undefined): Verdict | undefined {
  // A request without Host (HTTP/1.0) can't come from a browser, which always sends one.
  if (host === undefined) return undefined;
  const known = gate.hostVerdicts.get(host);
  if (known !== undefined) return known ?? undefined;
  const verdict = hostVerdict(gate, host);
  if (gate.hostVerdicts.size >= HOST_VERDICTS_LIMIT) gate.hostVerdicts.clear();
  gate.hostVerdicts.set(host, verdict ?? null);
  return verdict;
}

function hostVerdict(gate: Gate, host: string): Verdict | undefined {
  const parsed = parseHostHeader(host);
  if (!parsed) {
    return refuse(
      403,
      "HostNotAllowed",
      `orgsim refused this request: its Host header ${JSON.stringify(host.slice(0, 100))} is not a host name or address. ${DOCS}`,
    );
  }
  if (hostAllowed(gate.hosts, parsed.name)) return undefined;
  return refuse(
    403,
    "HostNotAllowed",
    `orgsim refused this request: its Host header names "${parsed.name}", which is not a loopback name, an IP address or a name orgsim was told to answer to; ` +
      `a web page can use such a name to reach orgsim through your browser (DNS rebinding). ` +
      `If you reach orgsim by this name, start it with --allow-host ${parsed.name} (or ORGSIM_ALLOW_HOST=${parsed.name}). ${DOCS}`,
  );
}

/** A browser's top-level navigation to the console page: the page that opens can't be read by whoever linked to it. */
function isConsoleNavigation(req: GateRequest): boolean {
  return (
    (req.method === "GET" || req.method === "HEAD") &&
    isConsolePage(req.path) &&
    one(req.headers["sec-fetch-mode"]) === "navigate" &&
    one(req.headers["sec-fetch-dest"]) === "document"
  );
}

/** The verdict of a request no browser rule touches (every SDK call): one shared, unchangeable object. */
const PASS: Verdict = Object.freeze({ kind: "pass", headers: Object.freeze({}), healthOnly: false });

/** Step 2. Returns the CORS headers for an allowed foreign origin, or a refusal. */
function checkSite(gate: Gate, req: GateRequest, host: string | undefined): Verdict {
  const pass = (headers?: Record<string, string>): Verdict => (headers ? { kind: "pass", headers, healthOnly: false } : PASS);
  const origin = one(req.headers.origin);
  const site = one(req.headers["sec-fetch-site"])?.trim().toLowerCase();
  if (origin !== undefined) {
    const url = originOf(origin.trim());
    if (url && gate.corsOrigins.has(url.origin)) {
      return pass({ "Access-Control-Allow-Origin": url.origin, "Access-Control-Expose-Headers": CORS_EXPOSED, Vary: "Origin" });
    }
    if (isOwnOrigin(url, host) && site !== "cross-site" && site !== "same-site") return pass({ Vary: "Origin" });
    const from = url
      ? url.origin
      : origin.trim() === "null"
        ? "an opaque origin (Origin: null: a sandboxed frame, a file: page or a cross-origin redirect)"
        : JSON.stringify(origin.slice(0, 100));
    const hint = url
      ? ` To let pages from that origin call orgsim (e.g. the AWS SDK in a browser), start orgsim with --cors-origin ${url.origin} (or ORGSIM_CORS_ORIGIN).`
      : "";
    return refuse(
      403,
      "OriginNotAllowed",
      `orgsim refused this request: a web page sent it from ${from}, which is not orgsim's own origin nor one it was told to trust.${hint} ${DOCS}`,
      { Vary: "Origin" },
    );
  }
  if (site === "cross-site" || site === "same-site") {
    if (isConsoleNavigation(req)) return pass();
    const which = site === "cross-site" ? "another site's page" : "a page on another port or subdomain of this site";
    return refuse(
      403,
      "CrossSiteRequest",
      `orgsim refused this request: the browser marked it as sent by ${which} (Sec-Fetch-Site: ${site}) without an Origin orgsim was told to trust. ` +
        `Pages that should call orgsim need their origin given with --cors-origin. ${DOCS}`,
    );
  }
  if (site === undefined && !SAFE_METHODS.has(req.method)) {
    // Only a browser too old for Origin and Sec-Fetch-* sends a write with just a Referer.
    const referer = one(req.headers.referer);
    const url = referer === undefined ? undefined : originOf(referer);
    if (url && !isOwnOrigin(url, host) && !gate.corsOrigins.has(url.origin)) {
      return refuse(
        403,
        "OriginNotAllowed",
        `orgsim refused this request: it was sent from a page at ${url.origin} (its Referer), which is not orgsim's own origin nor one it was told to trust (--cors-origin). ${DOCS}`,
      );
    }
  }
  return pass();
}

/** Step 3: an OPTIONS preflight from an allowed origin. */
function preflight(req: GateRequest, cors: Record<string, string>): Verdict {
  const method = (one(req.headers["access-control-request-method"]) ?? "").trim().toUpperCase();
  const wanted = (one(req.headers["access-control-request-headers"]) ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  const refused = (what: string) =>
    refuse(403, "PreflightRefused", `orgsim refused this CORS preflight: ${what}. ${DOCS}`, {
      Vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    });
  if (!CORS_METHODS.split(", ").includes(method))
    return refused(`method ${JSON.stringify(method.slice(0, 20))} is not one orgsim serves (${CORS_METHODS})`);
  const odd = wanted.find((h) => !CORS_HEADER_NAMES.has(h) && !CORS_HEADER_PREFIXES.some((p) => h.startsWith(p)));
  if (odd !== undefined)
    return refused(
      `header ${JSON.stringify(odd.slice(0, 60))} is not one the AWS SDKs or the control API send (authorization, content-type, x-amz-*, x-amzn-*, amz-sdk-*, x-orgsim-control-token)`,
    );
  const headers: Record<string, string> = {
    "Access-Control-Allow-Origin": cors["Access-Control-Allow-Origin"]!,
    "Access-Control-Allow-Methods": CORS_METHODS,
    "Access-Control-Max-Age": "600",
    Vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  };
  if (wanted.length > 0) headers["Access-Control-Allow-Headers"] = wanted.join(", ");
  // Chrome's Private Network Access: a public page asking for a loopback or private address.
  if (one(req.headers["access-control-request-private-network"]) === "true") headers["Access-Control-Allow-Private-Network"] = "true";
  return { kind: "answer", status: 204, headers, body: "" };
}

/** Whether a request would render a page for a person (a navigation), not feed a script. */
function wantsPage(req: GateRequest): boolean {
  const dest = one(req.headers["sec-fetch-dest"]);
  if (dest !== undefined) return dest === "document";
  return (req.method === "GET" || req.method === "HEAD") && /text\/html/.test(one(req.headers.accept) ?? "");
}

/** The console's `?token=` flow: a cookie for this browser session, then the same page without the token in its address. */
function consoleSignIn(req: GateRequest, token: string, port: string | undefined): Verdict {
  const html = { ...PAGE_HEADERS, "Content-Type": "text/html; charset=utf-8" };
  if (!sameSecret(req.query.get("token")!, token)) return { kind: "answer", status: 401, headers: html, body: tokenRequiredPage(true) };
  const rest = new URLSearchParams(req.query);
  rest.delete("token");
  const location = `${req.path}${rest.size > 0 ? `?${rest}` : ""}`;
  const cookie = consoleCookie(token, port);
  const site = one(req.headers["sec-fetch-site"]);
  if (site === "cross-site" || site === "same-site") {
    // A redirect of a navigation another site started would not carry a SameSite=Strict cookie;
    // a page of orgsim's own that moves on does.
    return { kind: "answer", status: 200, headers: { ...html, "Set-Cookie": cookie }, body: continuePage(location) };
  }
  return {
    kind: "answer",
    status: 303,
    headers: { ...PAGE_HEADERS, "Set-Cookie": cookie, Location: location, "Content-Type": "text/plain; charset=utf-8" },
    body: `See ${location}\n`,
  };
}

/** Step 4: the control token, then JSON-only writes. */
function checkControl(gate: Gate, req: GateRequest, port: string | undefined): Verdict | { healthOnly: boolean } {
  let healthOnly = false;
  const token = gate.controlToken;
  if (token !== undefined) {
    if (isConsolePage(req.path) && req.method === "GET" && req.query.has("token")) return consoleSignIn(req, token, port);
    if (!presentsToken(token, req.headers, port)) {
      if (isHealth(req.path)) healthOnly = true;
      else if (wantsPage(req))
        return {
          kind: "answer",
          status: 401,
          headers: { ...PAGE_HEADERS, "Content-Type": "text/html; charset=utf-8" },
          body: tokenRequiredPage(false),
        };
      else {
        return refuse(
          401,
          "ControlTokenRequired",
          `This orgsim was started with --control-token, and this request to the control API did not present it. ` +
            `Send Authorization: Bearer <token> or X-Orgsim-Control-Token: <token> (the orgsim CLI sends --control-token or $ORGSIM_CONTROL_TOKEN); ` +
            `in a browser, open /_orgsim/console?token=<token> once. ${DOCS}`,
          { "WWW-Authenticate": 'Bearer realm="orgsim control API"' },
        );
      }
    }
  }
  if (!SAFE_METHODS.has(req.method)) {
    const type = one(req.headers["content-type"]);
    const media = type?.split(";")[0]!.trim().toLowerCase();
    const emptyBody = (one(req.headers["content-length"]) ?? "0").trim() === "0" && req.headers["transfer-encoding"] === undefined;
    if (media !== "application/json" && !(type === undefined && emptyBody)) {
      return refuse(
        415,
        "UnsupportedMediaType",
        `Control API writes take a JSON body sent as Content-Type: application/json; this one has ${type === undefined ? "a body and no Content-Type" : `Content-Type: ${JSON.stringify(type.slice(0, 100))}`}. ` +
          `(A web page may send form and text bodies to any server without asking first, so orgsim takes none.)` +
          (req.path === "/_orgsim/seed"
            ? ` A YAML seed goes inside a JSON object: {"yaml": "<the seed text>"} (orgsim seed FILE sends it so).`
            : ""),
      );
    }
  }
  return { healthOnly };
}

/** The gate's decision for one request. */
export function guardRequest(gate: Gate, req: GateRequest): Verdict {
  const host = one(req.headers.host);
  const hostRefusal = checkHost(gate, host);
  if (hostRefusal) return hostRefusal;
  const site = checkSite(gate, req, host);
  if (site.kind !== "pass") return site;
  const cors = site.headers["Access-Control-Allow-Origin"] !== undefined;
  if (cors && req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) return preflight(req, site.headers);
  if (gate.controlApi && isControlPath(req.path)) {
    const control = checkControl(gate, req, host === undefined ? undefined : parseHostHeader(host)?.port);
    if ("kind" in control) return control.kind === "refuse" ? { ...control, headers: { ...site.headers, ...control.headers } } : control;
    return { ...site, healthOnly: control.healthOnly };
  }
  return site;
}
