/**
 * The tag store (tags on accounts, roots, OUs, policies, resource policies and transfers) and what
 * AWS requires of the tags in a request, whatever operation carries them (TagResource, and the
 * Tags of CreateAccount, CreateGovCloudAccount, CreateOrganizationalUnit, CreatePolicy,
 * InviteAccountToOrganization, ...): one invalid tag fails the whole request, before anything is
 * created or sent. The tag operations (TagResource and its kin) are in services/organizations/tags.ts.
 */
import type { Tag } from "@aws-sdk/client-organizations";
import type { CallContext } from "../context.js";
import { nextSeq } from "../store/sequence.js";
import { constraintViolation, invalidInput } from "./errors.js";

/** Tags one resource may hold. */
export const MAX_TAGS_PER_RESOURCE = 50;

/** Keys that start with "aws:" are AWS's own; a request may not repeat a key. */
export function validateTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.Key!.toLowerCase().startsWith("aws:")) {
      throw invalidInput(
        "INVALID_SYSTEM_TAGS_PARAMETER",
        `Tag keys can't start with "aws:" (${tag.Key}); that prefix is reserved for AWS.`,
      );
    }
    if (seen.has(tag.Key!)) throw invalidInput("DUPLICATE_TAG_KEY", `The tag key ${tag.Key} appears more than once in the request.`);
    seen.add(tag.Key!);
  }
}

/** The tag limit, for a resource that would hold `keys` distinct keys. */
export function checkTagCount(resource: string, keys: number): void {
  if (keys > MAX_TAGS_PER_RESOURCE) {
    throw constraintViolation(
      "MAX_TAG_LIMIT_EXCEEDED",
      `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags; this request would give ${resource} ${keys}.`,
    );
  }
}

/** The tags a request gives a resource it creates (or will create, as an invitation's tags on acceptance). */
export function validateTagsForNewResource(tags: readonly Tag[] | undefined, resource: string): void {
  if (!tags || tags.length === 0) return;
  validateTags(tags);
  checkTagCount(resource, tags.length);
}

/** Writes tags (replacing values of existing keys), keeping the per-resource limit. */
export async function putTags(ctx: CallContext, resourceId: string, tags: Tag[]): Promise<void> {
  validateTags(tags);
  const existing = await ctx.tx.selectFrom("tags").select("key").where("resource_id", "=", resourceId).execute();
  const keys = new Set(existing.map((t) => t.key));
  for (const tag of tags) keys.add(tag.Key!);
  checkTagCount(resourceId, keys.size);
  for (const tag of tags) {
    await ctx.tx
      .insertInto("tags")
      .values({ resource_id: resourceId, key: tag.Key!, value: tag.Value ?? "", seq: await nextSeq(ctx.tx) })
      // A key that is already there keeps its place in the list; only its value changes.
      .onConflict((oc) => oc.columns(["resource_id", "key"]).doUpdateSet({ value: tag.Value ?? "" }))
      .execute();
  }
}
