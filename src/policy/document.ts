/**
 * Parsing and validation of AWS Organizations policy documents, as `CreatePolicy` and
 * `UpdatePolicy` do it.
 *
 * - Authorization policies (SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY) use the IAM policy
 *   grammar. Since September 2025 SCPs accept the full IAM language (Allow with conditions and
 *   resource ARNs, NotAction/NotResource in Allow and Deny, wildcards anywhere in an action);
 *   `Principal`/`NotPrincipal` remain unsupported in SCPs. RCPs require `"Principal": "*"`,
 *   `Action` (no `NotAction`), `Resource` or `NotResource`, and `"Effect": "Deny"` (Allow only in
 *   the AWS managed `RCPFullAWSAccess`).
 * - Management policy types (tag, backup, AI opt-out, chatbot, declarative, Security Hub, ...)
 *   are JSON objects of their own syntax with the inheritance operators `@@assign`, `@@append`,
 *   `@@remove` and `@@operators_allowed_for_child_policies`.
 *
 * Pure: no I/O. Throws {@link AwsError}.
 */
import { AwsError } from "../protocol/errors.js";

// ---------------------------------------------------------------------------------------------
// Policy types and size quotas
// ---------------------------------------------------------------------------------------------

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
/** AWS's generic `MalformedPolicyDocumentException` message; our messages start with it and add the detail. */
export const MALFORMED_POLICY_MESSAGE = "The provided policy document does not meet the requirements of the specified policy type.";

/** Content of the AWS managed `FullAWSAccess` SCP (p-FullAWSAccess). */
export const FULL_AWS_ACCESS_CONTENT =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
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

// ---------------------------------------------------------------------------------------------
// JSON values and a strict, position-reporting JSON parser
// ---------------------------------------------------------------------------------------------

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A parsed JSON value that keeps object member order exactly (plain objects reorder integer-like keys). */
export type OrderedJson =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "boolean"; value: boolean }
  | { kind: "null" }
  | { kind: "array"; items: OrderedJson[] }
  | { kind: "object"; entries: [string, OrderedJson][] };

