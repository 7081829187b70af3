/** Alternate contacts of an account: one each for BILLING, OPERATIONS and SECURITY. */
import type {
  AlternateContact,
  DeleteAlternateContactRequest,
  GetAlternateContactRequest,
  GetAlternateContactResponse,
  PutAlternateContactRequest,
} from "@aws-sdk/client-account";
import { op } from "../../context.js";
import { resolveTarget } from "./access.js";
import { DocKind, deleteDoc, readDoc, writeDoc } from "./account-docs.js";
import { accountErrors } from "./errors.js";

export const PutAlternateContact = op(async (ctx, input: PutAlternateContactRequest): Promise<Record<string, never>> => {
  const target = await resolveTarget(ctx, input.AccountId);
  const type = input.AlternateContactType!;
  const doc: AlternateContact = {
    Name: input.Name,
    Title: input.Title,
    EmailAddress: input.EmailAddress,
    PhoneNumber: input.PhoneNumber,
    AlternateContactType: type,
  };
  await writeDoc(ctx.tx, target.id, DocKind.alternateContact(type), doc);
  return {};
});

export const GetAlternateContact = op(async (ctx, input: GetAlternateContactRequest): Promise<GetAlternateContactResponse> => {
  const target = await resolveTarget(ctx, input.AccountId);
  const doc = await readDoc<AlternateContact>(ctx.tx, target.id, DocKind.alternateContact(input.AlternateContactType!));
  if (!doc) throw accountErrors.alternateContactNotFound();
  return { AlternateContact: doc };
});

export const DeleteAlternateContact = op(async (ctx, input: DeleteAlternateContactRequest): Promise<Record<string, never>> => {
  const target = await resolveTarget(ctx, input.AccountId);
  if (!(await deleteDoc(ctx.tx, target.id, DocKind.alternateContact(input.AlternateContactType!)))) {
    throw accountErrors.alternateContactNotFound();
  }
  return {};
});
