/**
 * The restJson wire protocol (Account API): operations routed by HTTP method + URI template,
 * input bound from the URI, querystring, headers and JSON body, all driven by the service model.
 */
import { AwsError } from "./errors.js";
import type { ServiceModel, Shape, ShapeRef } from "./model.js";
import { toWire } from "./shapes.js";

export interface RestMatch {
  operation: string;
  /** Values of the URI template's labels, decoded. */
  labels?: Record<string, string>;
}

interface CompiledUri {
  segments: { literal?: string; label?: string; greedy?: boolean }[];
  /** Query literals required by the template ("?versioning", "?x-id=GetObject"). */
  query: [string, string | undefined][];
  score: number;
}

const uriCache = new WeakMap<ServiceModel, Map<string, CompiledUri>>();

function compileUri(model: ServiceModel, operation: string, requestUri: string): CompiledUri {
  let perModel = uriCache.get(model);
  if (!perModel) {
    perModel = new Map();
    uriCache.set(model, perModel);
  }
  const cached = perModel.get(operation);
  if (cached) return cached;
  const q = requestUri.indexOf("?");
  const pathPart = q < 0 ? requestUri : requestUri.slice(0, q);
  const queryPart = q < 0 ? "" : requestUri.slice(q + 1);
  const segments = splitPath(pathPart).map((s) => {
    const m = /^\{([^}+]+)(\+)?\}$/.exec(s);
    return m ? { label: m[1]!, greedy: m[2] === "+" } : { literal: s };
  });
  const query: [string, string | undefined][] = queryPart
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const eq = p.indexOf("=");
      return eq < 0 ? [p, undefined] : [p.slice(0, eq), p.slice(eq + 1)];
    });
  // More literal segments (and query literals) = more specific; greedy labels are least specific.
  const score = segments.reduce((s, seg) => s + (seg.literal !== undefined ? 100 : seg.greedy ? 1 : 10), 0) + query.length * 5;
  const compiled = { segments, query, score };
  perModel.set(operation, compiled);
  return compiled;
}

function splitPath(path: string): string[] {
  const parts = path.split("/");
  // "/a/b" -> ["a","b"]; "/" -> []; keep an empty last segment for a trailing slash ("/a/" -> ["a",""]).
  parts.shift();
  if (parts.length === 1 && parts[0] === "") return [];
  return parts;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function matchSegments(tpl: CompiledUri, segments: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  for (let t = 0; t < tpl.segments.length; t++) {
    const seg = tpl.segments[t]!;
    if (seg.greedy) {
      const after = tpl.segments.length - t - 1;
      const take = segments.length - i - after;
      if (take < 1) return undefined;
      const value = segments
        .slice(i, i + take)
        .map(safeDecode)
        .join("/");
      if (value === "") return undefined;
      labels[seg.label!] = value;
      i += take;
      continue;
    }
    const actual = segments[i];
    if (actual === undefined) return undefined;
    if (seg.literal !== undefined) {
      if (safeDecode(actual) !== seg.literal) return undefined;
    } else {
      if (actual === "") return undefined;
      labels[seg.label!] = safeDecode(actual);
    }
    i++;
  }
  return i === segments.length ? labels : undefined;
}

/**
 * The operation whose http.method and http.requestUri match. `path` may carry a query string, which
 * is then checked against query literals in the template. The most specific template wins.
 */
export function matchRestOperation(model: ServiceModel, method: string, path: string): RestMatch | undefined {
  const q = path.indexOf("?");
  const rawPath = q < 0 ? path : path.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : path.slice(q + 1));
  const segments = splitPath(rawPath === "" ? "/" : rawPath);
  let best: { match: RestMatch; score: number } | undefined;
  for (const [name, op] of Object.entries(model.operations)) {
    if (op.http.method.toUpperCase() !== method.toUpperCase()) continue;
    const tpl = compileUri(model, name, op.http.requestUri);
    const labels = matchSegments(tpl, segments);
    if (!labels) continue;
    if (!tpl.query.every(([k, v]) => query.has(k) && (v === undefined || query.get(k) === v))) continue;
    if (!best || tpl.score > best.score) best = { match: { operation: name, labels }, score: tpl.score };
  }
  return best?.match;
}

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower || v === undefined) continue;
    return Array.isArray(v) ? v.join(", ") : v;
  }
  return undefined;
}

