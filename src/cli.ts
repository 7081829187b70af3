/**
 * The `orgsim` command: start (the server, optionally with a seed), and thin verbs over the
 * control API of a running server (reset, clock, account, explain, seed, export, events), with
 * output for people (`--json` for the raw answers).
 *
 * One table (VERBS) describes every verb: its words, arguments and options. Parsing, `--help`,
 * `orgsim help <verb>`, "did you mean" suggestions and the usage text all come from it; start's
 * options come from the settings table (SETTING_OPTIONS in config.ts).
 *
 * Exit codes (EXIT): 0 done; 1 the server refused or failed the request, can't be reached, a
 * seed was not applied, or orgsim could not start; 2 usage (unknown verb or option, missing
 * argument or value, unreadable file); 3 `orgsim explain` answered DENIED.
 */
import { readFile } from "node:fs/promises";
import {
  DEFAULT_SETTINGS,
  SETTING_OPTIONS,
  SettingsError,
  coerceSetting,
  envName,
  flagName,
  resolveSettings,
  type Settings,
} from "./config.js";
import { SeedError, formatProblem, type SeedProblem } from "./seed/errors.js";
import type { SeedResult } from "./seed/apply.js";
import { describeDuration, formatDurationSeconds, parseDurationSeconds } from "./duration.js";
import { UsageError, describeOptions, nearest, parseArgs, type OptionSpec, type Parsed } from "./cli/args.js";
import { Logger } from "./log.js";
import { orgsimVersion } from "./version.js";
import { plural } from "./words.js";
import { warnAboutExposure } from "./http/exposure.js";

/** What the process exits with; scripts may rely on these. */
export const EXIT = { done: 0, failed: 1, usage: 2, denied: 3 } as const;

/** The server refused or failed the request, or can't be reached: exit code 1. */
class ServerError extends Error {
  constructor(
    message: string,
    readonly problems: SeedProblem[] = [],
  ) {
    super(message);
  }
}

export function parseDuration(text: string): number {
  const seconds = parseDurationSeconds(text);
  if (seconds === undefined) throw new SettingsError(`cannot read the duration "${text}" (examples: 90, 30s, 15m, 2h, 4d)`);
  return seconds;
}

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

/** The control token the verbs present (--control-token, else $ORGSIM_CONTROL_TOKEN). */
let controlToken: string | undefined;

