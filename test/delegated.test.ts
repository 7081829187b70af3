/** Trusted access and delegated administrators through the AWS SDK v3: AWS's rules, one test per rule. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloseAccountCommand,
  DeregisterDelegatedAdministratorCommand,
  DescribeOrganizationCommand,
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  RegisterDelegatedAdministratorCommand,
  RemoveAccountFromOrganizationCommand,
  paginateListAWSServiceAccessForOrganization,
} from "@aws-sdk/client-organizations";
import { startTestServer, useTestServer, awsError, assertAwsError, MANAGEMENT, type TestServer } from "./helpers/server.js";

const SERVICE_ACCESS_NOT_ENABLED =
  "You must enable service access before you delegate an administrator for this service. Call the AWS API EnableAWSServiceAccess first.";
const CANNOT_REMOVE_DELEGATED_ADMINISTRATOR =
  "You cannot remove a delegated administrator from the organization without de-registering the account.";

/** A service that allows one delegated administrator, one that allows three, and one with no delegated administration. */
const GUARDDUTY = "guardduty.amazonaws.com";
const CLOUDTRAIL = "cloudtrail.amazonaws.com";
const RAM = "ram.amazonaws.com";

const s = useTestServer();

const enable = (principal: string, server: TestServer = s) =>
  server.orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: principal }));
const register = (accountId: string, principal: string, server: TestServer = s) =>
  server.orgs().send(new RegisterDelegatedAdministratorCommand({ AccountId: accountId, ServicePrincipal: principal }));
const deregister = (accountId: string, principal: string) =>
  s.orgs().send(new DeregisterDelegatedAdministratorCommand({ AccountId: accountId, ServicePrincipal: principal }));

async function enabledPrincipals(server: TestServer = s): Promise<string[]> {
  const out = await server.orgs().send(new ListAWSServiceAccessForOrganizationCommand({}));
  return out.EnabledServicePrincipals!.map((p) => p.ServicePrincipal!);
}

async function adminIds(principal?: string): Promise<string[]> {
  const out = await s.orgs().send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: principal }));
  return out.DelegatedAdministrators!.map((a) => a.Id!);
}

function assertConstraint(err: Awaited<ReturnType<typeof awsError>>, reason: string, message?: string): void {
  assertAwsError(err, "ConstraintViolationException", reason, { message });
}

async function eventNames(orgId: string): Promise<string[]> {
  const res = await s.control("GET", `/_orgsim/events?organizationId=${orgId}&maxResults=1000`);
  return (res.body as { events: { eventName: string }[] }).events.map((e) => e.eventName);
}

// ---------------------------------------------------------------------------------------------
// Trusted access

