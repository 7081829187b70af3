/**
 * Hostile browser-shaped input, over raw sockets, against a separate orgsim process started with
 * `--allow-host orgsim.internal --cors-origin http://app.example:3000`: many combinations of Host
 * (loopback, IP, allowed, rebound, malformed, missing), Origin (none, own, allowed, foreign,
 * opaque, garbage), Sec-Fetch-Site/-Mode/-Dest and Referer, on every kind of path (awsJson,
 * awsQuery, restJson, control reads and writes, the console page, CORS preflights).
 *
 * The promise (docs/security.md): each request either passes the gate and gets what the
 * operation answers (here always a read, or a write that its own validation refuses), or is
 * refused with a well-formed error of its protocol (403, naming why); the server keeps serving,
 * logs no internal error, and the state is exactly what it was. An independent statement of
 * the rules below decides which.
 *
 * Bounded and deterministic: a seeded PRNG, 900 requests.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { CreateOrganizationCommand } from "@aws-sdk/client-organizations";
import { MANAGEMENT } from "./helpers/server.js";
import {
  Rng,
  amzDate,
  authorization,
  jsonErrorProblem,
  orgsClient,
  pool,
  queryErrorProblem,
  rawHttp,
  restErrorProblem,
  snapshot,
  spawnIsolated,
  type Answer,
  type IsolatedServer,
  type Snapshot,
} from "./helpers/fuzz-support.js";

const SEED = 0x0b16e7;
const COUNT = 900;
const PARALLEL = 6;
const APP = "http://app.example:3000";

let srv: IsolatedServer;
let before0: Snapshot;

before(async () => {
  srv = await spawnIsolated(["--allow-host", "orgsim.internal", "--cors-origin", APP]);
  await orgsClient(srv.endpoint).send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  before0 = await snapshot(srv.endpoint);
});
after(() => srv.close());

// ---------------------------------------------------------------------------------------------
// The variants
// ---------------------------------------------------------------------------------------------

interface HostVariant {
  /** undefined: no Host header (an HTTP/1.0 request). */
  value: string | undefined;
  ok: boolean;
  /** Bytes node's own parser may refuse first (400, before orgsim sees the request). */
  parserMayRefuse?: boolean;
}

function hosts(port: number): HostVariant[] {
  return [
    { value: `127.0.0.1:${port}`, ok: true },
    { value: `localhost:${port}`, ok: true },
    { value: "localhost", ok: true },
    { value: "LocalHost.", ok: true },
    { value: `api.dev.localhost:${port}`, ok: true },
    { value: "127.9.9.9", ok: true },
    { value: `[::1]:${port}`, ok: true },
    { value: "[0:0:0:0:0:0:0:1]", ok: true },
    { value: "10.20.30.40:8080", ok: true },
    { value: "orgsim.internal", ok: true },
    { value: `ORGSIM.INTERNAL:${port}`, ok: true },
    { value: undefined, ok: true },
    { value: "attacker.example", ok: false },
    { value: `attacker.example:${port}`, ok: false },
    { value: "localhost.attacker.example", ok: false },
    { value: "orgsim.internal.attacker.example", ok: false },
    { value: "internal", ok: false },
    { value: "127.0.0.1.nip.io", ok: false },
    { value: "0x7f.1", ok: false },
    { value: "evil.example:80@localhost", ok: false },
    { value: "local host", ok: false },
    { value: "[::1", ok: false },
    { value: "[not-an-ip]:80", ok: false },
    { value: "localhost:99999999", ok: false },
    { value: `${"a".repeat(250)}.example`, ok: false },
    { value: "", ok: false, parserMayRefuse: true },
    { value: "b\u00fccher.example", ok: false, parserMayRefuse: true },
  ];
}

/** "own" becomes http://<the request's Host>. */
const ORIGINS: (string | undefined)[] = [
  undefined,
  undefined,
  "own",
  APP,
  "http://APP.example:3000",
  "http://evil.example",
  "null",
  "https://app.example:3000",
  "http://app.example:3001",
  "http://app.example:3000.evil.example",
  "file://",
  "garbage",
  "",
];
const SITES: (string | undefined)[] = [undefined, undefined, "none", "same-origin", "same-site", "cross-site", "CROSS-SITE", "sideways"];
const REFERERS: (string | undefined)[] = [undefined, undefined, "own", "http://evil.example/page", `${APP}/x`, "::not a url::"];

type Kind = "json" | "query" | "rest" | "controlWrite" | "controlRead" | "console" | "preflight";
const KINDS: Kind[] = ["json", "query", "rest", "controlWrite", "controlRead", "console", "preflight"];

interface Shaped {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** What the operation answers when the gate lets the request through. */
  passStatus: number;
  passCheck: (a: Answer) => string | undefined;
}

