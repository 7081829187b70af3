/**
 * Declarative start state: POST /_orgsim/seed applies a YAML seed with the real operations (AWS's
 * rules and validations apply), reports problems with line and column, is all-or-nothing, and
 * GET /_orgsim/export writes the state back in the same format (a state round-trips).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  RegisterDelegatedAdministratorCommand,
  TagResourceCommand,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { useTestServer, awsError, DAY, MANAGEMENT } from "./helpers/server.js";

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "org.yaml");
const exampleText = readFileSync(EXAMPLE, "utf8");

const s = useTestServer();

interface Problem {
  source: string;
  path: string;
  line?: number;
  col?: number;
  message: string;
  operation?: string;
  code?: string;
  reason?: string;
}
interface SeedAnswer {
  status: number;
  body: {
    error?: string;
    message?: string;
    problems?: Problem[];
    organizations?: {
      id: string;
      rootId: string;
      ous: Record<string, string>;
      accounts: Record<string, string>;
      policies: Record<string, string>;
    }[];
    operations?: number;
  };
}

async function seed(text: string, options: { source?: string; reset?: boolean } = {}): Promise<SeedAnswer> {
  const q = new URLSearchParams({ source: options.source ?? "org.yaml" });
  if (options.reset) q.set("reset", "true");
  // Control writes are JSON only: the YAML text travels in {"yaml": ...} (as `orgsim seed` sends it).
  const res = await fetch(`${s.endpoint}/_orgsim/seed?${q}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ yaml: text }),
  });
  return { status: res.status, body: (await res.json()) as SeedAnswer["body"] };
}

async function exported(): Promise<string> {
  const res = await fetch(`${s.endpoint}/_orgsim/export`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /yaml/);
  return res.text();
}

/** 1-based line and column of `needle` in `text` (the n-th occurrence). */
function where(text: string, needle: string, nth = 1): { line: number; col: number } {
  let from = -1;
  for (let i = 0; i < nth; i++) {
    from = text.indexOf(needle, from + 1);
    assert.ok(from >= 0, `"${needle}" occurs ${nth} times in the seed`);
  }
  const before = text.slice(0, from).split("\n");
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

test("seed: the example landing zone is built with the real operations, and the SDK sees its organization, OU tree, pinned accounts, policies, tags, delegated administrators and trusted access", async () => {
  const res = await seed(exampleText, { source: "examples/org.yaml", reset: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const seeded = res.body.organizations![0]!;
  assert.ok(res.body.operations! > 20, "each part of the seed is one operation");

  const org = (await s.orgs().send(new DescribeOrganizationCommand({}))).Organization!;
  assert.equal(org.Id, seeded.id);
  assert.equal(org.FeatureSet, "ALL");
  assert.equal(org.MasterAccountId, MANAGEMENT);
  assert.equal(org.MasterAccountEmail, "aws-management@example.com");

  const root = (await s.orgs().send(new ListRootsCommand({}))).Roots![0]!;
  assert.equal(root.Id, seeded.rootId);
  assert.deepEqual(root.PolicyTypes!.map((t) => `${t.Type}:${t.Status}`).sort(), ["SERVICE_CONTROL_POLICY:ENABLED", "TAG_POLICY:ENABLED"]);

  const top = (await s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: root.Id }))).OrganizationalUnits!;
  assert.deepEqual(top.map((o) => o.Name).sort(), ["Infrastructure", "Sandbox", "Security", "Workloads"]);
  const workloads = top.find((o) => o.Name === "Workloads")!;
  const nested = (await s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: workloads.Id }))).OrganizationalUnits!;
  assert.deepEqual(nested.map((o) => o.Name).sort(), ["NonProd", "Prod"]);
  assert.equal(seeded.ous["Workloads/Prod"], nested.find((o) => o.Name === "Prod")!.Id);

  const inProd = (await s.orgs().send(new ListAccountsForParentCommand({ ParentId: seeded.ous["Workloads/Prod"] }))).Accounts!;
  assert.deepEqual(
    inProd.map((a) => [a.Id, a.Name, a.Email]),
    [["555555555555", "payments-prod", "payments-prod@example.com"]],
  );

  const accounts = (await s.orgs().send(new ListAccountsCommand({}))).Accounts!;
  assert.deepEqual(accounts.map((a) => a.Id).sort(), [
    "111111111111",
    "222222222222",
    "333333333333",
    "444444444444",
    "555555555555",
    "666666666666",
    "777777777777",
  ]);
  assert.equal(
    accounts.find((a) => a.Id === "777777777777")!.JoinedMethod,
    "INVITED",
    "joined: invited goes through InviteAccountToOrganization + AcceptHandshake",
  );
  assert.equal(accounts.find((a) => a.Id === "666666666666")!.JoinedMethod, "CREATED");
  const parents = (await s.orgs().send(new ListParentsCommand({ ChildId: "777777777777" }))).Parents!;
  assert.equal(parents[0]!.Id, seeded.ous["Sandbox"]);

  const tags = (await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: "555555555555" }))).Tags!;
  assert.deepEqual(tags.map((t) => `${t.Key}=${t.Value}`).sort(), ["CostCenter=1234", "Environment=prod"]);
  const ouTags = (await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: seeded.ous["Security"] }))).Tags!;
  assert.deepEqual(ouTags, [{ Key: "Owner", Value: "platform-security" }]);

  const atRoot = (await s.orgs().send(new ListPoliciesForTargetCommand({ TargetId: root.Id, Filter: "SERVICE_CONTROL_POLICY" }))).Policies!;
  assert.deepEqual(
    atRoot.map((p) => p.Name).sort(),
    ["DenyLeaveOrganization", "FullAWSAccess"],
    "EnablePolicyType attached FullAWSAccess; the seed attached its SCP",
  );
  const tagPolicies = (await s.orgs().send(new ListPoliciesForTargetCommand({ TargetId: workloads.Id, Filter: "TAG_POLICY" }))).Policies!;
  assert.deepEqual(
    tagPolicies.map((p) => p.Name),
    ["CostCenterTag"],
  );

  const admins = (await s.orgs().send(new ListDelegatedAdministratorsCommand({}))).DelegatedAdministrators!;
  assert.deepEqual(
    admins.map((a) => a.Id),
    ["333333333333"],
  );
  const access = (await s.orgs().send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!;
  assert.equal(access.length, 5);

  // The rules now hold for the seeded accounts: the SCP denies leaving, for every member.
  const denied = await awsError(() => s.orgs("222222222222").send(new LeaveOrganizationCommand({})));
  assert.equal(denied.name, "AccessDeniedException");
  assert.match(denied.message, /explicit deny in a service control policy/);
});

