/**
 * Reading a parsed YAML document (or a plain object wrapped as one) value by value: each getter
 * checks the kind it expects and, when the value is not that, records a problem at the value's
 * site (its path and, for text, line and column) and goes on, so that one pass reports every
 * problem of a seed.
 */
import { Document, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, type Node as YamlNode } from "yaml";
import { problemAt, type SeedProblem, type Site } from "./errors.js";
import type { PlanTag } from "./plan.js";

export const ACCOUNT_ID = /^\d{12}$/;

/** A node of the document and where it is. */
export type Entry = { node: unknown; site: Site };

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

export class Reader {
  readonly problems: SeedProblem[] = [];

  constructor(
    readonly source: string,
    private readonly doc: Document,
    private readonly lines: LineCounter | undefined,
    /** Keys people write by mistake, and the key meant instead ("did you mean ...?"). */
    private readonly hints: Readonly<Record<string, string>> = {},
  ) {}

  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  site(node: unknown, path: string): Site {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!this.lines || !range) return { path };
    return { path, pos: this.lines.linePos(range[0]) };
  }

  problem(site: Site, message: string): void {
    this.problems.push(problemAt(this.source, site, message));
  }

  isNull(node: unknown): boolean {
    const n = this.resolve(node);
    return n === null || n === undefined || (isScalar(n) && n.value === null);
  }

  /** The entries of a mapping, with unknown keys reported (and a hint when one is near). */
  map(node: unknown, site: Site, keys: readonly string[], what: string, expected?: string): Map<string, Entry> | undefined {
    const n = this.resolve(node);
    if (!isMap(n)) {
      this.problem(site, `expected ${expected ?? `${what}: a mapping of ${keys.join(", ")}`}`);
      return undefined;
    }
    const out = new Map<string, Entry>();
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const keyNode = this.resolve(pair.key);
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      const keySite = this.site(keyNode, site.path);
      if (key === undefined) {
        this.problem(keySite, "keys must be plain names");
        continue;
      }
      const path = site.path ? `${site.path}.${key}` : key;
      if (!keys.includes(key)) {
        const hint =
          this.hints[key] && keys.includes(this.hints[key]!)
            ? this.hints[key]
            : keys.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
        this.problem(
          { ...keySite, path },
          `unknown key "${key}" in ${what}${hint ? `; did you mean "${hint}"?` : ""} (known: ${keys.join(", ")})`,
        );
        continue;
      }
      const value = pair.value ?? null;
      // An empty value (`key:`) points at its key.
      const valueSite = this.site(value && (value as { range?: unknown }).range ? value : keyNode, path);
      out.set(key, { node: value, site: valueSite });
    }
    return out;
  }

  list(entry: Entry | undefined, what: string): Entry[] {
    if (!entry || this.isNull(entry.node)) return [];
    const n = this.resolve(entry.node);
    if (!isSeq(n)) {
      this.problem(entry.site, `expected a list of ${what}`);
      return [];
    }
    return n.items.map((item, i) => ({ node: item, site: this.site(this.resolve(item), `${entry.site.path}[${i}]`) }));
  }

  scalar(entry: Entry): unknown {
    const n = this.resolve(entry.node);
    return isScalar(n) ? n.value : n === null || n === undefined ? null : undefined;
  }

  string(entry: Entry | undefined, what: string, required = false): string | undefined {
    if (!entry || this.isNull(entry.node)) {
      if (required && entry) this.problem(entry.site, `${what} is required`);
      return undefined;
    }
    const v = this.scalar(entry);
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    this.problem(entry.site, `expected ${what} as a string`);
    return undefined;
  }

  /** A 12-digit account id; YAML reads an unquoted one as a number, so its source text is used. */
  accountId(entry: Entry | undefined, what: string): string | undefined {
    if (!entry || this.isNull(entry.node)) return undefined;
    const n = this.resolve(entry.node);
    const raw = isScalar(n)
      ? typeof n.value === "number" && typeof n.source === "string" && n.source !== ""
        ? n.source
        : n.value
      : undefined;
    const text = typeof raw === "number" ? String(raw) : raw;
    if (typeof text === "string" && ACCOUNT_ID.test(text)) return text;
    const hint = typeof raw === "number" ? ' (write ids quoted: "012345678901")' : "";
    this.problem(entry.site, `expected a 12-digit account id for ${what}${typeof text === "string" ? `, got "${text}"` : ""}${hint}`);
    return undefined;
  }

  boolean(entry: Entry | undefined, what: string): boolean | undefined {
    if (!entry || this.isNull(entry.node)) return undefined;
    const v = this.scalar(entry);
    if (typeof v === "boolean") return v;
    this.problem(entry.site, `expected true or false for ${what}`);
    return undefined;
  }

  number(entry: Entry | undefined, what: string, min = 0): number | undefined {
    if (!entry || this.isNull(entry.node)) return undefined;
    const v = this.scalar(entry);
    if (typeof v === "number" && Number.isFinite(v) && v >= min) return v;
    this.problem(entry.site, `expected a number of at least ${min} for ${what}`);
    return undefined;
  }

  oneOf<T extends string>(entry: Entry | undefined, what: string, values: readonly T[]): T | undefined {
    const v = this.string(entry, what);
    if (v === undefined) return undefined;
    if ((values as readonly string[]).includes(v)) return v as T;
    this.problem(entry!.site, `expected one of ${values.join(", ")} for ${what}, got "${v}"`);
    return undefined;
  }

  tags(entry: Entry | undefined): PlanTag[] {
    if (!entry || this.isNull(entry.node)) return [];
    const n = this.resolve(entry.node);
    if (!isMap(n)) {
      this.problem(entry.site, "expected tags as a mapping of key: value, e.g. { Environment: prod }");
      return [];
    }
    const out: PlanTag[] = [];
    for (const pair of n.items) {
      const key = this.resolve(pair.key);
      const value = this.resolve(pair.value);
      const keyText = isScalar(key) && key.value !== null ? String(key.value) : undefined;
      if (keyText === undefined) {
        this.problem(this.site(key, entry.site.path), "a tag key must be a plain string");
        continue;
      }
      const v = isScalar(value) ? value.value : value === null || value === undefined ? null : undefined;
      if (v !== null && typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
        this.problem(this.site(value, `${entry.site.path}.${keyText}`), "a tag value must be a string");
        continue;
      }
      out.push({ Key: keyText, Value: v === null ? "" : String(v) });
    }
    return out;
  }

  /** Plain data of a node (for a policy document written as YAML). */
  toJS(entry: Entry): unknown {
    const n = this.resolve(entry.node) as YamlNode;
    return n && typeof (n as { toJSON?: unknown }).toJSON === "function" ? n.toJSON(this.doc) : null;
  }
}
