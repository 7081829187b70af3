/**
 * Trusted access for AWS services (EnableAWSServiceAccess and its kin) and delegated
 * administrators (RegisterDelegatedAdministrator and its kin), with AWS's checks and messages.
 *
 * Who may call each operation (management account, or a delegated administrator for the read
 * operations) is decided earlier, by the authorization step (access.ts, authorize.ts).
 */
import type {
  DelegatedAdministrator,
  DelegatedService,
  DeregisterDelegatedAdministratorRequest,
  DisableAWSServiceAccessRequest,
  EnableAWSServiceAccessRequest,
  EnabledServicePrincipal,
  ListAWSServiceAccessForOrganizationRequest,
  ListAWSServiceAccessForOrganizationResponse,
  ListDelegatedAdministratorsRequest,
  ListDelegatedAdministratorsResponse,
  ListDelegatedServicesForAccountRequest,
  ListDelegatedServicesForAccountResponse,
  RegisterDelegatedAdministratorRequest,
} from "@aws-sdk/client-organizations";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import type { AwsError } from "../../protocol/errors.js";
import { errors, constraintViolation, invalidInput } from "../../org/errors.js";
import { recordEvent } from "../../org/events.js";
import { pages } from "./pages.js";
import { seqKey } from "../../paginate.js";
import { nextSeq } from "../../store/sequence.js";
import {
  getMemberAccount,
  getRoot,
  isPolicyTypeEnabled,
  isServiceAccessEnabled,
  requireOrg,
  toAccount,
  type AccountRow,
  type OrgRow,
} from "../../org/repo.js";
import {
  DEFAULT_MAX_DELEGATED_ADMINS,
  DELEGATED_ADMIN_SERVICE_PRINCIPALS,
  INTEGRATED_SERVICE_PRINCIPALS,
  MAX_DELEGATED_ADMINS,
  policyTypesOfService,
} from "./service-principals.js";

// AWS's words: A = seen in real AWS output, B = the API Reference's description of the reason
// (see docs/research/aws-messages.md).
export const MESSAGES = {
  /** B */
  unrecognizedServicePrincipal: "You specified a service principal that isn't recognized.",
  /** B */
  notInAllFeaturesMode:
    "You attempted to perform an operation that requires the organization to be configured to support all features. An organization that supports only consolidated billing features can't perform this operation.",
  /** A (CloudShell output, servicecatalog.amazonaws.com) */
  serviceAccessNotEnabled:
    "You must enable service access before you delegate an administrator for this service. Call the AWS API EnableAWSServiceAccess first.",
  /** A (aws-samples/iam-identity-center-team#355, 2025; older output said "master account/yourself") */
  cannotRegisterManagement: "You cannot register management account/yourself as delegated administrator for your organization.",
  /** B */
  cannotRegisterSuspended: "You cannot register a suspended account as a delegated administrator.",
  /** B */
  policyTypeEnabledForService:
    "You attempted to disable service access before you disabled the policy type. To complete this operation, you must first disable the policy type.",
  /** B */
  delegatedAdministratorExists:
    "You attempted to register an AWS account as a delegated administrator for an AWS service that already has a delegated administrator. To complete this operation, you must first deregister any existing delegated administrators for this service.",
  /** B */
  maxDelegatedAdministrators: "You attempted to register more delegated administrators than allowed for the service principal.",
} as const;

const AMAZONAWS_SUFFIX = ".amazonaws.com";

const unrecognized = (): AwsError => invalidInput("UNRECOGNIZED_SERVICE_PRINCIPAL", MESSAGES.unrecognizedServicePrincipal);

/** A principal orgsim knows nothing about, accepted only with `acceptAnyServicePrincipal`. */
function acceptedAsUnknown(ctx: CallContext, principal: string): boolean {
  return (
    ctx.settings.acceptAnyServicePrincipal &&
    !INTEGRATED_SERVICE_PRINCIPALS.has(principal) &&
    principal.length > AMAZONAWS_SUFFIX.length &&
    principal.endsWith(AMAZONAWS_SUFFIX) &&
    !principal.startsWith(".")
  );
}

