/** What an operation sees: its transaction, the caller, the virtual time, the settings. */
import type { Cached, Tx } from "./store/store.js";
import type { Settings } from "./config.js";
import type { AwsError } from "./protocol/errors.js";
import type { ServiceModel } from "./protocol/model.js";
import type { Violation } from "./protocol/validate.js";

/** Who is calling: the principal orgsim resolved from the request's credentials (auth/identity.ts). */
export interface Principal {
  /** The 12-digit account the principal belongs to. */
  accountId: string;
  /** arn:<partition>:iam::<id>:root, or arn:<partition>:sts::<id>:assumed-role/<role>/<session>. */
  arn: string;
  /** As GetCallerIdentity reports it: the account id for a root user, "<role id>:<session>" for a role session. */
  userId: string;
  type: "Root" | "AssumedRole";
  /** Set for an assumed role. */
  roleName?: string;
  accessKeyId: string;
}

export interface CallContext {
  tx: Tx;
  requestId: string;
  principal: Principal;
  region: string;
  partition: string;
  /** Virtual-clock time of this call, epoch milliseconds. */
  now: number;
  settings: Settings;
  sourceIp: string;
  /** Operation being served (for events and messages). */
  operation: string;
  /** Facts the authorization step found, for the operation to reuse. */
  scratch: Record<string, unknown>;
  /** The key that signs this state's NextTokens (in the store, so replicas share it; a reset makes a new one). */
  tokenKey: Buffer;
}

/** Who calls, from where, and what: the part of a CallContext that is the call's own. */
export type Caller = Pick<CallContext, "principal" | "region" | "partition" | "requestId" | "sourceIp" | "operation">;

/** What a CallContext takes from the application (App): its settings and the state's NextToken key. */
export interface CallHost {
  readonly settings: Settings;
  readonly tokenKey: Buffer;
}

/** The context of one call by `caller`, in `tx`, at the virtual time `now`. */
export function callContext(host: CallHost, tx: Tx, now: number, caller: Caller): CallContext {
  // Named fields, not a spread: one object shape for every call, built without copying `caller`'s keys one by one.
  return {
    tx,
    requestId: caller.requestId,
    principal: caller.principal,
    region: caller.region,
    partition: caller.partition,
    now,
    settings: host.settings,
    sourceIp: caller.sourceIp,
    operation: caller.operation,
    scratch: {},
    tokenKey: host.tokenKey,
  };
}

export type Handler = (ctx: CallContext, input: Record<string, unknown>) => Promise<unknown>;

/** Lets an operation take its input type from the AWS SDK's declarations while the registry stays generic. */
export function op<I extends object, O>(fn: (ctx: CallContext, input: I) => Promise<O>): Handler {
  return fn as unknown as Handler;
}

/** A wire protocol, as the service models name them: awsJson1.1, awsQuery, restJson1. */
export type Protocol = "json" | "query" | "rest-json";

/** A service as the app runs it (built from its row in src/services/table.ts). */
export interface ServiceDefinition {
  /** IAM action prefix: organizations, sts, account, cloudtrail. */
  name: string;
  /** As people name it: AWS Organizations, STS, Account, CloudTrail. */
  title: string;
  protocol: Protocol;
  model: ServiceModel;
  handlers: Record<string, Handler>;
  /** The error this service answers for invalid input. */
  inputError(violations: Violation[]): AwsError;
  /** Runs before the handler, inside the call's transaction: who may call, and SCPs. */
  authorize?(ctx: CallContext, operation: string, model: ServiceModel): Cached<void>;
  /** The internal-error code of this service (ServiceException, InternalFailure, ...). */
  internalErrorCode: string;
  /** The error for an operation of the model that orgsim has not built (default: the internal error code). */
  notImplemented?: (operation: string) => AwsError;
}

/** Every module's exported operations, by operation name. */
export function collectHandlers(modules: Record<string, unknown>[], operationNames: string[]): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  const names = new Set(operationNames);
  for (const mod of modules) {
    for (const [name, value] of Object.entries(mod)) {
      if (names.has(name) && typeof value === "function") handlers[name] = value as Handler;
    }
  }
  return handlers;
}
