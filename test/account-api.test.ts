/**
 * The AWS Account API (account-2021-02-01) through the AWS SDK v3 AccountClient over HTTP:
 * every operation, AWS's organization-aware access rules for AccountId, input validation,
 * Region opt-in on the virtual clock, and the standalone-readiness effect of contact information.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AcceptPrimaryEmailUpdateCommand,
  DeleteAlternateContactCommand,
  DisableRegionCommand,
  EnableRegionCommand,
  GetAccountInformationCommand,
  GetAlternateContactCommand,
  GetContactInformationCommand,
  GetGovCloudAccountInformationCommand,
  GetPrimaryEmailCommand,
  GetRegionOptStatusCommand,
  ListRegionsCommand,
  PutAccountNameCommand,
  PutAlternateContactCommand,
  PutContactInformationCommand,
  StartPrimaryEmailUpdateCommand,
  paginateListRegions,
  type AlternateContactType,
  type ContactInformation,
} from "@aws-sdk/client-account";
import { DescribeAccountCommand } from "@aws-sdk/client-organizations";
import { useTestServer, MANAGEMENT } from "./helpers/server.js";
import { pendingPrimaryEmailCode } from "../src/services/account/primary-email.js";
import { nextSeq, nextSeqs } from "../src/store/sequence.js";

const STANDALONE = "222222222222";
const ACCOUNT_PRINCIPAL = "account.amazonaws.com";

const s = useTestServer();

interface AccountApiError {
  name: string;
  message: string;
  status?: number;
  reason?: string;
  fieldList?: { name?: string; message?: string }[];
}

/** Runs `fn` and returns the Account API error it throws, failing if it succeeds. */
async function accountError(fn: () => Promise<unknown>): Promise<AccountApiError> {
  try {
    await fn();
  } catch (err) {
    const e = err as AccountApiError & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, reason: e.reason, fieldList: e.fieldList };
  }
  throw new Error("expected the call to fail with an AWS error, but it succeeded");
}

const deniedMessage = (account: string, action: string) =>
  `User: arn:aws:iam::${account}:root is not authorized to perform: account:${action}`;

// Trusted access and delegated administrators are written straight into the store until the
// Organizations operations EnableAWSServiceAccess / RegisterDelegatedAdministrator land; then
// these two helpers will call them instead.
async function enableTrustedAccess(orgId: string): Promise<void> {
  await s.sim.app.store.writeTransaction(async (tx) =>
    tx
      .insertInto("service_access")
      .values({ org_id: orgId, principal: ACCOUNT_PRINCIPAL, enabled_at: Date.now(), seq: await nextSeq(tx) })
      .execute(),
  );
}

async function registerDelegatedAdmin(orgId: string, accountId: string, principal = ACCOUNT_PRINCIPAL): Promise<void> {
  await s.sim.app.store.writeTransaction(async (tx) =>
    tx
      .insertInto("delegated_admins")
      .values({ org_id: orgId, account_id: accountId, principal, enabled_at: Date.now(), seq: await nextSeq(tx) })
      .execute(),
  );
}

const CONTACT: ContactInformation = {
  FullName: "Jane Doe",
  AddressLine1: "1 Main Street",
  City: "Springfield",
  StateOrRegion: "IL",
  PostalCode: "62701",
  CountryCode: "US",
  PhoneNumber: "+1 217-555-0199",
  CompanyName: "Example Corp",
};

// ---------------------------------------------------------------------------------------------
// Contact information
// ---------------------------------------------------------------------------------------------

test("GetContactInformation: an account that signed up on its own has contact information from its sign-up", async () => {
  await s.reset();
  const got = await s.account(STANDALONE).send(new GetContactInformationCommand({}));
  const c = got.ContactInformation!;
  for (const field of ["FullName", "AddressLine1", "City", "PostalCode", "CountryCode", "PhoneNumber"] as const) assert.ok(c[field], field);
  assert.match(c.PhoneNumber!, /^[+][\s0-9()-]+$/);
});

