/**
 * Model-driven input validation, reporting violations in the order AWS does: type mismatches
 * first (they are found while deserializing, before any constraint is checked), then the
 * constraints member by member in the model's declaration order (required, enum, length, pattern,
 * range; list/map size before the elements).
 *
 * Patterns are the model's Java regexes, translated by `java-regex.ts`. How a violation is worded
 * for the client is each protocol's (`violations.ts`) or service's concern.
 */
import { compilePattern } from "./java-regex.js";
import type { ServiceModel, Shape, ShapeRef } from "./model.js";

export type ViolationReason =
  | "INPUT_REQUIRED"
  | "INVALID_TYPE"
  | "MIN_LENGTH_EXCEEDED"
  | "MAX_LENGTH_EXCEEDED"
  | "INVALID_PATTERN"
  | "INVALID_ENUM"
  | "MIN_VALUE_EXCEEDED"
  | "MAX_VALUE_EXCEEDED"
  | "MIN_LIST_LENGTH"
  | "MAX_LIST_LENGTH"
  | "UNKNOWN_MEMBER";

export interface Violation {
  reason: ViolationReason;
  /** Where, with wire member names: "Email", "Tags[0].Key", "Attributes[\"k\"]" (map value). "" = the input itself. */
  path: string;
  value: unknown;
  /** The violated constraint: the pattern, the bound, the enum set "[A, B]", the expected type, "required". */
  constraint: string;
  /** The shape the value was checked against. */
  shapeName: string;
  /** The shape is `sensitive`: messages must not echo the value. */
  sensitive?: boolean;
  /** Set when a map's key failed (the path then names the map and `value` is the key). */
  mapPart?: "key";
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array);

/** Length in Unicode code points (as AWS counts), computed only when the UTF-16 length is ambiguous. */
function codePointLength(s: string): number {
  let n = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff && k + 1 < s.length) {
      const d = s.charCodeAt(k + 1);
      if (d >= 0xdc00 && d <= 0xdfff) k++;
    }
    n++;
  }
  return n;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_LIMIT = 9223372036854775808;

/** ISO-8601 date-time (or date) strings accepted for timestamps. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

export function isTimestampValue(v: unknown): boolean {
  if (v instanceof Date) return !Number.isNaN(v.getTime());
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v === "string") return ISO_TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v));
  return false;
}

function typeMatches(shape: Shape, value: unknown): boolean {
  switch (shape.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
    case "long":
      return typeof value === "number" && Number.isInteger(value) && Math.abs(value) <= INT64_LIMIT;
    case "double":
    case "float":
      return (typeof value === "number" && !Number.isNaN(value)) || value === "NaN" || value === "Infinity" || value === "-Infinity";
    case "boolean":
      return typeof value === "boolean";
    case "timestamp":
      return isTimestampValue(value);
    case "blob":
      return typeof value === "string" || value instanceof Uint8Array;
    case "list":
      return Array.isArray(value);
    case "map":
    case "structure":
      return isPlainObject(value);
    default:
      return true;
  }
}

const joinPath = (base: string, member: string): string => (base === "" ? member : `${base}.${member}`);

/** A structure's members in declaration order and its required names: prepared once per shape, not per value checked. */
interface PreparedStructure {
  members: [string, ShapeRef][];
  required: ReadonlySet<string>;
}

const preparedStructures = new WeakMap<Shape, PreparedStructure>();

function prepared(shape: Shape): PreparedStructure {
  let p = preparedStructures.get(shape);
  if (!p) {
    p = { members: Object.entries(shape.members ?? {}), required: new Set(shape.required ?? []) };
    preparedStructures.set(shape, p);
  }
  return p;
}

class Walker {
  readonly out: Violation[] = [];
  constructor(private readonly model: ServiceModel) {}

  private add(
    reason: ViolationReason,
    path: string,
    value: unknown,
    constraint: string,
    shapeName: string,
    shape: Shape | undefined,
    extra: Partial<Violation> = {},
  ): void {
    const v: Violation = { reason, path, value, constraint, shapeName, ...extra };
    if (shape?.sensitive) v.sensitive = true;
    this.out.push(v);
  }

