/**
 * The web protections in a real browser (headless Chromium through playwright-core), with host
 * names mapped to 127.0.0.1 as a DNS-rebinding attacker would (`--host-resolver-rules`):
 * a rebound name gets the 403 page naming --allow-host; a form on another site can't move the
 * clock; a page on a --cors-origin calls Organizations with the SDK's own request (preflight and
 * all) while a page on another origin can't; the --control-token console flow signs a browser
 * in with a cookie and drops the token from the address.
 *
 * Skipped, with the reason, when /usr/bin/chromium or playwright-core is missing (a failure
 * instead when ORGSIM_REQUIRE_BROWSER=1, as in CI).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { CHROMIUM, LAUNCH_ARGS, loadChromium } from "./helpers/browser.js";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateOrganizationCommand, DescribeOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { GetAlternateContactCommand } from "@aws-sdk/client-account";
import { startTestServer, awsError, MANAGEMENT, REGION, type TestServer } from "./helpers/server.js";
import { amzDate } from "./helpers/fuzz-support.js";
import { presignedQuery } from "./helpers/web.js";

// The little of playwright-core's API used here, declared so the suite compiles without it.
interface Response {
  status(): number;
  text(): Promise<string>;
}
interface Page {
  goto(url: string): Promise<Response | null>;
  url(): string;
  content(): Promise<string>;
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg: A): Promise<T>;
  waitForURL(url: string | RegExp, options?: { timeout?: number }): Promise<void>;
  waitForLoadState(state?: "load" | "domcontentloaded" | "networkidle"): Promise<void>;
  locator(selector: string): { waitFor(options?: { timeout?: number }): Promise<void>; textContent(): Promise<string | null> };
  on(event: "pageerror", listener: (error: Error) => void): void;
}
interface Context {
  newPage(): Promise<Page>;
  cookies(): Promise<{ name: string; value: string; httpOnly: boolean; sameSite: string; path: string }[]>;
  close(): Promise<void>;
}
interface Browser {
  newContext(): Promise<Context>;
  close(): Promise<void>;
}
interface Chromium {
  launch(options: { executablePath: string; args: readonly string[] }): Promise<Browser>;
}

const MAPPED = ["attacker.example", "app.example", "evil.example"];
const BROWSER_ARGS = [
  ...LAUNCH_ARGS,
  // What a rebinding attacker achieves with DNS: these names reach 127.0.0.1.
  `--host-resolver-rules=${MAPPED.map((n) => `MAP ${n} 127.0.0.1`).join(", ")}`,
];
const WAIT = { timeout: 15_000 };
const TOKEN = "browser-test-token-0123456789abcd";

const chromium = await loadChromium<Chromium>("browser security tests");
const skip = typeof chromium === "string" ? `browser security tests skipped: ${chromium}` : false;

let s: TestServer; // --cors-origin http://app.example:<pages port>
let pages: Server; // serves a blank page on every name, to give the browser an origin
let pagesPort: number;
let browser: Browser | undefined;

before(async () => {
  if (typeof chromium === "string") return;
  pages = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>a web page</title><p>a web page</p>");
  });
  await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
  pagesPort = (pages.address() as AddressInfo).port;
  s = await startTestServer({ corsOrigins: [`http://app.example:${pagesPort}`] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
});
after(async () => {
  await browser?.close();
  await s?.close();
  await new Promise((r) => (pages ? pages.close(r) : r(undefined)));
});

const port = () => new URL(s.endpoint).port;
const clockOffset = async () => ((await s.control("GET", "/_orgsim/clock")).body as { offsetSeconds: number }).offsetSeconds;

/** A page opened on `origin` (a blank page of the pages server). */
async function pageOn(context: Context, name: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`http://${name}:${pagesPort}/`);
  return page;
}

test(
  "Rule (DNS rebinding) in a browser: a rebound name opens orgsim's 403 page naming --allow-host, and that page's script can't read or reset anything",
  { skip },
  async () => {
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      const res = await page.goto(`http://attacker.example:${port()}/_orgsim/console`);
      assert.equal(res?.status(), 403);
      assert.match(await page.content(), /--allow-host attacker\.example/);
      // The attacker's page is same-origin with the rebound name: its fetches carry Host: attacker.example.
      const answers = await page.evaluate(async () => {
        const reset = await fetch("/_orgsim/clock", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: '{"advanceSeconds": 86400}',
        });
        const state = await fetch("/_orgsim/state");
        return [reset.status, state.status];
      }, undefined);
      assert.deepEqual(answers, [403, 403]);
      assert.equal(await clockOffset(), 0);
    } finally {
      await context.close();
    }
  },
);

test(
  "Rule (cross-site) in a browser: another site's form (text/plain, JSON-looking) and no-cors fetch can't move the clock or store an alternate contact",
  { skip },
  async () => {
    await s.reset();
    const context = await browser!.newContext();
    try {
      const page = await pageOn(context, "evil.example");
      const presigned = `${s.endpoint}/putAlternateContact?${presignedQuery(MANAGEMENT, "account", amzDate())}`;
      await page.evaluate(async (url) => {
        await fetch(url, {
          method: "POST",
          mode: "no-cors",
          headers: { "Content-Type": "text/plain" },
          body: JSON.stringify({
            AlternateContactType: "BILLING",
            EmailAddress: "m@example.com",
            Name: "Mallory",
            PhoneNumber: "+1 555",
            Title: "t",
          }),
        });
      }, presigned);
      const e = await awsError(() => s.account().send(new GetAlternateContactCommand({ AlternateContactType: "BILLING" })));
      assert.equal(e.name, "ResourceNotFoundException", "the no-cors post changed nothing");

      // A classic CSRF form: text/plain with a body that parses as JSON.
      await page.evaluate((action) => {
        const form = document.createElement("form");
        form.method = "POST";
        form.action = action;
        form.enctype = "text/plain";
        const input = document.createElement("input");
        input.name = '{"advanceSeconds": 86400, "x": "';
        input.value = '"}';
        form.appendChild(input);
        document.body.appendChild(form);
        form.submit();
      }, `${s.endpoint}/_orgsim/clock`);
      await page.waitForURL(/\/_orgsim\/clock$/, WAIT);
      assert.match(await page.content(), /OriginNotAllowed|CrossSiteRequest/);
      assert.equal(await clockOffset(), 0);
    } finally {
      await context.close();
    }
  },
);

