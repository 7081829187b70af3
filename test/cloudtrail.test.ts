/**
 * CloudTrail LookupEvents through the real CloudTrailClient: the organization's management
 * events as the management account's event history shows them, AWS's lookup rules (one lookup
 * attribute, time range, MaxResults 1-50, NextToken), and CloudTrail's own errors.
 */
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  LookupEventsCommand,
  type Event,
  type LookupEventsCommandInput,
} from "@aws-sdk/client-cloudtrail";
import {
  AcceptHandshakeCommand,
  AttachPolicyCommand,
  CreatePolicyCommand,
  EnablePolicyTypeCommand,
  LeaveOrganizationCommand,
  ListRootsCommand,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { useTestServer, awsError, DAY, MANAGEMENT, REGION, type Credentials } from "./helpers/server.js";

const INVITEE = "222222222222";
const OUTSIDER = "999999999999";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const s = useTestServer();
beforeEach(() => s.reset());

function trail(caller: string | Credentials = MANAGEMENT, region = REGION): CloudTrailClient {
  const credentials = typeof caller === "string" ? { accessKeyId: caller, secretAccessKey: "x" } : caller;
  return new CloudTrailClient({ endpoint: s.endpoint, region, credentials, maxAttempts: 1 });
}

const lookup = (input: LookupEventsCommandInput = {}, caller: string | Credentials = MANAGEMENT, region = REGION) =>
  trail(caller, region).send(new LookupEventsCommand(input));

/** Every page, following NextToken. */
async function lookupAll(input: LookupEventsCommandInput = {}, caller: string | Credentials = MANAGEMENT): Promise<Event[]> {
  const events: Event[] = [];
  let token: string | undefined;
  do {
    const page = await lookup({ ...input, NextToken: token }, caller);
    events.push(...(page.Events ?? []));
    token = page.NextToken;
  } while (token);
  return events;
}

const names = (events: Event[]) => events.map((e) => e.EventName);
const record = (e: Event) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown> & { userIdentity: Record<string, unknown> };

/** create organization, create an account, invite and accept, the invitee leaves. */
async function scenario(): Promise<{ orgId: string; created: string; handshakeId: string }> {
  const { orgId } = await s.createOrg();
  const created = await s.createAccount("made@example.com");
  const handshake = await s.openInvitation(INVITEE);
  await s.orgs(INVITEE).send(new AcceptHandshakeCommand({ HandshakeId: handshake.Id }));
  await s.orgs(INVITEE).send(new LeaveOrganizationCommand({}));
  return { orgId, created, handshakeId: handshake.Id! };
}

// ---------------------------------------------------------------------------------------------
// Behaviour
// ---------------------------------------------------------------------------------------------

test("LookupEvents: the management account reads its organization's management events, newest first", async () => {
  const { orgId, created, handshakeId } = await scenario();
  const out = await lookup();
  const events = out.Events!;
  assert.deepEqual(names(events), [
    "AccountDepartedOrganization",
    "AcceptHandshake",
    "InviteAccountToOrganization",
    "CreateAccountResult",
    "CreateAccount",
    "CreateOrganization",
  ]);
  assert.equal(out.NextToken, undefined, "six events fit in the default page of 50");
  for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.EventTime! >= events[i]!.EventTime!, "newest first");
  for (const e of events) {
    assert.match(e.EventId!, UUID);
    assert.equal(e.ReadOnly, "false");
    assert.equal(e.EventSource, "organizations.amazonaws.com");
    assert.ok(e.EventTime instanceof Date);
    const r = record(e);
    assert.equal(r.eventVersion, "1.08");
    assert.equal(r.eventID, e.EventId);
    assert.equal(r.eventName, e.EventName);
    assert.equal(r.eventSource, "organizations.amazonaws.com");
    assert.equal(r.awsRegion, "us-east-1");
    assert.equal(r.readOnly, false);
    assert.equal(r.managementEvent, true);
    assert.equal(r.recipientAccountId, MANAGEMENT);
    assert.equal(r.eventTime, e.EventTime!.toISOString().replace(".000Z", "Z"), "EventTime and eventTime are the same second");
    assert.equal(typeof r.sourceIPAddress, "string");
  }

  const createOrg = events.at(-1)!;
  assert.equal(createOrg.Username, "root");
  assert.deepEqual(createOrg.Resources, [{ ResourceType: "AWS::Organizations::Organization", ResourceName: orgId }]);
  const r = record(createOrg);
  assert.deepEqual(r.userIdentity, {
    type: "Root",
    principalId: MANAGEMENT,
    arn: `arn:aws:iam::${MANAGEMENT}:root`,
    accountId: MANAGEMENT,
    accessKeyId: MANAGEMENT,
  });
  assert.equal(r.eventType, "AwsApiCall");
  assert.deepEqual(r.requestParameters, { featureSet: "ALL" });
  assert.match(String(r.requestID), UUID);

  // The invitee's own call is in the organization's history, made by the invitee's root user.
  const accept = events.find((e) => e.EventName === "AcceptHandshake")!;
  assert.equal(accept.Username, "root");
  assert.deepEqual(record(accept).userIdentity, {
    type: "Root",
    principalId: INVITEE,
    arn: `arn:aws:iam::${INVITEE}:root`,
    accountId: INVITEE,
    accessKeyId: INVITEE,
  });
  assert.ok(accept.Resources!.some((x) => x.ResourceType === "AWS::Organizations::Handshake" && x.ResourceName === handshakeId));

  const result = events.find((e) => e.EventName === "CreateAccountResult")!;
  const rr = record(result);
  assert.equal(rr.eventType, "AwsServiceEvent");
  assert.deepEqual((rr.serviceEventDetails as { createAccountStatus: Record<string, unknown> }).createAccountStatus.accountId, created);
  assert.equal((rr.serviceEventDetails as { createAccountStatus: Record<string, unknown> }).createAccountStatus.state, "SUCCEEDED");
});

