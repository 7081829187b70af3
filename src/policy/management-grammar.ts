/**
 * The grammar of management policy types (tag, backup, AI services opt-out, chatbot, declarative,
 * Security Hub, ...): JSON objects of each type's own settings, combined down the tree with the
 * inheritance operators `@@assign`, `@@append`, `@@remove` and
 * `@@operators_allowed_for_child_policies`. Only the operators' syntax is checked here; a type's
 * own setting names are not.
 */
import { isObject, malformed, typeName } from "./malformed.js";
import type { JsonObject, JsonValue } from "./strict-json.js";

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
    if (!Array.isArray(value))
      throw malformed(`${path}: ${op} must be an array such as ["@@all"], ["@@none"] or ["@@assign", "@@append"], not ${typeName(value)}.`);
    if (value.length === 0) throw malformed(`${path}: ${op} must not be an empty array; use ["@@none"] to allow no operators.`);
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (typeof item !== "string" || !CHILD_CONTROL_VALUES.includes(item)) {
        const shown = typeof item === "string" ? `"${item}"` : typeName(item);
        throw malformed(
          `${path}[${i}]: ${shown} is not a valid value for ${op}; use @@all, @@none, or one or more of @@assign, @@append, @@remove.`,
        );
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
      throw malformed(
        `${path}: the value of @@assign must be a string, number, boolean or an array of them, not ${typeName(value)}; nest settings as keys instead.`,
      );
    }
    if (Array.isArray(value)) scalarItems(value);
    return;
  }
  // @@append / @@remove
  if (!Array.isArray(value))
    throw malformed(`${path}: ${op} can be used only with multi-valued settings; its value must be an array, not ${typeName(value)}.`);
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
      if (path === "")
        throw malformed(`${keyPath}: inheritance operators can't be used at the top level of a policy; apply them to a policy setting.`);
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
        if (item === null || typeof item === "object")
          throw malformed(`${keyPath}[${i}]: setting values must be strings, numbers or booleans, not ${typeName(item)}.`);
      });
    }
  }
  if (hasValueOperator && hasChildKey) {
    throw malformed(`${path}: a policy element can't combine value-setting operators (@@assign, @@append, @@remove) with nested settings.`);
  }
}

/** Checks a management policy (already parsed JSON) against the inheritance-operator grammar. */
export function validateManagementPolicy(root: JsonValue): JsonObject {
  if (!isObject(root)) throw malformed(`The policy must be a JSON object, not ${typeName(root)}.`);
  validateManagementNode(root, "");
  return root;
}
