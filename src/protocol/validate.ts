/**
 * Model-driven input validation, reporting violations in the order AWS does: type mismatches
 * first (they are found while deserializing, before any constraint is checked), then the
 * constraints member by member in the model's declaration order (required, enum, length, pattern,
 * range; list/map size before the elements).
 *
 * Model patterns are Java regular expressions (AWS validates with java.util.regex and a whole-value
 * match); they are translated to JS RegExps with the `u` flag and anchored to the whole value.
 */
import { AwsError } from "./errors.js";
import type { ServiceModel, Shape } from "./model.js";

export type ViolationReason =
  | "INPUT_REQUIRED"
  | "INVALID_TYPE"
  | "MIN_LENGTH_EXCEEDED"
  | "MAX_LENGTH_EXCEEDED"
  | "INVALID_PATTERN"
  | "INVALID_ENUM"
  | "MIN_VALUE_EXCEEDED"
  | "MAX_VALUE_EXCEEDED"
  | "MIN_LIST_LENGTH"
  | "MAX_LIST_LENGTH"
  | "UNKNOWN_MEMBER";

export interface Violation {
  reason: ViolationReason;
  /** Where, with wire member names: "Email", "Tags[0].Key", "Attributes[\"k\"]" (map value). "" = the input itself. */
  path: string;
  value: unknown;
  /** The violated constraint: the pattern, the bound, the enum set "[A, B]", the expected type, "required". */
  constraint: string;
  /** The shape the value was checked against. */
  shapeName: string;
  /** The shape is `sensitive`: messages must not echo the value. */
  sensitive?: boolean;
  /** Set when a map's key failed (the path then names the map and `value` is the key). */
  mapPart?: "key";
}

// ---------------------------------------------------------------------------------------------
// Java regex -> JS RegExp
// ---------------------------------------------------------------------------------------------

/** Java's \s (no UNICODE_CHARACTER_CLASS): [ \t\n\x0B\f\r] — narrower than JS's \s. */
const JAVA_SPACE = "\\t\\n\\x0B\\f\\r ";
/** Java's \S as class contents (JS's \S would also exclude non-ASCII spaces such as U+00A0). */
const JAVA_NON_SPACE = "\\x00-\\x08\\x0E-\\x1F!-\\u{10FFFF}";
const JAVA_HSPACE = " \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000";
const JAVA_VSPACE = "\\n\\x0B\\f\\r\\x85\\u2028\\u2029";
/** Java's `.` without DOTALL excludes these line terminators (JS's `.` lacks U+0085). */
const JAVA_DOT = "[^\\n\\r\\x85\\u2028\\u2029]";

const GENERAL_CATEGORIES = new Set([
  "L", "LC", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps", "Pe",
  "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Co", "Cs", "Cn",
]);

/** POSIX classes of java.util.regex (US-ASCII), as class contents. */
const POSIX_CLASSES: Record<string, string> = {
  Lower: "a-z",
  Upper: "A-Z",
  ASCII: "\\x00-\\x7F",
  Alpha: "a-zA-Z",
  Digit: "0-9",
  Alnum: "a-zA-Z0-9",
  Punct: "!-\\/:-@\\[-`{-~",
  Graph: "!-~",
  Print: " -~",
  Blank: " \\t",
  Cntrl: "\\x00-\\x1F\\x7F",
  XDigit: "0-9a-fA-F",
  Space: JAVA_SPACE,
};