/** Converts a string from a URI label, query parameter or header to the shape's type (unparseable: left as is). */
function fromString(shape: Shape | undefined, raw: string, where: "uri" | "querystring" | "header", ref: ShapeRef): unknown {
  if (!shape) return raw;
  switch (shape.type) {
    case "integer":
    case "long":
      return /^[-+]?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case "double":
    case "float": {
      const t = raw.trim();
      if (t === "NaN" || t === "Infinity" || t === "-Infinity") return Number(t);
      return t !== "" && Number.isFinite(Number(t)) ? Number(t) : raw;
    }
    case "boolean":
      return raw.trim() === "true" ? true : raw.trim() === "false" ? false : raw;
    case "timestamp": {
      const t = raw.trim();
      if (/^-?\d+(\.\d+)?$/.test(t)) return new Date(Number(t) * 1000);
      const ms = Date.parse(t); // ISO-8601 (labels, query) or IMF-fixdate (headers)
      return Number.isNaN(ms) ? raw : new Date(ms);
    }
    case "string":
      if (where === "header" && ref.jsonvalue) {
        try {
          return Buffer.from(raw, "base64").toString("utf8");
        } catch {
          return raw;
        }
      }
      return raw;
    default:
      return raw;
  }
}

/** Timestamps in a JSON body: epoch seconds or ISO strings become Dates; others stay for validation to flag. */
function reviveJson(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (!shape || value === null || value === undefined) return value;
  switch (shape.type) {
    case "timestamp":
      if (typeof value === "number" && Number.isFinite(value)) return new Date(value * 1000);
      if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value);
      return value;
    case "structure": {
      if (typeof value !== "object" || Array.isArray(value)) return value;
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const byWireName = new Map<string, [string, ShapeRef]>();
      for (const [name, ref] of Object.entries(shape.members ?? {}))
        byWireName.set(ref.locationName && !ref.location ? ref.locationName : name, [name, ref]);
      for (const [key, v] of Object.entries(record)) {
        const member = byWireName.get(key);
        if (!member) continue; // unknown members are ignored
        if (member[1].location) continue; // bound elsewhere, not read from the body
        out[member[0]] = reviveJson(model, member[1].shape, v);
      }
      return out;
    }
    case "list":
      return Array.isArray(value) && shape.member ? value.map((v) => reviveJson(model, shape.member!.shape, v)) : value;
    case "map": {
      if (typeof value !== "object" || Array.isArray(value) || !shape.value) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = reviveJson(model, shape.value.shape, v);
      return out;
    }
    default:
      return value;
  }
}

function serializationException(message: string): AwsError {
  return new AwsError("SerializationException", message, { status: 400 });
}

function parseJsonBody(body: Buffer): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw serializationException("The request body is not valid JSON.");
  }
}

/**
 * The operation's input from the JSON body, URI labels, querystring and headers, per each member's
 * `location`. An empty body is `{}`; a body that is not a JSON object is a SerializationException.
 */
