/**
 * The awsQuery wire protocol (STS): form-encoded requests (`Action=...&Version=...&Member=...`)
 * and XML answers, all driven by the service model.
 */
import type { AwsError } from "./errors.js";
import type { ServiceModel, Shape, ShapeRef } from "./model.js";
import { toWire } from "./shapes.js";

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

/** All parameter names, for prefix look-ups (list indices, nested structures). */
/**
 * The form parameters, indexed once so that every lookup is constant time: values by name,
 * every dotted prefix of every name, and the numeric segments found after each prefix.
 * (Scanning the names per list index made large lists quadratic.)
 */
class ParamIndex {
  private readonly values = new Map<string, string>();
  private readonly prefixes = new Set<string>();
  private readonly numbered = new Map<string, Set<number>>();

  constructor(params: URLSearchParams) {
    for (const [name, value] of params) {
      if (!this.values.has(name)) this.values.set(name, value);
      let dot = name.indexOf(".");
      while (dot !== -1) {
        const prefix = name.slice(0, dot + 1);
        this.prefixes.add(prefix);
        const next = name.indexOf(".", dot + 1);
        const segment = name.slice(dot + 1, next === -1 ? undefined : next);
        if (/^\d+$/.test(segment)) {
          let set = this.numbered.get(prefix);
          if (!set) this.numbered.set(prefix, (set = new Set()));
          set.add(Number(segment));
        }
        dot = next;
      }
    }
  }
  has(name: string): boolean {
    return this.values.has(name);
  }
  get(name: string): string | null {
    return this.values.get(name) ?? null;
  }
  /** Whether any name starts with `prefix`, which ends with ".". */
  hasPrefix(prefix: string): boolean {
    return this.prefixes.has(prefix);
  }
  /** The distinct positive integers N of names starting with `prefix` + "N" (+ "." or end), ascending. */
  indices(prefix: string): number[] {
    return [...(this.numbered.get(prefix) ?? [])].sort((a, b) => a - b);
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
export function parseQueryInput(model: ServiceModel, operation: string, params: URLSearchParams): Record<string, unknown> {
  const op = model.operations[operation];
  if (!op?.input) return {};
  const shape = model.shapes[op.input.shape];
  if (!shape) return {};
  return readStructure(model, shape, "", new ParamIndex(params));
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
  const error = element("Error", element("Type", type) + element("Code", xmlEscape(queryErrorCode(model, err))) + element("Message", xmlEscape(err.message)) + extra);
  return `<ErrorResponse${namespaceAttr(model)}>${error}${element("RequestId", xmlEscape(requestId))}</ErrorResponse>`;
}
