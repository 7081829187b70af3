/**
 * The seed format (declarative start state) as a program writes it: `SeedFile`, what
 * `startOrgsim({ seed })` and `POST /_orgsim/seed` accept besides YAML text of the same shape.
 * `read.ts` checks a seed and turns it into a plan (`plan.ts`); `export.ts` writes this format.
 *
 * ```yaml
 * clock: { offset: 2d }
 * organizations:
 *   - management: "111111111111"
 *     featureSet: ALL
 *     policyTypes: [SERVICE_CONTROL_POLICY]
 *     serviceAccess: [sso.amazonaws.com]
 *     ous:
 *       - name: Workloads
 *         ous: [{ name: Prod, accounts: [{ name: app, email: app@example.com }] }]
 *     policies:
 *       - name: DenyLeave
 *         content: { Version: "2012-10-17", Statement: [...] }
 *         attach: [root, Workloads/Prod, app@example.com]
 *     invitations: [{ account: "888888888888", notes: Welcome }]
 * ```
 */

export type SeedTags = Record<string, string | number | boolean>;

export interface SeedReadiness {
  supportPlan?: boolean;
  contactInformation?: boolean;
  paymentMethod?: boolean;
}

export interface SeedFileAccount {
  /** Pins the id (12 digits); optional for created accounts, and for invited ones that give an email. */
  id?: string;
  name?: string;
  email?: string;
  /** How the account joined: made by CreateAccount (default) or invited and accepted. */
  joined?: "created" | "invited";
  /** CreateAccount's RoleName (default OrganizationAccountAccessRole); created accounts only. */
  roleName?: string;
  /** How long ago the account was created (days, for the four-day waiting period); created accounts only. */
  createdDaysAgo?: number;
  /** What a standalone account needs; `true` gives all three. Defaults: none for created accounts, all for invited ones. */
  readiness?: SeedReadiness | boolean;
  tags?: SeedTags;
  /** Service principals this account is a delegated administrator for. */
  delegatedAdministratorFor?: string[];
  /** Closed with CloseAccount after everything else is applied. */
  closed?: boolean;
}

export interface SeedFileOu {
  name: string;
  tags?: SeedTags;
  ous?: SeedFileOu[];
  accounts?: SeedFileAccount[];
}

export interface SeedFilePolicy {
  name: string;
  /** Default SERVICE_CONTROL_POLICY. */
  type?: string;
  description?: string;
  /** The policy document: an object (sent as compact JSON) or the exact text. */
  content?: unknown;
  /** `root`, an OU path such as `Workloads/Prod`, an account email or id. */
  attach?: string[];
  tags?: SeedTags;
  /** Refers to an AWS managed policy (FullAWSAccess, RCPFullAWSAccess) instead of creating one; only `detach` applies. */
  awsManaged?: boolean;
  /** Targets to detach an AWS managed policy from (it is attached everywhere when its type is enabled). */
  detach?: string[];
}

/** An invitation left open (InviteAccountToOrganization, not yet accepted or declined). */
export interface SeedFileInvitation {
  /** The invited account's id (target type ACCOUNT); or `email`. */
  account?: string;
  /** The invited owner's email (target type EMAIL); or `account`. */
  email?: string;
  notes?: string;
  /** Tags the account gets when it accepts. */
  tags?: SeedTags;
}

export interface SeedFileOrganization {
  /** The management account (12 digits): CreateOrganization is called as its root user. */
  management: string;
  managementEmail?: string;
  managementName?: string;
  /** Tags on the management account. */
  managementTags?: SeedTags;
  /** The OU path the management account is moved to (default: the root). */
  managementOu?: string;
  featureSet?: "ALL" | "CONSOLIDATED_BILLING";
  policyTypes?: string[];
  serviceAccess?: string[];
  rootTags?: SeedTags;
  /** Accounts directly under the root. */
  accounts?: SeedFileAccount[];
  ous?: SeedFileOu[];
  policies?: SeedFilePolicy[];
  /** Open invitations, sent after everything else. */
  invitations?: SeedFileInvitation[];
}

export interface SeedFile {
  /** `offset`: the virtual clock's offset from real time, e.g. `2d` (set, not added). */
  clock?: { offset?: string | number };
  organizations?: SeedFileOrganization[];
}

/** A seed as given: YAML (or JSON) text, or a `SeedFile` object. */
export type SeedInput = string | SeedFile;
