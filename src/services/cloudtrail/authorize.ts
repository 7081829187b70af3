/** The authorization step of every CloudTrail call: the service control policies of the caller's path (the management account is exempt); no IAM. */
import type { CallContext } from "../../context.js";
import { enforceScps } from "../../org/scps.js";

export async function authorizeCloudTrail(ctx: CallContext, operation: string): Promise<void> {
  await enforceScps(ctx, `cloudtrail:${operation}`, "*");
}
