/** The account's own facts: name, creation date, state, and its GovCloud twin if it has one. */
import { createHash } from "node:crypto";
import type {
  AccountState,
  GetAccountInformationRequest,
  GetAccountInformationResponse,
  GetGovCloudAccountInformationRequest,
  GetGovCloudAccountInformationResponse,
  PutAccountNameRequest,
} from "@aws-sdk/client-account";
import { op, type CallContext } from "../../context.js";
import { accountStatus, type AccountRow } from "../../org/repo.js";
import { resolveTarget } from "./access.js";
import { accountErrors } from "./errors.js";

/**
 * The Account API's AccountState of an account. Organizations' PENDING_CLOSURE has no
 * counterpart in the Account API's enum; the account still works then, so it reads ACTIVE.
 */
export function accountState(ctx: CallContext, row: AccountRow): AccountState {
  const { State } = accountStatus(row, ctx.now, ctx.settings.closeAccountDelaySeconds * 1000);
  switch (State) {
    case "SUSPENDED":
      return "SUSPENDED";
    case "CLOSED":
      return "CLOSED";
    default:
      return "ACTIVE";
  }
}

export const PutAccountName = op(async (ctx, input: PutAccountNameRequest): Promise<Record<string, never>> => {
  const target = await resolveTarget(ctx, input.AccountId);
  await ctx.tx.updateTable("accounts").set({ name: input.AccountName! }).where("id", "=", target.id).execute();
  return {};
});

export const GetAccountInformation = op(async (ctx, input: GetAccountInformationRequest): Promise<GetAccountInformationResponse> => {
  const target = await resolveTarget(ctx, input.AccountId);
  return {
    AccountId: target.id,
    AccountName: target.name,
    AccountCreatedDate: new Date(target.created_at),
    AccountState: accountState(ctx, target),
  };
});

/** The GovCloud twin's id: the one CreateGovCloudAccount reported, else one derived from the account's id. */
async function govCloudAccountId(ctx: CallContext, row: AccountRow): Promise<string> {
  const status = await ctx.tx
    .selectFrom("create_account_status")
    .select("gov_cloud_account_id")
    .where("account_id", "=", row.id)
    .where("gov_cloud_account_id", "is not", null)
    .orderBy("requested_at", "desc")
    .executeTakeFirst();
  if (status?.gov_cloud_account_id) return status.gov_cloud_account_id;
  const digits = BigInt(`0x${createHash("sha256").update(`govcloud/${row.id}`).digest("hex").slice(0, 15)}`) % 10n ** 12n;
  return digits.toString().padStart(12, "0");
}

export const GetGovCloudAccountInformation = op(
  async (ctx, input: GetGovCloudAccountInformationRequest): Promise<GetGovCloudAccountInformationResponse> => {
    const target = await resolveTarget(ctx, input.StandardAccountId);
    if (target.govcloud_enabled !== 1) throw accountErrors.govCloudAccountNotFound();
    return { GovCloudAccountId: await govCloudAccountId(ctx, target), AccountState: accountState(ctx, target) };
  },
);