function shape(kind: Kind, rng: Rng): Shaped {
  const date = amzDate();
  switch (kind) {
    case "json":
      return {
        method: "POST",
        path: "/",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": "AWSOrganizationsV20161128.CreateOrganizationalUnit",
          "X-Amz-Date": date,
          Authorization: authorization(MANAGEMENT, "organizations", date),
        },
        body: JSON.stringify({ ParentId: "r-zzzz", Name: "fuzz" }),
        passStatus: 400,
        passCheck: (a) => jsonErrorProblem(a, ["ParentNotFoundException"]),
      };
    case "query":
      return {
        method: "POST",
        path: "/",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Amz-Date": date,
          Authorization: authorization(MANAGEMENT, "sts", date),
        },
        body: "Action=GetCallerIdentity&Version=2011-06-15",
        passStatus: 200,
        passCheck: (a) => (a.body.includes(`<Account>${MANAGEMENT}</Account>`) ? undefined : "no GetCallerIdentity answer"),
      };
    case "rest":
      return {
        method: "POST",
        path: "/putAlternateContact",
        headers: {
          "Content-Type": rng.pick(["application/json", "text/plain"]),
          "X-Amz-Date": date,
          Authorization: authorization(MANAGEMENT, "account", date),
        },
        body: JSON.stringify({ AlternateContactType: "BILLING", Name: "no email" }),
        passStatus: 400,
        passCheck: (a) => restErrorProblem(a, ["ValidationException"]),
      };
    case "controlWrite":
      return {
        method: "POST",
        path: "/_orgsim/clock",
        headers: { "Content-Type": "application/json" },
        body: '{"advanceSeconds": -1}',
        passStatus: 400,
        passCheck: (a) => (/"error":"BadRequest"/.test(a.body) ? undefined : "not the route's BadRequest"),
      };
    case "controlRead":
      return {
        method: "GET",
        path: "/_orgsim/state/version",
        headers: {},
        body: "",
        passStatus: 200,
        passCheck: (a) => (/"version"/.test(a.body) ? undefined : "no version"),
      };
    case "console": {
      const navigate = rng.chance(0.6);
      return {
        method: "GET",
        path: "/_orgsim/console",
        headers: navigate
          ? { "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" }
          : { "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": rng.pick(["iframe", "script", "image"]) },
        body: "",
        passStatus: 200,
        passCheck: (a) => (/<!doctype html>/i.test(a.body) ? undefined : "not the console page"),
      };
    }
    case "preflight":
      return {
        method: "OPTIONS",
        path: "/",
        headers: {
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-date,authorization",
        },
        body: "",
        // Without a trusted foreign Origin it is no preflight orgsim answers: OPTIONS / is no AWS operation.
        passStatus: 404,
        passCheck: (a) => restErrorProblem(a, ["UnknownOperationException"]),
      };
  }
}

// ---------------------------------------------------------------------------------------------
// The rules, stated independently of src/http/guard.ts
// ---------------------------------------------------------------------------------------------

type Outcome = { pass: true; preflight: boolean } | { pass: false; why: "host" | "origin" | "site" };

function originUrl(value: string): URL | undefined {
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:" ? u : undefined;
  } catch {
    return undefined;
  }
}

function expected(
  kind: Kind,
  host: HostVariant,
  origin: string | undefined,
  site: string | undefined,
  referer: string | undefined,
  shaped: Shaped,
): Outcome {
  if (!host.ok) return { pass: false, why: "host" };
  const siteLc = site?.toLowerCase();
  const foreignSite = siteLc === "cross-site" || siteLc === "same-site";
  if (origin !== undefined) {
    const u = originUrl(origin);
    const trusted = u !== undefined && u.origin === APP;
    const own = u !== undefined && host.value !== undefined && u.host === host.value.toLowerCase();
    if (trusted) return { pass: true, preflight: kind === "preflight" };
    if (own && !foreignSite) return { pass: true, preflight: false };
    return { pass: false, why: "origin" };
  }
  if (foreignSite) {
    const navigation = kind === "console" && shaped.headers["Sec-Fetch-Mode"] === "navigate";
    return navigation ? { pass: true, preflight: false } : { pass: false, why: "site" };
  }
  if (site === undefined && shaped.method === "POST" && referer !== undefined) {
    const u = originUrl(referer);
    const own = u !== undefined && host.value !== undefined && u.host === host.value.toLowerCase();
    if (u !== undefined && !own && u.origin !== APP) return { pass: false, why: "origin" };
  }
  return { pass: true, preflight: false };
}

const REASON = { host: "HostNotAllowed", origin: "OriginNotAllowed", site: "CrossSiteRequest" } as const;

