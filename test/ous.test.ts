/** The organizational-unit tree and account placement through the AWS SDK v3: AWS's rules for OUs, parents, children and MoveAccount. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  DeleteOrganizationalUnitCommand,
  DescribeOrganizationalUnitCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateOrganizationalUnitCommand,
  paginateListChildren,
  paginateListOrganizationalUnitsForParent,
  type Child,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { startTestServer, useTestServer, awsError, MANAGEMENT } from "./helpers/server.js";
import { insertOus } from "./helpers/bulk.js";

const s = useTestServer();

/** CreateOrganizationalUnit, the operation under test here: the whole OU it answers. */
async function createOu(parentId: string, name: string, client: OrganizationsClient = s.orgs()) {
  return (await client.send(new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }))).OrganizationalUnit!;
}

test("CreateOrganizationalUnit: the id is ou-<root suffix>-<8 chars>, the ARN is the organization's ou/<org>/<ou>, the Path runs from the organization down to the OU", async () => {
  const { orgId, rootId } = await s.freshOrg();
  const ou = await createOu(rootId, "Workloads");
  assert.match(ou.Id!, /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/);
  assert.equal(ou.Id!.split("-")[1], rootId.slice(2), "the middle part is the root's id suffix");
  assert.equal(ou.Arn, `arn:aws:organizations::${MANAGEMENT}:ou/${orgId}/${ou.Id}`);
  assert.equal(ou.Name, "Workloads");
  assert.equal(ou.Path, `${orgId}/${rootId}/${ou.Id}/`);
  const child = await createOu(ou.Id!, "Prod");
  assert.equal(child.Id!.split("-")[1], rootId.slice(2), "nested OUs also carry the root's suffix");
  assert.equal(child.Path, `${orgId}/${rootId}/${ou.Id}/${child.Id}/`);
  const described = (await s.orgs().send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: child.Id }))).OrganizationalUnit!;
  assert.deepEqual(described, child);
});

test("OU tree: OUs nest under the root and under OUs, and each parent lists exactly its own OUs", async () => {
  const { rootId } = await s.freshOrg();
  const a = await createOu(rootId, "A");
  const b = await createOu(rootId, "B");
  const a1 = await createOu(a.Id!, "A1");
  const a2 = await createOu(a.Id!, "A2");
  const underRoot = (await s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }))).OrganizationalUnits!;
  assert.deepEqual(underRoot.map((o) => o.Name).sort(), ["A", "B"]);
  const underA = (await s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: a.Id }))).OrganizationalUnits!;
  assert.deepEqual(underA.map((o) => o.Id).sort(), [a1.Id, a2.Id].sort());
  assert.deepEqual(
    underA.find((o) => o.Id === a1.Id),
    a1,
    "listed OUs carry the same fields as the created one",
  );
  const underB = (await s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: b.Id }))).OrganizationalUnits!;
  assert.deepEqual(underB, []);
  const parents = (await s.orgs().send(new ListParentsCommand({ ChildId: a2.Id }))).Parents!;
  assert.deepEqual(parents, [{ Id: a.Id, Type: "ORGANIZATIONAL_UNIT" }]);
});

test("CreateOrganizationalUnit: OUs nest at most five levels below the root; the sixth level is ConstraintViolationException OU_DEPTH_LIMIT_EXCEEDED", async () => {
  const { rootId } = await s.freshOrg();
  let parent = rootId;
  for (let level = 1; level <= 5; level++) parent = (await createOu(parent, `level-${level}`)).Id!;
  const err = await awsError(() => s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: "level-6" })));
  assert.equal(err.name, "ConstraintViolationException");
  assert.equal(err.reason, "OU_DEPTH_LIMIT_EXCEEDED");
  assert.equal(err.message, "You attempted to create an OU tree that is too many levels deep.");
  assert.equal(err.status, 400);
  assert.deepEqual((await s.orgs().send(new ListChildrenCommand({ ParentId: parent, ChildType: "ORGANIZATIONAL_UNIT" }))).Children, []);
});

