/**
 * The authorization step of every Organizations call: membership, service control policies,
 * then the operation's access rule (ACCESS). Runs inside the call's transaction.
 */
import type { CallContext } from "../../context.js";
import { ACCESS } from "./access.js";
import type { ServiceModel } from "../../protocol/model.js";
import { errors } from "../../org/errors.js";
import { isDelegatedAdministrator, membership } from "../../org/repo.js";
import { enforceScps } from "../../org/scps.js";
import { resourcePolicyAllows } from "./resource-policy.js";

export async function authorizeOrganizations(ctx: CallContext, operation: string, model: ServiceModel): Promise<void> {
  const rule = ACCESS[operation] ?? "management";
  const { org } = await membership(ctx);
  if (rule !== "any" && !org) {
    // A caller outside any organization: AWSOrganizationsNotInUseException where the operation
    // can return it, otherwise the access denial it can (CancelHandshake's model lacks NotInUse).
    const modelled = (model.operations[operation]?.errors ?? []).some((e) => e.shape === "AWSOrganizationsNotInUseException");
    throw modelled ? errors.notInUse() : errors.accessDenied();
  }
  await enforceScps(ctx, `organizations:${operation}`, "*");
  if (!org || org.management_account_id === ctx.principal.accountId) return;
  if (rule === "any" || rule === "member") return;
  if (rule === "read" && (await isDelegatedAdministrator(ctx.tx, org.id, ctx.principal.accountId))) return;
  // A member granted the action by the organization's resource-based delegation policy may call it.
  if (await resourcePolicyAllows(ctx, org, ctx.principal.accountId, operation, { principalArn: ctx.principal.arn })) return;
  throw errors.accessDenied();
}
