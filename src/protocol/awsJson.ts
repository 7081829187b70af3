/** The awsJson1.1 wire protocol (Organizations, CloudTrail): X-Amz-Target routing, JSON bodies, `__type` errors. */
import { AwsError } from "./errors.js";
import type { ServiceModel } from "./model.js";
import { jsonWriter } from "./shapes.js";

export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";

/**
 * The target prefixes a service answers to: the model's full one and its last segment, since
 * clients differ (botocore sends com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.X,
 * the JavaScript SDK CloudTrail_20131101.X), and AWS accepts both.
 */
export function targetPrefixes(model: ServiceModel): string[] {
  const full = model.metadata.targetPrefix ?? "";
  const short = full.slice(full.lastIndexOf(".") + 1);
  return [full, short].filter((p, i, all) => p !== "" && all.indexOf(p) === i);
}

export function matchesTarget(model: ServiceModel, target: string): boolean {
  return targetPrefixes(model).some((p) => target.startsWith(`${p}.`));
}

/**
 * Every X-Amz-Target a model answers (`<prefix>.<Operation>` for each of its prefixes), to the
 * operation it names: built once per model, so routing a request is one look-up.
 */
const targetTables = new WeakMap<ServiceModel, Map<string, string>>();

export function targetTable(model: ServiceModel): Map<string, string> {
  let table = targetTables.get(model);
  if (!table) {
    table = new Map();
    for (const prefix of targetPrefixes(model)) for (const name of Object.keys(model.operations)) table.set(`${prefix}.${name}`, name);
    targetTables.set(model, table);
  }
  return table;
}

/** The operation named by `X-Amz-Target: <targetPrefix>.<Operation>`, or UnknownOperationException. */
export function operationFromTarget(model: ServiceModel, target: string): string {
  const name = targetTable(model).get(target);
  if (name !== undefined) return name;
  throw new AwsError("UnknownOperationException", `Unknown operation ${target}`);
}

export function parseJsonBody(body: Buffer): Record<string, unknown> {
  // "{}": what the SDKs and the CLI send for a call without input (no text to decode or parse).
  if (body.length === 2 && body[0] === 0x7b && body[1] === 0x7d) return {};
  const text = body.toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AwsError("SerializationException", `The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AwsError("SerializationException", "The request body must be a JSON object (Start of structure or map expected).");
  }
  return value as Record<string, unknown>;
}

export function serializeJsonOutput(model: ServiceModel, operation: string, output: unknown): string {
  const shape = model.operations[operation]?.output?.shape;
  if (!shape) return "{}";
  return jsonWriter(model, shape, "epoch-seconds")(output ?? {}) ?? "{}";
}

export function serializeJsonError(err: AwsError): string {
  const body: Record<string, unknown> = { __type: err.code, Message: err.message };
  for (const [k, v] of Object.entries(err.fields)) if (v !== undefined) body[k] = v;
  return JSON.stringify(body);
}
