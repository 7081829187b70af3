/**
 * The IAM request context of a call: the action, the resource and the global condition keys
 * (aws:PrincipalArn, aws:PrincipalOrgID, aws:SourceIp, ...) that policy conditions read. Shared by
 * SCP enforcement (src/org/scps.ts) and the Organizations delegation policy, neither of which owns it.
 */
import type { CallContext } from "../context.js";
import type { RequestContext } from "./evaluate.js";

/** IAM's aws:PrincipalArn of a role session is the role's ARN, not the session's. */
export function principalArnKey(arn: string): string {
  const m = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

/** The context of `action` on `resource` by the caller of `ctx` (or by `callerArn`), a principal of the organization `org`. */
export function requestContext(
  ctx: CallContext,
  org: { id: string },
  action: string,
  resource: string,
  callerArn = ctx.principal.arn,
): RequestContext {
  const principalArn = principalArnKey(callerArn);
  const principalAccount = principalArn.split(":")[4] ?? ctx.principal.accountId;
  return {
    action,
    resource,
    now: new Date(ctx.now),
    keys: {
      "aws:PrincipalArn": principalArn,
      "aws:PrincipalAccount": principalAccount,
      "aws:PrincipalOrgID": org.id,
      "aws:PrincipalType": callerArn.endsWith(":root") ? "Account" : callerArn.includes(":assumed-role/") ? "AssumedRole" : "User",
      "aws:RequestedRegion": ctx.region,
      "aws:SourceIp": ctx.sourceIp.replace(/^::ffff:/, ""),
      "aws:CurrentTime": new Date(ctx.now).toISOString(),
      "aws:EpochTime": String(Math.floor(ctx.now / 1000)),
      "aws:SecureTransport": "false",
    },
  };
}
