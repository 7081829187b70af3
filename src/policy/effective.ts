/**
 * Effective management policies (DescribeEffectivePolicy / ListEffectivePolicyValidationErrors),
 * per "Policy syntax and inheritance for management policy types" in the AWS Organizations User
 * Guide.
 *
 * Policies are merged root first, then each OU, then the account; within one level in attachment
 * order (the order of `contents`). Value-setting operators:
 * - `@@assign` overwrites the inherited value (single value or whole array). Within one level the
 *   policy attached first wins a conflicting `@@assign` (AWS's "Example 6").
 * - `@@append` adds values to an inherited array (multi-valued settings only).
 * - `@@remove` removes values from an inherited array (multi-valued settings only).
 * A plain value without an operator counts as `@@assign`.
 *
 * Child control: `@@operators_allowed_for_child_policies` (`["@@all"]`, `["@@none"]` or a list of
 * value-setting operators) at a node restricts the operators that policies at LOWER levels may use
 * at that node and everything under it. Restrictions from several policies (same or different
 * levels) intersect; a child can't widen them. A disallowed operation is ignored and reported in
 * `errors`.
 *
 * The effective policy shows plain values: operators are stripped, settings with no value are
 * omitted. Pure: no I/O.
 */
import { AwsError } from "../protocol/errors.js";
import { CHILD_CONTROL_OPERATOR, VALUE_SETTING_OPERATORS, type ValueSettingOperator } from "./management-grammar.js";
import { isAuthorizationPolicyType, isPolicyType } from "./policy-types.js";
import { JsonSyntaxError, parseOrderedJson, type OrderedJson } from "./strict-json.js";

export interface EffectivePolicyError {
  /** `OPERATOR_NOT_ALLOWED`, `OPERATOR_REQUIRES_MULTI_VALUED_SETTING` or `INVALID_POLICY_CONTENT`. */
  code: string;
  message: string;
  /** Dotted path of the setting within the effective policy (e.g. `tags.costcenter.tag_value`); "" for the whole policy. */
  path: string;
  /** Ids of the policies involved, when `policyIds` were supplied: the offending policy first. */
  contributingPolicies?: string[];
}

export interface EffectivePolicyLevel {
  targetId: string;
  /** Policy documents attached at this level, in attachment order. */
  contents: string[];
  /** Optional ids of those policies (same order), reported as contributing policies in errors. */
  policyIds?: string[];
}

export const EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED = "OPERATOR_NOT_ALLOWED";
export const EFFECTIVE_ERROR_MULTI_VALUED_ONLY = "OPERATOR_REQUIRES_MULTI_VALUED_SETTING";
export const EFFECTIVE_ERROR_INVALID_CONTENT = "INVALID_POLICY_CONTENT";

type Scalar = string | number | boolean;
type LeafValue = Scalar | Scalar[];

type ENode = { kind: "leaf"; value: LeafValue } | { kind: "container"; children: Map<string, ENode> };

interface Restriction {
  path: string[];
  level: number;
  allowed: ReadonlySet<ValueSettingOperator>;
  policyId?: string;
}

const ALL_OPERATORS: ReadonlySet<ValueSettingOperator> = new Set(VALUE_SETTING_OPERATORS);

function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

function scalarOf(node: OrderedJson): Scalar | undefined {
  return node.kind === "string" || node.kind === "number" || node.kind === "boolean" ? node.value : undefined;
}

