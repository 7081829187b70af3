/**
 * CreateGovCloudAccount: from the management account of an organization in the commercial
 * partition, creates a member account there (exactly as CreateAccount does) paired with a
 * standalone twin account in AWS GovCloud (US), whose id DescribeCreateAccountStatus reports as
 * GovCloudAccountId once the creation completes. AWS allows it only when the management account
 * itself is paired with a GovCloud account; orgsim records that pairing per account, set through
 * the control API (PUT /_orgsim/accounts/{id}/govcloud).
 */
import type { CreateAccountRequest, CreateGovCloudAccountRequest, CreateGovCloudAccountResponse } from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import { constraintViolation } from "../../org/errors.js";
import { newAccountId } from "../../org/ids.js";
import { getAccountRow, requireOrg } from "../../org/repo.js";
import { creationAnswer, startAccountCreation, validateAccountCreationRequest } from "./accounts.js";

/** The API Reference's description of MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED (B in docs/research/aws-messages.md). */
export const NOT_GOVCLOUD_ENABLED_MESSAGE =
  "To complete this operation, the management account must have an associated account in the AWS GovCloud (US-West) Region.";

/** Whether an account is paired with an AWS GovCloud (US) account. */
export async function isGovCloudEnabled(ctx: CallContext, accountId: string): Promise<boolean> {
  const row = await getAccountRow(ctx.tx, accountId);
  return row?.govcloud_enabled === 1;
}

/** A 12-digit id for the GovCloud twin, unused by any account and any earlier twin. */
async function unusedGovCloudAccountId(ctx: CallContext): Promise<string> {
  for (;;) {
    const id = newAccountId();
    if (id === ctx.settings.defaultAccount || (await getAccountRow(ctx.tx, id))) continue;
    const twin = await ctx.tx
      .selectFrom("create_account_status")
      .select("id")
      .where("gov_cloud_account_id", "=", id)
      .limit(1)
      .executeTakeFirst();
    if (!twin) return id;
  }
}

export const CreateGovCloudAccount = op(async (ctx, input: CreateGovCloudAccountRequest): Promise<CreateGovCloudAccountResponse> => {
  const org = await requireOrg(ctx);
  if (!(await isGovCloudEnabled(ctx, org.management_account_id))) {
    throw constraintViolation("MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED", NOT_GOVCLOUD_ENABLED_MESSAGE);
  }
  const request: CreateAccountRequest = {
    Email: input.Email,
    AccountName: input.AccountName,
    RoleName: input.RoleName,
    IamUserAccessToBilling: input.IamUserAccessToBilling,
    // AWS attaches the tags to the commercial account, not to the GovCloud one.
    Tags: input.Tags,
  };
  validateAccountCreationRequest(request);
  const status = await startAccountCreation(ctx, org, request, await unusedGovCloudAccountId(ctx));
  // As CreateAccount: answered IN_PROGRESS (DescribeCreateAccountStatus gives the outcome), or
  // with the outcome itself under --complete-async-immediately.
  return { CreateAccountStatus: creationAnswer(ctx, status) };
});
