/**
 * The awsQuery wire protocol (STS): form-encoded requests (`Action=...&Version=...&Member=...`)
 * and XML answers, all driven by the service model.
 */
import { AwsError } from "./errors.js";
import type { ServiceModel, Shape, ShapeRef } from "./model.js";
import { toWire } from "./shapes.js";

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

/** Limits on a form body, checked before any parameter is interpreted (AWS answers MalformedQueryString). */
export const QUERY_LIMITS = {
  /** Longest parameter name, in characters (STS's longest real name is under 50). */
  maxNameLength: 256,
  /** Most dots in one name: Tags.member.1.Key has 3; ProvidedContexts.member.1.ContextAssertion 3. */
  maxDepth: 8,
  /** Most parameters in one request (STS needs a few hundred at most: 50 tags, 10 policy ARNs, ...). */
  maxParameters: 1000,
} as const;

export type QueryLimits = { [K in keyof typeof QUERY_LIMITS]: number };

/**
 * Characters of parameter names examined while indexing them, since the process started: the
 * work of parsing, counted so a test can show it grows linearly with the body.
 */
export const queryParseWork = { chars: 0 };

function malformed(message: string): AwsError {
  return new AwsError("MalformedQueryString", message, { status: 400 });
}

/**
 * The request's parameters: the form body's, then those of the query string that the body does
 * not have (linear: a Set of body names, not a scan per query parameter).
 */
export function queryParameters(body: string, query: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(body);
  let names: Set<string> | undefined;
  for (const [key, value] of query) {
    names ??= new Set(params.keys());
    if (!names.has(key)) {
      params.append(key, value);
      names.add(key);
    }
  }
  return params;
}

/** A node of the parameter-name trie: one per distinct dotted prefix. */
interface ParamNode {
  value?: string;
  children?: Map<string, ParamNode>;
}

/**
 * The form parameters as a trie of their dotted names, so that every look-up walks only the
 * segments of the name asked for: building it costs one step per segment of every name (linear
 * in the body), where slicing every prefix of every name cost the square of a name's length.
 * Names longer or deeper than QUERY_LIMITS, or more parameters than it allows, are refused.
 */
class ParamIndex {
  private readonly root: ParamNode = {};

  constructor(params: URLSearchParams, limits: QueryLimits) {
    let count = 0;
    for (const [name, value] of params) {
      if (++count > limits.maxParameters) {
        throw malformed(`The request has more than ${limits.maxParameters} parameters.`);
      }
      if (name.length > limits.maxNameLength) {
        throw malformed(`The parameter name starting "${name.slice(0, 40)}" is longer than ${limits.maxNameLength} characters.`);
      }
      let node = this.root;
      let depth = 0;
      let start = 0;
      for (;;) {
        const dot = name.indexOf(".", start);
        const segment = dot === -1 ? name.slice(start) : name.slice(start, dot);
        queryParseWork.chars += segment.length + 1;
        node.children ??= new Map();
        let child = node.children.get(segment);
        if (!child) node.children.set(segment, (child = {}));
        node = child;
        if (dot === -1) break;
        if (++depth > limits.maxDepth) {
          throw malformed(`The parameter name starting "${name.slice(0, 40)}" nests deeper than ${limits.maxDepth} levels.`);
        }
        start = dot + 1;
      }
      // The first value of a repeated name wins.
      if (node.value === undefined) node.value = value;
    }
  }

  /** The node of a dotted name (a trailing "." names the prefix's node), or undefined. */
  private find(name: string): ParamNode | undefined {
    let node: ParamNode | undefined = this.root;
    let start = 0;
    const end = name.endsWith(".") ? name.length - 1 : name.length;
    for (;;) {
      const dot = name.indexOf(".", start);
      const stop = dot === -1 || dot >= end ? end : dot;
      node = node.children?.get(name.slice(start, stop));
      if (!node || stop === end) return node;
      start = stop + 1;
    }
  }
  has(name: string): boolean {
    return this.find(name)?.value !== undefined;
  }
  get(name: string): string | null {
    return this.find(name)?.value ?? null;
  }
  /** Whether any name starts with `prefix`, which ends with ".". */
  hasPrefix(prefix: string): boolean {
    return (this.find(prefix)?.children?.size ?? 0) > 0;
  }
  /** The distinct non-negative integers N of names starting with `prefix` + "N" (+ "." or end), ascending. */
  indices(prefix: string): number[] {
    const children = this.find(prefix)?.children;
    if (!children) return [];
    const out = new Set<number>();
    for (const key of children.keys()) if (/^\d+$/.test(key)) out.add(Number(key));
    return [...out].sort((a, b) => a - b);
  }
}

