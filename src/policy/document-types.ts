/**
 * The shape of a parsed policy document: IAM statements (SCPs, RCPs) or a management policy's
 * validated JSON object, with helpers that read the IAM string-or-array forms as arrays.
 */
import type { JsonObject } from "./strict-json.js";

export type PolicyEffect = "Allow" | "Deny";
export type ConditionScalar = string | number | boolean;
export type ConditionValues = ConditionScalar | ConditionScalar[];
/** `{ operator: { conditionKey: value(s) } }`, e.g. `{ "StringNotEquals": { "aws:RequestedRegion": ["eu-west-1"] } }`. */
export type ConditionBlock = Record<string, Record<string, ConditionValues>>;
/** `"*"` or `{ "AWS": [...], "Service": [...], "Federated": [...], "CanonicalUser": [...] }`. */
export type PrincipalValue = "*" | Record<string, string | string[]>;

/** One statement, in IAM JSON shape (strings or arrays). {@link parsePolicyDocument} returns arrays. */
export interface PolicyStatement {
  Sid?: string;
  Effect: PolicyEffect;
  Principal?: PrincipalValue;
  NotPrincipal?: PrincipalValue;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
}

/**
 * A parsed policy document. For SCPs/RCPs this is the IAM document (`Statement` normalized to an
 * array by the parser, but hand-built documents may use the single-object form). For management
 * policy types `Statement` is empty and `managementContent` holds the validated JSON object.
 */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
  managementContent?: JsonObject;
}

export const POLICY_VERSIONS = ["2012-10-17", "2008-10-17"] as const;

/** The statements of a document as an array. */
export function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

/** A string-or-array element as an array (`undefined` stays `undefined`). */
export function asList<T>(value: T | T[] | undefined): T[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}