test("EnableAWSServiceAccess: the service is listed with its DateEnabled; enabling it again succeeds and keeps that date", async () => {
  await s.freshOrg();
  await enable(GUARDDUTY);
  const first = (await s.orgs().send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!;
  assert.equal(first.length, 1);
  assert.equal(first[0]!.ServicePrincipal, GUARDDUTY);
  assert.ok(first[0]!.DateEnabled instanceof Date);
  await s.advanceClock(3600);
  await enable(GUARDDUTY);
  const again = (await s.orgs().send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!;
  assert.deepEqual(again, first);
});

test("EnableAWSServiceAccess/DisableAWSServiceAccess: an unknown service principal is InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL", async () => {
  await s.freshOrg();
  for (const call of [
    () => enable("notaservice.amazonaws.com"),
    () => s.orgs().send(new DisableAWSServiceAccessCommand({ ServicePrincipal: "notaservice.amazonaws.com" })),
  ]) {
    const err = await awsError(call);
    assert.equal(err.name, "InvalidInputException");
    assert.equal(err.reason, "UNRECOGNIZED_SERVICE_PRINCIPAL");
    assert.equal(err.message, "You specified a service principal that isn't recognized.");
  }
  assert.deepEqual(await enabledPrincipals(), []);
});

test("acceptAnyServicePrincipal: any *.amazonaws.com principal is accepted for trusted access and delegation; other names still are not", async () => {
  const open = await startTestServer({ acceptAnyServicePrincipal: true });
  try {
    await open.createOrg();
    const member = await open.invite("222222222222");
    await enable("brand-new-service.amazonaws.com", open);
    assert.deepEqual(await enabledPrincipals(open), ["brand-new-service.amazonaws.com"]);
    await register(member, "brand-new-service.amazonaws.com", open);
    const bad = await awsError(() => enable("example.com", open));
    assert.equal(bad.reason, "UNRECOGNIZED_SERVICE_PRINCIPAL");
    // A service orgsim knows to have no delegated administration stays refused.
    await enable(RAM, open);
    const ram = await awsError(() => register(member, RAM, open));
    assert.equal(ram.reason, "UNRECOGNIZED_SERVICE_PRINCIPAL");
  } finally {
    await open.close();
  }
});

test("EnableAWSServiceAccess: an organization with only consolidated billing gets ConstraintViolationException ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", async () => {
  await s.freshOrg({ featureSet: "CONSOLIDATED_BILLING" });
  const err = await awsError(() => enable(GUARDDUTY));
  assertConstraint(
    err,
    "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
    "You attempted to perform an operation that requires the organization to be configured to support all features. An organization that supports only consolidated billing features can't perform this operation.",
  );
  assert.deepEqual(await enabledPrincipals(), []);
});

test("DisableAWSServiceAccess: the service leaves the list and its delegated administrators are deregistered; other services keep theirs", async () => {
  const { org } = await s.freshOrg();
  const a = await s.invite("222222222222");
  const b = await s.invite("333333333333");
  await enable(GUARDDUTY);
  await enable(CLOUDTRAIL);
  await register(a, GUARDDUTY);
  await register(b, CLOUDTRAIL);
  await s.orgs().send(new DisableAWSServiceAccessCommand({ ServicePrincipal: GUARDDUTY }));
  assert.deepEqual(await enabledPrincipals(), [CLOUDTRAIL]);
  assert.deepEqual(await adminIds(GUARDDUTY), []);
  assert.deepEqual(await adminIds(CLOUDTRAIL), [b]);
  const gone = await awsError(() => s.orgs().send(new ListDelegatedServicesForAccountCommand({ AccountId: a })));
  assert.equal(gone.name, "AccountNotRegisteredException");
  // Disabling a service that is not enabled succeeds.
  await s.orgs().send(new DisableAWSServiceAccessCommand({ ServicePrincipal: GUARDDUTY }));
  const names = await eventNames(org.Id!);
  assert.equal(names.filter((n) => n === "EnableAWSServiceAccess").length, 2);
  assert.equal(names.filter((n) => n === "DisableAWSServiceAccess").length, 2);
  assert.equal(names.filter((n) => n === "RegisterDelegatedAdministrator").length, 2);
});

test("ListAWSServiceAccessForOrganization: pages of MaxResults with NextToken cover every enabled service exactly once", async () => {
  await s.freshOrg();
  const principals = [GUARDDUTY, CLOUDTRAIL, RAM, "sso.amazonaws.com", "config.amazonaws.com"];
  for (const p of principals) await enable(p);
  for (const size of [1, 2, 20]) {
    const seen: string[] = [];
    for await (const page of paginateListAWSServiceAccessForOrganization({ client: s.orgs(), pageSize: size }, {})) {
      assert.ok(page.EnabledServicePrincipals!.length <= size);
      seen.push(...page.EnabledServicePrincipals!.map((p) => p.ServicePrincipal!));
    }
    assert.deepEqual([...seen].sort(), [...principals].sort());
  }
});

// ---------------------------------------------------------------------------------------------
// Delegated administrators

test("RegisterDelegatedAdministrator: the member is listed by ListDelegatedAdministrators and ListDelegatedServicesForAccount with its delegation date", async () => {
  const { org } = await s.freshOrg();
  const member = await s.invite("222222222222");
  await enable(CLOUDTRAIL);
  await register(member, CLOUDTRAIL);
  const admins = (await s.orgs().send(new ListDelegatedAdministratorsCommand({}))).DelegatedAdministrators!;
  assert.equal(admins.length, 1);
  const admin = admins[0]!;
  assert.equal(admin.Id, member);
  assert.equal(admin.Arn, `arn:aws:organizations::${MANAGEMENT}:account/${org.Id}/${member}`);
  assert.equal(admin.Email, `account-${member}@example.com`);
  assert.equal(admin.Status, "ACTIVE");
  assert.equal(admin.State, "ACTIVE");
  assert.equal(admin.JoinedMethod, "INVITED");
  assert.ok(admin.JoinedTimestamp instanceof Date);
  assert.ok(admin.DelegationEnabledDate instanceof Date);
  const services = (await s.orgs().send(new ListDelegatedServicesForAccountCommand({ AccountId: member }))).DelegatedServices!;
  assert.deepEqual(
    services.map((d) => d.ServicePrincipal),
    [CLOUDTRAIL],
  );
  assert.equal(services[0]!.DelegationEnabledDate!.getTime(), admin.DelegationEnabledDate!.getTime());
});

test("RegisterDelegatedAdministrator: a service without delegated administration, or an unknown one, is InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL", async () => {
  await s.freshOrg();
  const member = await s.invite("222222222222");
  await enable(RAM);
  for (const principal of [RAM, "notaservice.amazonaws.com"]) {
    const err = await awsError(() => register(member, principal));
    assert.equal(err.name, "InvalidInputException");
    assert.equal(err.reason, "UNRECOGNIZED_SERVICE_PRINCIPAL");
  }
});

test("RegisterDelegatedAdministrator: before EnableAWSServiceAccess for the service is ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED", async () => {
  await s.freshOrg();
  const member = await s.invite("222222222222");
  assertConstraint(await awsError(() => register(member, GUARDDUTY)), "SERVICE_ACCESS_NOT_ENABLED", SERVICE_ACCESS_NOT_ENABLED);
  await enable(GUARDDUTY);
  await register(member, GUARDDUTY);
  assert.deepEqual(await adminIds(GUARDDUTY), [member]);
});

test("RegisterDelegatedAdministrator: the management account is ConstraintViolationException CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", async () => {
  await s.freshOrg();
  await enable(GUARDDUTY);
  assertConstraint(
    await awsError(() => register(MANAGEMENT, GUARDDUTY)),
    "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
    "You cannot register management account/yourself as delegated administrator for your organization.",
  );
});

test("RegisterDelegatedAdministrator: an account that isn't a member of the organization is AccountNotFoundException", async () => {
  await s.freshOrg();
  await enable(GUARDDUTY);
  const err = await awsError(() => register("999999999999", GUARDDUTY));
  assert.equal(err.name, "AccountNotFoundException");
  // An account of another organization is not visible either.
  await s.createOrg({ management: "888888888888" });
  assert.equal((await awsError(() => register("888888888888", GUARDDUTY))).name, "AccountNotFoundException");
});

test("RegisterDelegatedAdministrator: a closed (SUSPENDED) account is ConstraintViolationException CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR", async () => {
  await s.freshOrg();
  const member = await s.createAccount("closing@example.com");
  await s.orgs().send(new CloseAccountCommand({ AccountId: member }));
  await enable(GUARDDUTY);
  assertConstraint(
    await awsError(() => register(member, GUARDDUTY)),
    "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
    "You cannot register a suspended account as a delegated administrator.",
  );
});

test("RegisterDelegatedAdministrator: the same account for the same service twice is AccountAlreadyRegisteredException", async () => {
  await s.freshOrg();
  const member = await s.invite("222222222222");
  await enable(CLOUDTRAIL);
  await register(member, CLOUDTRAIL);
  const err = await awsError(() => register(member, CLOUDTRAIL));
  assert.equal(err.name, "AccountAlreadyRegisteredException");
  assert.equal(err.message, "The provided account is already a delegated administrator for your organization.");
});

test("RegisterDelegatedAdministrator: a second administrator of a one-administrator service is DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE; more than a several-administrator service allows is MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED", async () => {
  await s.freshOrg();
  const members: string[] = [];
  for (const id of ["222222222222", "333333333333", "444444444444", "555555555555"]) members.push(await s.invite(id));
  await enable(GUARDDUTY);
  await enable(CLOUDTRAIL);
  const message = "You attempted to register more delegated administrators than allowed for the service principal.";
  // GuardDuty allows one, and has it.
  await register(members[0]!, GUARDDUTY);
  assertConstraint(await awsError(() => register(members[1]!, GUARDDUTY)), "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE");
  // CloudTrail allows three.
  for (const m of members.slice(0, 3)) await register(m, CLOUDTRAIL);
  assertConstraint(
    await awsError(() => register(members[3]!, CLOUDTRAIL)),
    "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
    message,
  );
  assert.deepEqual(await adminIds(CLOUDTRAIL), members.slice(0, 3).sort());
  // Deregistering one frees its place.
  await deregister(members[0]!, CLOUDTRAIL);
  await register(members[3]!, CLOUDTRAIL);
});

test("DeregisterDelegatedAdministrator: a pair that isn't registered is AccountNotRegisteredException; a registered one is removed", async () => {
  const { org } = await s.freshOrg();
  const member = await s.invite("222222222222");
  await enable(GUARDDUTY);
  await enable(CLOUDTRAIL);
  const notYet = await awsError(() => deregister(member, GUARDDUTY));
  assert.equal(notYet.name, "AccountNotRegisteredException");
  assert.equal(notYet.message, "The provided account is not a registered delegated administrator for your organization.");
  await register(member, GUARDDUTY);
  // Registered for another service only: still not registered for this one.
  assert.equal((await awsError(() => deregister(member, CLOUDTRAIL))).name, "AccountNotRegisteredException");
  await deregister(member, GUARDDUTY);
  assert.deepEqual(await adminIds(), []);
  assert.equal((await awsError(() => deregister(member, GUARDDUTY))).name, "AccountNotRegisteredException");
  assert.equal((await awsError(() => deregister("999999999999", GUARDDUTY))).name, "AccountNotFoundException");
  assert.equal((await awsError(() => deregister(member, "notaservice.amazonaws.com"))).reason, "UNRECOGNIZED_SERVICE_PRINCIPAL");
  assert.ok((await eventNames(org.Id!)).includes("DeregisterDelegatedAdministrator"));
});

test("ListDelegatedServicesForAccount: an account that delegates nothing is AccountNotRegisteredException; a non-member is AccountNotFoundException", async () => {
  await s.freshOrg();
  const member = await s.invite("222222222222");
  assert.equal(
    (await awsError(() => s.orgs().send(new ListDelegatedServicesForAccountCommand({ AccountId: member })))).name,
    "AccountNotRegisteredException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new ListDelegatedServicesForAccountCommand({ AccountId: "999999999999" })))).name,
    "AccountNotFoundException",
  );
  await enable(GUARDDUTY);
  await enable(CLOUDTRAIL);
  await register(member, GUARDDUTY);
  await register(member, CLOUDTRAIL);
  const first = await s.orgs().send(new ListDelegatedServicesForAccountCommand({ AccountId: member, MaxResults: 1 }));
  assert.equal(first.DelegatedServices!.length, 1);
  assert.ok(first.NextToken);
  const second = await s
    .orgs()
    .send(new ListDelegatedServicesForAccountCommand({ AccountId: member, MaxResults: 1, NextToken: first.NextToken }));
  assert.deepEqual([...first.DelegatedServices!, ...second.DelegatedServices!].map((d) => d.ServicePrincipal).sort(), [
    CLOUDTRAIL,
    GUARDDUTY,
  ]);
  assert.equal(second.NextToken, undefined);
});

test("ListDelegatedAdministrators: the ServicePrincipal filter selects one service; without it each account appears once", async () => {
  await s.freshOrg();
  const a = await s.invite("222222222222");
  const b = await s.invite("333333333333");
  await enable(GUARDDUTY);
  await enable(CLOUDTRAIL);
  await register(a, GUARDDUTY);
  await register(a, CLOUDTRAIL);
  await register(b, CLOUDTRAIL);
  assert.deepEqual(await adminIds(), [a, b]);
  assert.deepEqual(await adminIds(GUARDDUTY), [a]);
  assert.deepEqual(await adminIds(CLOUDTRAIL), [a, b]);
  const page = await s.orgs().send(new ListDelegatedAdministratorsCommand({ MaxResults: 1 }));
  assert.deepEqual(
    page.DelegatedAdministrators!.map((d) => d.Id),
    [a],
  );
  const rest = await s.orgs().send(new ListDelegatedAdministratorsCommand({ MaxResults: 1, NextToken: page.NextToken }));
  assert.deepEqual(
    rest.DelegatedAdministrators!.map((d) => d.Id),
    [b],
  );
});

// ---------------------------------------------------------------------------------------------
// What being a delegated administrator changes for the account

test("LeaveOrganization/RemoveAccountFromOrganization: a delegated administrator gets CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG until it is deregistered", async () => {
  await s.freshOrg();
  const member = await s.invite("222222222222");
  await enable(GUARDDUTY);
  await register(member, GUARDDUTY);
  assertConstraint(
    await awsError(() => s.orgs(member).send(new LeaveOrganizationCommand({}))),
    "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
    CANNOT_REMOVE_DELEGATED_ADMINISTRATOR,
  );
  assertConstraint(
    await awsError(() => s.orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: member }))),
    "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
    CANNOT_REMOVE_DELEGATED_ADMINISTRATOR,
  );
  await deregister(member, GUARDDUTY);
  await s.orgs(member).send(new LeaveOrganizationCommand({}));
  assert.equal((await awsError(() => s.orgs(member).send(new DescribeOrganizationCommand({})))).name, "AWSOrganizationsNotInUseException");
});

