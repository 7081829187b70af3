/** orgsim's settings: defaults, `ORGSIM_*` environment variables, then command-line flags. */
import { isIP } from "node:net";

export interface Settings {
  host: string;
  port: number;
  /** SQLite file, or ":memory:" for a throwaway state. */
  data: string;
  /** postgres://... selects the PostgreSQL engine instead of SQLite. */
  databaseUrl: string | undefined;
  defaultAccount: string;
  strictAuth: boolean;
  controlApi: boolean;
  /** Virtual seconds CreateAccount stays IN_PROGRESS (0: done by the first DescribeCreateAccountStatus). */
  createAccountDelaySeconds: number;
  /** Virtual seconds a closed account stays PENDING_CLOSURE before it is SUSPENDED. */
  closeAccountDelaySeconds: number;
  /** LeaveOrganization calls that may succeed per organization per real second. */
  leaveRatePerSecond: number;
  /** Accept any `*.amazonaws.com` service principal, not only the known integrated services. */
  acceptAnyServicePrincipal: boolean;
  logFormat: "text" | "json";
  quiet: boolean;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Quota preset: "local" (generous, the default) or "aws" (AWS's default quotas). */
  quotas: "local" | "aws";
  /**
   * Host names (beyond loopback names and IP addresses) accepted in the Host header:
   * `orgsim.internal`, `.corp.example` (that domain and its subdomains), or `*` (no check).
   */
  allowHosts: string[];
  /** Web origins (`https://app.example:8443`) whose pages may call orgsim from a browser (CORS). */
  corsOrigins: string[];
  /** When set, every control API request and the console must present this token. */
  controlToken: string | undefined;
}

export const DEFAULT_SETTINGS: Settings = {
  host: "127.0.0.1",
  port: 4566,
  data: ":memory:",
  databaseUrl: undefined,
  defaultAccount: "123456789012",
  strictAuth: false,
  controlApi: true,
  createAccountDelaySeconds: 0,
  closeAccountDelaySeconds: 0,
  leaveRatePerSecond: 5,
  acceptAnyServicePrincipal: false,
  logFormat: "text",
  quiet: false,
  maxBodyBytes: 1024 * 1024,
  quotas: "local",
  allowHosts: [],
  corsOrigins: [],
  controlToken: undefined,
};

/** `list`: a repeatable flag (each value may also be comma-separated); a comma-separated variable. */
type Kind = "string" | "number" | "boolean" | "list";
const KINDS: { [K in keyof Settings]-?: Kind } = {
  host: "string",
  port: "number",
  data: "string",
  databaseUrl: "string",
  defaultAccount: "string",
  strictAuth: "boolean",
  controlApi: "boolean",
  createAccountDelaySeconds: "number",
  closeAccountDelaySeconds: "number",
  leaveRatePerSecond: "number",
  acceptAnyServicePrincipal: "boolean",
  logFormat: "string",
  quiet: "boolean",
  maxBodyBytes: "number",
  quotas: "string",
  allowHosts: "list",
  corsOrigins: "list",
  controlToken: "string",
};

/** Lists are named in the singular on the command line and in the environment: one value per flag. */
const SINGULAR: Partial<Record<keyof Settings, string>> = { allowHosts: "allowHost", corsOrigins: "corsOrigin" };

const envName = (key: keyof Settings): string => `ORGSIM_${(SINGULAR[key] ?? key).replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export class SettingsError extends Error {}

const splitList = (raw: string): string[] =>
  raw
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");

function coerce(key: keyof Settings, raw: string, source: string): string | number | boolean | string[] {
  const kind = KINDS[key];
  if (kind === "list") return splitList(raw);
  if (kind === "number") {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new SettingsError(`${source}: expected a non-negative number, got "${raw}"`);
    return n;
  }
  if (kind === "boolean") {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new SettingsError(`${source}: expected true or false, got "${raw}"`);
  }
  return raw;
}

function validate(s: Settings): Settings {
  if (!/^\d{12}$/.test(s.defaultAccount)) throw new SettingsError(`default account must be 12 digits, got "${s.defaultAccount}"`);
  if (s.logFormat !== "text" && s.logFormat !== "json") throw new SettingsError(`log format must be text or json, got "${s.logFormat}"`);
  if (s.quotas !== "local" && s.quotas !== "aws") throw new SettingsError(`quotas must be local or aws, got "${s.quotas}"`);
  if (!Number.isInteger(s.port) || s.port > 65535) throw new SettingsError(`port must be 0-65535, got ${s.port}`);
  if (s.databaseUrl && !/^postgres(ql)?:\/\//.test(s.databaseUrl)) throw new SettingsError(`database URL must start with postgres://`);
  return { ...s, allowHosts: s.allowHosts.map(normalizeAllowedHost), corsOrigins: s.corsOrigins.map(normalizeCorsOrigin), controlToken: checkControlToken(s.controlToken) };
}