test("PutContactInformation then GetContactInformation on the caller's own account returns what was put", async () => {
  await s.reset();
  await s.account(STANDALONE).send(new PutContactInformationCommand({ ContactInformation: CONTACT }));
  const got = await s.account(STANDALONE).send(new GetContactInformationCommand({}));
  assert.deepEqual(got.ContactInformation, CONTACT);
});

test("A created account has no contact information (ResourceNotFoundException, 404) until PutContactInformation, which flips its standalone readiness", async () => {
  await s.freshOrg();
  const member = await s.createAccount("ci@example.com");
  const before = await s.control("GET", `/_orgsim/accounts/${member}/standalone`);
  assert.equal((before.body as { contactInformation: boolean }).contactInformation, false);
  const missing = await accountError(() => s.account(member).send(new GetContactInformationCommand({})));
  assert.equal(missing.name, "ResourceNotFoundException");
  assert.equal(missing.status, 404);

  await s.account(member).send(new PutContactInformationCommand({ ContactInformation: CONTACT }));
  const afterPut = await s.control("GET", `/_orgsim/accounts/${member}/standalone`);
  assert.equal((afterPut.body as { contactInformation: boolean }).contactInformation, true);
  assert.deepEqual((await s.account(member).send(new GetContactInformationCommand({}))).ContactInformation, CONTACT);
});

test("PutContactInformation by the management account for a member (trusted access on) also marks the member ready", async () => {
  const { orgId } = await s.freshOrg();
  const member = await s.createAccount("ci2@example.com");
  await enableTrustedAccess(orgId);
  await s.account().send(new PutContactInformationCommand({ AccountId: member, ContactInformation: CONTACT }));
  const view = await s.control("GET", `/_orgsim/accounts/${member}/standalone`);
  assert.equal((view.body as { contactInformation: boolean }).contactInformation, true);
  assert.deepEqual((await s.account().send(new GetContactInformationCommand({ AccountId: member }))).ContactInformation, CONTACT);
});

// ---------------------------------------------------------------------------------------------
// Alternate contacts
// ---------------------------------------------------------------------------------------------

test("Alternate contacts: BILLING, OPERATIONS and SECURITY are put, read and deleted independently", async () => {
  await s.reset();
  const client = s.account(STANDALONE);
  const notYet = await accountError(() => client.send(new GetAlternateContactCommand({ AlternateContactType: "SECURITY" })));
  assert.equal(notYet.name, "ResourceNotFoundException");
  assert.equal(notYet.status, 404);
  assert.equal(notYet.message, "No contact of the inputted alternate contact type found.");

  const types: AlternateContactType[] = ["BILLING", "OPERATIONS", "SECURITY"];
  for (const type of types) {
    await client.send(
      new PutAlternateContactCommand({
        AlternateContactType: type,
        Name: `${type} person`,
        Title: "Lead",
        EmailAddress: `${type.toLowerCase()}@example.com`,
        PhoneNumber: "+1 555 0100",
      }),
    );
  }
  for (const type of types) {
    const got = (await client.send(new GetAlternateContactCommand({ AlternateContactType: type }))).AlternateContact!;
    assert.deepEqual(got, {
      AlternateContactType: type,
      Name: `${type} person`,
      Title: "Lead",
      EmailAddress: `${type.toLowerCase()}@example.com`,
      PhoneNumber: "+1 555 0100",
    });
  }
  // Put replaces.
  await client.send(
    new PutAlternateContactCommand({
      AlternateContactType: "BILLING",
      Name: "New",
      Title: "CFO",
      EmailAddress: "cfo@example.com",
      PhoneNumber: "+44 20 7946 0000",
    }),
  );
  assert.equal((await client.send(new GetAlternateContactCommand({ AlternateContactType: "BILLING" }))).AlternateContact!.Name, "New");

  await client.send(new DeleteAlternateContactCommand({ AlternateContactType: "OPERATIONS" }));
  const gone = await accountError(() => client.send(new GetAlternateContactCommand({ AlternateContactType: "OPERATIONS" })));
  assert.equal(gone.name, "ResourceNotFoundException");
  const again = await accountError(() => client.send(new DeleteAlternateContactCommand({ AlternateContactType: "OPERATIONS" })));
  assert.equal(again.name, "ResourceNotFoundException");
  // The others are untouched.
  assert.equal((await client.send(new GetAlternateContactCommand({ AlternateContactType: "SECURITY" }))).AlternateContact!.Title, "Lead");
  // Another account sees none of them.
  const other = await accountError(() =>
    s.account("333333333333").send(new GetAlternateContactCommand({ AlternateContactType: "SECURITY" })),
  );
  assert.equal(other.name, "ResourceNotFoundException");
});