function convertScalar(shape: Shape, raw: string): unknown {
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
    case "boolean": {
      const t = raw.trim().toLowerCase();
      return t === "true" ? true : t === "false" ? false : raw;
    }
    case "timestamp": {
      const t = raw.trim();
      if (/^-?\d+(\.\d+)?$/.test(t)) return new Date(Number(t) * 1000);
      const ms = Date.parse(t);
      return /^\d{4}-\d{2}-\d{2}/.test(t) && !Number.isNaN(ms) ? new Date(ms) : raw;
    }
    default:
      return raw;
  }
}

function readValue(model: ServiceModel, ref: ShapeRef, key: string, index: ParamIndex): unknown {
  const shape = model.shapes[ref.shape];
  if (!shape) return index.get(key) ?? undefined;
  switch (shape.type) {
    case "structure": {
      if (!index.hasPrefix(`${key}.`)) return index.has(key) ? index.get(key) : undefined;
      return readStructure(model, shape, `${key}.`, index);
    }
    case "list": {
      const flattened = ref.flattened === true || shape.flattened === true;
      const itemName = shape.member?.locationName ?? "member";
      const itemPrefix = flattened ? `${key}.` : `${key}.${itemName}.`;
      const indices = index.indices(itemPrefix);
      if (indices.length === 0) {
        // "Name=" (present and empty) is how awsQuery sends an empty list.
        return index.has(key) ? (index.get(key) === "" ? [] : index.get(key)) : undefined;
      }
      const memberRef: ShapeRef = shape.member ?? { shape: "" };
      return indices.map((n) => readValue(model, memberRef, `${itemPrefix}${n}`, index));
    }
    case "map": {
      const flattened = ref.flattened === true || shape.flattened === true;
      const entryPrefix = flattened ? `${key}.` : `${key}.entry.`;
      const keyName = shape.key?.locationName ?? "key";
      const valueName = shape.value?.locationName ?? "value";
      const indices = index.indices(entryPrefix);
      if (indices.length === 0) return index.has(key) ? (index.get(key) === "" ? {} : index.get(key)) : undefined;
      const out: Record<string, unknown> = {};
      for (const n of indices) {
        const k = index.get(`${entryPrefix}${n}.${keyName}`);
        if (k === null) continue;
        out[k] = shape.value ? readValue(model, shape.value, `${entryPrefix}${n}.${valueName}`, index) : undefined;
      }
      return out;
    }
    default: {
      const raw = index.get(key);
      return raw === null ? undefined : convertScalar(shape, raw);
    }
  }
}

function readStructure(model: ServiceModel, shape: Shape, prefix: string, index: ParamIndex): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const value = readValue(model, ref, `${prefix}${ref.locationName ?? name}`, index);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * The operation's input from form parameters: nested structures "A.B", lists "Tags.member.1.Key"
 * (flattened: "Tags.1.Key"), maps "X.entry.1.key"/"X.entry.1.value", scalars converted per the
 * model. Values that don't parse stay strings, so validation reports INVALID_TYPE. Parameters the
 * model does not know (Action, Version, ...) are ignored.
 */
