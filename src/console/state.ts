/**
 * What the console shows, assembled on the server in one store transaction per request:
 *
 * - `consoleState`: the organizations (for the selector) and, for the chosen one, its root and
 *   OU tree with account counts, the accounts of the containers the page has open (or the
 *   accounts matching a search), its policies with their content and targets, handshakes,
 *   delegated administrators and the latest events (newest first).
 * - `accountDetail`: one account, with its path and the policies that reach it level by level.
 * - `stateVersion`: a fingerprint that changes whenever anything the console shows changes, so
 *   the page can poll it every second and refetch only then.
 *
 * Everything is computed the way the operations compute it: account status from the virtual
 * clock (`accountStatus`), "could it leave now?" from the same rules LeaveOrganization applies
 * (management account, SCPs through `explainScps`, then `departureChecks`, every rule with its
 * answer, the first that blocks being LeaveOrganization's), handshake states with `toHandshake`.
 * Sizes are capped so that an organization of 10,000 accounts stays cheap: accounts come only
 * for open containers (a page each), OUs open by themselves only while the tree stays small
 * (`openContainers`), policy targets are capped per policy.
 */
import { toEventRecord, type EventRecord } from "../org/events.js";
import { createHash } from "node:crypto";
import { sql, type Expression, type SqlBool } from "kysely";
import type { App } from "../app.js";
import type { CallContext } from "../context.js";
import { rootCallContext } from "../auth/principal.js";
import type { Tx } from "../store/store.js";
import type { HandshakeTable, OuTable, PolicyTable } from "../store/schema.js";
import { clockView, readClockOffset } from "../clock.js";
import { timingView, type TimingView } from "../config.js";
import { explainScps, SCP, type Explanation } from "../org/scps.js";
import { requestContext } from "../policy/request-context.js";
import { policyPathFor as policyPath } from "../org/policy-repo.js";
import { denialMessage } from "../policy/evaluate.js";
import { accountStatus, getRoot, isPolicyTypeEnabled, parsePolicyTypes, type AccountRow, type OrgRow, type RootRow } from "../org/repo.js";
import { departureChecks, WAIT_PERIOD_MS, type DepartureRule } from "../org/departure.js";
import { describeTimeLeft as formatDuration } from "../duration.js";
import { currentState } from "../org/handshakes.js";
import { errors } from "../org/errors.js";
import { arns } from "../org/ids.js";

/** Accounts shown per open container until the page asks for more. */
export const DEFAULT_PAGE = 100;
/** The most accounts one container (or a search) returns in one answer. */
export const MAX_PAGE = 2000;
/** Targets listed per policy (the count is always exact). */
export const MAX_TARGETS_PER_POLICY = 50;
/** Events and handshakes in one answer (older events: GET /_orgsim/events with nextToken). */
export const RECENT_EVENTS = 50;
export const RECENT_HANDSHAKES = 100;
/** Longest search text accepted. */
export const MAX_SEARCH_LENGTH = 128;
/**
 * The tree opens by itself, breadth first, while it stays this small: OUs (those the page has not
 * opened or closed) open while the rows shown (OUs and accounts) stay within AUTO_OPEN_ROWS, if
 * they are at most AUTO_OPEN_DEPTH levels deep and hold at most AUTO_OPEN_MAX_ACCOUNTS accounts.
 */
export const AUTO_OPEN_ROWS = 400;
export const AUTO_OPEN_DEPTH = 6;
export const AUTO_OPEN_MAX_ACCOUNTS = 100;

const LEAVE_ACTION = "organizations:LeaveOrganization";

// ------------------------------------------------------------------------------------------------
// The shapes the console reads (JSON; times are ISO-8601 strings of the virtual clock)
// ------------------------------------------------------------------------------------------------

export interface Readiness {
  supportPlan: boolean;
  contactInformation: boolean;
  paymentMethod: boolean;
}

/**
 * One rule LeaveOrganization applies to the account, for the console's checklist: `scp` (only when
 * SCPs are enabled), then the departure rules in AWS's order. A rule that blocks carries what it
 * would answer; the first that blocks is the one LeaveOrganization answers.
 */
export interface LeaveCheck {
  rule: "scp" | DepartureRule;
  ok: boolean;
  error?: string;
  reason?: string;
  message?: string;
  detail?: string;
}

