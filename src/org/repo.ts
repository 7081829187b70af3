/**
 * The organization's rows (the organization, its accounts, its root) and the small reads and
 * writes every service, the control API, seeds and the console share.
 */
import type { Account, Organization, Root } from "@aws-sdk/client-organizations";
import type { CallContext } from "../context.js";
import { andThen, cachedNow, isReadOnly, type Cached, type Tx } from "../store/store.js";
import { hotQuery } from "../store/hot.js";
import { nextSeq } from "../store/sequence.js";
import type { AccountTable, OrganizationTable, RootTable } from "../store/schema.js";
import { arns } from "./ids.js";
import { errors } from "./errors.js";

export type OrgRow = OrganizationTable;
export type AccountRow = AccountTable;
export type RootRow = RootTable;

export const DAY_MS = 86_400_000;
/** How long a closed account stays SUSPENDED before AWS reports it CLOSED. */
export const CLOSED_AFTER_MS = 90 * DAY_MS;

export interface PolicyTypeSummaryRow {
  Type: string;
  Status: string;
}

export function getOrganization(tx: Tx, orgId: string): Cached<OrgRow | undefined> {
  return cachedNow(tx, "organization", orgId, async () => {
    const rows = await hotQuery(tx, "organization", [orgId], (t) => t.selectFrom("organizations").selectAll().where("id", "=", orgId));
    return rows[0];
  });
}

export function getAccountRow(tx: Tx, id: string): Cached<AccountRow | undefined> {
  return cachedNow(tx, "account", id, async () => {
    const rows = await hotQuery(tx, "account", [id], (t) => t.selectFrom("accounts").selectAll().where("id", "=", id));
    return rows[0];
  });
}

/** The default email of an account that orgsim knows only by its id (it signed up on its own). */
export const implicitEmail = (id: string): string => `account-${id}@example.com`;

/**
 * The row of any account; an account known only by its id exists implicitly as a signed-up
 * standalone account. A write transaction stores that row; a read transaction only sees it
 * (reads never write), so the first write that needs the account stores it.
 */
export async function ensureAccount(tx: Tx, id: string, now: number): Promise<AccountRow> {
  const existing = await getAccountRow(tx, id);
  if (existing) return existing;
  // A read shows the implicit account without storing it (so it has no place in any list yet).
  if (isReadOnly(tx)) return implicitAccountRow(id, now, 0);
  const row = implicitAccountRow(id, now, await nextSeq(tx));
  await tx
    .insertInto("accounts")
    .values(row)
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  return (await getAccountRow(tx, id))!;
}

/** The row an account known only by its id has before anything is stored for it. */
function implicitAccountRow(id: string, now: number, seq: number): AccountRow {
  return {
    id,
    org_id: null,
    parent_id: null,
    email: implicitEmail(id),
    name: `Account ${id}`,
    joined_method: null,
    joined_at: null,
    created_at: now,
    created_by_org_id: null,
    support_plan: 1,
    contact_info: 1,
    payment_method: 1,
    closed_at: null,
    govcloud_enabled: 0,
    seq,
  };
}

