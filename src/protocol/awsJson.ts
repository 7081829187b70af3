/** The awsJson1.1 wire protocol (Organizations, CloudTrail): X-Amz-Target routing, JSON bodies, `__type` errors. */
import { AwsError } from "./errors.js";
import type { ServiceModel } from "./model.js";
import { toWire } from "./shapes.js";

export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";

/** The operation named by `X-Amz-Target: <targetPrefix>.<Operation>`, or UnknownOperationException. */
export function operationFromTarget(model: ServiceModel, target: string): string {
  const prefix = `${model.metadata.targetPrefix}.`;
  const name = target.startsWith(prefix) ? target.slice(prefix.length) : "";
  if (!name || !model.operations[name]) throw new AwsError("UnknownOperationException", `Unknown operation ${target}`);
  return name;
}

export function parseJsonBody(body: Buffer): Record<string, unknown> {
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
  return JSON.stringify(toWire(model, shape, output ?? {}, "epoch-seconds") ?? {});
}

export function serializeJsonError(err: AwsError): string {
  const body: Record<string, unknown> = { __type: err.code, Message: err.message };
  for (const [k, v] of Object.entries(err.fields)) if (v !== undefined) body[k] = v;
  return JSON.stringify(body);
}
