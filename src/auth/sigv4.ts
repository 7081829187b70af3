/**
 * AWS Signature Version 4 on the server side: parse what the client sent (Authorization header or
 * presigned query string) and check it against the caller's secret key.
 *
 * The canonicalisation (path escaping, query encoding, header trimming, string-to-sign, key
 * derivation, HMAC) is delegated to `@smithy/signature-v4`, the signer the AWS SDK for JS uses, so
 * the server computes byte-for-byte what a client computes. What the server must control itself is
 * *which* headers and *which* date go into the computation: exactly the client's SignedHeaders
 * and X-Amz-Date (or Date). The public `sign()` / `presign()` cannot express that (they always add
 * and sign `x-amz-date`, drop a `date` header, add `x-amz-security-token` from the credentials), so
 * a small subclass calls the signer's canonical-request and string-to-sign steps directly and
 * signs the resulting string with the public string signer.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { AwsError } from "../protocol/errors.js";
import type { SignerRequest } from "./signer.js";

export interface HttpRequestParts {
  method: string;
  /** URL path without query, as sent on the wire (still percent-encoded), e.g. "/". */
  path: string;
  query: URLSearchParams;
  /** node's IncomingMessage.headers (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SigV4Request {
  accessKeyId: string;
  /** From the credential scope. */
  region: string;
  /** From the credential scope. */
  service: string;
  /** Shared by every request that sends the same list: read, never changed. */
  signedHeaders: readonly string[];
  signature: string;
  /** X-Amz-Date (header or query) or Date header. */
  amzDate: Date;
  /** X-Amz-Security-Token header or query. */
  sessionToken?: string;
  presigned: boolean;
}

