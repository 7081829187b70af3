/**
 * The workloads, written once against the wire protocol so that orgsim and moto (and, for the
 * first, the bare node:http ceiling) run exactly the same requests.
 */
import { bounded, closedLoop, type LoadOptions, type LoadResult, type Step } from "./load.js";
import { cpuSecondsOf } from "./servers.js";
import { CallError, call, describeError, invoke, prepare, str, type PreparedCall, type Upstream } from "./http.js";

/**
 * The PostgreSQL rows: orgsim over one database, one replica (pinned to the servers' core) or two
 * behind the load generator's round-robin (one pinned to each core).
 */
export const PG_ONE = "orgsim, PostgreSQL, 1 replica";
export const PG_TWO = "orgsim, PostgreSQL, 2 replicas";

export type ServerName = "orgsim" | "moto" | "node:http" | typeof PG_ONE | typeof PG_TWO;

export interface Target {
  server: ServerName;
  ep: Upstream;
  /** Access key id of the management account (orgsim: that 12-digit account; moto: any key is 123456789012). */
  mgmt: string;
  /** The server's process ids (one per replica), to read their CPU time during each measured window. */
  pids?: number[];
  /** CPU seconds so far of the database's own processes, where the server has a database apart (PostgreSQL). */
  dbCpu?: () => number | undefined;
}

export interface Measurement {
  server: ServerName;
  workload: string;
  /** What one step is: "req", "page", "pair", "cycle". */
  unit: string;
  /** HTTP requests per step (a pair is 2, a cycle 3): to compare with the bare server's requests. */
  requestsPerStep?: number;
  result?: LoadResult;
  skipped?: string;
  notes: string[];
  /** Internal errors the server logged during the workload (the cause behind 500 answers): message and count. */
  serverLog?: { message: string; count: number }[];
}

let emailCounter = 0;
const RUN_TAG = Date.now().toString(36);
const uniqueEmail = (): string => `bench-${RUN_TAG}-${++emailCounter}@example.com`;

export async function createOrganization(t: Target): Promise<void> {
  await call(t.ep, t.mgmt, "CreateOrganization", { FeatureSet: "ALL" });
}

/** CreateAccount `n` times with `concurrency` calls in flight; stops at `deadline` (performance.now() ms). */
export async function createAccounts(t: Target, n: number, concurrency: number, deadline?: number) {
  return bounded(
    n,
    concurrency,
    async () => {
      const email = uniqueEmail();
      await call(t.ep, t.mgmt, "CreateAccount", { Email: email, AccountName: email.slice(0, 40) });
    },
    deadline,
  );
}

async function measure(
  t: Target,
  workload: string,
  unit: string,
  load: LoadOptions,
  step: Step,
  requestsPerStep = 1,
): Promise<Measurement> {
  const pids = t.pids;
  const serverCpu =
    pids === undefined || pids.length === 0
      ? undefined
      : (): number | undefined => {
          let sum = 0;
          for (const pid of pids) {
            const s = cpuSecondsOf(pid);
            if (s === undefined) return undefined;
            sum += s;
          }
          return sum;
        };
  const result = await closedLoop(load, step, serverCpu, t.dbCpu);
  const m: Measurement = { server: t.server, workload, unit, requestsPerStep, result, notes: [] };
  if (result.errors > 0) m.notes.push(`${result.errors} failed steps, first: ${result.firstError}`);
  return m;
}

/** (1) DescribeOrganization by the management account, one prepared request sent again and again. */
export function describeOrganization(t: Target, load: LoadOptions): Promise<Measurement> {
  const request = prepare(t.mgmt, "DescribeOrganization", {});
  return measure(t, "DescribeOrganization (management)", "req", load, async () => {
    await invoke(t.ep, request);
  });
}

function nextTokenOf(out: Record<string, unknown>): string | undefined {
  const token = out.NextToken;
  return typeof token === "string" && token !== "" ? token : undefined;
}

function accountsIn(out: Record<string, unknown>): number {
  return Array.isArray(out.Accounts) ? out.Accounts.length : 0;
}

/**
 * (2) ListAccounts, MaxResults 20: each worker walks the whole listing page after page, then starts
 * again; a step is one page. A completed walk that did not see `expected` accounts is an error.
 */