/** What LeaveOrganization, called now by the account's root user, would answer. */
export interface LeaveVerdict {
  canLeave: boolean;
  /** The exception AWS would return: MasterCannotLeaveOrganizationException, AccessDeniedException, ConstraintViolationException. */
  error?: string;
  /** The `Reason` member of a ConstraintViolationException. */
  reason?: string;
  /** AWS's message, word for word. */
  message?: string;
  /** orgsim's plain words (never on the wire): "3 days 23 hours left (until ...)", "no support plan", ... */
  detail?: string;
  /** The four-day waiting period of a created account, while it runs (even when another rule decides first). */
  waitPeriod?: { endsAt: string; secondsLeft: number; left: string };
  /** For an SCP denial: which level and policy decided. */
  scp?: { decision: string; targetId?: string; targetType?: string; policyId?: string; policyName?: string };
  /** Every rule, passed or not (empty for the management account, which no rule lets leave). */
  checks: LeaveCheck[];
}

export interface AccountView {
  id: string;
  arn: string;
  name: string;
  email: string;
  status: string;
  state: string;
  joinedMethod: string | null;
  joinedAt: string | null;
  parentId: string | null;
  isManagement: boolean;
  tags: { Key: string; Value: string }[];
  readiness: Readiness;
  /** Service principals this account is a delegated administrator for. */
  delegatedServices: string[];
  leave: LeaveVerdict;
}

export interface AttachedPolicyRef {
  id: string;
  name: string;
  type: string;
}

export interface TreeNode {
  id: string;
  type: "ROOT" | "ORGANIZATIONAL_UNIT";
  name: string;
  arn: string;
  parentId: string | null;
  /** Accounts directly in this container. */
  accountCount: number;
  /** Accounts in this container and every OU below it. */
  totalAccounts: number;
  /** Policies attached directly to this container. */
  policies: AttachedPolicyRef[];
  children: TreeNode[];
  /** Shown open: as the page asked, else by the default (`openContainers`). */
  open: boolean;
  /**
   * The accounts shown for this container: the first `shown` (management account first, then by
   * name) when the page has it open; in a search, the matches in this container. Absent otherwise.
   */
  accounts?: { items: AccountView[]; total: number };
  /** In a search: matching accounts in this container and below. */
  matches?: number;
}

export interface PolicyView {
  id: string;
  arn: string;
  name: string;
  description: string;
  type: string;
  awsManaged: boolean;
  content: string;
  targetCount: number;
  /** The first targets: the root, then OUs, then accounts. */
  targets: { id: string; type: string; name: string }[];
}

export type EventView = EventRecord;

export interface HandshakeView {
  id: string;
  arn: string;
  action: string;
  state: string;
  requestedAt: string;
  expiresAt: string;
  parties: { Id?: string; Type?: string }[];
  resources: unknown[];
}

export interface OrganizationSummary {
  id: string;
  managementAccountId: string;
  managementAccountEmail: string | null;
  featureSet: string;
  accountCount: number;
}

export interface OrganizationView extends OrganizationSummary {
  arn: string;
  partition: string;
  createdAt: string;
  policyTypes: { Type: string; Status: string }[];
  trustedServices: { servicePrincipal: string; enabledAt: string }[];
  delegatedAdministrators: { accountId: string; accountName: string | null; servicePrincipal: string; enabledAt: string }[];
  root: TreeNode;
  policies: PolicyView[];
  handshakes: HandshakeView[];
  handshakeCount: number;
  events: EventView[];
  /** Pass to GET /_orgsim/events?organizationId=...&nextToken=... for older events. */
  eventsNextToken: string | null;
}

export interface ConsoleState {
  version: string;
  clock: { now: string; offsetSeconds: number };
  /** When asynchronous operations complete (--complete-async-immediately, the delay settings). */
  timing: TimingView;
  organizations: OrganizationSummary[];
  /** The chosen organization (the one asked for, else the first); null when there is none. */
  organization: OrganizationView | null;
  search: { query: string; total: number; shown: number; limit: number } | null;
}

export interface AccountDetail {
  account: AccountView | null;
  /** The account is known to orgsim but in no organization (or not in the one asked about). */
  standalone: { id: string; name: string; email: string; readiness: Readiness; organizationId: string | null } | null;
  organizationId: string | null;
  /** Root, then each OU, down to the account's parent. */
  path: { id: string; type: string; name: string }[];
  /** For each policy type enabled in the root: the policies attached at each level, root first. */
  policiesByType: { type: string; levels: { targetId: string; targetType: string; name: string; policies: { id: string; name: string }[] }[] }[];
}

export interface ConsoleQuery {
  organizationId?: string;
  /** Containers the page opened (with how many accounts to show) or closed (0). The root is open unless listed as 0. */
  open: Map<string, number>;
  /** Whether OUs the page did not mention open by default while the tree stays small (default true). */
  autoOpen?: boolean;
  /** Text matched against account id, name and email (case-insensitive, substring). */
  search?: string;
  /** How many matches to return in a search. */
  searchLimit?: number;
}

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