export interface VerifyOptions {
  /** The error codes of the service's protocol, and the HTTP status of its signature mismatch (default 403). */
  errorCodes?: { mismatch?: string; expired?: string; mismatchStatus?: number };
  /** The SigV4 signing name of the service called ("organizations", "sts", ...): the credential scope must name it. */
  service?: string;
  /** Headers the request carries that must be signed besides host and the date (x-amz-target for JSON protocols). */
  requiredSignedHeaders?: string[];
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const TERMINATOR = "aws4_request";
/** Allowed clock skew for header-signed requests (and for presigned requests dated in the future). */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** SigV4 presigned URLs are valid for at most 7 days. */
const MAX_PRESIGN_EXPIRES_S = 7 * 24 * 60 * 60;

const MISMATCH_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

const Q_ALGORITHM = "X-Amz-Algorithm";
const Q_CREDENTIAL = "X-Amz-Credential";
const Q_DATE = "X-Amz-Date";
const Q_SIGNED_HEADERS = "X-Amz-SignedHeaders";
const Q_SIGNATURE = "X-Amz-Signature";
const Q_EXPIRES = "X-Amz-Expires";
const Q_TOKEN = "X-Amz-Security-Token";

type QueryBag = Record<string, string | string[]>;

function incomplete(message: string): AwsError {
  return new AwsError("IncompleteSignatureException", message, { status: 400 });
}

function headerValue(headers: HttpRequestParts["headers"], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map((v) => v.trim()).join(",") : value;
}

/** The number the ASCII digits value[from, to) spell, or -1 when any of them is not a digit. */
function digitsAt(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `20261129T101010Z` -> Date, or undefined when not ISO-8601 basic format / not a real instant. */
function parseBasicIso(value: string): Date | undefined {
  // Read in place (no regular expression, no substrings): every signed request carries one.
  if (value.length !== 16 || value.charCodeAt(8) !== 84 /* T */ || value.charCodeAt(15) !== 90 /* Z */) return undefined;
  const y = digitsAt(value, 0, 4);
  const mo = digitsAt(value, 4, 6);
  const d = digitsAt(value, 6, 8);
  const h = digitsAt(value, 9, 11);
  const mi = digitsAt(value, 11, 13);
  const s = digitsAt(value, 13, 15);
  // A real instant: Date.UTC would roll 2026-02-30 over into March, and read years 0-99 as 19xx.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
    return undefined;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** Days in month `mo` (1-12) of year `y`, Gregorian. */
function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

/** Date -> `20261129T101010Z`. */
function formatBasicIso(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

function isValidShortDate(value: string): boolean {
  return value.length === 8 && parseBasicIso(`${value}T000000Z`) !== undefined;
}

/**
 * Parsed credential scopes and SignedHeaders lists, by their text: a client sends the same ones
 * on every call of a day (only the signature and the date change), so each is parsed once.
 * Bounded: emptied when full, so odd values can't grow it.
 */
class ParsedCache<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly limit: number) {}
  get(key: string): T | undefined {
    return this.map.get(key);
  }
  set(key: string, value: T): T {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}

const credentials = new ParsedCache<Credential>(256);
const signedHeaderLists = new ParsedCache<{ names: readonly string[]; raw: readonly string[] }>(256);

interface Credential {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
}

/** Parses `AKID/YYYYMMDD/region/service/aws4_request`; problems are appended to `problems`. */
function parseCredential(value: string, problems: string[]): Credential | undefined {
  const known = credentials.get(value);
  if (known) return known;
  const parts = value.split("/");
  if (parts.length !== 5) {
    problems.push(`Credential should be of the form '<AccessKeyId>/<YYYYMMDD>/<region>/<service>/${TERMINATOR}', not '${value}'. `);
    return undefined;
  }
  const [accessKeyId, shortDate, region, service, terminator] = parts as [string, string, string, string, string];
  const before = problems.length;
  if (accessKeyId === "") problems.push("Credential should contain an access key ID. ");
  if (!isValidShortDate(shortDate)) {
    problems.push(`Credential should be scoped to a valid date in YYYYMMDD format, not '${shortDate}'. `);
  }
  if (!/^[a-z0-9-]+$/.test(region)) problems.push(`Credential should be scoped to a valid region, not '${region}'. `);
  if (!/^[a-z0-9-]+$/.test(service)) problems.push(`Credential should be scoped to a valid service, not '${service}'. `);
  if (terminator !== TERMINATOR) {
    problems.push(`Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${terminator}'. `);
  }
  return problems.length === before ? credentials.set(value, Object.freeze({ accessKeyId, shortDate, region, service })) : undefined;
}

/** The service a credential (`AKID/YYYYMMDD/region/service/aws4_request`) is scoped to, or undefined when it is malformed. */
export function credentialScopeService(value: string): string | undefined {
  return parseCredential(value, [])?.service;
}

/** SignedHeaders as lower-case names, and as sent (case and order kept); problems are appended to `problems`. */
function parseSignedHeaders(value: string, problems: string[]): { names: readonly string[]; raw: readonly string[] } {
  const known = signedHeaderLists.get(value);
  if (known) return known;
  const raw = rawSignedHeaders(value);
  const names = raw.map((n) => n.toLowerCase());
  if (names.some((n) => n === "")) {
    problems.push(`SignedHeaders should be a ';'-separated list of header names, not '${value}'. `);
    return { names: [], raw };
  }
  if (!names.includes("host") && !names.includes(":authority")) {
    problems.push("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization. ");
    return { names, raw };
  }
  return signedHeaderLists.set(value, { names: Object.freeze(names), raw: Object.freeze(raw) });
}

/** Where the first white-space character of `value` is, or -1 (the Authorization header's scheme ends there). */
function firstSpace(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(value[i]!))) return i;
  }
  return -1;
}

function rawSignedHeaders(value: string): string[] {
  return value.split(";").map((n) => n.trim());
}

function badDate(value: string): AwsError {
  return incomplete(`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`);
}

/** Everything the two verification steps need, re-derived from the request. */
interface RawAuth {
  presigned: boolean;
  credential: Credential;
  signedHeaders: readonly string[];
  /** SignedHeaders exactly as sent (case and order kept), to check its form. */
  rawSignedHeaders: readonly string[];
  /** Where the request's date came from: the X-Amz-Date header, the Date header, or the query string. */
  dateSource: "x-amz-date" | "date" | "query";
  signature: string;
  amzDate: Date;
  /** The date string as sent in the query (presigned); a header's date is formatted from amzDate when needed. */
  queryDate?: string;
  /** Seconds, presigned only (undefined when the client sent no X-Amz-Expires). */
  expires?: number;
  sessionToken?: string;
}