test("LookupEvents: AccountDepartedOrganization is a service event with departureMethod and departureTime", async () => {
  await scenario();
  const [departed, ...rest] = (
    await lookup({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "AccountDepartedOrganization" }] })
  ).Events!;
  assert.equal(rest.length, 0);
  assert.equal(departed!.EventName, "AccountDepartedOrganization");
  assert.deepEqual(departed!.Resources, [{ ResourceType: "AWS::Organizations::Account", ResourceName: INVITEE }]);
  const r = record(departed!);
  assert.equal(r.eventType, "AwsServiceEvent");
  assert.equal(r.recipientAccountId, MANAGEMENT);
  const details = r.serviceEventDetails as { accountId: string; departureMethod: string; departureTime: string };
  assert.equal(details.accountId, INVITEE);
  assert.equal(details.departureMethod, "LEFT");
  // EventTime is kept to the second, departureTime to the millisecond.
  assert.equal(Math.floor(Date.parse(details.departureTime) / 1000) * 1000, departed!.EventTime!.getTime());
});

test("LookupEvents: each lookup attribute filters (EventName, EventSource, EventId, ReadOnly, Username, ResourceType, ResourceName)", async () => {
  const { created } = await scenario();
  const all = (await lookup()).Events!;
  const by = async (
    AttributeKey: NonNullable<LookupEventsCommandInput["LookupAttributes"]>[number]["AttributeKey"],
    AttributeValue: string,
  ) => names((await lookup({ LookupAttributes: [{ AttributeKey, AttributeValue }] })).Events!);

  assert.deepEqual(await by("EventName", "CreateAccount"), ["CreateAccount"]);
  assert.deepEqual(await by("EventName", "NoSuchEvent"), []);
  assert.equal((await by("EventSource", "organizations.amazonaws.com")).length, all.length);
  assert.deepEqual(await by("EventSource", "iam.amazonaws.com"), []);
  const invite = all.find((e) => e.EventName === "InviteAccountToOrganization")!;
  assert.deepEqual(await by("EventId", invite.EventId!), ["InviteAccountToOrganization"]);
  assert.equal((await by("ReadOnly", "false")).length, all.length);
  assert.deepEqual(await by("ReadOnly", "true"), []);
  assert.equal((await by("Username", "root")).length, all.length);
  assert.deepEqual(await by("ResourceType", "AWS::Organizations::Organization"), ["CreateOrganization"]);
  // AcceptHandshake names the handshake, not the account that accepted it.
  assert.deepEqual(await by("ResourceName", INVITEE), ["AccountDepartedOrganization", "InviteAccountToOrganization"]);
  assert.deepEqual(await by("ResourceName", created), ["CreateAccountResult"]);
});

