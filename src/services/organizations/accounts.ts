/** Member accounts: creation, description, listing, closing, removal. */
import type {
  CloseAccountRequest,
  CreateAccountRequest,
  CreateAccountResponse,
  CreateAccountStatus,
  DescribeAccountRequest,
  DescribeAccountResponse,
  DescribeCreateAccountStatusRequest,
  DescribeCreateAccountStatusResponse,
  ListAccountsRequest,
  ListAccountsResponse,
  ListCreateAccountStatusRequest,
  ListCreateAccountStatusResponse,
  RemoveAccountFromOrganizationRequest,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import type { CreateAccountStatusTable } from "../../store/schema.js";
import { quotas } from "../../quotas.js";
import { hotInsert, hotQuery } from "../../store/hot.js";
import { newAccountId, newCreateAccountRequestId } from "../../org/ids.js";
import { errors, constraintViolation, invalidInput } from "../../org/errors.js";
import { DAY_MS, getAccountRow, getMemberAccount, isVisible, requireOrg, toAccount, type AccountRow, type OrgRow } from "../../org/repo.js";
import { departOrganization, joinOrganization } from "../../org/membership.js";
import { recordEvent } from "../../org/events.js";
import { pages } from "./pages.js";
import { seqKey } from "../../paginate.js";
import { nextSeq } from "../../store/sequence.js";
import { checkDeparture } from "../../org/departure.js";
import { validateTagsForNewResource } from "../../org/tags.js";
import { ACCOUNT_LIMIT_MESSAGE, accountQuotaReached, DEFAULT_ROLE_NAME, isValidAccountEmail } from "../../org/accounts.js";

/** IAM keeps role names with this prefix for service-linked roles. */
export const RESERVED_ROLE_PREFIX = "AWSServiceRoleFor";

/**
 * The request checks CreateAccount and CreateGovCloudAccount share, before anything is created:
 * the role name must not take IAM's reserved prefix, and one invalid tag fails the whole request.
 */
export function validateAccountCreationRequest(input: CreateAccountRequest): void {
  if (input.RoleName?.startsWith(RESERVED_ROLE_PREFIX)) {
    throw invalidInput(
      "INVALID_ROLE_NAME",
      `You provided a role name that isn't valid. A role name can't begin with the reserved prefix ${RESERVED_ROLE_PREFIX}.`,
    );
  }
  validateTagsForNewResource(input.Tags, "the new account");
}

export function toCreateStatus(ctx: CallContext, row: CreateAccountStatusTable): CreateAccountStatus {
  const done = ctx.now >= row.completed_at;
  return {
    Id: row.id,
    AccountName: row.account_name,
    State: (done ? row.state : "IN_PROGRESS") as CreateAccountStatus["State"],
    RequestedTimestamp: new Date(row.requested_at),
    CompletedTimestamp: done ? new Date(row.completed_at) : undefined,
    AccountId: done && row.account_id ? row.account_id : undefined,
    GovCloudAccountId: done && row.gov_cloud_account_id ? row.gov_cloud_account_id : undefined,
    FailureReason: done && row.failure_reason ? (row.failure_reason as CreateAccountStatus["FailureReason"]) : undefined,
  };
}

async function unusedAccountId(ctx: CallContext): Promise<string> {
  for (;;) {
    const id = newAccountId();
    if (!(await getAccountRow(ctx.tx, id)) && id !== ctx.settings.defaultAccount) return id;
  }
}

async function emailTaken(ctx: CallContext, email: string): Promise<boolean> {
  const rows = await hotQuery(ctx.tx, "account-by-email", [email, 1], (t) =>
    t.selectFrom("accounts").select("id").where("email", "=", email).limit(1),
  );
  return rows.length > 0;
}

/** Starts an account creation; shared by CreateAccount and CreateGovCloudAccount. */
export async function startAccountCreation(
  ctx: CallContext,
  org: OrgRow,
  input: CreateAccountRequest,
  govCloudAccountId?: string,
): Promise<CreateAccountStatusTable> {
  const requestedAt = ctx.now;
  const completedAt = requestedAt + ctx.settings.createAccountDelaySeconds * 1000;
  const status: CreateAccountStatusTable = {
    id: newCreateAccountRequestId(),
    org_id: org.id,
    account_name: input.AccountName!,
    email: input.Email!,
    requested_at: requestedAt,
    completed_at: completedAt,
    state: "SUCCEEDED",
    failure_reason: null,
    account_id: null,
    gov_cloud_account_id: govCloudAccountId ?? null,
    seq: await nextSeq(ctx.tx),
  };
  const failure = !isValidAccountEmail(input.Email!)
    ? "INVALID_EMAIL"
    : (await emailTaken(ctx, input.Email!))
      ? "EMAIL_ALREADY_EXISTS"
      : undefined;
  if (failure !== undefined) {
    status.state = "FAILED";
    status.failure_reason = failure;
    status.gov_cloud_account_id = null;
  } else {
    const id = await unusedAccountId(ctx);
    status.account_id = id;
    const row: AccountRow = {
      id,
      org_id: null,
      parent_id: null,
      email: input.Email!,
      name: input.AccountName!,
      joined_method: null,
      joined_at: null,
      created_at: completedAt,
      created_by_org_id: null,
      // AWS collects none of what a standalone account needs for accounts it creates.
      support_plan: 0,
      contact_info: 0,
      payment_method: 0,
      closed_at: null,
      govcloud_enabled: govCloudAccountId ? 1 : 0,
      seq: await nextSeq(ctx.tx),
    };
    await hotInsert(ctx.tx, "accounts", row);
    await joinOrganization(ctx, org, row, {
      method: "CREATED",
      joinedAt: completedAt,
      tags: input.Tags as { Key: string; Value: string }[],
    });
    await hotInsert(ctx.tx, "roles", { account_id: id, role_name: input.RoleName ?? DEFAULT_ROLE_NAME, created_at: completedAt });
  }
  await hotInsert(ctx.tx, "create_account_status", status);
  await recordEvent(ctx, org.id, "CreateAccount", { createAccountRequestId: status.id, accountName: status.account_name });
  await recordEvent(ctx, org.id, "CreateAccountResult", {
    createAccountRequestId: status.id,
    state: status.state,
    accountId: status.account_id,
    failureReason: status.failure_reason,
  });
  return status;
}

/**
 * What CreateAccount and CreateGovCloudAccount answer. AWS answers every creation request
 * IN_PROGRESS, and the outcome is read with DescribeCreateAccountStatus; with
 * --complete-async-immediately the creation has completed (no delay) and the answer is that
 * outcome, exactly as DescribeCreateAccountStatus shows it.
 */
export function creationAnswer(ctx: CallContext, status: CreateAccountStatusTable): CreateAccountStatus {
  if (ctx.settings.completeAsyncImmediately) return toCreateStatus(ctx, status);
  return { Id: status.id, AccountName: status.account_name, State: "IN_PROGRESS", RequestedTimestamp: new Date(status.requested_at) };
}

export const CreateAccount = op(async (ctx, input: CreateAccountRequest): Promise<CreateAccountResponse> => {
  const org = await requireOrg(ctx);
  validateAccountCreationRequest(input);
  if (await accountQuotaReached(ctx, org)) throw constraintViolation("ACCOUNT_NUMBER_LIMIT_EXCEEDED", ACCOUNT_LIMIT_MESSAGE);
  const status = await startAccountCreation(ctx, org, input);
  return { CreateAccountStatus: creationAnswer(ctx, status) };
});

export const DescribeCreateAccountStatus = op(
  async (ctx, input: DescribeCreateAccountStatusRequest): Promise<DescribeCreateAccountStatusResponse> => {
    const org = await requireOrg(ctx);
    const row = await ctx.tx
      .selectFrom("create_account_status")
      .selectAll()
      .where("id", "=", input.CreateAccountRequestId!)
      .where("org_id", "=", org.id)
      .executeTakeFirst();
    if (!row) throw errors.createAccountStatusNotFound();
    return { CreateAccountStatus: toCreateStatus(ctx, row) };
  },
);

export const ListCreateAccountStatus = op(async (ctx, input: ListCreateAccountStatusRequest): Promise<ListCreateAccountStatusResponse> => {
  const org = await requireOrg(ctx);
  const states = input.States && input.States.length > 0 ? new Set<string>(input.States) : undefined;
  const page = await pages.paginate(
    ctx,
    `${org.id}:${[...(states ?? [])].sort().join(",")}`,
    input,
    pages.keyset(ctx.tx.selectFrom("create_account_status").selectAll().where("org_id", "=", org.id)),
    (r) => {
      const status = toCreateStatus(ctx, r);
      return !states || states.has(status.State!) ? status : undefined;
    },
  );
  return { CreateAccountStatuses: page.items, NextToken: page.NextToken };
});

export const DescribeAccount = op(async (ctx, input: DescribeAccountRequest): Promise<DescribeAccountResponse> => {
  const org = await requireOrg(ctx);
  const row = await getMemberAccount(ctx, org, input.AccountId!);
  return { Account: toAccount(ctx, org, row) };
});

export const ListAccounts = op(async (ctx, input: ListAccountsRequest): Promise<ListAccountsResponse> => {
  const org = await requireOrg(ctx);
  const page = await pages.paginate(
    ctx,
    org.id,
    input,
    // The most frequent list of all (Terraform and account vending page through it): compiled once.
    {
      fetch: (after, limit) => {
        const from = pages.seqAfter(after);
        return from === undefined
          ? hotQuery(ctx.tx, "accounts-first-page", [org.id, limit], (t) =>
              t.selectFrom("accounts").selectAll().where("org_id", "=", org.id).orderBy("seq").limit(limit),
            )
          : hotQuery(ctx.tx, "accounts-next-page", [org.id, from, limit], (t) =>
              t.selectFrom("accounts").selectAll().where("org_id", "=", org.id).where("seq", ">", from).orderBy("seq").limit(limit),
            );
      },
      keyOf: seqKey,
    },
    (r) => (isVisible(r, ctx.now) ? toAccount(ctx, org, r) : undefined),
  );
  return { Accounts: page.items, NextToken: page.NextToken };
});

/** AWS lets an organization close a share of its member accounts in a rolling 30 days, within a floor and a ceiling. */
async function checkCloseQuota(ctx: CallContext, org: OrgRow): Promise<void> {
  const q = await quotas(ctx);
  const members = await ctx.tx
    .selectFrom("accounts")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("org_id", "=", org.id)
    .where("id", "!=", org.management_account_id)
    .executeTakeFirstOrThrow();
  const closed = await ctx.tx
    .selectFrom("accounts")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("org_id", "=", org.id)
    .where("closed_at", ">", ctx.now - 30 * DAY_MS)
    .executeTakeFirstOrThrow();
  const allowed = Math.min(q.closeAccountMax, Math.max(q.closeAccountMin, Math.floor(q.closeAccountShare * Number(members.n))));
  if (Number(closed.n) >= allowed) {
    throw constraintViolation("CLOSE_ACCOUNT_QUOTA_EXCEEDED", "You have exceeded close account quota for the past 30 days.");
  }
}

export const CloseAccount = op(async (ctx, input: CloseAccountRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  // AWS closes member accounts through Organizations only in an organization with all features.
  if (org.feature_set !== "ALL") throw errors.notInAllFeaturesMode();
  const row = await getMemberAccount(ctx, org, input.AccountId!);
  if (row.id === org.management_account_id) {
    throw constraintViolation(
      "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
      "You can't close the management account with this operation. To close it, use the account console or delete the organization first.",
    );
  }
  if (row.closed_at !== null) throw errors.accountAlreadyClosed();
  await checkCloseQuota(ctx, org);
  await ctx.tx.updateTable("accounts").set({ closed_at: ctx.now }).where("id", "=", row.id).execute();
  await recordEvent(ctx, org.id, "CloseAccount", { accountId: row.id });
  return {};
});

export const RemoveAccountFromOrganization = op(
  async (ctx, input: RemoveAccountFromOrganizationRequest): Promise<Record<string, never>> => {
    const org = await requireOrg(ctx);
    const row = await getMemberAccount(ctx, org, input.AccountId!);
    if (row.id === org.management_account_id) throw errors.masterCannotLeave();
    await checkDeparture(ctx, org, row);
    await departOrganization(ctx, org, row, "REMOVED");
    return {};
  },
);
