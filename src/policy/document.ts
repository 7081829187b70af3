/**
 * Parsing and validation of AWS Organizations policy documents, as `CreatePolicy` and
 * `UpdatePolicy` do it: the policy type and its size quota (`policy-types.ts`), strict JSON
 * (`strict-json.ts`), then the type's grammar: the IAM grammar for SCPs and RCPs
 * (`iam-grammar.ts`) or the inheritance operators of management policy types
 * (`management-grammar.ts`). The result's shape is in `document-types.ts`.
 *
 * Pure: no I/O. Throws `AwsError`.
 */
import type { PolicyDocument } from "./document-types.js";
import { validateAuthorizationPolicy } from "./iam-grammar.js";
import { malformed } from "./malformed.js";
import { validateManagementPolicy } from "./management-grammar.js";
import { checkPolicyContentSize, isAuthorizationPolicyType } from "./policy-types.js";
import { JsonSyntaxError, parseJsonStrict, type JsonValue } from "./strict-json.js";

export interface ParseOptions {
  /**
   * The document is an AWS managed policy (FullAWSAccess, RCPFullAWSAccess): lifts the
   * customer-policy-only restrictions (RCP `Allow` and bare `"*"` action). Default false.
   */
  awsManaged?: boolean;
}

/**
 * Validates policy content as `CreatePolicy`/`UpdatePolicy` do, in AWS's order: the policy type,
 * the size quota (`ConstraintViolationException`, `POLICY_CONTENT_LIMIT_EXCEEDED`), JSON syntax,
 * then the type's grammar (`MalformedPolicyDocumentException` naming the problem and its path).
 */
export function parsePolicyDocument(text: string, policyType: string, options: ParseOptions = {}): PolicyDocument {
  checkPolicyContentSize(text, policyType);
  let root: JsonValue;
  try {
    root = parseJsonStrict(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw malformed(e.message);
    throw e;
  }
  if (isAuthorizationPolicyType(policyType)) return validateAuthorizationPolicy(root, policyType, options.awsManaged ?? false);
  return { Statement: [], managementContent: validateManagementPolicy(root) };
}