function parseHeaderAuth(req: HttpRequestParts, authorization: string): RawAuth {
  const trimmed = authorization.trim();
  const space = firstSpace(trimmed);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const rest = space < 0 ? "" : trimmed.slice(space + 1);
  if (algorithm !== ALGORITHM) {
    throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'. Only '${ALGORITHM}' is supported.`);
  }

  // The comma-separated key=value pairs, read in place (no array of pieces, no map): a later duplicate wins.
  let credentialValue: string | undefined;
  let signedHeadersValue: string | undefined;
  let signature: string | undefined;
  for (let start = 0; start <= rest.length;) {
    let end = rest.indexOf(",", start);
    if (end < 0) end = rest.length;
    const pair = rest.slice(start, end).trim();
    start = end + 1;
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq < 0) {
      const hashed = createHash("sha256").update(authorization).digest("base64");
      throw incomplete(
        `Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '${hashed}'.`,
      );
    }
    const key = pair.slice(0, eq).trim();
    if (key === "Credential") credentialValue = pair.slice(eq + 1).trim();
    else if (key === "SignedHeaders") signedHeadersValue = pair.slice(eq + 1).trim();
    else if (key === "Signature") signature = pair.slice(eq + 1).trim();
  }

  const problems: string[] = [];
  if (!credentialValue) problems.push("Authorization header requires 'Credential' parameter. ");
  if (!signature) problems.push("Authorization header requires 'Signature' parameter. ");
  if (!signedHeadersValue) problems.push("Authorization header requires 'SignedHeaders' parameter. ");

  const amzDateHeader = headerValue(req.headers, "x-amz-date");
  const amzDateValue = amzDateHeader ?? req.query.get(Q_DATE) ?? undefined;
  const dateValue = headerValue(req.headers, "date");
  if (amzDateValue === undefined && dateValue === undefined) {
    problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
  }
  if (problems.length > 0) throw incomplete(`${problems.join("")}Authorization=${authorization}`);

  const credential = parseCredential(credentialValue as string, problems);
  const signedHeaders = parseSignedHeaders(signedHeadersValue as string, problems);
  if (problems.length > 0 || !credential) throw incomplete(problems.join("").trim());

  let amzDate: Date | undefined;
  if (amzDateValue !== undefined) {
    amzDate = parseBasicIso(amzDateValue);
    if (!amzDate) throw badDate(amzDateValue);
  } else {
    const ms = Date.parse(dateValue as string);
    if (Number.isNaN(ms)) throw badDate(dateValue as string);
    amzDate = new Date(ms);
  }

  const sessionToken = headerValue(req.headers, "x-amz-security-token") ?? req.query.get(Q_TOKEN) ?? undefined;
  return {
    presigned: false,
    credential,
    signedHeaders: signedHeaders.names,
    rawSignedHeaders: signedHeaders.raw,
    dateSource: amzDateHeader !== undefined ? "x-amz-date" : amzDateValue !== undefined ? "query" : "date",
    signature: signature as string,
    amzDate,
    sessionToken,
  };
}

function parseQueryAuth(req: HttpRequestParts): RawAuth {
  const q = req.query;
  const required = [Q_ALGORITHM, Q_CREDENTIAL, Q_SIGNATURE, Q_DATE, Q_SIGNED_HEADERS];
  const missing = required.filter((name) => !q.get(name));
  if (missing.length > 0) {
    throw incomplete(
      `AWS query-string parameters must include ${missing.map((n) => `'${n}'`).join(", ")}. Re-examine the query-string parameters.`,
    );
  }
  const algorithm = q.get(Q_ALGORITHM) as string;
  if (algorithm !== ALGORITHM) {
    throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'. Only '${ALGORITHM}' is supported.`);
  }
  const problems: string[] = [];
  const credential = parseCredential(q.get(Q_CREDENTIAL) as string, problems);
  const signedHeaders = parseSignedHeaders(q.get(Q_SIGNED_HEADERS) as string, problems);
  if (problems.length > 0 || !credential) throw incomplete(problems.join("").trim());

  const dateValue = q.get(Q_DATE) as string;
  const amzDate = parseBasicIso(dateValue);
  if (!amzDate) throw badDate(dateValue);

  let expires: number | undefined;
  const expiresValue = q.get(Q_EXPIRES);
  if (expiresValue !== null) {
    expires = /^\d+$/.test(expiresValue) ? Number(expiresValue) : Number.NaN;
    if (!(expires >= 1 && expires <= MAX_PRESIGN_EXPIRES_S)) {
      throw incomplete(`X-Amz-Expires must be a whole number of seconds between 1 and ${MAX_PRESIGN_EXPIRES_S}, not '${expiresValue}'.`);
    }
  }

  const sessionToken = q.get(Q_TOKEN) ?? headerValue(req.headers, "x-amz-security-token");
  return {
    presigned: true,
    credential,
    signedHeaders: signedHeaders.names,
    rawSignedHeaders: signedHeaders.raw,
    dateSource: "query",
    signature: q.get(Q_SIGNATURE) as string,
    amzDate,
    queryDate: dateValue,
    expires,
    sessionToken,
  };
}

