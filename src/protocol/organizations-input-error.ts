/**
 * Organizations' answer to an invalid input: InvalidInputException with the closest
 * InvalidInputExceptionReason (a dedicated one for policy types, policy ids, target ids and the
 * organization ARN; INVALID_LIST_MEMBER for a bad list element), or a SerializationException for
 * a value of the wrong JSON type, as AWS's JSON deserializer answers.
 */
import { AwsError } from "./errors.js";
import type { Violation, ViolationReason } from "./validate.js";
import { serializationError } from "./violations.js";

/** Shapes of Organizations whose violations have a dedicated InvalidInputException reason. */
const ORGANIZATIONS_PATTERN_REASONS: Record<string, string> = {
  PolicyTargetId: "INVALID_PATTERN_TARGET_ID",
  PolicyId: "INVALID_SYNTAX_POLICY_ID",
  OrganizationArn: "INVALID_SYNTAX_ORGANIZATION_ARN",
};

const BASE_REASONS: Record<Exclude<ViolationReason, "INVALID_TYPE" | "UNKNOWN_MEMBER">, string> = {
  INPUT_REQUIRED: "INPUT_REQUIRED",
  MIN_LENGTH_EXCEEDED: "MIN_LENGTH_EXCEEDED",
  MAX_LENGTH_EXCEEDED: "MAX_LENGTH_EXCEEDED",
  INVALID_PATTERN: "INVALID_PATTERN",
  INVALID_ENUM: "INVALID_ENUM",
  MIN_VALUE_EXCEEDED: "MIN_VALUE_EXCEEDED",
  MAX_VALUE_EXCEEDED: "MAX_VALUE_EXCEEDED",
  MIN_LIST_LENGTH: "MIN_LENGTH_EXCEEDED",
  MAX_LIST_LENGTH: "MAX_LENGTH_EXCEEDED",
};

function organizationsDetail(v: Violation, member: string): string {
  switch (v.reason) {
    case "INPUT_REQUIRED":
      return `You must provide a value for the required member ${member}.`;
    case "INVALID_PATTERN":
      return `You provided a value that does not match the required pattern for member ${member}.`;
    case "MIN_LENGTH_EXCEEDED":
      return `The value of member ${member} is shorter than the minimum length of ${v.constraint} characters.`;
    case "MAX_LENGTH_EXCEEDED":
      return `The value of member ${member} exceeds the maximum length of ${v.constraint} characters.`;
    case "INVALID_ENUM":
      return `You specified an invalid value for member ${member}. Valid values: ${v.constraint.slice(1, -1)}.`;
    case "MIN_VALUE_EXCEEDED":
      return `The value of member ${member} is less than the minimum value of ${v.constraint}.`;
    case "MAX_VALUE_EXCEEDED":
      return `The value of member ${member} exceeds the maximum value of ${v.constraint}.`;
    case "MIN_LIST_LENGTH":
      return `The list in member ${member} has fewer than the minimum of ${v.constraint} items.`;
    case "MAX_LIST_LENGTH":
      return `The list in member ${member} has more than the maximum of ${v.constraint} items.`;
    default:
      return `You provided an invalid value for member ${member}.`;
  }
}

/**
 * Organizations' error for one violation (the first one findViolations returns). Wrong JSON types
 * are a SerializationException, as AWS's JSON deserializer answers; everything else is
 * InvalidInputException with the closest InvalidInputExceptionReason.
 */
export function organizationsInputError(v: Violation): AwsError {
  if (v.reason === "INVALID_TYPE" || v.reason === "UNKNOWN_MEMBER") return serializationError(v);
  const member = v.path === "" ? "input" : v.path;
  let reason = BASE_REASONS[v.reason];
  let message = organizationsDetail(v, member);
  const isListElement = v.path.endsWith("]") && !v.path.endsWith('"]');
  if (v.reason === "INVALID_ENUM" && /PolicyType$/.test(v.shapeName)) {
    reason = "INVALID_ENUM_POLICY_TYPE";
    message = `You specified an invalid policy type string for member ${member}. Valid values: ${v.constraint.slice(1, -1)}.`;
  } else if (v.reason === "INVALID_PATTERN" && ORGANIZATIONS_PATTERN_REASONS[v.shapeName]) {
    reason = ORGANIZATIONS_PATTERN_REASONS[v.shapeName]!;
    if (reason === "INVALID_PATTERN_TARGET_ID")
      message = `You specified a policy target ID that does not match the required pattern for member ${member}.`;
    else if (reason === "INVALID_SYNTAX_POLICY_ID") message = `You specified an invalid policy ID for member ${member}.`;
    else message = `You specified an invalid Amazon Resource Name (ARN) for the organization for member ${member}.`;
  } else if (isListElement && v.reason !== "INPUT_REQUIRED") {
    const list = v.path.slice(0, v.path.lastIndexOf("["));
    reason = "INVALID_LIST_MEMBER";
    message = `You provided a list to member ${list} that contains at least one invalid value: ${organizationsDetail(v, member)}`;
  }
  return new AwsError("InvalidInputException", message, { fields: { Reason: reason } });
}