test("seed: createdDaysAgo sets the waiting period, readiness the standalone items; a pinned id is the account's everywhere (its role included)", async () => {
  const text = `
organizations:
  - management: "111111111111"
    accounts:
      - { name: old-ready, email: old-ready@example.com, id: "200000000001", createdDaysAgo: 5, readiness: true }
      - { name: young, email: young@example.com, id: "200000000002", createdDaysAgo: 1, readiness: true }
      - { name: old-bare, email: old-bare@example.com, id: "200000000003", createdDaysAgo: 10, readiness: { supportPlan: true } }
      - name: vended
        email: vended@example.com
        id: "200000000004"
        roleName: VendingAdmin
      - { name: joined-later, email: joined@example.com, joined: invited }
`;
  const res = await seed(text, { reset: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));

  // Rule: a created account can leave four days after its creation, once standalone-ready.
  await s.orgs("200000000001").send(new LeaveOrganizationCommand({}));
  const young = await awsError(() => s.orgs("200000000002").send(new LeaveOrganizationCommand({})));
  assert.equal(young.reason, "WAIT_PERIOD_ACTIVE");
  const bare = await awsError(() => s.orgs("200000000003").send(new LeaveOrganizationCommand({})));
  assert.equal(bare.reason, "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION", "support plan given, contact information not");

  // The pinned id is the one CreateAccount's status, the role and AssumeRole know.
  const creds = (
    await s.sts().send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::200000000004:role/VendingAdmin", RoleSessionName: "seed-test" }))
  ).Credentials!;
  const asRole = s.orgs({ accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! });
  assert.equal((await asRole.send(new DescribeOrganizationCommand({}))).Organization!.MasterAccountId, MANAGEMENT);

  // An invited account without an id signed up on its own with a fresh id and its email.
  const invitedId = res.body.organizations![0]!.accounts["joined@example.com"]!;
  assert.match(invitedId, /^\d{12}$/);
  const described = (await s.orgs().send(new DescribeAccountCommand({ AccountId: invitedId }))).Account!;
  assert.equal(described.Email, "joined@example.com");
  assert.equal(described.JoinedMethod, "INVITED");
});