test("CreateOrganizationalUnit: a sibling with the same name is DuplicateOrganizationalUnitException; the same name under another parent is allowed", async () => {
  const { rootId } = await s.freshOrg();
  const dev = await createOu(rootId, "Dev");
  const err = await awsError(() => s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "Dev" })));
  assert.equal(err.name, "DuplicateOrganizationalUnitException");
  assert.equal(err.message, "An OU with the same name already exists.");
  const nested = await createOu(dev.Id!, "Dev");
  assert.equal(nested.Name, "Dev");
});

test("CreateOrganizationalUnit and the parent listings: a parent that is no root or OU of the organization is ParentNotFoundException", async () => {
  await s.freshOrg();
  const missingOu = "ou-abcd-12345678";
  const missingRoot = "r-zzzz";
  for (const call of [
    () => s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: missingOu, Name: "x" })),
    () => s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: missingRoot, Name: "x" })),
    () => s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: missingOu })),
    () => s.orgs().send(new ListChildrenCommand({ ParentId: missingRoot, ChildType: "ACCOUNT" })),
    () => s.orgs().send(new ListAccountsForParentCommand({ ParentId: missingOu })),
  ]) {
    const err = await awsError(call);
    assert.equal(err.name, "ParentNotFoundException");
    assert.equal(err.message, "We can't find a root or OU with the ParentId that you specified.");
  }
});

test("CreateOrganizationalUnit: a ParentId that is neither r-... nor ou-... is InvalidInputException", async () => {
  await s.freshOrg();
  const err = await awsError(() => s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: "123456789012", Name: "x" })));
  assert.equal(err.name, "InvalidInputException");
});

test("UpdateOrganizationalUnit: renames the OU; a sibling's name is DuplicateOrganizationalUnitException; an unknown OU is OrganizationalUnitNotFoundException", async () => {
  const { orgId, rootId } = await s.freshOrg();
  const ou = await createOu(rootId, "Sandbox");
  await createOu(rootId, "Prod");
  const renamed = (await s.orgs().send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: ou.Id, Name: "Experiments" })))
    .OrganizationalUnit!;
  assert.deepEqual(renamed, { Id: ou.Id, Arn: ou.Arn, Name: "Experiments", Path: `${orgId}/${rootId}/${ou.Id}/` });
  const described = (await s.orgs().send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ou.Id }))).OrganizationalUnit!;
  assert.equal(described.Name, "Experiments");
  const same = (await s.orgs().send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: ou.Id, Name: "Experiments" })))
    .OrganizationalUnit!;
  assert.equal(same.Name, "Experiments", "renaming an OU to its own name is no clash");
  const dup = await awsError(() => s.orgs().send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: ou.Id, Name: "Prod" })));
  assert.equal(dup.name, "DuplicateOrganizationalUnitException");
  const missing = await awsError(() =>
    s.orgs().send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: "ou-abcd-12345678", Name: "x" })),
  );
  assert.equal(missing.name, "OrganizationalUnitNotFoundException");
  assert.equal(missing.message, "We can't find an OU with the OrganizationalUnitId that you specified.");
});

test("DeleteOrganizationalUnit: an OU holding an OU or an account is OrganizationalUnitNotEmptyException; an empty one is deleted with its tags", async () => {
  const { rootId } = await s.freshOrg();
  const parent = (
    await s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "Parent", Tags: [{ Key: "team", Value: "core" }] }))
  ).OrganizationalUnit!;
  const child = await createOu(parent.Id!, "Child");
  const withOu = await awsError(() => s.orgs().send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: parent.Id })));
  assert.equal(withOu.name, "OrganizationalUnitNotEmptyException");
  assert.equal(
    withOu.message,
    "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.",
  );
  await s.orgs().send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: child.Id }));
  const account = await s.createAccount("holder@example.com");
  await s.orgs().send(new MoveAccountCommand({ AccountId: account, SourceParentId: rootId, DestinationParentId: parent.Id }));
  const withAccount = await awsError(() => s.orgs().send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: parent.Id })));
  assert.equal(withAccount.name, "OrganizationalUnitNotEmptyException");
  await s.orgs().send(new MoveAccountCommand({ AccountId: account, SourceParentId: parent.Id, DestinationParentId: rootId }));
  await s.orgs().send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: parent.Id }));
  const gone = await awsError(() => s.orgs().send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: parent.Id })));
  assert.equal(gone.name, "OrganizationalUnitNotFoundException");
  const tags = await awsError(() => s.orgs().send(new ListTagsForResourceCommand({ ResourceId: parent.Id })));
  assert.equal(tags.name, "TargetNotFoundException");
  const again = await awsError(() => s.orgs().send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: parent.Id })));
  assert.equal(again.name, "OrganizationalUnitNotFoundException");
  assert.deepEqual((await s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }))).OrganizationalUnits, []);
});