/** The principal of a service that integrates with Organizations (trusted access); InvalidInputException otherwise. */
export function requireIntegratedPrincipal(ctx: CallContext, principal: string): void {
  if (!INTEGRATED_SERVICE_PRINCIPALS.has(principal) && !acceptedAsUnknown(ctx, principal)) throw unrecognized();
}

/**
 * The principal of a service that supports a delegated administrator. A known service that does
 * not (e.g. ram.amazonaws.com) stays refused even with `acceptAnyServicePrincipal`.
 */
export function requireDelegablePrincipal(ctx: CallContext, principal: string): void {
  if (!DELEGATED_ADMIN_SERVICE_PRINCIPALS.has(principal) && !acceptedAsUnknown(ctx, principal)) throw unrecognized();
}

/** How many delegated administrators the service allows at once. */
export function maxDelegatedAdmins(principal: string): number {
  return MAX_DELEGATED_ADMINS[principal] ?? DEFAULT_MAX_DELEGATED_ADMINS;
}

function requireAllFeatures(org: OrgRow): void {
  if (org.feature_set !== "ALL") throw constraintViolation("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", MESSAGES.notInAllFeaturesMode);
}

// ---------------------------------------------------------------------------------------------
// Trusted access

export const EnableAWSServiceAccess = op(async (ctx, input: EnableAWSServiceAccessRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  const principal = input.ServicePrincipal!;
  requireIntegratedPrincipal(ctx, principal);
  requireAllFeatures(org);
  // Enabling an enabled service succeeds and keeps its original DateEnabled.
  await ctx.tx
    .insertInto("service_access")
    .values({ org_id: org.id, principal, enabled_at: ctx.now, seq: await nextSeq(ctx.tx) })
    .onConflict((oc) => oc.columns(["org_id", "principal"]).doNothing())
    .execute();
  await recordEvent(ctx, org.id, "EnableAWSServiceAccess", { servicePrincipal: principal });
  return {};
});

export const DisableAWSServiceAccess = op(async (ctx, input: DisableAWSServiceAccessRequest): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  const principal = input.ServicePrincipal!;
  // A principal enabled earlier (say while acceptAnyServicePrincipal was on) can always be disabled.
  if (!(await isServiceAccessEnabled(ctx.tx, org.id, principal))) requireIntegratedPrincipal(ctx, principal);
  requireAllFeatures(org);
  // A policy type that belongs to the service must be disabled first.
  const root = await getRoot(ctx.tx, org.id);
  const enabledType = policyTypesOfService(principal).find((type) => isPolicyTypeEnabled(root, type));
  if (enabledType !== undefined) {
    throw constraintViolation(
      "POLICY_TYPE_ENABLED_FOR_THIS_SERVICE",
      `${MESSAGES.policyTypeEnabledForService} (${enabledType} is enabled in ${root.id}.)`,
    );
  }
  await ctx.tx.deleteFrom("service_access").where("org_id", "=", org.id).where("principal", "=", principal).execute();
  // The service's delegated administrators go with its trusted access. UNVERIFIED: the API
  // Reference lists what disabling does and this isn't among it; some third-party tools say AWS
  // refuses to disable while an administrator is registered instead. Kept in one place to change.
  const deregistered = await ctx.tx
    .selectFrom("delegated_admins")
    .select("account_id")
    .where("org_id", "=", org.id)
    .where("principal", "=", principal)
    .orderBy("account_id")
    .execute();
  if (deregistered.length > 0) {
    await ctx.tx.deleteFrom("delegated_admins").where("org_id", "=", org.id).where("principal", "=", principal).execute();
  }
  await recordEvent(ctx, org.id, "DisableAWSServiceAccess", {
    servicePrincipal: principal,
    deregisteredDelegatedAdministrators: deregistered.map((r) => r.account_id),
  });
  return {};
});