const iso = (ms: number): string => new Date(ms).toISOString();

/** Accounts visible now: a created account appears when its creation completes. */
const visibleAt = (now: number): Expression<SqlBool> => sql<SqlBool>`(joined_at IS NULL OR joined_at <= ${now})`;

/** A LIKE pattern for a substring match, with `!` escaping the wildcards. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

const searchMatch = (pattern: string): Expression<SqlBool> =>
  sql<SqlBool>`(id LIKE ${pattern} ESCAPE '!' OR lower(name) LIKE ${pattern} ESCAPE '!' OR lower(email) LIKE ${pattern} ESCAPE '!')`;

/** Management account first, then by name, then by id. */
const accountOrder = (managementId: string) => sql`CASE WHEN id = ${managementId} THEN 0 ELSE 1 END, lower(name), id`;

function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A read-only call context for the shared rule functions (departureBlocker, explainScps). */
function consoleContext(app: App, tx: Tx, org: OrgRow, now: number): CallContext {
  return rootCallContext(app, tx, now, { accountId: org.management_account_id, partition: org.partition, operation: "Console", requestId: "console" });
}

async function now(tx: Tx): Promise<{ now: number; offset: number }> {
  const offset = await readClockOffset(tx);
  return { now: Date.now() + offset, offset };
}


function toHandshakeView(r: HandshakeTable, at: number): HandshakeView {
  return {
    id: r.id,
    arn: r.arn,
    action: r.action,
    state: currentState(r, at),
    requestedAt: iso(r.requested_at),
    expiresAt: iso(r.expires_at),
    parties: JSON.parse(r.parties) as { Id?: string; Type?: string }[],
    resources: JSON.parse(r.resources) as unknown[],
  };
}

// ------------------------------------------------------------------------------------------------
// Version
// ------------------------------------------------------------------------------------------------

/**
 * A short fingerprint of everything the console shows. Every Organizations write records an
 * event (the latest event id changes); the rest is covered by cheap aggregates: the clock offset
 * (time-dependent states), readiness (set through the control API, which records no event),
 * tags, account names and emails (the Account API), accounts becoming visible or changing
 * closure state, policy versions. One scan of the accounts table: a few milliseconds at 10,000.
 */
export async function stateVersion(app: App): Promise<string> {
  return app.store.transaction((tx) => versionIn(tx, app));
}