test("ListParents: an account's and an OU's single parent with its type; an unknown child is ChildNotFoundException", async () => {
  const { rootId } = await s.freshOrg();
  const ou = await createOu(rootId, "Team");
  const nested = await createOu(ou.Id!, "Nested");
  const account = await s.createAccount("child@example.com");
  assert.deepEqual((await s.orgs().send(new ListParentsCommand({ ChildId: account }))).Parents, [{ Id: rootId, Type: "ROOT" }]);
  assert.deepEqual((await s.orgs().send(new ListParentsCommand({ ChildId: MANAGEMENT }))).Parents, [{ Id: rootId, Type: "ROOT" }]);
  assert.deepEqual((await s.orgs().send(new ListParentsCommand({ ChildId: ou.Id }))).Parents, [{ Id: rootId, Type: "ROOT" }]);
  assert.deepEqual((await s.orgs().send(new ListParentsCommand({ ChildId: nested.Id }))).Parents, [
    { Id: ou.Id, Type: "ORGANIZATIONAL_UNIT" },
  ]);
  await s.orgs().send(new MoveAccountCommand({ AccountId: account, SourceParentId: rootId, DestinationParentId: nested.Id }));
  assert.deepEqual((await s.orgs().send(new ListParentsCommand({ ChildId: account }))).Parents, [
    { Id: nested.Id, Type: "ORGANIZATIONAL_UNIT" },
  ]);
  for (const childId of ["999999999999", "ou-abcd-12345678"]) {
    const err = await awsError(() => s.orgs().send(new ListParentsCommand({ ChildId: childId })));
    assert.equal(err.name, "ChildNotFoundException");
    assert.equal(err.message, "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.");
  }
});

test("ListChildren: ChildType selects accounts or OUs; pages of MaxResults with NextToken cover each child exactly once", async () => {
  const { rootId } = await s.freshOrg();
  const ous: string[] = [];
  for (let i = 0; i < 5; i++) ous.push((await createOu(rootId, `ou-${i}`)).Id!);
  const accounts = [MANAGEMENT];
  for (let i = 0; i < 3; i++) accounts.push(await s.createAccount(`acct${i}@example.com`));
  for (const [type, expected] of [
    ["ORGANIZATIONAL_UNIT", ous],
    ["ACCOUNT", accounts],
  ] as const) {
    const seen: Child[] = [];
    let pages = 0;
    for await (const page of paginateListChildren({ client: s.orgs(), pageSize: 2 }, { ParentId: rootId, ChildType: type })) {
      pages++;
      assert.ok(page.Children!.length <= 2);
      seen.push(...page.Children!);
    }
    assert.deepEqual(seen.map((c) => c.Id).sort(), [...expected].sort(), `${type}: each child once`);
    assert.ok(seen.every((c) => c.Type === type));
    assert.equal(pages, Math.ceil(expected.length / 2));
  }
  const ouPages: string[] = [];
  for await (const page of paginateListOrganizationalUnitsForParent({ client: s.orgs(), pageSize: 3 }, { ParentId: rootId })) {
    ouPages.push(...page.OrganizationalUnits!.map((o) => o.Id!));
  }
  assert.deepEqual(ouPages.sort(), [...ous].sort());
});