// ---------------------------------------------------------------------------------------------
// Account name and information
// ---------------------------------------------------------------------------------------------

test("GetAccountInformation returns the id, name, creation date and state; PutAccountName renames the account everywhere", async () => {
  await s.freshOrg();
  const member = await s.createAccount("info@example.com", { name: "before" });
  const info = await s.account(member).send(new GetAccountInformationCommand({}));
  assert.equal(info.AccountId, member);
  assert.equal(info.AccountName, "before");
  assert.ok(info.AccountCreatedDate instanceof Date && !Number.isNaN(info.AccountCreatedDate.getTime()));
  assert.ok(Math.abs(info.AccountCreatedDate.getTime() - Date.now()) < 60_000);
  assert.equal(info.AccountState, "ACTIVE");

  await s.account(member).send(new PutAccountNameCommand({ AccountName: "after" }));
  assert.equal((await s.account(member).send(new GetAccountInformationCommand({}))).AccountName, "after");
  // Organizations reads the same account.
  assert.equal((await s.orgs().send(new DescribeAccountCommand({ AccountId: member }))).Account!.Name, "after");
});

// ---------------------------------------------------------------------------------------------
// Regions
// ---------------------------------------------------------------------------------------------

test("ListRegions: default Regions are ENABLED_BY_DEFAULT, opt-in Regions DISABLED; pages of MaxResults cover each Region once", async () => {
  await s.reset();
  const client = s.account(STANDALONE);
  const all = (await client.send(new ListRegionsCommand({}))).Regions!;
  const byName = new Map(all.map((r) => [r.RegionName!, r.RegionOptStatus!]));
  assert.equal(byName.size, all.length);
  assert.equal(byName.get("us-east-1"), "ENABLED_BY_DEFAULT");
  assert.equal(byName.get("eu-west-1"), "ENABLED_BY_DEFAULT");
  assert.equal(byName.get("af-south-1"), "DISABLED");
  assert.equal(byName.get("ap-east-1"), "DISABLED");

  const seen: string[] = [];
  for await (const page of paginateListRegions({ client, pageSize: 5 }, {})) {
    assert.ok(page.Regions!.length <= 5);
    seen.push(...page.Regions!.map((r) => r.RegionName!));
  }
  assert.deepEqual(
    seen,
    all.map((r) => r.RegionName!),
  );

  const defaults = (await client.send(new ListRegionsCommand({ RegionOptStatusContains: ["ENABLED_BY_DEFAULT"] }))).Regions!;
  assert.ok(defaults.length > 0 && defaults.every((r) => r.RegionOptStatus === "ENABLED_BY_DEFAULT"));
  assert.equal(defaults.length, [...byName.values()].filter((v) => v === "ENABLED_BY_DEFAULT").length);

  const bad = await accountError(() => client.send(new ListRegionsCommand({ NextToken: "not-a-token" })));
  assert.equal(bad.name, "ValidationException");
  assert.equal(bad.status, 400);
});