/** `orgsim.internal`, `.corp.example` (the domain and its subdomains; `*.corp.example` means the same), or `*`. */
function normalizeAllowedHost(value: string): string {
  const v = value.trim().toLowerCase().replace(/^\*\./, ".");
  if (v === "*" || isIP(v.replace(/^\[(.*)\]$/, "$1")) !== 0) return v; // IP addresses pass the Host check anyway

  const name = v.startsWith(".") ? v.slice(1) : v;
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(name)) {
    throw new SettingsError(`--allow-host takes a host name without scheme, port or path (e.g. orgsim.internal, or .corp.example for a domain and its subdomains), got "${value}"`);
  }
  return v.replace(/\.$/, "");
}

/** An origin as browsers send it: scheme://host[:port], nothing more. */
function normalizeCorsOrigin(value: string): string {
  const v = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  const bare = url && (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password && url.pathname === "/" && !url.search && !url.hash && !v.endsWith("/");
  if (!url || !bare) {
    throw new SettingsError(`--cors-origin takes an origin as a browser sends it: scheme://host[:port] with no path (e.g. http://localhost:3000), got "${value}"`);
  }
  return url.origin;
}

/** The smallest control token accepted: long enough that it can't be guessed over the network. */
export const MIN_CONTROL_TOKEN_LENGTH = 16;

function checkControlToken(token: string | undefined): string | undefined {
  if (token === undefined || token === "") return undefined;
  if (token.length < MIN_CONTROL_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new SettingsError(
      `--control-token must be at least ${MIN_CONTROL_TOKEN_LENGTH} printable characters without spaces (generate one with: openssl rand -hex 32)`,
    );
  }
  return token;
}

/** Settings from the environment (ORGSIM_PORT, ORGSIM_DATABASE_URL, ...) over the defaults, then `overrides`. */
export function resolveSettings(overrides: Partial<Settings> = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(KINDS) as (keyof Settings)[]) {
    const raw = env[envName(key)];
    if (raw !== undefined && raw !== "") merged[key] = coerce(key, raw, envName(key));
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  return validate(merged as unknown as Settings);
}

/** Parses `--kebab-case value`, `--flag`, `--no-flag` into settings overrides. Returns leftover positional arguments. */
export function parseFlags(args: string[]): { overrides: Partial<Settings>; rest: string[]; extra: Record<string, string> } {
  const overrides: Record<string, unknown> = {};
  const rest: string[] = [];
  const extra: Record<string, string> = {};
  const aliases: Record<string, keyof Settings> = { database: "databaseUrl", allowHost: "allowHosts", corsOrigin: "corsOrigins" };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      rest.push(arg);
      continue;
    }
    let [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let negate = false;
    if (name.startsWith("no-")) {
      negate = true;
      name = name.slice(3);
    }
    const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const key = (aliases[camel] ?? camel) as keyof Settings;
    if (!(key in KINDS)) {
      const value = inline ?? (args[i + 1] && !args[i + 1]!.startsWith("--") ? args[++i]! : "true");
      extra[camel] = value;
      continue;
    }
    if (KINDS[key] === "boolean") {
      overrides[key] = negate ? false : inline !== undefined ? coerce(key, inline, `--${name}`) : true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new SettingsError(`--${name} needs a value`);
    const coerced = coerce(key, value, `--${name}`);
    // A repeated list flag adds to the values before it (and together they replace the variable's).
    overrides[key] = Array.isArray(coerced) ? [...((overrides[key] as string[] | undefined) ?? []), ...coerced] : coerced;
  }
  return { overrides: overrides as Partial<Settings>, rest, extra };
}
