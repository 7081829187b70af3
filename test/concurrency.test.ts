/**
 * Races from many clients against one organization never break an invariant: each race either
 * serializes (one winner, the others get the error the later call would get) or answers
 * ConcurrentModificationException — never a half-applied or duplicated change.
 *
 * Each scenario fires its requests together (Promise.allSettled), then checks the state with
 * fresh reads. Parts whose operations answer UnsupportedAPIEndpointException are skipped.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
  AcceptHandshakeCommand,
  AttachPolicyCommand,
  CancelHandshakeCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DeclineHandshakeCommand,
  DeleteOrganizationalUnitCommand,
  DescribeCreateAccountStatusCommand,
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  ListHandshakesForAccountCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  MoveAccountCommand,
  RemoveAccountFromOrganizationCommand,
  TagResourceCommand,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { startTestServer, useTestServer, MANAGEMENT } from "./helpers/server.js";
import { orgFactories } from "./helpers/factories.js";
import { Rng, errorName } from "./helpers/fuzz-support.js";

const CME = "ConcurrentModificationException";
const SEED = 0x5eed0c0c;

const clients = new Map<string, OrganizationsClient>();
after(() => {
  for (const c of clients.values()) c.destroy();
});
// The leave rate limit (5 per second) is not what these races are about.
const s = useTestServer({ leaveRatePerSecond: 100_000 });
/** One client per account, reused (each has its own connection pool, so calls really overlap). */
const orgs = (account = MANAGEMENT): OrganizationsClient => {
  let c = clients.get(account);
  if (!c) {
    c = s.orgs(account);
    clients.set(account, c);
  }
  return c;
};

/** The fixture's factories over those clients: setup warms the very clients the races use. */
const setup = orgFactories({ orgs: (account) => orgs(account), control: (method, path, body) => s.control(method, path, body) });

interface Org {
  root: string;
}

async function freshOrg(): Promise<Org> {
  return { root: (await setup.freshOrg()).rootId };
}

/** An open invitation of `id` by `management`: its handshake's id. */
const openHandshake = async (id: string, management?: string): Promise<string> => (await setup.openInvitation(id, { management })).Id!;

async function all<T>(fn: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fn(token);
    out.push(...page.items);
    token = page.next;
  } while (token);
  return out;
}

const accountsIn = (parent: string, mgmt = MANAGEMENT) =>
  all(async (t) => {
    const r = await orgs(mgmt).send(new ListAccountsForParentCommand({ ParentId: parent, NextToken: t }));
    return { items: r.Accounts!.map((a) => a.Id!), next: r.NextToken };
  });

const members = (mgmt = MANAGEMENT) =>
  all(async (t) => {
    const r = await orgs(mgmt).send(new ListAccountsCommand({ NextToken: t }));
    return { items: r.Accounts!.map((a) => a.Id!), next: r.NextToken };
  });

async function eventCount(name: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const q = new URLSearchParams({ eventName: name, maxResults: "1000" });
    if (token) q.set("nextToken", token);
    const body = (await s.control("GET", `/_orgsim/events?${q}`)).body as { events: unknown[]; nextToken?: string };
    n += body.events.length;
    token = body.nextToken;
  } while (token);
  return n;
}

/** Every container of the organization: the root and all OUs below it. */
async function containers(root: string): Promise<string[]> {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    const children = await all(async (t) => {
      const r = await orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: out[i]!, NextToken: t }));
      return { items: r.OrganizationalUnits!.map((o) => o.Id!), next: r.NextToken };
    });
    out.push(...children);
  }
  return out;
}

/**
 * The tree is consistent: every member account has exactly one parent (ListParents), appears in
 * ListAccountsForParent of exactly that container, and no container lists a non-member.
 */