test("EnableRegion: an opt-in Region goes ENABLING, then ENABLED after the virtual clock advances; DisableRegion goes DISABLING then DISABLED", async () => {
  await s.reset();
  const client = s.account(STANDALONE);
  const status = async (region: string) => (await client.send(new GetRegionOptStatusCommand({ RegionName: region }))).RegionOptStatus;

  assert.equal(await status("af-south-1"), "DISABLED");
  await client.send(new EnableRegionCommand({ RegionName: "af-south-1" }));
  assert.equal(await status("af-south-1"), "ENABLING");
  // Enabling again changes nothing; disabling before enabling has finished is a conflict (409).
  await client.send(new EnableRegionCommand({ RegionName: "af-south-1" }));
  const early = await accountError(() => client.send(new DisableRegionCommand({ RegionName: "af-south-1" })));
  assert.equal(early.name, "ConflictException");
  assert.equal(early.status, 409);

  await s.advanceClock(61);
  assert.equal(await status("af-south-1"), "ENABLED");
  const enabled = (await client.send(new ListRegionsCommand({ RegionOptStatusContains: ["ENABLED", "ENABLING"] }))).Regions!;
  assert.deepEqual(enabled, [{ RegionName: "af-south-1", RegionOptStatus: "ENABLED" }]);

  await client.send(new DisableRegionCommand({ RegionName: "af-south-1" }));
  assert.equal(await status("af-south-1"), "DISABLING");
  const reEnable = await accountError(() => client.send(new EnableRegionCommand({ RegionName: "af-south-1" })));
  assert.equal(reEnable.name, "ConflictException");
  await s.advanceClock(61);
  assert.equal(await status("af-south-1"), "DISABLED");

  // Another account's Regions are its own.
  assert.equal(
    (await s.account("333333333333").send(new GetRegionOptStatusCommand({ RegionName: "af-south-1" }))).RegionOptStatus,
    "DISABLED",
  );
});

test("EnableRegion/DisableRegion: a Region enabled by default, or an unknown Region, is ValidationException invalidRegionOptTarget", async () => {
  await s.reset();
  const client = s.account(STANDALONE);
  assert.equal((await client.send(new GetRegionOptStatusCommand({ RegionName: "us-east-1" }))).RegionOptStatus, "ENABLED_BY_DEFAULT");
  for (const call of [
    () => client.send(new DisableRegionCommand({ RegionName: "us-east-1" })),
    () => client.send(new EnableRegionCommand({ RegionName: "eu-west-1" })),
    () => client.send(new EnableRegionCommand({ RegionName: "xx-nowhere-1" })),
  ]) {
    const err = await accountError(call);
    assert.equal(err.name, "ValidationException");
    assert.equal(err.status, 400);
    assert.equal(err.reason, "invalidRegionOptTarget");
  }
  assert.equal((await client.send(new GetRegionOptStatusCommand({ RegionName: "us-east-1" }))).RegionOptStatus, "ENABLED_BY_DEFAULT");
});

// ---------------------------------------------------------------------------------------------
// Organization-aware access (AccountId)
// ---------------------------------------------------------------------------------------------

test("Access: the management account may act on a member only once trusted access for account.amazonaws.com is enabled", async () => {
  const { orgId } = await s.freshOrg();
  const member = await s.createAccount("a1@example.com");
  const denied = await accountError(() =>
    s.account().send(new GetAlternateContactCommand({ AccountId: member, AlternateContactType: "BILLING" })),
  );
  assert.equal(denied.name, "AccessDeniedException");
  assert.equal(denied.status, 403);
  assert.equal(denied.message, deniedMessage(MANAGEMENT, "GetAlternateContact"));

  await enableTrustedAccess(orgId);
  await s.account().send(
    new PutAlternateContactCommand({
      AccountId: member,
      AlternateContactType: "SECURITY",
      Name: "Sec",
      Title: "CISO",
      EmailAddress: "sec@example.com",
      PhoneNumber: "+1 555 0101",
    }),
  );
  // The member reads what the management account wrote for it.
  assert.equal(
    (await s.account(member).send(new GetAlternateContactCommand({ AlternateContactType: "SECURITY" }))).AlternateContact!.Name,
    "Sec",
  );
  await s.account().send(new EnableRegionCommand({ AccountId: member, RegionName: "me-south-1" }));
  assert.equal((await s.account(member).send(new GetRegionOptStatusCommand({ RegionName: "me-south-1" }))).RegionOptStatus, "ENABLING");
  assert.equal((await s.account().send(new GetAccountInformationCommand({ AccountId: member }))).AccountId, member);
  const regions = await s.account().send(new ListRegionsCommand({ AccountId: member, RegionOptStatusContains: ["ENABLING"] }));
  assert.deepEqual(regions.Regions, [{ RegionName: "me-south-1", RegionOptStatus: "ENABLING" }]);
});

