/**
 * The console's server side: GET /_orgsim/console (the page and its assets) and the JSON it
 * reads (GET /_orgsim/state, /_orgsim/state/version, /_orgsim/state/accounts/{id}). The state is
 * built with the AWS SDK like any user would; each "could it leave now?" verdict is checked
 * against what LeaveOrganization really answers at that moment.
 */
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeregisterDelegatedAdministratorCommand,
  DetachPolicyCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  MoveAccountCommand,
  RegisterDelegatedAdministratorCommand,
  TagResourceCommand,
} from "@aws-sdk/client-organizations";
import { startTestServer, useTestServer, awsError, DAY, MANAGEMENT } from "./helpers/server.js";
import {
  AUTO_OPEN_MAX_ACCOUNTS,
  openContainers,
  type AccountDetail,
  type AccountView,
  type ConsoleState,
  type TreeNode,
} from "../src/console/state.js";
import { insertAccounts } from "./helpers/bulk.js";

const WAIT_MESSAGE = "This operation requires a wait period.  Try again later.";
const s = useTestServer();
beforeEach(() => s.reset());

// ------------------------------------------------------------------------------------------------
// Helpers

async function getState(query = ""): Promise<ConsoleState> {
  const res = await s.control("GET", `/_orgsim/state${query ? `?${query}` : ""}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as ConsoleState;
}

async function version(): Promise<string> {
  const res = await s.control("GET", "/_orgsim/state/version");
  assert.equal(res.status, 200);
  return (res.body as { version: string }).version;
}

function findNode(node: TreeNode, id: string): TreeNode | undefined {
  if (node.id === id) return node;
  for (const child of node.children) {
    const found = findNode(child, id);
    if (found) return found;
  }
  return undefined;
}

/** The account as the state shows it, wherever it is in the tree (its container must be open or searched). */
function findAccount(state: ConsoleState, id: string): AccountView | undefined {
  const walk = (node: TreeNode): AccountView | undefined =>
    node.accounts?.items.find((a) => a.id === id) ?? node.children.map(walk).find((a) => a !== undefined);
  return state.organization ? walk(state.organization.root) : undefined;
}

async function verdictOf(id: string, query = ""): Promise<AccountView["leave"]> {
  const account = findAccount(await getState(query), id);
  assert.ok(account, `account ${id} is in the state`);
  return account.leave;
}

/** What LeaveOrganization really answers now (it must fail: the verdict said it would). */
async function realLeaveError(id: string) {
  return awsError(() => s.orgs(id).send(new LeaveOrganizationCommand({})));
}

// ------------------------------------------------------------------------------------------------
// The page

test("GET /_orgsim/console serves the page as HTML, with its script and style, under a strict CSP", async () => {
  const page = await fetch(`${s.endpoint}/_orgsim/console`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  const csp = page.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const html = await page.text();
  assert.match(html, /^<!doctype html>/i);
  assert.match(html, /<script type="module" src="\/_orgsim\/console\/app\.js"><\/script>/);
  assert.match(html, /<link rel="stylesheet" href="\/_orgsim\/console\/style\.css">/);

  const script = await fetch(`${s.endpoint}/_orgsim/console/app.js`);
  assert.equal(script.status, 200);
  assert.equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
  const js = await script.text();
  assert.match(js, /\/_orgsim\/state\/version/);
  assert.doesNotMatch(js, /\.innerHTML\s*=|insertAdjacentHTML|outerHTML\s*=/, "the page never renders data as HTML");

  const style = await fetch(`${s.endpoint}/_orgsim/console/style.css`);
  assert.equal(style.status, 200);
  assert.equal(style.headers.get("content-type"), "text/css; charset=utf-8");

  assert.equal((await fetch(`${s.endpoint}/_orgsim/console/../package.json`)).status, 404);
  assert.equal((await fetch(`${s.endpoint}/_orgsim/console/secret.txt`)).status, 404);
  assert.equal((await fetch(`${s.endpoint}/_orgsim/console`, { method: "POST" })).status, 405);
});

// ------------------------------------------------------------------------------------------------
// The state

test("state: no organization yet gives an empty list and the clock", async () => {
  const state = await getState();
  assert.deepEqual(state.organizations, []);
  assert.equal(state.organization, null);
  assert.equal(state.clock.offsetSeconds, 0);
  assert.match(state.version, /^[0-9a-f]{16}$/);
});

test("state: root, OU tree with account counts, accounts with status, joined method, tags and readiness", async () => {
  const { orgId, rootId } = await s.createOrg();
  const prod = await s.createOu(rootId, "Prod");
  const team = await s.createOu(prod, "Team");
  await s.createOu(rootId, "Sandbox");
  const dev = await s.createAccount("dev@example.com");
  const app = await s.createAccount("app@example.com");
  await s.orgs().send(new MoveAccountCommand({ AccountId: app, SourceParentId: rootId, DestinationParentId: team }));
  await s.orgs().send(
    new TagResourceCommand({
      ResourceId: dev,
      Tags: [
        { Key: "team", Value: "platform" },
        { Key: "env", Value: "dev" },
      ],
    }),
  );
  const guest = "222222222222";
  await s.invite(guest);

  const state = await getState();
  assert.equal(state.organizations.length, 1);
  assert.deepEqual(state.organizations[0], {
    id: orgId,
    managementAccountId: MANAGEMENT,
    managementAccountEmail: `account-${MANAGEMENT}@example.com`,
    featureSet: "ALL",
    accountCount: 4,
  });
  const org = state.organization!;
  assert.equal(org.id, orgId);
  const root = org.root;
  assert.equal(root.id, rootId);
  assert.equal(root.type, "ROOT");
  assert.deepEqual(
    root.children.map((c) => c.name),
    ["Prod", "Sandbox"],
    "OUs by name",
  );
  assert.equal(root.accountCount, 3);
  assert.equal(root.totalAccounts, 4);
  const prodNode = findNode(root, prod)!;
  assert.deepEqual(
    prodNode.children.map((c) => c.id),
    [team],
  );
  assert.equal(prodNode.accountCount, 0);
  assert.equal(prodNode.totalAccounts, 1);
  assert.equal(findNode(root, team)!.accountCount, 1);

  // The root is open by default: the management account first, then by name.
  const items = root.accounts!.items;
  assert.deepEqual(items.map((a) => a.id).sort(), [MANAGEMENT, guest, dev].sort());
  assert.equal(items[0]!.id, MANAGEMENT);
  assert.deepEqual(
    items.slice(1).map((a) => a.name),
    [`Account ${guest}`, "dev"],
  );
  assert.equal(root.accounts!.total, 3);
  // A small tree opens by itself, OUs and all (the page can still close any of them).
  assert.deepEqual(
    [root, ...root.children, findNode(root, team)!].map((n) => [n.name, n.open]),
    [
      ["Root", true],
      ["Prod", true],
      ["Sandbox", true],
      ["Team", true],
    ],
  );
  assert.deepEqual(
    findNode(root, team)!.accounts!.items.map((a) => a.id),
    [app],
  );

  const devView = findAccount(state, dev)!;
  assert.equal(devView.name, "dev");
  assert.equal(devView.email, "dev@example.com");
  assert.equal(devView.status, "ACTIVE");
  assert.equal(devView.state, "ACTIVE");
  assert.equal(devView.joinedMethod, "CREATED");
  assert.equal(devView.parentId, rootId);
  assert.equal(devView.arn, `arn:aws:organizations::${MANAGEMENT}:account/${orgId}/${dev}`);
  assert.deepEqual(devView.tags, [
    { Key: "env", Value: "dev" },
    { Key: "team", Value: "platform" },
  ]);
  assert.deepEqual(
    devView.readiness,
    { supportPlan: false, contactInformation: false, paymentMethod: false },
    "a created account lacks all three",
  );
  const guestView = findAccount(state, guest)!;
  assert.equal(guestView.joinedMethod, "INVITED");
  assert.deepEqual(
    guestView.readiness,
    { supportPlan: true, contactInformation: true, paymentMethod: true },
    "an invited account signed up on its own",
  );
  assert.equal(guestView.leave.canLeave, true);
  const mgmt = findAccount(state, MANAGEMENT)!;
  assert.equal(mgmt.isManagement, true);
  assert.equal(mgmt.leave.canLeave, false);
  assert.equal(mgmt.leave.error, "MasterCannotLeaveOrganizationException");
  assert.equal(mgmt.leave.message, (await realLeaveError(MANAGEMENT)).message);

  const closed = await getState(`open=${team}:0`);
  assert.equal(findNode(closed.organization!.root, team)!.open, false);
  assert.equal(findNode(closed.organization!.root, team)!.accounts, undefined, "a closed OU's accounts are not sent");
  const collapsed = await getState("autoOpen=false");
  assert.equal(findNode(collapsed.organization!.root, prod)!.open, false, "autoOpen=false: OUs stay closed unless opened");
  const opened = await getState(`autoOpen=false&open=${prod}:100,${team}:10`);
  assert.deepEqual(
    findNode(opened.organization!.root, team)!.accounts!.items.map((a) => a.id),
    [app],
  );
  const rootClosed = await getState(`open=${rootId}:0`);
  assert.equal(rootClosed.organization!.root.accounts, undefined);
});

test("Rule: a fresh created account can't leave (WAIT_PERIOD_ACTIVE, time left); after four days and readiness it can, and LeaveOrganization agrees at each step", async () => {
  const { orgId } = await s.createOrg();
  const id = await s.createAccount("leaver@example.com");

  let leave = await verdictOf(id);
  assert.equal(leave.canLeave, false);
  assert.equal(leave.error, "ConstraintViolationException");
  assert.equal(leave.reason, "WAIT_PERIOD_ACTIVE");
  assert.equal(leave.message, WAIT_MESSAGE);
  assert.ok(leave.waitPeriod, "the waiting period is reported");
  assert.ok(
    leave.waitPeriod.secondsLeft > 4 * DAY - 60 && leave.waitPeriod.secondsLeft <= 4 * DAY,
    `about four days left: ${leave.waitPeriod.secondsLeft}`,
  );
  assert.match(leave.waitPeriod.left, /day/);
  let real = await realLeaveError(id);
  assert.equal(real.name, leave.error);
  assert.equal(real.reason, leave.reason);
  assert.equal(real.message, leave.message);

  await s.advanceClock(DAY);
  leave = await verdictOf(id);
  assert.equal(leave.reason, "WAIT_PERIOD_ACTIVE");
  assert.ok(leave.waitPeriod!.secondsLeft <= 3 * DAY, "the clock counts down");

  await s.advanceClock(3 * DAY + 60);
  leave = await verdictOf(id);
  assert.equal(leave.waitPeriod, undefined, "the waiting period is over");
  assert.equal(leave.reason, "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA");
  real = await realLeaveError(id);
  assert.equal(real.reason, leave.reason);
  assert.equal(real.message, leave.message);

  await s.makeReady(id, { supportPlan: true });
  leave = await verdictOf(id);
  assert.equal(leave.reason, "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION");
  assert.equal((await realLeaveError(id)).reason, leave.reason);

  await s.makeReady(id, { contactInformation: true });
  leave = await verdictOf(id);
  assert.equal(leave.reason, "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED");
  real = await realLeaveError(id);
  assert.equal(real.reason, leave.reason);
  assert.equal(real.message, leave.message);

  await s.makeReady(id, { paymentMethod: true });
  const state = await getState();
  const view = findAccount(state, id)!;
  assert.deepEqual(view.readiness, { supportPlan: true, contactInformation: true, paymentMethod: true });
  assert.deepEqual(view.leave, {
    canLeave: true,
    checks: ["delegatedAdministrator", "waitingPeriod", "supportPlan", "contactInformation", "paymentMethod"].map((rule) => ({
      rule,
      ok: true,
    })),
  });

  await s.orgs(id).send(new LeaveOrganizationCommand({}));
  const after = await getState();
  assert.equal(findAccount(after, id), undefined, "the account is gone from the tree");
  assert.equal(after.organization!.events[0]!.eventName, "AccountDepartedOrganization", "newest event first");
  assert.deepEqual(
    {
      accountId: (after.organization!.events[0]!.detail as Record<string, unknown>).accountId,
      org: after.organization!.events[0]!.organizationId,
    },
    { accountId: id, org: orgId },
  );
});

test("Rule: an SCP that denies organizations:LeaveOrganization shows as AccessDeniedException with the deciding policy and level", async () => {
  const { rootId } = await s.createOrg();
  const locked = await s.createOu(rootId, "Locked");
  const id = "333333333333";
  await s.invite(id);
  await s.orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: locked }));
  await s.orgs().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
  const content = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "NoLeaving", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }],
  });
  const policy = await s
    .orgs()
    .send(new CreatePolicyCommand({ Name: "deny-leave", Description: "stay", Content: content, Type: "SERVICE_CONTROL_POLICY" }));
  const policyId = policy.Policy!.PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: locked }));

  const leave = await verdictOf(id, `open=${locked}`);
  assert.equal(leave.canLeave, false);
  assert.equal(leave.error, "AccessDeniedException");
  assert.deepEqual(leave.scp, {
    decision: "EXPLICIT_DENY",
    targetId: locked,
    targetType: "ORGANIZATIONAL_UNIT",
    policyId,
    policyName: "deny-leave",
  });
  const real = await realLeaveError(id);
  assert.equal(real.name, "AccessDeniedException");
  assert.equal(real.message, leave.message);

  // The explain API (what the page's explain form calls) names the same policy and level.
  const explained = (await s.control("GET", `/_orgsim/explain?accountId=${id}&action=organizations:LeaveOrganization`)).body as Record<
    string,
    unknown
  >;
  assert.equal(explained.allowed, false);
  assert.deepEqual(explained.decidingLevel, {
    targetId: locked,
    targetType: "ORGANIZATIONAL_UNIT",
    policyId,
    policyName: "deny-leave",
    statementSid: "NoLeaving",
  });

  // The policies panel: content and targets; the OU lists its attached policies.
  const state = await getState(`open=${locked}`);
  const denyLeave = state.organization!.policies.find((p) => p.id === policyId)!;
  assert.equal(denyLeave.content, content);
  assert.equal(denyLeave.awsManaged, false);
  assert.equal(denyLeave.targetCount, 1);
  assert.deepEqual(denyLeave.targets, [{ id: locked, type: "ORGANIZATIONAL_UNIT", name: "Locked" }]);
  const full = state.organization!.policies.find((p) => p.id === "p-FullAWSAccess")!;
  assert.equal(full.awsManaged, true);
  assert.equal(full.targets[0]!.type, "ROOT", "targets list the root first, then OUs, then accounts");
  assert.ok(full.targetCount >= 3);
  assert.deepEqual(
    findNode(state.organization!.root, locked)!
      .policies.map((p) => p.name)
      .sort(),
    ["FullAWSAccess", "deny-leave"],
  );

  // The account detail: path and the SCPs at each level.
  const detail = (await s.control("GET", `/_orgsim/state/accounts/${id}`)).body as AccountDetail;
  assert.deepEqual(
    detail.path.map((p) => p.id),
    [rootId, locked],
  );
  const scps = detail.policiesByType.find((t) => t.type === "SERVICE_CONTROL_POLICY")!;
  assert.deepEqual(
    scps.levels.map((l) => l.targetId),
    [rootId, locked, id],
  );
  assert.deepEqual(scps.levels[1]!.policies.map((p) => p.name).sort(), ["FullAWSAccess", "deny-leave"]);
  assert.equal(detail.account!.leave.error, "AccessDeniedException");
});

test("SCP verdicts are per account: a Condition on aws:PrincipalAccount, and an implicit deny at each account's own level", async () => {
  const { rootId } = await s.createOrg();
  const picky = await s.createOu(rootId, "Picky");
  const bare = await s.createOu(rootId, "Bare");
  const [a, b, c, d] = ["100000000001", "100000000002", "100000000003", "100000000004"];
  for (const [id, parent] of [
    [a, picky],
    [b, picky],
    [c, bare],
    [d, bare],
  ] as const) {
    await s.invite(id);
    await s.orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: parent }));
  }
  await s.orgs().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
  const content = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Deny",
        Action: "organizations:LeaveOrganization",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalAccount": a } },
      },
    ],
  });
  const policy = await s
    .orgs()
    .send(new CreatePolicyCommand({ Name: "keep-a", Description: "", Content: content, Type: "SERVICE_CONTROL_POLICY" }));
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: policy.Policy!.PolicySummary!.Id!, TargetId: picky }));
  // c and d keep only an SCP that allows S3 (an account needs at least one): nothing at their own level allows leaving.
  const s3Only = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
  const s3 = await s
    .orgs()
    .send(new CreatePolicyCommand({ Name: "s3-only", Description: "", Content: s3Only, Type: "SERVICE_CONTROL_POLICY" }));
  for (const id of [c, d]) {
    await s.orgs().send(new AttachPolicyCommand({ PolicyId: s3.Policy!.PolicySummary!.Id!, TargetId: id }));
    await s.orgs().send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: id }));
  }

  const state = await getState(`open=${picky},${bare}`);
  assert.equal(findAccount(state, a)!.leave.error, "AccessDeniedException");
  assert.equal(findAccount(state, b)!.leave.canLeave, true, "the condition names only a");
  for (const id of [c, d]) {
    const leave = findAccount(state, id)!.leave;
    assert.equal(leave.error, "AccessDeniedException");
    assert.deepEqual(leave.scp, { decision: "IMPLICIT_DENY", targetId: id, targetType: "ACCOUNT" });
    assert.equal(leave.message, (await realLeaveError(id)).message, `the message names ${id}`);
  }
  assert.equal(findAccount(state, a)!.leave.message, (await realLeaveError(a)).message);
  await s.orgs(b).send(new LeaveOrganizationCommand({}));
});

test("Rule: every reason an account can't leave is listed in AWS's order, and the first one is what LeaveOrganization answers, at each step", async () => {
  const { rootId } = await s.createOrg();
  const locked = await s.createOu(rootId, "Locked");
  const id = await s.createAccount("kept-in@example.com");
  await s.orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: locked }));
  await s.orgs().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
  const content = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }],
  });
  const policyId = (
    await s.orgs().send(new CreatePolicyCommand({ Name: "stay", Description: "", Content: content, Type: "SERVICE_CONTROL_POLICY" }))
  ).Policy!.PolicySummary!.Id!;
  await s.orgs().send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: locked }));
  await s.orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: "guardduty.amazonaws.com" }));
  await s.orgs().send(new RegisterDelegatedAdministratorCommand({ AccountId: id, ServicePrincipal: "guardduty.amazonaws.com" }));

  const checklist = async () => {
    const leave = await verdictOf(id);
    const failing = leave.checks.filter((c) => !c.ok);
    const first = failing[0];
    if (first) {
      // The verdict is the first failing rule, and it is what LeaveOrganization answers now.
      assert.deepEqual([leave.error, leave.reason, leave.message], [first.error, first.reason, first.message]);
      const real = await realLeaveError(id);
      assert.deepEqual(
        [real.name, real.reason, real.message],
        [first.error, first.reason, first.message],
        `LeaveOrganization answers ${first.rule}`,
      );
    } else {
      assert.equal(leave.canLeave, true);
    }
    return leave.checks.map((c) => `${c.ok ? "ok" : "NO"} ${c.rule}${c.ok ? "" : ` ${c.reason ?? c.error}`}`);
  };

  assert.deepEqual(await checklist(), [
    "NO scp AccessDeniedException",
    "NO delegatedAdministrator CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
    "NO waitingPeriod WAIT_PERIOD_ACTIVE",
    "NO supportPlan ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA",
    "NO contactInformation ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
    "NO paymentMethod MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
  ]);
  const leave = await verdictOf(id);
  assert.match(leave.checks[1]!.detail ?? "", /delegated administrator for guardduty\.amazonaws\.com/);
  assert.match(leave.checks[2]!.detail ?? "", /^4 days left/);

  await s.orgs().send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: locked }));
  assert.equal((await checklist())[0], "ok scp");
  await s.orgs().send(new DeregisterDelegatedAdministratorCommand({ AccountId: id, ServicePrincipal: "guardduty.amazonaws.com" }));
  await s.makeReady(id, { contactInformation: true });
  assert.deepEqual(await checklist(), [
    "ok scp",
    "ok delegatedAdministrator",
    "NO waitingPeriod WAIT_PERIOD_ACTIVE",
    "NO supportPlan ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA",
    "ok contactInformation",
    "NO paymentMethod MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
  ]);
  await s.advanceClock(4 * DAY + 60);
  assert.deepEqual(
    (await checklist()).filter((c) => c.startsWith("NO")),
    ["NO supportPlan ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA", "NO paymentMethod MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED"],
  );
  await s.makeReady(id, { supportPlan: true });
  assert.deepEqual(
    (await checklist()).filter((c) => c.startsWith("NO")),
    ["NO paymentMethod MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED"],
  );
  await s.makeReady(id, { paymentMethod: true });
  assert.deepEqual(
    (await checklist()).filter((c) => c.startsWith("NO")),
    [],
  );
  await s.orgs(id).send(new LeaveOrganizationCommand({}));

  // The management account: no rule lets it leave, so no checklist.
  const mgmt = await verdictOf(MANAGEMENT);
  assert.deepEqual([mgmt.error, mgmt.checks], ["MasterCannotLeaveOrganizationException", []]);
});

test("state: the tree opens by itself breadth first while it stays small; an OU of more than 100 accounts, and OUs past the row budget, stay closed", () => {
  let n = 0;
  const node = (name: string, accountCount: number, children: TreeNode[] = []): TreeNode => ({
    id: `ou-${++n}`,
    type: n === 1 ? "ROOT" : "ORGANIZATIONAL_UNIT",
    name,
    arn: "",
    parentId: null,
    accountCount,
    totalAccounts: accountCount,
    policies: [],
    children,
    open: false,
  });
  const root = node("Root", 3);
  const big = node("Big", AUTO_OPEN_MAX_ACCOUNTS + 1);
  const deep = node("Deep", 90);
  const small = node("Small", 40, [deep]);
  const fillers = Array.from({ length: 4 }, (_, i) => node(`Filler${i}`, 90));
  root.children = [big, small, ...fillers];
  const shown = openContainers(root, new Map());
  assert.equal(big.open, false, "more than AUTO_OPEN_MAX_ACCOUNTS accounts: closed until opened");
  assert.equal(small.open, true);
  // Rows: root 3 + 6 children, Small 40 + 1, then fillers of 90 each while the total stays <= AUTO_OPEN_ROWS.
  assert.deepEqual(
    fillers.map((f) => f.open),
    [true, true, true, false],
  );
  assert.equal(deep.open, false, "a deeper OU comes after the shallower ones and finds the budget spent");
  assert.ok([...shown.keys()].every((id) => [root, small, ...fillers.slice(0, 3)].some((x) => x.id === id)));
  assert.equal(shown.get(root.id), 100);

  const chosen = openContainers(
    root,
    new Map([
      [big.id, 20],
      [small.id, 0],
    ]),
  );
  assert.equal(chosen.get(big.id), 20, "the page's choice wins");
  assert.equal(small.open, false);
  assert.equal(deep.open, false, "under a closed OU nothing opens");
  openContainers(root, new Map(), false);
  assert.deepEqual([root.open, small.open, fillers[0]!.open], [true, false, false], "autoOpen off: only the root");
});

test("Rule: a delegated administrator can't leave (CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG); the state lists its services", async () => {
  await s.createOrg();
  const id = "444444444444";
  await s.invite(id);
  await s.orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: "guardduty.amazonaws.com" }));
  await s.orgs().send(new RegisterDelegatedAdministratorCommand({ AccountId: id, ServicePrincipal: "guardduty.amazonaws.com" }));

  const state = await getState();
  const view = findAccount(state, id)!;
  assert.deepEqual(view.delegatedServices, ["guardduty.amazonaws.com"]);
  assert.equal(view.leave.reason, "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG");
  const real = await realLeaveError(id);
  assert.equal(real.reason, view.leave.reason);
  assert.equal(real.message, view.leave.message);
  assert.deepEqual(
    state.organization!.delegatedAdministrators.map((d) => [d.accountId, d.servicePrincipal]),
    [[id, "guardduty.amazonaws.com"]],
  );
  assert.deepEqual(
    state.organization!.trustedServices.map((t) => t.servicePrincipal),
    ["guardduty.amazonaws.com"],
  );
});

test("state: handshakes with their current state, and events newest first", async () => {
  const { orgId } = await s.createOrg();
  const first = await s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: "555555555555" } }));
  await s.advanceClock(60);
  await s.orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: "666666666666" } }));
  let org = (await getState()).organization!;
  assert.equal(org.handshakeCount, 2);
  assert.deepEqual(
    org.handshakes.map((h) => h.state),
    ["OPEN", "OPEN"],
  );
  assert.equal(org.handshakes[1]!.id, first.Handshake!.Id, "newest first");
  assert.deepEqual(org.handshakes[1]!.parties, [
    { Id: orgId, Type: "ORGANIZATION" },
    { Id: "555555555555", Type: "ACCOUNT" },
  ]);

  await s.advanceClock(15 * DAY);
  org = (await getState()).organization!;
  assert.deepEqual(
    org.handshakes.map((h) => h.state),
    ["EXPIRED", "EXPIRED"],
    "the virtual clock expires handshakes",
  );

  const names = org.events.map((e) => e.eventName);
  assert.deepEqual(names, ["InviteAccountToOrganization", "InviteAccountToOrganization", "CreateOrganization"]);
  const ids = org.events.map((e) => e.id);
  assert.deepEqual(ids, [...ids].sort().reverse());
  assert.equal(org.eventsNextToken, null);
});

test("state: the search filter matches id, name or email (case-insensitive) across OUs, and wildcards are literal", async () => {
  const { rootId } = await s.createOrg();
  const deep = await s.createOu(await s.createOu(rootId, "Prod"), "Payments");
  const alpha = await s.createAccount("alpha@pay.example.com", { name: "Alpha Payments" });
  const beta = await s.createAccount("beta@example.org");
  await s.createAccount("gamma@example.com", { name: "gamma_100%" });
  await s.orgs().send(new MoveAccountCommand({ AccountId: alpha, SourceParentId: rootId, DestinationParentId: deep }));

  let state = await getState("search=ALPHA");
  assert.deepEqual(state.search, { query: "ALPHA", total: 1, shown: 1, limit: 200 });
  assert.equal(findAccount(state, alpha)!.name, "Alpha Payments");
  assert.equal(findAccount(state, beta), undefined);
  assert.equal(state.organization!.root.matches, 1);
  assert.equal(findNode(state.organization!.root, deep)!.matches, 1, "the match's OU path is marked");
  assert.equal(findNode(state.organization!.root, deep)!.accounts!.total, 1);
  assert.equal(state.organization!.root.accounts, undefined, "no match in the root itself");

  state = await getState(`search=${beta.slice(2, 9)}`);
  assert.ok(findAccount(state, beta), "by part of the id");
  state = await getState("search=example.org");
  assert.deepEqual([state.search!.total, findAccount(state, beta)?.id], [1, beta], "by email");
  state = await getState(`search=${encodeURIComponent("_100%")}`);
  assert.equal(state.search!.total, 1, "% and _ match themselves");
  state = await getState(`search=${encodeURIComponent("a_p")}`);
  assert.equal(state.search!.total, 0, "_ is not a wildcard");
  state = await getState("search=example&searchLimit=1");
  assert.equal(state.search!.total, 4, "three members and the management account (account-...@example.com)");
  assert.equal(state.search!.shown, 1);
});

test("state/version: changes with every write, the clock, readiness and tags; steady otherwise", async () => {
  await s.createOrg();
  const v0 = await version();
  assert.equal(await version(), v0, "nothing changed");
  const id = await s.createAccount("versioned@example.com");
  const v1 = await version();
  assert.notEqual(v1, v0);
  await s.advanceClock(3600);
  const v2 = await version();
  assert.notEqual(v2, v1);
  await s.makeReady(id, { paymentMethod: true });
  const v3 = await version();
  assert.notEqual(v3, v2);
  await s.orgs().send(new TagResourceCommand({ ResourceId: id, Tags: [{ Key: "k", Value: "v" }] }));
  const v4 = await version();
  assert.notEqual(v4, v3);
  assert.equal((await getState()).version, v4, "the state carries the version it was read at");
  await s.reset();
  assert.notEqual(await version(), v4);
});

test("state: several organizations are listed for the selector; organizationId picks one", async () => {
  const first = await s.createOrg();
  const second = await s.createOrg({ management: "777777777777" });
  await s.createAccount("second@example.com", { name: "second-member", management: "777777777777" });

  const state = await getState();
  assert.deepEqual(
    state.organizations.map((o) => [o.id, o.managementAccountId, o.accountCount]),
    [
      [first.orgId, MANAGEMENT, 1],
      [second.orgId, "777777777777", 2],
    ],
  );
  assert.equal(state.organization!.id, first.orgId, "the first by default");
  const picked = await getState(`organizationId=${second.orgId}`);
  assert.equal(picked.organization!.id, second.orgId);
  assert.equal(picked.organization!.root.id, second.rootId);
  assert.equal(picked.organization!.root.accounts!.total, 2);
  assert.equal(
    (await getState("organizationId=o-aaaaaaaaaa")).organization!.id,
    first.orgId,
    "an unknown organization falls back to the first",
  );
});

test("state: invalid query parameters are 400 with a message", async () => {
  for (const query of [
    "organizationId=nope",
    "open=ou-x",
    "open=r-abcd:lots",
    "open=r-abcd:-1",
    `search=${"x".repeat(200)}`,
    "searchLimit=99999",
  ]) {
    const res = await s.control("GET", `/_orgsim/state?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal((res.body as { error: string }).error, "BadRequest");
  }
  assert.equal((await s.control("GET", "/_orgsim/state/accounts/000000000000")).status, 404);
});