async function assertTreeConsistent(org: Org): Promise<void> {
  const ids = await members();
  const listed = new Map<string, string[]>();
  for (const c of await containers(org.root)) for (const id of await accountsIn(c)) listed.set(id, [...(listed.get(id) ?? []), c]);
  assert.deepEqual([...listed.keys()].sort(), [...ids].sort(), "the containers list exactly the members");
  for (const id of ids) {
    const parents = (await orgs().send(new ListParentsCommand({ ChildId: id }))).Parents!;
    assert.equal(parents.length, 1, `${id} has exactly one parent`);
    assert.deepEqual(listed.get(id), [parents[0]!.Id], `${id} is listed under exactly its parent`);
  }
}

/** Skips the test when `op` answers UnsupportedAPIEndpointException (an operation being built). */
async function supported(t: { skip(message?: string): void }, op: string, fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if ((err as Error).name === "UnsupportedAPIEndpointException") {
      t.skip(`${op} answers UnsupportedAPIEndpointException (not built yet)`);
      return false;
    }
    throw err;
  }
}

function tally(results: PromiseSettledResult<unknown>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    const k = errorName(r) || "ok";
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

function assertOnly(results: PromiseSettledResult<unknown>[], allowed: readonly string[], what: string): void {
  for (const r of results) {
    const name = errorName(r);
    if (name && !allowed.includes(name)) assert.fail(`${what}: unexpected ${name}: ${(r as PromiseRejectedResult).reason}`);
  }
}

/** Runs `call` after `ms` milliseconds: drawn from the seeded PRNG, it varies which side of a race arrives first. */
const delayed = <T>(ms: number, call: () => Promise<T>): Promise<T> =>
  new Promise((resolve, reject) => setTimeout(() => call().then(resolve, reject), ms));

const ok = (results: PromiseSettledResult<unknown>[]) => results.filter((r) => r.status === "fulfilled").length;

test("MoveAccount: 20 concurrent moves of one account between two OUs serialize (successes alternate), and it ends in exactly one parent", async (t) => {
  const rng = new Rng(SEED);
  const org = await freshOrg();
  const a = await setup.createOu(org.root, "A");
  const b = await setup.createOu(org.root, "B");
  const id = await setup.invite("310000000001");
  if (
    !(await supported(t, "MoveAccount", () =>
      orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: org.root, DestinationParentId: a })),
    ))
  )
    return;
  let where = a;
  let moves = 1;
  for (let round = 0; round < 6; round++) {
    const other = where === a ? b : a;
    const requests = rng.shuffle(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? [where, other] : [other, where])));
    const results = await Promise.allSettled(
      requests.map(([from, to]) => orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: from, DestinationParentId: to }))),
    );
    assertOnly(results, ["SourceParentNotFoundException", "DuplicateAccountException", CME], `round ${round}`);
    const k = ok(results);
    t.diagnostic(`round ${round}: ${JSON.stringify(tally(results))}`);
    assert.ok(k >= 1, "at least the first move in the serial order succeeds");
    // Serialized moves alternate where -> other -> where ...: the parity of the successes says where it is.
    const expected = k % 2 === 1 ? other : where;
    const parents = (await orgs().send(new ListParentsCommand({ ChildId: id }))).Parents!;
    assert.deepEqual(
      parents.map((p) => p.Id),
      [expected],
      `round ${round}: ${k} successful moves`,
    );
    const inA = (await accountsIn(a)).includes(id);
    const inB = (await accountsIn(b)).includes(id);
    const inRoot = (await accountsIn(org.root)).includes(id);
    assert.equal([inA, inB, inRoot].filter(Boolean).length, 1, "listed under exactly one container");
    assert.equal(expected === a ? inA : inB, true);
    moves += k;
    where = expected;
  }
  // Twenty identical moves: exactly one applies.
  const other = where === a ? b : a;
  const same = await Promise.allSettled(
    Array.from({ length: 20 }, () =>
      orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: where, DestinationParentId: other })),
    ),
  );
  assertOnly(same, ["SourceParentNotFoundException", "DuplicateAccountException", CME], "identical moves");
  assert.equal(ok(same), 1, JSON.stringify(tally(same)));
  moves += 1;
  assert.equal(await eventCount("MoveAccount"), moves, "one MoveAccount event per applied move");
  await assertTreeConsistent(org);
});

