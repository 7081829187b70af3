/**
 * The JSON the console page reads (times are ISO-8601 strings of the virtual clock), and what it
 * asks for. This module imports nothing, so that the page's type check (console/tsconfig.json)
 * reads these types without the rest of the server. Where a shape mirrors one of the server's
 * own (EventRecord, TimingView, DepartureRule), the view that fills it assigns the server's value
 * to it, so the compiler tells when the two part.
 */

// ------------------------------------------------------------------------------------------------
// GET /_orgsim/state and GET /_orgsim/state/accounts/{id}
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
export type LeaveRule = "scp" | "delegatedAdministrator" | "waitingPeriod" | "supportPlan" | "contactInformation" | "paymentMethod";

export interface LeaveCheck {
  rule: LeaveRule;
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

/** An event (GET /_orgsim/events answers the same). */
export interface EventView {
  id: string;
  organizationId: string | null;
  /** ISO-8601, on the virtual clock. */
  time: string;
  eventName: string;
  eventSource: string;
  /** The calling account. */
  accountId: string | null;
  principalArn: string | null;
  detail: Record<string, unknown>;
}

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
  timing: { completeAsyncImmediately: boolean; createAccountDelaySeconds: number; closeAccountDelaySeconds: number };
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
  policiesByType: {
    type: string;
    levels: { targetId: string; targetType: string; name: string; policies: { id: string; name: string }[] }[];
  }[];
}

// ------------------------------------------------------------------------------------------------
// Other answers of the control API the page reads
// ------------------------------------------------------------------------------------------------

/** GET /_orgsim/state/version. */
export interface VersionAnswer {
  version: string;
}

/** GET /_orgsim/events?organizationId=&maxResults=&nextToken= (newest first). */
export interface EventsPage {
  events: EventView[];
  nextToken?: string | null;
}

/** A policy (and statement) that allowed or denied, in GET /_orgsim/explain. */
export interface ExplainMatch {
  policyId: string;
  policyName: string;
  sid?: string;
}

/** GET /_orgsim/explain (src/control/explain.ts): which SCP at which level decided. */
export interface ExplainAnswer {
  accountId: string;
  action: string;
  allowed: boolean;
  organizationId?: string;
  principalArn?: string;
  /** Why no SCP applies, when none does. */
  reason?: string;
  decision?: "ALLOWED" | "EXPLICIT_DENY" | "IMPLICIT_DENY";
  decidingLevel?: { targetId: string; targetType: string; policyId?: string; policyName?: string; statementSid?: string };
  message?: string;
  levels?: {
    targetId: string;
    targetType: string;
    policies: { id: string; name: string }[];
    allowedBy: ExplainMatch[];
    deniedBy: ExplainMatch[];
  }[];
}

/** The body of a control API error. */
export interface ErrorAnswer {
  error?: string;
  message?: string;
}

// ------------------------------------------------------------------------------------------------
// What the page asks for (GET /_orgsim/state's query, read by src/control/routes-console.ts)
// ------------------------------------------------------------------------------------------------

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
