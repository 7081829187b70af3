/**
 * --strict-auth: only keys orgsim issued are accepted, signatures are verified with their
 * secret, and requests signed more than 15 minutes ago are refused, as AWS does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-organizations";
import type { FinalizeHandler, FinalizeHandlerArguments } from "@smithy/types";
import { GetAccountInformationCommand } from "@aws-sdk/client-account";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { startTestServer, useTestServer, awsError, type Credentials } from "./helpers/server.js";

let root: Credentials;
const s = useTestServer({ strictAuth: true }, async (server) => {
  const issued = await server.control("POST", "/_orgsim/credentials", { accountId: "111111111111" });
  assert.equal(issued.status, 201);
  const body = issued.body as { accessKeyId: string; secretAccessKey: string };
  root = { accessKeyId: body.accessKeyId, secretAccessKey: body.secretAccessKey };
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

// ---------------------------------------------------------------------------------------------
// Requests signed by hand (the same signer the SDK uses), to send what real clients never do.

interface SignedCall {
  service: string;
  region?: string;
  path?: string;
  headers: Record<string, string>;
  body: string;
  /** Headers left out of the signature. */
  unsigned?: string[];
  /** Changes to the signed request before it is sent (headers by lower-case name). */
  tamper?: (headers: Record<string, string>) => void;
}

async function signedCall(o: SignedCall): Promise<{ status: number; body: string }> {
  const url = new URL(o.path ?? "/", s.endpoint);
  const signer = new SignatureV4({ credentials: root, region: o.region ?? "us-east-1", service: o.service, sha256: Sha256 });
  const headers: Record<string, string> = { host: url.host };
  for (const [k, v] of Object.entries(o.headers)) headers[k.toLowerCase()] = v;
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers,
      body: o.body,
    },
    { unsignableHeaders: new Set(o.unsigned ?? []) },
  );
  const sent: Record<string, string> = { ...(signed.headers as Record<string, string>) };
  o.tamper?.(sent);
  delete sent.host;
  const res = await fetch(url, { method: "POST", headers: sent, body: o.body });
  return { status: res.status, body: await res.text() };
}

const orgsCall = (operation: string, extra: Partial<SignedCall> = {}) =>
  signedCall({
    service: "organizations",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSOrganizationsV20161128.${operation}` },
    body: "{}",
    ...extra,
  });

function jsonError(a: { status: number; body: string }): { status: number; type: string; message: string } {
  const body = JSON.parse(a.body) as { __type: string; message?: string; Message?: string };
  return { status: a.status, type: body.__type, message: body.message ?? body.Message ?? "" };
}

test("Strict auth, Rule: the credential scope must name the service called — signed for s3 or ec2 is refused (InvalidSignatureException / SignatureDoesNotMatch)", async () => {
  assert.equal((await orgsCall("DescribeOrganization")).status, 200, "correctly scoped: accepted");
  for (const service of ["s3", "ec2"]) {
    assert.deepEqual(jsonError(await orgsCall("DescribeOrganization", { service })), {
      status: 400,
      type: "InvalidSignatureException",
      message: "Credential should be scoped to correct service: 'organizations'. ",
    });
  }
  const sts = await signedCall({
    service: "ec2",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
  });
  assert.equal(sts.status, 403);
  assert.match(
    sts.body,
    /<Code>SignatureDoesNotMatch<\/Code><Message>Credential should be scoped to correct service: &apos;sts&apos;\. <\/Message>/,
  );
  const account = await signedCall({
    service: "s3",
    path: "/getAccountInformation",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(account.status, 403);
  assert.match(account.body, /Credential should be scoped to correct service: 'account'/);
});

test("Strict auth, Rule: X-Amz-Target must be signed, so a signature can't be replayed as another operation", async () => {
  const unsigned = jsonError(await orgsCall("DescribeOrganization", { unsigned: ["x-amz-target"] }));
  assert.deepEqual(unsigned, {
    status: 400,
    type: "IncompleteSignatureException",
    message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
  });
  // A captured DescribeOrganization sent again as DeleteOrganization.
  const replay = await orgsCall("DescribeOrganization", {
    tamper: (h) => (h["x-amz-target"] = "AWSOrganizationsV20161128.DeleteOrganization"),
  });
  assert.equal(jsonError(replay).type, "InvalidSignatureException");
  // The organization is still there.
  await s.orgs(root).send(new DescribeOrganizationCommand({}));
});

test("Strict auth, Rule: the payload must be signed — UNSIGNED-PAYLOAD and an x-amz-content-sha256 that is not the body's are refused", async () => {
  const unsignedPayload = jsonError(
    await orgsCall("ListAccounts", {
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSOrganizationsV20161128.ListAccounts",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      },
    }),
  );
  assert.equal(unsignedPayload.type, "InvalidSignatureException");
  assert.match(unsignedPayload.message, /UNSIGNED-PAYLOAD/);
  const otherHash = "a".repeat(64);
  const mismatched = jsonError(
    await orgsCall("ListAccounts", {
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSOrganizationsV20161128.ListAccounts",
        "x-amz-content-sha256": otherHash,
      },
    }),
  );
  assert.deepEqual(mismatched, {
    status: 400,
    type: "InvalidSignatureException",
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  });
});

test("Strict auth, Rule: a header named twice in SignedHeaders, or names out of order, is IncompleteSignatureException", async () => {
  const rewrite = (edit: (list: string) => string) => (h: Record<string, string>) => {
    h.authorization = h.authorization!.replace(/SignedHeaders=([^,]+)/, (_, list: string) => `SignedHeaders=${edit(list)}`);
  };
  const twice = jsonError(await orgsCall("DescribeOrganization", { tamper: rewrite((l) => l.replace("host", "host;host")) }));
  assert.deepEqual([twice.status, twice.type], [400, "IncompleteSignatureException"]);
  assert.match(twice.message, /'host' more than once/);
  const reversed = jsonError(await orgsCall("DescribeOrganization", { tamper: rewrite((l) => l.split(";").reverse().join(";")) }));
  assert.deepEqual([reversed.status, reversed.type], [400, "IncompleteSignatureException"]);
});

test("Strict auth, Rule: clients configured for another region (eu-west-1) sign with it and keep working", async () => {
  const config = { endpoint: s.endpoint, region: "eu-west-1", credentials: root, maxAttempts: 1 };
  await new OrganizationsClient(config).send(new DescribeOrganizationCommand({}));
  const { STSClient } = await import("@aws-sdk/client-sts");
  const { AccountClient } = await import("@aws-sdk/client-account");
  assert.equal((await new STSClient(config).send(new GetCallerIdentityCommand({}))).Account, "111111111111");
  assert.equal((await new AccountClient(config).send(new GetAccountInformationCommand({}))).AccountId, "111111111111");
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
