/** The organization itself: create, describe, delete, and its root. */
import type {
  CreateOrganizationRequest,
  CreateOrganizationResponse,
  DescribeOrganizationResponse,
  ListRootsRequest,
  ListRootsResponse,
} from "@aws-sdk/client-organizations";
import { op } from "../../context.js";
import { arns, newOrganizationId, newRootId } from "../../org/ids.js";
import { errors, constraintViolation } from "../../org/errors.js";
import { ensureAccount, getRoot, membership, requireManagement, requireOrg, toOrganization, toRoot, type OrgRow } from "../../org/repo.js";
import { recordEvent } from "../../org/events.js";
import { pages } from "./pages.js";
import { hasActiveResponsibilityTransfer } from "./transfers.js";

/** The API Reference's descriptions of the reasons (B in docs/research/aws-messages.md). */
const MESSAGES = {
  paymentInstrumentRequired:
    "To create an organization with this management account, you first must associate a valid payment instrument, such as a credit card, with the account.",
  billingModeUnsupportedRegion: "To create an organization in the specified region, you must enable all features mode.",
} as const;

export const CreateOrganization = op(async (ctx, input: CreateOrganizationRequest): Promise<CreateOrganizationResponse> => {
  const { org: existing } = await membership(ctx);
  if (existing) throw errors.alreadyInOrganization();
  const account = await ensureAccount(ctx.tx, ctx.principal.accountId, ctx.now);
  if (account.org_id) throw errors.alreadyInOrganization();
  // The management account pays the organization's bill, so it needs a payment method first.
  if (!account.payment_method) throw constraintViolation("MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED", MESSAGES.paymentInstrumentRequired);
  // AWS GovCloud (US) has no consolidated-billing-only organizations.
  if (input.FeatureSet === "CONSOLIDATED_BILLING" && ctx.partition === "aws-us-gov") {
    throw constraintViolation("CREATE_ORGANIZATION_IN_BILLING_MODE_UNSUPPORTED_REGION", MESSAGES.billingModeUnsupportedRegion);
  }
  const id = newOrganizationId();
  const mgmt = ctx.principal.accountId;
  const org: OrgRow = {
    id,
    arn: arns.organization(ctx.partition, mgmt, id),
    feature_set: input.FeatureSet ?? "ALL",
    management_account_id: mgmt,
    partition: ctx.partition,
    created_at: ctx.now,
    policy_version: 1,
  };
  await ctx.tx.insertInto("organizations").values(org).execute();
  const rootId = newRootId();
  await ctx.tx
    .insertInto("roots")
    .values({ id: rootId, org_id: id, arn: arns.root(ctx.partition, mgmt, id, rootId), name: "Root", policy_types: "[]" })
    .execute();
  await ctx.tx
    .updateTable("accounts")
    .set({ org_id: id, parent_id: rootId, joined_method: "INVITED", joined_at: ctx.now, created_by_org_id: null })
    .where("id", "=", mgmt)
    .execute();
  ctx.scratch.membership = undefined;
  await recordEvent(ctx, id, "CreateOrganization", { featureSet: org.feature_set });
  return { Organization: await toOrganization(ctx.tx, org) };
});

export const DescribeOrganization = op(async (ctx): Promise<DescribeOrganizationResponse> => {
  const org = await requireOrg(ctx);
  return { Organization: await toOrganization(ctx.tx, org) };
});

export const DeleteOrganization = op(async (ctx): Promise<Record<string, never>> => {
  const org = await requireManagement(ctx);
  const others = await ctx.tx
    .selectFrom("accounts")
    .select("id")
    .where("org_id", "=", org.id)
    .where("id", "!=", org.management_account_id)
    .limit(1)
    .execute();
  if (others.length > 0) throw errors.organizationNotEmpty();
  if (await hasActiveResponsibilityTransfer(ctx, org)) {
    throw constraintViolation(
      "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS",
      "You cannot delete organization due to an ongoing responsibility transfer process. For example, a pending invitation or an in-progress transfer. To delete the organization, you must resolve the current transfer process.",
    );
  }
  const tx = ctx.tx;
  const owned = [
    ...(await tx.selectFrom("roots").select("id").where("org_id", "=", org.id).execute()),
    ...(await tx.selectFrom("ous").select("id").where("org_id", "=", org.id).execute()),
    ...(await tx.selectFrom("policies").select("id").where("org_id", "=", org.id).execute()),
  ].map((r) => r.id);
  if (owned.length > 0) await tx.deleteFrom("tags").where("resource_id", "in", owned).execute();
  await tx.deleteFrom("tags").where("resource_id", "=", org.management_account_id).execute();
  for (const table of [
    "roots",
    "ous",
    "policies",
    "policy_targets",
    "service_access",
    "delegated_admins",
    "handshakes",
    "handshake_closures",
    "create_account_status",
    "resource_policies",
  ] as const) {
    await tx.deleteFrom(table).where("org_id", "=", org.id).execute();
  }
  await tx
    .updateTable("accounts")
    .set({ org_id: null, parent_id: null, joined_method: null, joined_at: null, created_by_org_id: null })
    .where("id", "=", org.management_account_id)
    .execute();
  await tx.deleteFrom("organizations").where("id", "=", org.id).execute();
  await recordEvent(ctx, org.id, "DeleteOrganization", {});
  return {};
});

export const ListRoots = op(async (ctx, input: ListRootsRequest): Promise<ListRootsResponse> => {
  const org = await requireOrg(ctx);
  const root = await getRoot(ctx.tx, org.id);
  const page = await pages.paginate(
    ctx,
    org.id,
    input,
    { fetch: async (after) => (after === undefined ? [root] : []), keyOf: (r) => r.id },
    (r) => toRoot(org, r),
  );
  return { Roots: page.items, NextToken: page.NextToken };
});
