/**
 * --strict-auth: only keys orgsim issued are accepted, signatures are verified with their
 * secret, and requests signed more than 15 minutes ago are refused, as AWS does.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { CreateOrganizationCommand, DescribeOrganizationCommand, ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-organizations";
import type { FinalizeHandler, FinalizeHandlerArguments } from "@smithy/types";
import { startTestServer, awsError, type Credentials, type TestServer } from "./helpers/server.js";

let s: TestServer;
let root: Credentials;
before(async () => {
  s = await startTestServer({ strictAuth: true });
  const issued = await s.control("POST", "/_orgsim/credentials", { accountId: "111111111111" });
  assert.equal(issued.status, 201);
  const body = issued.body as { accessKeyId: string; secretAccessKey: string };
  root = { accessKeyId: body.accessKeyId, secretAccessKey: body.secretAccessKey };
});
after(async () => {
  await s.close();
});

test("Strict auth: issued root credentials act as that account's root user", async () => {
  await s.orgs(root).send(new CreateOrganizationCommand({}));
  const who = await s.sts(root).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, "111111111111");
  assert.equal(who.Arn, "arn:aws:iam::111111111111:root");
});

test("Strict auth: an unknown access key is UnrecognizedClientException (STS: InvalidClientTokenId, 403)", async () => {
  const err = await awsError(() => s.orgs("111111111111").send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "UnrecognizedClientException");
  assert.equal(err.message, "The security token included in the request is invalid.");
  const sts = await awsError(() => s.sts("111111111111").send(new GetCallerIdentityCommand({})));
  assert.equal(sts.name, "InvalidClientTokenId");
  assert.equal(sts.status, 403);
});

test("Strict auth: a wrong secret is InvalidSignatureException (STS: SignatureDoesNotMatch)", async () => {
  const wrong = { ...root, secretAccessKey: "not-the-secret" };
  assert.equal((await awsError(() => s.orgs(wrong).send(new DescribeOrganizationCommand({})))).name, "InvalidSignatureException");
  assert.equal((await awsError(() => s.sts(wrong).send(new GetCallerIdentityCommand({})))).name, "SignatureDoesNotMatch");
});

test("Strict auth: a request signed 16 minutes ago is refused; 14 minutes is accepted", async () => {
  const at = (offsetMs: number) =>
    new OrganizationsClient({ endpoint: s.endpoint, region: "us-east-1", credentials: root, maxAttempts: 1, systemClockOffset: offsetMs });
  const stale = await awsError(() => at(-16 * 60_000).send(new DescribeOrganizationCommand({})));
  assert.equal(stale.name, "InvalidSignatureException");
  assert.match(stale.message, /Signature expired/);
  await at(-14 * 60_000).send(new DescribeOrganizationCommand({}));
});

test("Strict auth: a body altered after signing is refused", async () => {
  const client = s.orgs(root);
  client.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<ServiceInputTypes, ServiceOutputTypes>) => async (args: FinalizeHandlerArguments<ServiceInputTypes>) => {
      const req = args.request as { body?: string | Uint8Array };
      // Same length, so only the signature can tell.
      // TextDecoder reads the bytes; Buffer.from would call the SDK body's string shim (valueOf), which warns.
      const text = typeof req.body === "string" ? req.body : new TextDecoder().decode(req.body ?? new Uint8Array());
      req.body = text.replace('"MaxResults":5', '"MaxResults":6');
      return next(args);
    },
    { relation: "after", toMiddleware: "httpSigningMiddleware", name: "tamper" },
  );
  const err = await awsError(() => client.send(new ListAccountsCommand({ MaxResults: 5 })));
  assert.equal(err.name, "InvalidSignatureException");
});

test("Strict auth: requests with no credentials are MissingAuthenticationTokenException", async () => {
  const res = await fetch(`${s.endpoint}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization" },
    body: "{}",
  });
  const body = (await res.json()) as { __type: string };
  assert.equal(body.__type, "MissingAuthenticationTokenException");
});

test("The control API can be turned off (--no-control-api)", async () => {
  const closed = await startTestServer({ controlApi: false });
  try {
    const res = await fetch(`${closed.endpoint}/_orgsim/health`);
    assert.equal(res.status, 404);
  } finally {
    await closed.close();
  }
});
