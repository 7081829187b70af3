/**
 * Fault injection: a configured operation answers one of its modelled errors, `count` times
 * (or always), with an optional probability. Kept in the store, so shared by replicas. The
 * pipeline (app.ts) consumes faults; the control API (control/routes-state.ts) arms them.
 */
import { randomUUID } from "node:crypto";
import { cachedNow, type Cached, type Tx } from "./store/store.js";
import { hotQuery } from "./store/hot.js";
import { AwsError } from "./protocol/errors.js";
import type { ServiceModel } from "./protocol/model.js";

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

/** Most calls one fault may fail (PostgreSQL's INTEGER holds it; more is "always": leave count out). */
export const MAX_FAULT_COUNT = 1_000_000_000;
/** Longest `reason` / `message` of an injected error. */
export const MAX_FAULT_TEXT = 2048;
const FAULT_FIELDS = new Set(["operation", "error", "count", "probability", "reason", "message"]);

/** Checks a spec against the models: the operation must exist and the error must be one it can return. */
export function validateFault(models: ServiceModel[], spec: FaultSpec): string | undefined {
  for (const key of Object.keys(spec)) {
    if (!FAULT_FIELDS.has(key)) return `unknown field "${key}"; a fault has ${[...FAULT_FIELDS].join(", ")}`;
  }
  if (typeof spec.operation !== "string" || typeof spec.error !== "string") return "operation and error are required strings";
  if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > MAX_FAULT_COUNT)) {
    return `count must be a whole number from 1 to ${MAX_FAULT_COUNT} (leave it out for every call)`;
  }
  if (spec.probability !== undefined && (typeof spec.probability !== "number" || !(spec.probability > 0 && spec.probability <= 1))) {
    return "probability must be a number in (0, 1]";
  }
  for (const key of ["reason", "message"] as const) {
    const value = spec[key];
    if (value !== undefined && (typeof value !== "string" || value.length > MAX_FAULT_TEXT))
      return `${key} must be a string of at most ${MAX_FAULT_TEXT} characters`;
  }
  for (const model of models) {
    const op = Object.hasOwn(model.operations, spec.operation) ? model.operations[spec.operation] : undefined;
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

/** Whether any fault is armed for the operation (one indexed look-up: the common case finds none); at once when the state cache knows. */
export function hasFault(tx: Tx, operation: string): Cached<boolean> {
  return cachedNow(tx, "fault", operation, async () => {
    const rows = await hotQuery(tx, "fault-armed", [operation], (t) =>
      t.selectFrom("faults").select("id").where("operation", "=", operation),
    );
    return rows.length > 0;
  });
}

/** Consumes one matching fault, if one fires for this call. */
export async function consumeFault(tx: Tx, operation: string): Promise<InjectedFault | undefined> {
  const rows = await hotQuery(tx, "faults", [operation], (t) =>
    t.selectFrom("faults").selectAll().where("operation", "=", operation).orderBy("created_at"),
  );
  for (const row of rows) {
    if (row.probability < 1 && Math.random() >= row.probability) continue;
    if (row.remaining !== null) {
      if (row.remaining <= 1) await tx.deleteFrom("faults").where("id", "=", row.id).execute();
      else
        await tx
          .updateTable("faults")
          .set({ remaining: row.remaining - 1 })
          .where("id", "=", row.id)
          .execute();
    }
    return JSON.parse(row.error) as InjectedFault;
  }
  return undefined;
}

export function faultError(fault: InjectedFault, operation: string): AwsError {
  const server = fault.error === "ServiceException" || fault.error === "InternalServerException";
  const fields = fault.reason
    ? { Reason: fault.reason }
    : fault.error === "TooManyRequestsException"
      ? { Type: "TooManyRequestsException" }
      : {};
  return new AwsError(fault.error, fault.message ?? `Injected by orgsim for ${operation}: ${fault.error}. Try again later.`, {
    status: server ? 500 : 400,
    fields,
  });
}
