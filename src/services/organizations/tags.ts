/** The tag operations: TagResource, UntagResource, ListTagsForResource (the tag store is src/org/tags.ts). */
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  Tag,
  TagResourceRequest,
  UntagResourceRequest,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import { putTags } from "../../org/tags.js";
import { errors } from "../../org/errors.js";
import { getAccountRow, isVisible, requireOrg, type OrgRow } from "../../org/repo.js";
import { pages } from "./pages.js";
import { isOrganizationResourcePolicy } from "./resource-policy.js";
import { isTransferOfOrganization } from "./transfers.js";

/** The resource must belong to the caller's organization: an account, its root, an OU or a policy. */
async function requireTaggable(ctx: CallContext, org: OrgRow, resourceId: string): Promise<void> {
  const tx = ctx.tx;
  let found = false;
  if (/^\d{12}$/.test(resourceId)) {
    const row = await getAccountRow(tx, resourceId);
    found = row !== undefined && row.org_id === org.id && isVisible(row, ctx.now);
  } else if (resourceId.startsWith("r-")) {
    found =
      (await tx.selectFrom("roots").select("id").where("id", "=", resourceId).where("org_id", "=", org.id).executeTakeFirst()) !==
      undefined;
  } else if (resourceId.startsWith("ou-")) {
    found =
      (await tx.selectFrom("ous").select("id").where("id", "=", resourceId).where("org_id", "=", org.id).executeTakeFirst()) !== undefined;
  } else if (resourceId.startsWith("rp-")) {
    found = await isOrganizationResourcePolicy(ctx, org, resourceId);
  } else if (resourceId.startsWith("rt-")) {
    found = await isTransferOfOrganization(ctx, org, resourceId);
  } else if (resourceId.startsWith("p-")) {
    const policy = await tx.selectFrom("policies").select(["org_id", "aws_managed"]).where("id", "=", resourceId).executeTakeFirst();
    found = policy !== undefined && policy.org_id === org.id;
  }
  if (!found) throw errors.targetNotFound();
}

export const TagResource = op(async (ctx, input: TagResourceRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  await requireTaggable(ctx, org, input.ResourceId!);
  await putTags(ctx, input.ResourceId!, input.Tags ?? []);
  return {};
});

export const UntagResource = op(async (ctx, input: UntagResourceRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  await requireTaggable(ctx, org, input.ResourceId!);
  const keys = input.TagKeys ?? [];
  if (keys.length > 0) await ctx.tx.deleteFrom("tags").where("resource_id", "=", input.ResourceId!).where("key", "in", keys).execute();
  return {};
});

export const ListTagsForResource = op(async (ctx, input: ListTagsForResourceRequest): Promise<ListTagsForResourceResponse> => {
  const org = await requireOrg(ctx);
  await requireTaggable(ctx, org, input.ResourceId!);
  const page = await pages.paginate(
    ctx,
    input.ResourceId!,
    { NextToken: input.NextToken, MaxResults: 50 },
    pages.keyset(ctx.tx.selectFrom("tags").selectAll().where("resource_id", "=", input.ResourceId!)),
    (t): Tag => ({ Key: t.key, Value: t.value }),
  );
  return { Tags: page.items, NextToken: page.NextToken };
});
