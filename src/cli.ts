/**
 * The `orgsim` command: start (the server), and thin verbs over the control API of a running
 * server (reset, clock, account ready, explain, faults, events).
 */
import { parseFlags, resolveSettings, SettingsError } from "./config.js";
import { startOrgsim } from "./index.js";

const USAGE = `orgsim: a local AWS Organizations (with STS and the Account API)

Usage:
  orgsim start [--host 127.0.0.1] [--port 4566] [--data FILE|:memory:] [--database postgres://...]
               [--default-account 123456789012] [--strict-auth] [--no-control-api]
               [--create-account-delay-seconds N] [--close-account-delay-seconds N]
               [--leave-rate-per-second 5] [--accept-any-service-principal]
               [--log-format text|json] [--quiet]
  orgsim reset                     [--endpoint http://127.0.0.1:4566]
  orgsim clock                     show the virtual clock
  orgsim clock advance 4d          advance it (s, m, h, d units)
  orgsim account ready <id>        give an account a support plan, contact information and a payment method
  orgsim events                    the newest events
  orgsim explain <account> <action> [--principal-arn ARN]

Every start flag can also be set as an ORGSIM_* environment variable (e.g. ORGSIM_PORT=4567, ORGSIM_DATABASE_URL).`;

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!m) throw new SettingsError(`cannot read the duration "${text}" (examples: 90, 30s, 15m, 2h, 4d)`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

async function control(endpoint: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${endpoint.replace(/\/$/, "")}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const value: unknown = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return value;
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  try {
    if (verb === "start") {
      const { overrides } = parseFlags(args);
      const settings = resolveSettings(overrides);
      const sim = await startOrgsim(settings);
      const where = settings.databaseUrl ? "PostgreSQL" : settings.data === ":memory:" ? "in-memory SQLite" : `SQLite ${settings.data}`;
      console.log(`orgsim listening on ${sim.endpoint} (${where})`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await sim.close();
      return 0;
    }
    if (!verb || verb === "help" || verb === "--help" || verb === "-h") {
      console.log(USAGE);
      return verb ? 0 : 2;
    }
    const { rest, extra } = parseFlags(args);
    const endpoint = extra.endpoint ?? process.env.ORGSIM_ENDPOINT ?? "http://127.0.0.1:4566";
    let out: unknown;
    if (verb === "reset") out = await control(endpoint, "POST", "/_orgsim/reset");
    else if (verb === "clock" && rest[0] === "advance" && rest[1]) out = await control(endpoint, "POST", "/_orgsim/clock", { advanceSeconds: parseDuration(rest[1]) });
    else if (verb === "clock" && rest.length === 0) out = await control(endpoint, "GET", "/_orgsim/clock");
    else if (verb === "account" && rest[0] === "ready" && rest[1]) {
      out = await control(endpoint, "PUT", `/_orgsim/accounts/${rest[1]}/standalone`, { supportPlan: true, contactInformation: true, paymentMethod: true });
    } else if (verb === "events") out = await control(endpoint, "GET", "/_orgsim/events");
    else if (verb === "explain" && rest[0] && rest[1]) {
      const q = new URLSearchParams({ accountId: rest[0], action: rest[1] });
      if (extra.principalArn) q.set("principalArn", extra.principalArn);
      out = await control(endpoint, "GET", `/_orgsim/explain?${q}`);
    } else {
      console.error(USAGE);
      return 2;
    }
    console.log(JSON.stringify(out, null, 2));
    return 0;
  } catch (err) {
    console.error(`orgsim: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof SettingsError ? 2 : 1;
  }
}