test("ListChildren: a NextToken is bound to its parent and child type; another parent or type is InvalidInputException INVALID_NEXT_TOKEN", async () => {
  const { rootId } = await s.freshOrg();
  const a = await createOu(rootId, "A");
  await createOu(rootId, "B");
  const first = await s.orgs().send(new ListChildrenCommand({ ParentId: rootId, ChildType: "ORGANIZATIONAL_UNIT", MaxResults: 1 }));
  assert.ok(first.NextToken);
  const otherParent = await awsError(() =>
    s.orgs().send(new ListChildrenCommand({ ParentId: a.Id, ChildType: "ORGANIZATIONAL_UNIT", NextToken: first.NextToken })),
  );
  assert.equal(otherParent.name, "InvalidInputException");
  assert.equal(otherParent.reason, "INVALID_NEXT_TOKEN");
  const otherType = await awsError(() =>
    s.orgs().send(new ListChildrenCommand({ ParentId: rootId, ChildType: "ACCOUNT", NextToken: first.NextToken })),
  );
  assert.equal(otherType.reason, "INVALID_NEXT_TOKEN");
  const tooMany = await awsError(() => s.orgs().send(new ListChildrenCommand({ ParentId: rootId, ChildType: "ACCOUNT", MaxResults: 21 })));
  assert.equal(tooMany.name, "InvalidInputException");
});

test("ListAccountsForParent: the accounts directly in a parent, shaped as DescribeAccount shapes them", async () => {
  const { orgId, rootId } = await s.freshOrg();
  const ou = await createOu(rootId, "Apps");
  const moved = await s.createAccount("apps@example.com");
  const stays = await s.createAccount("stays@example.com");
  await s.orgs().send(new MoveAccountCommand({ AccountId: moved, SourceParentId: rootId, DestinationParentId: ou.Id }));
  const inOu = (await s.orgs().send(new ListAccountsForParentCommand({ ParentId: ou.Id }))).Accounts!;
  assert.equal(inOu.length, 1);
  assert.equal(inOu[0]!.Id, moved);
  assert.equal(inOu[0]!.Arn, `arn:aws:organizations::${MANAGEMENT}:account/${orgId}/${moved}`);
  assert.equal(inOu[0]!.Email, "apps@example.com");
  assert.equal(inOu[0]!.Status, "ACTIVE");
  assert.equal(inOu[0]!.JoinedMethod, "CREATED");
  const inRoot = (await s.orgs().send(new ListAccountsForParentCommand({ ParentId: rootId }))).Accounts!;
  assert.deepEqual(inRoot.map((a) => a.Id).sort(), [MANAGEMENT, stays].sort());
});

test("ListChildren and ListAccountsForParent: an account still being created is not listed until its creation completes", async () => {
  const slow = await startTestServer({ createAccountDelaySeconds: 60 });
  try {
    const { rootId } = await slow.createOrg();
    await slow.orgs().send(new CreateAccountCommand({ Email: "later@example.com", AccountName: "later" }));
    const before = (await slow.orgs().send(new ListChildrenCommand({ ParentId: rootId, ChildType: "ACCOUNT" }))).Children!;
    assert.deepEqual(
      before.map((c) => c.Id),
      [MANAGEMENT],
    );
    assert.equal((await slow.orgs().send(new ListAccountsForParentCommand({ ParentId: rootId }))).Accounts!.length, 1);
    await slow.advanceClock(61);
    assert.equal((await slow.orgs().send(new ListChildrenCommand({ ParentId: rootId, ChildType: "ACCOUNT" }))).Children!.length, 2);
    assert.equal((await slow.orgs().send(new ListAccountsForParentCommand({ ParentId: rootId }))).Accounts!.length, 2);
  } finally {
    await slow.close();
  }
});