/** Java binary properties / `java*` classes with a JS counterpart. */
const BINARY_PROPERTIES: Record<string, string> = {
  Alphabetic: "\\p{Alphabetic}",
  Ideographic: "\\p{Ideographic}",
  Letter: "\\p{L}",
  Lowercase: "\\p{Lowercase}",
  Uppercase: "\\p{Uppercase}",
  Titlecase: "\\p{Lt}",
  Punctuation: "\\p{P}",
  Control: "\\p{Cc}",
  White_Space: "\\p{White_Space}",
  WhiteSpace: "\\p{White_Space}",
  Digit: "\\p{Nd}",
  Hex_Digit: "\\p{Hex_Digit}",
  HexDigit: "\\p{Hex_Digit}",
  Join_Control: "\\p{Join_Control}",
  JoinControl: "\\p{Join_Control}",
  Noncharacter_Code_Point: "\\p{Noncharacter_Code_Point}",
  NoncharacterCodePoint: "\\p{Noncharacter_Code_Point}",
  Assigned: "\\P{Cn}",
  Emoji: "\\p{Emoji}",
  javaLowerCase: "\\p{Lowercase}",
  javaUpperCase: "\\p{Uppercase}",
  javaAlphabetic: "\\p{Alphabetic}",
  javaIdeographic: "\\p{Ideographic}",
  javaLetter: "\\p{L}",
  javaDigit: "\\p{Nd}",
  javaTitleCase: "\\p{Lt}",
  javaISOControl: "\\p{Cc}",
};

/** A translated `\p{...}`: either one JS property escape or the contents of a character class. */
type PropertyTranslation = { kind: "escape"; js: string } | { kind: "set"; content: string };

function translateProperty(name: string, negated: boolean, pattern: string): PropertyTranslation {
  const p = negated ? "P" : "p";
  const flip = (js: string): string => (negated ? (js.startsWith("\\p") ? `\\P${js.slice(2)}` : `\\p${js.slice(2)}`) : js);
  if (POSIX_CLASSES[name] !== undefined) return { kind: "set", content: POSIX_CLASSES[name] };
  if (GENERAL_CATEGORIES.has(name)) return { kind: "escape", js: `\\${p}{${name}}` };
  if (name.startsWith("Is")) {
    const rest = name.slice(2);
    if (GENERAL_CATEGORIES.has(rest)) return { kind: "escape", js: `\\${p}{${rest}}` };
    if (BINARY_PROPERTIES[rest] !== undefined) return { kind: "escape", js: flip(BINARY_PROPERTIES[rest]) };
    return { kind: "escape", js: `\\${p}{Script=${rest}}` };
  }
  if (BINARY_PROPERTIES[name] !== undefined) return { kind: "escape", js: flip(BINARY_PROPERTIES[name]) };
  const eq = name.indexOf("=");
  if (eq > 0) {
    const key = name.slice(0, eq).toLowerCase();
    const value = name.slice(eq + 1);
    if (key === "script" || key === "sc") return { kind: "escape", js: `\\${p}{Script=${value}}` };
    if (key === "general_category" || key === "gc") return { kind: "escape", js: `\\${p}{General_Category=${value}}` };
  }
  throw new Error(`orgsim: unsupported Java regex property \\${p}{${name}} in pattern ${pattern}`);
}

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const codeEscape = (cp: number): string => `\\u{${cp.toString(16).toUpperCase()}}`;

interface Translated {
  source: string;
  flags: string;
}