test("LookupEvents: a role session's calls show the session name as Username and an AssumedRole identity", async () => {
  await s.createOrg();
  const id = await s.createAccount("vended@example.com");
  await s.advanceClock(4 * DAY + 1);
  await s.makeReady(id);
  const role = "OrganizationAccountAccessRole";
  const c = (await s.sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/${role}`, RoleSessionName: "vending" })))
    .Credentials!;
  await s
    .orgs({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! })
    .send(new LeaveOrganizationCommand({}));

  const events = (await lookup({ LookupAttributes: [{ AttributeKey: "Username", AttributeValue: "vending" }] })).Events!;
  assert.deepEqual(names(events), ["AccountDepartedOrganization"]);
  const identity = record(events[0]!).userIdentity as Record<string, unknown> & {
    sessionContext: { sessionIssuer: Record<string, unknown> };
  };
  assert.equal(identity.type, "AssumedRole");
  assert.equal(identity.arn, `arn:aws:sts::${id}:assumed-role/${role}/vending`);
  assert.equal(identity.accountId, id);
  assert.match(String(identity.principalId), /^AROA[A-Z0-9]+:vending$/);
  assert.equal(identity.sessionContext.sessionIssuer.arn, `arn:aws:iam::${id}:role/${role}`);
  assert.equal(identity.sessionContext.sessionIssuer.userName, role);
});

test("LookupEvents: StartTime and EndTime select on the virtual clock; only the last 90 days can be looked up", async () => {
  await s.createOrg();
  const t0 = await s.virtualNow();
  const t1 = await s.advanceClock(DAY);
  await s.invite(INVITEE);
  await s.advanceClock(DAY);
  await s.createAccount("later@example.com");

  const HOUR_MS = 3_600_000;
  const window = (start: number, end: number) =>
    lookup({ StartTime: new Date(start), EndTime: new Date(end) }).then((o) => names(o.Events!));
  assert.deepEqual(await window(t0 + 12 * HOUR_MS, t1 + 12 * HOUR_MS), ["AcceptHandshake", "InviteAccountToOrganization"]);
  assert.deepEqual(await window(t0 - HOUR_MS, t0 + 12 * HOUR_MS), ["CreateOrganization"]);
  assert.deepEqual(await window(t0 - 48 * HOUR_MS, t0 - 24 * HOUR_MS), []);
  assert.deepEqual(names((await lookup({ StartTime: new Date(t1 + 12 * HOUR_MS) })).Events!), ["CreateAccountResult", "CreateAccount"]);
  assert.deepEqual(names((await lookup({ EndTime: new Date(t0 + HOUR_MS) })).Events!), ["CreateOrganization"]);

  // An event's own EventTime, as StartTime and EndTime, selects it (times are compared to the second).
  const createOrg = (await lookup({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateOrganization" }] })).Events![0]!;
  assert.deepEqual(names((await lookup({ StartTime: createOrg.EventTime, EndTime: createOrg.EventTime })).Events!), ["CreateOrganization"]);

  // Ninety virtual days after the organization was created, its creation has aged out of the history.
  await s.advanceClock(88 * DAY + 3600);
  assert.ok(!names((await lookup()).Events!).includes("CreateOrganization"));
  assert.ok(names((await lookup()).Events!).includes("CreateAccount"));
});

test("LookupEvents: MaxResults 1 pages through every event with NextToken, in the same order as one page", async () => {
  await scenario();
  const whole = (await lookup()).Events!;
  const seen: Event[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await lookup({ MaxResults: 1, NextToken: token });
    assert.ok(page.Events!.length <= 1);
    seen.push(...page.Events!);
    token = page.NextToken;
    pages++;
  } while (token);
  assert.equal(pages, whole.length);
  assert.deepEqual(
    seen.map((e) => e.EventId),
    whole.map((e) => e.EventId),
  );
  // Paging through a filter that skips events between its matches.
  const filtered = await lookupAll({ MaxResults: 1, LookupAttributes: [{ AttributeKey: "ResourceName", AttributeValue: INVITEE }] });
  assert.deepEqual(names(filtered), ["AccountDepartedOrganization", "InviteAccountToOrganization"]);
});

test("Visibility: a member sees only its own calls; an account in no organization sees only its own; other regions hold none of Organizations' events", async () => {
  await scenario();
  const member = "333333333333";
  await s.invite(member);
  // A member of the organization: its AcceptHandshake, nothing of the others, no service events.
  assert.deepEqual(names(await lookupAll({}, member)), ["AcceptHandshake"]);
  // The invitee has left: it keeps its own call, but AccountDepartedOrganization is the management account's.
  assert.deepEqual(names(await lookupAll({}, INVITEE)), ["AcceptHandshake"]);
  const own = (await lookup({}, INVITEE)).Events![0]!;
  assert.equal(record(own).recipientAccountId, INVITEE);
  // An account that never belonged to one.
  assert.deepEqual(await lookupAll({}, OUTSIDER), []);
  // Organizations is global: its events are in us-east-1's event history only.
  assert.deepEqual((await lookup({}, MANAGEMENT, "eu-west-1")).Events, []);
});

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

test("Errors: more than one lookup attribute is InvalidLookupAttributesException", async () => {
  const err = await awsError(() =>
    lookup({
      LookupAttributes: [
        { AttributeKey: "EventName", AttributeValue: "CreateAccount" },
        { AttributeKey: "Username", AttributeValue: "root" },
      ],
    }),
  );
  assert.equal(err.name, "InvalidLookupAttributesException");
  assert.equal(err.status, 400);
});

test("Errors: an unknown attribute key or an empty value is InvalidLookupAttributesException", async () => {
  const key = await awsError(() => lookup({ LookupAttributes: [{ AttributeKey: "Region" as "EventName", AttributeValue: "x" }] }));
  assert.equal(key.name, "InvalidLookupAttributesException");
  assert.match(key.message, /attributeKey/);
  const value = await awsError(() => lookup({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "" }] }));
  assert.equal(value.name, "InvalidLookupAttributesException");
});

test("Errors: StartTime after EndTime is InvalidTimeRangeException", async () => {
  const now = Date.now();
  const err = await awsError(() => lookup({ StartTime: new Date(now), EndTime: new Date(now - 1000) }));
  assert.equal(err.name, "InvalidTimeRangeException");
  assert.equal(err.status, 400);
});

test("Errors: MaxResults outside 1-50 is InvalidMaxResultsException", async () => {
  for (const MaxResults of [0, 51]) {
    const err = await awsError(() => lookup({ MaxResults }));
    assert.equal(err.name, "InvalidMaxResultsException", `MaxResults ${MaxResults}`);
  }
  assert.deepEqual((await lookup({ MaxResults: 50 })).Events, []);
});

test("Errors: a forged token, or one from another request or caller, is InvalidNextTokenException", async () => {
  await scenario();
  const first = await lookup({ MaxResults: 1 });
  assert.ok(first.NextToken);
  for (const attempt of [
    () => lookup({ NextToken: "not-a-token" }),
    () => lookup({ NextToken: `${first.NextToken!.slice(0, -2)}xx` }),
    () =>
      lookup({
        MaxResults: 1,
        NextToken: first.NextToken,
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateAccount" }],
      }),
    () => lookup({ MaxResults: 1, NextToken: first.NextToken }, INVITEE),
  ]) {
    const err = await awsError(attempt);
    assert.equal(err.name, "InvalidNextTokenException");
  }
});

test("Errors: an EventCategory other than insight is InvalidEventCategoryException; insight finds no events", async () => {
  await scenario();
  const err = await awsError(() => lookup({ EventCategory: "management" as "insight" }));
  assert.equal(err.name, "InvalidEventCategoryException");
  assert.deepEqual((await lookup({ EventCategory: "insight" })).Events, []);
});

test("Errors: an SCP that denies cloudtrail:LookupEvents stops a member (AccessDeniedException), never the management account", async () => {
  await s.createOrg();
  await s.invite(INVITEE);
  const rootId = (await s.orgs().send(new ListRootsCommand({}))).Roots![0]!.Id!;
  await s.orgs().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
  const content = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Action: "cloudtrail:LookupEvents", Resource: "*" }],
  });
  const policy = (
    await s
      .orgs()
      .send(new CreatePolicyCommand({ Name: "no-lookup", Description: "no lookup", Type: "SERVICE_CONTROL_POLICY", Content: content }))
  ).Policy!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: policy.PolicySummary!.Id!, TargetId: INVITEE }));

  const err = await awsError(() => lookup({}, INVITEE));
  assert.equal(err.name, "AccessDeniedException");
  assert.match(err.message, /cloudtrail:LookupEvents/);
  const attach = (await lookup({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "AttachPolicy" }] })).Events!;
  assert.equal(attach.length, 1);
  assert.ok(
    attach[0]!.Resources!.some((r) => r.ResourceType === "AWS::Organizations::Policy" && r.ResourceName === policy.PolicySummary!.Id),
  );
});

test("Other CloudTrail operations are answered as not implemented (the registry's default), naming the operation", async () => {
  const err = await awsError(() => trail().send(new DescribeTrailsCommand({})));
  assert.ok(err.status! >= 400, `status ${err.status}`);
  assert.match(err.message, /not implement DescribeTrails/);
});
