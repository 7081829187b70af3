/**
 * Factories for the state a test starts from, built through orgsim's real operations (and its
 * control API for what only the control API can do: reset, the virtual clock, an account's
 * standalone readiness), so a test reads as the rule it checks, not as the calls that set it up.
 *
 * Every factory acts as the root user of a management account: MANAGEMENT (the server's default
 * caller) unless `management` names another. A factory that cannot do its job throws with what
 * orgsim answered, so a broken setup fails the test loudly instead of passing on wrong state.
 */
import {
  AcceptHandshakeCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  InviteAccountToOrganizationCommand,
  ListRootsCommand,
  type Handshake,
  type Organization,
  type OrganizationFeatureSet,
  type OrganizationsClient,
  type Tag,
} from "@aws-sdk/client-organizations";

/** Seconds, for the virtual clock. */
export const MINUTE = 60;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** What the factories need of a running orgsim. */
export interface SimApi {
  orgs(account?: string): OrganizationsClient;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

/** Who acts: the root user of this management account (default: the server's MANAGEMENT). */
export interface AsManagement {
  management?: string;
}

export interface NewOrganization {
  org: Organization;
  orgId: string;
  rootId: string;
}

/** The items an account needs before it can stand alone (PUT /_orgsim/accounts/{id}/standalone). */
export interface Readiness {
  supportPlan: boolean;
  contactInformation: boolean;
  paymentMethod: boolean;
}

export interface OrgFactories {
  /** Empties orgsim's state (POST /_orgsim/reset): no organizations, the virtual clock back to real time. */
  reset(): Promise<void>;
  /** reset, then createOrg. */
  freshOrg(options?: AsManagement & { featureSet?: OrganizationFeatureSet }): Promise<NewOrganization>;
  /** CreateOrganization (feature set ALL unless told) by `management`, and its root (ListRoots). */
  createOrg(options?: AsManagement & { featureSet?: OrganizationFeatureSet }): Promise<NewOrganization>;
  /**
   * A created member: CreateAccount, then DescribeCreateAccountStatus, which must say SUCCEEDED.
   * The account name is the email's local part unless `name` is given; `roleName` is CreateAccount's
   * RoleName (AWS's default, OrganizationAccountAccessRole, unless given). Returns the account id.
   */
  createAccount(email: string, options?: AsManagement & { name?: string; tags?: Tag[]; roleName?: string }): Promise<string>;
  /**
   * An invited member: InviteAccountToOrganization by ACCOUNT id, accepted by that account. An
   * invited account has all a standalone account needs and no waiting period. Returns its id.
   */
  invite(accountId: string, options?: AsManagement & { tags?: Tag[] }): Promise<string>;
  /** An invitation by ACCOUNT id, left OPEN. Returns the handshake. */
  openInvitation(accountId: string, options?: AsManagement & { tags?: Tag[] }): Promise<Handshake>;
  /** CreateOrganizationalUnit under `parentId`. Returns the OU's id. */
  createOu(parentId: string, name: string, options?: AsManagement): Promise<string>;
  /**
   * Sets an account's standalone readiness (what it needs to leave): every item, or only the
   * items given (the others stay as they are).
   */
  makeReady(accountId: string, items?: Partial<Readiness>): Promise<void>;
  /** Moves the virtual clock forward by `seconds`. Returns the virtual time after the move (ms). */
  advanceClock(seconds: number): Promise<number>;
  /** The virtual time now (ms). */
  virtualNow(): Promise<number>;
}

export function orgFactories(api: SimApi): OrgFactories {
  /** A control API call that must answer 200; its body. */
  const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await api.control(method, path, body);
    if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const clockNow = (body: unknown) => Date.parse((body as { now: string }).now);

  const createOrg: OrgFactories["createOrg"] = async ({ management, featureSet = "ALL" } = {}) => {
    const orgs = api.orgs(management);
    const org = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: featureSet }))).Organization!;
    const rootId = (await orgs.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    return { org, orgId: org.Id!, rootId };
  };

  const openInvitation: OrgFactories["openInvitation"] = async (accountId, { management, tags } = {}) =>
    (await api.orgs(management).send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: accountId }, Tags: tags })))
      .Handshake!;

  return {
    reset: async () => {
      await control("POST", "/_orgsim/reset");
    },
    createOrg,
    freshOrg: async (options) => {
      await control("POST", "/_orgsim/reset");
      return createOrg(options);
    },
    createAccount: async (email, { management, name = email.split("@")[0]!, tags, roleName } = {}) => {
      const orgs = api.orgs(management);
      const started = await orgs.send(new CreateAccountCommand({ Email: email, AccountName: name, Tags: tags, RoleName: roleName }));
      const status = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.CreateAccountStatus!.Id })))
        .CreateAccountStatus!;
      if (status.State !== "SUCCEEDED")
        throw new Error(`CreateAccount of ${email} is ${status.State} (${status.FailureReason ?? "no reason"}), not SUCCEEDED`);
      return status.AccountId!;
    },
    invite: async (accountId, options) => {
      const handshake = await openInvitation(accountId, options);
      await api.orgs(accountId).send(new AcceptHandshakeCommand({ HandshakeId: handshake.Id }));
      return accountId;
    },
    openInvitation,
    createOu: async (parentId, name, { management } = {}) =>
      (await api.orgs(management).send(new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }))).OrganizationalUnit!.Id!,
    makeReady: async (accountId, items = { supportPlan: true, contactInformation: true, paymentMethod: true }) => {
      await control("PUT", `/_orgsim/accounts/${accountId}/standalone`, items);
    },
    advanceClock: async (seconds) => clockNow(await control("POST", "/_orgsim/clock", { advanceSeconds: seconds })),
    virtualNow: async () => clockNow(await control("GET", "/_orgsim/clock")),
  };
}
