/** The authorization step of every STS call: service control policies (GetCallerIdentity needs no permission). */
import type { CallContext } from "../../context.js";
import { AwsError } from "../../protocol/errors.js";
import { enforceScps } from "../../org/scps.js";

export async function authorizeSts(ctx: CallContext, operation: string): Promise<void> {
  // GetCallerIdentity needs no permission, so no SCP can deny it.
  if (operation === "GetCallerIdentity") return;
  try {
    await enforceScps(ctx, `sts:${operation}`, "*");
  } catch (err) {
    // STS speaks awsQuery: its denial is AccessDenied, HTTP 403.
    if (err instanceof AwsError && err.code === "AccessDeniedException") throw new AwsError("AccessDenied", err.message, { status: 403 });
    throw err;
  }
}
