/**
 * The primary contact information of an account. Putting it also marks the account as having
 * verified contact information, one of the things a standalone account needs (LeaveOrganization).
 */
import type {
  ContactInformation,
  GetContactInformationRequest,
  GetContactInformationResponse,
  PutContactInformationRequest,
} from "@aws-sdk/client-account";
import { op } from "../../context.js";
import type { AccountRow } from "../../org/repo.js";
import { resolveTarget } from "./access.js";
import { DocKind, readDoc, writeDoc } from "./account-docs.js";
import { accountErrors } from "./errors.js";

/**
 * What an account that signed up on its own (or joined by invitation) shows when orgsim holds no
 * document for it: on AWS such an account always has contact information from its sign-up.
 */
export function defaultContactInformation(row: AccountRow): ContactInformation {
  return {
    FullName: row.name.slice(0, 50),
    AddressLine1: "410 Terry Ave N",
    City: "Seattle",
    StateOrRegion: "WA",
    PostalCode: "98109",
    CountryCode: "US",
    PhoneNumber: "+1 206-555-0100",
  };
}

export const GetContactInformation = op(async (ctx, input: GetContactInformationRequest): Promise<GetContactInformationResponse> => {
  const target = await resolveTarget(ctx, input.AccountId);
  // The readiness flag is the truth: an account without verified contact information has none to show.
  if (target.contact_info !== 1) throw accountErrors.contactInformationNotFound();
  const stored = await readDoc<ContactInformation>(ctx.tx, target.id, DocKind.contact);
  return { ContactInformation: stored ?? defaultContactInformation(target) };
});

export const PutContactInformation = op(async (ctx, input: PutContactInformationRequest): Promise<Record<string, never>> => {
  const target = await resolveTarget(ctx, input.AccountId);
  const c = input.ContactInformation!;
  const doc: ContactInformation = {
    FullName: c.FullName,
    AddressLine1: c.AddressLine1,
    AddressLine2: c.AddressLine2,
    AddressLine3: c.AddressLine3,
    City: c.City,
    StateOrRegion: c.StateOrRegion,
    DistrictOrCounty: c.DistrictOrCounty,
    PostalCode: c.PostalCode,
    CountryCode: c.CountryCode,
    PhoneNumber: c.PhoneNumber,
    CompanyName: c.CompanyName,
    WebsiteUrl: c.WebsiteUrl,
  };
  await writeDoc(ctx.tx, target.id, DocKind.contact, doc);
  await ctx.tx.updateTable("accounts").set({ contact_info: 1 }).where("id", "=", target.id).execute();
  return {};
});