test("seed: clock offset, management account details and OU, AWS managed policy detached, closed account", async () => {
  const text = `
clock: { offset: 2d }
organizations:
  - management: "111111111111"
    managementName: Root of all
    managementTags: { Team: platform }
    managementOu: Core
    policyTypes: [SERVICE_CONTROL_POLICY]
    ous:
      - name: Core
      - name: Locked
        accounts:
          - { name: closing, email: closing@example.com, id: "300000000001", closed: true }
    policies:
      - name: AllowOnlyOrganizationsReads
        content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"}]}'
        attach: [Locked]
      - name: FullAWSAccess
        awsManaged: true
        detach: [Locked]
`;
  const res = await seed(text, { reset: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const clock = (await s.control("GET", "/_orgsim/clock")).body as { offsetSeconds: number };
  assert.equal(clock.offsetSeconds, 172800);
  const seeded = res.body.organizations![0]!;
  assert.equal((await s.orgs().send(new ListParentsCommand({ ChildId: MANAGEMENT }))).Parents![0]!.Id, seeded.ous["Core"]);
  assert.deepEqual((await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: MANAGEMENT }))).Tags, [
    { Key: "Team", Value: "platform" },
  ]);
  const locked = (
    await s.orgs().send(new ListPoliciesForTargetCommand({ TargetId: seeded.ous["Locked"], Filter: "SERVICE_CONTROL_POLICY" }))
  ).Policies!;
  assert.deepEqual(
    locked.map((p) => p.Name),
    ["AllowOnlyOrganizationsReads"],
  );
  const closing = (await s.orgs().send(new DescribeAccountCommand({ AccountId: "300000000001" }))).Account!;
  assert.notEqual(closing.Status, "ACTIVE");
});

test("seed errors: every problem of the file at once, each with its line, column and path; nothing is applied", async () => {
  await s.reset();
  const text = [
    "organizations:",
    "  - management: 12345",
    "    featureSet: SOME",
    "    ous:",
    "      - name: Workloads",
    "        children:",
    "          - name: Prod",
    "        accounts:",
    "          - name: app",
    "            email: app@example.com",
    "          - name: app2",
    "            email: app@example.com",
    "          - name: inv",
    '            id: "222222222222"',
    "            joined: invited",
    "            createdDaysAgo: 3",
    "    policies:",
    "      - name: P",
    "        type: SCP",
    "        content: {}",
    "        attach: [Workloads/Prod]",
    "",
  ].join("\n");
  const res = await seed(text, { source: "bad.yaml" });
  assert.equal(res.status, 400);
  assert.equal(res.body.error, "InvalidSeed");
  const problems = res.body.problems!;
  const find = (path: string) => {
    const p = problems.find((x) => x.path === path);
    assert.ok(p, `a problem at ${path}; got ${JSON.stringify(problems.map((x) => x.path))}`);
    return p;
  };
  const management = find("organizations[0].management");
  assert.deepEqual([management.line, management.col], [2, 17]);
  assert.match(management.message, /12-digit account id/);
  assert.match(find("organizations[0].featureSet").message, /ALL, CONSOLIDATED_BILLING/);
  const children = find("organizations[0].ous[0].children");
  assert.deepEqual([children.line, children.col], [6, 9]);
  assert.match(children.message, /unknown key "children".*did you mean "ous"/);
  const dup = find("organizations[0].ous[0].accounts[1].email");
  assert.equal(dup.line, 12);
  assert.match(dup.message, /already used at line 10/);
  assert.equal(find("organizations[0].ous[0].accounts[2].createdDaysAgo").line, 16);
  assert.match(find("organizations[0].policies[0].type").message, /SERVICE_CONTROL_POLICY/);
  const target = find("organizations[0].policies[0].attach[0]");
  assert.deepEqual([target.line, target.col], [21, 18]);
  assert.match(target.message, /no OU path "Workloads\/Prod"/);
  assert.match(res.body.message!, /^bad\.yaml:2:17: organizations\[0\]\.management: /m, "the message lists file:line:col: path: problem");

  const err = await awsError(() => s.orgs(MANAGEMENT).send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "AWSOrganizationsNotInUseException", "nothing was applied");
});

test("seed errors: malformed YAML is reported with its line", async () => {
  const res = await seed('organizations:\n  - management: "111111111111"\n    ous: [ { name: A }\n', { source: "broken.yaml" });
  assert.equal(res.status, 400);
  assert.ok(res.body.problems!.length > 0);
  assert.ok(
    res.body.problems!.every((p) => p.line !== undefined && /^YAML: /.test(p.message)),
    JSON.stringify(res.body.problems),
  );
  assert.match(res.body.message!, /^broken\.yaml:\d+:\d+: YAML: /);
});