test("Handshakes: concurrent AcceptHandshake, CancelHandshake (and DeclineHandshake) of one invitation — exactly one wins; the state and the membership agree", async (t) => {
  const rng = new Rng(SEED + 1);
  const org = await freshOrg();
  const invitees = Array.from({ length: 12 }, (_, i) => `3200000000${String(i).padStart(2, "0")}`);
  const handshakes = await Promise.all(invitees.map((id) => openHandshake(id)));
  // Warm every invitee's client (connection, credentials) so neither side of a race starts cold.
  await Promise.all(invitees.map((id) => orgs(id).send(new ListHandshakesForAccountCommand({}))));
  const races = invitees.map((id, i) => {
    const calls: [string, () => Promise<unknown>][] = [
      ["ACCEPTED", () => orgs(id).send(new AcceptHandshakeCommand({ HandshakeId: handshakes[i] }))],
      ["CANCELED", () => orgs().send(new CancelHandshakeCommand({ HandshakeId: handshakes[i] }))],
    ];
    if (i % 3 === 0) calls.push(["DECLINED", () => orgs(id).send(new DeclineHandshakeCommand({ HandshakeId: handshakes[i] }))]);
    return rng.shuffle(calls).map(([state, call]) => [state, call, rng.int(12)] as const);
  });
  // Every call of every race in flight at once (each after a small seeded delay).
  const settled = await Promise.all(races.map((calls) => Promise.allSettled(calls.map(([, call, ms]) => delayed(ms, call)))));
  let accepted = 0;
  for (let i = 0; i < invitees.length; i++) {
    const results = settled[i]!;
    assertOnly(results, ["InvalidHandshakeTransitionException", CME], `handshake ${i}`);
    assert.equal(ok(results), 1, `exactly one of ${races[i]!.map(([s]) => s).join("/")} wins: ${JSON.stringify(tally(results))}`);
    const winner = races[i]![results.findIndex((r) => r.status === "fulfilled")]![0];
    const state = (await orgs().send(new DescribeHandshakeCommand({ HandshakeId: handshakes[i] }))).Handshake!.State;
    assert.equal(state, winner, `handshake ${i} is in the winner's state`);
    const member = (await members()).includes(invitees[i]!);
    assert.equal(member, winner === "ACCEPTED", `membership of ${invitees[i]} matches ${winner}`);
    const seen = await orgs(invitees[i])
      .send(new DescribeOrganizationCommand({}))
      .then(
        () => true,
        (e: Error) => (e.name === "AWSOrganizationsNotInUseException" ? false : Promise.reject(e)),
      );
    assert.equal(seen, winner === "ACCEPTED");
    if (winner === "ACCEPTED") accepted++;
  }
  t.diagnostic(`winners: ${accepted} accepted of ${invitees.length}`);
  assert.equal(await eventCount("AcceptHandshake"), accepted);
  await assertTreeConsistent(org);
});

test("Handshakes: an account accepting invitations from two organizations at once joins exactly one", async () => {
  await freshOrg();
  const other = "900000000009";
  await setup.createOrg({ management: other });
  const ids = Array.from({ length: 8 }, (_, i) => `33000000000${i}`);
  for (const id of ids) {
    const first = await openHandshake(id, MANAGEMENT);
    const second = await openHandshake(id, other);
    const results = await Promise.allSettled([
      orgs(id).send(new AcceptHandshakeCommand({ HandshakeId: first })),
      orgs(id).send(new AcceptHandshakeCommand({ HandshakeId: second })),
    ]);
    assertOnly(results, ["HandshakeConstraintViolationException", "InvalidHandshakeTransitionException", CME], id);
    assert.equal(ok(results), 1, JSON.stringify(tally(results)));
    const inFirst = (await members(MANAGEMENT)).includes(id);
    const inSecond = (await members(other)).includes(id);
    assert.equal(Number(inFirst) + Number(inSecond), 1, `${id} is a member of exactly one organization`);
    const org = (await orgs(id).send(new DescribeOrganizationCommand({}))).Organization!;
    assert.equal(org.MasterAccountId, inFirst ? MANAGEMENT : other);
  }
});

