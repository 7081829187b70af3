/**
 * The root user of an account: the principal of a 12-digit access key (and of any key orgsim
 * does not know), and the caller of what orgsim runs itself (seeds, the console, the explain API).
 */
import { callContext, type CallContext, type CallHost, type Principal } from "../context.js";
import type { Tx } from "../store/store.js";
import { arns } from "../org/ids.js";

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
