/**
 * orgsim's promise that a web page in the user's browser can't drive it (docs/security.md):
 * DNS rebinding (the Host check on every path), cross-site requests (Origin, Sec-Fetch-Site,
 * Referer; CORS for --cors-origin), JSON-only control writes, and the --control-token (control
 * API, console cookie flow, health). Real SDK clients send none of the browser's headers, so
 * they must see no change. Each refused request leaves the state as it was.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostname, networkInterfaces } from "node:os";
import {
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AccountClient, GetAlternateContactCommand, PutAlternateContactCommand } from "@aws-sdk/client-account";
import { startTestServer, useTestServer, awsError, MANAGEMENT, REGION, type TestServer } from "./helpers/server.js";
import { amzDate, authorization, jsonErrorProblem, queryErrorProblem, rawHttp, restErrorProblem } from "./helpers/fuzz-support.js";
import { parseJson, presignedQuery, web, withHeaders } from "./helpers/web.js";
import { resolveSettings, SettingsError } from "../src/config.js";
import { START_OPTIONS, startOverrides } from "../src/cli.js";
import { parseArgs } from "../src/cli/args.js";
import { hostAllowed, hostPolicy, parseHostHeader } from "../src/http/hosts.js";

const REBOUND = "attacker.example";
const FOREIGN = "http://evil.example";
const TOKEN = "s3cret-token-for-tests-0123456789";

let host: string; // 127.0.0.1:<port>
const s = useTestServer({}, (server) => {
  host = new URL(server.endpoint).host;
});

const clockOffset = async (server: TestServer = s) =>
  ((await server.control("GET", "/_orgsim/clock")).body as { offsetSeconds: number }).offsetSeconds;
const noOrganization = async (server: TestServer = s) => {
  const e = await awsError(() => server.orgs().send(new DescribeOrganizationCommand({})));
  assert.equal(e.name, "AWSOrganizationsNotInUseException", "no organization was created");
};
const orgsJsonHeaders = (operation: string, date = amzDate()) => ({
  "content-type": "application/x-amz-json-1.1",
  "x-amz-target": `AWSOrganizationsV20161128.${operation}`,
  "x-amz-date": date,
  authorization: authorization(MANAGEMENT, "organizations", date),
});
const alternateContact = JSON.stringify({
  AlternateContactType: "BILLING",
  EmailAddress: "billing@example.com",
  Name: "Mallory",
  PhoneNumber: "+1 555 0100",
  Title: "CFO",
});
const billingContact = async (server: TestServer = s) =>
  (await awsError(() => server.account().send(new GetAlternateContactCommand({ AlternateContactType: "BILLING" })))).name;

// ---------------------------------------------------------------------------------------------
// 1. DNS rebinding: the Host header
// ---------------------------------------------------------------------------------------------

test("Rule (DNS rebinding): an AWS call naming a foreign Host is refused 403 in its protocol's error shape, naming --allow-host; the SDKs parse it; nothing changes", async () => {
  await s.reset();
  const rebound = { host: `${REBOUND}:${new URL(s.endpoint).port}` };

  const orgs = await awsError(() => withHeaders(s.orgs(), rebound).send(new CreateOrganizationCommand({ FeatureSet: "ALL" })));
  assert.equal(orgs.name, "AccessDeniedException");
  assert.equal(orgs.status, 403);
  assert.match(orgs.message, /--allow-host attacker\.example/);
  assert.match(orgs.message, /DNS rebinding/);
  assert.ok(orgs.requestId, "x-amzn-RequestId is set");

  const sts = await awsError(() => withHeaders(s.sts(), rebound).send(new GetCallerIdentityCommand({})));
  assert.equal(sts.name, "AccessDenied");
  assert.equal(sts.status, 403);
  assert.match(sts.message, /--allow-host attacker\.example/);

  const account = await awsError(() =>
    withHeaders(s.account(), rebound).send(
      new PutAlternateContactCommand({
        AlternateContactType: "BILLING",
        EmailAddress: "b@example.com",
        Name: "n",
        PhoneNumber: "+1 555",
        Title: "t",
      }),
    ),
  );
  assert.equal(account.name, "AccessDeniedException");
  assert.equal(account.status, 403);

  await noOrganization();
  assert.equal(await billingContact(), "ResourceNotFoundException", "no alternate contact was stored");
});

test("Rule (DNS rebinding): control writes and reads, the console and any other path are refused for a foreign Host; the clock does not move", async () => {
  const h = { host: REBOUND };
  const write = await web(s.endpoint, {
    method: "POST",
    path: "/_orgsim/clock",
    headers: { ...h, "content-type": "application/json" },
    body: '{"advanceSeconds": 86400}',
  });
  assert.equal(write.status, 403);
  assert.equal(parseJson(write.body).error, "HostNotAllowed");
  assert.match(String(parseJson(write.body).message), /--allow-host attacker\.example/);
  assert.equal(await clockOffset(), 0);

  for (const path of [
    "/_orgsim/state",
    "/_orgsim/console",
    "/_orgsim/console/app.js",
    "/_orgsim/credentials",
    "/_orgsim/health",
    "/_orgsim/nope",
    "/anything",
  ]) {
    const a = await web(s.endpoint, { path, headers: h });
    assert.equal(a.status, 403, path);
    assert.match(a.body, /--allow-host/, path);
  }
  const reset = await web(s.endpoint, { method: "POST", path: "/_orgsim/reset", headers: h });
  assert.equal(reset.status, 403);
  // A name that merely starts or ends like an allowed one is not one.
  for (const name of ["localhost.attacker.example", "127.0.0.1.nip.io", "attacker-localhost", "localhost.", "localhostx"]) {
    const a = await web(s.endpoint, { path: "/_orgsim/clock", headers: { host: name } });
    assert.equal(a.status, name === "localhost." ? 200 : 403, name);
  }
});

test("Rule (DNS rebinding): loopback names and any IP address pass, with or without a port (localhost, *.localhost, 127.0.0.0/8, [::1], 10.x); so does a request without Host (HTTP/1.0)", async () => {
  const port = new URL(s.endpoint).port;
  for (const name of [
    host,
    `localhost:${port}`,
    "localhost",
    `LOCALHOST:${port}`,
    `app.localhost:${port}`,
    "127.0.0.2",
    `127.255.0.9:${port}`,
    `[::1]:${port}`,
    "[::1]",
    "10.1.2.3:80",
    "[fe80::1]",
  ]) {
    const a = await web(s.endpoint, { path: "/_orgsim/clock", headers: { host: name } });
    assert.equal(a.status, 200, `${name}: ${a.body}`);
  }
  const sdk = await withHeaders(s.orgs(), { host: `localhost:${port}` })
    .send(new ListRootsCommand({}))
    .catch((e: Error) => e);
  assert.equal((sdk as Error).name, "AWSOrganizationsNotInUseException", "the call reached the operation");
  const http10 = await rawHttp(Number(port), ["GET /_orgsim/clock HTTP/1.0\r\n\r\n"]);
  assert.equal(http10?.status, 200, "no Host: not a browser, so not a rebinding page");
  const malformed = await rawHttp(Number(port), ["GET /_orgsim/clock HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n"]);
  assert.equal(malformed?.status, 403);
});

test("Rule (DNS rebinding): on an IPv6 loopback listener, [::1] and localhost pass and a rebound name is refused", async () => {
  const v6 = await startTestServer({ host: "::1" });
  try {
    assert.match(v6.endpoint, /^http:\/\/\[::1\]:\d+$/);
    const ok = await web(v6.endpoint, { path: "/_orgsim/clock" });
    assert.equal(ok.status, 200);
    assert.equal((await web(v6.endpoint, { path: "/_orgsim/clock", headers: { host: "localhost" } })).status, 200);
    assert.equal((await web(v6.endpoint, { path: "/_orgsim/clock", headers: { host: REBOUND } })).status, 403);
  } finally {
    await v6.close();
  }
});

test("Rule (DNS rebinding): --allow-host adds names (exact, .domain for a domain and its subdomains, or *); everything else stays refused", async () => {
  const named = await startTestServer({ allowHosts: ["orgsim.internal", ".corp.example", "*.svc.test"] });
  try {
    for (const name of ["orgsim.internal", "ORGSIM.INTERNAL:4599", "corp.example", "a.b.corp.example:80", "x.svc.test", "svc.test"]) {
      assert.equal((await web(named.endpoint, { path: "/_orgsim/clock", headers: { host: name } })).status, 200, name);
    }
    for (const name of ["orgsim.internal.attacker.example", "evilcorp.example", "corp.example.attacker.example", REBOUND]) {
      assert.equal((await web(named.endpoint, { path: "/_orgsim/clock", headers: { host: name } })).status, 403, name);
    }
    const sdk = await withHeaders(named.orgs(), { host: "orgsim.internal" }).send(new CreateOrganizationCommand({}));
    assert.ok(sdk.Organization?.Id);
  } finally {
    await named.close();
  }
  const any = await startTestServer({ allowHosts: ["*"] });
  try {
    assert.equal(
      (await web(any.endpoint, { path: "/_orgsim/clock", headers: { host: REBOUND } })).status,
      200,
      "--allow-host * turns the check off",
    );
  } finally {
    await any.close();
  }
});

test("Host policy (pure): the bound name is allowed; listening on every interface also allows the machine's own name; its interface addresses are IP addresses and pass", () => {
  assert.ok(hostAllowed(hostPolicy("orgsim.box", []), "orgsim.box"));
  assert.ok(!hostAllowed(hostPolicy("127.0.0.1", [], "buildhost.corp"), "buildhost.corp"));
  const all = hostPolicy("0.0.0.0", [], "buildhost.corp");
  assert.ok(hostAllowed(all, "buildhost.corp") && hostAllowed(all, "buildhost"));
  assert.ok(hostAllowed(hostPolicy("::", [], "ctr"), "ctr"));
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      const name = a.family === "IPv6" ? `[${a.address}]` : a.address;
      assert.ok(hostAllowed(all, parseHostHeader(name)!.name), name);
    }
  }
  assert.equal(parseHostHeader("[::1]:80")?.name, "[::1]");
  assert.equal(parseHostHeader("Example.COM.:443")?.name, "example.com");
  for (const bad of ["", " ", "a b", "[zz]", "user@host", "host:port", "[::1", "http://x"])
    assert.equal(parseHostHeader(bad), undefined, JSON.stringify(bad));
  assert.ok(hostname().length > 0);
});

// ---------------------------------------------------------------------------------------------
// 2. Cross-site requests
// ---------------------------------------------------------------------------------------------

test("Rule (cross-site): a text/plain PutAlternateContact with presigned query auth (a form-like simple request) works from a non-browser client but is refused with a foreign Origin or Sec-Fetch-Site: cross-site", async () => {
  await s.reset();
  const path = `/putAlternateContact?${presignedQuery(MANAGEMENT, "account", amzDate())}`;
  const browserShapes: Record<string, string>[] = [
    { origin: FOREIGN },
    { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" },
    { origin: "null" },
    { "sec-fetch-site": "same-site" },
  ];
  for (const headers of browserShapes) {
    const a = await web(s.endpoint, {
      method: "POST",
      path,
      headers: { "content-type": "text/plain;charset=UTF-8", ...headers },
      body: alternateContact,
    });
    assert.equal(a.status, 403, JSON.stringify(headers));
    assert.equal(restErrorProblem(a, ["AccessDeniedException"]), undefined, a.body);
    assert.equal(await billingContact(), "ResourceNotFoundException", `state unchanged after ${JSON.stringify(headers)}`);
  }
  // The same request from a script (no browser headers) is what the refusal must not break.
  const plain = await web(s.endpoint, {
    method: "POST",
    path,
    headers: { "content-type": "text/plain;charset=UTF-8" },
    body: alternateContact,
  });
  assert.equal(plain.status, 200, plain.body);
});

test("Rule (cross-site): CreateOrganization and an STS form post with a foreign Origin are refused in their protocol's error shape, naming --cors-origin; no organization is created", async () => {
  await s.reset();
  const json = await web(s.endpoint, {
    method: "POST",
    path: "/",
    headers: { ...orgsJsonHeaders("CreateOrganization"), origin: FOREIGN },
    body: "{}",
  });
  assert.equal(json.status, 403);
  assert.equal(jsonErrorProblem(json, ["AccessDeniedException"]), undefined, json.body);
  assert.match(json.body, /--cors-origin http:\/\/evil\.example/);
  assert.equal(json.headers["access-control-allow-origin"], undefined);
  const date = amzDate();
  const query = await web(s.endpoint, {
    method: "POST",
    path: "/",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-amz-date": date,
      authorization: authorization(MANAGEMENT, "sts", date),
      origin: FOREIGN,
    },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
  });
  assert.equal(query.status, 403);
  assert.equal(queryErrorProblem(query, ["AccessDenied"]), undefined, query.body);
  await noOrganization();
});

test("Rule (cross-site): Sec-Fetch-Site cross-site or same-site without a trusted Origin is refused (presigned GETs, control reads, the console's data); a top-level navigation to the console page is not", async () => {
  const presigned = `/?Action=GetCallerIdentity&Version=2011-06-15&${presignedQuery(MANAGEMENT, "sts", amzDate())}`;
  assert.equal((await web(s.endpoint, { path: presigned })).status, 200, "the presigned GET works from a script");
  for (const site of ["cross-site", "same-site"]) {
    const img = await web(s.endpoint, {
      path: presigned,
      headers: { "sec-fetch-site": site, "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" },
    });
    assert.equal(img.status, 403, site);
    assert.equal(queryErrorProblem(img, ["AccessDenied"]), undefined);
    assert.match(img.body, /Sec-Fetch-Site: (cross|same)-site/);
    const state = await web(s.endpoint, {
      path: "/_orgsim/state",
      headers: { "sec-fetch-site": site, "sec-fetch-mode": "no-cors", "sec-fetch-dest": "script" },
    });
    assert.equal(state.status, 403);
    assert.equal(parseJson(state.body).error, "CrossSiteRequest");
    const nav = await web(s.endpoint, {
      path: "/_orgsim/console",
      headers: { "sec-fetch-site": site, "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
    });
    assert.equal(nav.status, 200, "a link from another site may open the console page");
    const framed = await web(s.endpoint, {
      path: "/_orgsim/console",
      headers: { "sec-fetch-site": site, "sec-fetch-mode": "navigate", "sec-fetch-dest": "iframe" },
    });
    assert.equal(framed.status, 403, "but not inside another site's frame");
  }
  for (const site of ["same-origin", "none"]) {
    assert.equal((await web(s.endpoint, { path: "/_orgsim/state", headers: { "sec-fetch-site": site } })).status, 200, site);
  }
});

test("Rule (cross-site): the console's own origin may write; a foreign Referer on a write without Origin (an old browser) is refused; scripts without browser headers are unaffected", async () => {
  const own = await web(s.endpoint, {
    method: "POST",
    path: "/_orgsim/clock",
    headers: { origin: `http://${host}`, "sec-fetch-site": "same-origin", "content-type": "application/json" },
    body: '{"advanceSeconds": 1}',
  });
  assert.equal(own.status, 200);
  assert.equal(own.headers["access-control-allow-origin"], undefined, "same-origin needs no CORS header");
  const before = await clockOffset();
  const referer = await web(s.endpoint, {
    method: "POST",
    path: "/_orgsim/clock",
    headers: { referer: `${FOREIGN}/page.html`, "content-type": "application/json" },
    body: '{"advanceSeconds": 60}',
  });
  assert.equal(referer.status, 403);
  assert.equal(parseJson(referer.body).error, "OriginNotAllowed");
  const ownReferer = await web(s.endpoint, {
    method: "POST",
    path: "/_orgsim/clock",
    headers: { referer: `http://${host}/_orgsim/console`, "content-type": "application/json" },
    body: '{"advanceSeconds": 60}',
  });
  assert.equal(ownReferer.status, 200);
  assert.equal(await clockOffset(), before + 60);
  // Origin with another port of the same host is another origin (same-site, not same-origin).
  const otherPort = await web(s.endpoint, { method: "POST", path: "/_orgsim/reset", headers: { origin: "http://127.0.0.1:1" } });
  assert.equal(otherPort.status, 403);
});

test("Rule (control API takes JSON only): every control write with a form, text, multipart or YAML body, or a body without Content-Type, is 415 and changes nothing; an empty write without Content-Type and JSON with a charset pass", async () => {
  await s.reset();
  await s.sim.seed({ organizations: [{ management: MANAGEMENT }] });
  const writes: [string, string, string][] = [
    ["POST", "/_orgsim/reset", "{}"],
    ["POST", "/_orgsim/clock", '{"advanceSeconds": 86400}'],
    ["PUT", `/_orgsim/accounts/${MANAGEMENT}/standalone`, '{"supportPlan": false}'],
    ["PUT", `/_orgsim/accounts/${MANAGEMENT}/govcloud`, '{"enabled": true}'],
    ["POST", "/_orgsim/faults", '{"operation": "ListRoots", "error": "ServiceException"}'],
    ["DELETE", "/_orgsim/faults", "{}"],
    ["POST", "/_orgsim/credentials", `{"accountId": "${MANAGEMENT}"}`],
    ["PUT", "/_orgsim/quotas", '{"accountsPerOrganization": 1}'],
    ["POST", "/_orgsim/seed?reset=true", "organizations: []"],
  ];
  const types = [
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/yaml",
    "application/jsonx",
    "text/json",
    undefined,
  ];
  for (const [method, path, body] of writes) {
    for (const type of types) {
      const a = await web(s.endpoint, { method, path, headers: type === undefined ? {} : { "content-type": type }, body });
      assert.equal(a.status, 415, `${method} ${path} ${type}: ${a.body}`);
      assert.equal(parseJson(a.body).error, "UnsupportedMediaType");
    }
  }
  const seedHint = await web(s.endpoint, {
    method: "POST",
    path: "/_orgsim/seed",
    headers: { "content-type": "application/yaml" },
    body: "organizations: []",
  });
  assert.match(String(parseJson(seedHint.body).message), /\{"yaml": /);
  // Nothing changed: the organization, the clock, readiness, faults, quotas.
  assert.equal(await clockOffset(), 0);
  assert.ok((await s.orgs().send(new DescribeOrganizationCommand({}))).Organization?.Id);
  assert.deepEqual(((await s.control("GET", "/_orgsim/faults")).body as { faults: unknown[] }).faults, []);
  assert.equal(((await s.control("GET", `/_orgsim/accounts/${MANAGEMENT}/standalone`)).body as { supportPlan: boolean }).supportPlan, true);
  assert.deepEqual(((await s.control("GET", "/_orgsim/quotas")).body as { overrides: object }).overrides, {});

  const charset = await web(s.endpoint, {
    method: "POST",
    path: "/_orgsim/clock",
    headers: { "content-type": "Application/JSON; charset=utf-8" },
    body: '{"advanceSeconds": 1}',
  });
  assert.equal(charset.status, 200);
  const empty = await web(s.endpoint, { method: "POST", path: "/_orgsim/reset" });
  assert.equal(empty.status, 200, "curl -XPOST .../reset sends no body and no type");
  const seeded = await web(s.endpoint, {
    method: "POST",
    path: "/_orgsim/seed",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ yaml: `organizations:\n  - management: "${MANAGEMENT}"\n` }),
  });
  assert.equal(seeded.status, 200, seeded.body);
  const asJson = await web(s.endpoint, {
    method: "POST",
    path: "/_orgsim/seed?reset=true",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ organizations: [{ management: "222222222222" }] }),
  });
  assert.equal(asJson.status, 200, "a seed written as JSON is the body itself");
  const badYaml = await web(s.endpoint, {
    method: "POST",
    path: "/_orgsim/seed?source=org.yaml",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ yaml: "organizations:\n  - management: 12\n    nope: 1\n" }),
  });
  assert.equal(badYaml.status, 400);
  assert.ok(
    (parseJson(badYaml.body).problems as { line?: number }[]).some((p) => p.line === 2 || p.line === 3),
    "problems keep the YAML's lines",
  );
});

// ---------------------------------------------------------------------------------------------
// CORS for --cors-origin
// ---------------------------------------------------------------------------------------------

const APP = "http://app.example:3000";
/** What the AWS SDK for JavaScript v3 asks for in a browser before an Organizations call. */
const SDK_HEADERS =
  "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-date,x-amz-security-token,x-amz-target,x-amz-user-agent,x-amz-content-sha256";