test("MoveAccount: the account leaves its source parent for the destination, and the move is recorded as an event", async () => {
  const { orgId, rootId } = await s.freshOrg();
  const ou = await createOu(rootId, "Security");
  const nested = await createOu(ou.Id!, "Audit");
  const account = await s.createAccount("mover@example.com");
  await s.orgs().send(new MoveAccountCommand({ AccountId: account, SourceParentId: rootId, DestinationParentId: ou.Id }));
  await s.orgs().send(new MoveAccountCommand({ AccountId: account, SourceParentId: ou.Id, DestinationParentId: nested.Id }));
  assert.deepEqual((await s.orgs().send(new ListParentsCommand({ ChildId: account }))).Parents, [
    { Id: nested.Id, Type: "ORGANIZATIONAL_UNIT" },
  ]);
  assert.deepEqual((await s.orgs().send(new ListChildrenCommand({ ParentId: ou.Id, ChildType: "ACCOUNT" }))).Children, []);
  assert.deepEqual((await s.orgs().send(new ListChildrenCommand({ ParentId: nested.Id, ChildType: "ACCOUNT" }))).Children, [
    { Id: account, Type: "ACCOUNT" },
  ]);
  // The management account can be placed in an OU too.
  await s.orgs().send(new MoveAccountCommand({ AccountId: MANAGEMENT, SourceParentId: rootId, DestinationParentId: ou.Id }));
  assert.deepEqual((await s.orgs().send(new ListParentsCommand({ ChildId: MANAGEMENT }))).Parents, [
    { Id: ou.Id, Type: "ORGANIZATIONAL_UNIT" },
  ]);
  const events = (await s.control("GET", `/_orgsim/events?organizationId=${orgId}&eventName=MoveAccount`)).body as {
    events: { eventName: string; detail: { accountId: string; sourceParentId: string; destinationParentId: string } }[];
  };
  assert.equal(events.events.length, 3);
  assert.ok(
    events.events.some(
      (e) => e.detail.accountId === account && e.detail.sourceParentId === ou.Id && e.detail.destinationParentId === nested.Id,
    ),
  );
  const created = (await s.control("GET", `/_orgsim/events?organizationId=${orgId}&eventName=CreateOrganizationalUnit`)).body as {
    events: unknown[];
  };
  assert.equal(created.events.length, 2);
});

test("MoveAccount: each wrong argument gets its own exception (AccountNotFound, SourceParentNotFound, DestinationParentNotFound, DuplicateAccount)", async () => {
  const { rootId } = await s.freshOrg();
  const ou = await createOu(rootId, "Target");
  const other = await createOu(rootId, "Other");
  const account = await s.createAccount("errs@example.com");
  const move = (AccountId: string, SourceParentId: string, DestinationParentId: string) =>
    awsError(() => s.orgs().send(new MoveAccountCommand({ AccountId, SourceParentId, DestinationParentId })));

  const unknownAccount = await move("999999999999", rootId, ou.Id!);
  assert.equal(unknownAccount.name, "AccountNotFoundException");

  const unknownSource = await move(account, "ou-abcd-12345678", ou.Id!);
  assert.equal(unknownSource.name, "SourceParentNotFoundException");
  assert.equal(unknownSource.message, "We can't find a source root or OU with the ParentId that you specified.");

  const wrongSource = await move(account, other.Id!, ou.Id!);
  assert.equal(wrongSource.name, "SourceParentNotFoundException", "the source must be the account's current parent");

  const unknownDestination = await move(account, rootId, "ou-abcd-12345678");
  assert.equal(unknownDestination.name, "DestinationParentNotFoundException");
  assert.equal(unknownDestination.message, "We can't find the destination container (a root or OU) with the ParentId that you specified.");

  const sameParent = await move(account, rootId, rootId);
  assert.equal(sameParent.name, "DuplicateAccountException");
  assert.equal(sameParent.message, "That account is already present in the specified destination.");

  await s.orgs().send(new MoveAccountCommand({ AccountId: account, SourceParentId: rootId, DestinationParentId: ou.Id }));
  const already = await move(account, ou.Id!, ou.Id!);
  assert.equal(already.name, "DuplicateAccountException");
  const stale = await move(account, rootId, other.Id!);
  assert.equal(stale.name, "SourceParentNotFoundException", "a source the account has left is no longer its parent");
  assert.deepEqual((await s.orgs().send(new ListParentsCommand({ ChildId: account }))).Parents, [
    { Id: ou.Id, Type: "ORGANIZATIONAL_UNIT" },
  ]);
});