export const ListAWSServiceAccessForOrganization = op(
  async (ctx, input: ListAWSServiceAccessForOrganizationRequest): Promise<ListAWSServiceAccessForOrganizationResponse> => {
    const org = await requireOrg(ctx);
    const page = await pages.paginate(
      ctx,
      org.id,
      input,
      pages.keyset(ctx.tx.selectFrom("service_access").selectAll().where("org_id", "=", org.id)),
      (r): EnabledServicePrincipal => ({ ServicePrincipal: r.principal, DateEnabled: new Date(r.enabled_at) }),
    );
    return { EnabledServicePrincipals: page.items, NextToken: page.NextToken };
  },
);

// ---------------------------------------------------------------------------------------------
// Delegated administrators

export const RegisterDelegatedAdministrator = op(
  async (ctx, input: RegisterDelegatedAdministratorRequest): Promise<Record<string, never>> => {
    const org = await requireOrg(ctx);
    const accountId = input.AccountId!;
    const principal = input.ServicePrincipal!;
    requireDelegablePrincipal(ctx, principal);
    requireAllFeatures(org);
    if (!(await isServiceAccessEnabled(ctx.tx, org.id, principal))) {
      throw constraintViolation("SERVICE_ACCESS_NOT_ENABLED", MESSAGES.serviceAccessNotEnabled);
    }
    if (accountId === org.management_account_id) {
      throw constraintViolation("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", MESSAGES.cannotRegisterManagement);
    }
    const account = await getMemberAccount(ctx, org, accountId);
    // PENDING_CLOSURE, SUSPENDED and CLOSED accounts alike: a closing account can't take the role.
    if (account.closed_at !== null) {
      throw constraintViolation("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR", MESSAGES.cannotRegisterSuspended);
    }
    const current = await ctx.tx
      .selectFrom("delegated_admins")
      .select("account_id")
      .where("org_id", "=", org.id)
      .where("principal", "=", principal)
      .execute();
    if (current.some((r) => r.account_id === accountId)) throw errors.accountAlreadyRegistered();
    const max = maxDelegatedAdmins(principal);
    if (current.length >= max) {
      // A service with one administrator already has it (the reference's reason for that case);
      // a service that allows several has reached its number.
      if (max === 1) throw constraintViolation("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE", MESSAGES.delegatedAdministratorExists);
      throw constraintViolation("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED", MESSAGES.maxDelegatedAdministrators);
    }
    await ctx.tx
      .insertInto("delegated_admins")
      .values({ org_id: org.id, account_id: accountId, principal, enabled_at: ctx.now, seq: await nextSeq(ctx.tx) })
      .execute();
    await recordEvent(ctx, org.id, "RegisterDelegatedAdministrator", { accountId, servicePrincipal: principal });
    return {};
  },
);

export const DeregisterDelegatedAdministrator = op(
  async (ctx, input: DeregisterDelegatedAdministratorRequest): Promise<Record<string, never>> => {
    const org = await requireOrg(ctx);
    const accountId = input.AccountId!;
    const principal = input.ServicePrincipal!;
    const removed = await ctx.tx
      .deleteFrom("delegated_admins")
      .where("org_id", "=", org.id)
      .where("account_id", "=", accountId)
      .where("principal", "=", principal)
      .executeTakeFirst();
    // A registered pair always goes (its principal was accepted when it was registered, perhaps
    // under acceptAnyServicePrincipal); otherwise the first rule broken, in AWS's order.
    if (Number(removed.numDeletedRows) === 0) {
      requireDelegablePrincipal(ctx, principal);
      await getMemberAccount(ctx, org, accountId);
      throw errors.accountNotRegistered();
    }
    await recordEvent(ctx, org.id, "DeregisterDelegatedAdministrator", { accountId, servicePrincipal: principal });
    return {};
  },
);

