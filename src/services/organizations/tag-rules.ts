/**
 * What AWS requires of the tags in a request, whatever operation carries them (TagResource, and the
 * Tags of CreateAccount, CreateGovCloudAccount, CreateOrganizationalUnit, CreatePolicy,
 * InviteAccountToOrganization, ...): one invalid tag fails the whole request, before anything is
 * created or sent. Pure checks, so that every module can use them without importing the tag store.
 */
import type { Tag } from "@aws-sdk/client-organizations";
import { constraintViolation, invalidInput } from "../../org/errors.js";

/** Tags one resource may hold. */
export const MAX_TAGS_PER_RESOURCE = 50;

/** Keys that start with "aws:" are AWS's own; a request may not repeat a key. */
export function validateTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.Key!.toLowerCase().startsWith("aws:")) {
      throw invalidInput("INVALID_SYSTEM_TAGS_PARAMETER", `Tag keys can't start with "aws:" (${tag.Key}); that prefix is reserved for AWS.`);
    }
    if (seen.has(tag.Key!)) throw invalidInput("DUPLICATE_TAG_KEY", `The tag key ${tag.Key} appears more than once in the request.`);
    seen.add(tag.Key!);
  }
}

/** The tag limit, for a resource that would hold `keys` distinct keys. */
export function checkTagCount(resource: string, keys: number): void {
  if (keys > MAX_TAGS_PER_RESOURCE) {
    throw constraintViolation("MAX_TAG_LIMIT_EXCEEDED", `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags; this request would give ${resource} ${keys}.`);
  }
}

/** The tags a request gives a resource it creates (or will create, as an invitation's tags on acceptance). */
export function validateTagsForNewResource(tags: readonly Tag[] | undefined, resource: string): void {
  if (!tags || tags.length === 0) return;
  validateTags(tags);
  checkTagCount(resource, tags.length);
}