test("seed is all-or-nothing: an operation failing midway (a malformed SCP) leaves the running server's state exactly as it was", async () => {
  await s.reset();
  // Other state on the server: an organization, an OU, an account, a clock offset.
  const other = "999999999999";
  const { rootId } = await s.createOrg({ management: other });
  await s.createOu(rootId, "Existing", { management: other });
  await s.createAccount("existing@example.com", { management: other });
  await s.advanceClock(3600);
  const stateBefore = await exported();
  const eventsBefore = (await s.control("GET", "/_orgsim/events?maxResults=1000")).body;

  const text = `clock: { offset: 10d }
organizations:
  - management: "111111111111"
    policyTypes: [SERVICE_CONTROL_POLICY]
    ous:
      - name: Workloads
        accounts:
          - { name: app, email: app@example.com, id: "400000000001", readiness: true }
    policies:
      - name: Fine
        content: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "*", Resource: "*" }] }
        attach: [Workloads]
      - name: Broken
        content: { Version: "2012-10-17", Statement: [{ Effect: Maybe, Action: "*", Resource: "*" }] }
        attach: [root]
`;
  const res = await seed(text);
  assert.equal(res.status, 422);
  assert.equal(res.body.error, "SeedFailed");
  const [problem] = res.body.problems!;
  assert.equal(problem!.path, "organizations[0].policies[1].content");
  assert.equal(problem!.operation, "CreatePolicy");
  assert.equal(problem!.code, "MalformedPolicyDocumentException");
  const at = where(text, "{ Version", 2);
  assert.deepEqual([problem!.line, problem!.col], [at.line, at.col]);
  assert.ok(
    res.body.message!.startsWith(`org.yaml:${at.line}:${at.col}: organizations[0].policies[1].content: MalformedPolicyDocumentException: `),
    res.body.message,
  );

  // Everything the seed did before CreatePolicy failed (an organization, an OU, an account, a clock offset, events) is gone.
  assert.equal(await exported(), stateBefore);
  assert.deepEqual((await s.control("GET", "/_orgsim/events?maxResults=1000")).body, eventsBefore);
  const err = await awsError(() => s.orgs(MANAGEMENT).send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "AWSOrganizationsNotInUseException");
  const clock = (await s.control("GET", "/_orgsim/clock")).body as { offsetSeconds: number };
  assert.equal(clock.offsetSeconds, 3600);
  // The server keeps serving the other organization.
  assert.equal((await s.orgs(other).send(new ListAccountsCommand({}))).Accounts!.length, 2);
});

test("seed errors of operations point at their place: AttachPolicy with its type disabled, a delegated administrator without trusted access, an email already taken", async () => {
  await s.reset();
  const cases: { text: string; needle: string; path: string; code: string; reason?: string }[] = [
    {
      text: `organizations:
  - management: "111111111111"
    policies:
      - name: Deny
        content: { Version: "2012-10-17", Statement: [{ Effect: Deny, Action: "s3:*", Resource: "*" }] }
        attach: [root]
`,
      needle: "root]",
      path: "organizations[0].policies[0].attach[0]",
      code: "PolicyTypeNotEnabledException",
    },
    {
      text: `organizations:
  - management: "111111111111"
    accounts:
      - name: sec
        email: sec@example.com
        delegatedAdministratorFor: [guardduty.amazonaws.com]
`,
      needle: "guardduty",
      path: "organizations[0].accounts[0].delegatedAdministratorFor[0]",
      code: "ConstraintViolationException",
      reason: "SERVICE_ACCESS_NOT_ENABLED",
    },
    {
      text: `organizations:
  - management: "111111111111"
    accounts:
      - name: dup
        email: taken@example.com
`,
      needle: "taken@",
      path: "organizations[0].accounts[0].email",
      code: "",
      reason: "EMAIL_ALREADY_EXISTS",
    },
  ];
  // An account elsewhere already uses taken@example.com.
  await s.createOrg({ management: "888888888888" });
  await s.createAccount("taken@example.com", { management: "888888888888" });
  for (const c of cases) {
    const res = await seed(c.text);
    assert.equal(res.status, 422, JSON.stringify(res.body));
    const p = res.body.problems![0]!;
    assert.equal(p.path, c.path);
    if (c.code) assert.equal(p.code, c.code);
    if (c.reason) assert.equal(p.reason, c.reason);
    assert.deepEqual([p.line, p.col], Object.values(where(c.text, c.needle)));
    const err = await awsError(() => s.orgs(MANAGEMENT).send(new DescribeOrganizationCommand({})));
    assert.equal(err.name, "AWSOrganizationsNotInUseException");
  }
});

