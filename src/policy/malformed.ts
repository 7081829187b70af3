/**
 * `MalformedPolicyDocumentException`, as both policy grammars raise it: AWS's generic message
 * followed by the problem and where it is, and the words for a JSON value's kind.
 */
import { AwsError } from "../protocol/errors.js";
import type { JsonObject, JsonValue } from "./strict-json.js";

/** AWS's generic `MalformedPolicyDocumentException` message; our messages start with it and add the detail. */
export const MALFORMED_POLICY_MESSAGE = "The provided policy document does not meet the requirements of the specified policy type.";

export function malformed(detail: string): AwsError {
  return new AwsError("MalformedPolicyDocumentException", `${MALFORMED_POLICY_MESSAGE} ${detail}`);
}

/** "an array", "a string", ...: a JSON value's kind, for messages. */
export function typeName(v: JsonValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  if (typeof v === "number") return "a number";
  return "a boolean";
}

export function isObject(v: JsonValue): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