function parseRaw(req: HttpRequestParts): RawAuth {
  const authorization = headerValue(req.headers, "authorization");
  const hasHeader = authorization !== undefined && authorization.trim() !== "";
  // Most requests have no query string at all: no parameter to look for.
  const anyQuery = req.query.size > 0;
  const hasQuery = anyQuery && [Q_ALGORITHM, Q_CREDENTIAL, Q_SIGNATURE, Q_SIGNED_HEADERS].some((n) => req.query.has(n));
  if (hasHeader && anyQuery && (req.query.has(Q_ALGORITHM) || req.query.has(Q_SIGNATURE))) {
    throw incomplete(
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.",
    );
  }
  if (hasHeader) return parseHeaderAuth(req, authorization);
  if (hasQuery) return parseQueryAuth(req);
  throw new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", { status: 403 });
}

/**
 * Parses the Authorization header or a presigned query string.
 * No credentials at all -> MissingAuthenticationTokenException (403); anything malformed ->
 * IncompleteSignatureException (400) with a message naming the problem.
 */
export function parseSigV4(req: HttpRequestParts): SigV4Request {
  const raw = parseRaw(req);
  const parsed: SigV4Request = {
    accessKeyId: raw.credential.accessKeyId,
    region: raw.credential.region,
    service: raw.credential.service,
    signedHeaders: raw.signedHeaders,
    signature: raw.signature,
    amzDate: raw.amzDate,
    presigned: raw.presigned,
  };
  if (raw.sessionToken !== undefined) parsed.sessionToken = raw.sessionToken;
  return parsed;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) {
    // Still spend the comparison so timing does not reveal much about the length either.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * Recomputes the signature over exactly the client's signed headers, method, path, query and body
 * with `secretAccessKey` and compares it in constant time. First AWS's rules on what must be
 * signed and the scope's service (when `opts` names them), the timestamp window, the scope's date
 * and the payload hash.
 */
export async function verifySigV4(
  req: HttpRequestParts,
  parsed: SigV4Request,
  secretAccessKey: string,
  now: Date,
  opts?: VerifyOptions,
): Promise<void> {
  const raw = parseRaw(req);
  const mismatchCode = opts?.errorCodes?.mismatch ?? "SignatureDoesNotMatch";
  const mismatchStatus = opts?.errorCodes?.mismatchStatus ?? 403;
  const expiredCode = opts?.errorCodes?.expired ?? "RequestExpired";
  const expiredStatus = expiredCode === "InvalidSignatureException" ? 403 : 400;
  const mismatch = (message: string) => new AwsError(mismatchCode, message, { status: mismatchStatus });

  // 0. What must be signed, and how (AWS's checks before any signature is computed).
  checkSignedHeaders(raw, req, opts?.requiredSignedHeaders ?? []);
  if (opts?.service !== undefined && raw.credential.service !== opts.service) {
    // AWS's own words (seen from SageMaker, EMR, Batch, MediaStore); the trailing space is theirs.
    throw mismatch(`Credential should be scoped to correct service: '${opts.service}'. `);
  }

  // 1. Freshness.
  const amzMs = parsed.amzDate.getTime();
  const nowMs = now.getTime();
  const amzText = formatBasicIso(parsed.amzDate);
  const nowText = formatBasicIso(now);
  if (amzMs - nowMs > MAX_SKEW_MS) {
    throw new AwsError(
      expiredCode,
      `Signature not yet current: ${amzText} is still later than ${formatBasicIso(new Date(nowMs + MAX_SKEW_MS))} (${nowText} + 15 min.)`,
      { status: expiredStatus },
    );
  }
  if (parsed.presigned && raw.expires !== undefined) {
    if (nowMs > amzMs + raw.expires * 1000) {
      throw new AwsError(
        expiredCode,
        `Signature expired: ${amzText} is now earlier than ${formatBasicIso(new Date(nowMs - raw.expires * 1000))} (${nowText} - ${raw.expires} sec.)`,
        { status: expiredStatus },
      );
    }
  } else if (nowMs - amzMs > MAX_SKEW_MS) {
    throw new AwsError(
      expiredCode,
      `Signature expired: ${amzText} is now earlier than ${formatBasicIso(new Date(nowMs - MAX_SKEW_MS))} (${nowText} - 15 min.)`,
      { status: expiredStatus },
    );
  }

  // 2. The credential scope must be dated the same day as the request.
  const longDate = formatBasicIso(parsed.amzDate);
  const requestDay = longDate.slice(0, 8);
  if (raw.credential.shortDate !== requestDay) {
    throw mismatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${raw.credential.shortDate}' != '${requestDay}', from '${raw.queryDate ?? formatBasicIso(raw.amzDate)}'.`,
    );
  }

  // 3. The parts of the canonical request: exactly the signed headers, the whole query.
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = headerValue(req.headers, name);
    if (value !== undefined) headers[name] = value;
  }
  const query: QueryBag = {};
  for (const [key, value] of req.query) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[key] = [existing, value];
  }
  // The signer leaves X-Amz-Signature out of the canonical query, as a presigned request needs.

  // 4. The payload. These services sign the body itself (only S3 lets x-amz-content-sha256 stand
  // in for it): the hash in the canonical request is always the body's, and a client that says
  // otherwise (UNSIGNED-PAYLOAD, or another hash) is refused before the signature is compared.
  const payloadHash = createHash("sha256").update(req.body).digest("hex");
  const contentSha256 = headerValue(req.headers, "x-amz-content-sha256");
  if (contentSha256 !== undefined && !constantTimeEqual(contentSha256.toLowerCase(), payloadHash)) {
    throw mismatch(
      /^[0-9a-fA-F]{64}$/.test(contentSha256)
        ? "The provided 'x-amz-content-sha256' header does not match what was computed."
        : `The provided 'x-amz-content-sha256' header is not the SHA-256 of the body ('${contentSha256.slice(0, 64)}'): this service signs the payload itself, so UNSIGNED-PAYLOAD and streaming payloads are refused.`,
    );
  }
  // 5. Recompute the signature. The signer library loads on the first verification only: most calls never need it.
  const { SignatureRecomputer } = await import("./signer.js");

  const request: SignerRequest = {
    method: req.method,
    protocol: "https:",
    hostname: headers["host"] ?? "",
    path: req.path === "" ? "/" : req.path,
    query,
    headers,
  };
  const scope = `${requestDay}/${parsed.region}/${parsed.service}/${TERMINATOR}`;
  const recomputer = new SignatureRecomputer(parsed.accessKeyId, secretAccessKey, parsed.region, parsed.service);
  const expected = await recomputer.signature(ALGORITHM, request, parsed.signedHeaders, payloadHash, longDate, scope, parsed.amzDate);
  if (!constantTimeEqual(expected, parsed.signature)) throw mismatch(MISMATCH_MESSAGE);
}

