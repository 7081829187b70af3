/**
 * Applying a seed plan: the real operations (so every AWS rule and validation applies), each
 * with its own CallContext, all inside ONE store transaction, so the seed is all-or-nothing even
 * on a running server with other state. Direct store writes only for what no API can do:
 * standalone readiness, the clock offset, a pinned id for a created account, how long ago an
 * account was created, and the sign-up details (email, name) of an account that is invited.
 * Open invitations are sent last and left open.
 *
 * `App.call` opens its own transaction per call and cannot join an outer one, hence
 * `callInTransaction`: the same pipeline (model validation, the service's authorization step,
 * the handler) without a transaction of its own and without fault injection (a seed sets the
 * stage; injected faults are for the code under test).
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type {
  CreateAccountResponse,
  CreateOrganizationResponse,
  CreatePolicyResponse,
  CreateOrganizationalUnitResponse,
  InviteAccountToOrganizationResponse,
} from "@aws-sdk/client-organizations";
import type { App, CallInput } from "../app.js";
import type { Tx } from "../store/store.js";
import { TABLES } from "../store/schema.js";
import { AwsError } from "../protocol/errors.js";
import { findViolations, type Violation } from "../protocol/validate.js";
import { setClockOffset, virtualNow } from "../clock.js";
import { rootPrincipal } from "../auth/principal.js";
import { newAccountId } from "../org/ids.js";
import { DAY_MS, ensureAccount, getAccountRow, getRoot } from "../org/repo.js";
import { AWS_MANAGED_ORG_ID, AWS_MANAGED_POLICIES } from "../org/policy-repo.js";
import { problemAt, SeedError, type Site } from "./errors.js";
import type { PlanAccount, PlanOrganization, PlanOu, PlanTarget, SeedPlan } from "./plan.js";

const SEED_REGION = "us-east-1";
const SEED_PARTITION = "aws";
const SEED_SOURCE_IP = "127.0.0.1";

/** The model violations of a call's input (empty when it is valid), to point a seed error at its member. */
function inputViolations(app: App, call: Pick<CallInput, "service" | "operation" | "input">): Violation[] {
  const service = app.service(call.service);
  const input = Object.hasOwn(service.model.operations, call.operation) ? service.model.operations[call.operation]?.input : undefined;
  return input ? findViolations(service.model, input.shape, call.input) : [];
}

/**
 * One API call inside the caller's transaction `tx`: App.call's pipeline (validation,
 * authorization, the operation) but no transaction of its own and no fault injection. Throws
 * the operation's AwsError; the caller decides whether to roll back.
 */
export async function callInTransaction(app: App, tx: Tx, call: CallInput): Promise<unknown> {
  app.validate(call);
  return app.runInTransaction(tx, call);
}

// ---------------------------------------------------------------------------------------------

export interface SeededOrganization {
  id: string;
  managementAccountId: string;
  rootId: string;
  /** OU path ("Workloads/Prod") -> OU id. */
  ous: Record<string, string>;
  /** Account email -> account id (the management account included). */
  accounts: Record<string, string>;
  /** "TYPE/Name" -> policy id, e.g. "SERVICE_CONTROL_POLICY/DenyLeave". */
  policies: Record<string, string>;
}

export interface SeedResult {
  organizations: SeededOrganization[];
  /** The clock offset the seed set, in seconds (absent when it set none). */
  clockOffsetSeconds?: number;
  /** How many API operations the seed ran. */
  operations: number;
}

export interface ApplyOptions {
  /** Empty the state first (as POST /_orgsim/reset does), in the same transaction. */
  reset?: boolean;
}

/** Where an operation's input members come from in the seed, to point its error at. */
interface OpSite {
  site: Site;
  members?: Record<string, Site | undefined>;
}

/** Errors that are about one input member, whatever the operation. */
const ERROR_MEMBER: Record<string, string> = {
  MalformedPolicyDocumentException: "Content",
  DuplicatePolicyException: "Name",
  DuplicateOrganizationalUnitException: "Name",
};
const REASON_MEMBER: Record<string, string> = {
  POLICY_CONTENT_LIMIT_EXCEEDED: "Content",
  INVALID_SYSTEM_TAGS_PARAMETER: "Tags",
  DUPLICATE_TAG_KEY: "Tags",
  MAX_TAG_LIMIT_EXCEEDED: "Tags",
  TAG_POLICY_VIOLATION: "Tags",
  EMAIL_ALREADY_EXISTS: "Email",
};

