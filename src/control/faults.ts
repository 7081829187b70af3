/**
 * Fault injection: a configured operation answers one of its modelled errors, `count` times
 * (or always), with an optional probability. Kept in the store, so shared by replicas.
 */
import { randomUUID } from "node:crypto";
import type { Tx } from "../store/store.js";
import { hotQuery } from "../store/hot.js";
import { AwsError } from "../protocol/errors.js";
import type { ServiceModel } from "../protocol/model.js";

export interface FaultSpec {
  operation: string;
  error: string;
  count?: number;
  probability?: number;
  reason?: string;
  message?: string;
}

export interface InjectedFault {
  error: string;
  reason?: string;
  message?: string;
}

/** Checks a spec against the models: the operation must exist and the error must be one it can return. */
export function validateFault(models: ServiceModel[], spec: FaultSpec): string | undefined {
  if (typeof spec.operation !== "string" || typeof spec.error !== "string") return "operation and error are required strings";
  if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) return "count must be a positive integer";
  if (spec.probability !== undefined && (typeof spec.probability !== "number" || spec.probability <= 0 || spec.probability > 1)) {
    return "probability must be a number in (0, 1]";
  }
  for (const model of models) {
    const op = model.operations[spec.operation];
    if (!op) continue;
    const allowed = new Set((op.errors ?? []).map((e) => e.shape));
    allowed.add("ThrottlingException");
    allowed.add("ServiceException");
    if (!allowed.has(spec.error)) return `${spec.operation} cannot return ${spec.error}; it returns ${[...allowed].sort().join(", ")}`;
    return undefined;
  }
  return `unknown operation ${spec.operation}`;
}

export async function addFault(tx: Tx, spec: FaultSpec, now: number): Promise<string> {
  const id = randomUUID();
  await tx
    .insertInto("faults")
    .values({
      id,
      operation: spec.operation,
      error: JSON.stringify({ error: spec.error, reason: spec.reason, message: spec.message }),
      remaining: spec.count ?? null,
      probability: spec.probability ?? 1,
      created_at: now,
    })
    .execute();
  return id;
}

/** Consumes one matching fault, if one fires for this call. */
export async function consumeFault(tx: Tx, operation: string): Promise<InjectedFault | undefined> {
  const rows = await hotQuery(tx, "faults", [operation], (t) => t.selectFrom("faults").selectAll().where("operation", "=", operation).orderBy("created_at"));
  for (const row of rows) {
    if (row.probability < 1 && Math.random() >= row.probability) continue;
    if (row.remaining !== null) {
      if (row.remaining <= 1) await tx.deleteFrom("faults").where("id", "=", row.id).execute();
      else await tx.updateTable("faults").set({ remaining: row.remaining - 1 }).where("id", "=", row.id).execute();
    }
    return JSON.parse(row.error) as InjectedFault;
  }
  return undefined;
}

export function faultError(fault: InjectedFault, operation: string): AwsError {
  const server = fault.error === "ServiceException" || fault.error === "InternalServerException";
  const fields = fault.reason ? { Reason: fault.reason } : fault.error === "TooManyRequestsException" ? { Type: "TooManyRequestsException" } : {};
  return new AwsError(fault.error, fault.message ?? `Injected by orgsim for ${operation}: ${fault.error}. Try again later.`, {
    status: server ? 500 : 400,
    fields,
  });
}
