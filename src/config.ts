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
  /**
   * Asynchronous operations (CreateAccount, CreateGovCloudAccount, CloseAccount, the Account API's
   * EnableRegion/DisableRegion) finish before they answer: CreateAccount answers SUCCEEDED with the
   * AccountId, as DescribeCreateAccountStatus would later. For suites that cannot wait (moto's
   * habit); the answers keep AWS's shape, only the timing changes. Off by default.
   */
  completeAsyncImmediately: boolean;
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
  /** Seconds a client has to send a whole request (headers and body); then 408 and the connection is closed. */
  requestTimeoutSeconds: number;
  /** Seconds a client has to send a request's headers (a connection that sends nothing too); then 408 and closed. */
  headersTimeoutSeconds: number;
  /** Seconds an idle keep-alive connection stays open after an answer. */
  keepAliveTimeoutSeconds: number;
}

export const DEFAULT_SETTINGS: Settings = {
  host: "127.0.0.1",
  port: 4599,
  data: ":memory:",
  databaseUrl: undefined,
  defaultAccount: "123456789012",
  strictAuth: false,
  controlApi: true,
  createAccountDelaySeconds: 0,
  closeAccountDelaySeconds: 0,
  completeAsyncImmediately: false,
  leaveRatePerSecond: 5,
  acceptAnyServicePrincipal: false,
  logFormat: "text",
  quiet: false,
  maxBodyBytes: 1024 * 1024,
  quotas: "local",
  allowHosts: [],
  corsOrigins: [],
  controlToken: undefined,
  requestTimeoutSeconds: 60,
  headersTimeoutSeconds: 30,
  keepAliveTimeoutSeconds: 65,
};

/** "list": a string[] setting; its flag may repeat, and its ORGSIM_* variable is comma-separated. */
export type OptionKind = "string" | "number" | "boolean" | "list";

/** How a setting appears on the command line, in usage and in the environment. */
export interface SettingOption {
  kind: OptionKind;
  /** The value's placeholder in usage ("N", "FILE"); switches (booleans) have none. */
  value?: string;
  /** The flag, when it is not the setting's name in kebab case (databaseUrl: --database). */
  flag?: string;
  /** The environment variable, when it is not ORGSIM_ and the setting's name (lists are named in the singular). */
  env?: string;
  /** The only values allowed (usage shows them as a|b). */
  choices?: readonly string[];
  /** One line for `orgsim start --help`. */
  help: string;
}

/**
 * Every setting's flag: `orgsim start` parses, suggests and prints its usage from this table, and
 * each setting is also read from ORGSIM_<NAME> (e.g. ORGSIM_DATABASE_URL). A new setting is a
 * field of Settings, its default, and one row here.
 */
export const SETTING_OPTIONS: { readonly [K in keyof Settings]-?: SettingOption } = {
  host: { kind: "string", value: "ADDRESS", help: "listen address (0.0.0.0: every interface)" },
  port: { kind: "number", value: "N", help: "listen port; 0 picks a free one (the first line says which)" },
  data: { kind: "string", value: "FILE", help: "SQLite file (state survives restarts), or :memory:" },
  databaseUrl: { kind: "string", value: "URL", flag: "database", help: "postgres://... : PostgreSQL instead of SQLite" },
  defaultAccount: { kind: "string", value: "ID", help: "the account of access keys that are not 12 digits" },
  strictAuth: { kind: "boolean", help: "only issued keys; signatures verified; 15-minute freshness" },
  controlApi: { kind: "boolean", help: "the control API and console on /_orgsim/* (--no-control-api turns it off)" },
  createAccountDelaySeconds: { kind: "number", value: "N", help: "virtual seconds CreateAccount stays IN_PROGRESS" },
  closeAccountDelaySeconds: { kind: "number", value: "N", help: "virtual seconds a closed account stays PENDING_CLOSURE" },
  completeAsyncImmediately: {
    kind: "boolean",
    help: "CreateAccount, CloseAccount and other asynchronous operations finish before they answer (for suites that can't wait)",
  },
  leaveRatePerSecond: { kind: "number", value: "N", help: "LeaveOrganization successes per organization per second" },
  acceptAnyServicePrincipal: { kind: "boolean", help: "accept any *.amazonaws.com service principal" },
  logFormat: { kind: "string", value: "FORMAT", choices: ["text", "json"], help: "json: every line orgsim prints is a JSON object" },
  quiet: { kind: "boolean", help: "no line per call (internal errors are always logged)" },
  maxBodyBytes: { kind: "number", value: "N", help: "larger request bodies get 413" },
  quotas: { kind: "string", value: "PRESET", choices: ["local", "aws"], help: "aws: AWS's default quotas; local: generous" },
  allowHosts: {
    kind: "list",
    value: "NAME",
    flag: "allow-host",
    env: "ORGSIM_ALLOW_HOST",
    help: "a Host name accepted beyond loopback (.domain: it and its subdomains; *: no check)",
  },
  corsOrigins: {
    kind: "list",
    value: "ORIGIN",
    flag: "cors-origin",
    env: "ORGSIM_CORS_ORIGIN",
    help: "a web origin whose pages may call orgsim (CORS)",
  },
  controlToken: { kind: "string", value: "TOKEN", help: "every control API request and the console must present this token" },
  requestTimeoutSeconds: {
    kind: "number",
    value: "SECONDS",
    help: "a client must send a whole request within this time (then 408, closed)",
  },
  headersTimeoutSeconds: {
    kind: "number",
    value: "SECONDS",
    help: "a client must send a request's headers within this time (then 408, closed)",
  },
  keepAliveTimeoutSeconds: { kind: "number", value: "SECONDS", help: "an idle keep-alive connection is closed after this time" },
};