const READINESS_COLUMNS = { supportPlan: "support_plan", contactInformation: "contact_info", paymentMethod: "payment_method" } as const;

class Applier {
  operations = 0;

  constructor(
    private readonly app: App,
    private readonly tx: Tx,
    private readonly plan: SeedPlan,
  ) {}

  private fail(site: Site, message: string, extra: { operation?: string; code?: string; reason?: string } = {}): SeedError {
    return new SeedError("failed", [problemAt(this.plan.source, site, message, extra)]);
  }

  /** Runs one Organizations operation as the root user of `accountId`; an AWS error becomes a SeedError at the right place. */
  private async op<T>(accountId: string, operation: string, input: Record<string, unknown>, where: OpSite): Promise<T> {
    this.operations++;
    const call: CallInput = {
      service: "organizations",
      operation,
      input,
      auth: { principal: rootPrincipal(accountId, SEED_PARTITION, accountId), region: SEED_REGION, partition: SEED_PARTITION },
      requestId: `seed-${randomUUID()}`,
      sourceIp: SEED_SOURCE_IP,
    };
    const violation = inputViolations(this.app, call)[0];
    try {
      return (await callInTransaction(this.app, this.tx, call)) as T;
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      const reason = typeof err.fields.Reason === "string" ? err.fields.Reason : undefined;
      const member = violation ? violation.path.split(/[.[]/)[0]! : ((reason && REASON_MEMBER[reason]) ?? ERROR_MEMBER[err.code]);
      const site = (member && where.members?.[member]) || where.site;
      const detail = err.detail ? ` [${err.detail}]` : "";
      throw this.fail(site, `${err.code}${reason ? ` (${reason})` : ""}: ${err.message}${detail} (${operation})`, {
        operation,
        code: err.code,
        reason,
      });
    }
  }

  private async now(): Promise<number> {
    return virtualNow(this.tx);
  }

  async run(options: ApplyOptions): Promise<SeedResult> {
    if (options.reset) {
      for (const table of TABLES) {
        // The pagination-token key stays: tokens already handed out keep verifying.
        if (table === "meta") await this.tx.deleteFrom("meta").where("key", "!=", "token_key").execute();
        // The AWS managed policies belong to every state (reads rely on them; they never insert).
        else if (table === "policies") await this.tx.deleteFrom("policies").where("org_id", "!=", AWS_MANAGED_ORG_ID).execute();
        else await this.tx.deleteFrom(table).execute();
      }
    }
    const result: SeedResult = { organizations: [], operations: 0 };
    if (this.plan.clockOffsetSeconds !== undefined) {
      await setClockOffset(this.tx, Math.round(this.plan.clockOffsetSeconds * 1000));
      result.clockOffsetSeconds = this.plan.clockOffsetSeconds;
    }
    for (const org of this.plan.organizations) result.organizations.push(await this.organization(org));
    result.operations = this.operations;
    return result;
  }

  /**
   * An account that signed up on its own, with the seed's email and name (no API makes one).
   * An existing standalone account takes the seed's details; a member of an organization is
   * left as it is (the operation that needs it standalone will say so).
   */
  private async signUp(
    id: string,
    email: string | undefined,
    name: string | undefined,
    sites: { site: Site; email?: Site },
  ): Promise<void> {
    if (email !== undefined) {
      const other = await this.tx.selectFrom("accounts").select("id").where("email", "=", email).where("id", "!=", id).executeTakeFirst();
      if (other) throw this.fail(sites.email ?? sites.site, `the email ${email} already belongs to account ${other.id}`);
    }
    const row = await ensureAccount(this.tx, id, await this.now());
    if (row.org_id !== null) return;
    const set: { email?: string; name?: string } = {};
    if (email !== undefined && email !== row.email) set.email = email;
    if (name !== undefined && name !== row.name) set.name = name;
    if (Object.keys(set).length > 0) await this.tx.updateTable("accounts").set(set).where("id", "=", id).execute();
  }

  private async organization(org: PlanOrganization): Promise<SeededOrganization> {
    const mgmt = org.management;
    if (org.managementEmail !== undefined || org.managementName !== undefined) {
      await this.signUp(mgmt, org.managementEmail, org.managementName, {
        site: org.fields.management ?? org.site,
        email: org.fields.managementEmail,
      });
    }
    const created = await this.op<CreateOrganizationResponse>(
      mgmt,
      "CreateOrganization",
      { FeatureSet: org.featureSet },
      {
        site: org.fields.management ?? org.site,
        members: { FeatureSet: org.fields.featureSet },
      },
    );
    const orgId = created.Organization!.Id!;
    const root = await getRoot(this.tx, orgId);
    const out: SeededOrganization = { id: orgId, managementAccountId: mgmt, rootId: root.id, ous: {}, accounts: {}, policies: {} };
    const mgmtRow = await getAccountRow(this.tx, mgmt);
    if (mgmtRow) out.accounts[mgmtRow.email] = mgmt;

    // Trusted access first: a policy type of a service (SECURITYHUB_POLICY) needs its service's access.
    for (const { principal, site } of org.serviceAccess)
      await this.op(mgmt, "EnableAWSServiceAccess", { ServicePrincipal: principal }, { site });
    for (const { type, site } of org.policyTypes) await this.op(mgmt, "EnablePolicyType", { RootId: root.id, PolicyType: type }, { site });
    if (org.rootTags.length > 0)
      await this.op(mgmt, "TagResource", { ResourceId: root.id, Tags: org.rootTags }, { site: org.fields.rootTags ?? org.site });

    const ouIds = new Map<string, string>([["", root.id]]);
    await this.ous(mgmt, org.ous, root.id, ouIds);
    for (const [path, id] of ouIds) if (path) out.ous[path] = id;

    if (org.managementTags.length > 0) {
      await this.op(mgmt, "TagResource", { ResourceId: mgmt, Tags: org.managementTags }, { site: org.fields.managementTags ?? org.site });
    }
    if (org.managementOu !== undefined) {
      await this.op(
        mgmt,
        "MoveAccount",
        { AccountId: mgmt, SourceParentId: root.id, DestinationParentId: ouIds.get(org.managementOu)! },
        {
          site: org.fields.managementOu ?? org.site,
        },
      );
    }

    const accountIds = new Map<PlanAccount, string>();
    for (const account of org.accounts) {
      const id = await this.account(mgmt, root.id, account, ouIds);
      accountIds.set(account, id);
      const row = await getAccountRow(this.tx, id);
      out.accounts[row?.email ?? id] = id;
    }
    for (const account of org.accounts) {
      for (const { principal, site } of account.delegatedAdministratorFor) {
        await this.op(
          mgmt,
          "RegisterDelegatedAdministrator",
          { AccountId: accountIds.get(account)!, ServicePrincipal: principal },
          { site },
        );
      }
    }

    const targetId = (target: PlanTarget): string => {
      switch (target.kind) {
        case "root":
          return root.id;
        case "management":
          return mgmt;
        case "ou":
          return ouIds.get(target.path)!;
        case "account":
          return accountIds.get(target.account)!;
      }
    };
    const policyIds = new Map<object, string>();
    for (const policy of org.policies) {
      if (policy.awsManaged) {
        policyIds.set(policy, AWS_MANAGED_POLICIES.find((p) => p.name === policy.name && p.type === policy.type)!.id);
        continue;
      }
      const input: Record<string, unknown> = {
        Name: policy.name,
        Type: policy.type,
        Description: policy.description ?? "",
        Content: policy.content ?? "",
      };
      if (policy.tags.length > 0) input.Tags = policy.tags;
      const res = await this.op<CreatePolicyResponse>(mgmt, "CreatePolicy", input, {
        site: policy.site,
        members: {
          Name: policy.fields.name,
          Type: policy.fields.type,
          Description: policy.fields.description,
          Content: policy.fields.content,
          Tags: policy.fields.tags,
        },
      });
      const id = res.Policy!.PolicySummary!.Id!;
      policyIds.set(policy, id);
      out.policies[`${policy.type}/${policy.name}`] = id;
    }
    for (const policy of org.policies) {
      for (const { target, site } of policy.attach)
        await this.op(mgmt, "AttachPolicy", { PolicyId: policyIds.get(policy)!, TargetId: targetId(target) }, { site });
    }
    // Detaching an AWS managed policy needs the target to keep another policy of its type: after every attach.
    for (const policy of org.policies) {
      for (const { target, site } of policy.detach)
        await this.op(mgmt, "DetachPolicy", { PolicyId: policyIds.get(policy)!, TargetId: targetId(target) }, { site });
    }
    for (const account of org.accounts) {
      if (account.closed)
        await this.op(mgmt, "CloseAccount", { AccountId: accountIds.get(account)! }, { site: account.fields.closed ?? account.site });
    }
    // Invitations last, left open: the invitee accepts or declines them (AcceptHandshake, DeclineHandshake).
    for (const invitation of org.invitations) {
      if (invitation.target.Type === "ACCOUNT")
        await this.signUp(invitation.target.Id, undefined, undefined, { site: invitation.fields.account ?? invitation.site });
      const input: Record<string, unknown> = { Target: invitation.target };
      if (invitation.notes !== undefined) input.Notes = invitation.notes;
      if (invitation.tags.length > 0) input.Tags = invitation.tags;
      await this.op(mgmt, "InviteAccountToOrganization", input, {
        site: invitation.fields.account ?? invitation.fields.email ?? invitation.site,
        members: { Notes: invitation.fields.notes, Tags: invitation.fields.tags },
      });
    }
    return out;
  }

  private async ous(mgmt: string, ous: PlanOu[], parentId: string, ouIds: Map<string, string>): Promise<void> {
    for (const ou of ous) {
      const input: Record<string, unknown> = { ParentId: parentId, Name: ou.name };
      if (ou.tags.length > 0) input.Tags = ou.tags;
      const res = await this.op<CreateOrganizationalUnitResponse>(mgmt, "CreateOrganizationalUnit", input, {
        site: ou.site,
        members: { Name: ou.fields.name, Tags: ou.fields.tags },
      });
      const id = res.OrganizationalUnit!.Id!;
      ouIds.set(ou.path, id);
      await this.ous(mgmt, ou.ous, id, ouIds);
    }
  }

  private async account(mgmt: string, rootId: string, account: PlanAccount, ouIds: Map<string, string>): Promise<string> {
    const id = account.joined === "created" ? await this.createdAccount(mgmt, account) : await this.invitedAccount(mgmt, account);
    if (account.parentPath) {
      await this.op(
        mgmt,
        "MoveAccount",
        { AccountId: id, SourceParentId: rootId, DestinationParentId: ouIds.get(account.parentPath)! },
        { site: account.site },
      );
    }
    const set: Partial<Record<(typeof READINESS_COLUMNS)[keyof typeof READINESS_COLUMNS], number>> = {};
    for (const [key, column] of Object.entries(READINESS_COLUMNS) as [
      keyof typeof READINESS_COLUMNS,
      (typeof READINESS_COLUMNS)[keyof typeof READINESS_COLUMNS],
    ][]) {
      const value = account.readiness[key];
      if (value !== undefined) set[column] = value ? 1 : 0;
    }
    if (Object.keys(set).length > 0) await this.tx.updateTable("accounts").set(set).where("id", "=", id).execute();
    return id;
  }

  private async createdAccount(mgmt: string, account: PlanAccount): Promise<string> {
    if (account.id !== undefined) {
      const existing = await getAccountRow(this.tx, account.id);
      if (existing) {
        const where = existing.org_id ? `a member of ${existing.org_id}` : "a standalone account";
        throw this.fail(
          account.fields.id ?? account.site,
          `account ${account.id} already exists (${where}); a created account needs an unused id, or declare it joined: invited`,
        );
      }
    }
    const input: Record<string, unknown> = { Email: account.email, AccountName: account.name };
    if (account.roleName !== undefined) input.RoleName = account.roleName;
    if (account.tags.length > 0) input.Tags = account.tags;
    const res = await this.op<CreateAccountResponse>(mgmt, "CreateAccount", input, {
      site: account.site,
      members: {
        Email: account.fields.email,
        AccountName: account.fields.name,
        RoleName: account.fields.roleName,
        Tags: account.fields.tags,
      },
    });
    const requestId = res.CreateAccountStatus!.Id!;
    const status = await this.tx.selectFrom("create_account_status").selectAll().where("id", "=", requestId).executeTakeFirstOrThrow();
    if (status.state !== "SUCCEEDED" || !status.account_id) {
      const reason = status.failure_reason ?? "UNKNOWN";
      throw this.fail(
        account.fields.email ?? account.site,
        `CreateAccount finished FAILED with FailureReason ${reason} (DescribeCreateAccountStatus)`,
        {
          operation: "CreateAccount",
          reason,
        },
      );
    }
    let id = status.account_id;
    if (account.id !== undefined && account.id !== id) {
      await renameAccount(this.tx, id, account.id);
      id = account.id;
    }
    // The creation is complete (whatever --create-account-delay-seconds says), `createdDaysAgo` days ago.
    const at = (await this.now()) - Math.round((account.createdDaysAgo ?? 0) * DAY_MS);
    await this.tx.updateTable("accounts").set({ joined_at: at, created_at: at }).where("id", "=", id).execute();
    await this.tx.updateTable("create_account_status").set({ requested_at: at, completed_at: at }).where("id", "=", requestId).execute();
    await this.tx.updateTable("roles").set({ created_at: at }).where("account_id", "=", id).execute();
    return id;
  }

  private async invitedAccount(mgmt: string, account: PlanAccount): Promise<string> {
    let id = account.id;
    if (id === undefined && account.email !== undefined) {
      // An account that already signed up with this email is the one invited.
      id = (await this.tx.selectFrom("accounts").select("id").where("email", "=", account.email).executeTakeFirst())?.id;
    }
    if (id === undefined) {
      for (;;) {
        const candidate = newAccountId();
        if (candidate !== this.app.settings.defaultAccount && !(await getAccountRow(this.tx, candidate))) {
          id = candidate;
          break;
        }
      }
    }
    await this.signUp(id, account.email, account.name, { site: account.site, email: account.fields.email });
    const invite = await this.op<InviteAccountToOrganizationResponse>(
      mgmt,
      "InviteAccountToOrganization",
      { Target: { Type: "ACCOUNT", Id: id } },
      {
        site: account.fields.id ?? account.fields.email ?? account.site,
      },
    );
    await this.op(id, "AcceptHandshake", { HandshakeId: invite.Handshake!.Id! }, { site: account.site });
    if (account.tags.length > 0)
      await this.op(mgmt, "TagResource", { ResourceId: id, Tags: account.tags }, { site: account.fields.tags ?? account.site });
    return id;
  }
}

/** Gives a just-created account the id the seed pins, everywhere its generated id was written. */
async function renameAccount(tx: Tx, from: string, to: string): Promise<void> {
  await tx.updateTable("accounts").set({ id: to }).where("id", "=", from).execute();
  await tx.updateTable("create_account_status").set({ account_id: to }).where("account_id", "=", from).execute();
  await tx.updateTable("roles").set({ account_id: to }).where("account_id", "=", from).execute();
  await tx.updateTable("tags").set({ resource_id: to }).where("resource_id", "=", from).execute();
  await tx.updateTable("policy_targets").set({ target_id: to }).where("target_id", "=", from).execute();
  await tx.updateTable("delegated_admins").set({ account_id: to }).where("account_id", "=", from).execute();
  await tx.updateTable("handshakes").set({ target_account_id: to }).where("target_account_id", "=", from).execute();
  await tx
    .updateTable("events")
    .set({ detail: sql<string>`replace(detail, ${from}, ${to})` })
    .where("detail", "like", `%${from}%`)
    .execute();
}

/**
 * Applies a plan (see readSeed) in one store transaction: every operation succeeds, or nothing
 * the seed did remains and a SeedError (`failed`) names the operation, AWS's error and the place
 * in the seed.
 */
export async function applySeed(app: App, plan: SeedPlan, options: ApplyOptions = {}): Promise<SeedResult> {
  return app.store.transaction((tx) => new Applier(app, tx, plan).run(options), { write: true });
}