/** Whether `accountId` is a delegated administrator in the organization (for `principal`, or for any service). */
export async function isDelegatedAdministrator(tx: Tx, orgId: string, accountId: string, principal?: string): Promise<boolean> {
  let q = tx.selectFrom("delegated_admins").select("account_id").where("org_id", "=", orgId).where("account_id", "=", accountId);
  if (principal !== undefined) q = q.where("principal", "=", principal);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/** Whether trusted access for a service principal is enabled in the organization. */
export async function isServiceAccessEnabled(tx: Tx, orgId: string, principal: string): Promise<boolean> {
  const row = await tx
    .selectFrom("service_access")
    .select("principal")
    .where("org_id", "=", orgId)
    .where("principal", "=", principal)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether a member account's row is visible at `now` (a created account appears when its creation completes). */
export const isVisible = (row: AccountRow, now: number): boolean => row.joined_at === null || row.joined_at <= now;

export interface Membership {
  account: AccountRow | undefined;
  org: OrgRow | undefined;
}

/** The caller's account and organization, read once per call; at once (no promise) when the call or the state cache has them. */
export function membership(ctx: CallContext): Cached<Membership> {
  const cached = ctx.scratch.membership as Membership | undefined;
  if (cached) return cached;
  return andThen(getAccountRow(ctx.tx, ctx.principal.accountId), (account) =>
    account?.org_id && isVisible(account, ctx.now)
      ? andThen(getOrganization(ctx.tx, account.org_id), (org) => remember(ctx, { account, org }))
      : remember(ctx, { account, org: undefined }),
  );
}

function remember(ctx: CallContext, result: Membership): Membership {
  ctx.scratch.membership = result;
  return result;
}

const orgOrNotInUse = ({ org }: Membership): OrgRow => {
  if (!org) throw errors.notInUse();
  return org;
};

/** The caller's organization (AWSOrganizationsNotInUseException outside one); at once when membership answers at once. */
export function requireOrg(ctx: CallContext): Cached<OrgRow> {
  return andThen(membership(ctx), orgOrNotInUse);
}

export async function requireManagement(ctx: CallContext): Promise<OrgRow> {
  const org = await requireOrg(ctx);
  if (org.management_account_id !== ctx.principal.accountId) throw errors.accessDenied();
  return org;
}

export async function getRoot(tx: Tx, orgId: string): Promise<RootRow> {
  const root = await cachedNow(tx, "root", orgId, async () => {
    const rows = await hotQuery(tx, "root", [orgId], (t) => t.selectFrom("roots").selectAll().where("org_id", "=", orgId));
    return rows[0];
  });
  if (!root) throw new Error(`organization ${orgId} has no root`);
  return root;
}

export function accountStatus(row: AccountRow, now: number, closeDelayMs: number): { Status: string; State: string } {
  if (row.closed_at === null) return { Status: "ACTIVE", State: "ACTIVE" };
  if (now < row.closed_at + closeDelayMs) return { Status: "PENDING_CLOSURE", State: "PENDING_CLOSURE" };
  if (now >= row.closed_at + closeDelayMs + CLOSED_AFTER_MS) return { Status: "SUSPENDED", State: "CLOSED" };
  return { Status: "SUSPENDED", State: "SUSPENDED" };
}

export function toAccount(ctx: CallContext, org: OrgRow, row: AccountRow): Account {
  const status = accountStatus(row, ctx.now, ctx.settings.closeAccountDelaySeconds * 1000);
  return {
    Id: row.id,
    Arn: arns.account(org.partition, org.management_account_id, org.id, row.id),
    Email: row.email,
    Name: row.name,
    Status: status.Status as Account["Status"],
    State: status.State as Account["State"],
    JoinedMethod: (row.joined_method ?? undefined) as Account["JoinedMethod"],
    JoinedTimestamp: row.joined_at === null ? undefined : new Date(row.joined_at),
  };
}

/** A member (or the management account) of `org`, visible now; AccountNotFoundException otherwise. */
export async function getMemberAccount(ctx: CallContext, org: OrgRow, accountId: string): Promise<AccountRow> {
  const row = await getAccountRow(ctx.tx, accountId);
  if (!row || row.org_id !== org.id || !isVisible(row, ctx.now)) throw errors.accountNotFound();
  return row;
}

/** The policy types of each root row read, parsed once per row object (rows served from the state cache are shared by calls). */
const parsedPolicyTypes = new WeakMap<RootRow, readonly PolicyTypeSummaryRow[]>();

/** The root's policy types (frozen: the same list is shared by every call that reads the row). */
export function parsePolicyTypes(root: RootRow): readonly PolicyTypeSummaryRow[] {
  let types = parsedPolicyTypes.get(root);
  if (types === undefined) {
    types = Object.freeze((JSON.parse(root.policy_types) as PolicyTypeSummaryRow[]).map((t) => Object.freeze(t)));
    parsedPolicyTypes.set(root, types);
  }
  return types;
}

export function isPolicyTypeEnabled(root: RootRow, type: string): boolean {
  return parsePolicyTypes(root).some((p) => p.Type === type && p.Status === "ENABLED");
}

export function toRoot(org: OrgRow, root: RootRow): Root {
  return {
    Id: root.id,
    Arn: root.arn,
    Name: root.name,
    PolicyTypes: parsePolicyTypes(root) as Root["PolicyTypes"],
  };
}

/** The organization as DescribeOrganization shows it, built once per state version (shared and frozen, like the rows it comes from). */
export function toOrganization(tx: Tx, org: OrgRow): Cached<Organization> {
  return cachedNow(tx, "organization-view", org.id, async () => {
    const mgmt = await getAccountRow(tx, org.management_account_id);
    const root = await getRoot(tx, org.id);
    const scpEnabled = isPolicyTypeEnabled(root, "SERVICE_CONTROL_POLICY");
    return {
      Id: org.id,
      Arn: org.arn,
      FeatureSet: org.feature_set as Organization["FeatureSet"],
      MasterAccountArn: arns.account(org.partition, org.management_account_id, org.id, org.management_account_id),
      MasterAccountId: org.management_account_id,
      MasterAccountEmail: mgmt?.email,
      // Deprecated by AWS but still returned; it reflects SCPs only.
      AvailablePolicyTypes: scpEnabled ? [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }] : [],
    };
  });
}

/** Bumps the organization's policy version: cached SCP decisions of the organization become stale. */
export async function bumpPolicyVersion(tx: Tx, orgId: string): Promise<void> {
  await tx
    .updateTable("organizations")
    .set((eb) => ({ policy_version: eb("policy_version", "+", 1) }))
    .where("id", "=", orgId)
    .execute();
}
