/**
 * Seeds with open invitations (`invitations:` of an organization: InviteAccountToOrganization,
 * left OPEN for the invitee), their export, and examples/org.yaml as the console shows it: a
 * realistic variety of accounts that can leave and accounts kept in, each for its own reason.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AcceptHandshakeCommand,
  ListHandshakesForAccountCommand,
  ListHandshakesForOrganizationCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-organizations";
import { useTestServer, MANAGEMENT } from "./helpers/server.js";
import type { AccountView, ConsoleState, TreeNode } from "../src/console/state.js";

const EXAMPLE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "org.yaml"), "utf8");

const s = useTestServer();

async function seed(text: string): Promise<{ status: number; body: { problems?: { message: string; line?: number }[] } }> {
  const res = await fetch(`${s.endpoint}/_orgsim/seed?reset=true&source=org.yaml`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ yaml: text }),
  });
  return { status: res.status, body: (await res.json()) as { problems?: { message: string; line?: number }[] } };
}

const exported = async () => (await fetch(`${s.endpoint}/_orgsim/export`)).text();

const WITH_INVITATIONS = `
organizations:
  - management: "111111111111"
    invitations:
      - account: "888888888888"
        notes: Join us
        tags: { Team: data }
      - email: owner@startup.example.com
`;

test("Seed: invitations are sent last and left OPEN; the invitee accepts and joins with the invitation's tags", async () => {
  const res = await seed(WITH_INVITATIONS);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const open = (await s.orgs().send(new ListHandshakesForOrganizationCommand({}))).Handshakes!;
  assert.deepEqual(open.map((h) => [h.Action, h.State, h.Parties!.find((p) => p.Type !== "ORGANIZATION")?.Id]).sort(), [
    ["INVITE", "OPEN", "888888888888"],
    ["INVITE", "OPEN", "owner@startup.example.com"],
  ]);
  const mine = (await s.orgs("888888888888").send(new ListHandshakesForAccountCommand({}))).Handshakes!;
  assert.equal(mine.length, 1);
  const notes = JSON.stringify(mine[0]!.Resources);
  assert.match(notes, /Join us/);
  await s.orgs("888888888888").send(new AcceptHandshakeCommand({ HandshakeId: mine[0]!.Id }));
  const tags = (await s.orgs().send(new ListTagsForResourceCommand({ ResourceId: "888888888888" }))).Tags!;
  assert.deepEqual(tags, [{ Key: "Team", Value: "data" }]);
});

test("Export: open invitations are exported as invitations and round-trip; an accepted one is a member instead", async () => {
  await seed(WITH_INVITATIONS);
  const a = await exported();
  assert.match(
    a,
    /invitations:\n\s+- account: "888888888888"\n\s+notes: Join us\n\s+tags:\n\s+Team: data\n\s+- email: owner@startup\.example\.com/,
  );
  const again = await seed(a);
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(await exported(), a);

  const invite = (await s.orgs("888888888888").send(new ListHandshakesForAccountCommand({}))).Handshakes![0]!;
  await s.orgs("888888888888").send(new AcceptHandshakeCommand({ HandshakeId: invite.Id }));
  const after = await exported();
  assert.doesNotMatch(after, /account: "888888888888"/);
  assert.match(after, /id: "888888888888"/);
});

test("Seed: an invitation names an account id or an email, not both and not neither", async () => {
  const res = await seed(`
organizations:
  - management: "111111111111"
    invitations:
      - { account: "888888888888", email: x@example.com }
      - { notes: nobody }
      - { acount: "888888888888" }
`);
  assert.equal(res.status, 400);
  const messages = res.body.problems!.map((p) => `${p.line}: ${p.message}`);
  assert.ok(
    messages.some((m) => /^5: an invitation names the account or its owner's email, not both/.test(m)),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((m) => /^6: an invitation needs account/.test(m)),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((m) => /unknown key "acount" in an invitation; did you mean "account"\?/.test(m)),
    messages.join("\n"),
  );
});

function accountsOf(node: TreeNode): AccountView[] {
  return [...(node.accounts?.items ?? []), ...node.children.flatMap(accountsOf)];
}

test("examples/org.yaml: accounts that can leave and accounts kept in for each reason, a delegated administrator and open invitations, as the console shows them", async () => {
  const res = await seed(EXAMPLE);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const state = (await (await fetch(`${s.endpoint}/_orgsim/state`)).json()) as ConsoleState;
  const org = state.organization!;
  const byName = new Map(accountsOf(org.root).map((a) => [a.name, a]));
  assert.equal(byName.size, 7, "the small tree opens by itself: every account is shown");
  const first = (name: string) => {
    const leave = byName.get(name)!.leave;
    return leave.canLeave ? "can leave" : (leave.reason ?? leave.error);
  };
  assert.deepEqual(
    ["legacy-sandbox", "sandbox-data", "payments-dev", "log-archive", "payments-prod", "audit", "Management"].map((n) => [n, first(n)]),
    [
      ["legacy-sandbox", "can leave"],
      ["sandbox-data", "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"],
      ["payments-dev", "WAIT_PERIOD_ACTIVE"],
      ["log-archive", "AccessDeniedException"],
      ["payments-prod", "AccessDeniedException"],
      ["audit", "AccessDeniedException"],
      ["Management", "MasterCannotLeaveOrganizationException"],
    ],
  );
  const crosses = byName
    .get("audit")!
    .leave.checks.filter((c) => !c.ok)
    .map((c) => c.rule);
  assert.deepEqual(crosses, ["scp", "delegatedAdministrator"]);
  assert.deepEqual(
    org.delegatedAdministrators.map((d) => [d.accountName, d.servicePrincipal]),
    [
      ["audit", "guardduty.amazonaws.com"],
      ["audit", "securityhub.amazonaws.com"],
    ],
  );
  assert.deepEqual(
    org.handshakes.map((h) => `${h.action} ${h.state}`).sort(),
    ["INVITE ACCEPTED", "INVITE OPEN", "INVITE OPEN"],
    "legacy-sandbox's accepted invitation, and two open ones",
  );
  assert.equal(byName.get("Management")!.id, MANAGEMENT);
});
