/**
 * In-process use: `const sim = await startOrgsim({ port: 0, seed })` gives a private orgsim for a
 * test suite: its endpoint, the result of its seed, typed control methods and close().
 *
 * The control methods run the control API's own routes in process (no HTTP round trip), so they
 * behave exactly as `/_orgsim/*` does and work with the control API turned off.
 */
import type { EventRecord } from "./org/events.js";
import { resolveSettings, type Settings } from "./config.js";
import { App } from "./app.js";
import { startServer, type RunningServer } from "./server.js";
import { handleControl, type ControlResponse } from "./control/api.js";
import type { FaultSpec } from "./faults.js";
import { AwsError } from "./protocol/errors.js";
import type { SeedInput } from "./seed/schema.js";
import type { SeedResult } from "./seed/apply.js";
import { parseDurationSeconds } from "./duration.js";

export type { Settings } from "./config.js";
export type { FaultSpec } from "./faults.js";
export type {
  SeedInput,
  SeedFile,
  SeedFileOrganization,
  SeedFileOu,
  SeedFileAccount,
  SeedFilePolicy,
  SeedFileInvitation,
  SeedReadiness,
  SeedTags,
} from "./seed/schema.js";
export type { SeedResult, SeededOrganization } from "./seed/apply.js";
export { SeedError, formatProblem, type SeedProblem } from "./seed/errors.js";

export interface StartOptions extends Partial<Settings> {
  /** Applied before the server accepts requests: YAML (or JSON) text, or a SeedFile object. */
  seed?: SeedInput;
  /** The seed's name in error messages, e.g. its file name (default "seed"). */
  seedSource?: string;
}

export interface Readiness {
  accountId: string;
  supportPlan: boolean;
  contactInformation: boolean;
  paymentMethod: boolean;
}

/** An event of the history, newest first in events(). */
export type OrgsimEvent = EventRecord;

export interface EventFilter {
  eventName?: string;
  organizationId?: string;
  /** 1-1000, default 1000. */
  maxResults?: number;
}

export interface InjectedFaultView {
  id: string;
  operation: string;
  error: string;
  reason?: string;
  message?: string;
  /** Calls left to fail; null: every call. */
  remaining: number | null;
  probability: number;
}

export interface ExplainLevel {
  targetId: string;
  targetType: string;
  policies: { id: string; name: string }[];
  allowedBy: { policyId: string; policyName: string; sid?: string }[];
  deniedBy: { policyId: string; policyName: string; sid?: string }[];
}

/** Why the SCPs allow or deny an action for an account (GET /_orgsim/explain). */
export interface Explanation {
  accountId: string;
  action: string;
  allowed: boolean;
  organizationId?: string;
  principalArn?: string;
  decision?: "ALLOWED" | "EXPLICIT_DENY" | "IMPLICIT_DENY";
  decidingLevel?: { targetId: string; targetType: string; policyId?: string; policyName?: string; statementSid?: string };
  /** AWS's access-denied message, for a denial. */
  message?: string;
  /** Why no SCP applies (not in an organization, the management account, SCPs not enabled). */
  reason?: string;
  levels?: ExplainLevel[];
}

/** A control API request that orgsim refused (bad input) or failed. */
export class OrgsimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "OrgsimError";
  }
}

export interface Orgsim {
  /** http://127.0.0.1:<port>: give it to a client as its endpoint. */
  endpoint: string;
  port: number;
  app: App;
  /** What the start seed created (ids by OU path, account email, policy), if a seed was given. */
  seeded: SeedResult | undefined;
  /** Empty state, clock offset 0, no faults. */
  reset(): Promise<void>;
  /** Applies a seed to the current state (all or nothing); `reset: true` empties the state first, in the same transaction. */
  seed(seed: SeedInput, options?: { reset?: boolean; source?: string }): Promise<SeedResult>;
  /** The state as seed YAML. */
  exportState(): Promise<string>;
  /** The virtual clock. */
  clock(): Promise<{ now: Date; offsetSeconds: number }>;
  /** Advances the virtual clock by seconds or a duration ("4d", "36h"); returns the virtual now. */
  advanceClock(by: number | string): Promise<Date>;
  setStandalone(
    accountId: string,
    items: { supportPlan?: boolean; contactInformation?: boolean; paymentMethod?: boolean },
  ): Promise<Readiness>;
  /** Makes an operation answer one of its modelled errors (`count` times, or always; with a probability). Returns the fault's id. */
  addFault(fault: FaultSpec): Promise<string>;
  faults(): Promise<InjectedFaultView[]>;
  clearFaults(): Promise<void>;
  /** The event history, newest first. */
  events(filter?: EventFilter): Promise<OrgsimEvent[]>;
  /** Which SCP at which level allows or denies `action` ("organizations:LeaveOrganization") for the account. */
  explain(accountId: string, action: string, options?: { principalArn?: string; resource?: string; region?: string }): Promise<Explanation>;
  close(): Promise<void>;
}

