/** orgsim's settings: defaults, `ORGSIM_*` environment variables, then command-line flags. */
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
  completeAsyncImmediately: false,
  leaveRatePerSecond: 5,
  acceptAnyServicePrincipal: false,
  logFormat: "text",
  quiet: false,
  maxBodyBytes: 1024 * 1024,
  quotas: "local",
};

type Kind = "string" | "number" | "boolean";
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
  completeAsyncImmediately: "boolean",
  leaveRatePerSecond: "number",
  acceptAnyServicePrincipal: "boolean",
  logFormat: "string",
  quiet: "boolean",
  maxBodyBytes: "number",
  quotas: "string",
};

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

const envName = (key: string): string => `ORGSIM_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export class SettingsError extends Error {}

function coerce(key: keyof Settings, raw: string, source: string): string | number | boolean {
  const kind = KINDS[key];
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
  if (s.completeAsyncImmediately && (s.createAccountDelaySeconds > 0 || s.closeAccountDelaySeconds > 0)) {
    throw new SettingsError(
      "--complete-async-immediately finishes CreateAccount and CloseAccount before they answer; it can't be combined with a non-zero --create-account-delay-seconds or --close-account-delay-seconds",
    );
  }
  return s;
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
  const aliases: Record<string, keyof Settings> = { database: "databaseUrl" };
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
    overrides[key] = coerce(key, value, `--${name}`);
  }
  return { overrides: overrides as Partial<Settings>, rest, extra };
}
