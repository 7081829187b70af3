/**
 * The grammar of authorization policies (SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY): the IAM
 * policy language as Organizations restricts it. Since September 2025 SCPs accept the full IAM
 * language (Allow with conditions and resource ARNs, NotAction/NotResource in Allow and Deny,
 * wildcards anywhere in an action); `Principal`/`NotPrincipal` remain unsupported in SCPs. RCPs
 * require `"Principal": "*"`, `Action` (no `NotAction`), `Resource` or `NotResource`, and
 * `"Effect": "Deny"` (Allow only in the AWS managed `RCPFullAWSAccess`).
 */
import { BASE_CONDITION_OPERATORS, parseConditionOperator } from "./condition-operators.js";
import {
  POLICY_VERSIONS,
  type ConditionBlock,
  type ConditionValues,
  type PolicyDocument,
  type PolicyEffect,
  type PolicyStatement,
  type PrincipalValue,
} from "./document-types.js";
import { isObject, malformed, typeName } from "./malformed.js";
import { RESOURCE_CONTROL_POLICY, SERVICE_CONTROL_POLICY } from "./policy-types.js";
import type { JsonValue } from "./strict-json.js";

const TOP_LEVEL_KEYS = ["Version", "Id", "Statement"];
const STATEMENT_KEYS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];
const PRINCIPAL_TYPES = ["AWS", "Service", "Federated", "CanonicalUser"];

const ACTION_RE = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;
const RESOURCE_ARN_RE = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/s;
const SID_RE = /^[A-Za-z0-9]*$/;
const CONDITION_KEY_RE = /^[A-Za-z0-9-]+:.+$/s;

function policyTypeLabel(policyType: string): string {
  return policyType === RESOURCE_CONTROL_POLICY ? "resource control policies (RCPs)" : "service control policies (SCPs)";
}

function stringList(value: JsonValue, path: string, element: string): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) {
    if (value.length === 0) throw malformed(`${path}: ${element} must not be an empty array.`);
    return value.map((item, i) => {
      if (typeof item !== "string") throw malformed(`${path}[${i}]: each ${element} entry must be a string, not ${typeName(item)}.`);
      return item;
    });
  }
  throw malformed(`${path}: ${element} must be a string or an array of strings, not ${typeName(value)}.`);
}

function validateAction(action: string, path: string, policyType: string, awsManaged: boolean): void {
  if (action === "*") {
    if (policyType === RESOURCE_CONTROL_POLICY && !awsManaged) {
      throw malformed(
        `${path}: "*" alone is not allowed in the Action element of a customer managed RCP; specify the service prefix, for example "s3:*".`,
      );
    }
    return;
  }
  if (!ACTION_RE.test(action)) {
    throw malformed(
      `${path}: "${action}" is not a valid action. An action must be "*" or "service:ActionName" (for example "s3:GetObject"); the service prefix may contain letters, digits and hyphens, and the action name letters, digits and the wildcards * and ?.`,
    );
  }
}

function validateResource(resource: string, path: string): void {
  if (resource === "*") return;
  if (!RESOURCE_ARN_RE.test(resource)) {
    throw malformed(
      `${path}: "${resource}" is not a valid resource. A resource must be "*" or an ARN of the form arn:partition:service:region:account-id:resource.`,
    );
  }
}

function validatePrincipal(value: JsonValue, path: string, element: string): PrincipalValue {
  if (value === "*") return "*";
  if (typeof value === "string")
    throw malformed(`${path}: ${element} must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}, not "${value}".`);
  if (!isObject(value)) throw malformed(`${path}: ${element} must be "*" or an object, not ${typeName(value)}.`);
  const keys = Object.keys(value);
  if (keys.length === 0) throw malformed(`${path}: ${element} must not be an empty object.`);
  const out: Record<string, string[]> = {};
  for (const k of keys) {
    if (!PRINCIPAL_TYPES.includes(k)) {
      throw malformed(`${path}: unknown principal type "${k}" in ${element}; expected one of ${PRINCIPAL_TYPES.join(", ")}.`);
    }
    out[k] = stringList(value[k] as JsonValue, `${path}.${k}`, `${element} ${k}`);
  }
  return out;
}

