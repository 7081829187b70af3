/**
 * The application: settings, the store, the services, and the pipeline every call goes
 * through (validate, fault injection, authorize, operate) as one transaction.
 */
import { randomBytes } from "node:crypto";
import type { Settings } from "./config.js";
import { callContext, type ServiceDefinition } from "./context.js";
import type { Authenticated } from "./auth/identity.js";
import { Store, type Tx } from "./store/store.js";
import { Logger } from "./log.js";
import { AwsError } from "./protocol/errors.js";
import { findViolations } from "./protocol/validate.js";
import { virtualNow } from "./clock.js";
import { consumeFault, faultError, hasFault, type InjectedFault } from "./faults.js";
import { defineServices } from "./services/table.js";
import { ensureAwsManagedPolicies } from "./org/policy-repo.js";

/** Operations that only read: they never take the PostgreSQL writers' lock. */
const READ_ONLY = /^(Describe|List|Get|Lookup)/;

/** The state's baseline (see App.loadSecrets); returns the pagination-token key, created on first use (a reset makes a new one). */
async function ensureBaseline(tx: Tx): Promise<string> {
  await ensureAwsManagedPolicies(tx);
  await tx
    .insertInto("meta")
    .values({ key: "token_key", value: randomBytes(32).toString("hex") })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  return (await tx.selectFrom("meta").select("value").where("key", "=", "token_key").executeTakeFirstOrThrow()).value;
}

export interface CallInput {
  service: string;
  operation: string;
  input: Record<string, unknown>;
  auth: Authenticated;
  requestId: string;
  sourceIp: string;
}

export class App {
  readonly services = new Map<string, ServiceDefinition>();
  #tokenKey: Buffer = Buffer.alloc(0);

  private constructor(
    readonly settings: Settings,
    readonly store: Store,
    readonly logger: Logger,
  ) {}

  /** An app over the store the settings name, serving `services` (by default every row of the services table). */
  static async create(settings: Settings, services: readonly ServiceDefinition[] = defineServices()): Promise<App> {
    const store = await Store.open({ data: settings.data, databaseUrl: settings.databaseUrl });
    const app = new App(settings, store, new Logger(settings));
    for (const service of services) app.services.set(service.name, service);
    await app.loadSecrets();
    return app;
  }

  /**
   * What every state holds from its start: the key that signs pagination tokens (in the shared
   * state, so replicas accept each other's tokens) and the AWS managed policies.
   */
  private async loadSecrets(): Promise<void> {
    this.#tokenKey = Buffer.from(await this.store.writeTransaction((tx) => ensureBaseline(tx)), "hex");
  }

  /** The key that signs pagination tokens, from the shared state (every call's context carries it). */
  get tokenKey(): Buffer {
    return this.#tokenKey;
  }

  /** Empty state, clock offset 0, no faults, a new pagination-token key: one transaction, so a failure changes nothing. */
  async reset(): Promise<void> {
    const key = await this.store.writeTransaction(async (tx) => {
      await this.store.clear(tx);
      return ensureBaseline(tx);
    });
    this.#tokenKey = Buffer.from(key, "hex");
  }

  service(name: string): ServiceDefinition {
    const service = this.services.get(name);
    if (!service) throw new Error(`no service ${name}`);
    return service;
  }

  /** Checks the call against its model: a known operation, and input that keeps every constraint. */
  validate(call: Pick<CallInput, "service" | "operation" | "input">): void {
    const service = this.service(call.service);
    const opModel = Object.hasOwn(service.model.operations, call.operation) ? service.model.operations[call.operation] : undefined;
    if (!opModel) throw new AwsError("UnknownOperationException", `Unknown operation ${call.operation}`);
    if (opModel.input) {
      const violations = findViolations(service.model, opModel.input.shape, call.input);
      if (violations.length > 0) throw service.inputError(violations);
    }
  }

  /** Authorization and the operation, inside the caller's transaction (no fault injection). */
  async runInTransaction(tx: Tx, call: CallInput): Promise<unknown> {
    const service = this.service(call.service);
    // The clock, authorization and fault checks answer at once when the state cache holds what they read: no await then.
    const now = virtualNow(tx);
    const ctx = callContext(this, tx, typeof now === "number" ? now : await now, {
      principal: call.auth.principal,
      region: call.auth.region,
      partition: call.auth.partition,
      requestId: call.requestId,
      sourceIp: call.sourceIp,
      operation: call.operation,
    });
    if (service.authorize) {
      const authorized = service.authorize(ctx, call.operation, service.model);
      if (authorized instanceof Promise) await authorized;
    }
    const handler = Object.hasOwn(service.handlers, call.operation) ? service.handlers[call.operation] : undefined;
    if (!handler) {
      throw (
        service.notImplemented?.(call.operation) ??
        new AwsError("UnknownOperationException", `orgsim does not implement ${call.operation} yet; see README's operation table.`)
      );
    }
    return handler(ctx, call.input);
  }

  /**
   * One API call: validation, then fault injection, authorization and the operation in one
   * transaction. An operation that only reads runs in a read transaction, which can't write; a
   * fault armed for it is consumed in a write transaction of its own first (rare: only while
   * faults are armed for that operation).
   */
  async call(call: CallInput): Promise<unknown> {
    this.validate(call);
    const write = !READ_ONLY.test(call.operation);
    const result = await this.store.transaction(
      async (tx): Promise<{ fault: InjectedFault } | { output: unknown } | "fault armed"> => {
        if (!write) {
          const armed = hasFault(tx, call.operation);
          if (armed === true || (armed !== false && (await armed))) return "fault armed";
          return { output: await this.runInTransaction(tx, call) };
        }
        const fault = await consumeFault(tx, call.operation);
        if (fault) return { fault };
        return { output: await this.runInTransaction(tx, call) };
      },
      { write },
    );
    if (result === "fault armed") {
      const fault = await this.store.writeTransaction((tx) => consumeFault(tx, call.operation));
      if (fault) throw faultError(fault, call.operation);
      return this.store.transaction((tx) => this.runInTransaction(tx, call));
    }
    if ("fault" in result) throw faultError(result.fault, call.operation);
    return result.output;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
