/**
 * Who may act on which account through the Account API, as AWS documents it for the
 * `AccountId` parameter:
 *  - without AccountId, the call acts on the caller's own account (standalone context);
 *  - with the id of another account, the caller must be the management account of the
 *    organization the target belongs to, or a delegated administrator for
 *    account.amazonaws.com in it; the organization must have all features and trusted access
 *    for account.amazonaws.com enabled; and the target must be a member account (not the
 *    management account). Anything else is AccessDeniedException (403);
 *  - the management account naming its own id is a ValidationException.
 * Service control policies are checked first, by the service's authorization step.
 */
import type { CallContext } from "../../context.js";
import { enforceScps } from "../../org/scps.js";
import {
  ensureAccount,
  getAccountRow,
  isDelegatedAdministrator,
  isServiceAccessEnabled,
  isVisible,
  membership,
  type AccountRow,
} from "../../org/repo.js";
import { accountErrors } from "./errors.js";

export const ACCOUNT_SERVICE_PRINCIPAL = "account.amazonaws.com";

/** The authorization step of every Account API call: service control policies. */
export async function authorizeAccount(ctx: CallContext, operation: string): Promise<void> {
  await enforceScps(ctx, `account:${operation}`, "*");
}

export interface TargetOptions {
  /**
   * The operation acts only on a member account, from its organization's management account or
   * delegated administrator (the primary-email operations, whose AccountId is required).
   */
  memberOnly?: boolean;
}

/**
 * The account an operation acts on (`accountId` is the request's AccountId, or StandardAccountId),
 * after the organization-aware access rules above.
 */
export async function resolveTarget(ctx: CallContext, accountId: string | undefined, options: TargetOptions = {}): Promise<AccountRow> {
  const callerId = ctx.principal.accountId;
  const denied = (detail: string) => accountErrors.accessDenied(ctx.principal.arn, ctx.operation, detail);
  const { org } = await membership(ctx);
  const isManagement = org !== undefined && org.management_account_id === callerId;

  if (accountId === undefined || accountId === callerId) {
    if (accountId !== undefined && isManagement) throw accountErrors.managementOwnAccountId();
    if (options.memberOnly) {
      throw denied(
        `${ctx.operation} works only on a member account, called by its organization's management account or an ${ACCOUNT_SERVICE_PRINCIPAL} delegated administrator.`,
      );
    }
    return ensureAccount(ctx.tx, callerId, ctx.now);
  }

  if (!org) throw denied(`Account ${callerId} is in no organization, so it can act only on itself (call without AccountId).`);
  if (org.feature_set !== "ALL") throw denied(`Organization ${org.id} does not have all features enabled.`);
  if (!isManagement && !(await isDelegatedAdministrator(ctx.tx, org.id, ctx.principal.accountId, ACCOUNT_SERVICE_PRINCIPAL))) {
    throw denied(
      `Account ${callerId} is neither the management account of ${org.id} nor a delegated administrator for ${ACCOUNT_SERVICE_PRINCIPAL}.`,
    );
  }
  if (!(await isServiceAccessEnabled(ctx.tx, org.id, ACCOUNT_SERVICE_PRINCIPAL))) {
    throw denied(`Trusted access for ${ACCOUNT_SERVICE_PRINCIPAL} is not enabled in organization ${org.id} (EnableAWSServiceAccess).`);
  }
  const target = await getAccountRow(ctx.tx, accountId);
  if (!target || target.org_id !== org.id || !isVisible(target, ctx.now)) {
    throw denied(`Account ${accountId} is not a member of organization ${org.id}.`);
  }
  if (target.id === org.management_account_id) {
    throw denied(`Account ${accountId} is the management account of ${org.id}; only it can act on itself, without AccountId.`);
  }
  return target;
}