async function versionIn(tx: Tx, app: App): Promise<string> {
  const { now: at, offset } = await now(tx);
  const closeDelay = app.settings.closeAccountDelaySeconds * 1000;
  const events = await tx.selectFrom("events").select((eb) => eb.fn.max("id").as("latest")).executeTakeFirst();
  const orgs = await tx
    .selectFrom("organizations")
    .select((eb) => [eb.fn.countAll().as("n"), eb.fn.sum("policy_version").as("v")])
    .executeTakeFirst();
  // Readiness: how many accounts lack each item, and the first and last of them (so that two
  // opposite toggles between two polls still change the fingerprint in practice).
  const accounts = await sql<Record<string, unknown>>`
    SELECT count(*) AS n, count(org_id) AS members, sum(length(name) + length(email)) AS text,
      sum(support_plan) AS sp, sum(contact_info) AS ci, sum(payment_method) AS pm,
      min(CASE WHEN support_plan + contact_info + payment_method < 3 THEN id END) AS first_unready,
      max(CASE WHEN support_plan + contact_info + payment_method < 3 THEN id END) AS last_unready,
      sum(CASE WHEN joined_at IS NOT NULL AND joined_at <= ${at} THEN 1 ELSE 0 END) AS visible,
      sum(CASE WHEN closed_at IS NULL THEN 0 WHEN closed_at + ${closeDelay} <= ${at} THEN 2 ELSE 1 END) AS closing
    FROM accounts`.execute(tx);
  const tags = await sql<Record<string, unknown>>`SELECT count(*) AS n, sum(length(key) + length(value)) AS len FROM tags`.execute(tx);
  const parts = [events?.latest ?? "", offset, orgs?.n, orgs?.v, accounts.rows[0], tags.rows[0]];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

// ------------------------------------------------------------------------------------------------
// Accounts
// ------------------------------------------------------------------------------------------------

/**
 * The SCP decision on LeaveOrganization for accounts of one answer, shared by accounts whose paths
 * carry the same policies (same parent, same account-level SCPs). Without a Condition block on the
 * path the decision can't depend on who asks, so one evaluation serves them all; with one, each
 * account is evaluated on its own.
 */
type ScpMemo = Map<string, { explanation: Explanation; perPrincipal: boolean }>;

const HAS_CONDITION = /"Condition"\s*:/;

async function leaveScpDecision(ctx: CallContext, org: OrgRow, row: AccountRow, memoKey: string, memo: ScpMemo): Promise<Explanation> {
  const principalArn = arns.rootUser(org.partition, row.id);
  const known = memo.get(memoKey);
  if (!known || known.perPrincipal) {
    const explanation = await explainScps(ctx, org, row.id, LEAVE_ACTION, "*", principalArn);
    if (!known) {
      const perPrincipal = explanation.path.some((l) => l.policies.some((p) => HAS_CONDITION.test(p.content)));
      memo.set(memoKey, { explanation, perPrincipal });
    }
    return explanation;
  }
  const { decision, path } = known.explanation;
  const own = <L extends { targetId: string; targetType: string }>(level: L): L => (level.targetType === "ACCOUNT" ? { ...level, targetId: row.id } : level);
  const mine = { ...decision, decidingLevel: decision.decidingLevel && own(decision.decidingLevel), levels: decision.levels.map(own) };
  const arnOf = new Map(path.flatMap((l) => l.policies.map((p) => [p.id, p.arn] as const)));
  const rc = requestContext(ctx, org, LEAVE_ACTION, "*", principalArn);
  return { decision: mine, message: mine.allowed ? "" : denialMessage(principalArn, rc, mine, (id) => arnOf.get(id) ?? ""), path: path.map(own) };
}

/** What LeaveOrganization would answer now, in AWS's order: management account, SCPs, then the departure rules; and every rule's own answer. */
async function leaveVerdict(ctx: CallContext, org: OrgRow, scp: { memo: ScpMemo; key: string } | undefined, row: AccountRow): Promise<LeaveVerdict> {
  let waitPeriod: LeaveVerdict["waitPeriod"];
  if (row.created_by_org_id === org.id && row.joined_at !== null && ctx.now < row.joined_at + WAIT_PERIOD_MS) {
    const endsAt = row.joined_at + WAIT_PERIOD_MS;
    waitPeriod = { endsAt: iso(endsAt), secondsLeft: Math.ceil((endsAt - ctx.now) / 1000), left: formatDuration(endsAt - ctx.now) };
  }
  if (row.id === org.management_account_id) {
    const err = errors.masterCannotLeave();
    return { canLeave: false, error: err.code, message: err.message, detail: "the management account can't leave; delete the organization instead", checks: [] };
  }
  const checks: LeaveCheck[] = [];
  let scpView: LeaveVerdict["scp"];
  if (scp) {
    const { decision, message } = await leaveScpDecision(ctx, org, row, scp.key, scp.memo);
    const level = decision.decidingLevel;
    if (decision.allowed) {
      checks.push({ rule: "scp", ok: true });
    } else {
      const where = level ? `${level.targetType} ${level.targetId}` : "the account's path";
      checks.push({
        rule: "scp",
        ok: false,
        error: "AccessDeniedException",
        message,
        detail:
          decision.kind === "EXPLICIT_DENY"
            ? `denied by SCP ${level?.policyName ?? "?"} (${level?.policyId ?? "?"}) attached to ${where}`
            : `no SCP attached to ${where} allows ${LEAVE_ACTION}`,
      });
      scpView = { decision: decision.kind, targetId: level?.targetId, targetType: level?.targetType, policyId: level?.policyId, policyName: level?.policyName };
    }
  }
  for (const { rule, blocker } of await departureChecks(ctx, org, row)) {
    checks.push(blocker ? { rule, ok: false, error: "ConstraintViolationException", reason: blocker.reason, message: blocker.message, detail: blocker.detail } : { rule, ok: true });
  }
  const first = checks.find((c) => !c.ok);
  if (!first) return { canLeave: true, waitPeriod, checks };
  return {
    canLeave: false,
    error: first.error,
    reason: first.reason,
    message: first.message,
    detail: first.detail,
    waitPeriod,
    ...(first.rule === "scp" ? { scp: scpView } : {}),
    checks,
  };
}

/**
 * Which containers show their accounts, and how many: those the page opened (`chosen`, a count
 * above 0) and, where the page said nothing, OUs opened by default while the tree stays small
 * (see AUTO_OPEN_ROWS). Breadth first, so shallow OUs open before deep ones; only containers whose
 * parents are open count. Marks each node's `open`.
 */
export function openContainers(tree: TreeNode, chosen: ReadonlyMap<string, number>, autoOpen = true): Map<string, number> {
  const shown = new Map<string, number>();
  let rows = 0;
  const queue: { node: TreeNode; depth: number }[] = [{ node: tree, depth: 0 }];
  for (let i = 0; i < queue.length; i++) {
    const { node, depth } = queue[i]!;
    const choice = chosen.get(node.id);
    let page = DEFAULT_PAGE;
    if (choice !== undefined) {
      node.open = choice > 0;
      page = choice;
    } else if (node.type === "ROOT") {
      node.open = true;
    } else {
      const cost = Math.min(node.accountCount, DEFAULT_PAGE) + node.children.length;
      node.open = autoOpen && depth <= AUTO_OPEN_DEPTH && node.accountCount <= AUTO_OPEN_MAX_ACCOUNTS && rows + cost <= AUTO_OPEN_ROWS;
    }
    if (!node.open) continue;
    if (node.accountCount > 0) shown.set(node.id, page);
    rows += Math.min(node.accountCount, page) + node.children.length;
    for (const child of node.children) queue.push({ node: child, depth: depth + 1 });
  }
  return shown;
}

/** Account views for rows of one organization, with tags, delegations and the leave verdict. */
async function accountViews(ctx: CallContext, org: OrgRow, scpEnabled: boolean, rows: AccountRow[], scpMemo: ScpMemo = new Map()): Promise<AccountView[]> {
  if (rows.length === 0) return [];
  const tagsOf = new Map<string, { Key: string; Value: string }[]>();
  for (const ids of chunks(rows.map((r) => r.id))) {
    const tags = await ctx.tx.selectFrom("tags").selectAll().where("resource_id", "in", ids).orderBy("resource_id").orderBy("key").execute();
    for (const t of tags) {
      const list = tagsOf.get(t.resource_id) ?? [];
      list.push({ Key: t.key, Value: t.value });
      tagsOf.set(t.resource_id, list);
    }
  }
  const delegations = await ctx.tx.selectFrom("delegated_admins").select(["account_id", "principal"]).where("org_id", "=", org.id).orderBy("principal").execute();
  const delegatedOf = new Map<string, string[]>();
  for (const d of delegations) delegatedOf.set(d.account_id, [...(delegatedOf.get(d.account_id) ?? []), d.principal]);
  // Account-level SCPs, for sharing one SCP evaluation among accounts with the same path.
  const ownScps = new Map<string, string[]>();
  if (scpEnabled) {
    for (const ids of chunks(rows.map((r) => r.id))) {
      const attached = await ctx.tx
        .selectFrom("policy_targets")
        .innerJoin("policies", "policies.id", "policy_targets.policy_id")
        .select(["policy_targets.target_id", "policies.id"])
        .where("policy_targets.org_id", "=", org.id)
        .where("policy_targets.target_id", "in", ids)
        .where("policies.type", "=", SCP)
        .orderBy("policies.id")
        .execute();
      for (const a of attached) ownScps.set(a.target_id, [...(ownScps.get(a.target_id) ?? []), a.id]);
    }
  }
  const closeDelay = ctx.settings.closeAccountDelaySeconds * 1000;
  const views: AccountView[] = [];
  for (const row of rows) {
    const status = accountStatus(row, ctx.now, closeDelay);
    views.push({
      id: row.id,
      arn: arns.account(org.partition, org.management_account_id, org.id, row.id),
      name: row.name,
      email: row.email,
      status: status.Status,
      state: status.State,
      joinedMethod: row.joined_method,
      joinedAt: row.joined_at === null ? null : iso(row.joined_at),
      parentId: row.parent_id,
      isManagement: row.id === org.management_account_id,
      tags: tagsOf.get(row.id) ?? [],
      readiness: { supportPlan: row.support_plan === 1, contactInformation: row.contact_info === 1, paymentMethod: row.payment_method === 1 },
      delegatedServices: delegatedOf.get(row.id) ?? [],
      leave: await leaveVerdict(ctx, org, scpEnabled ? { memo: scpMemo, key: `${row.parent_id}|${(ownScps.get(row.id) ?? []).join(",")}` } : undefined, row),
    });
  }
  return views;
}

// ------------------------------------------------------------------------------------------------
// The organization
// ------------------------------------------------------------------------------------------------

async function organizationSummaries(tx: Tx, at: number): Promise<{ rows: OrgRow[]; summaries: OrganizationSummary[] }> {
  const rows = await tx.selectFrom("organizations").selectAll().orderBy("created_at").orderBy("id").execute();
  if (rows.length === 0) return { rows, summaries: [] };
  const counts = await tx
    .selectFrom("accounts")
    .select((eb) => ["org_id", eb.fn.countAll().as("n")])
    .where("org_id", "is not", null)
    .where(visibleAt(at))
    .groupBy("org_id")
    .execute();
  const countOf = new Map(counts.map((c) => [c.org_id, Number(c.n)]));
  const emails = await tx
    .selectFrom("accounts")
    .select(["id", "email"])
    .where(
      "id",
      "in",
      rows.map((r) => r.management_account_id),
    )
    .execute();
  const emailOf = new Map(emails.map((e) => [e.id, e.email]));
  return {
    rows,
    summaries: rows.map((r) => ({
      id: r.id,
      managementAccountId: r.management_account_id,
      managementAccountEmail: emailOf.get(r.management_account_id) ?? null,
      featureSet: r.feature_set,
      accountCount: countOf.get(r.id) ?? 0,
    })),
  };
}

/** The root and every OU as a tree (OUs by name), with account counts and directly attached policies. */
async function buildTree(tx: Tx, org: OrgRow, root: RootRow, at: number): Promise<{ tree: TreeNode; nodes: Map<string, TreeNode> }> {
  const ous: OuTable[] = await tx.selectFrom("ous").selectAll().where("org_id", "=", org.id).orderBy("name").orderBy("id").execute();
  const counts = await tx
    .selectFrom("accounts")
    .select((eb) => ["parent_id", eb.fn.countAll().as("n")])
    .where("org_id", "=", org.id)
    .where(visibleAt(at))
    .groupBy("parent_id")
    .execute();
  const countOf = new Map(counts.map((c) => [c.parent_id, Number(c.n)]));
  const attached = await tx
    .selectFrom("policy_targets")
    .innerJoin("policies", "policies.id", "policy_targets.policy_id")
    .select(["policy_targets.target_id", "policies.id", "policies.name", "policies.type"])
    .where("policy_targets.org_id", "=", org.id)
    .where("policy_targets.target_type", "in", ["ROOT", "ORGANIZATIONAL_UNIT"])
    .orderBy("policies.type")
    .orderBy("policies.name")
    .execute();
  const policiesOf = new Map<string, AttachedPolicyRef[]>();
  for (const a of attached) policiesOf.set(a.target_id, [...(policiesOf.get(a.target_id) ?? []), { id: a.id, name: a.name, type: a.type }]);

  const node = (id: string, type: TreeNode["type"], name: string, arn: string, parentId: string | null): TreeNode => ({
    id,
    type,
    name,
    arn,
    parentId,
    accountCount: countOf.get(id) ?? 0,
    totalAccounts: 0,
    policies: policiesOf.get(id) ?? [],
    children: [],
    open: false,
  });
  const tree = node(root.id, "ROOT", root.name, root.arn, null);
  const nodes = new Map<string, TreeNode>([[root.id, tree]]);
  for (const ou of ous) nodes.set(ou.id, node(ou.id, "ORGANIZATIONAL_UNIT", ou.name, ou.arn, ou.parent_id));
  for (const ou of ous) nodes.get(ou.parent_id)?.children.push(nodes.get(ou.id)!);
  const total = (n: TreeNode, depth: number): number => {
    n.totalAccounts = n.accountCount + (depth > 10 ? 0 : n.children.reduce((sum, c) => sum + total(c, depth + 1), 0));
    return n.totalAccounts;
  };
  total(tree, 0);
  return { tree, nodes };
}

async function policyViews(tx: Tx, org: OrgRow, root: RootRow, nodes: Map<string, TreeNode>): Promise<PolicyView[]> {
  const enabledTypes = new Set(parsePolicyTypes(root).filter((t) => t.Status === "ENABLED").map((t) => t.Type));
  const rows: PolicyTable[] = await tx
    .selectFrom("policies")
    .selectAll()
    .where((eb) => eb.or([eb("org_id", "=", org.id), eb("aws_managed", "=", 1)]))
    .orderBy("type")
    .orderBy("name")
    .orderBy("id")
    .execute();
  const counts = await tx
    .selectFrom("policy_targets")
    .select((eb) => ["policy_id", eb.fn.countAll().as("n")])
    .where("org_id", "=", org.id)
    .groupBy("policy_id")
    .execute();
  const countOf = new Map(counts.map((c) => [c.policy_id, Number(c.n)]));
  const firstTargets = await sql<{ policy_id: string; target_id: string; target_type: string }>`
    SELECT policy_id, target_id, target_type FROM (
      SELECT policy_id, target_id, target_type,
        ROW_NUMBER() OVER (PARTITION BY policy_id ORDER BY CASE target_type WHEN 'ROOT' THEN 0 WHEN 'ORGANIZATIONAL_UNIT' THEN 1 ELSE 2 END, target_id) AS rn
      FROM policy_targets WHERE org_id = ${org.id}
    ) ranked WHERE rn <= ${MAX_TARGETS_PER_POLICY}`.execute(tx);
  const accountIds = [...new Set(firstTargets.rows.filter((t) => t.target_type === "ACCOUNT").map((t) => t.target_id))];
  const accountName = new Map<string, string>();
  for (const ids of chunks(accountIds)) {
    for (const a of await tx.selectFrom("accounts").select(["id", "name"]).where("id", "in", ids).execute()) accountName.set(a.id, a.name);
  }
  const targetsOf = new Map<string, PolicyView["targets"]>();
  const order = (type: string) => (type === "ROOT" ? 0 : type === "ORGANIZATIONAL_UNIT" ? 1 : 2);
  for (const t of firstTargets.rows.sort((a, b) => order(a.target_type) - order(b.target_type) || a.target_id.localeCompare(b.target_id))) {
    const name = t.target_type === "ACCOUNT" ? accountName.get(t.target_id) : nodes.get(t.target_id)?.name;
    targetsOf.set(t.policy_id, [...(targetsOf.get(t.policy_id) ?? []), { id: t.target_id, type: t.target_type, name: name ?? t.target_id }]);
  }
  return rows
    .filter((p) => p.aws_managed !== 1 || enabledTypes.has(p.type) || (countOf.get(p.id) ?? 0) > 0)
    .map((p) => ({
      id: p.id,
      arn: p.aws_managed === 1 ? arns.awsManagedPolicy(org.partition, p.type, p.id) : p.arn,
      name: p.name,
      description: p.description,
      type: p.type,
      awsManaged: p.aws_managed === 1,
      content: p.content,
      targetCount: countOf.get(p.id) ?? 0,
      targets: targetsOf.get(p.id) ?? [],
    }));
}

async function organizationView(app: App, tx: Tx, org: OrgRow, summary: OrganizationSummary, q: ConsoleQuery, at: number): Promise<{ view: OrganizationView; search: ConsoleState["search"] }> {
  const root = await getRoot(tx, org.id);
  const scpEnabled = isPolicyTypeEnabled(root, SCP);
  const ctx = consoleContext(app, tx, org, at);
  const { tree, nodes } = await buildTree(tx, org, root, at);
  const scpMemo: ScpMemo = new Map();

  let search: ConsoleState["search"] = null;
  const query = q.search?.trim() ?? "";
  if (query !== "") {
    const limit = Math.min(Math.max(q.searchLimit ?? DEFAULT_PAGE * 2, 1), MAX_PAGE);
    const pattern = containsPattern(query);
    const totalRow = await tx
      .selectFrom("accounts")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("org_id", "=", org.id)
      .where(visibleAt(at))
      .where(searchMatch(pattern))
      .executeTakeFirst();
    const rows = await tx
      .selectFrom("accounts")
      .selectAll()
      .where("org_id", "=", org.id)
      .where(visibleAt(at))
      .where(searchMatch(pattern))
      .orderBy(accountOrder(org.management_account_id))
      .limit(limit)
      .execute();
    const views = await accountViews(ctx, org, scpEnabled, rows, scpMemo);
    for (const v of views) {
      const container = nodes.get(v.parentId ?? "");
      if (!container) continue;
      container.accounts ??= { items: [], total: 0 };
      container.accounts.items.push(v);
      container.accounts.total += 1;
      for (let n: TreeNode | undefined = container, depth = 0; n && depth < 12; n = nodes.get(n.parentId ?? ""), depth++) n.matches = (n.matches ?? 0) + 1;
    }
    search = { query, total: Number(totalRow?.n ?? 0), shown: views.length, limit };
  } else {
    for (const [id, wanted] of openContainers(tree, q.open, q.autoOpen ?? true)) {
      const container = nodes.get(id);
      if (!container) continue;
      const rows = await tx
        .selectFrom("accounts")
        .selectAll()
        .where("org_id", "=", org.id)
        .where("parent_id", "=", id)
        .where(visibleAt(at))
        .orderBy(accountOrder(org.management_account_id))
        .limit(Math.min(wanted, MAX_PAGE))
        .execute();
      container.accounts = { items: await accountViews(ctx, org, scpEnabled, rows, scpMemo), total: container.accountCount };
    }
  }

  const services = await tx.selectFrom("service_access").selectAll().where("org_id", "=", org.id).orderBy("principal").execute();
  const delegated = await tx
    .selectFrom("delegated_admins")
    .leftJoin("accounts", "accounts.id", "delegated_admins.account_id")
    .select(["delegated_admins.account_id", "delegated_admins.principal", "delegated_admins.enabled_at", "accounts.name"])
    .where("delegated_admins.org_id", "=", org.id)
    .orderBy("delegated_admins.principal")
    .orderBy("delegated_admins.account_id")
    .execute();
  const handshakeCount = await tx.selectFrom("handshakes").select((eb) => eb.fn.countAll().as("n")).where("org_id", "=", org.id).executeTakeFirst();
  const handshakes = await tx
    .selectFrom("handshakes")
    .selectAll()
    .where("org_id", "=", org.id)
    .orderBy("requested_at", "desc")
    .orderBy("id", "desc")
    .limit(RECENT_HANDSHAKES)
    .execute();
  const events = await tx
    .selectFrom("events")
    .selectAll()
    .where("org_id", "=", org.id)
    .orderBy("id", "desc")
    .limit(RECENT_EVENTS + 1)
    .execute();
  const page = events.slice(0, RECENT_EVENTS);

  return {
    search,
    view: {
      ...summary,
      arn: org.arn,
      partition: org.partition,
      createdAt: iso(org.created_at),
      policyTypes: parsePolicyTypes(root),
      trustedServices: services.map((s) => ({ servicePrincipal: s.principal, enabledAt: iso(s.enabled_at) })),
      delegatedAdministrators: delegated.map((d) => ({ accountId: d.account_id, accountName: d.name, servicePrincipal: d.principal, enabledAt: iso(d.enabled_at) })),
      root: tree,
      policies: await policyViews(tx, org, root, nodes),
      handshakes: handshakes.map((h) => toHandshakeView(h, at)),
      handshakeCount: Number(handshakeCount?.n ?? 0),
      events: page.map(toEventRecord),
      eventsNextToken: events.length > RECENT_EVENTS ? page[page.length - 1]!.id : null,
    },
  };
}

/** GET /_orgsim/state: everything the page shows, in one transaction. */
export async function consoleState(app: App, q: ConsoleQuery): Promise<ConsoleState> {
  return app.store.transaction(async (tx) => {
    const version = await versionIn(tx, app);
    const { now: at, offset } = await now(tx);
    const { rows, summaries } = await organizationSummaries(tx, at);
    const index = Math.max(0, q.organizationId ? rows.findIndex((r) => r.id === q.organizationId) : 0);
    const org = rows[index];
    const chosen = org ? await organizationView(app, tx, org, summaries[index]!, q, at) : undefined;
    return {
      version,
      clock: clockView(offset),
      timing: timingView(app.settings),
      organizations: summaries,
      organization: chosen?.view ?? null,
      search: chosen?.search ?? null,
    };
  });
}

/** GET /_orgsim/state/accounts/{id}: one account, its path and the policies that reach it. */
export async function accountDetail(app: App, accountId: string): Promise<AccountDetail> {
  return app.store.transaction(async (tx) => {
    const { now: at } = await now(tx);
    const row = await tx.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
    const empty: AccountDetail = { account: null, standalone: null, organizationId: null, path: [], policiesByType: [] };
    if (!row) return empty;
    const readiness = { supportPlan: row.support_plan === 1, contactInformation: row.contact_info === 1, paymentMethod: row.payment_method === 1 };
    const org = row.org_id && (row.joined_at === null || row.joined_at <= at)
      ? await tx.selectFrom("organizations").selectAll().where("id", "=", row.org_id).executeTakeFirst()
      : undefined;
    if (!org) return { ...empty, standalone: { id: row.id, name: row.name, email: row.email, readiness, organizationId: null } };
    const root = await getRoot(tx, org.id);
    const ctx = consoleContext(app, tx, org, at);
    const [account] = await accountViews(ctx, org, isPolicyTypeEnabled(root, SCP), [row]);

    const path: AccountDetail["path"] = [];
    let parent = row.parent_id;
    for (let depth = 0; parent && depth < 12; depth++) {
      if (parent === root.id) {
        path.unshift({ id: root.id, type: "ROOT", name: root.name });
        break;
      }
      const ou = await tx.selectFrom("ous").select(["id", "name", "parent_id"]).where("id", "=", parent).executeTakeFirst();
      if (!ou) break;
      path.unshift({ id: ou.id, type: "ORGANIZATIONAL_UNIT", name: ou.name });
      parent = ou.parent_id;
    }
    const names = new Map([...path.map((p) => [p.id, p.name] as const), [row.id, row.name] as const]);
    const policiesByType: AccountDetail["policiesByType"] = [];
    for (const t of parsePolicyTypes(root).filter((p) => p.Status === "ENABLED")) {
      const levels = await policyPath(tx, org.id, row.id, t.Type);
      policiesByType.push({
        type: t.Type,
        levels: levels.map((l) => ({
          targetId: l.targetId,
          targetType: l.targetType,
          name: names.get(l.targetId) ?? l.targetId,
          policies: l.policies.map((p) => ({ id: p.id, name: p.name })),
        })),
      });
    }
    return { account: account ?? null, standalone: null, organizationId: org.id, path, policiesByType };
  });
}