test("Rule (CORS): a preflight from a --cors-origin is answered for the SDK's headers; the SDK's call from that origin works and exposes x-amzn-RequestId; other origins and odd headers are refused", async () => {
  const cors = await startTestServer({ corsOrigins: [APP, "https://console.corp.example"] });
  try {
    const pre = await web(cors.endpoint, {
      method: "OPTIONS",
      path: "/",
      headers: {
        origin: APP,
        "access-control-request-method": "POST",
        "access-control-request-headers": SDK_HEADERS,
        "sec-fetch-site": "cross-site",
        "sec-fetch-mode": "cors",
      },
    });
    assert.equal(pre.status, 204, pre.body);
    assert.equal(pre.headers["access-control-allow-origin"], APP);
    assert.match(pre.headers["access-control-allow-methods"] ?? "", /\bPOST\b/);
    assert.deepEqual((pre.headers["access-control-allow-headers"] ?? "").split(", ").sort(), SDK_HEADERS.split(",").sort());
    assert.match(pre.headers.vary ?? "", /Origin/);
    assert.ok(Number(pre.headers["access-control-max-age"]) > 0);
    assert.equal(pre.headers["access-control-allow-credentials"], undefined, "no cookies cross origins");

    const pna = await web(cors.endpoint, {
      method: "OPTIONS",
      path: "/",
      headers: {
        origin: "https://console.corp.example",
        "access-control-request-method": "POST",
        "access-control-request-private-network": "true",
      },
    });
    assert.equal(pna.headers["access-control-allow-private-network"], "true", "Chrome's Private Network Access preflight");

    // The SDK's own request, with the headers a browser adds.
    const sdk = withHeaders(cors.orgs(), {
      origin: APP,
      "sec-fetch-site": "cross-site",
      "sec-fetch-mode": "cors",
      "sec-fetch-dest": "empty",
    });
    const created = await sdk.send(new CreateOrganizationCommand({}));
    assert.ok(created.Organization?.Id);
    assert.ok(created.$metadata.requestId, "x-amzn-RequestId read");
    const raw = await web(cors.endpoint, {
      method: "POST",
      path: "/",
      headers: { ...orgsJsonHeaders("DescribeOrganization"), origin: APP, "sec-fetch-site": "cross-site" },
      body: "{}",
    });
    assert.equal(raw.status, 200);
    assert.equal(raw.headers["access-control-allow-origin"], APP);
    assert.match(raw.headers["access-control-expose-headers"] ?? "", /x-amzn-RequestId/);
    assert.match(raw.headers["access-control-expose-headers"] ?? "", /x-amzn-ErrorType/);
    assert.match(raw.headers.vary ?? "", /Origin/);
    // An error answer is readable by the page too.
    const err = await awsError(() => sdk.send(new CreateOrganizationCommand({})));
    assert.equal(err.name, "AlreadyInOrganizationException");

    for (const origin of [FOREIGN, "http://app.example:3001", "https://app.example:3000", "null", "http://app.example:3000.evil.example"]) {
      const refused = await web(cors.endpoint, {
        method: "OPTIONS",
        path: "/",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": SDK_HEADERS },
      });
      assert.equal(refused.status, 403, origin);
      assert.equal(refused.headers["access-control-allow-origin"], undefined, origin);
    }
    const odd = await web(cors.endpoint, {
      method: "OPTIONS",
      path: "/",
      headers: { origin: APP, "access-control-request-method": "POST", "access-control-request-headers": "x-amz-date,x-evil" },
    });
    assert.equal(odd.status, 403);
    assert.match(odd.body, /x-evil/);
    const patch = await web(cors.endpoint, {
      method: "OPTIONS",
      path: "/",
      headers: { origin: APP, "access-control-request-method": "PATCH" },
    });
    assert.equal(patch.status, 403);
    // A control write from the allowed origin (JSON, so preflighted by the browser).
    const ctl = await web(cors.endpoint, {
      method: "POST",
      path: "/_orgsim/clock",
      headers: { origin: APP, "content-type": "application/json", "sec-fetch-site": "cross-site" },
      body: '{"advanceSeconds": 5}',
    });
    assert.equal(ctl.status, 200);
    assert.equal(ctl.headers["access-control-allow-origin"], APP);
  } finally {
    await cors.close();
  }
});