/** A JSON syntax error with its location (1-based line and column, 0-based offset). */
export class JsonSyntaxError extends Error {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly detail: string;
  constructor(detail: string, offset: number, line: number, column: number) {
    super(`Invalid JSON at line ${line}, column ${column} (character ${offset + 1}): ${detail}`);
    this.name = "JsonSyntaxError";
    this.detail = detail;
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

function describeChar(ch: string | undefined): string {
  if (ch === undefined) return "end of input";
  if (ch === "\n") return "a line break";
  if (ch === "\r") return "a carriage return";
  if (ch === "\t") return "a tab";
  const code = ch.charCodeAt(0);
  if (code < 0x20) return `control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `'${ch}'`;
}

class JsonParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): OrderedJson {
    this.skipWs();
    if (this.pos >= this.text.length) this.fail("the document is empty; expected a JSON object");
    const value = this.parseValue();
    this.skipWs();
    if (this.pos < this.text.length) {
      this.fail(
        `unexpected ${describeChar(this.text[this.pos])} after the end of the top-level value; a policy must consist of exactly one JSON object`,
      );
    }
    return value;
  }

  private fail(detail: string, at: number = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text[i] === "\n") {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(detail, at, line, at - lineStart + 1);
  }

  private skipWs(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.pos++;
      else break;
    }
  }

  private parseValue(): OrderedJson {
    const c = this.text[this.pos];
    switch (c) {
      case "{":
        return this.parseObject();
      case "[":
        return this.parseArray();
      case '"':
        return { kind: "string", value: this.parseString() };
      case "t":
        this.expectWord("true");
        return { kind: "boolean", value: true };
      case "f":
        this.expectWord("false");
        return { kind: "boolean", value: false };
      case "n":
        this.expectWord("null");
        return { kind: "null" };
      default:
        if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.parseNumber();
        if (c === "'") this.fail("strings must be enclosed in double quotes (\"), not single quotes");
        if (c !== undefined && /[A-Za-z_]/.test(c)) this.failWord();
        return this.fail(`unexpected ${describeChar(c)}; expected a value (object, array, string, number, true, false or null)`);
    }
  }

  private expectWord(word: string): void {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return;
    }
    this.failWord();
  }

  private failWord(): never {
    let end = this.pos;
    while (end < this.text.length && /[A-Za-z0-9_]/.test(this.text[end] ?? "")) end++;
    const got = this.text.slice(this.pos, Math.max(end, this.pos + 1));
    this.fail(`unexpected '${got}'; expected a value (object, array, string, number, true, false or null)`);
  }

  private parseNumber(): OrderedJson {
    const start = this.pos;
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (!m || m[0] === "-") this.fail("invalid number");
    this.pos += m[0].length;
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9A-Za-z.]/.test(next)) this.fail(`invalid number '${this.text.slice(start, this.pos + 1)}'`, start);
    return { kind: "number", value: Number(m[0]) };
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unterminated string (missing closing \")", start);
      const c = this.text[this.pos] as string;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === "\\") {
        const e = this.text[this.pos + 1];
        switch (e) {
          case '"':
          case "\\":
          case "/":
            out += e;
            this.pos += 2;
            break;
          case "b":
            out += "\b";
            this.pos += 2;
            break;
          case "f":
            out += "\f";
            this.pos += 2;
            break;
          case "n":
            out += "\n";
            this.pos += 2;
            break;
          case "r":
            out += "\r";
            this.pos += 2;
            break;
          case "t":
            out += "\t";
            this.pos += 2;
            break;
          case "u": {
            const hex = this.text.slice(this.pos + 2, this.pos + 6);
            if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail("invalid \\u escape: expected four hexadecimal digits");
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 6;
            break;
          }
          default:
            this.fail(`invalid escape sequence '\\${e ?? ""}' in string`);
        }
        continue;
      }
      if (c.charCodeAt(0) < 0x20) this.fail(`${describeChar(c)} is not allowed inside a string; escape it`);
      out += c;
      this.pos++;
    }
  }

  private parseArray(): OrderedJson {
    this.pos++; // [
    const items: OrderedJson[] = [];
    this.skipWs();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return { kind: "array", items };
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] === "]") this.fail("trailing comma before ']'");
      items.push(this.parseValue());
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "]") {
        this.pos++;
        return { kind: "array", items };
      }
      this.fail(`unexpected ${describeChar(c)}; expected ',' or ']' in array`);
    }
  }

  private parseObject(): OrderedJson {
    this.pos++; // {
    const entries: [string, OrderedJson][] = [];
    const seen = new Set<string>();
    this.skipWs();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return { kind: "object", entries };
    }
    for (;;) {
      this.skipWs();
      const c = this.text[this.pos];
      if (c === "}") this.fail("trailing comma before '}'");
      if (c !== '"') {
        if (c === "'") this.fail("object keys must be enclosed in double quotes (\"), not single quotes");
        this.fail(`unexpected ${describeChar(c)}; expected a double-quoted object key`);
      }
      const keyPos = this.pos;
      const key = this.parseString();
      if (seen.has(key)) this.fail(`duplicate key "${key}"; each key may appear only once in an object`, keyPos);
      seen.add(key);
      this.skipWs();
      if (this.text[this.pos] !== ":") this.fail(`unexpected ${describeChar(this.text[this.pos])}; expected ':' after the key "${key}"`);
      this.pos++;
      this.skipWs();
      entries.push([key, this.parseValue()]);
      this.skipWs();
      const d = this.text[this.pos];
      if (d === ",") {
        this.pos++;
        continue;
      }
      if (d === "}") {
        this.pos++;
        return { kind: "object", entries };
      }
      this.fail(`unexpected ${describeChar(d)}; expected ',' or '}' after the value of "${key}"`);
    }
  }
}

/** Strict JSON parse (RFC 8259) keeping member order; rejects duplicate keys and trailing content. */
export function parseOrderedJson(text: string): OrderedJson {
  return new JsonParser(text).parseDocument();
}

/** Converts an ordered parse tree to plain values (objects have a null prototype). */
export function toJsonValue(node: OrderedJson): JsonValue {
  switch (node.kind) {
    case "string":
    case "number":
    case "boolean":
      return node.value;
    case "null":
      return null;
    case "array":
      return node.items.map(toJsonValue);
    case "object": {
      const out = Object.create(null) as JsonObject;
      for (const [k, v] of node.entries) out[k] = toJsonValue(v);
      return out;
    }
  }
}

/** Strict JSON parse to plain values; throws {@link JsonSyntaxError}. */
export function parseJsonStrict(text: string): JsonValue {
  return toJsonValue(parseOrderedJson(text));
}

// ---------------------------------------------------------------------------------------------
// IAM policy document types
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Condition operators
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Validation of authorization (IAM-grammar) policies
// ---------------------------------------------------------------------------------------------

export interface ParseOptions {
  /**
   * The document is an AWS managed policy (FullAWSAccess, RCPFullAWSAccess): lifts the
   * customer-policy-only restrictions (RCP `Allow` and bare `"*"` action). Default false.
   */
  awsManaged?: boolean;
}

function malformed(detail: string): AwsError {
  return new AwsError("MalformedPolicyDocumentException", `${MALFORMED_POLICY_MESSAGE} ${detail}`);
}

function typeName(v: JsonValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  if (typeof v === "number") return "a number";
  return "a boolean";
}

function isObject(v: JsonValue): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

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
    throw malformed(`${path}: "${resource}" is not a valid resource. A resource must be "*" or an ARN of the form arn:partition:service:region:account-id:resource.`);
  }
}

function validatePrincipal(value: JsonValue, path: string, element: string): PrincipalValue {
  if (value === "*") return "*";
  if (typeof value === "string") throw malformed(`${path}: ${element} must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}, not "${value}".`);
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
  if (!isObject(value)) throw malformed(`${path}: Condition must be an object mapping condition operators to {key: value} objects, not ${typeName(value)}.`);
  const out: ConditionBlock = {};
  for (const op of Object.keys(value)) {
    const opPath = `${path}.${op}`;
    if (parseConditionOperator(op) === undefined) {
      const hint = /^null/i.test(op.replace(/^For(AnyValue|AllValues):/i, "")) ? " (Null takes neither IfExists nor ForAnyValue/ForAllValues)" : "";
      throw malformed(
        `${opPath}: "${op}" is not a valid condition operator${hint}. Valid operators are ${BASE_CONDITION_OPERATORS.join(", ")}, each optionally with the IfExists suffix and the ForAnyValue: or ForAllValues: prefix.`,
      );
    }
    const block = value[op] as JsonValue;
    if (!isObject(block)) throw malformed(`${opPath}: the value of condition operator ${op} must be an object mapping condition keys to values, not ${typeName(block)}.`);
    const keys: Record<string, ConditionValues> = {};
    for (const key of Object.keys(block)) {
      const keyPath = `${opPath}.${key}`;
      if (!CONDITION_KEY_RE.test(key)) {
        throw malformed(`${keyPath}: "${key}" is not a valid condition key; a condition key has the form "prefix:name", for example "aws:PrincipalArn".`);
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
    if (!SID_RE.test(raw.Sid)) throw malformed(`${path}.Sid: "${raw.Sid}" is not a valid statement ID; a Sid may contain only ASCII letters (A-Z, a-z) and digits (0-9).`);
    if (raw.Sid !== "" && sids.has(raw.Sid)) throw malformed(`${path}.Sid: duplicate statement ID "${raw.Sid}"; statement IDs must be unique within a policy.`);
    sids.add(raw.Sid);
    sid = raw.Sid;
  }

  // Effect
  if (raw.Effect === undefined) throw malformed(`${path}: the statement has no Effect element; Effect is required and must be "Allow" or "Deny".`);
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") {
    throw malformed(`${path}.Effect: ${typeof raw.Effect === "string" ? `"${raw.Effect}"` : typeName(raw.Effect)} is not a valid effect; Effect must be "Allow" or "Deny" (case sensitive).`);
  }
  const effect: PolicyEffect = raw.Effect;
  if (isRcp && effect === "Allow" && !awsManaged) {
    throw malformed(`${path}.Effect: RCPs that you create must use "Effect": "Deny"; "Allow" is supported only in the AWS managed RCPFullAWSAccess policy.`);
  }

  const stmt: PolicyStatement = { Effect: effect };
  if (sid !== undefined) stmt.Sid = sid;

  // Principal / NotPrincipal
  if (raw.NotPrincipal !== undefined) throw malformed(`${path}: the NotPrincipal element is not supported in ${label}.`);
  if (isRcp) {
    if (raw.Principal === undefined) throw malformed(`${path}: the statement has no Principal element; every RCP statement must contain "Principal": "*".`);
    if (raw.Principal !== "*") throw malformed(`${path}.Principal: you can only specify "*" in the Principal element of an RCP; use the Condition element to restrict specific principals.`);
    stmt.Principal = "*";
  } else if (raw.Principal !== undefined) {
    if (policyType === SERVICE_CONTROL_POLICY) throw malformed(`${path}: the Principal element is not supported in ${label}; an SCP applies to every principal in the accounts it is attached to.`);
    stmt.Principal = validatePrincipal(raw.Principal, `${path}.Principal`, "Principal");
  }

  // Action / NotAction
  if (raw.Action !== undefined && raw.NotAction !== undefined) throw malformed(`${path}: a statement can contain either Action or NotAction, not both.`);
  if (raw.Action === undefined && raw.NotAction === undefined) throw malformed(`${path}: the statement has no Action or NotAction element; one of them is required.`);
  if (raw.NotAction !== undefined && isRcp) throw malformed(`${path}: the NotAction element is not supported in ${label}.`);
  for (const element of ["Action", "NotAction"] as const) {
    const v = raw[element];
    if (v === undefined) continue;
    const list = stringList(v, `${path}.${element}`, element);
    list.forEach((a, i) => validateAction(a, Array.isArray(v) ? `${path}.${element}[${i}]` : `${path}.${element}`, policyType, awsManaged));
    stmt[element] = list;
  }

  // Resource / NotResource
  if (raw.Resource !== undefined && raw.NotResource !== undefined) throw malformed(`${path}: a statement can contain either Resource or NotResource, not both.`);
  if (isRcp && raw.Resource === undefined && raw.NotResource === undefined) throw malformed(`${path}: the statement has no Resource or NotResource element; every RCP statement must contain one of them.`);
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

function validateAuthorizationPolicy(root: JsonValue, policyType: string, awsManaged: boolean): PolicyDocument {
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

// ---------------------------------------------------------------------------------------------
// Validation of management policies (inheritance operators)
// ---------------------------------------------------------------------------------------------

export const VALUE_SETTING_OPERATORS = ["@@assign", "@@append", "@@remove"] as const;
export type ValueSettingOperator = (typeof VALUE_SETTING_OPERATORS)[number];
export const CHILD_CONTROL_OPERATOR = "@@operators_allowed_for_child_policies";
export const INHERITANCE_OPERATORS: readonly string[] = [...VALUE_SETTING_OPERATORS, CHILD_CONTROL_OPERATOR];
/** Values allowed in `@@operators_allowed_for_child_policies`. */
export const CHILD_CONTROL_VALUES: readonly string[] = ["@@all", "@@none", ...VALUE_SETTING_OPERATORS];

function joinPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function validateOperatorValue(op: string, value: JsonValue, path: string): void {
  const scalarItems = (arr: JsonValue[]) =>
    arr.forEach((item, i) => {
      if (item === null || typeof item === "object") {
        throw malformed(`${path}[${i}]: the values of ${op} must be strings, numbers or booleans, not ${typeName(item)}.`);
      }
    });
  if (op === CHILD_CONTROL_OPERATOR) {
    if (!Array.isArray(value)) throw malformed(`${path}: ${op} must be an array such as ["@@all"], ["@@none"] or ["@@assign", "@@append"], not ${typeName(value)}.`);
    if (value.length === 0) throw malformed(`${path}: ${op} must not be an empty array; use ["@@none"] to allow no operators.`);
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (typeof item !== "string" || !CHILD_CONTROL_VALUES.includes(item)) {
        const shown = typeof item === "string" ? `"${item}"` : typeName(item);
        throw malformed(`${path}[${i}]: ${shown} is not a valid value for ${op}; use @@all, @@none, or one or more of @@assign, @@append, @@remove.`);
      }
      if (seen.has(item)) throw malformed(`${path}[${i}]: "${item}" is listed more than once in ${op}.`);
      seen.add(item);
    });
    if ((seen.has("@@all") || seen.has("@@none")) && seen.size > 1) {
      throw malformed(`${path}: "@@all" and "@@none" must be the only value in ${op}.`);
    }
    return;
  }
  if (op === "@@assign") {
    if (value === null || isObject(value)) {
      throw malformed(`${path}: the value of @@assign must be a string, number, boolean or an array of them, not ${typeName(value)}; nest settings as keys instead.`);
    }
    if (Array.isArray(value)) scalarItems(value);
    return;
  }
  // @@append / @@remove
  if (!Array.isArray(value)) throw malformed(`${path}: ${op} can be used only with multi-valued settings; its value must be an array, not ${typeName(value)}.`);
  if (value.length === 0) throw malformed(`${path}: the array of values for ${op} must not be empty.`);
  scalarItems(value);
}

function validateManagementNode(node: JsonObject, path: string): void {
  const keys = Object.keys(node);
  if (keys.length === 0) throw malformed(`${path}: the policy element is empty; it must contain settings or inheritance operators.`);
  let hasValueOperator = false;
  let hasChildKey = false;
  for (const key of keys) {
    const keyPath = joinPath(path, key);
    const value = node[key] as JsonValue;
    if (key.startsWith("@")) {
      if (!INHERITANCE_OPERATORS.includes(key)) {
        const lower = INHERITANCE_OPERATORS.find((op) => op.toLowerCase() === key.toLowerCase() || op === `@${key}`);
        throw malformed(
          `${keyPath}: "${key}" is not a valid inheritance operator${lower ? ` (did you mean "${lower}"?)` : ""}. Valid operators are ${INHERITANCE_OPERATORS.join(", ")}.`,
        );
      }
      if (path === "") throw malformed(`${keyPath}: inheritance operators can't be used at the top level of a policy; apply them to a policy setting.`);
      validateOperatorValue(key, value, keyPath);
      if (key !== CHILD_CONTROL_OPERATOR) hasValueOperator = true;
      continue;
    }
    if (key.trim() === "") throw malformed(`${keyPath}: policy keys must not be empty or blank.`);
    hasChildKey = true;
    if (isObject(value)) {
      validateManagementNode(value, keyPath);
    } else if (value === null) {
      throw malformed(`${keyPath}: a policy setting can't be null; use an object with an inheritance operator such as {"@@assign": ...}.`);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (item === null || typeof item === "object") throw malformed(`${keyPath}[${i}]: setting values must be strings, numbers or booleans, not ${typeName(item)}.`);
      });
    }
  }
  if (hasValueOperator && hasChildKey) {
    throw malformed(`${path}: a policy element can't combine value-setting operators (@@assign, @@append, @@remove) with nested settings.`);
  }
}

function validateManagementPolicy(root: JsonValue): JsonObject {
  if (!isObject(root)) throw malformed(`The policy must be a JSON object, not ${typeName(root)}.`);
  validateManagementNode(root, "");
  return root;
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

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