function validateCondition(value: JsonValue, path: string): ConditionBlock {
  if (!isObject(value))
    throw malformed(`${path}: Condition must be an object mapping condition operators to {key: value} objects, not ${typeName(value)}.`);
  const out: ConditionBlock = {};
  for (const op of Object.keys(value)) {
    const opPath = `${path}.${op}`;
    if (parseConditionOperator(op) === undefined) {
      const hint = /^null/i.test(op.replace(/^For(AnyValue|AllValues):/i, ""))
        ? " (Null takes neither IfExists nor ForAnyValue/ForAllValues)"
        : "";
      throw malformed(
        `${opPath}: "${op}" is not a valid condition operator${hint}. Valid operators are ${BASE_CONDITION_OPERATORS.join(", ")}, each optionally with the IfExists suffix and the ForAnyValue: or ForAllValues: prefix.`,
      );
    }
    const block = value[op] as JsonValue;
    if (!isObject(block))
      throw malformed(
        `${opPath}: the value of condition operator ${op} must be an object mapping condition keys to values, not ${typeName(block)}.`,
      );
    const keys: Record<string, ConditionValues> = {};
    for (const key of Object.keys(block)) {
      const keyPath = `${opPath}.${key}`;
      if (!CONDITION_KEY_RE.test(key)) {
        throw malformed(
          `${keyPath}: "${key}" is not a valid condition key; a condition key has the form "prefix:name", for example "aws:PrincipalArn".`,
        );
      }
      const v = block[key] as JsonValue;
      const scalar = (item: JsonValue, p: string): string => {
        if (typeof item === "string") return item;
        if (typeof item === "number" || typeof item === "boolean") return String(item);
        throw malformed(`${p}: a condition value must be a string, number or boolean, not ${typeName(item)}.`);
      };
      if (Array.isArray(v)) {
        if (v.length === 0) throw malformed(`${keyPath}: the list of values for condition key ${key} must not be empty.`);
        keys[key] = v.map((item, i) => scalar(item, `${keyPath}[${i}]`));
      } else {
        keys[key] = [scalar(v, keyPath)];
      }
    }
    out[op] = keys;
  }
  return out;
}

function validateStatement(raw: JsonValue, path: string, policyType: string, awsManaged: boolean, sids: Set<string>): PolicyStatement {
  if (!isObject(raw)) throw malformed(`${path}: each statement must be a JSON object, not ${typeName(raw)}.`);
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.includes(key)) {
      const near = STATEMENT_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
      throw malformed(
        `${path}: unknown statement element "${key}"${near ? ` (did you mean "${near}"? element names are case sensitive)` : ""}. Valid elements are ${STATEMENT_KEYS.join(", ")}.`,
      );
    }
  }
  const isRcp = policyType === RESOURCE_CONTROL_POLICY;
  const label = policyTypeLabel(policyType);

  // Sid
  let sid: string | undefined;
  if (raw.Sid !== undefined) {
    if (typeof raw.Sid !== "string") throw malformed(`${path}.Sid: Sid must be a string, not ${typeName(raw.Sid)}.`);
    if (!SID_RE.test(raw.Sid))
      throw malformed(
        `${path}.Sid: "${raw.Sid}" is not a valid statement ID; a Sid may contain only ASCII letters (A-Z, a-z) and digits (0-9).`,
      );
    if (raw.Sid !== "" && sids.has(raw.Sid))
      throw malformed(`${path}.Sid: duplicate statement ID "${raw.Sid}"; statement IDs must be unique within a policy.`);
    sids.add(raw.Sid);
    sid = raw.Sid;
  }

  // Effect
  if (raw.Effect === undefined)
    throw malformed(`${path}: the statement has no Effect element; Effect is required and must be "Allow" or "Deny".`);
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") {
    throw malformed(
      `${path}.Effect: ${typeof raw.Effect === "string" ? `"${raw.Effect}"` : typeName(raw.Effect)} is not a valid effect; Effect must be "Allow" or "Deny" (case sensitive).`,
    );
  }
  const effect: PolicyEffect = raw.Effect;
  if (isRcp && effect === "Allow" && !awsManaged) {
    throw malformed(
      `${path}.Effect: RCPs that you create must use "Effect": "Deny"; "Allow" is supported only in the AWS managed RCPFullAWSAccess policy.`,
    );
  }

  const stmt: PolicyStatement = { Effect: effect };
  if (sid !== undefined) stmt.Sid = sid;

  // Principal / NotPrincipal
  if (raw.NotPrincipal !== undefined) throw malformed(`${path}: the NotPrincipal element is not supported in ${label}.`);
  if (isRcp) {
    if (raw.Principal === undefined)
      throw malformed(`${path}: the statement has no Principal element; every RCP statement must contain "Principal": "*".`);
    if (raw.Principal !== "*")
      throw malformed(
        `${path}.Principal: you can only specify "*" in the Principal element of an RCP; use the Condition element to restrict specific principals.`,
      );
    stmt.Principal = "*";
  } else if (raw.Principal !== undefined) {
    if (policyType === SERVICE_CONTROL_POLICY)
      throw malformed(
        `${path}: the Principal element is not supported in ${label}; an SCP applies to every principal in the accounts it is attached to.`,
      );
    stmt.Principal = validatePrincipal(raw.Principal, `${path}.Principal`, "Principal");
  }

  // Action / NotAction
  if (raw.Action !== undefined && raw.NotAction !== undefined)
    throw malformed(`${path}: a statement can contain either Action or NotAction, not both.`);
  if (raw.Action === undefined && raw.NotAction === undefined)
    throw malformed(`${path}: the statement has no Action or NotAction element; one of them is required.`);
  if (raw.NotAction !== undefined && isRcp) throw malformed(`${path}: the NotAction element is not supported in ${label}.`);
  for (const element of ["Action", "NotAction"] as const) {
    const v = raw[element];
    if (v === undefined) continue;
    const list = stringList(v, `${path}.${element}`, element);
    list.forEach((a, i) => validateAction(a, Array.isArray(v) ? `${path}.${element}[${i}]` : `${path}.${element}`, policyType, awsManaged));
    stmt[element] = list;
  }

  // Resource / NotResource
  if (raw.Resource !== undefined && raw.NotResource !== undefined)
    throw malformed(`${path}: a statement can contain either Resource or NotResource, not both.`);
  if (isRcp && raw.Resource === undefined && raw.NotResource === undefined)
    throw malformed(`${path}: the statement has no Resource or NotResource element; every RCP statement must contain one of them.`);
  for (const element of ["Resource", "NotResource"] as const) {
    const v = raw[element];
    if (v === undefined) continue;
    const list = stringList(v, `${path}.${element}`, element);
    list.forEach((r, i) => validateResource(r, Array.isArray(v) ? `${path}.${element}[${i}]` : `${path}.${element}`));
    stmt[element] = list;
  }

  if (raw.Condition !== undefined) stmt.Condition = validateCondition(raw.Condition, `${path}.Condition`);
  return stmt;
}

