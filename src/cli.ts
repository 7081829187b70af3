/**
 * The `orgsim` command: start (the server, optionally with a seed), and thin verbs over the
 * control API of a running server (reset, clock, account, explain, seed, export, events), with
 * output for people (`--json` for the raw answers).
 *
 * Exit codes: 0 done; 1 the server refused or failed the request (or can't be reached, or a
 * seed was not applied); 2 usage (unknown verb, missing argument, bad flag, unreadable file).
 */
import { readFile } from "node:fs/promises";
import { parseFlags, resolveSettings, SettingsError } from "./config.js";
import { SeedError, formatProblem, type SeedProblem } from "./seed/errors.js";
import type { SeedResult } from "./seed/apply.js";
import { describeDuration, formatDurationSeconds, parseDurationSeconds } from "./seed/duration.js";

const USAGE = `orgsim: a local AWS Organizations (with STS and the Account API)

Usage:
  orgsim start [--seed FILE] [--host 127.0.0.1] [--port 4566] [--data FILE|:memory:]
               [--database postgres://...] [--default-account 123456789012] [--strict-auth]
               [--no-control-api] [--create-account-delay-seconds N] [--close-account-delay-seconds N]
               [--complete-async-immediately]
               [--leave-rate-per-second 5] [--accept-any-service-principal]
               [--quotas local|aws] [--log-format text|json] [--quiet]

Verbs for a running orgsim (each takes --endpoint URL, default $ORGSIM_ENDPOINT or http://127.0.0.1:4566,
and --json for the raw JSON answer):
  orgsim reset                        empty state, clock offset 0, no faults
  orgsim clock                        show the virtual clock
  orgsim clock advance 4d             advance it (s, m, h, d units)
  orgsim account ready <id>           give an account a support plan, contact information and a payment method
  orgsim account show <id>            what the account has of those three
  orgsim explain <account> <action>   which SCP allows or denies it [--principal-arn ARN] [--resource ARN]
  orgsim seed FILE [--reset]          apply a seed file (all or nothing; --reset replaces the state); - reads stdin
  orgsim export                       the state as a seed file (orgsim export > state.yaml)
  orgsim events                       the newest events [--event-name NAME] [--organization-id o-...] [--max-results N]

Every start flag can also be set as an ORGSIM_* environment variable (e.g. ORGSIM_PORT=4567,
ORGSIM_DATABASE_URL, ORGSIM_SEED=org.yaml).

Exit codes: 0 done, 1 the server refused or failed (or a seed was not applied), 2 usage.`;

/** Wrong use of the command: exit code 2. */
class UsageError extends Error {}
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

/** Pulls boolean flags (`--json`, `--reset`) out first, so they never swallow the next argument. */
function takeSwitches(args: string[], names: string[]): { args: string[]; on: Set<string> } {
  const on = new Set<string>();
  const rest: string[] = [];
  for (const arg of args) {
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name !== undefined && names.includes(name)) on.add(name);
    else rest.push(arg);
  }
  return { args: rest, on };
}

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

