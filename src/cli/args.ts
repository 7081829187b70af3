/**
 * The command line's grammar, shared by every verb: `--name value`, `--name=value`, switches
 * (`--json`, `--no-control-api`), `--help`/`-h`, `--` to end options, and positional arguments.
 * Mistakes are UsageErrors (exit code 2) that name the option or argument and, for a mistyped
 * option, the nearest real one.
 */

/** Wrong use of the command: exit code 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  /** The flag without its dashes: "port", "principal-arn". */
  name: string;
  /** The value's placeholder ("N", "URL"); switches (flags without a value) have none. */
  value?: string;
  /** A switch that `--no-<name>` turns off. */
  negatable?: boolean;
  /** May be given more than once; the values are joined with commas. */
  repeatable?: boolean;
  help: string;
}

export interface Parsed {
  /** Values by option name; switches are true or false. */
  options: Map<string, string | boolean>;
  positionals: string[];
  /** --help or -h was given (nothing else was checked). */
  help: boolean;
}

/** Optimal string alignment distance: edits, with a swap of two neighbours counting as one ("prot" -> "port"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate nearest to `typed`: a unique one it starts, or one within a few edits; undefined when none is close. */
export function nearest(typed: string, candidates: readonly string[]): string | undefined {
  const prefixed = candidates.filter((c) => typed.length >= 2 && c.startsWith(typed));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

const HELP = new Set(["--help", "-h"]);

/** Parses argv (the words after the verb) against the verb's options. */
export function parseArgs(argv: readonly string[], options: readonly OptionSpec[]): Parsed {
  const parsed: Parsed = { options: new Map(), positionals: [], help: false };
  const endOfOptions = argv.indexOf("--");
  if ((endOfOptions === -1 ? argv : argv.slice(0, endOfOptions)).some((arg) => HELP.has(arg))) return { ...parsed, help: true };
  const byName = new Map(options.map((o) => [o.name, o]));
  const spellings = options.flatMap((o) => (o.negatable ? [o.name, `no-${o.name}`] : [o.name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      parsed.positionals.push(arg);
      continue;
    }
    const [written, inline] = arg.replace(/^--?/, "").split(/=(.*)/s, 2) as [string, string | undefined];
    const negated = written.startsWith("no-") && byName.get(written.slice(3))?.negatable === true;
    const spec = negated ? byName.get(written.slice(3)) : arg.startsWith("--") ? byName.get(written) : undefined;
    if (!spec) {
      const base = written.startsWith("no-") ? byName.get(written.slice(3)) : undefined;
      if (base?.value !== undefined)
        throw new UsageError(`unknown option --${written} (--${base.name} takes a value: --${base.name} ${base.value})`);
      const guess = nearest(written, spellings);
      throw new UsageError(`unknown option ${arg.split("=")[0]}${guess ? `; did you mean --${guess}?` : ""}`);
    }
    if (spec.value === undefined) {
      if (inline === undefined) parsed.options.set(spec.name, !negated);
      else if (negated) throw new UsageError(`--${written} takes no value`);
      else if (/^(true|yes|on|1)$/i.test(inline)) parsed.options.set(spec.name, true);
      else if (/^(false|no|off|0)$/i.test(inline)) parsed.options.set(spec.name, false);
      else throw new UsageError(`--${spec.name} is a switch: give it alone, or =true / =false, not "${inline}"`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && (next === "-" || !next.startsWith("--"))) value = argv[++i];
    }
    if (value === undefined || value === "") throw new UsageError(`option --${spec.name} needs a value (--${spec.name} ${spec.value})`);
    const earlier = parsed.options.get(spec.name);
    parsed.options.set(spec.name, spec.repeatable && typeof earlier === "string" ? `${earlier},${value}` : value);
  }
  return parsed;
}

/** The options' lines for a usage text: "  --port N      listen port ...", aligned. */
export function describeOptions(options: readonly OptionSpec[], extra: (o: OptionSpec) => string = () => ""): string[] {
  const shown = options.map((o) => {
    const flag = o.value === undefined && o.negatable ? `--[no-]${o.name}` : `--${o.name}${o.value ? ` ${o.value}` : ""}`;
    return [flag, `${o.help}${o.repeatable ? " (may repeat, or comma-separated)" : ""}${extra(o)}`] as const;
  });
  shown.push(["-h, --help", "this help"]);
  const width = Math.min(34, Math.max(...shown.map(([flag]) => flag.length)));
  return shown.map(([flag, help]) =>
    flag.length > width ? `  ${flag}\n  ${"".padEnd(width)}  ${help}` : `  ${flag.padEnd(width)}  ${help}`,
  );
}
