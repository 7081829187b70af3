/**
 * The organizational-unit tree under the root, and where each account sits in it.
 *
 * Every root, OU and account named in a request must belong to the caller's organization;
 * another organization's ids are reported as not found, never as existing.
 */
import { quotas } from "../../quotas.js";
import type {
  Child,
  CreateOrganizationalUnitRequest,
  CreateOrganizationalUnitResponse,
  DeleteOrganizationalUnitRequest,
  DescribeOrganizationalUnitRequest,
  DescribeOrganizationalUnitResponse,
  ListAccountsForParentRequest,
  ListAccountsForParentResponse,
  ListChildrenRequest,
  ListChildrenResponse,
  ListOrganizationalUnitsForParentRequest,
  ListOrganizationalUnitsForParentResponse,
  ListParentsRequest,
  ListParentsResponse,
  MoveAccountRequest,
  OrganizationalUnit,
  Parent,
  Tag,
  UpdateOrganizationalUnitRequest,
  UpdateOrganizationalUnitResponse,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import type { OuTable } from "../../store/schema.js";
import type { AwsError } from "../../protocol/errors.js";
import { arns, newOuId } from "../../org/ids.js";
import { errors, constraintViolation } from "../../org/errors.js";
import {
  bumpPolicyVersion,
  getAccountRow,
  getMemberAccount,
  getRoot,
  isVisible,
  requireOrg,
  toAccount,
  type AccountRow,
  type OrgRow,
  type RootRow,
} from "../../org/repo.js";
import { attachDefaultPolicies } from "../../org/membership.js";
import { recordEvent } from "../../org/events.js";
import { pages } from "./pages.js";
import { nextSeq } from "../../store/sequence.js";
import { putTags } from "../../org/tags.js";

export type OuRow = OuTable;

/** OUs can nest this many levels below the root (the limit AWS sets with SCPs in mind). */
export const MAX_OU_DEPTH = 5;

/** A root or an OU of the caller's organization, with the ids from the root down to it (inclusive). */
export type Container =
  { type: "ROOT"; id: string; root: RootRow; chain: string[] } | { type: "ORGANIZATIONAL_UNIT"; id: string; ou: OuRow; chain: string[] };

async function getOu(ctx: CallContext, org: OrgRow, id: string): Promise<OuRow | undefined> {
  return ctx.tx.selectFrom("ous").selectAll().where("id", "=", id).where("org_id", "=", org.id).executeTakeFirst();
}

/**
 * The ids from the root down to `ouId` (inclusive): [root, ou1, ..., ouId]. Walks parent links;
 * a cycle or a dangling link (never made by these operations) ends the walk.
 */
async function chainOf(ctx: CallContext, org: OrgRow, ou: OuRow): Promise<string[]> {
  const chain = [ou.id];
  const seen = new Set(chain);
  let parentId = ou.parent_id;
  while (parentId.startsWith("ou-") && !seen.has(parentId)) {
    const parent = await getOu(ctx, org, parentId);
    if (!parent) break;
    chain.unshift(parent.id);
    seen.add(parent.id);
    parentId = parent.parent_id;
  }
  chain.unshift(parentId);
  return chain;
}

/** The root or OU `id` of the caller's organization, or undefined. */
export async function findContainer(ctx: CallContext, org: OrgRow, id: string): Promise<Container | undefined> {
  if (id.startsWith("r-")) {
    const root = await getRoot(ctx.tx, org.id);
    return root.id === id ? { type: "ROOT", id, root, chain: [id] } : undefined;
  }
  if (id.startsWith("ou-")) {
    const ou = await getOu(ctx, org, id);
    return ou ? { type: "ORGANIZATIONAL_UNIT", id, ou, chain: await chainOf(ctx, org, ou) } : undefined;
  }
  return undefined;
}

async function requireContainer(ctx: CallContext, org: OrgRow, id: string, notFound: () => AwsError): Promise<Container> {
  const container = await findContainer(ctx, org, id);
  if (!container) throw notFound();
  return container;
}

/** How many OU levels a container is below the root (the root is 0). */
const depthOf = (container: Container): number => container.chain.length - 1;

/** The path AWS reports for an entity: `o-.../r-.../ou-.../.../<entity>/`. */
export const pathOf = (org: OrgRow, chain: string[]): string => `${org.id}/${chain.join("/")}/`;

function toOu(org: OrgRow, ou: OuRow, chain: string[]): OrganizationalUnit {
  return { Id: ou.id, Arn: ou.arn, Name: ou.name, Path: pathOf(org, chain) };
}

async function siblingNamed(ctx: CallContext, org: OrgRow, parentId: string, name: string, except?: string): Promise<boolean> {
  let q = ctx.tx.selectFrom("ous").select("id").where("org_id", "=", org.id).where("parent_id", "=", parentId).where("name", "=", name);
  if (except !== undefined) q = q.where("id", "!=", except);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

async function unusedOuId(ctx: CallContext, rootId: string): Promise<string> {
  for (;;) {
    const id = newOuId(rootId);
    const taken = await ctx.tx.selectFrom("ous").select("id").where("id", "=", id).executeTakeFirst();
    if (!taken) return id;
  }
}

async function requireOu(ctx: CallContext, org: OrgRow, id: string): Promise<OuRow> {
  const ou = await getOu(ctx, org, id);
  if (!ou) throw errors.ouNotFound();
  return ou;
}

export const CreateOrganizationalUnit = op(
  async (ctx, input: CreateOrganizationalUnitRequest): Promise<CreateOrganizationalUnitResponse> => {
    const org = await requireOrg(ctx);
    const parent = await requireContainer(ctx, org, input.ParentId!, errors.parentNotFound);
    const name = input.Name!;
    if (await siblingNamed(ctx, org, parent.id, name)) throw errors.duplicateOu();
    if (depthOf(parent) + 1 > MAX_OU_DEPTH) {
      throw constraintViolation("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep.");
    }
    const count = await ctx.tx
      .selectFrom("ous")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("org_id", "=", org.id)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= (await quotas(ctx)).ousPerOrganization) {
      throw constraintViolation(
        "OU_NUMBER_LIMIT_EXCEEDED",
        "You attempted to exceed the number of OUs that you can have in an organization.",
      );
    }
    const root = parent.type === "ROOT" ? parent.root : await getRoot(ctx.tx, org.id);
    const id = await unusedOuId(ctx, root.id);
    const row: OuRow = {
      id,
      org_id: org.id,
      parent_id: parent.id,
      name,
      arn: arns.ou(org.partition, org.management_account_id, org.id, id),
      created_at: ctx.now,
      seq: await nextSeq(ctx.tx),
    };
    await ctx.tx.insertInto("ous").values(row).execute();
    if (input.Tags && input.Tags.length > 0) await putTags(ctx, id, input.Tags as Tag[]);
    await attachDefaultPolicies(ctx, org, id, "ORGANIZATIONAL_UNIT");
    await bumpPolicyVersion(ctx.tx, org.id);
    await recordEvent(ctx, org.id, "CreateOrganizationalUnit", { organizationalUnitId: id, parentId: parent.id, name });
    return { OrganizationalUnit: toOu(org, row, [...parent.chain, id]) };
  },
);

export const UpdateOrganizationalUnit = op(
  async (ctx, input: UpdateOrganizationalUnitRequest): Promise<UpdateOrganizationalUnitResponse> => {
    const org = await requireOrg(ctx);
    const ou = await requireOu(ctx, org, input.OrganizationalUnitId!);
    let updated = ou;
    if (input.Name !== undefined && input.Name !== ou.name) {
      if (await siblingNamed(ctx, org, ou.parent_id, input.Name, ou.id)) throw errors.duplicateOu();
      await ctx.tx.updateTable("ous").set({ name: input.Name }).where("id", "=", ou.id).execute();
      updated = { ...ou, name: input.Name };
    }
    await recordEvent(ctx, org.id, "UpdateOrganizationalUnit", { organizationalUnitId: ou.id, name: updated.name });
    return { OrganizationalUnit: toOu(org, updated, await chainOf(ctx, org, updated)) };
  },
);

export const DeleteOrganizationalUnit = op(async (ctx, input: DeleteOrganizationalUnitRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  const ou = await requireOu(ctx, org, input.OrganizationalUnitId!);
  const childOu = await ctx.tx.selectFrom("ous").select("id").where("parent_id", "=", ou.id).limit(1).executeTakeFirst();
  // An account still being created already sits in its parent, so it counts too.
  const childAccount = await ctx.tx.selectFrom("accounts").select("id").where("parent_id", "=", ou.id).limit(1).executeTakeFirst();
  if (childOu || childAccount) throw errors.ouNotEmpty();
  await ctx.tx.deleteFrom("policy_targets").where("org_id", "=", org.id).where("target_id", "=", ou.id).execute();
  await ctx.tx.deleteFrom("tags").where("resource_id", "=", ou.id).execute();
  await ctx.tx.deleteFrom("ous").where("id", "=", ou.id).execute();
  await bumpPolicyVersion(ctx.tx, org.id);
  await recordEvent(ctx, org.id, "DeleteOrganizationalUnit", { organizationalUnitId: ou.id });
  return {};
});

export const DescribeOrganizationalUnit = op(
  async (ctx, input: DescribeOrganizationalUnitRequest): Promise<DescribeOrganizationalUnitResponse> => {
    const org = await requireOrg(ctx);
    const ou = await requireOu(ctx, org, input.OrganizationalUnitId!);
    return { OrganizationalUnit: toOu(org, ou, await chainOf(ctx, org, ou)) };
  },
);

async function ouPage(
  ctx: CallContext,
  org: OrgRow,
  parent: Container,
  scope: string,
  input: { NextToken?: string; MaxResults?: number },
): Promise<{ items: OuRow[]; NextToken?: string }> {
  return pages.paginate(
    ctx,
    scope,
    input,
    pages.keyset(ctx.tx.selectFrom("ous").selectAll().where("parent_id", "=", parent.id).where("org_id", "=", org.id)),
    (r) => r,
  );
}

async function accountPage<O>(
  ctx: CallContext,
  org: OrgRow,
  parent: Container,
  scope: string,
  input: { NextToken?: string; MaxResults?: number },
  map: (row: AccountRow) => O,
): Promise<{ items: O[]; NextToken?: string }> {
  return pages.paginate(
    ctx,
    scope,
    input,
    pages.keyset(ctx.tx.selectFrom("accounts").selectAll().where("parent_id", "=", parent.id).where("org_id", "=", org.id)),
    (r) => (isVisible(r, ctx.now) ? map(r) : undefined),
  );
}

export const ListOrganizationalUnitsForParent = op(
  async (ctx, input: ListOrganizationalUnitsForParentRequest): Promise<ListOrganizationalUnitsForParentResponse> => {
    const org = await requireOrg(ctx);
    const parent = await requireContainer(ctx, org, input.ParentId!, errors.parentNotFound);
    const page = await ouPage(ctx, org, parent, `${org.id}:${parent.id}`, input);
    return { OrganizationalUnits: page.items.map((ou) => toOu(org, ou, [...parent.chain, ou.id])), NextToken: page.NextToken };
  },
);

export const ListChildren = op(async (ctx, input: ListChildrenRequest): Promise<ListChildrenResponse> => {
  const org = await requireOrg(ctx);
  const parent = await requireContainer(ctx, org, input.ParentId!, errors.parentNotFound);
  const scope = `${org.id}:${parent.id}:${input.ChildType!}`;
  if (input.ChildType === "ORGANIZATIONAL_UNIT") {
    const page = await ouPage(ctx, org, parent, scope, input);
    return { Children: page.items.map((ou): Child => ({ Id: ou.id, Type: "ORGANIZATIONAL_UNIT" })), NextToken: page.NextToken };
  }
  const page = await accountPage(ctx, org, parent, scope, input, (row): Child => ({ Id: row.id, Type: "ACCOUNT" }));
  return { Children: page.items, NextToken: page.NextToken };
});

export const ListAccountsForParent = op(async (ctx, input: ListAccountsForParentRequest): Promise<ListAccountsForParentResponse> => {
  const org = await requireOrg(ctx);
  const parent = await requireContainer(ctx, org, input.ParentId!, errors.parentNotFound);
  const page = await accountPage(ctx, org, parent, `${org.id}:${parent.id}`, input, (row) => toAccount(ctx, org, row));
  return { Accounts: page.items, NextToken: page.NextToken };
});

export const ListParents = op(async (ctx, input: ListParentsRequest): Promise<ListParentsResponse> => {
  const org = await requireOrg(ctx);
  const childId = input.ChildId!;
  let parentId: string | null = null;
  if (/^\d{12}$/.test(childId)) {
    const account = await getAccountRow(ctx.tx, childId);
    if (account && account.org_id === org.id && isVisible(account, ctx.now)) parentId = account.parent_id;
  } else if (childId.startsWith("ou-")) {
    parentId = (await getOu(ctx, org, childId))?.parent_id ?? null;
  }
  if (parentId === null) throw errors.childNotFound();
  const parent: Parent = { Id: parentId, Type: parentId.startsWith("ou-") ? "ORGANIZATIONAL_UNIT" : "ROOT" };
  const page = await pages.paginate(
    ctx,
    `${org.id}:${childId}`,
    input,
    { fetch: async (after) => (after === undefined ? [parent] : []), keyOf: (p) => p.Id! },
    (p) => p,
  );
  return { Parents: page.items, NextToken: page.NextToken };
});

export const MoveAccount = op(async (ctx, input: MoveAccountRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  const account = await getMemberAccount(ctx, org, input.AccountId!);
  const source = await requireContainer(ctx, org, input.SourceParentId!, errors.sourceParentNotFound);
  const destination = await requireContainer(ctx, org, input.DestinationParentId!, errors.destinationParentNotFound);
  // The source must be where the account is now.
  if (account.parent_id !== source.id) throw errors.sourceParentNotFound();
  if (destination.id === account.parent_id) throw errors.duplicateAccount();
  await ctx.tx.updateTable("accounts").set({ parent_id: destination.id }).where("id", "=", account.id).execute();
  await bumpPolicyVersion(ctx.tx, org.id);
  await recordEvent(ctx, org.id, "MoveAccount", { accountId: account.id, sourceParentId: source.id, destinationParentId: destination.id });
  return {};
});
