/**
 * What answers at the door, before any service: `GET /` (a short page for a person, JSON for a
 * script) and calls meant for AWS services orgsim does not serve (an AWS-shaped error that names
 * the service and lists orgsim's). boto3 and the AWS CLI check the latter per protocol in
 * test/compat/test_unserved_services.py; here the raw wire answers, and the JS SDK's view.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { startTestServer, useTestServer } from "./helpers/server.js";

const s = useTestServer();

test("orgsim promise: GET / from a browser is a short HTML page linking the console and health, with how to point clients here", async () => {
  const res = await fetch(`${s.endpoint}/`, { headers: { Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8" } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  const html = await res.text();
  assert.ok(html.includes(`href="${s.endpoint}/_orgsim/console"`), html);
  assert.ok(html.includes(`href="${s.endpoint}/_orgsim/health"`));
  assert.ok(html.includes(`export AWS_ENDPOINT_URL=${s.endpoint}`));
  assert.match(html, /README\.md/);
});

test("orgsim promise: GET / from a script is JSON with the console, health, docs, services and version", async () => {
  const res = await fetch(`${s.endpoint}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc.name, "orgsim");
  assert.match(String(doc.version), /^\d+\.\d+\.\d+/);
  assert.equal(doc.console, `${s.endpoint}/_orgsim/console`);
  assert.equal(doc.health, `${s.endpoint}/_orgsim/health`);
  assert.deepEqual(doc.services, ["organizations", "sts", "account", "cloudtrail"]);
  assert.match(String(doc.docs), /README\.md/);
  const health = await fetch(String(doc.health));
  assert.equal(health.status, 200, "the health link works");
});

test("orgsim promise: with the control API off, GET / still answers and says the console is off", async () => {
  const off = await startTestServer({ controlApi: false });
  try {
    const doc = (await (await fetch(`${off.endpoint}/`)).json()) as Record<string, unknown>;
    assert.equal(doc.console, null);
    assert.match(String(doc.controlApi), /turned off/);
  } finally {
    await off.close();
  }
});

test("orgsim promise: an unsigned call with another service's X-Amz-Target is an UnknownOperationException that names that target and orgsim's services", async () => {
  const res = await fetch(`${s.endpoint}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables" },
    body: "{}",
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { __type: string; Message: string };
  assert.equal(body.__type, "UnknownOperationException");
  assert.match(
    body.Message,
    /^orgsim does not serve the X-Amz-Target DynamoDB_20120810; it serves organizations, sts, account and cloudtrail\./,
  );
});

test("orgsim promise: a call signed for S3 (GET / is ListBuckets) gets S3's XML error, not the landing page", async () => {
  const date = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const res = await fetch(`${s.endpoint}/`, {
    headers: {
      "X-Amz-Date": date,
      "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
      Authorization: `AWS4-HMAC-SHA256 Credential=111111111111/${date.slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
    },
  });
  assert.equal(res.status, 501);
  const xml = await res.text();
  assert.match(
    xml,
    /<Code>NotImplemented<\/Code><Message>orgsim does not serve s3; it serves organizations, sts, account and cloudtrail\./,
  );
});

test("orgsim promise: the served services keep answering on the same port (STS through the JS SDK)", async () => {
  const id = await s.sts("210987654321").send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, "210987654321");
});
