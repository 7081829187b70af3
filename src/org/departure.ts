/**
 * The departure rules: what keeps a member account in its organization, in AWS's order (after the
 * management-account and rate checks of LeaveOrganization). LeaveOrganization and
 * RemoveAccountFromOrganization answer the first rule that blocks; the console and the explain
 * API show every rule with its answer, so none of them can disagree.
 */
import type { CallContext } from "../context.js";
import { describeTimeLeft } from "../duration.js";
import { constraintViolation } from "./errors.js";
import { DAY_MS, type AccountRow, type OrgRow } from "./repo.js";

/** A created account cannot leave until four days after its creation (invited accounts are exempt). */
export const WAIT_PERIOD_MS = 4 * DAY_MS;

/** AWS's own words for a member that lacks what a standalone account needs (EULA and phone verification). */
export const MISSING_PREREQUISITES_MESSAGE =
  "The member account is missing one or more of the prerequisites required to operate as a standalone account. To add what is missing, sign-in to the member account using the AWS Organizations console, then select to leave the organization. You will then be prompted to enter any missing information.";

/** Why a departure rule keeps an account in its organization: AWS's Reason and message, and orgsim's plain words. */
export interface DepartureBlocker {
  reason: string;
  message: string;
  detail: string;
}

/** The departure rules, in the order AWS applies them (after the management-account and rate checks). */
export type DepartureRule = "delegatedAdministrator" | "waitingPeriod" | "supportPlan" | "contactInformation" | "paymentMethod";

/** One departure rule for one account: what it would answer, or undefined when the account passes it. */
export interface DepartureCheck {
  rule: DepartureRule;
  blocker: DepartureBlocker | undefined;
}

/**
 * Every departure rule for the account, in AWS's order, each with what it would answer (so the
 * console can show all that keeps an account in, not only the first). `departureBlocker`, and
 * through it LeaveOrganization and RemoveAccountFromOrganization, answer the first one that blocks.
 */
export async function departureChecks(ctx: CallContext, org: OrgRow, account: AccountRow): Promise<DepartureCheck[]> {
  const delegation = await ctx.tx
    .selectFrom("delegated_admins")
    .select("principal")
    .where("org_id", "=", org.id)
    .where("account_id", "=", account.id)
    .orderBy("principal")
    .limit(1)
    .executeTakeFirst();
  let waiting: DepartureBlocker | undefined;
  if (account.created_by_org_id === org.id && account.joined_at !== null) {
    const allowedAt = account.joined_at + WAIT_PERIOD_MS;
    if (ctx.now < allowedAt) {
      waiting = {
        reason: "WAIT_PERIOD_ACTIVE",
        message: "This operation requires a wait period.  Try again later.",
        detail: `${describeTimeLeft(allowedAt - ctx.now)} left (until ${new Date(allowedAt).toISOString()})`,
      };
    }
  }
  return [
    {
      rule: "delegatedAdministrator",
      blocker: delegation && {
        reason: "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
        message: "You cannot remove a delegated administrator from the organization without de-registering the account.",
        detail: `delegated administrator for ${delegation.principal}`,
      },
    },
    { rule: "waitingPeriod", blocker: waiting },
    {
      rule: "supportPlan",
      blocker: account.support_plan
        ? undefined
        : { reason: "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA", message: MISSING_PREREQUISITES_MESSAGE, detail: "no support plan" },
    },
    {
      rule: "contactInformation",
      blocker: account.contact_info
        ? undefined
        : {
            reason: "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
            message: MISSING_PREREQUISITES_MESSAGE,
            detail: "no verified contact information",
          },
    },
    {
      rule: "paymentMethod",
      blocker: account.payment_method
        ? undefined
        : {
            reason: "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
            message: "The member account must be configured with a valid payment method, such as a credit card.",
            detail: "no payment method",
          },
    },
  ];
}

/** Why an account can't depart now (the first rule it breaks, in AWS's order), or undefined. Shared by the operations, the console and the explain API. */
export async function departureBlocker(ctx: CallContext, org: OrgRow, account: AccountRow): Promise<DepartureBlocker | undefined> {
  return (await departureChecks(ctx, org, account)).find((c) => c.blocker !== undefined)?.blocker;
}

/** The rules that keep a member in its organization, after the management-account and rate checks. */
export async function checkDeparture(ctx: CallContext, org: OrgRow, account: AccountRow): Promise<void> {
  const blocker = await departureBlocker(ctx, org, account);
  if (blocker) {
    const err = constraintViolation(blocker.reason, blocker.message);
    err.detail = `account ${account.id}: ${blocker.detail}`;
    throw err;
  }
}
