/**
 * Evaluation of authorization policies (SCPs and RCPs) against a request, per the IAM policy
 * evaluation logic and "SCP evaluation" / "RCP evaluation" in the AWS Organizations User Guide.
 *
 * An action is permitted only if, at EVERY level of the account's path (root, each OU, the
 * account), at least one attached policy has an applicable Allow statement, and no attached policy
 * at any level has an applicable Deny statement. Pure: callers pass plain data.
 */
import { parseConditionOperator, type BaseConditionOperator, type ParsedConditionOperator } from "./condition-operators.js";
import {
  asList,
  statementsOf,
  type ConditionBlock,
  type ConditionValues,
  type PolicyDocument,
  type PolicyStatement,
  type PrincipalValue,
} from "./document-types.js";
import { RESOURCE_CONTROL_POLICY, SERVICE_CONTROL_POLICY } from "./policy-types.js";

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface RequestContext {
  /** "organizations:LeaveOrganization", "sts:AssumeRole", "account:PutContactInformation", ... */
  action: string;
  /** Resource ARN, or "*" for actions without resource-level permissions. */
  resource: string;
  /**
   * Condition keys (names are case-insensitive): aws:PrincipalArn, aws:PrincipalAccount,
   * aws:PrincipalOrgID, aws:PrincipalType, aws:RequestedRegion, aws:CurrentTime (ISO 8601),
   * aws:EpochTime, aws:SourceIp, aws:PrincipalTag/<k>, aws:ResourceTag/<k>, ...
   * `undefined` means the key is absent from the request context.
   */
  keys: Record<string, string | string[] | undefined>;
  /** Time of the request; supplies aws:CurrentTime / aws:EpochTime when `keys` lacks them. Defaults to now. */
  now?: Date;
}

export interface LevelPolicies {
  targetId: string;
  targetType: "ROOT" | "ORGANIZATIONAL_UNIT" | "ACCOUNT";
  policies: { id: string; name: string; document: PolicyDocument }[];
}

export interface PolicyMatch {
  policyId: string;
  policyName: string;
  sid?: string;
}

export interface Decision {
  allowed: boolean;
  kind: "ALLOWED" | "EXPLICIT_DENY" | "IMPLICIT_DENY";
  /** Which policy type was evaluated (for the denial message); SCP when absent. */
  policyType?: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
  /**
   * The level and policy/statement that decided: for EXPLICIT_DENY the first denying policy (root
   * first); for IMPLICIT_DENY the first level (root first) where no policy allows (no policy
   * fields); for ALLOWED the last level (the account) and its first allowing policy. Absent when
   * the path is empty.
   */
  decidingLevel?: { targetId: string; targetType: string; policyId?: string; policyName?: string; statementSid?: string };
  levels: { targetId: string; targetType: string; allowedBy: PolicyMatch[]; deniedBy: PolicyMatch[] }[];
}

// ---------------------------------------------------------------------------------------------
// Wildcard patterns
// ---------------------------------------------------------------------------------------------

/** A pattern unit: a literal character, `*` (any run, possibly empty) or `?` (exactly one character). */
type Unit = string | { wild: "*" | "?" };
const STAR: Unit = { wild: "*" };
const ONE: Unit = { wild: "?" };

function literalUnits(text: string): Unit[] {
  return Array.from(text, (c) => c);
}

function globUnits(pattern: string): Unit[] {
  return Array.from(pattern, (c) => (c === "*" ? STAR : c === "?" ? ONE : c));
}

/** Wildcard match of `units` against the whole of `value` (iterative, no exponential backtracking). */
function matchUnits(units: Unit[], value: string, ignoreCase: boolean): boolean {
  const v = Array.from(ignoreCase ? value.toLowerCase() : value);
  const p = ignoreCase ? units.map((u) => (typeof u === "string" ? u.toLowerCase() : u)) : units;
  let pi = 0;
  let vi = 0;
  let starP = -1;
  let starV = 0;
  while (vi < v.length) {
    const u = p[pi];
    if (u !== undefined && (u === ONE || (typeof u === "string" && u === v[vi]))) {
      pi++;
      vi++;
    } else if (u === STAR) {
      starP = pi++;
      starV = vi;
    } else if (starP >= 0) {
      pi = starP + 1;
      vi = ++starV;
    } else {
      return false;
    }
  }
  while (p[pi] === STAR) pi++;
  return pi === p.length;
}