test("export round trip: seed -> export -> reset -> seed the export -> export gives the same YAML (account ids pinned, no generated OU/policy/organization ids)", async () => {
  const first = await seed(exampleText, { reset: true });
  assert.equal(first.status, 200);
  const a = await exported();
  assert.doesNotMatch(a, /\bou-|\bp-[0-9a-z]{8}\b|\bo-[0-9a-z]{10}\b|\br-[0-9a-z]{4}\b/, "generated ids are not part of the format");
  assert.match(a, /id: "555555555555"/);
  await s.reset();
  const again = await seed(a, { source: "state.yaml" });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(await exported(), a);
});

test("export round trip of a state made through the API (not by a seed): every part the format knows survives", async () => {
  const { rootId } = await s.freshOrg();
  await s.orgs().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
  await s.orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: "sso.amazonaws.com" }));
  const ou = (
    await s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "Apps", Tags: [{ Key: "k", Value: "v" }] }))
  ).OrganizationalUnit!;
  const child = (await s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: ou.Id, Name: "Team A" }))).OrganizationalUnit!;
  const id = await s.createAccount("api@example.com", { roleName: "Vend", tags: [{ Key: "Env", Value: "dev" }] });
  await s.orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: child.Id }));
  await s.invite("123412341234");
  await s.orgs().send(new TagResourceCommand({ ResourceId: rootId, Tags: [{ Key: "Scope", Value: "all" }] }));
  await s.orgs().send(new RegisterDelegatedAdministratorCommand({ AccountId: "123412341234", ServicePrincipal: "sso.amazonaws.com" }));
  const policy = (
    await s.orgs().send(
      new CreatePolicyCommand({
        Name: "Pretty",
        Type: "SERVICE_CONTROL_POLICY",
        Description: "kept as written",
        Content: '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]\n}',
      }),
    )
  ).Policy!.PolicySummary!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: policy.Id, TargetId: child.Id }));
  await s.orgs().send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: child.Id }));
  await s.makeReady(id, { paymentMethod: true });
  await s.advanceClock(5 * DAY);

  const a = await exported();
  assert.match(a, new RegExp(`id: "${id}"`));
  assert.match(a, /roleName: Vend/);
  assert.match(a, /createdDaysAgo: 5/);
  assert.match(a, /content: \|-\n +\{\n +"Version": "2012-10-17",\n/, "a policy's exact text is kept when it isn't compact JSON");
  assert.match(a, /awsManaged: true/);
  await s.reset();
  const res = await seed(a);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(await exported(), a);
});

test("seed adds to the running state; ?reset=true replaces it in the same transaction; the export is also JSON", async () => {
  await s.freshOrg({ management: "999999999999" });
  const add = await seed('organizations:\n  - management: "111111111111"\n    featureSet: CONSOLIDATED_BILLING\n');
  assert.equal(add.status, 200);
  assert.equal((await s.orgs("999999999999").send(new DescribeOrganizationCommand({}))).Organization!.MasterAccountId, "999999999999");
  assert.equal((await s.orgs().send(new DescribeOrganizationCommand({}))).Organization!.FeatureSet, "CONSOLIDATED_BILLING");

  const replace = await seed('organizations:\n  - management: "111111111111"\n', { reset: true });
  assert.equal(replace.status, 200);
  const err = await awsError(() => s.orgs("999999999999").send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "AWSOrganizationsNotInUseException");
  const json = await (await fetch(`${s.endpoint}/_orgsim/export?format=json`)).json();
  assert.deepEqual(json, { organizations: [{ management: "111111111111", featureSet: "ALL" }] });
});

test("seed: an organization whose management account is already in one fails at its management line, naming AWS's error", async () => {
  await s.freshOrg();
  const text = 'organizations:\n  - management: "111111111111"\n';
  const res = await seed(text);
  assert.equal(res.status, 422);
  assert.match(
    res.body.message!,
    /^org\.yaml:2:17: organizations\[0\]\.management: AlreadyInOrganizationException: .*\(CreateOrganization\)$/,
  );
});
