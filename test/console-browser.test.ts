/**
 * The console in a real browser (headless Chromium driven by playwright-core): a leave scenario
 * clicked through as a user would, with the AWS SDK acting beside the page, and the panels
 * (policies, explain, search, organization selector, reset). The page must follow every change
 * without being reloaded. Screenshots go to test-results/console/.
 *
 * Skipped, with the reason, when /usr/bin/chromium or playwright-core is missing (a failure
 * instead when ORGSIM_REQUIRE_BROWSER=1, as in CI).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { CHROMIUM, LAUNCH_ARGS, loadChromium } from "./helpers/browser.js";
import { fileURLToPath } from "node:url";
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  EnablePolicyTypeCommand,
  LeaveOrganizationCommand,
  MoveAccountCommand,
  TagResourceCommand,
} from "@aws-sdk/client-organizations";
import { startTestServer, type TestServer } from "./helpers/server.js";
import { insertAccounts } from "./helpers/bulk.js";

// The little of playwright-core's API this test uses, declared here so that the suite still
// compiles where playwright-core is not installed.
interface Locator {
  waitFor(options?: { state?: "attached" | "detached" | "visible" | "hidden"; timeout?: number }): Promise<void>;
  click(): Promise<void>;
  fill(value: string): Promise<void>;
  textContent(): Promise<string | null>;
  count(): Promise<number>;
  isVisible(): Promise<boolean>;
  selectOption(value: string): Promise<unknown>;
  first(): Locator;
}
interface Page {
  goto(url: string): Promise<unknown>;
  locator(selector: string): Locator;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
  on(event: "pageerror", listener: (error: Error) => void): void;
  on(event: "console", listener: (message: { type(): string; text(): string }) => void): void;
}
interface Browser {
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Chromium {
  launch(options: { executablePath: string; args: readonly string[] }): Promise<Browser>;
}

const SHOTS = fileURLToPath(new URL("../../test-results/console/", import.meta.url));
const WAIT = { timeout: 15_000 };

const chromium = await loadChromium<Chromium>("console browser tests");
const skip = typeof chromium === "string" ? `console browser tests skipped: ${chromium}` : false;

let s: TestServer;
let browser: Browser | undefined;

before(async () => {
  if (typeof chromium === "string") return;
  mkdirSync(SHOTS, { recursive: true });
  s = await startTestServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
});
after(async () => {
  await browser?.close();
  await s?.close();
});

/** A page on the console that records script errors. */
async function openConsole(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  await page.goto(`${s.endpoint}/_orgsim/console`);
  return { page, errors };
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png` });

const verdict = (page: Page, value: string) => page.locator(`#detail [data-verdict="${value}"]`);

test(
  "console: a created account waits, gets four days and readiness, can leave, leaves; the page follows without reloading",
  { skip },
  async () => {
    await s.freshOrg();
    const id = await s.createAccount("leaver@example.com");
    await s.orgs().send(
      new TagResourceCommand({
        ResourceId: id,
        Tags: [
          { Key: "team", Value: "platform" },
          { Key: "cost-center", Value: "4711" },
        ],
      }),
    );
    const hostileName = "<img src=x onerror=__xss=1><b>Mallory</b> & co";
    const mallory = await s.createAccount("mallory@example.com", { name: hostileName });

    const { page, errors } = await openConsole();
    const row = page.locator(`#tree [data-account-id="${id}"]`);
    await row.waitFor(WAIT);
    assert.match((await row.textContent()) ?? "", /leaver.*waiting period · 4 days left/);
    await page.evaluate(() => {
      (globalThis as unknown as { __orgsimMarker?: number }).__orgsimMarker = 42;
    });

    // User data is text, never markup.
    const malloryRow = page.locator(`#tree [data-account-id="${mallory}"]`);
    assert.ok(((await malloryRow.textContent()) ?? "").includes(hostileName));
    assert.equal(await page.locator("#tree img, #tree b").count(), 0);
    await shot(page, "01-created-account-waiting");

    await row.click();
    await verdict(page, "WAIT_PERIOD_ACTIVE").waitFor(WAIT);
    const waiting = (await page.locator("#detail").textContent()) ?? "";
    assert.match(waiting, /ConstraintViolationException \(WAIT_PERIOD_ACTIVE\)/);
    assert.ok(waiting.includes("This operation requires a wait period.  Try again later."));
    assert.match(waiting, /Waiting period: 4 days left/);
    assert.match(waiting, /team.*platform/);
    // Every rule as a checklist, not only the first that blocks.
    const checks = async () => {
      const marks: string[] = [];
      for (const rule of ["delegatedAdministrator", "waitingPeriod", "supportPlan", "contactInformation", "paymentMethod"]) {
        const item = page.locator(`#detail [data-check="${rule}"]`);
        marks.push(`${(await item.textContent())?.trim().slice(0, 1)} ${rule}`);
      }
      return marks;
    };
    assert.match(waiting, /4 rules keep it in:/);
    assert.deepEqual(await checks(), [
      "✓ delegatedAdministrator",
      "✗ waitingPeriod",
      "✗ supportPlan",
      "✗ contactInformation",
      "✗ paymentMethod",
    ]);
    assert.match(
      (await page.locator('#detail [data-check="waitingPeriod"]').textContent()) ?? "",
      /answered first.*WAIT_PERIOD_ACTIVE 4 days left/,
    );
    await shot(page, "02-account-detail-waiting");

    await page.locator('button[data-advance="345600"]').click();
    await verdict(page, "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA").waitFor(WAIT);
    assert.match((await page.locator("#clock-offset").textContent()) ?? "", /\+4d/);
    assert.deepEqual(await checks(), [
      "✓ delegatedAdministrator",
      "✓ waitingPeriod",
      "✗ supportPlan",
      "✗ contactInformation",
      "✗ paymentMethod",
    ]);
    await shot(page, "03-after-four-days");

    const steps = [
      ["supportPlan", "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"],
      ["contactInformation", "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED"],
      ["paymentMethod", "can-leave"],
    ];
    for (const [item, next] of steps) {
      await page.locator(`#detail label:has(input[data-readiness="${item}"])`).click();
      await verdict(page, next!).waitFor(WAIT);
    }
    assert.match((await row.textContent()) ?? "", /can leave/);
    assert.match((await page.locator("#detail").textContent()) ?? "", /Every rule passes:/);
    assert.deepEqual(await checks(), [
      "✓ delegatedAdministrator",
      "✓ waitingPeriod",
      "✓ supportPlan",
      "✓ contactInformation",
      "✓ paymentMethod",
    ]);
    const ready = await s.control("GET", `/_orgsim/accounts/${id}/standalone`);
    assert.deepEqual(ready.body, { accountId: id, supportPlan: true, contactInformation: true, paymentMethod: true });
    await shot(page, "04-can-leave");

    await s.orgs(id).send(new LeaveOrganizationCommand({}));
    await row.waitFor({ state: "detached", ...WAIT });
    const departed = page.locator('#tab-events [data-event-name="AccountDepartedOrganization"]');
    await departed.waitFor(WAIT);
    assert.match((await departed.textContent()) ?? "", new RegExp(`accountId${id}.*departureMethodLEFT`));
    assert.match(
      (await page.locator("#tab-events .event").first().textContent()) ?? "",
      /AccountDepartedOrganization/,
      "newest event first",
    );
    await page.locator("#detail .verdict-neutral").waitFor(WAIT);
    assert.match((await page.locator("#detail").textContent()) ?? "", /Not a member of this organization\./);
    const marker = await page.evaluate(() => (globalThis as unknown as { __orgsimMarker?: number }).__orgsimMarker);
    assert.equal(marker, 42, "the page was never reloaded");
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss), undefined);
    await shot(page, "05-after-leave");
    assert.deepEqual(errors, []);
  },
);