test("Access: the management account naming its own AccountId gets ValidationException (call without AccountId instead)", async () => {
  const { orgId } = await s.freshOrg();
  await enableTrustedAccess(orgId);
  const err = await accountError(() => s.account().send(new GetContactInformationCommand({ AccountId: MANAGEMENT })));
  assert.equal(err.name, "ValidationException");
  assert.equal(err.status, 400);
  assert.equal(
    err.message,
    "The management account can't specify its own AccountId ; it must call the operation in standalone context by not including the AccountId parameter.",
  );
  // Without AccountId it acts on itself.
  await s.account().send(new PutAccountNameCommand({ AccountName: "management" }));
  assert.equal((await s.account().send(new GetAccountInformationCommand({}))).AccountName, "management");
});

test("Access: a member account may not act on another member or on the management account, even with trusted access", async () => {
  const { orgId } = await s.freshOrg();
  const a = await s.createAccount("m1@example.com");
  const b = await s.createAccount("m2@example.com");
  await enableTrustedAccess(orgId);
  for (const target of [b, MANAGEMENT]) {
    const err = await accountError(() => s.account(a).send(new GetAccountInformationCommand({ AccountId: target })));
    assert.equal(err.name, "AccessDeniedException");
    assert.equal(err.status, 403);
    assert.equal(err.message, deniedMessage(a, "GetAccountInformation"));
  }
  // A member naming its own id acts on itself.
  assert.equal((await s.account(a).send(new GetAccountInformationCommand({ AccountId: a }))).AccountId, a);
});

test("Access: a delegated administrator for account.amazonaws.com may act on other members, not on the management account", async () => {
  const { orgId } = await s.freshOrg();
  const admin = await s.createAccount("da@example.com");
  const member = await s.createAccount("dm@example.com");
  await enableTrustedAccess(orgId);

  // A delegated administrator of another service is not enough.
  await registerDelegatedAdmin(orgId, admin, "securityhub.amazonaws.com");
  const otherService = await accountError(() => s.account(admin).send(new PutAccountNameCommand({ AccountId: member, AccountName: "x" })));
  assert.equal(otherService.name, "AccessDeniedException");

  await registerDelegatedAdmin(orgId, admin);
  await s.account(admin).send(new PutAccountNameCommand({ AccountId: member, AccountName: "renamed by admin" }));
  assert.equal((await s.account(member).send(new GetAccountInformationCommand({}))).AccountName, "renamed by admin");
  const onManagement = await accountError(() => s.account(admin).send(new GetAccountInformationCommand({ AccountId: MANAGEMENT })));
  assert.equal(onManagement.name, "AccessDeniedException");
  assert.equal(onManagement.status, 403);
});

test("Access: a delegated administrator is denied too while trusted access is off", async () => {
  const { orgId } = await s.freshOrg();
  const admin = await s.createAccount("da2@example.com");
  const member = await s.createAccount("dm2@example.com");
  await registerDelegatedAdmin(orgId, admin);
  const err = await accountError(() => s.account(admin).send(new ListRegionsCommand({ AccountId: member })));
  assert.equal(err.name, "AccessDeniedException");
  assert.equal(err.message, deniedMessage(admin, "ListRegions"));
});