async function request(endpoint: string, method: string, path: string, body?: { text: string; contentType: string }): Promise<Answer> {
  const url = `${endpoint.replace(/\/+$/, "")}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        ...(body ? { "Content-Type": body.contentType } : {}),
        ...(controlToken ? { Authorization: `Bearer ${controlToken}` } : {}),
      },
      body: body?.text,
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ServerError(
      `cannot reach orgsim at ${endpoint} (${cause?.code ?? cause?.message ?? (err as Error).message}); is it running? Start it with: orgsim start`,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error?: string; message?: string; problems?: SeedProblem[] };
    throw new ServerError(
      `${method} ${path} answered ${res.status}${e.error ? ` ${e.error}` : ""}: ${e.message ?? text}`,
      e.problems ?? [],
    );
  }
  return { status: res.status, text, json };
}

const control = async (endpoint: string, method: string, path: string, body?: unknown): Promise<unknown> =>
  (await request(endpoint, method, path, body === undefined ? undefined : { text: JSON.stringify(body), contentType: "application/json" }))
    .json;

// ---------------------------------------------------------------------------------------------
// Output for people

const yesNo = (b: boolean): string => (b ? "yes" : "no");

function describeClock(view: { now: string; offsetSeconds: number }): string {
  const offset =
    view.offsetSeconds === 0
      ? "no offset"
      : `offset ${view.offsetSeconds > 0 ? "+" : ""}${formatDurationSeconds(view.offsetSeconds)} (${describeDuration(view.offsetSeconds)} ${view.offsetSeconds > 0 ? "ahead of" : "behind"} real time)`;
  return `virtual time ${view.now}, ${offset}`;
}

function describeReadiness(r: { accountId: string; supportPlan: boolean; contactInformation: boolean; paymentMethod: boolean }): string {
  const ready = r.supportPlan && r.contactInformation && r.paymentMethod;
  return `account ${r.accountId}${ready ? " is ready to stand alone" : " is not ready to stand alone"}: support plan ${yesNo(r.supportPlan)}, contact information ${yesNo(r.contactInformation)}, payment method ${yesNo(r.paymentMethod)}`;
}

interface ExplainAnswer {
  accountId: string;
  action: string;
  allowed: boolean;
  decision?: string;
  decidingLevel?: { targetId: string; targetType: string; policyId?: string; policyName?: string; statementSid?: string };
  message?: string;
  reason?: string;
  principalArn?: string;
  levels?: {
    targetId: string;
    targetType: string;
    policies: { id: string; name: string }[];
    allowedBy: { policyId: string; policyName: string }[];
    deniedBy: { policyId: string; policyName: string }[];
  }[];
}

export function describeExplanation(e: ExplainAnswer): string {
  const lines: string[] = [];
  const d = e.decidingLevel;
  if (e.allowed) {
    const by = d?.policyId ? ` by ${d.policyId} (${d.policyName})` : "";
    lines.push(`ALLOWED${by}: ${e.action} for account ${e.accountId}${e.reason ? ` - ${e.reason}` : ""}`);
  } else if (e.decision === "EXPLICIT_DENY" && d) {
    lines.push(
      `DENIED by ${d.policyId} (${d.policyName}) at ${d.targetId}${d.statementSid ? `, statement ${d.statementSid}` : ""}: ${e.action} for account ${e.accountId}`,
    );
  } else {
    lines.push(
      `DENIED: no SCP allows ${e.action} at ${d?.targetId ?? "some level"}${d ? ` (${d.targetType})` : ""} for account ${e.accountId}`,
    );
  }
  if (e.principalArn) lines.push(`  principal ${e.principalArn}`);
  for (const level of e.levels ?? []) {
    const names = level.policies.map((p) => `${p.id} (${p.name})`).join(", ") || "no SCP attached";
    const verdict =
      level.deniedBy.length > 0
        ? `denies: ${level.deniedBy.map((m) => m.policyName).join(", ")}`
        : level.allowedBy.length > 0
          ? `allows: ${level.allowedBy.map((m) => m.policyName).join(", ")}`
          : "nothing allows it";
    lines.push(`  ${level.targetType.padEnd(19)} ${level.targetId.padEnd(30)} ${verdict}   [${names}]`);
  }
  if (e.message) lines.push(`  AWS would answer: AccessDeniedException: ${e.message}`);
  return lines.join("\n");
}

export function describeSeed(result: SeedResult, source: string): string {
  const parts = result.organizations.map((o) => {
    const accounts = Object.keys(o.accounts).length - 1;
    return `organization ${o.id} (management ${o.managementAccountId}, root ${o.rootId}): ${plural(Object.keys(o.ous).length, "OU")}, ${plural(accounts, "member account")}, ${plural(Object.keys(o.policies).length, "policy", "policies")}`;
  });
  if (result.clockOffsetSeconds !== undefined) parts.push(`clock offset ${formatDurationSeconds(result.clockOffsetSeconds)}`);
  return `seeded ${source}: ${parts.join("; ") || "nothing to do"} (${plural(result.operations, "operation")})`;
}

/** Who-called details every event carries; the readable line shows the caller already. */
const EVENT_METADATA = new Set(["requestId", "accessKeyId", "sourceIPAddress", "userAgent"]);

function describeEvents(
  events: { time: string; eventName: string; accountId: string | null; organizationId: string | null; detail: Record<string, unknown> }[],
): string {
  if (events.length === 0) return "no events";
  return events
    .map((e) => {
      const detail = Object.entries(e.detail)
        .filter(([k, v]) => !EVENT_METADATA.has(k) && v !== null && v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      return `${e.time}  ${e.eventName.padEnd(32)} by ${e.accountId ?? "-"}  ${e.organizationId ?? "-"}  ${detail}`;
    })
    .join("\n");
}

async function readSeedFile(file: string): Promise<string> {
  try {
    if (file === "-") {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    }
    return await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read the seed file ${file}: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The verbs

const DEFAULT_ENDPOINT = `http://127.0.0.1:${DEFAULT_SETTINGS.port}`;

/** Every verb but start talks to a running orgsim. */
const CLIENT_OPTIONS: OptionSpec[] = [
  { name: "endpoint", value: "URL", help: `the orgsim to talk to (default $ORGSIM_ENDPOINT, then ${DEFAULT_ENDPOINT})` },
  { name: "json", help: "print the server's JSON answer" },
  { name: "control-token", value: "TOKEN", help: "the token of a server started with --control-token (default $ORGSIM_CONTROL_TOKEN)" },
];

interface Verb {
  /** The words after `orgsim`: ["clock", "advance"]. */
  words: string[];
  /** Positional arguments, all required: ["<id>"]. */
  args: string[];
  summary: string;
  /** The verb's own options; client verbs also take CLIENT_OPTIONS. */
  options: OptionSpec[];
  client: boolean;
  /** More lines for `orgsim help <verb>`. */
  details?: string[];
  run(parsed: Parsed): Promise<number>;
}

/** What a client verb needs: where the server is, and how to print an answer. */
function clientOf(parsed: Parsed) {
  const asJson = parsed.options.get("json") === true;
  const endpoint = (parsed.options.get("endpoint") as string | undefined) || process.env.ORGSIM_ENDPOINT || DEFAULT_ENDPOINT;
  controlToken = (parsed.options.get("control-token") as string | undefined) || process.env.ORGSIM_CONTROL_TOKEN || undefined;
  return {
    endpoint,
    asJson,
    print: (value: unknown, text: string) => console.log(asJson ? JSON.stringify(value, null, 2) : text),
    option: (name: string) => parsed.options.get(name) as string | undefined,
  };
}

const startOptionOf = (key: keyof Settings): OptionSpec => {
  const o = SETTING_OPTIONS[key];
  return o.kind === "boolean"
    ? { name: flagName(key), negatable: true, help: o.help }
    : { name: flagName(key), value: o.choices ? o.choices.join("|") : (o.value ?? "VALUE"), repeatable: o.kind === "list", help: o.help };
};
const SETTING_KEYS = Object.keys(SETTING_OPTIONS) as (keyof Settings)[];
const SETTING_BY_FLAG = new Map(SETTING_KEYS.map((key) => [flagName(key), key]));
export const START_OPTIONS: OptionSpec[] = [
  { name: "seed", value: "FILE", help: "a declarative start state (YAML), applied before serving when the state holds no organization" },
  ...SETTING_KEYS.map(startOptionOf),
];

/** "[ORGSIM_PORT, default 4599]" after each start option in its help. */
function startOptionSource(option: OptionSpec): string {
  if (option.name === "seed") return " [ORGSIM_SEED]";
  const key = SETTING_BY_FLAG.get(option.name);
  if (!key) return "";
  const value = DEFAULT_SETTINGS[key];
  const shown =
    typeof value === "boolean" ? (value ? "on" : "off") : value === undefined ? "" : Array.isArray(value) ? value.join(",") : String(value);
  return ` [${envName(key)}${shown ? `, default ${shown}` : ""}]`;
}

export const VERBS: Verb[] = [
  {
    words: ["start"],
    args: [],
    summary: "start the server (in the foreground; Ctrl-C stops it)",
    options: START_OPTIONS,
    client: false,
    details: [
      `The first line on stdout is "orgsim listening on http://HOST:PORT (storage)"; with --log-format json`,
      `it is a JSON object with "url" and "port" (useful with --port 0).`,
    ],
    run: start,
  },
  {
    words: ["reset"],
    args: [],
    summary: "empty state, clock offset 0, no faults",
    options: [],
    client: true,
    run: async (parsed) => {
      const c = clientOf(parsed);
      const out = await control(c.endpoint, "POST", "/_orgsim/reset");
      c.print(out, `orgsim at ${c.endpoint}: state reset (no organizations, clock offset 0, no faults)`);
      return EXIT.done;
    },
  },
  {
    words: ["clock"],
    args: [],
    summary: "show the virtual clock",
    options: [],
    client: true,
    run: async (parsed) => {
      const c = clientOf(parsed);
      const out = (await control(c.endpoint, "GET", "/_orgsim/clock")) as { now: string; offsetSeconds: number };
      c.print(out, describeClock(out));
      return EXIT.done;
    },
  },
  {
    words: ["clock", "advance"],
    args: ["<duration>"],
    summary: "advance the virtual clock (90, 30s, 15m, 2h, 4d)",
    options: [],
    client: true,
    run: async (parsed) => {
      const c = clientOf(parsed);
      const seconds = parseDuration(parsed.positionals[0]!);
      const out = (await control(c.endpoint, "POST", "/_orgsim/clock", { advanceSeconds: seconds })) as {
        now: string;
        offsetSeconds: number;
      };
      c.print(out, `clock advanced by ${describeDuration(seconds)}: ${describeClock(out)}`);
      return EXIT.done;
    },
  },
  {
    words: ["account", "ready"],
    args: ["<id>"],
    summary: "give an account a support plan, contact information and a payment method",
    options: [],
    client: true,
    run: (parsed) => readiness(parsed, "ready"),
  },
  {
    words: ["account", "show"],
    args: ["<id>"],
    summary: "whether the account has a support plan, contact information and a payment method",
    options: [],
    client: true,
    run: (parsed) => readiness(parsed, "show"),
  },
  {
    words: ["explain"],
    args: ["<account>", "<action>"],
    summary: "which SCP allows or denies the action for the account (exit code 0 ALLOWED, 3 DENIED)",
    options: [
      { name: "principal-arn", value: "ARN", help: "the calling principal (default: the account's root user)" },
      { name: "resource", value: "ARN", help: "the resource of the call" },
      { name: "region", value: "REGION", help: "the region of the call" },
    ],
    client: true,
    details: ["Scripts can test the answer: exit code 0 when it is ALLOWED, 3 when it is DENIED (1 and 2 as for every verb)."],
    run: async (parsed) => {
      const c = clientOf(parsed);
      const q = new URLSearchParams({ accountId: parsed.positionals[0]!, action: parsed.positionals[1]! });
      for (const [option, param] of [
        ["principal-arn", "principalArn"],
        ["resource", "resource"],
        ["region", "region"],
      ] as const) {
        const value = c.option(option);
        if (value) q.set(param, value);
      }
      const out = (await control(c.endpoint, "GET", `/_orgsim/explain?${q}`)) as ExplainAnswer;
      c.print(out, describeExplanation(out));
      return out.allowed ? EXIT.done : EXIT.denied;
    },
  },
  {
    words: ["seed"],
    args: ["<file>"],
    summary: "apply a seed file (all or nothing); - reads stdin",
    options: [{ name: "reset", help: "replace the state instead of adding to it (in the same transaction)" }],
    client: true,
    run: async (parsed) => {
      const c = clientOf(parsed);
      const file = parsed.positionals[0]!;
      const text = await readSeedFile(file);
      const q = new URLSearchParams({ source: file === "-" ? "stdin" : file });
      if (parsed.options.get("reset") === true) q.set("reset", "true");
      const answer = await request(c.endpoint, "POST", `/_orgsim/seed?${q}`, {
        text: JSON.stringify({ yaml: text }),
        contentType: "application/json",
      });
      c.print(answer.json, describeSeed(answer.json as SeedResult, file));
      return EXIT.done;
    },
  },
  {
    words: ["export"],
    args: [],
    summary: "the state as a seed file (orgsim export > state.yaml; --json for JSON)",
    options: [],
    client: true,
    run: async (parsed) => {
      const c = clientOf(parsed);
      const answer = await request(c.endpoint, "GET", c.asJson ? "/_orgsim/export?format=json" : "/_orgsim/export");
      process.stdout.write(answer.text.endsWith("\n") ? answer.text : `${answer.text}\n`);
      return EXIT.done;
    },
  },
  {
    words: ["events"],
    args: [],
    summary: "the newest events, one line each",
    options: [
      { name: "event-name", value: "NAME", help: "only events of this name (CreateAccount, AccountDepartedOrganization, ...)" },
      { name: "organization-id", value: "ID", help: "only events of this organization" },
      { name: "max-results", value: "N", help: "how many (default 50)" },
    ],
    client: true,
    run: async (parsed) => {
      const c = clientOf(parsed);
      const q = new URLSearchParams({ maxResults: c.option("max-results") ?? "50" });
      const eventName = c.option("event-name");
      const organizationId = c.option("organization-id");
      if (eventName) q.set("eventName", eventName);
      if (organizationId) q.set("organizationId", organizationId);
      const out = (await control(c.endpoint, "GET", `/_orgsim/events?${q}`)) as { events: Parameters<typeof describeEvents>[0] };
      c.print(out, describeEvents(out.events));
      return EXIT.done;
    },
  },
];

async function readiness(parsed: Parsed, which: "ready" | "show"): Promise<number> {
  const c = clientOf(parsed);
  const id = parsed.positionals[0]!;
  if (!/^\d{12}$/.test(id)) throw new UsageError(`an account id has 12 digits, got "${id}"`);
  const out =
    which === "ready"
      ? await control(c.endpoint, "PUT", `/_orgsim/accounts/${id}/standalone`, {
          supportPlan: true,
          contactInformation: true,
          paymentMethod: true,
        })
      : await control(c.endpoint, "GET", `/_orgsim/accounts/${id}/standalone`);
  c.print(out, describeReadiness(out as Parameters<typeof describeReadiness>[0]));
  return EXIT.done;
}

// ---------------------------------------------------------------------------------------------
// start

/** The settings `orgsim start`'s options give (over ORGSIM_* variables and defaults), and its seed file. */
export function startOverrides(parsed: Parsed): { overrides: Partial<Settings>; seedFile: string | undefined } {
  const overrides: Partial<Record<keyof Settings, unknown>> = {};
  let seedFile = process.env.ORGSIM_SEED || undefined;
  for (const [name, value] of parsed.options) {
    if (name === "seed") {
      seedFile = value as string;
      continue;
    }
    const key = SETTING_BY_FLAG.get(name)!;
    overrides[key] = typeof value === "boolean" ? value : coerceSetting(key, value, `--${name}`);
  }
  return { overrides: overrides as Partial<Settings>, seedFile };
}

async function start(parsed: Parsed): Promise<number> {
  const { overrides, seedFile } = startOverrides(parsed);
  const settings = resolveSettings(overrides);
  // From here on every line follows --log-format, errors included.
  const log = new Logger(settings);
  let sim: Awaited<ReturnType<typeof import("./index.js").startOrgsim>>;
  try {
    const seed = seedFile === undefined ? undefined : await readSeedFile(seedFile);
    // Loaded here only: the other verbs are thin HTTP clients and start faster without the server's modules.
    const { startOrgsim } = await import("./index.js");
    sim = await startOrgsim({ ...settings, seed, seedSource: seedFile });
  } catch (err) {
    return reportStartFailure(log, err);
  }
  const storage = settings.databaseUrl ? "PostgreSQL" : settings.data === ":memory:" ? "in-memory SQLite" : `SQLite ${settings.data}`;
  // The first line stays "orgsim listening on <url> (<storage>)" (tools wait for it); the seed was applied before it.
  log.info(`orgsim listening on ${sim.endpoint} (${storage})`, {
    url: sim.endpoint,
    port: sim.port,
    engine: sim.app.store.engine,
    storage,
    version: orgsimVersion(),
  });
  if (settings.completeAsyncImmediately) {
    log.info("asynchronous operations complete before they answer (--complete-async-immediately): CreateAccount answers SUCCEEDED", {
      completeAsyncImmediately: true,
    });
  }
  warnAboutExposure(settings, sim.port);
  if (sim.seeded && seedFile)
    log.info(describeSeed(sim.seeded, seedFile), { seed: seedFile, organizations: sim.seeded.organizations.map((o) => o.id) });
  else if (seedFile) log.info(`seed ${seedFile} not applied: the state already holds organizations (kept as it is)`, { seed: seedFile });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await sim.close();
  return EXIT.done;
}

/** Why orgsim did not start, in the --log-format of the start (one line, no stack trace). */
function reportStartFailure(log: Logger, err: unknown): number {
  if (err instanceof SeedError) {
    const problems = err.problems.map(formatProblem);
    const what = `the seed was not applied${err.kind === "failed" ? " (nothing it did remains)" : ""}`;
    if (log.json) log.error(what, { problems });
    else console.error(`orgsim: ${what}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    return EXIT.failed;
  }
  log.error(err instanceof Error ? err.message : String(err));
  return err instanceof UsageError || err instanceof SettingsError ? EXIT.usage : EXIT.failed;
}

// ---------------------------------------------------------------------------------------------
// Usage

const verbName = (verb: Verb): string => verb.words.join(" ");
const verbOptions = (verb: Verb): OptionSpec[] => (verb.client ? [...verb.options, ...CLIENT_OPTIONS] : verb.options);

function usageLine(verb: Verb): string {
  if (verb.words[0] === "start") return "orgsim start [options]";
  const options = verbOptions(verb).map((o) => `[--${o.name}${o.value ? ` ${o.value}` : ""}]`);
  return ["orgsim", ...verb.words, ...verb.args, ...options].join(" ");
}

/** `orgsim help <verb>` and `orgsim <verb> --help`. */
function verbUsage(verb: Verb): string {
  const lines = [`usage: ${usageLine(verb)}`, "", `${verb.summary[0]!.toUpperCase()}${verb.summary.slice(1)}.`];
  if (verb.details) lines.push(...verb.details);
  lines.push("", "Options:", ...describeOptions(verbOptions(verb), verb.words[0] === "start" ? startOptionSource : undefined));
  return lines.join("\n");
}

function usage(): string {
  const shown = VERBS.map(
    (v) => [["orgsim", ...v.words, ...v.args].join(" ") + (v.words[0] === "start" ? " [options]" : ""), v.summary] as const,
  );
  const width = Math.max(...shown.map(([line]) => line.length));
  return [
    `orgsim ${orgsimVersion()}: a local AWS Organizations (with STS and the Account API)`,
    "",
    "Usage:",
    ...shown.map(([line, summary]) => `  ${line.padEnd(width)}  ${summary}`),
    "",
    `Every verb but start talks to a running orgsim: --endpoint URL (default $ORGSIM_ENDPOINT, then ${DEFAULT_ENDPOINT})`,
    "and --json for the raw JSON answer. orgsim help <verb> (or orgsim <verb> --help) shows a verb's options;",
    "every start option can also be set as an ORGSIM_* environment variable (ORGSIM_PORT, ORGSIM_DATABASE_URL, ...).",
    "orgsim --version prints the version.",
    "",
    "Exit codes: 0 done; 1 the server refused or failed (or can't be reached, a seed was not applied, orgsim could not start);",
    "2 usage; 3 orgsim explain answered DENIED.",
  ].join("\n");
}

/** The verb that `words` name, or a UsageError that names the nearest one. */
function findVerb(words: readonly string[]): { verb: Verb; rest: string[] } {
  const matches = VERBS.filter((v) => v.words.every((w, i) => words[i] === w)).sort((a, b) => b.words.length - a.words.length);
  if (matches[0]) return { verb: matches[0], rest: words.slice(matches[0].words.length) };
  const [first = "", second] = words;
  const group = VERBS.filter((v) => v.words[0] === first);
  if (group.length > 0) {
    const subs = group.map((v) => v.words[1]!);
    if (second === undefined || second.startsWith("-"))
      throw new UsageError(`orgsim ${first} needs one of: ${group.map((v) => [...v.words.slice(1), ...v.args].join(" ")).join(", ")}`);
    const guess = nearest(second, subs);
    throw new UsageError(
      `unknown command "orgsim ${first} ${second}"${guess ? `; did you mean "orgsim ${first} ${guess}"?` : `; ${first} takes ${subs.join(" or ")}`}`,
    );
  }
  const guess = nearest(first, [...new Set(VERBS.map((v) => v.words[0]!)), "help"]);
  throw new UsageError(`unknown command "${first}"${guess ? `; did you mean "orgsim ${guess}"?` : ""}`);
}

/** Every required argument present, nothing extra; the errors name the argument. */
function checkArguments(verb: Verb, positionals: string[]): void {
  if (positionals.length < verb.args.length) {
    throw new UsageError(`${verbName(verb)}: missing ${verb.args.slice(positionals.length).join(" ")}`);
  }
  const extra = positionals[verb.args.length];
  if (extra !== undefined) {
    const subs = VERBS.filter((v) => v.words.length === verb.words.length + 1 && verb.words.every((w, i) => v.words[i] === w)).map((v) =>
      v.words.at(-1)!,
    );
    const guess = nearest(extra, subs);
    throw new UsageError(
      `${verbName(verb)}: unexpected argument "${extra}"${guess ? `; did you mean "orgsim ${verbName(verb)} ${guess}"?` : ""}`,
    );
  }
}

/** `orgsim help [words...]`: the whole usage, one verb's, or a group's (help clock: clock and clock advance). */
function help(words: string[]): number {
  if (words.length === 0) {
    console.log(usage());
    return EXIT.done;
  }
  const exact = VERBS.find((v) => v.words.join(" ") === words.join(" "));
  const group = VERBS.filter((v) => v.words[0] === words[0] && words.length === 1);
  const shown = exact && exact.words.length > 1 ? [exact] : group.length > 0 ? group : [findVerb(words).verb];
  console.log(shown.map(verbUsage).join("\n\n"));
  return EXIT.done;
}

export async function main(argv: string[]): Promise<number> {
  let verb: Verb | undefined;
  try {
    const [first] = argv;
    if (first === undefined) {
      console.error(usage());
      return EXIT.usage;
    }
    if (first === "--version" || first === "-v") {
      console.log(orgsimVersion());
      return EXIT.done;
    }
    if (first === "help" || first === "--help" || first === "-h") return help(argv.slice(1).filter((w) => !w.startsWith("-")));
    if (first.startsWith("-")) {
      const guess = nearest(first.replace(/^--?/, ""), ["help", "version"]);
      throw new UsageError(
        `unknown option ${first}${guess ? `; did you mean --${guess}?` : ""} (options follow the verb: orgsim start --port 0)`,
      );
    }
    const found = findVerbOrGroupHelp(argv);
    if (typeof found === "number") return found;
    verb = found.verb;
    const parsed = parseArgs(found.rest, verbOptions(verb));
    if (parsed.help) {
      console.log(verbUsage(verb));
      return EXIT.done;
    }
    checkArguments(verb, parsed.positionals);
    return await verb.run(parsed);
  } catch (err) {
    if (err instanceof SeedError) {
      console.error(`orgsim: the seed was not applied${err.kind === "failed" ? " (nothing it did remains)" : ""}:`);
      for (const p of err.problems) console.error(`  ${formatProblem(p)}`);
      return EXIT.failed;
    }
    if (err instanceof ServerError && err.problems.length > 0) {
      console.error(`orgsim: the seed was not applied; the state is unchanged:`);
      for (const p of err.problems) console.error(`  ${formatProblem(p)}`);
      return EXIT.failed;
    }
    console.error(`orgsim: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof UsageError || err instanceof SettingsError) {
      console.error(verb ? `usage: ${usageLine(verb)} (orgsim help ${verbName(verb)})` : "usage: orgsim help");
      return EXIT.usage;
    }
    return EXIT.failed;
  }
}

/** The verb argv names; `orgsim account --help` (a group of verbs) prints the group's usage instead. */
function findVerbOrGroupHelp(argv: string[]): { verb: Verb; rest: string[] } | number {
  const [first, second] = argv;
  if ((second === "--help" || second === "-h") && !VERBS.some((v) => v.words.length === 1 && v.words[0] === first)) return help([first!]);
  return findVerb(argv);
}