test(
  "console: policies with content and targets, the explain form, search, the organization selector and reset with confirmation",
  { skip },
  async () => {
    const { rootId } = await s.freshOrg();
    const locked = await s.createOu(rootId, "Locked");
    await s.createOu(rootId, "Sandbox");
    const member = await s.invite("333333333333");
    await s.orgs().send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: locked }));
    await s.openInvitation("444444444444");
    await s.orgs().send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
    const content = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "NoLeaving", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }],
    });
    const policy = await s
      .orgs()
      .send(new CreatePolicyCommand({ Name: "deny-leave", Description: "Members stay", Content: content, Type: "SERVICE_CONTROL_POLICY" }));
    const policyId = policy.Policy!.PolicySummary!.Id!;
    await s.orgs().send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: locked }));
    await s.createAccount("build@example.com");

    const { page, errors } = await openConsole();
    await page.locator(`#tree [data-container-id="${locked}"]`).waitFor(WAIT);
    // The tree opens expanded: the member in its OU shows without a click, blocked by the SCP.
    const memberRow = page.locator(`#tree [data-account-id="${member}"]`);
    await memberRow.waitFor(WAIT);
    assert.match((await memberRow.textContent()) ?? "", /SCP denies leaving/);

    // Policies: content and targets.
    await page.locator('[data-tab="policies"]').click();
    const card = page.locator(`#tab-policies [data-policy-id="${policyId}"]`);
    await card.waitFor(WAIT);
    const cardText = (await card.textContent()) ?? "";
    assert.match(cardText, /deny-leave/);
    assert.match(cardText, /attached to 1 target/);
    assert.match(cardText, /Locked/);
    assert.match(cardText, /"Action": "organizations:LeaveOrganization"/, "the content, pretty-printed");
    await shot(page, "06-policies");

    // Handshakes.
    await page.locator('[data-tab="handshakes"]').click();
    assert.match((await page.locator("#tab-handshakes").textContent()) ?? "", /OPEN.*INVITE.*444444444444/s);

    // Explain: the SCP decision, with the policy and level that decided.
    await page.locator('[data-tab="explain"]').click();
    await page.locator("#explain-account").fill(member);
    await page.locator("#explain-action").fill("organizations:LeaveOrganization");
    await page.locator('#explain-form button[type="submit"]').click();
    const decision = page.locator('#explain-result [data-decision="EXPLICIT_DENY"]');
    await decision.waitFor(WAIT);
    const explained = (await page.locator("#explain-result").textContent()) ?? "";
    assert.match(explained, /Denied by an explicit Deny/);
    assert.match(explained, new RegExp(`Decided at ORGANIZATIONAL_UNIT ${locked} by deny-leave ${policyId} \\(statement NoLeaving\\)`));
    assert.match(explained, /with an explicit deny in a service control policy/);
    await shot(page, "07-explain");

    // The OU closes and opens again with its caret; the member's checklist crosses only the SCP.
    const caret = page.locator(`#tree [data-container-id="${locked}"] .caret`);
    await caret.click();
    await memberRow.waitFor({ state: "detached", ...WAIT });
    await caret.click();
    await memberRow.waitFor(WAIT);
    await memberRow.click();
    await verdict(page, "AccessDeniedException").waitFor(WAIT);
    assert.equal(await page.locator('#detail [data-check="scp"][data-ok="false"]').count(), 1);
    assert.equal(await page.locator('#detail [data-check][data-ok="true"]').count(), 5, "an invited, ready member passes every other rule");
    assert.match((await page.locator('#detail [data-check="waitingPeriod"]').textContent()) ?? "", /invited: none/);
    await shot(page, "07b-scp-checklist");

    // Search (server-side) by part of an email: the match's OU opens, other accounts hide.
    await page.locator("#search").fill("build@");
    await page.locator("#search-info").waitFor({ state: "visible", ...WAIT });
    await page.locator(`#tree [data-account-id="${member}"]`).waitFor({ state: "detached", ...WAIT });
    assert.match(
      (await page.locator("#search-info").textContent()) ?? "",
      /1 account matches “build@”/,
      "one account matches, two accounts match",
    );
    assert.match((await page.locator("#tree").textContent()) ?? "", /build/);
    await shot(page, "08-search");
    await page.locator("#search").fill("");
    await page.locator("#search-info").waitFor({ state: "hidden", ...WAIT });

    // A second organization appears: the selector shows up, and switching shows its tree.
    const other = "777777777777";
    const second = await s.createOrg({ management: other });
    const select = page.locator("#org-picker select");
    await select.waitFor(WAIT);
    await select.selectOption(second.orgId);
    await page.locator(`#tree [data-account-id="${other}"]`).waitFor(WAIT);
    assert.equal(await page.locator(`#tree [data-container-id="${locked}"]`).count(), 0);
    await shot(page, "09-second-organization");

    // Reset asks first; cancel keeps everything, confirm empties orgsim.
    await page.locator("#reset").click();
    await page.locator("#reset-dialog").waitFor({ state: "visible", ...WAIT });
    await shot(page, "10-reset-dialog");
    await page.locator("#reset-cancel").click();
    await page.locator("#reset-dialog").waitFor({ state: "hidden", ...WAIT });
    assert.equal(((await s.control("GET", "/_orgsim/state")).body as { organizations: unknown[] }).organizations.length, 2);
    await page.locator("#reset").click();
    await page.locator("#reset-confirm").click();
    await page.locator("#tree .empty").waitFor(WAIT);
    assert.match((await page.locator("#tree").textContent()) ?? "", /No organization yet/);
    assert.equal(((await s.control("GET", "/_orgsim/state")).body as { organizations: unknown[] }).organizations.length, 0);
    await shot(page, "11-after-reset");
    assert.deepEqual(errors, []);
  },
);