export function parseRestJsonInput(
  model: ServiceModel,
  operation: string,
  parts: { path: string; query: URLSearchParams; headers: Record<string, string | string[] | undefined>; body: Buffer },
): Record<string, unknown> {
  const op = model.operations[operation];
  if (!op?.input) return {};
  const shape = model.shapes[op.input.shape];
  if (!shape) return {};
  const members = Object.entries(shape.members ?? {});
  const payloadName = (shape as Shape & { payload?: string }).payload;
  const out: Record<string, unknown> = {};

  // Body.
  if (payloadName !== undefined && shape.members?.[payloadName]) {
    const ref = shape.members[payloadName]!;
    const target = model.shapes[ref.shape];
    if (target?.type === "structure" || target?.type === "list" || target?.type === "map") {
      const parsed = parseJsonBody(parts.body);
      if (parts.body.length > 0) out[payloadName] = reviveJson(model, ref.shape, parsed);
    } else if (parts.body.length > 0) {
      out[payloadName] = target?.type === "blob" ? parts.body : parts.body.toString("utf8");
    }
  } else if (members.some(([, ref]) => !ref.location)) {
    const parsed = parseJsonBody(parts.body);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      if (parsed !== null)
        throw serializationException(
          Array.isArray(parsed) ? "Start of list found where not expected" : "Expected a JSON object as the request body",
        );
    } else {
      Object.assign(out, reviveJson(model, op.input.shape, parsed) as Record<string, unknown>);
    }
  }

  // URI labels.
  const pathOnly = parts.path.split("?")[0] ?? parts.path;
  const tpl = compileUri(model, operation, op.http.requestUri);
  const labels = matchSegments(tpl, splitPath(pathOnly === "" ? "/" : pathOnly)) ?? {};

  const boundQueryNames = new Set<string>();
  for (const [, ref] of members) if (ref.location === "querystring" && ref.locationName) boundQueryNames.add(ref.locationName);

  for (const [name, ref] of members) {
    const target = model.shapes[ref.shape];
    const wire = ref.locationName ?? name;
    switch (ref.location) {
      case "uri": {
        const v = labels[wire];
        if (v !== undefined) out[name] = fromString(target, v, "uri", ref);
        break;
      }
      case "querystring": {
        if (target?.type === "map") {
          // A map bound to the query string takes every parameter not bound to another member.
          const map: Record<string, unknown> = {};
          const valueShape = target.value ? model.shapes[target.value.shape] : undefined;
          for (const key of new Set(parts.query.keys())) {
            if (boundQueryNames.has(key)) continue;
            map[key] = valueShape?.type === "list" ? parts.query.getAll(key) : parts.query.get(key);
          }
          if (Object.keys(map).length > 0) out[name] = map;
        } else if (target?.type === "list") {
          const all = parts.query.getAll(wire);
          const itemShape = target.member ? model.shapes[target.member.shape] : undefined;
          if (all.length > 0) out[name] = all.map((v) => fromString(itemShape, v, "querystring", target.member ?? ref));
        } else if (parts.query.has(wire)) {
          out[name] = fromString(target, parts.query.get(wire)!, "querystring", ref);
        }
        break;
      }
      case "header": {
        const v = headerValue(parts.headers, wire);
        if (v === undefined) break;
        if (target?.type === "list") {
          const itemShape = target.member ? model.shapes[target.member.shape] : undefined;
          const items = itemShape?.type === "timestamp" ? splitHttpDates(v) : v.split(",").map((s) => s.trim());
          out[name] = items.map((s) => fromString(itemShape, s, "header", target.member ?? ref));
        } else {
          out[name] = fromString(target, v, "header", ref);
        }
        break;
      }
      case "headers": {
        const prefix = (ref.locationName ?? "").toLowerCase();
        const map: Record<string, string> = {};
        for (const [k, v] of Object.entries(parts.headers)) {
          if (v === undefined || !k.toLowerCase().startsWith(prefix)) continue;
          map[k.toLowerCase().slice(prefix.length)] = Array.isArray(v) ? v.join(", ") : v;
        }
        if (Object.keys(map).length > 0) out[name] = map;
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Splits a header list of IMF-fixdates ("Mon, 01 Jan 2024 00:00:00 GMT, Tue, ..."), whose items contain commas. */
function splitHttpDates(v: string): string[] {
  const parts = v.split(",").map((s) => s.trim());
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (/^[A-Za-z]{3}$/.test(parts[i]!) && i + 1 < parts.length) {
      out.push(`${parts[i]}, ${parts[i + 1]}`);
      i++;
    } else {
      out.push(parts[i]!);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

function headerText(model: ServiceModel, ref: ShapeRef, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const shape = model.shapes[ref.shape];
  if (shape?.type === "timestamp") {
    const date = value instanceof Date ? value : new Date(typeof value === "number" ? value * 1000 : (value as string));
    const format = shape.timestampFormat ?? "rfc822";
    if (format === "iso8601") return date.toISOString();
    if (format === "unixTimestamp") return String(date.getTime() / 1000);
    return date.toUTCString();
  }
  if (shape?.type === "list" && Array.isArray(value)) {
    const itemRef: ShapeRef = shape.member ?? { shape: "" };
    return value.map((v) => headerText(model, itemRef, v) ?? "").join(", ");
  }
  if (ref.jsonvalue) return Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8").toString("base64");
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return String(value);
}

/**
 * A success answer: members bound to headers go to headers (a `statusCode` member sets the status),
 * the rest is the JSON body (timestamps as epoch seconds unless the shape says otherwise); status =
 * http.responseCode ?? 200. An operation without output answers an empty body.
 */
export function serializeRestJsonOutput(
  model: ServiceModel,
  operation: string,
  output: unknown,
): { status: number; headers: Record<string, string>; body: string } {
  const op = model.operations[operation];
  if (!op) throw new Error(`model ${model.metadata.uid} has no operation ${operation}`);
  let status = op.http.responseCode ?? 200;
  const headers: Record<string, string> = {};
  if (!op.output) return { status, headers, body: "" };
  const shape = model.shapes[op.output.shape];
  const record = (typeof output === "object" && output !== null ? output : {}) as Record<string, unknown>;
  for (const [name, ref] of Object.entries(shape?.members ?? {})) {
    const value = record[name];
    if (value === undefined || value === null) continue;
    if (ref.location === "header") {
      const text = headerText(model, ref, value);
      if (text !== undefined) headers[ref.locationName ?? name] = text;
    } else if (ref.location === "headers" && typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        if (v !== undefined && v !== null) headers[`${ref.locationName ?? ""}${k}`] = String(v);
    } else if (ref.location === "statusCode" && typeof value === "number") {
      status = value;
    }
  }
  headers["Content-Type"] = "application/json";
  const body = toWire(model, op.output.shape, record, "epoch-seconds") ?? {};
  return { status, headers, body: JSON.stringify(body) };
}

/**
 * An error answer: status from the error shape's `error.httpStatusCode` (fallback err.status), header
 * `x-amzn-ErrorType: <Code>`, body `{"message": ..., ...err.fields}` — the message key spelled as the
 * shape's member (Account's shapes use `message`; the SDK reads `message` or `Message`).
 */
export function serializeRestJsonError(
  model: ServiceModel,
  err: AwsError,
): { status: number; headers: Record<string, string>; body: string } {
  const shape = model.shapes[err.code];
  const modeled = shape?.exception === true ? shape : undefined;
  const status = modeled?.error?.httpStatusCode ?? err.status;
  const code = modeled?.error?.code ?? err.code;
  const headers: Record<string, string> = { "x-amzn-ErrorType": code, "Content-Type": "application/json" };
  const messageKey = Object.keys(modeled?.members ?? {}).find((m) => m.toLowerCase() === "message") ?? "message";
  const body: Record<string, unknown> = { [messageKey]: err.message };
  for (const [name, value] of Object.entries(err.fields)) {
    if (value === undefined) continue;
    const ref = modeled?.members?.[name];
    if (ref?.location === "header") {
      const text = headerText(model, ref, value);
      if (text !== undefined && ref.locationName?.toLowerCase() !== "x-amzn-errortype") headers[ref.locationName ?? name] = text;
      continue;
    }
    body[name] = value;
  }
  return { status, headers, body: JSON.stringify(body) };
}
