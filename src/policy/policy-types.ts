/**
 * The policy types of AWS Organizations (the model's `PolicyType` enum): which use the IAM grammar
 * (SCPs, RCPs) and which are management policy types, each type's document size quota, and the
 * content of the AWS managed policy of the two authorization types.
 */
import { AwsError } from "../protocol/errors.js";

export const SERVICE_CONTROL_POLICY = "SERVICE_CONTROL_POLICY";
export const RESOURCE_CONTROL_POLICY = "RESOURCE_CONTROL_POLICY";

/** Every value of the model's `PolicyType` enum. */
export const POLICY_TYPES = [
  "SERVICE_CONTROL_POLICY",
  "RESOURCE_CONTROL_POLICY",
  "TAG_POLICY",
  "BACKUP_POLICY",
  "AISERVICES_OPT_OUT_POLICY",
  "CHATBOT_POLICY",
  "DECLARATIVE_POLICY_EC2",
  "SECURITYHUB_POLICY",
  "INSPECTOR_POLICY",
  "UPGRADE_ROLLOUT_POLICY",
  "BEDROCK_POLICY",
  "S3_POLICY",
  "NETWORK_SECURITY_DIRECTOR_POLICY",
] as const;
export type PolicyTypeName = (typeof POLICY_TYPES)[number];

/** The IAM-grammar policy types; every other type is a management policy type. */
export const AUTHORIZATION_POLICY_TYPES: readonly string[] = [SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY];

/** Maximum size of an SCP or RCP document, in characters (white space included). */
export const AUTHORIZATION_POLICY_MAX_CHARS = 5120;
/** Maximum size of most management policy documents, in characters. */
export const MANAGEMENT_POLICY_MAX_CHARS = 10000;
/** Maximum size of an AI services opt-out policy document, in characters. */
export const AISERVICES_OPT_OUT_POLICY_MAX_CHARS = 2500;

/**
 * Maximum document size per policy type ("Quotas for AWS Organizations"; every character counts,
 * white space included). S3_POLICY and NETWORK_SECURITY_DIRECTOR_POLICY are not listed in the
 * quotas page; they get the management default of 10,000.
 */
export const POLICY_CONTENT_MAX_CHARS: Readonly<Record<PolicyTypeName, number>> = {
  SERVICE_CONTROL_POLICY: AUTHORIZATION_POLICY_MAX_CHARS,
  RESOURCE_CONTROL_POLICY: AUTHORIZATION_POLICY_MAX_CHARS,
  TAG_POLICY: MANAGEMENT_POLICY_MAX_CHARS,
  BACKUP_POLICY: MANAGEMENT_POLICY_MAX_CHARS,
  AISERVICES_OPT_OUT_POLICY: AISERVICES_OPT_OUT_POLICY_MAX_CHARS,
  CHATBOT_POLICY: MANAGEMENT_POLICY_MAX_CHARS,
  DECLARATIVE_POLICY_EC2: MANAGEMENT_POLICY_MAX_CHARS,
  SECURITYHUB_POLICY: MANAGEMENT_POLICY_MAX_CHARS,
  INSPECTOR_POLICY: MANAGEMENT_POLICY_MAX_CHARS,
  UPGRADE_ROLLOUT_POLICY: MANAGEMENT_POLICY_MAX_CHARS,
  BEDROCK_POLICY: MANAGEMENT_POLICY_MAX_CHARS,
  S3_POLICY: MANAGEMENT_POLICY_MAX_CHARS,
  NETWORK_SECURITY_DIRECTOR_POLICY: MANAGEMENT_POLICY_MAX_CHARS,
};

/** AWS's message for `ConstraintViolationException` / `POLICY_CONTENT_LIMIT_EXCEEDED`. */
export const POLICY_CONTENT_LIMIT_MESSAGE = "You have exceeded the maximum policy size.";

/** Content of the AWS managed `FullAWSAccess` SCP (p-FullAWSAccess). */
export const FULL_AWS_ACCESS_CONTENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
/** Content of the AWS managed `RCPFullAWSAccess` RCP (p-RCPFullAWSAccess). */
export const RCP_FULL_AWS_ACCESS_CONTENT =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

export function isPolicyType(value: string): value is PolicyTypeName {
  return (POLICY_TYPES as readonly string[]).includes(value);
}

export function isAuthorizationPolicyType(policyType: string): boolean {
  return AUTHORIZATION_POLICY_TYPES.includes(policyType);
}

export function isManagementPolicyType(policyType: string): boolean {
  return isPolicyType(policyType) && !isAuthorizationPolicyType(policyType);
}

/** The size limit for a policy type (characters). Throws InvalidInputException for an unknown type. */
export function maxPolicyContentChars(policyType: string): number {
  if (!isPolicyType(policyType)) throw unknownPolicyType(policyType);
  return POLICY_CONTENT_MAX_CHARS[policyType];
}

/**
 * Throws `ConstraintViolationException` (Reason `POLICY_CONTENT_LIMIT_EXCEEDED`) when the content
 * is longer than the type's quota. AWS counts every character, white space outside strings
 * included ("All characters in your SCP count against its maximum size").
 */
export function checkPolicyContentSize(text: string, policyType: string): void {
  const max = maxPolicyContentChars(policyType);
  if (text.length > max) {
    throw new AwsError("ConstraintViolationException", POLICY_CONTENT_LIMIT_MESSAGE, {
      fields: { Reason: "POLICY_CONTENT_LIMIT_EXCEEDED" },
    });
  }
}

function unknownPolicyType(policyType: string): AwsError {
  return new AwsError("InvalidInputException", `You specified an invalid value for the policy type: ${policyType}.`, {
    fields: { Reason: "INVALID_ENUM_POLICY_TYPE" },
  });
}
