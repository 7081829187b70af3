/**
 * IAM condition operators (`StringEquals`, `ArnLike`, ...) with their `IfExists` suffix and
 * `ForAnyValue:` / `ForAllValues:` set qualifiers: read by the IAM grammar when it checks a policy
 * and by the evaluator when it applies one.
 */

export const BASE_CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
] as const;
export type BaseConditionOperator = (typeof BASE_CONDITION_OPERATORS)[number];

export interface ParsedConditionOperator {
  qualifier?: "ForAnyValue" | "ForAllValues";
  base: BaseConditionOperator;
  ifExists: boolean;
}

/**
 * Splits `ForAllValues:StringLikeIfExists` into its parts. `caseSensitive` (the default, as IAM
 * validates) requires AWS's spelling. `Null` takes neither `IfExists` nor a set qualifier.
 */
export function parseConditionOperator(name: string, caseSensitive = true): ParsedConditionOperator | undefined {
  const norm = (s: string) => (caseSensitive ? s : s.toLowerCase());
  let rest = name;
  let qualifier: ParsedConditionOperator["qualifier"];
  for (const q of ["ForAnyValue", "ForAllValues"] as const) {
    if (norm(rest).startsWith(norm(q + ":"))) {
      qualifier = q;
      rest = rest.slice(q.length + 1);
      break;
    }
  }
  let ifExists = false;
  if (norm(rest).endsWith(norm("IfExists"))) {
    ifExists = true;
    rest = rest.slice(0, -"IfExists".length);
  }
  const base = BASE_CONDITION_OPERATORS.find((op) => norm(op) === norm(rest));
  if (base === undefined) return undefined;
  if (base === "Null" && (ifExists || qualifier !== undefined)) return undefined;
  const parsed: ParsedConditionOperator = { base, ifExists };
  if (qualifier !== undefined) parsed.qualifier = qualifier;
  return parsed;
}
