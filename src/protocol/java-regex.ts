/**
 * Model patterns are Java regular expressions (AWS validates with java.util.regex and a whole-value
 * match); they are translated here to JS RegExps with the `u` flag and anchored to the whole value.
 * Constructs with no faithful translation throw, so a model that uses one fails loudly at the
 * first value checked (a test compiles every pattern of every model).
 */

/** Java's \s (no UNICODE_CHARACTER_CLASS): [ \t\n\x0B\f\r] — narrower than JS's \s. */
const JAVA_SPACE = "\\t\\n\\x0B\\f\\r ";
/** Java's \S as class contents (JS's \S would also exclude non-ASCII spaces such as U+00A0). */
const JAVA_NON_SPACE = "\\x00-\\x08\\x0E-\\x1F!-\\u{10FFFF}";
const JAVA_HSPACE = " \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000";
const JAVA_VSPACE = "\\n\\x0B\\f\\r\\x85\\u2028\\u2029";
/** Java's `.` without DOTALL excludes these line terminators (JS's `.` lacks U+0085). */
const JAVA_DOT = "[^\\n\\r\\x85\\u2028\\u2029]";

const GENERAL_CATEGORIES = new Set([
  "L",
  "LC",
  "Lu",
  "Ll",
  "Lt",
  "Lm",
  "Lo",
  "M",
  "Mn",
  "Mc",
  "Me",
  "N",
  "Nd",
  "Nl",
  "No",
  "P",
  "Pc",
  "Pd",
  "Ps",
  "Pe",
  "Pi",
  "Pf",
  "Po",
  "S",
  "Sm",
  "Sc",
  "Sk",
  "So",
  "Z",
  "Zs",
  "Zl",
  "Zp",
  "C",
  "Cc",
  "Cf",
  "Co",
  "Cs",
  "Cn",
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
      if (pattern[i] === "+")
        i++; // possessive: drop (only backtracking behaviour differs)
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