/**
 * SignedHeaders as SigV4 requires it, when a signature is verified: lower-case names, sorted,
 * each once; host and the request's date (X-Amz-Date or Date header; a presigned or query date is
 * signed as part of the query) among them, and whatever else the protocol requires (x-amz-target
 * for JSON protocols, so one signature can't be replayed as another operation).
 */
function checkSignedHeaders(raw: RawAuth, req: HttpRequestParts, required: string[]): void {
  const names = raw.rawSignedHeaders;
  const seen = new Set<string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw incomplete(`SignedHeaders lists '${lower}' more than once.`);
    seen.add(lower);
  }
  const sorted = names.map((n) => n.toLowerCase()).sort();
  if (names.some((n, i) => n !== sorted[i])) {
    throw incomplete(`SignedHeaders must list lower-case header names in sorted order, as SigV4 signs them; got '${names.join(";")}'.`);
  }
  const mustSign = (header: string, shown: string) => {
    if (!seen.has(header)) throw incomplete(`'${shown}' must be a 'SignedHeader' in the AWS Authorization.`);
  };
  if (raw.dateSource === "x-amz-date") mustSign("x-amz-date", "X-Amz-Date");
  if (raw.dateSource === "date") mustSign("date", "Date");
  for (const header of required) {
    if (headerValue(req.headers, header) !== undefined)
      mustSign(
        header,
        header.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash}${c.toUpperCase()}`),
      );
  }
}