/** `*` and `?` wildcard match of a whole string. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  return matchUnits(globUnits(pattern), value, ignoreCase);
}

/** Action match: service prefix and action name are both case-insensitive; wildcards anywhere. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, true);
}

function splitUnitsOnColon(units: Unit[], maxParts: number): Unit[][] {
  const parts: Unit[][] = [[]];
  for (const u of units) {
    if (u === ":" && parts.length < maxParts) parts.push([]);
    else (parts[parts.length - 1] as Unit[]).push(u);
  }
  return parts;
}

function splitArn(value: string): string[] | undefined {
  const parts: string[] = [];
  let rest = value;
  for (let i = 0; i < 5; i++) {
    const idx = rest.indexOf(":");
    if (idx < 0) return undefined;
    parts.push(rest.slice(0, idx));
    rest = rest.slice(idx + 1);
  }
  parts.push(rest);
  return parts;
}

/**
 * ARN match, component by component (arn:partition:service:region:account:resource). A wildcard
 * in one of the first five components never crosses a colon; the resource component is matched
 * as a whole (it may contain colons). `serviceIgnoreCase` makes the "arn" prefix and the service
 * component case-insensitive (IAM Resource matching); everything else is case-sensitive.
 * Patterns or values that are not six-part ARNs fall back to a whole-string wildcard match.
 */
function arnUnitsMatch(units: Unit[], value: string, serviceIgnoreCase: boolean): boolean {
  const pParts = splitUnitsOnColon(units, 6);
  const vParts = splitArn(value);
  if (pParts.length < 6 || vParts === undefined) return matchUnits(units, value, false);
  for (let i = 0; i < 6; i++) {
    const ic = serviceIgnoreCase && (i === 0 || i === 2);
    if (!matchUnits(pParts[i] as Unit[], vParts[i] as string, ic)) return false;
  }
  return true;
}

/** IAM Resource-element match of one pattern against the requested resource. */
export function resourceMatches(pattern: string, resource: string): boolean {
  return arnUnitsMatch(globUnits(pattern), resource, true);
}

// ---------------------------------------------------------------------------------------------
// Request context keys and policy variables
// ---------------------------------------------------------------------------------------------

class ContextKeys {
  private readonly map = new Map<string, string[] | undefined>();

  constructor(ctx: RequestContext) {
    for (const [k, v] of Object.entries(ctx.keys)) {
      if (v === undefined) continue;
      this.map.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
    }
    const now = ctx.now ?? new Date();
    if (!this.map.has("aws:currenttime")) this.map.set("aws:currenttime", [now.toISOString().replace(/\.\d{3}Z$/, "Z")]);
    if (!this.map.has("aws:epochtime")) this.map.set("aws:epochtime", [String(Math.floor(now.getTime() / 1000))]);
  }

  get(key: string): string[] | undefined {
    return this.map.get(key.toLowerCase());
  }

  /** A single-valued key's value (policy variables can't use multivalued keys). */
  single(key: string): string | undefined {
    const v = this.get(key);
    return v !== undefined && v.length === 1 ? v[0] : undefined;
  }
}

/**
 * Substitutes `${key}` / `${key, 'default'}` policy variables (Version 2012-10-17 only) and the
 * escapes `${*}`, `${?}`, `${$}`. Substituted text is literal (never a wildcard). Returns
 * undefined when a variable has no value and no default: that value then matches nothing.
 */