async function hasDelegatedAdministrators(ctx: CallContext, org: OrgRow, principal: string): Promise<boolean> {
  const row = await ctx.tx
    .selectFrom("delegated_admins")
    .select("account_id")
    .where("org_id", "=", org.id)
    .where("principal", "=", principal)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

interface DelegationRow {
  account_id: string;
  enabled_at: number;
  /** The account's first delegation (in the filter): its place in the list. */
  seq: number;
}

/**
 * Delegated administrators of `org` (of one service, or of any, each account once with its
 * earliest delegation), in the order they were first registered. Grouped per account, so a page
 * reads the organization's delegations (a few per service), not one index range.
 */
async function fetchDelegatedAdministrators(
  ctx: CallContext,
  org: OrgRow,
  principal: string | undefined,
  after: string | undefined,
  limit: number,
): Promise<{ delegation: DelegationRow; account: AccountRow | undefined }[]> {
  let q = ctx.tx
    .selectFrom("delegated_admins")
    .select((eb) => ["account_id", eb.fn.min<number>("enabled_at").as("enabled_at"), eb.fn.min<number>("seq").as("seq")])
    .where("org_id", "=", org.id);
  if (principal !== undefined) q = q.where("principal", "=", principal);
  const from = pages.seqAfter(after);
  let grouped = q.groupBy("account_id");
  if (from !== undefined) grouped = grouped.having((eb) => eb.fn.min<number>("seq"), ">", from);
  const delegations = await grouped
    .orderBy((eb) => eb.fn.min<number>("seq"))
    .limit(limit)
    .execute();
  if (delegations.length === 0) return [];
  const accounts = await ctx.tx
    .selectFrom("accounts")
    .selectAll()
    .where(
      "id",
      "in",
      delegations.map((d) => d.account_id),
    )
    .execute();
  const byId = new Map(accounts.map((a) => [a.id, a]));
  return delegations.map((d) => ({
    delegation: { account_id: d.account_id, enabled_at: Number(d.enabled_at), seq: Number(d.seq) },
    account: byId.get(d.account_id),
  }));
}

export const ListDelegatedAdministrators = op(
  async (ctx, input: ListDelegatedAdministratorsRequest): Promise<ListDelegatedAdministratorsResponse> => {
    const org = await requireOrg(ctx);
    const principal = input.ServicePrincipal;
    // A filter must name a service that supports delegated administrators (or one that has some:
    // a delegation made under acceptAnyServicePrincipal stays listable).
    if (principal !== undefined && !(await hasDelegatedAdministrators(ctx, org, principal))) requireDelegablePrincipal(ctx, principal);
    const page = await pages.paginate(
      ctx,
      `${org.id}:${principal ?? ""}`,
      input,
      { fetch: (after, limit) => fetchDelegatedAdministrators(ctx, org, principal, after, limit), keyOf: (r) => seqKey(r.delegation) },
      (r): DelegatedAdministrator | undefined => {
        // A delegation outlives its account's membership only if something else removed the account.
        if (!r.account || r.account.org_id !== org.id) return undefined;
        return { ...toAccount(ctx, org, r.account), DelegationEnabledDate: new Date(r.delegation.enabled_at) };
      },
    );
    return { DelegatedAdministrators: page.items, NextToken: page.NextToken };
  },
);

export const ListDelegatedServicesForAccount = op(
  async (ctx, input: ListDelegatedServicesForAccountRequest): Promise<ListDelegatedServicesForAccountResponse> => {
    const org = await requireOrg(ctx);
    const accountId = input.AccountId!;
    await getMemberAccount(ctx, org, accountId);
    const first = await ctx.tx
      .selectFrom("delegated_admins")
      .select("principal")
      .where("org_id", "=", org.id)
      .where("account_id", "=", accountId)
      .limit(1)
      .executeTakeFirst();
    if (!first) throw errors.accountNotRegistered();
    const page = await pages.paginate(
      ctx,
      `${org.id}:${accountId}`,
      input,
      pages.keyset(ctx.tx.selectFrom("delegated_admins").selectAll().where("org_id", "=", org.id).where("account_id", "=", accountId)),
      (r): DelegatedService => ({ ServicePrincipal: r.principal, DelegationEnabledDate: new Date(r.enabled_at) }),
    );
    return { DelegatedServices: page.items, NextToken: page.NextToken };
  },
);