test("Access: accounts outside the caller's organization, and callers in no organization, are denied", async () => {
  const { orgId } = await s.freshOrg();
  await enableTrustedAccess(orgId);
  const outside = await accountError(() => s.account().send(new GetContactInformationCommand({ AccountId: STANDALONE })));
  assert.equal(outside.name, "AccessDeniedException");
  const member = await s.createAccount("o1@example.com");
  const loner = await accountError(() => s.account(STANDALONE).send(new GetContactInformationCommand({ AccountId: member })));
  assert.equal(loner.name, "AccessDeniedException");
  assert.equal(loner.message, deniedMessage(STANDALONE, "GetContactInformation"));
});

test("Access: an invited member has the contact information of its own sign-up, readable by the management account", async () => {
  const { orgId } = await s.freshOrg();
  await enableTrustedAccess(orgId);
  await s.invite(STANDALONE);
  const got = await s.account().send(new GetContactInformationCommand({ AccountId: STANDALONE }));
  assert.ok(got.ContactInformation!.FullName);
});

// Service control policies are written straight into the store until EnablePolicyType,
// CreatePolicy and AttachPolicy land; then this helper will call them instead.
async function attachScps(orgId: string, accountId: string, denyActions: string[]): Promise<void> {
  const allowAll = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
  const deny = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: denyActions, Resource: "*" }] });
  await s.sim.app.store.writeTransaction(async (tx) => {
    const root = await tx.selectFrom("roots").selectAll().where("org_id", "=", orgId).executeTakeFirstOrThrow();
    await tx
      .updateTable("roots")
      .set({ policy_types: JSON.stringify([{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }]) })
      .where("id", "=", root.id)
      .execute();
    const seq = await nextSeqs(tx, 5);
    const policy = (id: string, name: string, content: string, n: number) => ({
      id,
      org_id: orgId,
      arn: `arn:aws:organizations::${MANAGEMENT}:policy/${orgId}/service_control_policy/${id}`,
      name,
      description: "",
      type: "SERVICE_CONTROL_POLICY",
      aws_managed: 0,
      content,
      seq: seq[n]!,
    });
    await tx
      .insertInto("policies")
      .values([policy("p-allowall1", "AllowAll", allowAll, 0), policy("p-denyacct1", "DenyAccount", deny, 1)])
      .execute();
    await tx
      .insertInto("policy_targets")
      .values([
        { org_id: orgId, policy_id: "p-allowall1", target_id: root.id, target_type: "ROOT", seq: seq[2]! },
        { org_id: orgId, policy_id: "p-allowall1", target_id: accountId, target_type: "ACCOUNT", seq: seq[3]! },
        { org_id: orgId, policy_id: "p-denyacct1", target_id: accountId, target_type: "ACCOUNT", seq: seq[4]! },
      ])
      .execute();
    await tx
      .updateTable("organizations")
      .set((eb) => ({ policy_version: eb("policy_version", "+", 1) }))
      .where("id", "=", orgId)
      .execute();
  });
}

test("SCPs: a service control policy denying account:PutAlternateContact stops a member (403); other actions and the management account are unaffected", async () => {
  const { orgId } = await s.freshOrg();
  const member = await s.createAccount("scp@example.com");
  await enableTrustedAccess(orgId);
  await attachScps(orgId, member, ["account:PutAlternateContact"]);
  const put = new PutAlternateContactCommand({
    AlternateContactType: "BILLING",
    Name: "B",
    Title: "T",
    EmailAddress: "b@example.com",
    PhoneNumber: "+1 555 0102",
  });
  const denied = await accountError(() => s.account(member).send(put));
  assert.equal(denied.name, "AccessDeniedException");
  assert.equal(denied.status, 403);
  assert.match(
    denied.message,
    new RegExp(`^User: arn:aws:iam::${member}:root is not authorized to perform: account:PutAlternateContact with an explicit deny`),
  );
  // Another action is allowed, and the management account is never restricted by SCPs.
  await s.account(member).send(new PutAccountNameCommand({ AccountName: "still allowed" }));
  await s.account().send(new PutAlternateContactCommand({ ...put.input, AccountId: member }));
  assert.equal(
    (await s.account(member).send(new GetAlternateContactCommand({ AlternateContactType: "BILLING" }))).AlternateContact!.Name,
    "B",
  );
});