test("Access: a delegated administrator may call the read operations; a plain member gets AccessDeniedException; neither may register", async () => {
  await s.freshOrg();
  const admin = await s.invite("222222222222");
  const plain = await s.invite("333333333333");
  await enable(GUARDDUTY);
  await register(admin, GUARDDUTY);

  const accounts = await s.orgs(admin).send(new ListAccountsCommand({}));
  assert.deepEqual(accounts.Accounts!.map((a) => a.Id).sort(), [MANAGEMENT, admin, plain].sort());
  assert.equal((await s.orgs(admin).send(new DescribeOrganizationCommand({}))).Organization!.MasterAccountId, MANAGEMENT);
  const listed = await s.orgs(admin).send(new ListDelegatedAdministratorsCommand({}));
  assert.deepEqual(
    listed.DelegatedAdministrators!.map((a) => a.Id),
    [admin],
  );
  assert.deepEqual(await enabledPrincipals(), [GUARDDUTY]);
  const trusted = await s.orgs(admin).send(new ListAWSServiceAccessForOrganizationCommand({}));
  assert.deepEqual(
    trusted.EnabledServicePrincipals!.map((p) => p.ServicePrincipal),
    [GUARDDUTY],
  );

  for (const call of [
    () => s.orgs(plain).send(new ListAccountsCommand({})),
    () => s.orgs(plain).send(new ListDelegatedAdministratorsCommand({})),
    () => s.orgs(plain).send(new ListAWSServiceAccessForOrganizationCommand({})),
  ]) {
    const err = await awsError(call);
    assert.equal(err.name, "AccessDeniedException");
    assert.equal(err.message, "You don't have permissions to access this resource.");
  }
  // Any member may describe its own organization (AWS's rule for DescribeOrganization).
  assert.equal((await s.orgs(plain).send(new DescribeOrganizationCommand({}))).Organization!.MasterAccountId, MANAGEMENT);

  for (const caller of [admin, plain]) {
    assert.equal(
      (
        await awsError(() =>
          s.orgs(caller).send(new RegisterDelegatedAdministratorCommand({ AccountId: plain, ServicePrincipal: GUARDDUTY })),
        )
      ).name,
      "AccessDeniedException",
    );
    assert.equal(
      (await awsError(() => s.orgs(caller).send(new EnableAWSServiceAccessCommand({ ServicePrincipal: CLOUDTRAIL })))).name,
      "AccessDeniedException",
    );
  }

  // Deregistered, the account loses its read access.
  await deregister(admin, GUARDDUTY);
  assert.equal((await awsError(() => s.orgs(admin).send(new ListAccountsCommand({})))).name, "AccessDeniedException");
});