// ---------------------------------------------------------------------------------------------
// 3. --control-token
// ---------------------------------------------------------------------------------------------

test("Rule (--control-token): every control request must present the token (Bearer or X-Orgsim-Control-Token); without it 401 and nothing changes; the AWS APIs and the in-process API need none", async () => {
  const t = await startTestServer({ controlToken: TOKEN });
  try {
    for (const [method, path] of [
      ["GET", "/_orgsim/clock"],
      ["GET", "/_orgsim/state"],
      ["GET", "/_orgsim/events"],
      ["GET", "/_orgsim/export"],
      ["GET", "/_orgsim/console/app.js"],
      ["POST", "/_orgsim/reset"],
      ["GET", "/_orgsim/nope"],
    ] as const) {
      const a = await web(t.endpoint, { method, path });
      assert.equal(a.status, 401, `${method} ${path}`);
      assert.equal(parseJson(a.body).error, "ControlTokenRequired");
      assert.match(a.headers["www-authenticate"] ?? "", /^Bearer /);
    }
    const advance = (headers: Record<string, string>) =>
      web(t.endpoint, {
        method: "POST",
        path: "/_orgsim/clock",
        headers: { "content-type": "application/json", ...headers },
        body: '{"advanceSeconds": 3600}',
      });
    const wrongs: Record<string, string>[] = [
      { authorization: "Bearer wrong-token-wrong-token" },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${TOKEN}` },
      { "x-orgsim-control-token": TOKEN.slice(0, -1) },
      { cookie: `orgsim_console_${new URL(t.endpoint).port}=${TOKEN}` },
    ];
    for (const wrong of wrongs) {
      assert.equal((await advance(wrong)).status, 401, JSON.stringify(wrong));
    }
    assert.equal((await t.sim.clock()).offsetSeconds, 0, "no refused write moved the clock");
    assert.equal((await advance({ authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await advance({ authorization: `bearer ${TOKEN}` })).status, 200);
    assert.equal((await advance({ "x-orgsim-control-token": TOKEN })).status, 200);
    assert.equal((await t.sim.clock()).offsetSeconds, 3 * 3600);
    // The token comes first; JSON-only still holds for those who have it.
    assert.equal(
      (await web(t.endpoint, { method: "POST", path: "/_orgsim/reset", headers: { "content-type": "text/plain" }, body: "x" })).status,
      401,
    );
    assert.equal(
      (
        await web(t.endpoint, {
          method: "POST",
          path: "/_orgsim/reset",
          headers: { "content-type": "text/plain", authorization: `Bearer ${TOKEN}` },
          body: "x",
        })
      ).status,
      415,
    );
    // AWS APIs: unchanged.
    assert.ok((await t.orgs().send(new CreateOrganizationCommand({}))).Organization?.Id);
    // In process: the control methods call the routes directly.
    await t.sim.advanceClock("1h");
    assert.equal((await t.sim.clock()).offsetSeconds, 4 * 3600);
  } finally {
    await t.close();
  }
});

test("Rule (--control-token): /_orgsim/health answers anyone (orchestrator health checks) with its status only; the details need the token", async () => {
  const t = await startTestServer({ controlToken: TOKEN });
  try {
    const open = await web(t.endpoint, { path: "/_orgsim/health" });
    assert.equal(open.status, 200);
    assert.deepEqual(parseJson(open.body), { status: "ok" });
    const full = await web(t.endpoint, { path: "/_orgsim/health", headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(parseJson(full.body).status, "ok");
    assert.ok(parseJson(full.body).engine, "the engine is shown with the token");
  } finally {
    await t.close();
  }
  const plain = await web(s.endpoint, { path: "/_orgsim/health" });
  assert.ok(parseJson(plain.body).engine, "without --control-token nothing is hidden");
});

test("Rule (--control-token): the console's browser flow: ?token= sets an HttpOnly SameSite=Strict cookie (not the token) and redirects to the address without it; the cookie then opens the page and its data", async () => {
  const t = await startTestServer({ controlToken: TOKEN });
  try {
    const port = new URL(t.endpoint).port;
    const page = await web(t.endpoint, {
      path: "/_orgsim/console",
      headers: { accept: "text/html", "sec-fetch-site": "none", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
    });
    assert.equal(page.status, 401);
    assert.match(page.headers["content-type"] ?? "", /text\/html/);
    assert.match(page.body, /\/_orgsim\/console\?token=/);
    const wrong = await web(t.endpoint, { path: "/_orgsim/console?token=not-the-token-at-all", headers: { "sec-fetch-site": "none" } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers["set-cookie"], undefined);

    const signIn = await web(t.endpoint, {
      path: `/_orgsim/console?organizationId=o-abcdefghij&token=${encodeURIComponent(TOKEN)}`,
      headers: { "sec-fetch-site": "none", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
    });
    assert.equal(signIn.status, 303);
    assert.equal(
      signIn.headers.location,
      "/_orgsim/console?organizationId=o-abcdefghij",
      "the token is dropped from the address, the rest kept",
    );
    assert.equal(signIn.headers["referrer-policy"], "no-referrer");
    const setCookie = signIn.headers["set-cookie"] ?? "";
    assert.match(setCookie, new RegExp(`^orgsim_console_${port}=`));
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\/_orgsim/);
    assert.ok(!setCookie.includes(TOKEN), "the cookie holds an HMAC of the token, not the token");
    const cookie = setCookie.split(";")[0]!;

    for (const path of ["/_orgsim/console", "/_orgsim/console/app.js", "/_orgsim/state", "/_orgsim/state/version"]) {
      assert.equal((await web(t.endpoint, { path, headers: { cookie } })).status, 200, path);
    }
    const write = await web(t.endpoint, {
      method: "POST",
      path: "/_orgsim/clock",
      headers: { cookie, origin: `http://${new URL(t.endpoint).host}`, "content-type": "application/json" },
      body: '{"advanceSeconds": 60}',
    });
    assert.equal(write.status, 200, "the console's own writes carry the cookie");
    const otherPort = cookie.replace(`orgsim_console_${port}=`, "orgsim_console_1=");
    assert.equal(
      (await web(t.endpoint, { path: "/_orgsim/state", headers: { cookie: otherPort } })).status,
      401,
      "another orgsim's cookie does not count",
    );

    // Opened from a link on another site: the redirect would not carry a SameSite=Strict cookie, so a page of orgsim's own moves on.
    const linked = await web(t.endpoint, {
      path: `/_orgsim/console?token=${encodeURIComponent(TOKEN)}`,
      headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
    });
    assert.equal(linked.status, 200);
    assert.match(linked.headers["set-cookie"] ?? "", /SameSite=Strict/);
    assert.match(linked.body, /http-equiv="refresh" content="0; url=\/_orgsim\/console"/);
  } finally {
    await t.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

test("Settings: --allow-host and --cors-origin repeat and take comma lists (flags replace the ORGSIM_ variables); bad values and short tokens are refused with what to give", () => {
  const { overrides } = startOverrides(
    parseArgs(
      [
        "--allow-host",
        "a.internal",
        "--allow-host=b.internal,.corp.example",
        "--cors-origin",
        "http://localhost:3000",
        "--control-token",
        TOKEN,
      ],
      START_OPTIONS,
    ),
  );
  const settings = resolveSettings(overrides, { ORGSIM_ALLOW_HOST: "env.internal", ORGSIM_CORS_ORIGIN: "https://x.example" });
  assert.deepEqual(settings.allowHosts, ["a.internal", "b.internal", ".corp.example"]);
  assert.deepEqual(settings.corsOrigins, ["http://localhost:3000"]);
  assert.equal(settings.controlToken, TOKEN);
  const env = resolveSettings(
    {},
    {
      ORGSIM_ALLOW_HOST: " One.Internal , *.svc.test,",
      ORGSIM_CORS_ORIGIN: "HTTPS://App.Example:443,http://a.example:8080",
      ORGSIM_CONTROL_TOKEN: TOKEN,
    },
  );
  assert.deepEqual(env.allowHosts, ["one.internal", ".svc.test"]);
  assert.deepEqual(env.corsOrigins, ["https://app.example", "http://a.example:8080"]);
  assert.equal(env.controlToken, TOKEN);
  assert.deepEqual(resolveSettings({}, {}).allowHosts, []);
  for (const [key, value, hint] of [
    ["ORGSIM_ALLOW_HOST", "http://orgsim.internal", /without scheme/],
    ["ORGSIM_ALLOW_HOST", "orgsim.internal:4599", /without scheme, port/],
    ["ORGSIM_CORS_ORIGIN", "http://localhost:3000/app", /no path/],
    ["ORGSIM_CORS_ORIGIN", "null", /scheme:\/\/host/],
    ["ORGSIM_CORS_ORIGIN", "*", /scheme:\/\/host/],
    ["ORGSIM_CONTROL_TOKEN", "short", /at least 16/],
    ["ORGSIM_CONTROL_TOKEN", "has spaces in the middle of it", /without spaces/],
  ] as const) {
    assert.throws(
      () => resolveSettings({}, { [key]: value }),
      (e: unknown) => e instanceof SettingsError && hint.test(e.message),
      `${key}=${value}`,
    );
  }
});

test("Real clients are untouched: SDK v3 calls for Organizations, STS and Account with default settings send no browser headers and pass the gate", async () => {
  await s.reset();
  const orgs = new OrganizationsClient({
    endpoint: s.endpoint,
    region: REGION,
    credentials: { accessKeyId: MANAGEMENT, secretAccessKey: "x" },
    maxAttempts: 1,
  });
  assert.ok((await orgs.send(new CreateOrganizationCommand({}))).Organization);
  const sts = new STSClient({
    endpoint: s.endpoint,
    region: REGION,
    credentials: { accessKeyId: MANAGEMENT, secretAccessKey: "x" },
    maxAttempts: 1,
  });
  assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, MANAGEMENT);
  const account = new AccountClient({
    endpoint: s.endpoint,
    region: REGION,
    credentials: { accessKeyId: MANAGEMENT, secretAccessKey: "x" },
    maxAttempts: 1,
  });
  await account.send(
    new PutAlternateContactCommand({
      AlternateContactType: "BILLING",
      EmailAddress: "b@example.com",
      Name: "n",
      PhoneNumber: "+1 555",
      Title: "t",
    }),
  );
  assert.equal((await account.send(new GetAlternateContactCommand({ AlternateContactType: "BILLING" }))).AlternateContact?.Name, "n");
});