/** The flag of a setting, without the dashes: "database", "create-account-delay-seconds". */
export const flagName = (key: keyof Settings): string => SETTING_OPTIONS[key].flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const envName = (key: keyof Settings): string =>
  SETTING_OPTIONS[key].env ?? `ORGSIM_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** When asynchronous operations complete, as the control API (health) and the console show it. */
export interface TimingView {
  completeAsyncImmediately: boolean;
  createAccountDelaySeconds: number;
  closeAccountDelaySeconds: number;
}

export const timingView = (s: Settings): TimingView => ({
  completeAsyncImmediately: s.completeAsyncImmediately,
  createAccountDelaySeconds: s.createAccountDelaySeconds,
  closeAccountDelaySeconds: s.closeAccountDelaySeconds,
});

export class SettingsError extends Error {}

/** A setting's text (from a flag or the environment) as its kind; `source` names where it came from in errors. */
export function coerceSetting(key: keyof Settings, raw: string, source: string): string | number | boolean | string[] {
  const { kind, choices } = SETTING_OPTIONS[key];
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
  if (kind === "list")
    return raw
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
  if (choices && !choices.includes(raw)) throw new SettingsError(`${source}: expected ${choices.join(" or ")}, got "${raw}"`);
  return raw;
}

function validate(s: Settings): Settings {
  if (!/^\d{12}$/.test(s.defaultAccount)) throw new SettingsError(`default account must be 12 digits, got "${s.defaultAccount}"`);
  if (s.logFormat !== "text" && s.logFormat !== "json") throw new SettingsError(`log format must be text or json, got "${s.logFormat}"`);
  if (s.quotas !== "local" && s.quotas !== "aws") throw new SettingsError(`quotas must be local or aws, got "${s.quotas}"`);
  if (!Number.isInteger(s.port) || s.port > 65535) throw new SettingsError(`port must be 0-65535, got ${s.port}`);
  if (s.databaseUrl && !/^postgres(ql)?:\/\//.test(s.databaseUrl)) throw new SettingsError(`database URL must start with postgres://`);
  if (s.completeAsyncImmediately && (s.createAccountDelaySeconds > 0 || s.closeAccountDelaySeconds > 0)) {
    throw new SettingsError(
      "--complete-async-immediately finishes CreateAccount and CloseAccount before they answer; it can't be combined with a non-zero --create-account-delay-seconds or --close-account-delay-seconds",
    );
  }
  for (const key of ["requestTimeoutSeconds", "headersTimeoutSeconds", "keepAliveTimeoutSeconds"] as const) {
    if (!(s[key] >= 0.1 && s[key] <= 86_400))
      throw new SettingsError(`--${flagName(key)} must be from 0.1 to 86400 seconds, got ${s[key]}`);
  }
  if (s.headersTimeoutSeconds > s.requestTimeoutSeconds) {
    throw new SettingsError(
      `the headers timeout (${s.headersTimeoutSeconds} s) must not exceed the request timeout (${s.requestTimeoutSeconds} s)`,
    );
  }
  return {
    ...s,
    allowHosts: s.allowHosts.map(normalizeAllowedHost),
    corsOrigins: s.corsOrigins.map(normalizeCorsOrigin),
    controlToken: checkControlToken(s.controlToken),
  };
}

/** `orgsim.internal`, `.corp.example` (the domain and its subdomains; `*.corp.example` means the same), or `*`. */
function normalizeAllowedHost(value: string): string {
  const v = value.trim().toLowerCase().replace(/^\*\./, ".");
  if (v === "*" || isIP(v.replace(/^\[(.*)\]$/, "$1")) !== 0) return v; // IP addresses pass the Host check anyway

  const name = v.startsWith(".") ? v.slice(1) : v;
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(name)) {
    throw new SettingsError(
      `--allow-host takes a host name without scheme, port or path (e.g. orgsim.internal, or .corp.example for a domain and its subdomains), got "${value}"`,
    );
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
  const bare =
    url &&
    (url.protocol === "http:" || url.protocol === "https:") &&
    !url.username &&
    !url.password &&
    url.pathname === "/" &&
    !url.search &&
    !url.hash &&
    !v.endsWith("/");
  if (!url || !bare) {
    throw new SettingsError(
      `--cors-origin takes an origin as a browser sends it: scheme://host[:port] with no path (e.g. http://localhost:3000), got "${value}"`,
    );
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
  for (const key of Object.keys(SETTING_OPTIONS) as (keyof Settings)[]) {
    const raw = env[envName(key)];
    if (raw !== undefined && raw !== "") merged[key] = coerceSetting(key, raw, envName(key));
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  return validate(merged as unknown as Settings);
}