function substituteUnits(text: string, keys: ContextKeys, variables: boolean, wildcards: boolean): Unit[] | undefined {
  const plain = (s: string): Unit[] => (wildcards ? globUnits(s) : literalUnits(s));
  if (!variables) return plain(text);
  const out: Unit[] = [];
  const re = /\$\{([^}]*)\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out.push(...plain(text.slice(last, m.index)));
    last = m.index + m[0].length;
    const inner = (m[1] as string).trim();
    if (inner === "*" || inner === "?" || inner === "$") {
      out.push(inner);
      continue;
    }
    const dm = /^([^,]+?)\s*,\s*'([^']*)'$/.exec(inner);
    const name = dm ? (dm[1] as string).trim() : inner;
    const value = keys.single(name) ?? (dm ? dm[2] : undefined);
    if (value === undefined) return undefined;
    out.push(...literalUnits(value));
  }
  out.push(...plain(text.slice(last)));
  return out;
}

function unitsToLiteral(units: Unit[]): string {
  return units.map((u) => (typeof u === "string" ? u : u.wild)).join("");
}

// ---------------------------------------------------------------------------------------------
// Scalar comparisons
// ---------------------------------------------------------------------------------------------

function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Dates: W3C/ISO 8601 strings or epoch seconds. Returns milliseconds. */
function parseDate(s: string): number | undefined {
  const t = s.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function compareNumbers(op: string, a: number, b: number): boolean {
  switch (op) {
    case "Equals":
      return a === b;
    case "LessThan":
      return a < b;
    case "LessThanEquals":
      return a <= b;
    case "GreaterThan":
      return a > b;
    case "GreaterThanEquals":
      return a >= b;
    default:
      return false;
  }
}

interface IpAddr {
  v6: boolean;
  value: bigint;
}

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseIpv6(s: string): bigint | undefined {
  let text = s;
  let tail: bigint[] = [];
  if (text.includes(".")) {
    // Embedded IPv4 tail (e.g. ::ffff:192.0.2.1): two 16-bit groups.
    const lastColon = text.lastIndexOf(":");
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (h: string): bigint[] | undefined => {
    if (h === "") return [];
    const groups = h.split(":");
    const out: bigint[] = [];
    for (const g of groups) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(parseInt(g, 16)));
    }
    return out;
  };
  const head = parseGroups(halves[0] as string);
  const rear = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (head === undefined || rear === undefined) return undefined;
  const fixed = head.length + rear.length + tail.length;
  let groups: bigint[];
  if (halves.length === 2) {
    if (fixed > 7) return undefined;
    groups = [...head, ...new Array<bigint>(8 - fixed).fill(0n), ...rear, ...tail];
  } else {
    if (fixed !== 8) return undefined;
    groups = [...head, ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

function parseIp(s: string): IpAddr | undefined {
  const t = s.trim();
  if (t.includes(":")) {
    const v = parseIpv6(t);
    return v === undefined ? undefined : { v6: true, value: v };
  }
  const v = parseIpv4(t);
  return v === undefined ? undefined : { v6: false, value: v };
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

/** Whether IP `ip` is inside the CIDR block `cidr` (a bare address means /32 or /128). */
export function ipInCidr(ip: string, cidr: string): boolean {
  let addr = parseIp(ip);
  const slash = cidr.indexOf("/");
  const net = parseIp(slash < 0 ? cidr : cidr.slice(0, slash));
  if (addr === undefined || net === undefined) return false;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) matches IPv4 blocks.
  if (addr.v6 && !net.v6 && addr.value >> 32n === 0xffffn) addr = { v6: false, value: addr.value - V4_MAPPED_PREFIX };
  if (addr.v6 !== net.v6) return false;
  const bits = net.v6 ? 128 : 32;
  let len = bits;
  if (slash >= 0) {
    const lenText = cidr.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return false;
    len = Number(lenText);
    if (len > bits) return false;
  }
  const shift = BigInt(bits - len);
  return addr.value >> shift === net.value >> shift;
}

function base64Equal(a: string, b: string): boolean {
  const norm = (s: string) => Buffer.from(s.trim(), "base64");
  const x = norm(a);
  const y = norm(b);
  return x.length > 0 && x.equals(y);
}

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

const NEGATED: Partial<Record<BaseConditionOperator, BaseConditionOperator>> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  NumericNotEquals: "NumericEquals",
  DateNotEquals: "DateEquals",
  NotIpAddress: "IpAddress",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
};

/** Does request value `ctxValue` match policy value `policyValue` for a positive (non-negated) operator? */
function positiveMatch(op: BaseConditionOperator, ctxValue: string, policyValue: string, keys: ContextKeys, variables: boolean): boolean {
  switch (op) {
    case "StringEquals":
    case "StringEqualsIgnoreCase": {
      const units = substituteUnits(policyValue, keys, variables, false);
      if (units === undefined) return false;
      const expected = unitsToLiteral(units);
      return op === "StringEquals" ? ctxValue === expected : ctxValue.toLowerCase() === expected.toLowerCase();
    }
    case "StringLike": {
      const units = substituteUnits(policyValue, keys, variables, true);
      return units !== undefined && matchUnits(units, ctxValue, false);
    }
    case "NumericEquals":
    case "NumericLessThan":
    case "NumericLessThanEquals":
    case "NumericGreaterThan":
    case "NumericGreaterThanEquals": {
      const a = parseNumber(ctxValue);
      const b = parseNumber(policyValue);
      return a !== undefined && b !== undefined && compareNumbers(op.slice("Numeric".length), a, b);
    }
    case "DateEquals":
    case "DateLessThan":
    case "DateLessThanEquals":
    case "DateGreaterThan":
    case "DateGreaterThanEquals": {
      const a = parseDate(ctxValue);
      const b = parseDate(policyValue);
      return a !== undefined && b !== undefined && compareNumbers(op.slice("Date".length), a, b);
    }
    case "Bool": {
      const units = substituteUnits(policyValue, keys, variables, false);
      if (units === undefined) return false;
      const expected = unitsToLiteral(units).toLowerCase();
      const actual = ctxValue.toLowerCase();
      return (actual === "true" || actual === "false") && actual === expected;
    }
    case "BinaryEquals":
      return base64Equal(ctxValue, policyValue);
    case "IpAddress":
      return ipInCidr(ctxValue, policyValue);
    case "ArnEquals":
    case "ArnLike": {
      // IAM: both are case-sensitive, component-wise, and both accept * and ? wildcards.
      const units = substituteUnits(policyValue, keys, variables, true);
      return units !== undefined && splitArn(ctxValue) !== undefined && arnUnitsMatch(units, ctxValue, false);
    }
    default:
      return false;
  }
}

function asStrings(values: ConditionValues): string[] {
  return (Array.isArray(values) ? values : [values]).map((v) => String(v));
}

/** Evaluates one (operator, key, values) triple per the IAM condition rules. */
function evaluateConditionKey(
  op: ParsedConditionOperator,
  key: string,
  policyValues: string[],
  keys: ContextKeys,
  variables: boolean,
): boolean {
  const ctxValues = keys.get(key);
  const absent = ctxValues === undefined || ctxValues.length === 0;

  if (op.base === "Null") {
    // "true": the key must be absent; "false": it must be present. Values are ORed.
    return policyValues.some((v) => {
      const b = v.toLowerCase();
      return b === "true" ? absent : b === "false" ? !absent : false;
    });
  }

  const positive = NEGATED[op.base];
  const negated = positive !== undefined;
  const base = positive ?? op.base;
  const anyPolicyValue = (ctxValue: string) => policyValues.some((p) => positiveMatch(base, ctxValue, p, keys, variables));
  const perValue = (ctxValue: string) => (negated ? !anyPolicyValue(ctxValue) : anyPolicyValue(ctxValue));

  if (op.qualifier === "ForAllValues") {
    // True when every request value matches; an absent key or empty set is vacuously true.
    return absent || (ctxValues as string[]).every(perValue);
  }
  if (op.qualifier === "ForAnyValue") {
    if (absent) return op.ifExists;
    return (ctxValues as string[]).some(perValue);
  }
  if (absent) {
    // IfExists: a missing key passes. Negated operators on a missing key evaluate to true.
    return op.ifExists || negated;
  }
  // Policy values are ORed; for a negated operator they are NORed.
  const values = ctxValues as string[];
  return negated ? !values.some(anyPolicyValue) : values.some(anyPolicyValue);
}

/** Evaluates a Condition block: operators ANDed, keys within an operator ANDed, values ORed. */
export function evaluateCondition(condition: ConditionBlock | undefined, ctx: RequestContext, version?: string): boolean {
  return conditionHolds(condition, new ContextKeys(ctx), version === "2012-10-17");
}

function conditionHolds(condition: ConditionBlock | undefined, keys: ContextKeys, variables: boolean): boolean {
  if (condition === undefined) return true;
  for (const [opName, block] of Object.entries(condition)) {
    const op = parseConditionOperator(opName, false);
    if (op === undefined) return false; // unknown operator: the statement never applies
    for (const [key, values] of Object.entries(block)) {
      if (!evaluateConditionKey(op, key, asStrings(values), keys, variables)) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

function accountOfArn(arn: string): string | undefined {
  const parts = splitArn(arn);
  return parts?.[4] || undefined;
}

function principalMatches(principal: PrincipalValue, keys: ContextKeys): boolean {
  if (principal === "*") return true;
  const arn = keys.single("aws:PrincipalArn");
  const account = keys.single("aws:PrincipalAccount") ?? (arn ? accountOfArn(arn) : undefined);
  for (const [type, raw] of Object.entries(principal)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      if (type === "AWS") {
        if (v === "*") return true;
        if (/^\d{12}$/.test(v) && v === account) return true;
        const m = /^arn:[^:]+:iam::(\d{12}):root$/.exec(v);
        if (m && m[1] === account) return true;
        if (arn !== undefined && v === arn) return true;
      } else if (type === "Service") {
        if (v === "*" || v === keys.single("aws:PrincipalServiceName")) return true;
      } else if (v === "*") {
        return true;
      }
    }
  }
  return false;
}

function resourcePatternMatches(pattern: string, resource: string, keys: ContextKeys, variables: boolean): boolean {
  const units = substituteUnits(pattern, keys, variables, true);
  return units !== undefined && arnUnitsMatch(units, resource, true);
}

/** Does the statement apply to the request (Action, Resource, Principal and Condition all match)? */
export function statementApplies(stmt: PolicyStatement, ctx: RequestContext, version?: string): boolean {
  return applies(stmt, ctx, new ContextKeys(ctx), version === "2012-10-17");
}

function applies(stmt: PolicyStatement, ctx: RequestContext, keys: ContextKeys, variables: boolean): boolean {
  const actions = asList(stmt.Action);
  const notActions = asList(stmt.NotAction);
  if (actions !== undefined) {
    if (!actions.some((a) => actionMatches(a, ctx.action))) return false;
  } else if (notActions !== undefined) {
    if (notActions.some((a) => actionMatches(a, ctx.action))) return false;
  } else {
    return false;
  }

  const resources = asList(stmt.Resource);
  const notResources = asList(stmt.NotResource);
  if (resources !== undefined) {
    if (!resources.some((r) => resourcePatternMatches(r, ctx.resource, keys, variables))) return false;
  } else if (notResources !== undefined) {
    if (notResources.some((r) => resourcePatternMatches(r, ctx.resource, keys, variables))) return false;
  }

  if (stmt.Principal !== undefined && !principalMatches(stmt.Principal, keys)) return false;
  if (stmt.NotPrincipal !== undefined && principalMatches(stmt.NotPrincipal, keys)) return false;

  return conditionHolds(stmt.Condition, keys, variables);
}

// ---------------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------------

function evaluatePath(path: LevelPolicies[], ctx: RequestContext, policyType: Decision["policyType"]): Decision {
  const keys = new ContextKeys(ctx);
  const levels: Decision["levels"] = path.map((level) => {
    const allowedBy: PolicyMatch[] = [];
    const deniedBy: PolicyMatch[] = [];
    for (const policy of level.policies) {
      const variables = policy.document.Version === "2012-10-17";
      for (const stmt of statementsOf(policy.document)) {
        if (!applies(stmt, ctx, keys, variables)) continue;
        const match: PolicyMatch = { policyId: policy.id, policyName: policy.name };
        if (stmt.Sid !== undefined && stmt.Sid !== "") match.sid = stmt.Sid;
        if (stmt.Effect === "Deny") deniedBy.push(match);
        else allowedBy.push(match);
      }
    }
    return { targetId: level.targetId, targetType: level.targetType, allowedBy, deniedBy };
  });

  const decision = (kind: Decision["kind"], decidingLevel: Decision["decidingLevel"]): Decision => {
    const d: Decision = { allowed: kind === "ALLOWED", kind, policyType, levels };
    if (decidingLevel !== undefined) d.decidingLevel = decidingLevel;
    return d;
  };
  const describe = (level: Decision["levels"][number], match?: PolicyMatch): NonNullable<Decision["decidingLevel"]> => {
    const out: NonNullable<Decision["decidingLevel"]> = { targetId: level.targetId, targetType: level.targetType };
    if (match !== undefined) {
      out.policyId = match.policyId;
      out.policyName = match.policyName;
      if (match.sid !== undefined) out.statementSid = match.sid;
    }
    return out;
  };

  const denying = levels.find((l) => l.deniedBy.length > 0);
  if (denying !== undefined) return decision("EXPLICIT_DENY", describe(denying, denying.deniedBy[0]));
  const notAllowing = levels.find((l) => l.allowedBy.length === 0);
  if (notAllowing !== undefined) return decision("IMPLICIT_DENY", describe(notAllowing));
  const last = levels[levels.length - 1];
  return decision("ALLOWED", last === undefined ? undefined : describe(last, last.allowedBy[0]));
}

/**
 * SCP semantics: the action must be allowed by at least one policy at EVERY level of the path
 * (root first, then each OU, then the account), and explicitly denied by none at any level. A
 * level with no policies at all denies implicitly. An empty path allows (nothing restricts).
 */
export function evaluateScps(path: LevelPolicies[], ctx: RequestContext): Decision {
  return evaluatePath(path, ctx, SERVICE_CONTROL_POLICY);
}

/** RCP semantics: identical to SCPs (RCPFullAWSAccess supplies the Allow at every level). */
export function evaluateRcps(path: LevelPolicies[], ctx: RequestContext): Decision {
  return evaluatePath(path, ctx, RESOURCE_CONTROL_POLICY);
}

/**
 * AWS's enhanced access-denied message for a denial by an SCP or RCP:
 *
 * - `User: <arn> is not authorized to perform: <action> on resource: <resource> with an explicit deny in a service control policy: <policy ARN>`
 * - `User: <arn> is not authorized to perform: <action> on resource: <resource> because no service control policy allows the <action> action`
 *
 * ("resource control policy" for RCPs.) ` on resource: ...` is omitted when the resource is "*"
 * (actions without resource-level permissions); `: <policy ARN>` is omitted when `policyArnOf`
 * returns an empty string. Returns "" for an ALLOWED decision.
 */
export function denialMessage(
  principalArn: string,
  ctx: RequestContext,
  decision: Decision,
  policyArnOf: (policyId: string) => string,
): string {
  if (decision.allowed) return "";
  const typeLabel = decision.policyType === RESOURCE_CONTROL_POLICY ? "resource control policy" : "service control policy";
  const onResource = ctx.resource === "" || ctx.resource === "*" ? "" : ` on resource: ${ctx.resource}`;
  const head = `User: ${principalArn} is not authorized to perform: ${ctx.action}${onResource}`;
  if (decision.kind === "EXPLICIT_DENY") {
    const policyId = decision.decidingLevel?.policyId;
    const arn = policyId !== undefined ? policyArnOf(policyId) : "";
    return `${head} with an explicit deny in a ${typeLabel}${arn ? `: ${arn}` : ""}`;
  }
  return `${head} because no ${typeLabel} allows the ${ctx.action} action`;
}

/**
 * Principals SCPs never restrict: service-linked roles (`arn:aws:iam::<id>:role/aws-service-role/...`)
 * and their sessions (`arn:aws:sts::<id>:assumed-role/AWSServiceRoleFor.../...`).
 */
export function isExemptPrincipal(principalArn: string): boolean {
  if (/^arn:aws[a-z-]*:iam::\d{12}:role\/aws-service-role\/.+/.test(principalArn)) return true;
  if (/^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/AWSServiceRoleFor[^/]*\/.+/.test(principalArn)) return true;
  return false;
}
