/**
 * Who is calling: the principal orgsim resolved from the request's credentials; and the root
 * user of an account, as the calls orgsim makes itself (seeds, the console, the explain API) use it.
 */
import { callContext, type CallContext, type CallHost } from "../context.js";
import type { Tx } from "../store/store.js";
import { arns } from "../org/ids.js";

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

/** The root user of `accountId` (in `partition`), calling with `accessKeyId`. */
export function rootPrincipal(accountId: string, partition: string, accessKeyId: string): Principal {
  return { accountId, arn: arns.rootUser(partition, accountId), userId: accountId, type: "Root", accessKeyId };
}

/**
 * The context of work that is no AWS call but runs the same rules (the console's verdicts, the
 * explain API): the root user of `accountId`, from this machine, in us-east-1 unless `region` says.
 */
export function rootCallContext(
  host: CallHost,
  tx: Tx,
  now: number,
  who: { accountId: string; partition: string; region?: string; operation: string; requestId: string },
): CallContext {
  return callContext(host, tx, now, {
    principal: rootPrincipal(who.accountId, who.partition, who.accountId),
    region: who.region ?? "us-east-1",
    partition: who.partition,
    requestId: who.requestId,
    sourceIp: "127.0.0.1",
    operation: who.operation,
  });
}
