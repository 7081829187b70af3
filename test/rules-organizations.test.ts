/**
 * Rules of the Organizations API Reference that docs/research/rule-audit.md found untested or not
 * yet held, through the AWS SDK v3: one test per rule, named after it. Rules already covered by
 * the per-area files (core-organization, ous, policies, delegated, surface, ...) are referenced
 * from the audit, not repeated here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { insertAccounts } from "./helpers/bulk.js";
import {
  AcceptHandshakeCommand,
  CancelHandshakeCommand,
  CloseAccountCommand,
  CreateAccountCommand,
  CreateGovCloudAccountCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DeclineHandshakeCommand,
  DeregisterDelegatedAdministratorCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  DisableAWSServiceAccessCommand,
  DisablePolicyTypeCommand,
  EnableAllFeaturesCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  DeleteOrganizationCommand,
  InviteAccountToOrganizationCommand,
  InviteOrganizationToTransferResponsibilityCommand,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  ListDelegatedAdministratorsCommand,
  ListHandshakesForAccountCommand,
  ListHandshakesForOrganizationCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
  RemoveAccountFromOrganizationCommand,
  type Tag,
} from "@aws-sdk/client-organizations";
import { useTestServer, awsError, assertAwsError, DAY, MANAGEMENT } from "./helpers/server.js";

const INVITEE = "222222222222";
const OTHER_MANAGEMENT = "333333333333";
const s = useTestServer();

const tooManyTags = (): Tag[] => Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));

// ---------------------------------------------------------------------------------------------
// Handshakes
// ---------------------------------------------------------------------------------------------

test("Rule: accepting a handshake that is already accepted is HandshakeAlreadyInStateException", async () => {
  await s.freshOrg();
  const hs = await s.openInvitation(INVITEE);
  await s.orgs(INVITEE).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id }));
  const err = await awsError(() => s.orgs(INVITEE).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })));
  assert.equal(err.name, "HandshakeAlreadyInStateException");
  assert.equal(err.status, 400);
});

test("Rule: declining a handshake that is already declined is HandshakeAlreadyInStateException", async () => {
  await s.freshOrg();
  const hs = await s.openInvitation(INVITEE);
  await s.orgs(INVITEE).send(new DeclineHandshakeCommand({ HandshakeId: hs.Id }));
  const err = await awsError(() => s.orgs(INVITEE).send(new DeclineHandshakeCommand({ HandshakeId: hs.Id })));
  assert.equal(err.name, "HandshakeAlreadyInStateException");
});

test("Rule: canceling a handshake that is already canceled is HandshakeAlreadyInStateException", async () => {
  await s.freshOrg();
  const hs = await s.openInvitation(INVITEE);
  await s.orgs().send(new CancelHandshakeCommand({ HandshakeId: hs.Id }));
  const err = await awsError(() => s.orgs().send(new CancelHandshakeCommand({ HandshakeId: hs.Id })));
  assert.equal(err.name, "HandshakeAlreadyInStateException");
});

test("Rule: a response to a handshake another response closed is InvalidHandshakeTransitionException (cancel an accepted one, accept a declined or canceled one)", async () => {
  await s.freshOrg();
  const accepted = await s.openInvitation(INVITEE);
  await s.orgs(INVITEE).send(new AcceptHandshakeCommand({ HandshakeId: accepted.Id }));
  assert.equal(
    (await awsError(() => s.orgs().send(new CancelHandshakeCommand({ HandshakeId: accepted.Id })))).name,
    "InvalidHandshakeTransitionException",
  );

  const declined = await s.openInvitation("444444444444");
  await s.orgs("444444444444").send(new DeclineHandshakeCommand({ HandshakeId: declined.Id }));
  assert.equal(
    (await awsError(() => s.orgs("444444444444").send(new AcceptHandshakeCommand({ HandshakeId: declined.Id })))).name,
    "InvalidHandshakeTransitionException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new CancelHandshakeCommand({ HandshakeId: declined.Id })))).name,
    "InvalidHandshakeTransitionException",
  );

  const canceled = await s.openInvitation("555555555555");
  await s.orgs().send(new CancelHandshakeCommand({ HandshakeId: canceled.Id }));
  assert.equal(
    (await awsError(() => s.orgs("555555555555").send(new AcceptHandshakeCommand({ HandshakeId: canceled.Id })))).name,
    "InvalidHandshakeTransitionException",
  );
  assert.equal(
    (await awsError(() => s.orgs("555555555555").send(new DeclineHandshakeCommand({ HandshakeId: canceled.Id })))).name,
    "InvalidHandshakeTransitionException",
  );
});

test("Rule: only the sender cancels a handshake and only the recipient accepts or declines it; the other side's call changes nothing", async () => {
  await s.freshOrg();
  const hs = await s.openInvitation(INVITEE);
  // The recipient (in no organization) can't cancel; the sender can't decline.
  assert.equal(
    (await awsError(() => s.orgs(INVITEE).send(new CancelHandshakeCommand({ HandshakeId: hs.Id })))).name,
    "AccessDeniedException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new DeclineHandshakeCommand({ HandshakeId: hs.Id })))).name,
    "HandshakeNotFoundException",
  );
  // Nor can the sender, or an unrelated account, accept it.
  assert.equal(
    (await awsError(() => s.orgs().send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })))).name,
    "HandshakeNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs("444444444444").send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })))).name,
    "HandshakeNotFoundException",
  );
  assert.equal((await s.orgs().send(new DescribeHandshakeCommand({ HandshakeId: hs.Id }))).Handshake!.State, "OPEN");
});

test("Rule: a management account can't accept an invitation to another organization (MasterCannotLeaveOrganizationException)", async () => {
  await s.freshOrg();
  const hs = await s.openInvitation(OTHER_MANAGEMENT);
  await s.createOrg({ management: OTHER_MANAGEMENT });
  const err = await awsError(() => s.orgs(OTHER_MANAGEMENT).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })));
  assert.equal(err.name, "MasterCannotLeaveOrganizationException");
  assert.equal((await s.orgs().send(new DescribeHandshakeCommand({ HandshakeId: hs.Id }))).Handshake!.State, "OPEN");
});

test("Rule: a member of another organization can't accept an invitation (HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION)", async () => {
  await s.freshOrg();
  const hs = await s.openInvitation(INVITEE);
  // INVITEE joins another organization first.
  await s.createOrg({ management: OTHER_MANAGEMENT });
  await s.invite(INVITEE, { management: OTHER_MANAGEMENT });
  const err = await awsError(() => s.orgs(INVITEE).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })));
  assertAwsError(err, "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION");
});

test("Rule: inviting an account that is already a member of this organization is HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION", async () => {
  await s.freshOrg();
  await s.invite(INVITEE);
  assertAwsError(await awsError(() => s.openInvitation(INVITEE)), "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION");
  assertAwsError(await awsError(() => s.openInvitation(MANAGEMENT)), "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION");
});

test("Rule: an EMAIL invitation needs a valid address (InvalidInputException INVALID_EMAIL_ADDRESS_TARGET)", async () => {
  await s.freshOrg();
  const err = await awsError(() =>
    s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "EMAIL", Id: "not an address" } })),
  );
  assertAwsError(err, "InvalidInputException", "INVALID_EMAIL_ADDRESS_TARGET");
});

test("Rule: no invitation while the organization is enabling all features (HandshakeConstraintViolationException INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES)", async () => {
  await s.freshOrg({ featureSet: "CONSOLIDATED_BILLING" });
  await s.invite(INVITEE);
  await s.orgs().send(new EnableAllFeaturesCommand({}));
  assertAwsError(
    await awsError(() => s.openInvitation("444444444444")),
    "HandshakeConstraintViolationException",
    "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
  );
});

test("Rule: ListHandshakes* take one filter at a time: ActionType and ParentHandshakeId together are InvalidInputException MAX_LIMIT_EXCEEDED_FILTER", async () => {
  await s.freshOrg();
  const hs = await s.openInvitation(INVITEE);
  const filter = { ActionType: "INVITE" as const, ParentHandshakeId: hs.Id };
  assertAwsError(
    await awsError(() => s.orgs().send(new ListHandshakesForOrganizationCommand({ Filter: filter }))),
    "InvalidInputException",
    "MAX_LIMIT_EXCEEDED_FILTER",
  );
  assertAwsError(
    await awsError(() => s.orgs(INVITEE).send(new ListHandshakesForAccountCommand({ Filter: filter }))),
    "InvalidInputException",
    "MAX_LIMIT_EXCEEDED_FILTER",
  );
  assert.equal(
    (await s.orgs(INVITEE).send(new ListHandshakesForAccountCommand({ Filter: { ActionType: "INVITE" } }))).Handshakes!.length,
    1,
  );
});

test("Rule: an invitation's tags are checked when it is sent; one invalid tag and no invitation is sent", async () => {
  await s.freshOrg();
  assertAwsError(
    await awsError(() => s.openInvitation(INVITEE, { tags: [{ Key: "aws:team", Value: "a" }] })),
    "InvalidInputException",
    "INVALID_SYSTEM_TAGS_PARAMETER",
  );
  assertAwsError(
    await awsError(() =>
      s.openInvitation(INVITEE, {
        tags: [
          { Key: "team", Value: "a" },
          { Key: "team", Value: "b" },
        ],
      }),
    ),
    "InvalidInputException",
    "DUPLICATE_TAG_KEY",
  );
  assertAwsError(
    await awsError(() => s.openInvitation(INVITEE, { tags: tooManyTags() })),
    "ConstraintViolationException",
    "MAX_TAG_LIMIT_EXCEEDED",
  );
  assert.deepEqual((await s.orgs().send(new ListHandshakesForOrganizationCommand({}))).Handshakes, []);
  assert.deepEqual((await s.orgs(INVITEE).send(new ListHandshakesForAccountCommand({}))).Handshakes, []);
});

test("Rule: an accepted, declined or canceled handshake is kept for 30 days after it closed, then it is gone (not listed, HandshakeNotFoundException)", async () => {
  await s.freshOrg();
  const accepted = await s.openInvitation(INVITEE);
  await s.advanceClock(10 * DAY); // closed on day 10 of its 15: kept until day 40, not until day 45 (its expiry's 30 days)
  await s.orgs(INVITEE).send(new AcceptHandshakeCommand({ HandshakeId: accepted.Id }));
  const canceled = await s.openInvitation("444444444444");
  await s.orgs().send(new CancelHandshakeCommand({ HandshakeId: canceled.Id }));
  const listed = async () => (await s.orgs().send(new ListHandshakesForOrganizationCommand({}))).Handshakes!.map((h) => h.Id).sort();

  await s.advanceClock(29 * DAY);
  assert.deepEqual(await listed(), [accepted.Id, canceled.Id].sort(), "both are still there 29 days after they closed");
  assert.equal((await s.orgs(INVITEE).send(new DescribeHandshakeCommand({ HandshakeId: accepted.Id }))).Handshake!.State, "ACCEPTED");

  await s.advanceClock(2 * DAY);
  assert.deepEqual(await listed(), [], "31 days after they closed both are gone");
  assert.deepEqual((await s.orgs(INVITEE).send(new ListHandshakesForAccountCommand({}))).Handshakes, []);
  assert.equal(
    (await awsError(() => s.orgs().send(new DescribeHandshakeCommand({ HandshakeId: canceled.Id })))).name,
    "HandshakeNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs(INVITEE).send(new AcceptHandshakeCommand({ HandshakeId: accepted.Id })))).name,
    "HandshakeNotFoundException",
  );
});

test("Rule: an expired handshake is kept for 30 days after its expiry, then it is gone", async () => {
  await s.freshOrg();
  const hs = await s.openInvitation(INVITEE);
  await s.advanceClock((15 + 29) * DAY);
  assert.equal((await s.orgs().send(new DescribeHandshakeCommand({ HandshakeId: hs.Id }))).Handshake!.State, "EXPIRED");
  assert.equal((await s.orgs(INVITEE).send(new ListHandshakesForAccountCommand({}))).Handshakes!.length, 1);
  await s.advanceClock(2 * DAY);
  assert.equal(
    (await awsError(() => s.orgs().send(new DescribeHandshakeCommand({ HandshakeId: hs.Id })))).name,
    "HandshakeNotFoundException",
  );
  assert.deepEqual((await s.orgs(INVITEE).send(new ListHandshakesForAccountCommand({}))).Handshakes, []);
});

test("Rule: a member's departure cancels its open handshakes, and they are kept 30 days from then", async () => {
  await s.freshOrg({ featureSet: "CONSOLIDATED_BILLING" });
  await s.invite(INVITEE);
  // EnableAllFeatures sends the invited member its own ENABLE_ALL_FEATURES handshake.
  await s.orgs().send(new EnableAllFeaturesCommand({}));
  const own = (await s.orgs(INVITEE).send(new ListHandshakesForAccountCommand({}))).Handshakes!.find(
    (h) => h.Action === "ENABLE_ALL_FEATURES",
  )!;
  await s.advanceClock(5 * DAY);
  await s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: INVITEE }));
  assert.equal((await s.orgs().send(new DescribeHandshakeCommand({ HandshakeId: own.Id }))).Handshake!.State, "CANCELED");
  await s.advanceClock(31 * DAY);
  assert.equal(
    (await awsError(() => s.orgs().send(new DescribeHandshakeCommand({ HandshakeId: own.Id })))).name,
    "HandshakeNotFoundException",
  );
});

test("Rule: EnableAllFeatures's standard migration serves organizations of at most 5,000 accounts (ConstraintViolationException ALL_FEATURES_MIGRATION_ORGANIZATION_SIZE_LIMIT_EXCEEDED)", async () => {
  const { org, rootId: root } = await s.freshOrg({ featureSet: "CONSOLIDATED_BILLING" });
  // 5,000 invited members written straight into the store (5,000 calls would add minutes, nothing else).
  const rows = Array.from({ length: 5000 }, (_, i) => ({
    id: `7${String(i).padStart(11, "0")}`,
    org_id: org.Id!,
    parent_id: root,
    email: `bulk-${i}@example.com`,
    name: `bulk-${i}`,
  }));
  await insertAccounts(s.sim.app.store, rows);
  const err = await awsError(() => s.orgs().send(new EnableAllFeaturesCommand({})));
  assertAwsError(err, "ConstraintViolationException", "ALL_FEATURES_MIGRATION_ORGANIZATION_SIZE_LIMIT_EXCEEDED");
  assert.deepEqual((await s.orgs().send(new ListHandshakesForOrganizationCommand({}))).Handshakes, []);
});

// ---------------------------------------------------------------------------------------------
// Creating, closing and counting accounts
// ---------------------------------------------------------------------------------------------

test("Rule: CloseAccount needs an organization with all features (ConstraintViolationException ORGANIZATION_NOT_IN_ALL_FEATURES_MODE)", async () => {
  await s.freshOrg({ featureSet: "CONSOLIDATED_BILLING" });
  const id = await s.createAccount("cb-member@example.com");
  const err = await awsError(() => s.orgs().send(new CloseAccountCommand({ AccountId: id })));
  assertAwsError(err, "ConstraintViolationException", "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE");
  assert.equal((await s.orgs().send(new DescribeAccountCommand({ AccountId: id }))).Account!.Status, "ACTIVE");
});

test("Rule: a closed account is SUSPENDED for 90 days after its closure, then CLOSED for good (State CLOSED; the retiring Status stays SUSPENDED)", async () => {
  await s.freshOrg();
  const id = await s.createAccount("closing@example.com");
  await s.orgs().send(new CloseAccountCommand({ AccountId: id }));
  const state = async () => (await s.orgs().send(new DescribeAccountCommand({ AccountId: id }))).Account!;
  await s.advanceClock(89 * DAY);
  assert.deepEqual([(await state()).Status, (await state()).State], ["SUSPENDED", "SUSPENDED"]);
  await s.advanceClock(2 * DAY);
  assert.deepEqual([(await state()).Status, (await state()).State], ["SUSPENDED", "CLOSED"]);
  assert.equal((await awsError(() => s.orgs().send(new CloseAccountCommand({ AccountId: id })))).name, "AccountAlreadyClosedException");
});

test("Rule: CloseAccount of an account outside the organization is AccountNotFoundException", async () => {
  await s.freshOrg();
  const err = await awsError(() => s.orgs().send(new CloseAccountCommand({ AccountId: "888888888888" })));
  assert.equal(err.name, "AccountNotFoundException");
});

test("Rule: CreateAccount's tags are checked before anything is created; one invalid tag and no account is created", async () => {
  await s.freshOrg();
  const create = (tags: Tag[]) =>
    s.orgs().send(new CreateAccountCommand({ Email: "tagged@example.com", AccountName: "tagged", Tags: tags }));
  assertAwsError(
    await awsError(() => create([{ Key: "aws:cost-center", Value: "1" }])),
    "InvalidInputException",
    "INVALID_SYSTEM_TAGS_PARAMETER",
  );
  assertAwsError(
    await awsError(() =>
      create([
        { Key: "team", Value: "a" },
        { Key: "team", Value: "b" },
      ]),
    ),
    "InvalidInputException",
    "DUPLICATE_TAG_KEY",
  );
  assertAwsError(await awsError(() => create(tooManyTags())), "ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED");
  assert.deepEqual((await s.orgs().send(new ListCreateAccountStatusCommand({}))).CreateAccountStatuses, []);
  assert.equal((await s.orgs().send(new ListAccountsCommand({}))).Accounts!.length, 1);
});

test("Rule: an email address that breaks CreateAccount's email rules (a leading dot, a forbidden character, a domain that begins or ends with a hyphen, a non-ASCII character) FAILS with INVALID_EMAIL", async () => {
  await s.freshOrg();
  for (const email of [
    ".dot@example.com",
    "a(b)@example.com",
    "pipe|x@example.com",
    "user@example.com-",
    "user@-example.com",
    "user@example.com.",
    "ü-user@example.com",
  ]) {
    const started = await s.orgs().send(new CreateAccountCommand({ Email: email, AccountName: "bad" }));
    assert.equal(started.CreateAccountStatus!.State, "IN_PROGRESS");
    const status = (
      await s.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.CreateAccountStatus!.Id }))
    ).CreateAccountStatus!;
    assert.deepEqual([status.State, status.FailureReason, status.AccountId], ["FAILED", "INVALID_EMAIL", undefined], email);
  }
  assert.equal((await s.orgs().send(new ListAccountsCommand({}))).Accounts!.length, 1);
  // Plus addressing, dots inside the local part and subdomains are fine.
  await s.createAccount("first.last+orgsim@mail.example.co.uk");
});

test("Rule: CreateAccount's RoleName can't begin with IAM's reserved prefix AWSServiceRoleFor (InvalidInputException INVALID_ROLE_NAME)", async () => {
  await s.freshOrg();
  const err = await awsError(() =>
    s.orgs().send(new CreateAccountCommand({ Email: "role@example.com", AccountName: "role", RoleName: "AWSServiceRoleForAdmin" })),
  );
  assertAwsError(err, "InvalidInputException", "INVALID_ROLE_NAME");
  assert.deepEqual((await s.orgs().send(new ListCreateAccountStatusCommand({}))).CreateAccountStatuses, []);
  // A name that merely contains the words is fine.
  await s.orgs().send(new CreateAccountCommand({ Email: "role@example.com", AccountName: "role", RoleName: "MyAWSServiceRoleForAdmin" }));
});

test("Rule: CreateGovCloudAccount keeps CreateAccount's role-name and tag rules", async () => {
  await s.freshOrg();
  assert.equal((await s.control("PUT", `/_orgsim/accounts/${MANAGEMENT}/govcloud`, { enabled: true })).status, 200);
  const gov = (input: { RoleName?: string; Tags?: Tag[] }) =>
    s.orgs().send(new CreateGovCloudAccountCommand({ Email: "gov@example.com", AccountName: "gov", ...input }));
  assertAwsError(await awsError(() => gov({ RoleName: "AWSServiceRoleForX" })), "InvalidInputException", "INVALID_ROLE_NAME");
  assertAwsError(
    await awsError(() => gov({ Tags: [{ Key: "aws:x", Value: "1" }] })),
    "InvalidInputException",
    "INVALID_SYSTEM_TAGS_PARAMETER",
  );
  assert.deepEqual((await s.orgs().send(new ListCreateAccountStatusCommand({}))).CreateAccountStatuses, []);
});

// ---------------------------------------------------------------------------------------------
// The organization
// ---------------------------------------------------------------------------------------------

test("Rule: a new organization's root has no policy type enabled until EnablePolicyType (AWS's observed behaviour, not the reference's 'SCPs enabled')", async () => {
  await s.freshOrg();
  const root = (await s.orgs().send(new ListRootsCommand({}))).Roots![0]!;
  assert.deepEqual(root.PolicyTypes, []);
  // DescribeOrganization's (deprecated) AvailablePolicyTypes follows the root: SCPs show once enabled there.
  assert.deepEqual((await s.orgs().send(new DescribeOrganizationCommand({}))).Organization!.AvailablePolicyTypes, []);
  const enabled = await s.orgs().send(new EnablePolicyTypeCommand({ RootId: root.Id, PolicyType: "SERVICE_CONTROL_POLICY" }));
  assert.deepEqual(enabled.Root!.PolicyTypes, [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }]);
  assert.deepEqual((await s.orgs().send(new DescribeOrganizationCommand({}))).Organization!.AvailablePolicyTypes, [
    { Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" },
  ]);
});

test("Rule: the management account of a new organization needs a payment method (ConstraintViolationException MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED)", async () => {
  await s.reset();
  const lacking = "666666666666";
  assert.equal((await s.control("PUT", `/_orgsim/accounts/${lacking}/standalone`, { paymentMethod: false })).status, 200);
  const err = await awsError(() => s.orgs(lacking).send(new CreateOrganizationCommand({})));
  assertAwsError(err, "ConstraintViolationException", "MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED");
  assert.equal((await awsError(() => s.orgs(lacking).send(new DescribeOrganizationCommand({})))).name, "AWSOrganizationsNotInUseException");
  await s.makeReady(lacking, { paymentMethod: true });
  await s.orgs(lacking).send(new CreateOrganizationCommand({}));
});

test("Rule: AWS GovCloud (US) has no consolidated-billing-only organizations (ConstraintViolationException CREATE_ORGANIZATION_IN_BILLING_MODE_UNSUPPORTED_REGION)", async () => {
  await s.reset();
  const gov = new OrganizationsClient({
    endpoint: s.endpoint,
    region: "us-gov-west-1",
    credentials: { accessKeyId: MANAGEMENT, secretAccessKey: "x" },
    maxAttempts: 1,
  });
  const err = await awsError(() => gov.send(new CreateOrganizationCommand({ FeatureSet: "CONSOLIDATED_BILLING" })));
  assertAwsError(err, "ConstraintViolationException", "CREATE_ORGANIZATION_IN_BILLING_MODE_UNSUPPORTED_REGION");
  const org = (await gov.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }))).Organization!;
  assert.match(org.Arn!, /^arn:aws-us-gov:organizations::/);
});

test("Rule: an organization with an open responsibility transfer can't be deleted (ConstraintViolationException ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS)", async () => {
  await s.freshOrg();
  await s.createOrg({ management: OTHER_MANAGEMENT });
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
  const hs = await s.orgs().send(
    new InviteOrganizationToTransferResponsibilityCommand({
      Type: "BILLING",
      Target: { Type: "ACCOUNT", Id: OTHER_MANAGEMENT },
      StartTimestamp: start,
      SourceName: "billing",
    }),
  );
  assertAwsError(
    await awsError(() => s.orgs().send(new DeleteOrganizationCommand({}))),
    "ConstraintViolationException",
    "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS",
  );
  assertAwsError(
    await awsError(() => s.orgs(OTHER_MANAGEMENT).send(new DeleteOrganizationCommand({}))),
    "ConstraintViolationException",
    "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS",
  );
  await s.orgs().send(new CancelHandshakeCommand({ HandshakeId: hs.Handshake!.Id }));
  await s.orgs().send(new DeleteOrganizationCommand({}));
});

test("Rule: ListParents takes an account or an OU as the child, never a root (InvalidInputException)", async () => {
  const { rootId: root } = await s.freshOrg();
  const err = await awsError(() => s.orgs().send(new ListParentsCommand({ ChildId: root })));
  assert.equal(err.name, "InvalidInputException");
  assert.equal(err.reason, "INVALID_PATTERN");
});

// ---------------------------------------------------------------------------------------------
// Trusted access, delegated administrators and service policy types
// ---------------------------------------------------------------------------------------------

test("Rule: ListDelegatedAdministrators with an unrecognized service principal is InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL", async () => {
  await s.freshOrg();
  const err = await awsError(() =>
    s.orgs().send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: "no-such-service.amazonaws.com" })),
  );
  assertAwsError(err, "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL");
  // A known service without administrators answers an empty list.
  assert.deepEqual(
    (await s.orgs().send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: "guardduty.amazonaws.com" }))).DelegatedAdministrators,
    [],
  );
});

test("Rule: SECURITYHUB_POLICY can be enabled only while securityhub.amazonaws.com has trusted access (ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED)", async () => {
  const { rootId: root } = await s.freshOrg();
  const err = await awsError(() => s.orgs().send(new EnablePolicyTypeCommand({ RootId: root, PolicyType: "SECURITYHUB_POLICY" })));
  assertAwsError(err, "ConstraintViolationException", "SERVICE_ACCESS_NOT_ENABLED");
  await s.orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: "securityhub.amazonaws.com" }));
  const enabled = await s.orgs().send(new EnablePolicyTypeCommand({ RootId: root, PolicyType: "SECURITYHUB_POLICY" }));
  assert.ok(enabled.Root!.PolicyTypes!.some((t) => t.Type === "SECURITYHUB_POLICY" && t.Status === "ENABLED"));
  // Other management policy types need no service.
  await s.orgs().send(new EnablePolicyTypeCommand({ RootId: root, PolicyType: "TAG_POLICY" }));
});

test("Rule: securityhub.amazonaws.com's trusted access can't be disabled while SECURITYHUB_POLICY is enabled (ConstraintViolationException POLICY_TYPE_ENABLED_FOR_THIS_SERVICE)", async () => {
  const { rootId: root } = await s.freshOrg();
  await s.orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: "securityhub.amazonaws.com" }));
  await s.orgs().send(new EnablePolicyTypeCommand({ RootId: root, PolicyType: "SECURITYHUB_POLICY" }));
  const err = await awsError(() => s.orgs().send(new DisableAWSServiceAccessCommand({ ServicePrincipal: "securityhub.amazonaws.com" })));
  assertAwsError(err, "ConstraintViolationException", "POLICY_TYPE_ENABLED_FOR_THIS_SERVICE");
  await s.orgs().send(new DisablePolicyTypeCommand({ RootId: root, PolicyType: "SECURITYHUB_POLICY" }));
  await s.orgs().send(new DisableAWSServiceAccessCommand({ ServicePrincipal: "securityhub.amazonaws.com" }));
});

test("Rule: deregistering an account's last delegation revokes its read access to Organizations", async () => {
  await s.freshOrg();
  await s.invite(INVITEE);
  for (const principal of ["guardduty.amazonaws.com", "config.amazonaws.com"]) {
    await s.orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: principal }));
    await s.orgs().send(new RegisterDelegatedAdministratorCommand({ AccountId: INVITEE, ServicePrincipal: principal }));
  }
  await s.orgs(INVITEE).send(new ListAccountsCommand({}));
  await s.orgs().send(new DeregisterDelegatedAdministratorCommand({ AccountId: INVITEE, ServicePrincipal: "guardduty.amazonaws.com" }));
  await s.orgs(INVITEE).send(new ListAccountsCommand({})); // still a delegated administrator for config
  await s.orgs().send(new DeregisterDelegatedAdministratorCommand({ AccountId: INVITEE, ServicePrincipal: "config.amazonaws.com" }));
  assert.equal((await awsError(() => s.orgs(INVITEE).send(new ListAccountsCommand({})))).name, "AccessDeniedException");
});

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

test("Rule: the number of policies of one type is the policiesPerType quota (POLICY_NUMBER_LIMIT_EXCEEDED), and an override applies", async () => {
  await s.freshOrg();
  assert.equal((await s.control("PUT", "/_orgsim/quotas", { policiesPerType: 2 })).status, 200);
  try {
    const content = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }] });
    const create = (name: string, type: "SERVICE_CONTROL_POLICY" | "TAG_POLICY" = "SERVICE_CONTROL_POLICY", body = content) =>
      s.orgs().send(new CreatePolicyCommand({ Name: name, Description: "", Type: type, Content: body }));
    await create("one");
    await create("two");
    assertAwsError(await awsError(() => create("three")), "ConstraintViolationException", "POLICY_NUMBER_LIMIT_EXCEEDED");
    // The AWS managed FullAWSAccess doesn't count, and each type has its own count.
    await create("tags", "TAG_POLICY", JSON.stringify({ tags: { team: { tag_key: { "@@assign": "Team" } } } }));
  } finally {
    await s.reset();
  }
});