test(
  "Rule (CORS) in a browser: a page on the --cors-origin sends the SDK's own Organizations request (preflighted) and reads the answer and x-amzn-RequestId; a page on another origin can't",
  { skip },
  async () => {
    await s.reset();
    // The request the AWS SDK for JavaScript v3 builds and signs, captured instead of sent.
    let captured: { method: string; path: string; headers: Record<string, string>; body?: unknown } | undefined;
    const capturing = new OrganizationsClient({
      endpoint: s.endpoint,
      region: REGION,
      credentials: { accessKeyId: MANAGEMENT, secretAccessKey: "x" },
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: { method: string; path: string; headers: Record<string, string>; body?: unknown }) => {
          captured = request;
          throw new Error("captured");
        },
      } as never,
    });
    await capturing.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })).catch(() => undefined);
    assert.ok(captured, "the SDK built a request");
    // Headers a page's script may not set (the browser sets them itself).
    const headers = Object.fromEntries(
      Object.entries(captured.headers).filter(([k]) => !["host", "content-length", "user-agent"].includes(k.toLowerCase())),
    );
    assert.ok(headers["x-amz-target"] && headers.authorization && headers["amz-sdk-invocation-id"], JSON.stringify(headers));
    const raw = captured.body;
    const body = typeof raw === "string" ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString("utf8") : "";
    assert.match(body, /"FeatureSet":"ALL"/);
    const call = { url: `${s.endpoint}${captured.path}`, method: captured.method, headers, body };

    const context = await browser!.newContext();
    try {
      const foreign = await pageOn(context, "evil.example");
      const refused = await foreign.evaluate(async (c) => {
        try {
          await fetch(c.url, { method: c.method, headers: c.headers, body: c.body });
          return "answered";
        } catch (err) {
          return (err as Error).name;
        }
      }, call);
      assert.equal(refused, "TypeError", "CORS failure: the preflight was refused");
      assert.equal((await awsError(() => s.orgs().send(new DescribeOrganizationCommand({})))).name, "AWSOrganizationsNotInUseException");

      const app = await pageOn(context, "app.example");
      const answer = await app.evaluate(async (c) => {
        const res = await fetch(c.url, { method: c.method, headers: c.headers, body: c.body });
        return { status: res.status, requestId: res.headers.get("x-amzn-RequestId"), body: await res.text() };
      }, call);
      assert.equal(answer.status, 200, answer.body);
      assert.ok(answer.requestId, "x-amzn-RequestId is exposed to the page");
      assert.match(answer.body, /"FeatureSet":"ALL"/);
      const again = await app.evaluate(async (c) => {
        const res = await fetch(c.url, { method: c.method, headers: c.headers, body: c.body });
        return { status: res.status, type: res.headers.get("x-amzn-ErrorType"), body: await res.text() };
      }, call);
      assert.equal(again.status, 400);
      assert.match(again.body, /AlreadyInOrganizationException/, "errors are readable too");
    } finally {
      await context.close();
    }
  },
);

test(
  "Rule (--control-token) in a browser: /_orgsim/console?token= signs the browser in (HttpOnly SameSite=Strict cookie), drops the token from the address and the console loads its data; a fresh browser sees the token page",
  { skip },
  async () => {
    const t = await startTestServer({ controlToken: TOKEN });
    const context = await browser!.newContext();
    try {
      await t.createOrg();
      const errors: string[] = [];
      const page = await context.newPage();
      page.on("pageerror", (err) => errors.push(err.message));
      await page.goto(`${t.endpoint}/_orgsim/console?token=${encodeURIComponent(TOKEN)}`);
      assert.equal(page.url(), `${t.endpoint}/_orgsim/console`, "the token is gone from the address");
      await page.locator(`#tree [data-account-id="${MANAGEMENT}"]`).waitFor(WAIT);
      const cookies = await context.cookies();
      assert.equal(cookies.length, 1);
      assert.equal(cookies[0]!.httpOnly, true);
      assert.equal(cookies[0]!.sameSite, "Strict");
      assert.ok(!cookies[0]!.value.includes(TOKEN));
      // The page's own writes work with the cookie (the clock buttons).
      const status = await page.evaluate(
        async () =>
          (
            await fetch("/_orgsim/clock", {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: '{"advanceSeconds": 60}',
            })
          ).status,
        undefined,
      );
      assert.equal(status, 200);
      assert.deepEqual(errors, []);

      const fresh = await browser!.newContext();
      try {
        const other = await fresh.newPage();
        const res = await other.goto(`${t.endpoint}/_orgsim/console`);
        assert.equal(res?.status(), 401);
        assert.match(await other.content(), /control token required/);
      } finally {
        await fresh.close();
      }
    } finally {
      await context.close();
      await t.close();
    }
  },
);