/** A leaf value from JSON: a scalar or an array of scalars; undefined for anything else. */
function leafOf(node: OrderedJson): LeafValue | undefined {
  if (node.kind === "array") {
    const out: Scalar[] = [];
    for (const item of node.items) {
      const s = scalarOf(item);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
  return scalarOf(node);
}

class Merger {
  private readonly root: ENode = { kind: "container", children: new Map() };
  private readonly restrictions: Restriction[] = [];
  /** path -> level at which it was last @@assign-ed (for first-attached-wins within a level). */
  private readonly assignedAtLevel = new Map<string, number>();
  readonly errors: EffectivePolicyError[] = [];

  private level = 0;
  private policyId: string | undefined;

  mergePolicy(content: string, level: number, policyId: string | undefined): void {
    this.level = level;
    this.policyId = policyId;
    let doc: OrderedJson;
    try {
      doc = parseOrderedJson(content);
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      this.error(EFFECTIVE_ERROR_INVALID_CONTENT, `The policy content is not valid JSON: ${e.message}`, [], []);
      return;
    }
    if (doc.kind !== "object") {
      this.error(EFFECTIVE_ERROR_INVALID_CONTENT, "The policy content must be a JSON object.", [], []);
      return;
    }
    this.walk(doc.entries, []);
  }

  private error(code: string, message: string, path: string[], others: (string | undefined)[]): void {
    const err: EffectivePolicyError = { code, message, path: path.join(".") };
    const ids = [this.policyId, ...others].filter((id): id is string => id !== undefined);
    const unique = [...new Set(ids)];
    if (unique.length > 0) err.contributingPolicies = unique;
    this.errors.push(err);
  }

  private walk(entries: [string, OrderedJson][], path: string[]): void {
    const ops = new Map<string, OrderedJson>();
    for (const [key, value] of entries) {
      if (key.startsWith("@@")) ops.set(key, value);
    }

    const control = ops.get(CHILD_CONTROL_OPERATOR);
    if (control !== undefined) this.addRestriction(control, path);

    for (const op of VALUE_SETTING_OPERATORS) {
      const value = ops.get(op);
      if (value !== undefined) this.applyOperator(op, value, path);
    }
    for (const key of ops.keys()) {
      if (key !== CHILD_CONTROL_OPERATOR && !(VALUE_SETTING_OPERATORS as readonly string[]).includes(key)) {
        this.error(EFFECTIVE_ERROR_INVALID_CONTENT, `Unknown inheritance operator "${key}" ignored.`, path, []);
      }
    }

    for (const [key, value] of entries) {
      if (key.startsWith("@@")) continue;
      const childPath = [...path, key];
      if (value.kind === "object") this.walk(value.entries, childPath);
      else this.applyOperator("@@assign", value, childPath);
    }
  }

  private addRestriction(value: OrderedJson, path: string[]): void {
    const names = value.kind === "array" ? value.items.map((i) => (i.kind === "string" ? i.value : "")) : [];
    if (names.length === 0 || names.some((n) => !["@@all", "@@none", ...VALUE_SETTING_OPERATORS].includes(n))) {
      this.error(EFFECTIVE_ERROR_INVALID_CONTENT, `Invalid ${CHILD_CONTROL_OPERATOR} value ignored.`, path, []);
      return;
    }
    let allowed: Set<ValueSettingOperator>;
    if (names.includes("@@all")) allowed = new Set(ALL_OPERATORS);
    else if (names.includes("@@none")) allowed = new Set();
    else allowed = new Set(names as ValueSettingOperator[]);
    const r: Restriction = { path, level: this.level, allowed };
    if (this.policyId !== undefined) r.policyId = this.policyId;
    this.restrictions.push(r);
  }

  /** Restrictions inherited from higher levels that forbid `op` at `path`. */
  private blockingRestrictions(op: ValueSettingOperator, path: string[]): Restriction[] {
    return this.restrictions.filter((r) => r.level < this.level && isPrefix(r.path, path) && !r.allowed.has(op));
  }

  private applyOperator(op: ValueSettingOperator, value: OrderedJson, path: string[]): void {
    const blocking = this.blockingRestrictions(op, path);
    if (blocking.length > 0) {
      const allowedNow = [...ALL_OPERATORS].filter((o) =>
        this.restrictions.every((r) => !(r.level < this.level && isPrefix(r.path, path)) || r.allowed.has(o)),
      );
      const where = path.join(".");
      const permitted = allowedNow.length === 0 ? "no value-setting operators (@@none)" : `only ${allowedNow.join(", ")}`;
      this.error(
        EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED,
        `The ${op} operator at ${where} is not allowed: a parent policy's ${CHILD_CONTROL_OPERATOR} permits ${permitted} for child policies. The operation was ignored.`,
        path,
        blocking.map((r) => r.policyId),
      );
      return;
    }
    const leaf = leafOf(value);
    if (leaf === undefined) {
      this.error(
        EFFECTIVE_ERROR_INVALID_CONTENT,
        `The value of ${op} at ${path.join(".")} must be a string, number, boolean or an array of them.`,
        path,
        [],
      );
      return;
    }
    if (op === "@@assign") this.assign(path, leaf);
    else this.modifyArray(op, path, leaf);
  }

  private assign(path: string[], value: LeafValue): void {
    const key = JSON.stringify(path);
    // Policies attached to the same target: the one attached first wins a conflicting @@assign.
    if (this.assignedAtLevel.get(key) === this.level) return;
    this.assignedAtLevel.set(key, this.level);
    this.setNode(path, { kind: "leaf", value: Array.isArray(value) ? dedupe(value) : value });
  }

  private modifyArray(op: "@@append" | "@@remove", path: string[], value: LeafValue): void {
    const items = Array.isArray(value) ? value : [value];
    const current = this.getNode(path);
    if (current !== undefined && (current.kind === "container" ? current.children.size > 0 : !Array.isArray(current.value))) {
      this.error(
        EFFECTIVE_ERROR_MULTI_VALUED_ONLY,
        `The ${op} operator at ${path.join(".")} can be used only with multi-valued settings (arrays), but the inherited setting has a single value. The operation was ignored.`,
        path,
        [],
      );
      return;
    }
    const existing = current !== undefined && current.kind === "leaf" && Array.isArray(current.value) ? current.value : undefined;
    if (op === "@@append") {
      this.setNode(path, { kind: "leaf", value: dedupe([...(existing ?? []), ...items]) });
    } else if (existing !== undefined) {
      this.setNode(path, { kind: "leaf", value: existing.filter((v) => !items.includes(v)) });
    }
  }

  private getNode(path: string[]): ENode | undefined {
    let node: ENode | undefined = this.root;
    for (const key of path) {
      if (node === undefined || node.kind !== "container") return undefined;
      node = node.children.get(key);
    }
    return node;
  }

  private setNode(path: string[], leaf: ENode): void {
    let node = this.root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i] as string;
      if (node.kind !== "container") return;
      let next = node.children.get(key);
      if (next === undefined || next.kind !== "container") {
        next = { kind: "container", children: new Map() };
        node.children.set(key, next);
      }
      node = next;
    }
    if (node.kind === "container") node.children.set(path[path.length - 1] as string, leaf);
  }

  render(): string {
    return serialize(this.root) ?? "{}";
  }
}