export function listAccounts(t: Target, label: string, expected: number, load: LoadOptions): Promise<Measurement> {
  const first = prepare(t.mgmt, "ListAccounts", { MaxResults: 20 });
  const state = Array.from({ length: load.concurrency }, () => ({ token: undefined as string | undefined, seen: 0 }));
  return measure(t, listWorkload(label), "page", load, async (w) => {
    const s = state[w]!;
    const request: PreparedCall = s.token === undefined ? first : prepare(t.mgmt, "ListAccounts", { MaxResults: 20, NextToken: s.token });
    const out = await invoke(t.ep, request);
    s.seen += accountsIn(out);
    s.token = nextTokenOf(out);
    if (s.token === undefined) {
      const seen = s.seen;
      s.seen = 0;
      if (seen !== expected) throw new Error(`a full listing returned ${seen} accounts, expected ${expected}`);
    }
  });
}

/** The workload's name for a nominal organization size ("100", "1,000", "10,000"). */
export const listWorkload = (label: string): string => `ListAccounts page @${label} accounts`;

/** One client walks the full listing `times` times (stopping early past `budgetMs`); the median ms and the page count. */
export async function fullListing(
  t: Target,
  times: number,
  budgetMs: number,
): Promise<{ medianMs: number; pages: number; accounts: number; runs: number }> {
  const durations: number[] = [];
  let pages = 0;
  let accounts = 0;
  const t0 = performance.now();
  for (let i = 0; i < times && (i === 0 || performance.now() - t0 < budgetMs); i++) {
    const start = performance.now();
    let token: string | undefined;
    pages = 0;
    accounts = 0;
    do {
      const out = await call(t.ep, t.mgmt, "ListAccounts", token === undefined ? { MaxResults: 20 } : { MaxResults: 20, NextToken: token });
      pages++;
      accounts += accountsIn(out);
      token = nextTokenOf(out);
    } while (token !== undefined);
    durations.push(performance.now() - start);
  }
  durations.sort((a, b) => a - b);
  return { medianMs: durations[Math.floor((durations.length - 1) / 2)]!, pages, accounts, runs: durations.length };
}

/** (3) CreateAccount then DescribeCreateAccountStatus of the request it answered: a step is the pair. */
export function createAccountPairs(t: Target, load: LoadOptions): Promise<Measurement> {
  return measure(
    t,
    "CreateAccount + DescribeCreateAccountStatus",
    "pair",
    load,
    async () => {
      const email = uniqueEmail();
      const created = await call(t.ep, t.mgmt, "CreateAccount", { Email: email, AccountName: email.slice(0, 40) });
      await call(t.ep, t.mgmt, "DescribeCreateAccountStatus", { CreateAccountRequestId: str(created, "CreateAccountStatus", "Id") });
    },
    2,
  );
}

