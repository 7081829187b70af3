/**
 * JSON values and a strict (RFC 8259), position-reporting JSON parser for policy documents: it
 * keeps object member order, rejects duplicate keys and trailing content, and says where the text
 * goes wrong (line, column and character) in words a person can act on.
 */

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
        if (c === "'") this.fail('strings must be enclosed in double quotes ("), not single quotes');
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
      if (this.pos >= this.text.length) this.fail('unterminated string (missing closing ")', start);
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
        if (c === "'") this.fail('object keys must be enclosed in double quotes ("), not single quotes');
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