function dedupe(values: Scalar[]): Scalar[] {
  const out: Scalar[] = [];
  for (const v of values) if (!out.includes(v)) out.push(v);
  return out;
}

/** Serializes the tree in insertion order, omitting containers without values. */
function serialize(node: ENode): string | undefined {
  if (node.kind === "leaf") return JSON.stringify(node.value);
  const parts: string[] = [];
  for (const [key, child] of node.children) {
    const s = serialize(child);
    if (s !== undefined) parts.push(`${JSON.stringify(key)}:${s}`);
  }
  return parts.length === 0 ? undefined : `{${parts.join(",")}}`;
}

/**
 * Computes the effective policy of a management policy type for the last target of `path`
 * (root first, then each OU, then the account). `content` is compact JSON without inheritance
 * operators (`"{}"` when nothing applies); `errors` lists the validation errors (for
 * ListEffectivePolicyValidationErrors). SCPs and RCPs have no effective policy here
 * (InvalidInputException).
 */
export function computeEffectivePolicy(
  policyType: string,
  path: EffectivePolicyLevel[],
): { content: string; errors: EffectivePolicyError[] } {
  if (!isPolicyType(policyType) || isAuthorizationPolicyType(policyType)) {
    throw new AwsError("InvalidInputException", `You specified an invalid value for the policy type: ${policyType}.`, {
      fields: { Reason: "INVALID_ENUM_POLICY_TYPE" },
    });
  }
  const merger = new Merger();
  path.forEach((level, levelIndex) => {
    level.contents.forEach((content, i) => merger.mergePolicy(content, levelIndex, level.policyIds?.[i]));
  });
  return { content: merger.render(), errors: merger.errors };
}