test("Isolation: another organization's roots, OUs and accounts are reported as not found, never acted on", async () => {
  const mine = await s.freshOrg();
  const myOu = await createOu(mine.rootId, "Mine");
  const otherMgmt = "222222222222";
  const theirs = await s.createOrg({ management: otherMgmt });
  const them = s.orgs(otherMgmt);
  const theirOu = await createOu(theirs.rootId, "Theirs", them);
  const theirAccount = await s.createAccount("theirs@example.com", { management: otherMgmt });

  assert.equal(
    (await awsError(() => s.orgs().send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: theirOu.Id })))).name,
    "OrganizationalUnitNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: theirOu.Id, Name: "x" })))).name,
    "OrganizationalUnitNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: theirOu.Id })))).name,
    "OrganizationalUnitNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: theirs.rootId, Name: "x" })))).name,
    "ParentNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: theirOu.Id, Name: "x" })))).name,
    "ParentNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new ListChildrenCommand({ ParentId: theirs.rootId, ChildType: "ACCOUNT" })))).name,
    "ParentNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new ListAccountsForParentCommand({ ParentId: theirOu.Id })))).name,
    "ParentNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: theirs.rootId })))).name,
    "ParentNotFoundException",
  );
  assert.equal((await awsError(() => s.orgs().send(new ListParentsCommand({ ChildId: theirAccount })))).name, "ChildNotFoundException");
  assert.equal((await awsError(() => s.orgs().send(new ListParentsCommand({ ChildId: theirOu.Id })))).name, "ChildNotFoundException");
  assert.equal(
    (
      await awsError(() =>
        s.orgs().send(new MoveAccountCommand({ AccountId: theirAccount, SourceParentId: theirs.rootId, DestinationParentId: myOu.Id })),
      )
    ).name,
    "AccountNotFoundException",
  );
  assert.equal(
    (
      await awsError(() =>
        s.orgs().send(new MoveAccountCommand({ AccountId: MANAGEMENT, SourceParentId: mine.rootId, DestinationParentId: theirOu.Id })),
      )
    ).name,
    "DestinationParentNotFoundException",
  );
  assert.equal(
    (await awsError(() => s.orgs().send(new TagResourceCommand({ ResourceId: theirOu.Id, Tags: [{ Key: "k", Value: "v" }] })))).name,
    "TargetNotFoundException",
  );

  // Nothing of theirs changed, and they can't see ours either.
  assert.equal(
    (await them.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: theirOu.Id }))).OrganizationalUnit!.Name,
    "Theirs",
  );
  assert.deepEqual((await them.send(new ListParentsCommand({ ChildId: theirAccount }))).Parents, [{ Id: theirs.rootId, Type: "ROOT" }]);
  assert.deepEqual((await them.send(new ListTagsForResourceCommand({ ResourceId: theirOu.Id }))).Tags, []);
  assert.equal(
    (await awsError(() => them.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: myOu.Id })))).name,
    "OrganizationalUnitNotFoundException",
  );
  // Same names in two organizations do not clash.
  assert.equal((await createOu(theirs.rootId, "Mine", them)).Name, "Mine");
});

test("Access: a member account gets AccessDeniedException for CreateOrganizationalUnit and the other tree operations", async () => {
  const { rootId } = await s.freshOrg();
  const ou = await createOu(rootId, "Guarded");
  const member = await s.createAccount("member@example.com");
  const m = s.orgs(member);
  for (const call of [
    () => m.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "sneaky" })),
    () => m.send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: ou.Id, Name: "sneaky" })),
    () => m.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ou.Id })),
    () => m.send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: ou.Id })),
    () => m.send(new ListChildrenCommand({ ParentId: rootId, ChildType: "ACCOUNT" })),
    () => m.send(new ListParentsCommand({ ChildId: member })),
    () => m.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ou.Id })),
  ]) {
    const err = await awsError(call);
    assert.equal(err.name, "AccessDeniedException");
    assert.equal(err.message, "You don't have permissions to access this resource.");
  }
  assert.deepEqual(
    (await s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }))).OrganizationalUnits!.map((o) => o.Name),
    ["Guarded"],
  );
  const outsider = await awsError(() => s.orgs("999999999999").send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "x" })));
  assert.equal(outsider.name, "AWSOrganizationsNotInUseException");
});