async function request(endpoint: string, method: string, path: string, body?: { text: string; contentType: string }): Promise<Answer> {
  const url = `${endpoint.replace(/\/+$/, "")}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body ? { "Content-Type": body.contentType } : {},
      body: body?.text,
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ServerError(`cannot reach orgsim at ${endpoint} (${cause?.code ?? cause?.message ?? (err as Error).message}); is it running? Start it with: orgsim start`);
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
    throw new ServerError(`${method} ${path} answered ${res.status}${e.error ? ` ${e.error}` : ""}: ${e.message ?? text}`, e.problems ?? []);
  }
  return { status: res.status, text, json };
}

const control = async (endpoint: string, method: string, path: string, body?: unknown): Promise<unknown> =>
  (await request(endpoint, method, path, body === undefined ? undefined : { text: JSON.stringify(body), contentType: "application/json" })).json;

// ---------------------------------------------------------------------------------------------
// Output for people

const yesNo = (b: boolean): string => (b ? "yes" : "no");

function describeClock(view: { now: string; offsetSeconds: number }): string {
  const offset = view.offsetSeconds === 0 ? "no offset" : `offset ${view.offsetSeconds > 0 ? "+" : ""}${formatDurationSeconds(view.offsetSeconds)} (${describeDuration(view.offsetSeconds)} ${view.offsetSeconds > 0 ? "ahead of" : "behind"} real time)`;
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
  levels?: { targetId: string; targetType: string; policies: { id: string; name: string }[]; allowedBy: { policyId: string; policyName: string }[]; deniedBy: { policyId: string; policyName: string }[] }[];
}

export function describeExplanation(e: ExplainAnswer): string {
  const lines: string[] = [];
  const d = e.decidingLevel;
  if (e.allowed) {
    const by = d?.policyId ? ` by ${d.policyId} (${d.policyName})` : "";
    lines.push(`ALLOWED${by}: ${e.action} for account ${e.accountId}${e.reason ? ` - ${e.reason}` : ""}`);
  } else if (e.decision === "EXPLICIT_DENY" && d) {
    lines.push(`DENIED by ${d.policyId} (${d.policyName}) at ${d.targetId}${d.statementSid ? `, statement ${d.statementSid}` : ""}: ${e.action} for account ${e.accountId}`);
  } else {
    lines.push(`DENIED: no SCP allows ${e.action} at ${d?.targetId ?? "some level"}${d ? ` (${d.targetType})` : ""} for account ${e.accountId}`);
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
    return `organization ${o.id} (management ${o.managementAccountId}, root ${o.rootId}): ${Object.keys(o.ous).length} OUs, ${accounts} member accounts, ${Object.keys(o.policies).length} policies`;
  });
  if (result.clockOffsetSeconds !== undefined) parts.push(`clock offset ${formatDurationSeconds(result.clockOffsetSeconds)}`);
  return `seeded ${source}: ${parts.join("; ") || "nothing to do"} (${result.operations} operations)`;
}

/** Who-called details every event carries; the readable line shows the caller already. */
const EVENT_METADATA = new Set(["requestId", "accessKeyId", "sourceIPAddress", "userAgent"]);

function describeEvents(events: { time: string; eventName: string; accountId: string | null; organizationId: string | null; detail: Record<string, unknown> }[]): string {
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

async function start(args: string[]): Promise<number> {
  const { overrides, extra } = parseFlags(args);
  const settings = resolveSettings(overrides);
  const seedFile = extra.seed ?? (process.env.ORGSIM_SEED || undefined);
  const seed = seedFile === undefined ? undefined : await readSeedFile(seedFile);
  // Loaded here only: the other verbs are thin HTTP clients and start faster without the server's modules.
  const { startOrgsim } = await import("./index.js");
  const sim = await startOrgsim({ ...settings, seed, seedSource: seedFile });
  const where = settings.databaseUrl ? "PostgreSQL" : settings.data === ":memory:" ? "in-memory SQLite" : `SQLite ${settings.data}`;
  // The first line stays "orgsim listening on ..." (tools wait for it); the seed was applied before it.
  console.log(`orgsim listening on ${sim.endpoint} (${where})`);
  if (settings.completeAsyncImmediately) {
    console.log("asynchronous operations complete before they answer (--complete-async-immediately): CreateAccount answers SUCCEEDED");
  }
  if (sim.seeded && seedFile) console.log(describeSeed(sim.seeded, seedFile));
  else if (seedFile) console.log(`seed ${seedFile} not applied: the state already holds organizations (kept as it is)`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await sim.close();
  return 0;
}

async function verb(name: string, argv: string[]): Promise<number> {
  const switches = takeSwitches(argv, ["json", "reset"]);
  const { rest, extra } = parseFlags(switches.args);
  const asJson = switches.on.has("json");
  const endpoint = extra.endpoint ?? process.env.ORGSIM_ENDPOINT ?? "http://127.0.0.1:4566";
  const print = (value: unknown, text: string) => console.log(asJson ? JSON.stringify(value, null, 2) : text);

  if (name === "reset" && rest.length === 0) {
    const out = await control(endpoint, "POST", "/_orgsim/reset");
    print(out, `orgsim at ${endpoint}: state reset (no organizations, clock offset 0, no faults)`);
    return 0;
  }
  if (name === "clock" && rest.length === 0) {
    const out = (await control(endpoint, "GET", "/_orgsim/clock")) as { now: string; offsetSeconds: number };
    print(out, describeClock(out));
    return 0;
  }
  if (name === "clock" && rest[0] === "advance" && rest.length === 2) {
    const seconds = parseDuration(rest[1]!);
    const out = (await control(endpoint, "POST", "/_orgsim/clock", { advanceSeconds: seconds })) as { now: string; offsetSeconds: number };
    print(out, `clock advanced by ${describeDuration(seconds)}: ${describeClock(out)}`);
    return 0;
  }
  if (name === "account" && (rest[0] === "ready" || rest[0] === "show") && rest.length === 2) {
    const id = rest[1]!;
    if (!/^\d{12}$/.test(id)) throw new UsageError(`an account id has 12 digits, got "${id}"`);
    const out =
      rest[0] === "ready"
        ? await control(endpoint, "PUT", `/_orgsim/accounts/${id}/standalone`, { supportPlan: true, contactInformation: true, paymentMethod: true })
        : await control(endpoint, "GET", `/_orgsim/accounts/${id}/standalone`);
    print(out, describeReadiness(out as Parameters<typeof describeReadiness>[0]));
    return 0;
  }
  if (name === "explain" && rest.length === 2) {
    const q = new URLSearchParams({ accountId: rest[0]!, action: rest[1]! });
    if (extra.principalArn) q.set("principalArn", extra.principalArn);
    if (extra.resource) q.set("resource", extra.resource);
    if (extra.region) q.set("region", extra.region);
    const out = (await control(endpoint, "GET", `/_orgsim/explain?${q}`)) as ExplainAnswer;
    print(out, describeExplanation(out));
    return 0;
  }
  if (name === "seed" && rest.length === 1) {
    const file = rest[0]!;
    const text = await readSeedFile(file);
    const q = new URLSearchParams({ source: file === "-" ? "stdin" : file });
    if (switches.on.has("reset")) q.set("reset", "true");
    const answer = await request(endpoint, "POST", `/_orgsim/seed?${q}`, { text, contentType: "application/yaml" });
    print(answer.json, describeSeed(answer.json as SeedResult, file));
    return 0;
  }
  if (name === "export" && rest.length === 0) {
    const answer = await request(endpoint, "GET", asJson ? "/_orgsim/export?format=json" : "/_orgsim/export");
    process.stdout.write(answer.text.endsWith("\n") ? answer.text : `${answer.text}\n`);
    return 0;
  }
  if (name === "events" && rest.length === 0) {
    const q = new URLSearchParams({ maxResults: extra.maxResults ?? "50" });
    if (extra.eventName) q.set("eventName", extra.eventName);
    if (extra.organizationId) q.set("organizationId", extra.organizationId);
    const out = (await control(endpoint, "GET", `/_orgsim/events?${q}`)) as { events: Parameters<typeof describeEvents>[0] };
    print(out, describeEvents(out.events));
    return 0;
  }
  throw new UsageError(`don't know "orgsim ${[name, ...argv].join(" ")}"; see orgsim help`);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (!name || name === "help" || name === "--help" || name === "-h") {
      (name ? console.log : console.error)(USAGE);
      return name ? 0 : 2;
    }
    if (name === "start") return await start(args);
    return await verb(name, args);
  } catch (err) {
    if (err instanceof SeedError) {
      console.error(`orgsim: the seed was not applied${err.kind === "failed" ? " (nothing it did remains)" : ""}:`);
      for (const p of err.problems) console.error(`  ${formatProblem(p)}`);
      return 1;
    }
    if (err instanceof ServerError && err.problems.length > 0) {
      console.error(`orgsim: the seed was not applied; the state is unchanged:`);
      for (const p of err.problems) console.error(`  ${formatProblem(p)}`);
      return 1;
    }
    console.error(`orgsim: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof UsageError || err instanceof SettingsError) {
      console.error("usage: orgsim help");
      return 2;
    }
    return 1;
  }
}
