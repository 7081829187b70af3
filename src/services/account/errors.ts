/**
 * The Account API's exceptions (restJson1: `x-amzn-ErrorType` header, `message` in the body).
 * Each status matches the error shape's httpStatusCode in model/account-2021-02-01.json.
 * Messages are AWS's own where one was seen (docs/research/aws-messages.md), otherwise plain
 * wording in AWS's style (marked "orgsim wording").
 */
import { AwsError } from "../../protocol/errors.js";

export type ValidationReason = "invalidRegionOptTarget" | "fieldValidationFailed";

export const accountErrors = {
  /** Seen on AWS (403): `User: <arn> is not authorized to perform: account:<Action>`. */
  accessDenied: (principalArn: string, operation: string, detail?: string) =>
    new AwsError("AccessDeniedException", `User: ${principalArn} is not authorized to perform: account:${operation}`, {
      status: 403,
      detail,
    }),

  /** Seen on AWS, space before the semicolon included. */
  managementOwnAccountId: () =>
    new AwsError(
      "ValidationException",
      "The management account can't specify its own AccountId ; it must call the operation in standalone context by not including the AccountId parameter.",
      { status: 400 },
    ),

  validation: (message: string, reason?: ValidationReason, field?: { name: string; message: string }) =>
    new AwsError("ValidationException", message, {
      status: 400,
      fields: { reason, fieldList: field ? [{ name: field.name, message: field.message }] : undefined },
    }),

  /** Seen on AWS (GetAlternateContact before any PutAlternateContact of that type). */
  alternateContactNotFound: () =>
    new AwsError("ResourceNotFoundException", "No contact of the inputted alternate contact type found.", { status: 404 }),

  /** orgsim wording. */
  contactInformationNotFound: () =>
    new AwsError("ResourceNotFoundException", "No contact information found for this account.", { status: 404 }),

  /** orgsim wording. */
  govCloudAccountNotFound: () =>
    new AwsError("ResourceNotFoundException", "No GovCloud account is linked to the specified account.", { status: 404 }),

  /** orgsim wording. */
  noPendingPrimaryEmailUpdate: () =>
    new AwsError("ResourceNotFoundException", "No pending primary email update was found for the specified account.", { status: 404 }),

  /** orgsim wording; AWS documents ConflictException for these cases. */
  conflict: (message: string) => new AwsError("ConflictException", message, { status: 409 }),
};