test("LeaveOrganization racing MoveAccount of the same account: it either left (and is in no container) or stayed in exactly one parent — never both or neither", async (t) => {
  const rng = new Rng(SEED + 2);
  const org = await freshOrg();
  const ou = await setup.createOu(org.root, "dest");
  const ids = Array.from({ length: 16 }, (_, i) => `3400000000${String(i).padStart(2, "0")}`);
  for (const id of ids) {
    await setup.invite(id);
    await s.makeReady(id);
  }
  const races = ids.map((id) =>
    rng.shuffle([
      ["leave", () => orgs(id).send(new LeaveOrganizationCommand({})), rng.int(12)],
      [
        "move",
        () => orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: org.root, DestinationParentId: ou })),
        rng.int(12),
      ],
    ] as [string, () => Promise<unknown>, number][]),
  );
  const settled = await Promise.all(races.map((calls) => Promise.allSettled(calls.map(([, call, ms]) => delayed(ms, call)))));
  const summary: Record<string, number> = {};
  let left = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const byName = new Map(races[i]!.map(([name], k) => [name, settled[i]![k]!]));
    const leave = byName.get("leave")!;
    const move = byName.get("move")!;
    if (errorName(move) === "UnsupportedAPIEndpointException") {
      t.skip("MoveAccount answers UnsupportedAPIEndpointException (not built yet)");
      return;
    }
    assertOnly([leave], [CME, "TooManyRequestsException"], `leave ${id}`);
    assertOnly([move], ["AccountNotFoundException", "SourceParentNotFoundException", CME], `move ${id}`);
    const key = `leave:${errorName(leave) || "ok"} move:${errorName(move) || "ok"}`;
    summary[key] = (summary[key] ?? 0) + 1;
    const isMember = (await members()).includes(id);
    if (leave.status === "fulfilled") {
      left++;
      assert.equal(isMember, false, `${id} left`);
      const parents = await orgs()
        .send(new ListParentsCommand({ ChildId: id }))
        .then(
          (r) => r.Parents!.map((p) => p.Id),
          (e: Error) => e.name,
        );
      assert.ok(typeof parents === "string", `a departed account has no parent (got ${JSON.stringify(parents)})`);
      const outside = await orgs(id)
        .send(new DescribeOrganizationCommand({}))
        .then(
          () => "member",
          (e: Error) => e.name,
        );
      assert.equal(outside, "AWSOrganizationsNotInUseException");
    } else {
      assert.equal(isMember, true, `${id} stayed`);
      const parents = (await orgs().send(new ListParentsCommand({ ChildId: id }))).Parents!.map((p) => p.Id);
      assert.deepEqual(parents, [move.status === "fulfilled" ? ou : org.root]);
    }
  }
  t.diagnostic(`outcomes: ${JSON.stringify(summary)}`);
  assert.equal(await eventCount("AccountDepartedOrganization"), left);
  for (const id of ids) assert.ok(!(await accountsIn(ou)).includes(id) || (await members()).includes(id));
  await assertTreeConsistent(org);
});

