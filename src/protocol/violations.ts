/**
 * How a violation reads on the wire, in AWS's (Coral's) words: the SerializationException of the
 * JSON protocols for a value of the wrong JSON type, and the "N validation error(s) detected"
 * errors of awsQuery (STS: ValidationError) and restJson (Account: ValidationException with a
 * fieldList), each naming the member in Coral's notation.
 */
import { AwsError } from "./errors.js";
import type { Violation } from "./validate.js";

/** Coral's JSON token names, used in SerializationException messages. */
function jsonTokenName(value: unknown): string {
  if (Array.isArray(value)) return "START_ARRAY";
  if (value === null || value === undefined) return "VALUE_NULL";
  switch (typeof value) {
    case "string":
      return "STRING_VALUE";
    case "number":
      return "NUMBER_VALUE";
    case "boolean":
      return value ? "VALUE_TRUE" : "VALUE_FALSE";
    default:
      return "START_OBJECT";
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: "a String",
  integer: "an Integer",
  long: "a Long",
  double: "a Double",
  float: "a Float",
  boolean: "a Boolean",
  timestamp: "a Date",
  blob: "a ByteBuffer",
  list: "a List",
  map: "a Map",
  structure: "a Structure",
};

/** The SerializationException AWS's JSON protocols answer when a value has the wrong JSON type. */
export function serializationError(v: Violation): AwsError {
  const where = v.path === "" ? "the request body" : `member ${v.path}`;
  let detail: string;
  if (Array.isArray(v.value)) detail = "Start of list found where not expected";
  else if (typeof v.value === "object" && v.value !== null && !(v.value instanceof Date))
    detail = "Start of structure or map found where not expected";
  else detail = `${jsonTokenName(v.value)} can not be converted to ${TYPE_NAMES[v.constraint] ?? v.constraint}`;
  return new AwsError("SerializationException", `${detail} (${where}).`, { status: 400 });
}

/** Member path in AWS's (Coral's) notation: lowerCamelCase members, 1-based "N.member" list items. */
export function awsMemberPath(path: string): string {
  const parts: string[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) parts.push(m[1].charAt(0).toLowerCase() + m[1].slice(1));
    else if (m[2] !== undefined) parts.push(`${Number(m[2]) + 1}`, "member");
    else parts.push(JSON.parse(m[3]!) as string);
  }
  return parts.join(".");
}

/** Java-toString-like rendering of a value, as Coral prints it. */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(renderValue).join(", ")}]`;
  if (typeof value === "object" && !(value instanceof Uint8Array)) {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${renderValue(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

function constraintText(v: Violation): string {
  switch (v.reason) {
    case "INPUT_REQUIRED":
      return "Member must not be null";
    case "INVALID_TYPE":
      return `Member must be of type ${v.constraint}`;
    case "MIN_LENGTH_EXCEEDED":
    case "MIN_LIST_LENGTH":
      return `Member must have length greater than or equal to ${v.constraint}`;
    case "MAX_LENGTH_EXCEEDED":
    case "MAX_LIST_LENGTH":
      return `Member must have length less than or equal to ${v.constraint}`;
    case "INVALID_PATTERN":
      return `Member must satisfy regular expression pattern: ${v.constraint}`;
    case "INVALID_ENUM":
      return `Member must satisfy enum value set: ${v.constraint}`;
    case "MIN_VALUE_EXCEEDED":
      return `Member must have value greater than or equal to ${v.constraint}`;
    case "MAX_VALUE_EXCEEDED":
      return `Member must have value less than or equal to ${v.constraint}`;
    case "UNKNOWN_MEMBER":
      return "Member is not known";
  }
}

/** The per-violation message text and field name used by the Coral-style validation errors. */
export function describeViolation(v: Violation): { name: string; constraint: string; text: string } {
  const name = awsMemberPath(v.path);
  const constraint = v.mapPart === "key" ? `Map keys must satisfy constraint: [${constraintText(v)}]` : constraintText(v);
  const shown = v.value === undefined || v.value === null ? "Value null" : v.sensitive ? "Value" : `Value '${renderValue(v.value)}'`;
  return { name, constraint, text: `${shown} at '${name}' failed to satisfy constraint: ${constraint}` };
}

function validationMessage(vs: Violation[]): string {
  const n = vs.length;
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${vs.map((v) => describeViolation(v).text).join("; ")}`;
}

/** awsQuery (STS) validation error: ValidationError, 400, Coral's "N validation error(s) detected" message. */
export function queryValidationError(vs: Violation[]): AwsError {
  return new AwsError("ValidationError", validationMessage(vs), { status: 400 });
}

/**
 * restJson (Account) validation error: ValidationException with reason fieldValidationFailed and a
 * fieldList. A wrong JSON type is a SerializationException instead (found while deserializing).
 */
export function restJsonValidationError(vs: Violation[]): AwsError {
  const typeError = vs.find((v) => v.reason === "INVALID_TYPE");
  if (typeError) return serializationError(typeError);
  return new AwsError("ValidationException", validationMessage(vs), {
    status: 400,
    fields: {
      reason: "fieldValidationFailed",
      fieldList: vs.map((v) => {
        const d = describeViolation(v);
        return { name: d.name, message: d.constraint };
      }),
    },
  });
}