test("console: 10,000 accounts load in pages (100 per container, OUs collapsed, show more, search)", { skip }, async () => {
  const { orgId, rootId } = await s.freshOrg();
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

  const { page, errors } = await openConsole();
  const accountRows = page.locator("#tree [data-account-id]");
  await page.locator("#tree .more").waitFor(WAIT);
  assert.equal(await accountRows.count(), 100, "the root shows its first 100 accounts");
  assert.match((await page.locator("#tree .more").textContent()) ?? "", /Showing 100 of 9,001 accounts/);
  assert.match((await page.locator(`#tree [data-container-id="${bulk}"]`).textContent()) ?? "", /1,000/);

  await page.locator("#tree .more button").first().click();
  await page.locator('#tree [data-account-id="100000000198"]').waitFor(WAIT);
  assert.equal(await accountRows.count(), 200);

  await page.locator(`#tree [data-container-id="${bulk}"] .caret`).click();
  await page.locator('#tree [data-account-id="100000009000"]').waitFor(WAIT);
  assert.equal(await accountRows.count(), 300, "an opened OU adds its first 100");
  await shot(page, "12-ten-thousand-accounts");

  await page.locator("#search").fill("acct-0999");
  await page.locator("#search-info").waitFor({ state: "visible", ...WAIT });
  await page.locator('#tree [data-account-id="100000009999"]').waitFor(WAIT);
  assert.match((await page.locator("#search-info").textContent()) ?? "", /10 accounts match “acct-0999”/);
  const bulkRow = (await page.locator(`#tree [data-container-id="${bulk}"]`).textContent()) ?? "";
  assert.match(bulkRow, /10 matches$/, `matches, not matchs: ${bulkRow}`);
  assert.equal(await accountRows.count(), 10);
  await shot(page, "13-ten-thousand-search");
  assert.deepEqual(errors, []);
});