test("AttachPolicy: 20 concurrent attachments of one policy to one target — one succeeds, the rest DuplicatePolicyAttachmentException; it is listed once; 20 detaches likewise", async (t) => {
  const org = await freshOrg();
  const ou = await setup.createOu(org.root, "target");
  if (
    !(await supported(t, "EnablePolicyType", () =>
      orgs().send(new EnablePolicyTypeCommand({ RootId: org.root, PolicyType: "SERVICE_CONTROL_POLICY" })),
    ))
  )
    return;
  const content = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" }] });
  let policy = "";
  if (
    !(await supported(t, "CreatePolicy", async () => {
      policy = (
        await orgs().send(new CreatePolicyCommand({ Name: "race", Description: "race", Type: "SERVICE_CONTROL_POLICY", Content: content }))
      ).Policy!.PolicySummary!.Id!;
    }))
  )
    return;
  const attach = await Promise.allSettled(
    Array.from({ length: 20 }, () => orgs().send(new AttachPolicyCommand({ PolicyId: policy, TargetId: ou }))),
  );
  if (attach.some((r) => errorName(r) === "UnsupportedAPIEndpointException"))
    return t.skip("AttachPolicy answers UnsupportedAPIEndpointException (not built yet)");
  assertOnly(attach, ["DuplicatePolicyAttachmentException", CME], "attach");
  assert.equal(ok(attach), 1, JSON.stringify(tally(attach)));
  const targets = (await orgs().send(new ListTargetsForPolicyCommand({ PolicyId: policy }))).Targets!.map((x) => x.TargetId);
  assert.deepEqual(targets, [ou], "the target is listed once");
  const policies = (await orgs().send(new ListPoliciesForTargetCommand({ TargetId: ou, Filter: "SERVICE_CONTROL_POLICY" }))).Policies!.map(
    (p) => p.Id,
  );
  assert.equal(policies.filter((p) => p === policy).length, 1, "the policy is listed once for the target");
  assert.equal(await eventCount("AttachPolicy"), 1);

  const detach = await Promise.allSettled(
    Array.from({ length: 20 }, () => orgs().send(new DetachPolicyCommand({ PolicyId: policy, TargetId: ou }))),
  );
  assertOnly(detach, ["PolicyNotAttachedException", CME], "detach");
  assert.equal(ok(detach), 1, JSON.stringify(tally(detach)));
  assert.deepEqual((await orgs().send(new ListTargetsForPolicyCommand({ PolicyId: policy }))).Targets, []);
});

test("AttachPolicy: 10 different SCPs attached at once to a target that holds FullAWSAccess — exactly 4 fit under the limit of 5", async (t) => {
  const org = await freshOrg();
  const ou = await setup.createOu(org.root, "limit");
  if (
    !(await supported(t, "EnablePolicyType", () =>
      orgs().send(new EnablePolicyTypeCommand({ RootId: org.root, PolicyType: "SERVICE_CONTROL_POLICY" })),
    ))
  )
    return;
  const content = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" }] });
  const ids: string[] = [];
  for (let i = 0; i < 10; i++)
    ids.push(
      (await orgs().send(new CreatePolicyCommand({ Name: `p${i}`, Description: "d", Type: "SERVICE_CONTROL_POLICY", Content: content })))
        .Policy!.PolicySummary!.Id!,
    );
  const before = (await orgs().send(new ListPoliciesForTargetCommand({ TargetId: ou, Filter: "SERVICE_CONTROL_POLICY" }))).Policies!.length;
  const results = await Promise.allSettled(ids.map((p) => orgs().send(new AttachPolicyCommand({ PolicyId: p, TargetId: ou }))));
  assertOnly(results, ["ConstraintViolationException", CME], "attach");
  assert.equal(ok(results), 5 - before, JSON.stringify(tally(results)));
  const after = (await orgs().send(new ListPoliciesForTargetCommand({ TargetId: ou, Filter: "SERVICE_CONTROL_POLICY" }))).Policies!;
  assert.equal(after.length, 5, "never more than the limit");
  assert.equal(new Set(after.map((p) => p.Id)).size, 5);
});

