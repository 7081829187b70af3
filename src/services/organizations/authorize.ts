/**
 * The authorization step of every Organizations call: membership, service control policies,
 * then the operation's access rule (ACCESS). Runs inside the call's transaction.
 */
import type { CallContext } from "../../context.js";
import { ACCESS, type AccessRule } from "./access.js";
import type { ServiceModel } from "../../protocol/model.js";
import { errors } from "../../org/errors.js";
import { isDelegatedAdministrator, membership, type Membership, type OrgRow } from "../../org/repo.js";
import { enforceScps } from "../../org/scps.js";
import { resourcePolicyAllows } from "./resource-policy.js";
import { andThen, type Cached } from "../../store/store.js";

/**
 * Membership, SCPs, then the operation's rule. Undefined (nothing to wait for) when all of it was
 * answered from what the call and the state cache already hold, as for the management account's
 * calls and cached SCP decisions; a promise otherwise.
 */
export function authorizeOrganizations(ctx: CallContext, operation: string, model: ServiceModel): Cached<void> {
  const rule = ACCESS[operation] ?? "management";
  return andThen(membership(ctx), (known) => authorizeMember(ctx, known, rule, operation, model));
}

function authorizeMember(ctx: CallContext, { org }: Membership, rule: AccessRule, operation: string, model: ServiceModel): Cached<void> {
  if (rule !== "any" && !org) {
    // A caller outside any organization: AWSOrganizationsNotInUseException where the operation
    // can return it, otherwise the access denial it can (CancelHandshake's model lacks NotInUse).
    const modelled = (model.operations[operation]?.errors ?? []).some((e) => e.shape === "AWSOrganizationsNotInUseException");
    throw modelled ? errors.notInUse() : errors.accessDenied();
  }
  return andThen(enforceScps(ctx, `organizations:${operation}`, "*"), () => byRule(ctx, org, rule, operation));
}

function byRule(ctx: CallContext, org: OrgRow | undefined, rule: AccessRule, operation: string): Cached<void> {
  if (!org || org.management_account_id === ctx.principal.accountId) return undefined;
  if (rule === "any" || rule === "member") return undefined;
  return byDelegation(ctx, org, rule, operation);
}

async function byDelegation(ctx: CallContext, org: OrgRow, rule: AccessRule, operation: string): Promise<void> {
  if (rule === "read" && (await isDelegatedAdministrator(ctx.tx, org.id, ctx.principal.accountId))) return;
  // A member granted the action by the organization's resource-based delegation policy may call it.
  if (await resourcePolicyAllows(ctx, org, ctx.principal.accountId, operation, { principalArn: ctx.principal.arn })) return;
  throw errors.accessDenied();
}
