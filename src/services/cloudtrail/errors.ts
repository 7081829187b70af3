/**
 * CloudTrail's exceptions, by the error shapes of model/cloudtrail-2013-11-01.json. None of
 * them declares an httpStatusCode, so each is HTTP 400, as awsJson1.1 defaults. AWS's exact
 * messages for these were not found, so every message here is orgsim wording.
 */
import { AwsError } from "../../protocol/errors.js";
import type { Violation } from "../../protocol/validate.js";
import { describeViolation, serializationError } from "../../protocol/violations.js";

const e = (code: string, message: string) => new AwsError(code, message);

export const MAX_LOOKUP_ATTRIBUTES = 1;

export const cloudtrailErrors = {
  invalidLookupAttributes: (message: string) => e("InvalidLookupAttributesException", message),
  tooManyLookupAttributes: (count: number) =>
    e(
      "InvalidLookupAttributesException",
      `You can specify at most ${MAX_LOOKUP_ATTRIBUTES} lookup attribute per request; this request has ${count}.`,
    ),
  invalidTimeRange: (start: Date, end: Date) =>
    e("InvalidTimeRangeException", `The start time (${start.toISOString()}) is after the end time (${end.toISOString()}).`),
  invalidMaxResults: (message: string) => e("InvalidMaxResultsException", message),
  invalidNextToken: () =>
    e(
      "InvalidNextTokenException",
      "The NextToken is not valid: it is not one that LookupEvents returned, or it was returned for a request with different parameters.",
    ),
  invalidEventCategory: (message: string) => e("InvalidEventCategoryException", message),
  invalidParameter: (message: string) => e("InvalidParameterException", message),
  unsupportedOperation: (operation: string) =>
    e("UnsupportedOperationException", `orgsim does not implement ${operation} of CloudTrail; it serves LookupEvents.`),
};

/**
 * CloudTrail's error for invalid input (the first violation, in AWS's order). A wrong JSON type
 * is a SerializationException, found while deserializing, as for every awsJson service. A
 * member with a dedicated exception in the model gets it (LookupEvents: lookup attributes, max
 * results, event category); anything else is InvalidParameterException, the model's generic
 * "a parameter is not valid" error. Messages name the member in Coral's notation.
 */
export function cloudtrailInputError(violations: Violation[]): AwsError {
  const v = violations[0]!;
  if (v.reason === "INVALID_TYPE" || v.reason === "UNKNOWN_MEMBER") return serializationError(v);
  const text = describeViolation(v).text;
  const top = v.path.split(/[.[]/, 1)[0];
  switch (top) {
    case "LookupAttributes":
      return cloudtrailErrors.invalidLookupAttributes(text);
    case "MaxResults":
      return cloudtrailErrors.invalidMaxResults(text);
    case "EventCategory":
      return cloudtrailErrors.invalidEventCategory(text);
    default:
      return cloudtrailErrors.invalidParameter(text);
  }
}