test("Tags: an OU takes tags at creation and through TagResource/UntagResource, and so does the root", async () => {
  const { rootId } = await s.freshOrg();
  const ou = (
    await s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "Tagged", Tags: [{ Key: "env", Value: "prod" }] }))
  ).OrganizationalUnit!;
  assert.deepEqual((await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: ou.Id }))).Tags, [{ Key: "env", Value: "prod" }]);
  await s.orgs().send(
    new TagResourceCommand({
      ResourceId: ou.Id,
      Tags: [
        { Key: "owner", Value: "platform" },
        { Key: "env", Value: "staging" },
      ],
    }),
  );
  assert.deepEqual((await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: ou.Id }))).Tags, [
    { Key: "env", Value: "staging" },
    { Key: "owner", Value: "platform" },
  ]);
  await s.orgs().send(new UntagResourceCommand({ ResourceId: ou.Id, TagKeys: ["env"] }));
  assert.deepEqual((await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: ou.Id }))).Tags, [
    { Key: "owner", Value: "platform" },
  ]);

  await s.orgs().send(new TagResourceCommand({ ResourceId: rootId, Tags: [{ Key: "scope", Value: "org" }] }));
  assert.deepEqual((await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: rootId }))).Tags, [{ Key: "scope", Value: "org" }]);
  await s.orgs().send(new UntagResourceCommand({ ResourceId: rootId, TagKeys: ["scope"] }));
  assert.deepEqual((await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: rootId }))).Tags, []);
});

test("CreateOrganizationalUnit: invalid tags (an aws: key) fail the whole call and no OU is created", async () => {
  const { rootId } = await s.freshOrg();
  const err = await awsError(() =>
    s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "Bad", Tags: [{ Key: "aws:reserved", Value: "x" }] })),
  );
  assert.equal(err.name, "InvalidInputException");
  assert.equal(err.reason, "INVALID_SYSTEM_TAGS_PARAMETER");
  assert.deepEqual((await s.orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }))).OrganizationalUnits, []);
});

test("CreateOrganizationalUnit: an organization holds at most 2000 OUs; the next is ConstraintViolationException OU_NUMBER_LIMIT_EXCEEDED", async () => {
  const { orgId, rootId } = await s.freshOrg();
  // 1999 OUs written straight into the store (creating them one call at a time adds nothing but minutes on PostgreSQL).
  const rows = Array.from({ length: 1999 }, (_, i) => {
    const id = `ou-${rootId.slice(2)}-s${String(i).padStart(7, "0")}`;
    return {
      id,
      org_id: orgId,
      parent_id: rootId,
      name: `seeded-${i}`,
      arn: `arn:aws:organizations::${MANAGEMENT}:ou/${orgId}/${id}`,
      created_at: 0,
    };
  });
  await insertOus(s.sim.app.store, rows);
  const last = await createOu(rootId, "two-thousandth");
  assert.equal(last.Name, "two-thousandth");
  const err = await awsError(() => s.orgs().send(new CreateOrganizationalUnitCommand({ ParentId: last.Id, Name: "one-too-many" })));
  assert.equal(err.name, "ConstraintViolationException");
  assert.equal(err.reason, "OU_NUMBER_LIMIT_EXCEEDED");
  assert.equal(err.message, "You attempted to exceed the number of OUs that you can have in an organization.");
  // Another organization's OUs do not count against this one.
  const other = await s.createOrg({ management: "222222222222" });
  assert.equal((await createOu(other.rootId, "fine", s.orgs("222222222222"))).Name, "fine");
});