test("state/accounts/{id}: a departed account shows as standalone with its readiness", async () => {
  await s.createOrg();
  const id = "888888888888";
  await s.invite(id);
  await s.orgs(id).send(new LeaveOrganizationCommand({}));
  const detail = (await s.control("GET", `/_orgsim/state/accounts/${id}`)).body as AccountDetail;
  assert.equal(detail.account, null);
  assert.deepEqual(detail.standalone, {
    id,
    name: `Account ${id}`,
    email: `account-${id}@example.com`,
    readiness: { supportPlan: true, contactInformation: true, paymentMethod: true },
    organizationId: null,
  });
});

test("state: an organization of 10,000 accounts comes in pages (root capped, OUs closed, search capped)", async () => {
  const { orgId, rootId } = await s.createOrg();
  const bulk = await s.createOu(rootId, "Bulk");
  const now = Date.now();
  const rows = Array.from({ length: 10_000 }, (_, i) => ({
    id: String(100_000_000_000 + i),
    org_id: orgId,
    parent_id: i < 9_000 ? rootId : bulk,
    email: `acct-${String(i).padStart(5, "0")}@bulk.example.com`,
    name: `acct-${String(i).padStart(5, "0")}`,
    joined_at: now - 1000,
    created_at: now - 1000,
  }));
  // Written straight into the store: 10,000 CreateAccount calls would only slow the test down.
  await insertAccounts(s.sim.app.store, rows);

  const res = await fetch(`${s.endpoint}/_orgsim/state`);
  const body = await res.text();
  const state = JSON.parse(body) as ConsoleState;
  assert.equal(state.organizations[0]!.accountCount, 10_001);
  const root = state.organization!.root;
  assert.equal(root.accountCount, 9_001);
  assert.equal(root.totalAccounts, 10_001);
  assert.equal(root.accounts!.items.length, 100, "the first page only");
  assert.equal(root.accounts!.total, 9_001);
  assert.equal(root.accounts!.items[0]!.id, MANAGEMENT);
  assert.equal(findNode(root, bulk)!.accounts, undefined, "a closed OU's accounts are not sent");
  assert.ok(body.length < 400_000, `the answer stays small: ${body.length} bytes`);

  const more = await getState(`open=${rootId}:300,${bulk}:50`);
  assert.equal(more.organization!.root.accounts!.items.length, 300);
  assert.equal(findNode(more.organization!.root, bulk)!.accounts!.items.length, 50);
  assert.equal(findNode(more.organization!.root, bulk)!.accounts!.total, 1_000);

  const search = await getState("search=acct-0999");
  assert.equal(search.search!.total, 10, "acct-09990 .. acct-09999");
  assert.ok(findNode(search.organization!.root, bulk)!.accounts!.items.every((a) => a.name.startsWith("acct-0999")));
  const wide = await getState("search=bulk.example");
  assert.equal(wide.search!.total, 10_000);
  assert.equal(wide.search!.shown, 200, "matches are capped");
});

test("Control API writes from another site's page are refused (403); the console's own origin and non-browser clients are not", async () => {
  const s = await startTestServer();
  try {
    const host = new URL(s.endpoint).host;
    const foreign = await fetch(`${s.endpoint}/_orgsim/reset`, { method: "POST", headers: { Origin: "http://evil.example" } });
    assert.equal(foreign.status, 403);
    const own = await fetch(`${s.endpoint}/_orgsim/reset`, { method: "POST", headers: { Origin: `http://${host}` } });
    assert.equal(own.status, 200);
    const cli = await fetch(`${s.endpoint}/_orgsim/reset`, { method: "POST" });
    assert.equal(cli.status, 200);
  } finally {
    await s.close();
  }
});