/**
 * Checks an SCP or RCP (already parsed JSON) against the IAM grammar as Organizations restricts it
 * for that type, and returns it with every string-or-array element as an array.
 */
export function validateAuthorizationPolicy(root: JsonValue, policyType: string, awsManaged: boolean): PolicyDocument {
  if (!isObject(root)) throw malformed(`The policy must be a JSON object, not ${typeName(root)}.`);
  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      const near = TOP_LEVEL_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
      throw malformed(
        `Unknown top-level element "${key}"${near ? ` (did you mean "${near}"? element names are case sensitive)` : ""}. A policy may contain only Version, Id and Statement.`,
      );
    }
  }
  const doc: PolicyDocument = { Statement: [] };
  if (root.Version !== undefined) {
    const allowed: readonly string[] = policyType === RESOURCE_CONTROL_POLICY ? ["2012-10-17"] : POLICY_VERSIONS;
    if (typeof root.Version !== "string" || !allowed.includes(root.Version)) {
      const shown = typeof root.Version === "string" ? `"${root.Version}"` : typeName(root.Version);
      throw malformed(`Version: ${shown} is not a valid policy version; Version must be ${allowed.map((v) => `"${v}"`).join(" or ")}.`);
    }
    doc.Version = root.Version;
  }
  if (root.Id !== undefined) {
    if (typeof root.Id !== "string") throw malformed(`Id: Id must be a string, not ${typeName(root.Id)}.`);
    doc.Id = root.Id;
  }
  const st = root.Statement;
  if (st === undefined) throw malformed("The policy has no Statement element; Statement is required.");
  const sids = new Set<string>();
  if (Array.isArray(st)) {
    if (st.length === 0) throw malformed("Statement: the Statement array must contain at least one statement.");
    doc.Statement = st.map((s, i) => validateStatement(s, `Statement[${i}]`, policyType, awsManaged, sids));
  } else if (isObject(st)) {
    doc.Statement = [validateStatement(st, "Statement", policyType, awsManaged, sids)];
  } else {
    throw malformed(`Statement: Statement must be an object or an array of objects, not ${typeName(st)}.`);
  }
  return doc;
}