function refusalProblem(kind: Kind, a: Answer, why: "host" | "origin" | "site"): string | undefined {
  if (a.status !== 403) return `status ${a.status}, expected 403`;
  if (kind === "json") return jsonErrorProblem(a, ["AccessDeniedException"]);
  if (kind === "query") return queryErrorProblem(a, ["AccessDenied"]);
  if (kind === "rest" || kind === "preflight") return restErrorProblem(a, ["AccessDeniedException"]);
  try {
    const body = JSON.parse(a.body) as { error?: string; message?: string };
    if (body.error !== REASON[why]) return `error ${body.error}, expected ${REASON[why]}`;
    return typeof body.message === "string" && body.message.length > 0 ? undefined : "no message";
  } catch {
    return "not a control-API error {error, message}";
  }
}

function raw(shaped: Shaped, host: string | undefined, extra: Record<string, string>): Buffer {
  const version = host === undefined ? "HTTP/1.0" : "HTTP/1.1";
  let head = `${shaped.method} ${shaped.path} ${version}\r\n`;
  if (host !== undefined) head += `Host: ${host}\r\n`;
  for (const [k, v] of Object.entries({ ...shaped.headers, ...extra })) head += `${k}: ${v}\r\n`;
  head += `Content-Length: ${Buffer.byteLength(shaped.body)}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(shaped.body, "utf8")]);
}

test("Fuzz (Host, Origin, Sec-Fetch-*, Referer) on every kind of path: each request passes as the rules say or gets a well-formed 403 of its protocol; the server keeps serving; the state is unchanged", async () => {
  const rng = new Rng(SEED);
  const hostList = hosts(srv.port);
  const problems: string[] = [];
  const tally = { pass: 0, host: 0, origin: 0, site: 0, preflight: 0, parser: 0 };
  const cases = Array.from({ length: COUNT }, (_, i) => {
    const kind = KINDS[i % KINDS.length]!;
    const host = rng.pick(hostList);
    let origin = rng.pick(ORIGINS);
    if (origin === "own") origin = host.value === undefined ? undefined : `http://${host.value}`;
    if (kind === "preflight" && rng.chance(0.5)) origin = APP;
    const site = rng.pick(SITES);
    let referer = rng.pick(REFERERS);
    if (referer === "own") referer = host.value === undefined ? undefined : `http://${host.value}/_orgsim/console`;
    return { kind, host, origin, site, referer, shaped: shape(kind, rng) };
  });
  await pool(cases, PARALLEL, async (c) => {
    const extra: Record<string, string> = {};
    if (c.origin !== undefined) extra.Origin = c.origin;
    if (c.site !== undefined) extra["Sec-Fetch-Site"] = c.site;
    if (c.referer !== undefined) extra.Referer = c.referer;
    const label = `${c.kind} Host=${JSON.stringify(c.host.value)?.slice(0, 40)} Origin=${JSON.stringify(c.origin)} Site=${c.site} Referer=${c.referer}`;
    const a = await rawHttp(srv.port, [raw(c.shaped, c.host.value, extra)]);
    if (!a) {
      problems.push(`${label}: no answer`);
      return;
    }
    if (c.host.parserMayRefuse && a.status === 400 && a.headers["x-amzn-requestid"] === undefined) {
      tally.parser++;
      return;
    }
    const want = expected(c.kind, c.host, c.origin, c.site, c.referer, c.shaped);
    let problem: string | undefined;
    if (!want.pass) {
      problem = refusalProblem(c.kind, a, want.why);
      tally[want.why]++;
    } else if (want.preflight) {
      problem =
        a.status === 204 && a.headers["access-control-allow-origin"] === APP
          ? undefined
          : `preflight answered ${a.status} ${a.headers["access-control-allow-origin"]}`;
      tally.preflight++;
    } else {
      problem =
        a.status === c.shaped.passStatus
          ? c.shaped.passCheck(a)
          : `status ${a.status}, expected ${c.shaped.passStatus}: ${a.body.slice(0, 200)}`;
      if (!problem && c.origin !== undefined && originUrl(c.origin)?.origin === APP && a.headers["access-control-allow-origin"] !== APP)
        problem = "no Access-Control-Allow-Origin for the trusted origin";
      tally.pass++;
    }
    if (problem) problems.push(`${label}: ${problem}`);
  });
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
  // Every branch was exercised.
  for (const [k, n] of Object.entries(tally)) if (k !== "parser") assert.ok(n > 10, `${k}: only ${n} cases`);

  // Still serving, nothing changed, no internal error logged.
  const health = await rawHttp(srv.port, [`GET /_orgsim/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`]);
  assert.equal(health?.status, 200);
  const clock = await rawHttp(srv.port, [`GET /_orgsim/clock HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`]);
  assert.equal((JSON.parse(clock!.body) as { offsetSeconds: number }).offsetSeconds, 0);
  assert.deepEqual(await snapshot(srv.endpoint), before0);
  assert.doesNotMatch(srv.proc.output(), /internal error/);
});