  walk(shapeName: string, value: unknown, path: string): void {
    const shape = this.model.shapes[shapeName];
    if (!shape) return;
    if (!typeMatches(shape, value)) {
      this.add("INVALID_TYPE", path, value, shape.type, shapeName, shape);
      return;
    }
    switch (shape.type) {
      case "structure": {
        const record = value as Record<string, unknown>;
        const { members, required } = prepared(shape);
        for (const [name, ref] of members) {
          const memberValue = record[name];
          if (memberValue === undefined || memberValue === null) {
            if (required.has(name))
              this.add("INPUT_REQUIRED", joinPath(path, name), memberValue ?? null, "required", ref.shape, this.model.shapes[ref.shape]);
            continue;
          }
          this.walk(ref.shape, memberValue, joinPath(path, name));
        }
        return;
      }
      case "list": {
        const list = value as unknown[];
        this.checkSize(shape, shapeName, list.length, list, path);
        if (!shape.member) return;
        list.forEach((item, index) => {
          const itemPath = `${path}[${index}]`;
          if (item === undefined || item === null)
            this.add("INPUT_REQUIRED", itemPath, null, "required", shape.member!.shape, this.model.shapes[shape.member!.shape]);
          else this.walk(shape.member!.shape, item, itemPath);
        });
        return;
      }
      case "map": {
        const map = value as Record<string, unknown>;
        const entries = Object.entries(map);
        this.checkSize(shape, shapeName, entries.length, map, path);
        for (const [key, item] of entries) {
          if (shape.key) {
            const before = this.out.length;
            this.walk(shape.key.shape, key, path);
            for (let k = before; k < this.out.length; k++) this.out[k]!.mapPart = "key";
          }
          const itemPath = `${path}[${JSON.stringify(key)}]`;
          if (!shape.value) continue;
          if (item === undefined || item === null)
            this.add("INPUT_REQUIRED", itemPath, null, "required", shape.value.shape, this.model.shapes[shape.value.shape]);
          else this.walk(shape.value.shape, item, itemPath);
        }
        return;
      }
      case "string": {
        const s = value as string;
        if (shape.enum && !shape.enum.includes(s)) this.add("INVALID_ENUM", path, s, `[${shape.enum.join(", ")}]`, shapeName, shape);
        if (shape.min !== undefined && (s.length < shape.min || codePointLength(s) < shape.min)) {
          this.add("MIN_LENGTH_EXCEEDED", path, s, String(shape.min), shapeName, shape);
        }
        if (shape.max !== undefined && s.length > shape.max && codePointLength(s) > shape.max) {
          this.add("MAX_LENGTH_EXCEEDED", path, s, String(shape.max), shapeName, shape);
        }
        if (shape.pattern !== undefined && !compilePattern(shape.pattern).test(s)) {
          this.add("INVALID_PATTERN", path, s, shape.pattern, shapeName, shape);
        }
        return;
      }
      case "integer":
      case "long":
      case "double":
      case "float": {
        if (typeof value !== "number") return; // "NaN"/"Infinity" strings of a double: no range check
        if (shape.min !== undefined && value < shape.min) this.add("MIN_VALUE_EXCEEDED", path, value, String(shape.min), shapeName, shape);
        if (shape.max !== undefined && value > shape.max) this.add("MAX_VALUE_EXCEEDED", path, value, String(shape.max), shapeName, shape);
        return;
      }
      case "blob": {
        const size = typeof value === "string" ? Buffer.byteLength(value, "base64") : (value as Uint8Array).byteLength;
        if (shape.min !== undefined && size < shape.min) this.add("MIN_LENGTH_EXCEEDED", path, value, String(shape.min), shapeName, shape);
        if (shape.max !== undefined && size > shape.max) this.add("MAX_LENGTH_EXCEEDED", path, value, String(shape.max), shapeName, shape);
        return;
      }
      default:
        return;
    }
  }

  private checkSize(shape: Shape, shapeName: string, size: number, value: unknown, path: string): void {
    if (shape.min !== undefined && size < shape.min) this.add("MIN_LIST_LENGTH", path, value, String(shape.min), shapeName, shape);
    if (shape.max !== undefined && size > shape.max) this.add("MAX_LIST_LENGTH", path, value, String(shape.max), shapeName, shape);
  }
}

/**
 * All violations of `input` against structure `shapeName`. An absent input (undefined/null) is
 * the empty structure; members the model does not know are ignored, as AWS does.
 */
export function findViolations(model: ServiceModel, shapeName: string, input: unknown): Violation[] {
  const walker = new Walker(model);
  walker.walk(shapeName, input === undefined || input === null ? {} : input, "");
  const all = walker.out;
  if (all.length === 0) return all;
  // Type errors surface while deserializing, before any constraint is checked.
  return [...all.filter((v) => v.reason === "INVALID_TYPE"), ...all.filter((v) => v.reason !== "INVALID_TYPE")];
}