/** Runs a control API route in process, as an HTTP request to /_orgsim/* would. */
async function control(app: App, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, "http://orgsim.local");
  let res: ControlResponse;
  try {
    res = await handleControl(
      app,
      {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: Buffer.from(body === undefined ? "" : JSON.stringify(body)),
      },
      url,
    );
  } catch (err) {
    if (err instanceof AwsError) throw new OrgsimError(err.status, err.code, `${method} ${url.pathname}: ${err.message}`);
    throw err;
  }
  const value: unknown = res.body ? JSON.parse(res.body) : {};
  if (res.status >= 400) {
    const e = value as { error?: string; message?: string };
    throw new OrgsimError(res.status, e.error ?? "Error", `${method} ${url.pathname}: ${e.message ?? res.body}`);
  }
  return value;
}

async function hasOrganizations(app: App): Promise<boolean> {
  const row = await app.store.transaction((tx) => tx.selectFrom("organizations").select("id").limit(1).executeTakeFirst());
  return row !== undefined;
}

export async function startOrgsim(options: StartOptions = {}): Promise<Orgsim> {
  const { seed, seedSource, ...overrides } = options;
  const settings = resolveSettings(overrides);
  // Read the seed first: a malformed one fails before anything starts.
  // The seed modules (and the YAML library) load only when a seed is used.
  const seeding = () => Promise.all([import("./seed/read.js"), import("./seed/apply.js"), import("./seed/export.js")]);
  const plan = seed === undefined ? undefined : (await seeding())[0].readSeed(seed, seedSource ?? "seed");
  const app = await App.create(settings);
  let running: RunningServer;
  let seeded: SeedResult | undefined;
  try {
    // A start seed describes where an empty orgsim starts: a persistent state that already holds
    // organizations (a restart on the same --data file or database) is kept as it is.
    if (plan && !(await hasOrganizations(app))) seeded = await (await seeding())[1].applySeed(app, plan);
    running = await startServer(app, settings.host, settings.port);
  } catch (err) {
    await app.close();
    throw err;
  }
  return {
    endpoint: running.url,
    port: running.port,
    app,
    seeded,
    reset: () => app.reset(),
    seed: async (input, opts = {}) => {
      const [{ readSeed }, { applySeed }] = await seeding();
      return applySeed(app, readSeed(input, opts.source ?? "seed"), { reset: opts.reset });
    },
    exportState: async () => (await seeding())[2].exportState(app),
    clock: async () => {
      const view = (await control(app, "GET", "/_orgsim/clock")) as { now: string; offsetSeconds: number };
      return { now: new Date(view.now), offsetSeconds: view.offsetSeconds };
    },
    advanceClock: async (by) => {
      const seconds = typeof by === "number" ? by : parseDurationSeconds(by);
      if (seconds === undefined)
        throw new OrgsimError(400, "BadRequest", `cannot read the duration "${String(by)}" (examples: 90, 30s, 15m, 2h, 4d)`);
      return new Date(((await control(app, "POST", "/_orgsim/clock", { advanceSeconds: seconds })) as { now: string }).now);
    },
    setStandalone: async (accountId, items) => (await control(app, "PUT", `/_orgsim/accounts/${accountId}/standalone`, items)) as Readiness,
    addFault: async (fault) => ((await control(app, "POST", "/_orgsim/faults", fault)) as { id: string }).id,
    faults: async () => ((await control(app, "GET", "/_orgsim/faults")) as { faults: InjectedFaultView[] }).faults,
    clearFaults: async () => {
      await control(app, "DELETE", "/_orgsim/faults");
    },
    events: async (filter = {}) => {
      const q = new URLSearchParams({ maxResults: String(filter.maxResults ?? 1000) });
      if (filter.eventName) q.set("eventName", filter.eventName);
      if (filter.organizationId) q.set("organizationId", filter.organizationId);
      return ((await control(app, "GET", `/_orgsim/events?${q}`)) as { events: OrgsimEvent[] }).events;
    },
    explain: async (accountId, action, opts = {}) => {
      const q = new URLSearchParams({ accountId, action });
      if (opts.principalArn) q.set("principalArn", opts.principalArn);
      if (opts.resource) q.set("resource", opts.resource);
      if (opts.region) q.set("region", opts.region);
      return (await control(app, "GET", `/_orgsim/explain?${q}`)) as Explanation;
    },
    close: () => running.close(),
  };
}