/** Creates an account and waits for its id (orgsim and moto both finish creation at once by default). */
async function newMemberAccount(t: Target): Promise<string> {
  const email = uniqueEmail();
  const created = await call(t.ep, t.mgmt, "CreateAccount", { Email: email, AccountName: email.slice(0, 40) });
  const id = str(created, "CreateAccountStatus", "Id");
  for (let i = 0; i < 50; i++) {
    const status = await call(t.ep, t.mgmt, "DescribeCreateAccountStatus", { CreateAccountRequestId: id });
    const state = str(status, "CreateAccountStatus", "State");
    if (state === "SUCCEEDED") return str(status, "CreateAccountStatus", "AccountId");
    if (state === "FAILED") throw new Error(`CreateAccount failed: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("CreateAccount stayed IN_PROGRESS");
}

const scp = (statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/**
 * Five guard-rails per level, as a landing zone has them: one Allow that lets the call through,
 * four Denies it must get past. With `timeBound`, the last one is a change freeze conditioned on
 * aws:CurrentTime, which makes orgsim evaluate the path on every call instead of caching the decision.
 */
function levelPolicies(level: number, tag: string, timeBound: boolean): { name: string; content: string }[] {
  const last = timeBound
    ? {
        name: `bench-${tag}-l${level}-change-freeze`,
        content: scp([
          {
            Sid: "ChangeFreeze",
            Effect: "Deny",
            Action: ["ec2:TerminateInstances", "rds:DeleteDBInstance"],
            Resource: "*",
            Condition: { DateGreaterThan: { "aws:CurrentTime": "2099-12-24T00:00:00Z" } },
          },
        ]),
      }
    : {
        name: `bench-${tag}-l${level}-admin-only-iam`,
        content: scp([
          {
            Sid: "AdminOnlyIam",
            Effect: "Deny",
            Action: ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy"],
            Resource: "*",
            Condition: { ArnNotLike: { "aws:PrincipalARN": "arn:aws:iam::*:role/PlatformAdmin" } },
          },
        ]),
      };
  return [
    {
      name: `bench-${tag}-l${level}-allow-org-reads`,
      content: scp([
        {
          Sid: "AllowOrgReads",
          Effect: "Allow",
          Action: ["organizations:Describe*", "organizations:List*", "sts:*", "iam:*", "s3:*", "ec2:*"],
          Resource: "*",
        },
      ]),
    },
    {
      name: `bench-${tag}-l${level}-deny-leave`,
      content: scp([{ Sid: "DenyLeave", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }]),
    },
    {
      name: `bench-${tag}-l${level}-region-guard`,
      content: scp([
        {
          Sid: "DenyOtherRegions",
          Effect: "Deny",
          NotAction: ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*"],
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } },
        },
      ]),
    },
    {
      name: `bench-${tag}-l${level}-protect-trail`,
      content: scp([
        {
          Sid: "ProtectTrail",
          Effect: "Deny",
          Action: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"],
          Resource: "*",
        },
      ]),
    },
    last,
  ];
}

async function createPolicy(t: Target, name: string, content: string): Promise<string> {
  const out = await call(t.ep, t.mgmt, "CreatePolicy", { Name: name, Description: name, Type: "SERVICE_CONTROL_POLICY", Content: content });
  return str(out, "Policy", "PolicySummary", "Id");
}

async function createOu(t: Target, parent: string, name: string): Promise<string> {
  return str(await call(t.ep, t.mgmt, "CreateOrganizationalUnit", { ParentId: parent, Name: name }), "OrganizationalUnit", "Id");
}

/**
 * Makes `ids` (five policies) exactly the SCPs of `target`. AWS allows five per target, attaches
 * FullAWSAccess to every new one, and refuses to leave a target with none: so attach the first,
 * detach what was there, then attach the rest.
 */
async function replaceScps(t: Target, target: string, ids: string[]): Promise<void> {
  const out = await call(t.ep, t.mgmt, "ListPoliciesForTarget", { TargetId: target, Filter: "SERVICE_CONTROL_POLICY" });
  const existing = (Array.isArray(out.Policies) ? (out.Policies as { Id?: unknown }[]) : [])
    .map((p) => p.Id)
    .filter((id): id is string => typeof id === "string");
  const [first, ...rest] = ids;
  if (first === undefined) return;
  await call(t.ep, t.mgmt, "AttachPolicy", { PolicyId: first, TargetId: target });
  for (const id of existing) await call(t.ep, t.mgmt, "DetachPolicy", { PolicyId: id, TargetId: target });
  for (const id of rest) await call(t.ep, t.mgmt, "AttachPolicy", { PolicyId: id, TargetId: target });
}

export const SCP_WORKLOAD = "Member call through 3 OUs x 5 SCPs";

/**
 * (4) DescribeOrganization by the root user of a member account three OUs deep, with five SCPs
 * attached at each level: the call passes SCP evaluation through root, OU1, OU2, OU3 and the
 * account. orgsim caches SCP decisions per (policy version, principal, action, ...), so the same
 * call again is answered from that cache; `evaluateEveryCall` puts a policy conditioned on
 * aws:CurrentTime on the path, which orgsim never caches, to measure the evaluation itself.
 * A probe in a separate OU whose SCP denies the call checks that evaluation is live.
 *
 * scpMember sets this up (and answers the member account, and whether the deny probe was
 * denied); memberCallThroughScps measures the member's call.
 */
export interface ScpMember {
  member: string;
  probeDenied: boolean | string;
}

export async function scpMember(t: Target, evaluateEveryCall: boolean): Promise<ScpMember | { skipped: string }> {
  const tag = evaluateEveryCall ? "eval" : "cached";
  let member: string;
  let probeDenied: boolean | string;
  try {
    const roots = await call(t.ep, t.mgmt, "ListRoots", {});
    const rootId = str((roots.Roots as unknown[])[0], "Id");
    try {
      await call(t.ep, t.mgmt, "EnablePolicyType", { RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" });
    } catch (err) {
      if (!(err instanceof CallError && err.code === "PolicyTypeAlreadyEnabledException")) throw err;
    }
    let parent = rootId;
    for (let level = 1; level <= 3; level++) {
      const ou = await createOu(t, parent, `bench-${tag}-level-${level}`);
      const ids: string[] = [];
      for (const p of levelPolicies(level, tag, evaluateEveryCall)) ids.push(await createPolicy(t, p.name, p.content));
      await replaceScps(t, ou, ids);
      parent = ou;
    }
    member = await newMemberAccount(t);
    await call(t.ep, t.mgmt, "MoveAccount", { AccountId: member, SourceParentId: rootId, DestinationParentId: parent });

    // The probe: same shape, one OU whose SCP denies DescribeOrganization.
    const probeOu = await createOu(t, rootId, `bench-${tag}-probe`);
    const deny = await createPolicy(
      t,
      `bench-${tag}-probe-deny`,
      scp([{ Effect: "Deny", Action: "organizations:DescribeOrganization", Resource: "*" }]),
    );
    await call(t.ep, t.mgmt, "AttachPolicy", { PolicyId: deny, TargetId: probeOu });
    const probe = await newMemberAccount(t);
    await call(t.ep, t.mgmt, "MoveAccount", { AccountId: probe, SourceParentId: rootId, DestinationParentId: probeOu });
    try {
      await call(t.ep, probe, "DescribeOrganization", {});
      probeDenied = false;
    } catch (err) {
      probeDenied = err instanceof CallError && err.code === "AccessDeniedException" ? true : describeError(err);
    }
  } catch (err) {
    return { skipped: describeError(err) };
  }
  try {
    await call(t.ep, member, "DescribeOrganization", {});
  } catch (err) {
    return { skipped: `the member's DescribeOrganization does not pass: ${describeError(err)}` };
  }
  return { member, probeDenied };
}

/** (4), measured: set up by scpMember here, or given its `setup` (done once for several targets on one state). */
export async function memberCallThroughScps(
  t: Target,
  load: LoadOptions,
  evaluateEveryCall: boolean,
  setup?: ScpMember | { skipped: string },
): Promise<Measurement> {
  const workload = `${SCP_WORKLOAD} (${evaluateEveryCall ? "evaluated on every call" : "decision cached"})`;
  const s = setup ?? (await scpMember(t, evaluateEveryCall));
  if ("skipped" in s) return { server: t.server, workload, unit: "req", skipped: s.skipped, notes: [] };
  const { member, probeDenied } = s;
  const request = prepare(member, "DescribeOrganization", {});
  const m = await measure(t, workload, "req", load, async () => {
    await invoke(t.ep, request);
  });
  m.notes.push(
    evaluateEveryCall
      ? "a change-freeze SCP on the path conditions on aws:CurrentTime, so orgsim caches no decision: every call reads and evaluates root, three OUs and the account"
      : "the same call again: after the first, orgsim answers from its SCP decision cache",
  );
  if (probeDenied === false)
    m.notes.push(
      "SCP enforcement looked inactive: a probe account under a Deny SCP was NOT denied, so this figure may not include SCP evaluation",
    );
  else if (probeDenied !== true) m.notes.push(`the deny probe answered an unexpected error: ${probeDenied}`);
  else m.notes.push("SCP evaluation verified live (a probe under a Deny SCP got AccessDeniedException)");
  return m;
}

/**
 * (5) InviteAccountToOrganization (management) -> AcceptHandshake (the invited account) ->
 * LeaveOrganization (the invited account): a step is the whole cycle. Worker w owns standalone
 * account 700000000000 + w, so cycles never collide.
 */
export async function inviteAcceptLeave(t: Target, load: LoadOptions): Promise<Measurement> {
  const workload = "Invite -> accept -> leave cycle";
  const accountOf = (w: number): string => String(700_000_000_000 + w);
  const cycle = async (w: number): Promise<void> => {
    const account = accountOf(w);
    const invited = await call(t.ep, t.mgmt, "InviteAccountToOrganization", { Target: { Type: "ACCOUNT", Id: account } });
    await call(t.ep, account, "AcceptHandshake", { HandshakeId: str(invited, "Handshake", "Id") });
    await call(t.ep, account, "LeaveOrganization", {});
  };
  try {
    await cycle(load.concurrency); // one cycle outside the measured accounts, as a feature probe
  } catch (err) {
    const why = describeError(err);
    return {
      server: t.server,
      workload,
      unit: "cycle",
      skipped: t.server === "moto" ? `${why} (moto implements no handshakes nor LeaveOrganization)` : why,
      notes: [],
    };
  }
  return measure(t, workload, "cycle", load, cycle, 3);
}