test("CreateOrganizationalUnit: 20 concurrent creations of one name under one parent make exactly one OU", async () => {
  const org = await freshOrg();
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, () => orgs().send(new CreateOrganizationalUnitCommand({ ParentId: org.root, Name: "twin" }))),
  );
  assertOnly(results, ["DuplicateOrganizationalUnitException", CME], "create OU");
  assert.equal(ok(results), 1, JSON.stringify(tally(results)));
  const ous = (await orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: org.root }))).OrganizationalUnits!;
  assert.deepEqual(
    ous.map((o) => o.Name),
    ["twin"],
  );
});

test("DeleteOrganizationalUnit racing a MoveAccount into it, or a child OU's creation under it: the OU is either gone and empty, or kept with its new child — never a dangling parent", async (t) => {
  const rng = new Rng(SEED + 3);
  const org = await freshOrg();
  const id = await setup.invite("350000000001");
  const outcomes: Record<string, number> = {};
  for (let round = 0; round < 12; round++) {
    const ou = await setup.createOu(org.root, `doomed-${round}`);
    const childRace = round % 2 === 1;
    const calls = rng.shuffle([
      ["delete", () => orgs().send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ou }))],
      childRace
        ? ["child", () => orgs().send(new CreateOrganizationalUnitCommand({ ParentId: ou, Name: "child" }))]
        : ["move", () => orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: org.root, DestinationParentId: ou }))],
    ] as [string, () => Promise<unknown>][]);
    const results = await Promise.allSettled(calls.map(([, call]) => call()));
    const del = results[calls.findIndex(([n]) => n === "delete")]!;
    const other = results[calls.findIndex(([n]) => n !== "delete")]!;
    if (errorName(other) === "UnsupportedAPIEndpointException")
      return t.skip("MoveAccount answers UnsupportedAPIEndpointException (not built yet)");
    assertOnly([del], ["OrganizationalUnitNotEmptyException", CME], "delete");
    assertOnly([other], ["DestinationParentNotFoundException", "ParentNotFoundException", CME], childRace ? "child" : "move");
    const key = `delete:${errorName(del) || "ok"} ${childRace ? "child" : "move"}:${errorName(other) || "ok"}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    assert.ok(!(del.status === "fulfilled" && other.status === "fulfilled"), `both applied: ${key}`);
    const exists = (await orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: org.root }))).OrganizationalUnits!.some(
      (o) => o.Id === ou,
    );
    assert.equal(exists, del.status !== "fulfilled");
    const parent = (await orgs().send(new ListParentsCommand({ ChildId: id }))).Parents![0]!.Id;
    if (!childRace) assert.equal(parent, other.status === "fulfilled" ? ou : org.root);
    // Put the account back at the root and empty the OU for the next round.
    if (parent !== org.root)
      await orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: parent, DestinationParentId: org.root }));
    await assertTreeConsistent(org);
    if (exists) {
      for (const child of (await orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: ou }))).OrganizationalUnits!) {
        await orgs().send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: child.Id }));
      }
      await orgs().send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ou }));
    }
  }
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  assert.deepEqual(await containers(org.root), [org.root], "no OU left behind, no orphan");
});

test("CreateAccount: 10 concurrent creations with one email make exactly one account; 30 with distinct emails make 30 distinct accounts", async () => {
  const org = await freshOrg();
  const started = await Promise.all(
    Array.from({ length: 10 }, (_, i) => orgs().send(new CreateAccountCommand({ Email: "same@example.com", AccountName: `same${i}` }))),
  );
  const statuses = await Promise.all(
    started.map((r) => orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: r.CreateAccountStatus!.Id }))),
  );
  const states = statuses.map((r) => `${r.CreateAccountStatus!.State}:${r.CreateAccountStatus!.FailureReason ?? ""}`);
  assert.equal(states.filter((x) => x === "SUCCEEDED:").length, 1, states.join(", "));
  assert.equal(states.filter((x) => x === "FAILED:EMAIL_ALREADY_EXISTS").length, 9, states.join(", "));
  const distinct = await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const r = await orgs().send(new CreateAccountCommand({ Email: `d${i}@example.com`, AccountName: `d${i}` }));
      return (await orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: r.CreateAccountStatus!.Id })))
        .CreateAccountStatus!.AccountId!;
    }),
  );
  assert.equal(new Set(distinct).size, 30);
  assert.equal((await members()).length, 1 + 1 + 30);
  await assertTreeConsistent(org);
});

test("TagResource: 30 concurrent tags of distinct keys lose none; 60 at once on a fresh account stop at exactly the 50-tag limit", async () => {
  const org = await freshOrg();
  const a = await setup.invite("360000000001");
  const results = await Promise.allSettled(
    Array.from({ length: 30 }, (_, i) => orgs().send(new TagResourceCommand({ ResourceId: a, Tags: [{ Key: `k${i}`, Value: `v${i}` }] }))),
  );
  assertOnly(results, [CME], "tag");
  const tags = async (id: string) =>
    all(async (t) => {
      const r = await orgs().send(new ListTagsForResourceCommand({ ResourceId: id, NextToken: t }));
      return { items: r.Tags!.map((x) => `${x.Key}=${x.Value}`), next: r.NextToken };
    });
  const expected = results.flatMap((r, i) => (r.status === "fulfilled" ? [`k${i}=v${i}`] : []));
  assert.deepEqual((await tags(a)).sort(), expected.sort(), "every applied tag is there");
  assert.ok(expected.length >= 1);

  const b = await setup.invite("360000000002");
  const many = await Promise.allSettled(
    Array.from({ length: 60 }, (_, i) => orgs().send(new TagResourceCommand({ ResourceId: b, Tags: [{ Key: `m${i}`, Value: "v" }] }))),
  );
  assertOnly(many, ["ConstraintViolationException", CME], "tag limit");
  assert.equal(ok(many), 50, JSON.stringify(tally(many)));
  assert.equal((await tags(b)).length, 50);
  await assertTreeConsistent(org);
});

test("RemoveAccountFromOrganization racing TagResource of that account: no tag survives the departure (a re-invited account starts untagged)", async () => {
  const org = await freshOrg();
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < 10; i++) {
    const id = `37000000000${i}`;
    await setup.invite(id);
    const results = await Promise.allSettled([
      orgs().send(new TagResourceCommand({ ResourceId: id, Tags: [{ Key: "late", Value: String(i) }] })),
      orgs().send(new RemoveAccountFromOrganizationCommand({ AccountId: id })),
      orgs().send(new TagResourceCommand({ ResourceId: id, Tags: [{ Key: "later", Value: String(i) }] })),
    ]);
    assertOnly([results[0]!, results[2]!], ["TargetNotFoundException", "AccountNotFoundException", CME], "tag");
    assertOnly([results[1]!], [CME], "remove");
    const key = results.map((r) => errorName(r) || "ok").join("/");
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (results[1]!.status === "fulfilled") {
      await setup.invite(id);
      const tags = (await orgs().send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags;
      assert.deepEqual(tags, [], `${id}: no tag survived the departure (${key})`);
    }
  }
  await assertTreeConsistent(org);
  assert.ok(Object.keys(outcomes).length >= 1);
});

test("InviteAccountToOrganization: 15 concurrent invitations of one account open exactly one handshake (the rest DuplicateHandshakeException)", async () => {
  await freshOrg();
  const id = "380000000001";
  const results = await Promise.allSettled(
    Array.from({ length: 15 }, () => orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: id } }))),
  );
  assertOnly(results, ["DuplicateHandshakeException", CME], "invite");
  assert.equal(ok(results), 1, JSON.stringify(tally(results)));
  const open = (await orgs(id).send(new ListHandshakesForAccountCommand({}))).Handshakes!.filter((h) => h.State === "OPEN");
  assert.equal(open.length, 1);
});

test(
  "Across two replicas on one PostgreSQL database: MoveAccount, AttachPolicy and accept-versus-cancel races split between them keep the same invariants",
  { skip: !process.env.ORGSIM_TEST_DATABASE_URL && "needs ORGSIM_TEST_DATABASE_URL (replicas share state only on PostgreSQL)" },
  async (t) => {
    const rng = new Rng(SEED + 9);
    const org = await freshOrg();
    const replica = await startTestServer({ databaseUrl: s.sim.app.settings.databaseUrl, leaveRatePerSecond: 100_000 });
    const other = new Map<string, OrganizationsClient>();
    const via = (i: number, account = MANAGEMENT): OrganizationsClient => {
      if (i % 2 === 0) return orgs(account);
      let c = other.get(account);
      if (!c) {
        c = replica.orgs(account);
        other.set(account, c);
      }
      return c;
    };
    try {
      const a = await setup.createOu(org.root, "A");
      const b = await setup.createOu(org.root, "B");
      const id = await setup.invite("390000000001");
      await orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: org.root, DestinationParentId: a }));
      let where = a;
      for (let round = 0; round < 4; round++) {
        const to = where === a ? b : a;
        const requests = rng.shuffle(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? [where, to] : [to, where])));
        const results = await Promise.allSettled(
          requests.map(([from, dest], i) =>
            via(i).send(new MoveAccountCommand({ AccountId: id, SourceParentId: from, DestinationParentId: dest })),
          ),
        );
        assertOnly(results, ["SourceParentNotFoundException", "DuplicateAccountException", CME], `replica round ${round}`);
        const k = ok(results);
        t.diagnostic(`replica round ${round}: ${JSON.stringify(tally(results))}`);
        const expected = k % 2 === 1 ? to : where;
        assert.deepEqual(
          (await via(1).send(new ListParentsCommand({ ChildId: id }))).Parents!.map((p) => p.Id),
          [expected],
        );
        where = expected;
      }

      await orgs().send(new EnablePolicyTypeCommand({ RootId: org.root, PolicyType: "SERVICE_CONTROL_POLICY" }));
      const content = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" }] });
      const policy = (
        await orgs().send(new CreatePolicyCommand({ Name: "r", Description: "r", Type: "SERVICE_CONTROL_POLICY", Content: content }))
      ).Policy!.PolicySummary!.Id!;
      const attach = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => via(i).send(new AttachPolicyCommand({ PolicyId: policy, TargetId: b }))),
      );
      assertOnly(attach, ["DuplicatePolicyAttachmentException", CME], "replica attach");
      assert.equal(ok(attach), 1, JSON.stringify(tally(attach)));
      assert.deepEqual(
        (await via(1).send(new ListTargetsForPolicyCommand({ PolicyId: policy }))).Targets!.map((x) => x.TargetId),
        [b],
      );

      const invitees = Array.from({ length: 8 }, (_, i) => `39100000000${i}`);
      for (const x of invitees) await Promise.all([via(0, x), via(1, x)].map((c) => c.send(new ListHandshakesForAccountCommand({}))));
      for (const [i, x] of invitees.entries()) {
        const hs = await openHandshake(x);
        const calls = rng.shuffle([
          ["ACCEPTED", () => via(i, x).send(new AcceptHandshakeCommand({ HandshakeId: hs }))],
          ["CANCELED", () => via(i + 1).send(new CancelHandshakeCommand({ HandshakeId: hs }))],
        ] as [string, () => Promise<unknown>][]);
        const results = await Promise.allSettled(calls.map(([, call]) => call()));
        assertOnly(results, ["InvalidHandshakeTransitionException", CME], `replica handshake ${x}`);
        assert.equal(ok(results), 1, JSON.stringify(tally(results)));
        const winner = calls[results.findIndex((r) => r.status === "fulfilled")]![0];
        assert.equal((await via(1).send(new DescribeHandshakeCommand({ HandshakeId: hs }))).Handshake!.State, winner);
        assert.equal((await members()).includes(x), winner === "ACCEPTED");
      }
      await assertTreeConsistent(org);
    } finally {
      for (const c of other.values()) c.destroy();
      await replica.close();
    }
  },
);