export function parseQueryInput(
  model: ServiceModel,
  operation: string,
  params: URLSearchParams,
  limits: QueryLimits = QUERY_LIMITS,
): Record<string, unknown> {
  // Indexed (and so bounded) first, whatever the operation: limits hold for every request.
  const index = new ParamIndex(params, limits);
  const op = model.operations[operation];
  if (!op?.input) return {};
  const shape = model.shapes[op.input.shape];
  if (!shape) return {};
  return readStructure(model, shape, "", index);
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/** XML-escapes text content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      default:
        return "&#13;";
    }
  });
}

function scalarText(model: ServiceModel, shapeName: string, shape: Shape | undefined, value: unknown): string {
  if (shape?.type === "timestamp") return String(toWire(model, shapeName, value, "iso8601"));
  if (shape?.type === "blob") {
    if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
    return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function element(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

/** The XML of `value` as the contents of an element (or, for flattened collections, sibling elements named `name`). */
function serializeMember(model: ServiceModel, ref: ShapeRef, name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  const shape = model.shapes[ref.shape];
  if (!shape) return element(name, xmlEscape(String(value)));
  switch (shape.type) {
    case "structure":
      return element(name, serializeStructure(model, shape, value));
    case "list": {
      if (!Array.isArray(value)) return "";
      const memberRef: ShapeRef = shape.member ?? { shape: "" };
      if (ref.flattened === true || shape.flattened === true) {
        const itemName = shape.member?.locationName ?? name;
        return value.map((item) => serializeMember(model, memberRef, itemName, item)).join("");
      }
      const itemName = shape.member?.locationName ?? "member";
      return element(name, value.map((item) => serializeMember(model, memberRef, itemName, item)).join(""));
    }
    case "map": {
      if (typeof value !== "object") return "";
      const keyName = shape.key?.locationName ?? "key";
      const valueName = shape.value?.locationName ?? "value";
      const valueRef: ShapeRef = shape.value ?? { shape: "" };
      const entries = Object.entries(value as Record<string, unknown>).map(
        ([k, v]) => element(keyName, xmlEscape(k)) + serializeMember(model, valueRef, valueName, v),
      );
      if (ref.flattened === true || shape.flattened === true) return entries.map((e) => element(name, e)).join("");
      return element(name, entries.map((e) => element("entry", e)).join(""));
    }
    default:
      return element(name, xmlEscape(scalarText(model, ref.shape, shape, value)));
  }
}

function serializeStructure(model: ServiceModel, shape: Shape, value: unknown): string {
  if (typeof value !== "object" || value === null) return "";
  const record = value as Record<string, unknown>;
  let out = "";
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    if (ref.location) continue;
    out += serializeMember(model, ref, ref.locationName ?? name, record[name]);
  }
  return out;
}

function namespaceAttr(model: ServiceModel): string {
  return model.metadata.xmlNamespace ? ` xmlns="${xmlEscape(model.metadata.xmlNamespace)}"` : "";
}

/**
 * `<OpResponse xmlns="..."><OpResult>...</OpResult><ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></OpResponse>`,
 * the result element named by the output's resultWrapper; lists as <member>, timestamps ISO-8601.
 */
export function serializeQueryOutput(model: ServiceModel, operation: string, output: unknown, requestId: string): string {
  const op = model.operations[operation];
  if (!op) throw new Error(`model ${model.metadata.uid} has no operation ${operation}`);
  let result = "";
  if (op.output) {
    const shape = model.shapes[op.output.shape];
    const body = shape ? serializeStructure(model, shape, output ?? {}) : "";
    result = op.output.resultWrapper ? element(op.output.resultWrapper, body) : body;
  }
  const metadata = element("ResponseMetadata", element("RequestId", xmlEscape(requestId)));
  return `<${operation}Response${namespaceAttr(model)}>${result}${metadata}</${operation}Response>`;
}

/** The wire code of an error: the modeled `error.code` of a shape named like the error, else its code. */
export function queryErrorCode(model: ServiceModel, err: AwsError): string {
  const shape = model.shapes[err.code];
  return shape?.exception && shape.error?.code ? shape.error.code : err.code;
}

/** HTTP status of an error: the modeled `error.httpStatusCode`, else the error's own. */
export function queryErrorStatus(model: ServiceModel, err: AwsError): number {
  const shape = model.shapes[err.code];
  return shape?.exception && shape.error?.httpStatusCode ? shape.error.httpStatusCode : err.status;
}

/** `<ErrorResponse xmlns="..."><Error><Type>Sender|Receiver</Type><Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>` */
export function serializeQueryError(model: ServiceModel, err: AwsError, requestId: string): string {
  const type = err.senderFault ? "Sender" : "Receiver";
  let extra = "";
  for (const [name, value] of Object.entries(err.fields)) {
    if (value === undefined || name === "Type" || name === "Code" || name === "Message") continue;
    if (typeof value === "object") continue; // structured fields have no awsQuery error form here
    extra += element(name, xmlEscape(String(value)));
  }
  const error = element(
    "Error",
    element("Type", type) + element("Code", xmlEscape(queryErrorCode(model, err))) + element("Message", xmlEscape(err.message)) + extra,
  );
  return `<ErrorResponse${namespaceAttr(model)}>${error}${element("RequestId", xmlEscape(requestId))}</ErrorResponse>`;
}