// ---------------------------------------------------------------------------------------------
// Primary email
// ---------------------------------------------------------------------------------------------

test("Primary email: StartPrimaryEmailUpdate is PENDING; AcceptPrimaryEmailUpdate with the one-time code is ACCEPTED and changes the email", async () => {
  const { orgId } = await s.freshOrg();
  const member = await s.createAccount("old@example.com");
  await enableTrustedAccess(orgId);
  assert.equal((await s.account().send(new GetPrimaryEmailCommand({ AccountId: member }))).PrimaryEmail, "old@example.com");

  const started = await s.account().send(new StartPrimaryEmailUpdateCommand({ AccountId: member, PrimaryEmail: "new@example.com" }));
  assert.equal(started.Status, "PENDING");
  const code = await s.sim.app.store.transaction((tx) => pendingPrimaryEmailCode(tx, member));
  assert.match(code!, /^[a-zA-Z0-9]{6}$/);

  const wrongCode = code === "AAAAAA" ? "BBBBBB" : "AAAAAA";
  const wrong = await accountError(() =>
    s.account().send(new AcceptPrimaryEmailUpdateCommand({ AccountId: member, PrimaryEmail: "new@example.com", Otp: wrongCode })),
  );
  assert.equal(wrong.name, "ValidationException");
  const otherEmail = await accountError(() =>
    s.account().send(new AcceptPrimaryEmailUpdateCommand({ AccountId: member, PrimaryEmail: "other@example.com", Otp: code })),
  );
  assert.equal(otherEmail.name, "ValidationException");
  assert.equal((await s.account().send(new GetPrimaryEmailCommand({ AccountId: member }))).PrimaryEmail, "old@example.com");

  const accepted = await s
    .account()
    .send(new AcceptPrimaryEmailUpdateCommand({ AccountId: member, PrimaryEmail: "new@example.com", Otp: code }));
  assert.equal(accepted.Status, "ACCEPTED");
  assert.equal((await s.account().send(new GetPrimaryEmailCommand({ AccountId: member }))).PrimaryEmail, "new@example.com");
  assert.equal((await s.orgs().send(new DescribeAccountCommand({ AccountId: member }))).Account!.Email, "new@example.com");
  assert.equal(await s.sim.app.store.transaction((tx) => pendingPrimaryEmailCode(tx, member)), undefined);

  // The code is single-use.
  const reused = await accountError(() =>
    s.account().send(new AcceptPrimaryEmailUpdateCommand({ AccountId: member, PrimaryEmail: "new@example.com", Otp: code })),
  );
  assert.equal(reused.name, "ResourceNotFoundException");
  assert.equal(reused.status, 404);
});

test("Primary email: an address already in use is ConflictException (409); the operations only work on a member from the management account or delegated administrator", async () => {
  const { orgId } = await s.freshOrg();
  const member = await s.createAccount("pe1@example.com");
  await s.createAccount("taken@example.com");
  await enableTrustedAccess(orgId);
  const taken = await accountError(() =>
    s.account().send(new StartPrimaryEmailUpdateCommand({ AccountId: member, PrimaryEmail: "taken@example.com" })),
  );
  assert.equal(taken.name, "ConflictException");
  assert.equal(taken.status, 409);

  const own = await accountError(() => s.account().send(new GetPrimaryEmailCommand({ AccountId: MANAGEMENT })));
  assert.equal(own.name, "ValidationException");
  const self = await accountError(() => s.account(member).send(new GetPrimaryEmailCommand({ AccountId: member })));
  assert.equal(self.name, "AccessDeniedException");
  assert.equal(self.status, 403);
  const standalone = await accountError(() =>
    s.account(STANDALONE).send(new StartPrimaryEmailUpdateCommand({ AccountId: STANDALONE, PrimaryEmail: "me@example.com" })),
  );
  assert.equal(standalone.name, "AccessDeniedException");
  const notEmail = await accountError(() =>
    s.account().send(new StartPrimaryEmailUpdateCommand({ AccountId: member, PrimaryEmail: "not-an-email" })),
  );
  assert.equal(notEmail.name, "ValidationException");
});