/** Translates a java.util.regex pattern to an equivalent JS (`u` flag) source. */
export function translateJavaRegex(pattern: string): Translated {
  let i = 0;
  let flags = "";
  // Leading inline flags, e.g. "(?s).*" (JS of Node 20 has no inline modifiers).
  const lead = /^\(\?([imsux]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]) {
      if (f === "i" || f === "m" || f === "s") flags += flags.includes(f) ? "" : f;
      else if (f === "x") throw new Error(`orgsim: unsupported Java regex flag (?x) in pattern ${pattern}`);
      // "u" (Unicode case folding) is implied by the JS `u` flag.
    }
    i = lead[0].length;
  }
  const dotAll = flags.includes("s");
  let out = "";

  /** Reads an escape at pattern[i] === "\\"; returns [kind, text, nextIndex]. */
  const readEscape = (at: number, inClass: boolean): { text: string; isSet: boolean; next: number } => {
    const c = pattern[at + 1];
    if (c === undefined) throw new Error(`orgsim: trailing backslash in pattern ${pattern}`);
    let next = at + 2;
    switch (c) {
      case "p":
      case "P": {
        let name: string;
        if (pattern[next] === "{") {
          const close = pattern.indexOf("}", next);
          if (close < 0) throw new Error(`orgsim: unclosed \\p{ in pattern ${pattern}`);
          name = pattern.slice(next + 1, close);
          next = close + 1;
        } else {
          name = pattern[next] ?? "";
          next += 1;
        }
        const t = translateProperty(name, c === "P", pattern);
        if (t.kind === "escape") return { text: t.js, isSet: true, next };
        if (inClass) {
          if (c === "P") throw new Error(`orgsim: unsupported negated class \\P{${name}} inside [] in pattern ${pattern}`);
          return { text: t.content, isSet: true, next };
        }
        return { text: `[${c === "P" ? "^" : ""}${t.content}]`, isSet: true, next };
      }
      case "d":
      case "D":
      case "w":
      case "W":
        return { text: `\\${c}`, isSet: true, next };
      case "s":
        return { text: inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`, isSet: true, next };
      case "S":
        return { text: inClass ? JAVA_NON_SPACE : `[^${JAVA_SPACE}]`, isSet: true, next };
      case "h":
        return { text: inClass ? JAVA_HSPACE : `[${JAVA_HSPACE}]`, isSet: true, next };
      case "v":
        return { text: inClass ? JAVA_VSPACE : `[${JAVA_VSPACE}]`, isSet: true, next };
      case "H":
      case "V":
        if (inClass) throw new Error(`orgsim: unsupported \\${c} inside [] in pattern ${pattern}`);
        return { text: `[^${c === "H" ? JAVA_HSPACE : JAVA_VSPACE}]`, isSet: true, next };
      case "R":
        if (inClass) throw new Error(`orgsim: unsupported \\R inside [] in pattern ${pattern}`);
        return { text: `(?:\\r\\n|[${JAVA_VSPACE}])`, isSet: true, next };
      case "t":
      case "n":
      case "r":
      case "f":
        return { text: `\\${c}`, isSet: false, next };
      case "a":
        return { text: "\\x07", isSet: false, next };
      case "e":
        return { text: "\\x1B", isSet: false, next };
      case "c": {
        const ctl = pattern[next];
        if (ctl === undefined) throw new Error(`orgsim: bad \\c in pattern ${pattern}`);
        return { text: codeEscape(ctl.charCodeAt(0) ^ 64), isSet: false, next: next + 1 };
      }
      case "b":
        return { text: inClass ? "\\x08" : "\\b", isSet: false, next };
      case "B":
        if (inClass) throw new Error(`orgsim: bad \\B inside [] in pattern ${pattern}`);
        return { text: "\\B", isSet: false, next };
      case "A":
        return { text: "^", isSet: false, next };
      case "z":
        return { text: "$", isSet: false, next };
      case "Z":
        return { text: "(?=\\n?$)", isSet: false, next };
      case "u": {
        let hex = pattern.slice(next, next + 4);
        if (hex.length !== 4 || ![...hex].every((h) => isHex(h))) throw new Error(`orgsim: bad \\u escape in pattern ${pattern}`);
        // Some AWS models write supplementary code points as \u10000-\u10FFFF (meant as U+10000..U+10FFFF,
        // though Java itself would read \u1000 followed by "0"): honour the evident intent.
        let end = next + 4;
        while (end < next + 6 && isHex(pattern[end])) end++;
        const longHex = pattern.slice(next, end);
        if (longHex.length > 4 && longHex.startsWith("1") && parseInt(longHex, 16) >= 0x10000 && parseInt(longHex, 16) <= 0x10ffff) {
          hex = longHex;
          next = end;
        } else {
          next += 4;
        }
        const cp = parseInt(hex, 16);
        // Keep \uHHHH form so surrogate pairs written as two escapes still combine under the `u` flag.
        return { text: hex.length === 4 ? `\\u${hex}` : codeEscape(cp), isSet: false, next };
      }
      case "x": {
        if (pattern[next] === "{") {
          const close = pattern.indexOf("}", next);
          if (close < 0) throw new Error(`orgsim: unclosed \\x{ in pattern ${pattern}`);
          return { text: codeEscape(parseInt(pattern.slice(next + 1, close), 16)), isSet: false, next: close + 1 };
        }
        const hex = pattern.slice(next, next + 2);
        if (hex.length !== 2 || !isHex(hex[0]) || !isHex(hex[1])) throw new Error(`orgsim: bad \\x escape in pattern ${pattern}`);
        return { text: `\\x${hex}`, isSet: false, next: next + 2 };
      }
      case "0": {
        let end = next;
        while (end < next + 3 && pattern[end] !== undefined && pattern[end]! >= "0" && pattern[end]! <= "7") end++;
        if (end === next) throw new Error(`orgsim: bad octal escape in pattern ${pattern}`);
        return { text: codeEscape(parseInt(pattern.slice(next, end), 8)), isSet: false, next: end };
      }
      case "k":
        if (inClass) throw new Error(`orgsim: bad \\k inside [] in pattern ${pattern}`);
        {
          const close = pattern.indexOf(">", next);
          return { text: pattern.slice(at, close + 1), isSet: false, next: close + 1 };
        }
      case "Q": {
        const close = pattern.indexOf("\\E", next);
        const literal = close < 0 ? pattern.slice(next) : pattern.slice(next, close);
        const text = [...literal].map((ch) => codeEscape(ch.codePointAt(0)!)).join("");
        return { text: inClass ? text : `(?:${text})`, isSet: false, next: close < 0 ? pattern.length : close + 2 };
      }
      case "G":
        throw new Error(`orgsim: unsupported \\G in pattern ${pattern}`);
      default:
        if (isDigit(c)) {
          if (inClass) throw new Error(`orgsim: bad backreference inside [] in pattern ${pattern}`);
          let end = next;
          while (isDigit(pattern[end])) end++;
          return { text: `\\${pattern.slice(at + 1, end)}`, isSet: false, next: end };
        }
        if (/[a-zA-Z]/.test(c)) throw new Error(`orgsim: unsupported Java regex escape \\${c} in pattern ${pattern}`);
        {
          // Any other escaped character is a literal (Java allows escaping any non-letter; JS's `u`
          // mode does not, e.g. "\-" outside a class or "\:" anywhere).
          const cp = pattern.codePointAt(at + 1)!;
          return { text: codeEscape(cp), isSet: false, next: at + 1 + (cp > 0xffff ? 2 : 1) };
        }
    }
  };

  /** Reads a character class starting at pattern[at] === "["; returns its JS contents (without brackets). */
  const readClass = (at: number): { text: string; next: number } => {
    let j = at + 1;
    let text = "";
    if (pattern[j] === "^") {
      text += "^";
      j++;
    }
    let first = true;
    let prevWasSet = false;
    for (;;) {
      const c = pattern[j];
      if (c === undefined) throw new Error(`orgsim: unclosed character class in pattern ${pattern}`);
      if (c === "]" && !first) return { text, next: j + 1 };
      if (c === "]") {
        // Java: a "]" right after "[" or "[^" is a literal.
        text += "\\]";
        j++;
        prevWasSet = false;
      } else if (c === "[") {
        // Java union "[a[bc]]": flatten a nested, non-negated class.
        if (pattern[j + 1] === "^") throw new Error(`orgsim: unsupported negated nested class in pattern ${pattern}`);
        const inner = readClass(j);
        text += inner.text;
        j = inner.next;
        prevWasSet = true;
      } else if (c === "&" && pattern[j + 1] === "&") {
        throw new Error(`orgsim: unsupported class intersection && in pattern ${pattern}`);
      } else if (c === "\\") {
        const e = readEscape(j, true);
        text += e.text;
        j = e.next;
        prevWasSet = e.isSet;
      } else if (c === "-") {
        const nextIsSet = pattern[j + 1] === "\\" && /[dDwWsSpPhHv]/.test(pattern[j + 2] ?? "");
        const nextIsNested = pattern[j + 1] === "[";
        text += prevWasSet || nextIsSet || nextIsNested ? "\\-" : "-";
        j++;
        prevWasSet = false;
      } else {
        const cp = pattern.codePointAt(j)!;
        const ch = String.fromCodePoint(cp);
        text += ch;
        j += ch.length;
        prevWasSet = false;
      }
      first = false;
    }
  };

  /** Whether pattern[at] === "{" starts a quantifier {n}, {n,} or {n,m}. */
  const quantifierAt = (at: number): number => {
    const m = /^\{\d+(,\d*)?\}/.exec(pattern.slice(at));
    return m ? m[0].length : 0;
  };

  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "\\") {
      const e = readEscape(i, false);
      out += e.text;
      i = e.next;
    } else if (c === "[") {
      const cls = readClass(i);
      out += `[${cls.text}]`;
      i = cls.next;
    } else if (c === "(") {
      if (pattern[i + 1] === "?") {
        const rest = pattern.slice(i + 2);
        if (rest.startsWith(":") || rest.startsWith("=") || rest.startsWith("!") || rest.startsWith("<=") || rest.startsWith("<!")) {
          out += "(?";
          i += 2;
        } else if (rest.startsWith(">")) {
          out += "(?:"; // atomic group: same matches for a whole-value test in all but pathological cases
          i += 3;
        } else if (/^<[a-zA-Z]/.test(rest)) {
          out += "(?";
          i += 2;
        } else {
          throw new Error(`orgsim: unsupported Java regex group (?${rest.slice(0, 3)} in pattern ${pattern}`);
        }
      } else {
        out += "(";
        i++;
      }
    } else if (c === "*" || c === "+" || c === "?" || (c === "{" && quantifierAt(i) > 0)) {
      const len = c === "{" ? quantifierAt(i) : 1;
      out += pattern.slice(i, i + len);
      i += len;
      if (pattern[i] === "+") i++; // possessive: drop (only backtracking behaviour differs)
      else if (pattern[i] === "?") {
        out += "?";
        i++;
      }
    } else if (c === "{" || c === "}" || c === "]") {
      out += `\\${c}`;
      i++;
    } else if (c === ".") {
      out += dotAll ? "." : JAVA_DOT;
      i++;
    } else {
      const cp = pattern.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      out += ch;
      i += ch.length;
    }
  }
  return { source: out, flags };
}

const patternCache = new Map<string, RegExp>();

/** The model pattern as a JS RegExp matching the whole value (cached). Throws on untranslatable patterns. */
export function compilePattern(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const { source, flags } = translateJavaRegex(pattern);
    re = new RegExp(`^(?:${source})$`, `u${flags}`);
    patternCache.set(pattern, re);
  }
  return re;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array);

/** Length in Unicode code points (as AWS counts), computed only when the UTF-16 length is ambiguous. */
function codePointLength(s: string): number {
  let n = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff && k + 1 < s.length) {
      const d = s.charCodeAt(k + 1);
      if (d >= 0xdc00 && d <= 0xdfff) k++;
    }
    n++;
  }
  return n;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_LIMIT = 9223372036854775808;

/** ISO-8601 date-time (or date) strings accepted for timestamps. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

export function isTimestampValue(v: unknown): boolean {
  if (v instanceof Date) return !Number.isNaN(v.getTime());
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v === "string") return ISO_TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v));
  return false;
}

function typeMatches(shape: Shape, value: unknown): boolean {
  switch (shape.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
    case "long":
      return typeof value === "number" && Number.isInteger(value) && Math.abs(value) <= INT64_LIMIT;
    case "double":
    case "float":
      return (typeof value === "number" && !Number.isNaN(value)) || value === "NaN" || value === "Infinity" || value === "-Infinity";
    case "boolean":
      return typeof value === "boolean";
    case "timestamp":
      return isTimestampValue(value);
    case "blob":
      return typeof value === "string" || value instanceof Uint8Array;
    case "list":
      return Array.isArray(value);
    case "map":
    case "structure":
      return isPlainObject(value);
    default:
      return true;
  }
}

const joinPath = (base: string, member: string): string => (base === "" ? member : `${base}.${member}`);

class Walker {
  readonly out: Violation[] = [];
  constructor(private readonly model: ServiceModel) {}

  private add(reason: ViolationReason, path: string, value: unknown, constraint: string, shapeName: string, shape: Shape | undefined, extra: Partial<Violation> = {}): void {
    const v: Violation = { reason, path, value, constraint, shapeName, ...extra };
    if (shape?.sensitive) v.sensitive = true;
    this.out.push(v);
  }

  walk(shapeName: string, value: unknown, path: string): void {
    const shape = this.model.shapes[shapeName];
    if (!shape) return;
    if (!typeMatches(shape, value)) {
      this.add("INVALID_TYPE", path, value, shape.type, shapeName, shape);
      return;
    }
    switch (shape.type) {
      case "structure": {
        const record = value as Record<string, unknown>;
        const required = new Set(shape.required ?? []);
        for (const [name, ref] of Object.entries(shape.members ?? {})) {
          const memberValue = record[name];
          const memberPath = joinPath(path, name);
          if (memberValue === undefined || memberValue === null) {
            if (required.has(name)) this.add("INPUT_REQUIRED", memberPath, memberValue ?? null, "required", ref.shape, this.model.shapes[ref.shape]);
            continue;
          }
          this.walk(ref.shape, memberValue, memberPath);
        }
        return;
      }
      case "list": {
        const list = value as unknown[];
        this.checkSize(shape, shapeName, list.length, list, path);
        if (!shape.member) return;
        list.forEach((item, index) => {
          const itemPath = `${path}[${index}]`;
          if (item === undefined || item === null) this.add("INPUT_REQUIRED", itemPath, null, "required", shape.member!.shape, this.model.shapes[shape.member!.shape]);
          else this.walk(shape.member!.shape, item, itemPath);
        });
        return;
      }
      case "map": {
        const map = value as Record<string, unknown>;
        const entries = Object.entries(map);
        this.checkSize(shape, shapeName, entries.length, map, path);
        for (const [key, item] of entries) {
          if (shape.key) {
            const before = this.out.length;
            this.walk(shape.key.shape, key, path);
            for (let k = before; k < this.out.length; k++) this.out[k]!.mapPart = "key";
          }
          const itemPath = `${path}[${JSON.stringify(key)}]`;
          if (!shape.value) continue;
          if (item === undefined || item === null) this.add("INPUT_REQUIRED", itemPath, null, "required", shape.value.shape, this.model.shapes[shape.value.shape]);
          else this.walk(shape.value.shape, item, itemPath);
        }
        return;
      }
      case "string": {
        const s = value as string;
        if (shape.enum && !shape.enum.includes(s)) this.add("INVALID_ENUM", path, s, `[${shape.enum.join(", ")}]`, shapeName, shape);
        if (shape.min !== undefined && (s.length < shape.min || codePointLength(s) < shape.min)) {
          this.add("MIN_LENGTH_EXCEEDED", path, s, String(shape.min), shapeName, shape);
        }
        if (shape.max !== undefined && s.length > shape.max && codePointLength(s) > shape.max) {
          this.add("MAX_LENGTH_EXCEEDED", path, s, String(shape.max), shapeName, shape);
        }
        if (shape.pattern !== undefined && !compilePattern(shape.pattern).test(s)) {
          this.add("INVALID_PATTERN", path, s, shape.pattern, shapeName, shape);
        }
        return;
      }
      case "integer":
      case "long":
      case "double":
      case "float": {
        if (typeof value !== "number") return; // "NaN"/"Infinity" strings of a double: no range check
        if (shape.min !== undefined && value < shape.min) this.add("MIN_VALUE_EXCEEDED", path, value, String(shape.min), shapeName, shape);
        if (shape.max !== undefined && value > shape.max) this.add("MAX_VALUE_EXCEEDED", path, value, String(shape.max), shapeName, shape);
        return;
      }
      case "blob": {
        const size = typeof value === "string" ? Buffer.byteLength(value, "base64") : (value as Uint8Array).byteLength;
        if (shape.min !== undefined && size < shape.min) this.add("MIN_LENGTH_EXCEEDED", path, value, String(shape.min), shapeName, shape);
        if (shape.max !== undefined && size > shape.max) this.add("MAX_LENGTH_EXCEEDED", path, value, String(shape.max), shapeName, shape);
        return;
      }
      default:
        return;
    }
  }

  private checkSize(shape: Shape, shapeName: string, size: number, value: unknown, path: string): void {
    if (shape.min !== undefined && size < shape.min) this.add("MIN_LIST_LENGTH", path, value, String(shape.min), shapeName, shape);
    if (shape.max !== undefined && size > shape.max) this.add("MAX_LIST_LENGTH", path, value, String(shape.max), shapeName, shape);
  }
}

/**
 * All violations of `input` against structure `shapeName`. An absent input (undefined/null) is
 * the empty structure; members the model does not know are ignored, as AWS does.
 */
export function findViolations(model: ServiceModel, shapeName: string, input: unknown): Violation[] {
  const walker = new Walker(model);
  walker.walk(shapeName, input === undefined || input === null ? {} : input, "");
  const all = walker.out;
  // Type errors surface while deserializing, before any constraint is checked.
  return [...all.filter((v) => v.reason === "INVALID_TYPE"), ...all.filter((v) => v.reason !== "INVALID_TYPE")];
}

// ---------------------------------------------------------------------------------------------
// Error builders
// ---------------------------------------------------------------------------------------------

/** Coral's JSON token names, used in SerializationException messages. */
function jsonTokenName(value: unknown): string {
  if (Array.isArray(value)) return "START_ARRAY";
  if (value === null || value === undefined) return "VALUE_NULL";
  switch (typeof value) {
    case "string":
      return "STRING_VALUE";
    case "number":
      return "NUMBER_VALUE";
    case "boolean":
      return value ? "VALUE_TRUE" : "VALUE_FALSE";
    default:
      return "START_OBJECT";
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: "a String",
  integer: "an Integer",
  long: "a Long",
  double: "a Double",
  float: "a Float",
  boolean: "a Boolean",
  timestamp: "a Date",
  blob: "a ByteBuffer",
  list: "a List",
  map: "a Map",
  structure: "a Structure",
};

/** The SerializationException AWS's JSON protocols answer when a value has the wrong JSON type. */
export function serializationError(v: Violation): AwsError {
  const where = v.path === "" ? "the request body" : `member ${v.path}`;
  let detail: string;
  if (Array.isArray(v.value)) detail = "Start of list found where not expected";
  else if (typeof v.value === "object" && v.value !== null && !(v.value instanceof Date)) detail = "Start of structure or map found where not expected";
  else detail = `${jsonTokenName(v.value)} can not be converted to ${TYPE_NAMES[v.constraint] ?? v.constraint}`;
  return new AwsError("SerializationException", `${detail} (${where}).`, { status: 400 });
}

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
    if (reason === "INVALID_PATTERN_TARGET_ID") message = `You specified a policy target ID that does not match the required pattern for member ${member}.`;
    else if (reason === "INVALID_SYNTAX_POLICY_ID") message = `You specified an invalid policy ID for member ${member}.`;
    else message = `You specified an invalid Amazon Resource Name (ARN) for the organization for member ${member}.`;
  } else if (isListElement && v.reason !== "INPUT_REQUIRED") {
    const list = v.path.slice(0, v.path.lastIndexOf("["));
    reason = "INVALID_LIST_MEMBER";
    message = `You provided a list to member ${list} that contains at least one invalid value: ${organizationsDetail(v, member)}`;
  }
  return new AwsError("InvalidInputException", message, { fields: { Reason: reason } });
}

/** Member path in AWS's (Coral's) notation: lowerCamelCase members, 1-based "N.member" list items. */
export function awsMemberPath(path: string): string {
  const parts: string[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) parts.push(m[1].charAt(0).toLowerCase() + m[1].slice(1));
    else if (m[2] !== undefined) parts.push(`${Number(m[2]) + 1}`, "member");
    else parts.push(JSON.parse(m[3]!) as string);
  }
  return parts.join(".");
}

/** Java-toString-like rendering of a value, as Coral prints it. */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(renderValue).join(", ")}]`;
  if (typeof value === "object" && !(value instanceof Uint8Array)) {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${renderValue(v)}`).join(", ")}}`;
  }
  return String(value);
}

function constraintText(v: Violation): string {
  switch (v.reason) {
    case "INPUT_REQUIRED":
      return "Member must not be null";
    case "INVALID_TYPE":
      return `Member must be of type ${v.constraint}`;
    case "MIN_LENGTH_EXCEEDED":
    case "MIN_LIST_LENGTH":
      return `Member must have length greater than or equal to ${v.constraint}`;
    case "MAX_LENGTH_EXCEEDED":
    case "MAX_LIST_LENGTH":
      return `Member must have length less than or equal to ${v.constraint}`;
    case "INVALID_PATTERN":
      return `Member must satisfy regular expression pattern: ${v.constraint}`;
    case "INVALID_ENUM":
      return `Member must satisfy enum value set: ${v.constraint}`;
    case "MIN_VALUE_EXCEEDED":
      return `Member must have value greater than or equal to ${v.constraint}`;
    case "MAX_VALUE_EXCEEDED":
      return `Member must have value less than or equal to ${v.constraint}`;
    case "UNKNOWN_MEMBER":
      return "Member is not known";
  }
}

/** The per-violation message text and field name used by the Coral-style validation errors. */
export function describeViolation(v: Violation): { name: string; constraint: string; text: string } {
  const name = awsMemberPath(v.path);
  const constraint = v.mapPart === "key" ? `Map keys must satisfy constraint: [${constraintText(v)}]` : constraintText(v);
  const shown = v.value === undefined || v.value === null ? "Value null" : v.sensitive ? "Value" : `Value '${renderValue(v.value)}'`;
  return { name, constraint, text: `${shown} at '${name}' failed to satisfy constraint: ${constraint}` };
}

function validationMessage(vs: Violation[]): string {
  const n = vs.length;
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${vs.map((v) => describeViolation(v).text).join("; ")}`;
}

/** awsQuery (STS) validation error: ValidationError, 400, Coral's "N validation error(s) detected" message. */
export function queryValidationError(vs: Violation[]): AwsError {
  return new AwsError("ValidationError", validationMessage(vs), { status: 400 });
}

/**
 * restJson (Account) validation error: ValidationException with reason fieldValidationFailed and a
 * fieldList. A wrong JSON type is a SerializationException instead (found while deserializing).
 */
export function restJsonValidationError(vs: Violation[]): AwsError {
  const typeError = vs.find((v) => v.reason === "INVALID_TYPE");
  if (typeError) return serializationError(typeError);
  return new AwsError("ValidationException", validationMessage(vs), {
    status: 400,
    fields: {
      reason: "fieldValidationFailed",
      fieldList: vs.map((v) => {
        const d = describeViolation(v);
        return { name: d.name, message: d.constraint };
      }),
    },
  });
}