// ---------------------------------------------------------------------------------------------
// GovCloud
// ---------------------------------------------------------------------------------------------

test("GetGovCloudAccountInformation: ResourceNotFoundException without a GovCloud twin; the twin's id and state with one", async () => {
  await s.reset();
  const none = await accountError(() => s.account(STANDALONE).send(new GetGovCloudAccountInformationCommand({})));
  assert.equal(none.name, "ResourceNotFoundException");
  assert.equal(none.status, 404);
  // Paired through the control API (a GET stores nothing, so the PUT makes the implicit account's row).
  assert.equal((await s.control("PUT", `/_orgsim/accounts/${STANDALONE}/govcloud`, { enabled: true })).status, 200);
  const info = await s.account(STANDALONE).send(new GetGovCloudAccountInformationCommand({}));
  assert.match(info.GovCloudAccountId!, /^\d{12}$/);
  assert.notEqual(info.GovCloudAccountId, STANDALONE);
  assert.equal(info.AccountState, "ACTIVE");
  assert.equal((await s.account(STANDALONE).send(new GetGovCloudAccountInformationCommand({}))).GovCloudAccountId, info.GovCloudAccountId);
});

// ---------------------------------------------------------------------------------------------
// Input validation
// ---------------------------------------------------------------------------------------------

test("Validation: constraint violations are ValidationException (400), reason fieldValidationFailed, with a fieldList naming each field", async () => {
  await s.reset();
  const client = s.account(STANDALONE);

  const alt = await accountError(() =>
    client.send(
      new PutAlternateContactCommand({
        AlternateContactType: "BILLING",
        Name: "",
        Title: "t",
        EmailAddress: "not-an-email",
        PhoneNumber: "+1 555",
      }),
    ),
  );
  assert.equal(alt.name, "ValidationException");
  assert.equal(alt.status, 400);
  assert.equal(alt.reason, "fieldValidationFailed");
  const names = alt.fieldList!.map((f) => f.name).sort();
  assert.deepEqual(names, ["emailAddress", "name"]);
  assert.match(alt.message, /^2 validation errors detected: /);
  // Sensitive values are not echoed.
  assert.doesNotMatch(alt.message, /not-an-email/);

  const badId = await accountError(() => client.send(new GetAccountInformationCommand({ AccountId: "123" })));
  assert.equal(badId.name, "ValidationException");
  assert.deepEqual(
    badId.fieldList!.map((f) => f.name),
    ["accountId"],
  );
  assert.match(badId.fieldList![0]!.message!, /regular expression pattern/);

  const tooMany = await accountError(() => client.send(new ListRegionsCommand({ MaxResults: 51 })));
  assert.equal(tooMany.name, "ValidationException");
  assert.deepEqual(
    tooMany.fieldList!.map((f) => f.name),
    ["maxResults"],
  );

  const enumBad = await accountError(() =>
    client.send(new GetAlternateContactCommand({ AlternateContactType: "SALES" as AlternateContactType })),
  );
  assert.equal(enumBad.name, "ValidationException");
  assert.deepEqual(
    enumBad.fieldList!.map((f) => f.name),
    ["alternateContactType"],
  );

  const contact = await accountError(() =>
    client.send(new PutContactInformationCommand({ ContactInformation: { ...CONTACT, CountryCode: "USA", PhoneNumber: "555-0100" } })),
  );
  assert.equal(contact.name, "ValidationException");
  assert.deepEqual(contact.fieldList!.map((f) => f.name).sort(), ["contactInformation.countryCode", "contactInformation.phoneNumber"]);

  const name = await accountError(() => client.send(new PutAccountNameCommand({ AccountName: "" })));
  assert.equal(name.name, "ValidationException");
  assert.deepEqual([...new Set(name.fieldList!.map((f) => f.name))], ["accountName"]);
});
