import "./helpers/quiet-sdk.js";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { ListRootsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { parseSigV4, verifySigV4, type HttpRequestParts, type SigV4Request } from "../src/auth/sigv4.js";
import { AwsError } from "../src/protocol/errors.js";

const AKID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN = "FwoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLETOKEN+/=";
const HOST = "organizations.us-east-1.amazonaws.com";
const T0 = new Date(Date.UTC(2026, 10, 29, 10, 10, 10)); // 20261129T101010Z
const MIN = 60_000;

type SmithyRequest = Parameters<SignatureV4["presign"]>[0];

// ---------------------------------------------------------------------------------------------
// Helpers

function expectAwsError(code: string, status: number, message?: RegExp | string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof AwsError, `expected AwsError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.status, status);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  };
}

async function verify(parts: HttpRequestParts, secret: string, now: Date, opts?: Parameters<typeof verifySigV4>[4]) {
  const parsed = parseSigV4(parts);
  await verifySigV4(parts, parsed, secret, now, opts);
  return parsed;
}

/** A smithy HttpRequest as it goes on the wire -> what the server's HTTP layer hands over. */
function partsFromSmithy(req: SmithyRequest): HttpRequestParts {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = value;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query ?? {})) {
    if (typeof value === "string") query.append(key, value);
    else if (Array.isArray(value)) for (const v of value) query.append(key, v);
  }
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body as string | Uint8Array);
  return { method: req.method, path: req.path, query, headers, body };
}

function partsFromUrl(method: string, url: string, headers: Record<string, string>, body: Buffer): HttpRequestParts {
  const u = new URL(url);
  const lower: Record<string, string> = { host: u.host };
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value.trim();
  return { method, path: u.pathname, query: new URLSearchParams(u.search), headers: lower, body };
}

interface SignOptions {
  date?: Date;
  secret?: string;
  sessionToken?: string;
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  applyChecksum?: boolean;
}

function jsonRequest(o: SignOptions): SmithyRequest {
  return {
    method: o.method ?? "POST",
    protocol: "https:",
    hostname: HOST,
    path: o.path ?? "/",
    query: o.query ?? {},
    headers: {
      host: HOST,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSOrganizationsV20161128.ListRoots",
      ...o.headers,
    },
    body: o.body ?? "{}",
  };
}

function clientSigner(o: SignOptions): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: AKID,
      secretAccessKey: o.secret ?? SECRET,
      ...(o.sessionToken === undefined ? {} : { sessionToken: o.sessionToken }),
    },
    region: "us-east-1",
    service: "organizations",
    sha256: Sha256,
    applyChecksum: o.applyChecksum ?? false,
  });
}

/** Signs like the AWS SDK for JS does (same signer), returns the server's view of the request. */
async function smithySigned(o: SignOptions = {}): Promise<HttpRequestParts> {
  const signed = await clientSigner(o).sign(jsonRequest(o), { signingDate: o.date ?? T0 });
  return partsFromSmithy(signed);
}

async function smithyPresigned(o: SignOptions & { expiresIn?: number } = {}): Promise<HttpRequestParts> {
  const request: SmithyRequest = {
    method: "GET",
    protocol: "https:",
    hostname: HOST,
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15", ...o.query },
    headers: { host: HOST },
  };
  const signed = await clientSigner(o).presign(request, { signingDate: o.date ?? T0, expiresIn: o.expiresIn ?? 900 });
  return partsFromSmithy(signed);
}

function withHeaders(parts: HttpRequestParts, headers: Record<string, string | undefined>): HttpRequestParts {
  return { ...parts, headers: { ...parts.headers, ...headers } };
}

function withQuery(parts: HttpRequestParts, edit: (q: URLSearchParams) => void): HttpRequestParts {
  const query = new URLSearchParams(parts.query);
  edit(query);
  return { ...parts, query };
}

// ---------------------------------------------------------------------------------------------
// A real HTTP endpoint, so real clients (JS SDK, botocore, AWS CLI) can be pointed at it.

let server: Server;
let endpoint = "";
let captured: HttpRequestParts[] = [];

function respond(parts: HttpRequestParts, res: ServerResponse): void {
  const target = parts.headers["x-amz-target"];
  const form = new URLSearchParams(parts.body.toString("utf8"));
  const action = parts.query.get("Action") ?? form.get("Action");
  if (typeof target === "string") {
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "req-1" });
    res.end(JSON.stringify({ Roots: [] }));
  } else if (action === "GetCallerIdentity") {
    res.writeHead(200, { "content-type": "text/xml" });
    res.end(
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        "<Arn>arn:aws:iam::111111111111:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>111111111111</Account>" +
        "</GetCallerIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
    );
  } else {
    res.writeHead(400, { "content-type": "application/json" });
    res.end("{}");
  }
}

function partsFromIncoming(req: IncomingMessage, body: Buffer): HttpRequestParts {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return {
    method: req.method ?? "GET",
    path: q < 0 ? url : url.slice(0, q),
    query: new URLSearchParams(q < 0 ? "" : url.slice(q + 1)),
    headers: req.headers,
    body,
  };
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const parts = partsFromIncoming(req, Buffer.concat(chunks));
      captured.push(parts);
      respond(parts, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function capture(action: () => Promise<unknown>): Promise<HttpRequestParts> {
  captured = [];
  await action();
  assert.equal(captured.length, 1, "expected exactly one request");
  return captured[0] as HttpRequestParts;
}

function run(file: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const PY_ENV = {
  AWS_CONFIG_FILE: "/nonexistent/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_ACCESS_KEY_ID: AKID,
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_DEFAULT_REGION: "us-east-1",
};

let botocoreAvailable: boolean | undefined;
async function hasBotocore(): Promise<boolean> {
  if (botocoreAvailable === undefined) {
    botocoreAvailable = await run("python3", ["-c", "import botocore"], {}).then(
      () => true,
      () => false,
    );
  }
  return botocoreAvailable;
}

const BOTOCORE_CLIENT_SCRIPT = `
import os, urllib.request
import botocore.session
session = botocore.session.get_session()
kw = dict(region_name="us-east-1", endpoint_url=os.environ["ENDPOINT"],
          aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
          aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
          aws_session_token=os.environ.get("TOKEN") or None)
mode = os.environ["MODE"]
if mode == "orgs":
    session.create_client("organizations", **kw).list_roots()
elif mode == "sts":
    session.create_client("sts", **kw).get_caller_identity()
elif mode == "presign":
    # HttpMethod="GET" as \`aws eks get-token\` does: without it botocore signs the URL for the
    # operation's own method (POST), and a GET of it would rightly fail to verify.
    url = session.create_client("sts", **kw).generate_presigned_url("get_caller_identity", ExpiresIn=300, HttpMethod="GET")
    urllib.request.urlopen(url).read()
`;

// ---------------------------------------------------------------------------------------------
// Requests signed by real clients

test("AWS SDK for JS v3 (OrganizationsClient, awsJson) over HTTP verifies", async () => {
  const client = new OrganizationsClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    maxAttempts: 1,
  });
  try {
    const parts = await capture(() => client.send(new ListRootsCommand({})));
    const parsed = await verify(parts, SECRET, new Date());
    assert.equal(parsed.accessKeyId, AKID);
    assert.equal(parsed.region, "us-east-1");
    assert.equal(parsed.service, "organizations");
    assert.equal(parsed.presigned, false);
    assert.equal(parsed.sessionToken, undefined);
    assert.ok(parsed.signedHeaders.includes("host"));
    assert.ok(parsed.signedHeaders.includes("x-amz-target"));
    await assert.rejects(verifySigV4(parts, parsed, "not-the-secret", new Date()), expectAwsError("SignatureDoesNotMatch", 403));
  } finally {
    client.destroy();
  }
});

test("AWS SDK for JS v3 with a session token verifies and exposes the token", async () => {
  const client = new OrganizationsClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN },
    maxAttempts: 1,
  });
  try {
    const parts = await capture(() => client.send(new ListRootsCommand({})));
    const parsed = await verify(parts, SECRET, new Date());
    assert.equal(parsed.sessionToken, TOKEN);
    assert.ok(parsed.signedHeaders.includes("x-amz-security-token"));
  } finally {
    client.destroy();
  }
});

test("AWS SDK for JS v3 (STSClient, awsQuery form body) verifies", async () => {
  const client = new STSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    maxAttempts: 1,
  });
  try {
    const parts = await capture(() => client.send(new GetCallerIdentityCommand({})));
    assert.match(parts.body.toString("utf8"), /Action=GetCallerIdentity/);
    const parsed = await verify(parts, SECRET, new Date());
    assert.equal(parsed.service, "sts");
    // a body changed in transit is caught
    const tampered = { ...parts, body: Buffer.from(parts.body.toString("utf8").replace("2011-06-15", "2011-06-16")) };
    await assert.rejects(verifySigV4(tampered, parsed, SECRET, new Date()), expectAwsError("SignatureDoesNotMatch", 403));
  } finally {
    client.destroy();
  }
});

test("botocore client (boto3 / AWS CLI code path), awsJson, with and without session token", async (t) => {
  if (!(await hasBotocore())) return t.skip("python3 with botocore not available");
  for (const token of ["", TOKEN]) {
    const parts = await capture(() =>
      run("python3", ["-c", BOTOCORE_CLIENT_SCRIPT], { ...PY_ENV, ENDPOINT: endpoint, MODE: "orgs", TOKEN: token }),
    );
    const parsed = await verify(parts, SECRET, new Date());
    assert.equal(parsed.service, "organizations");
    assert.equal(parsed.sessionToken, token === "" ? undefined : token);
    await assert.rejects(verifySigV4(parts, parsed, SECRET + "x", new Date()), expectAwsError("SignatureDoesNotMatch", 403));
  }
});

test("botocore client, awsQuery (STS GetCallerIdentity)", async (t) => {
  if (!(await hasBotocore())) return t.skip("python3 with botocore not available");
  const parts = await capture(() => run("python3", ["-c", BOTOCORE_CLIENT_SCRIPT], { ...PY_ENV, ENDPOINT: endpoint, MODE: "sts" }));
  const parsed = await verify(parts, SECRET, new Date());
  assert.equal(parsed.service, "sts");
});

test("botocore presigned URL (STS GetCallerIdentity, as used by EKS/Vault auth)", async (t) => {
  if (!(await hasBotocore())) return t.skip("python3 with botocore not available");
  const parts = await capture(() =>
    run("python3", ["-c", BOTOCORE_CLIENT_SCRIPT], { ...PY_ENV, ENDPOINT: endpoint, MODE: "presign", TOKEN }),
  );
  assert.equal(parts.headers["authorization"], undefined);
  const parsed = await verify(parts, SECRET, new Date());
  assert.equal(parsed.presigned, true);
  assert.equal(parsed.sessionToken, TOKEN);
  assert.deepEqual(parsed.signedHeaders, ["host"]);
  await assert.rejects(
    verifySigV4(parts, parsed, SECRET, new Date(Date.now() + 301_000)),
    expectAwsError(
      "RequestExpired",
      400,
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 300 sec\.\)$/,
    ),
  );
});

test("AWS CLI v1 (aws organizations list-roots)", async (t) => {
  const cli = await run("aws", ["--version"], {}).then(
    () => true,
    () => false,
  );
  if (!cli) return t.skip("aws CLI not available");
  const parts = await capture(() =>
    run("aws", ["organizations", "list-roots", "--endpoint-url", endpoint, "--region", "us-east-1"], {
      ...PY_ENV,
      AWS_SESSION_TOKEN: TOKEN,
    }),
  );
  const parsed = await verify(parts, SECRET, new Date());
  assert.equal(parsed.sessionToken, TOKEN);
});

test("botocore SigV4Auth on an AWSRequest: encoded path, repeated query keys, whitespace in a signed header", async (t) => {
  if (!(await hasBotocore())) return t.skip("python3 with botocore not available");
  const script = `
import json
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
req = AWSRequest(method="POST",
    url="https://${HOST}/a%20b/%C3%BC/./c?b=x%20y&a=1&a=0&plus=%2B&empty=",
    data=b'{"Name":"x"}',
    headers={"Content-Type": "application/x-amz-json-1.1",
             "X-Amz-Target": "AWSOrganizationsV20161128.ListRoots",
             "X-Custom": "  spaced    out value "})
SigV4Auth(Credentials("${AKID}", "${SECRET}", "${TOKEN}"), "organizations", "us-east-1").add_auth(req)
print(json.dumps({"url": req.url, "headers": dict(req.headers.items()), "body": req.body.decode()}))
`;
  const out = JSON.parse(await run("python3", ["-c", script], PY_ENV)) as {
    url: string;
    headers: Record<string, string>;
    body: string;
  };
  // botocore signs the host header but leaves it for the HTTP client to add: partsFromUrl adds it.
  assert.equal(
    Object.keys(out.headers).some((h) => h.toLowerCase() === "host"),
    false,
  );
  const parts = partsFromUrl("POST", out.url, out.headers, Buffer.from(out.body));
  const parsed = await verify(parts, SECRET, new Date());
  assert.ok(parsed.signedHeaders.includes("x-custom"));
  assert.equal(parsed.sessionToken, TOKEN);
  // the signed custom header is covered
  await assert.rejects(
    verifySigV4(withHeaders(parts, { "x-custom": "other" }), parsed, SECRET, new Date()),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
  // ...and so is the query
  await assert.rejects(
    verifySigV4(
      withQuery(parts, (q) => q.append("a", "2")),
      parsed,
      SECRET,
      new Date(),
    ),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
});

// ---------------------------------------------------------------------------------------------
// Header signatures produced with @smithy/signature-v4 acting as the client

test("valid header signature", async () => {
  const parts = await smithySigned();
  const parsed = await verify(parts, SECRET, T0);
  assert.deepEqual(parsed, {
    accessKeyId: AKID,
    region: "us-east-1",
    service: "organizations",
    signedHeaders: ["content-type", "host", "x-amz-date", "x-amz-target"],
    signature: parsed.signature,
    amzDate: T0,
    presigned: false,
  });
  assert.match(parsed.signature, /^[0-9a-f]{64}$/);
});

test("valid with session token", async () => {
  const parts = await smithySigned({ sessionToken: TOKEN });
  const parsed = await verify(parts, SECRET, T0);
  assert.equal(parsed.sessionToken, TOKEN);
  assert.ok(parsed.signedHeaders.includes("x-amz-security-token"));
  // replacing the (signed) token breaks the signature
  await assert.rejects(
    verifySigV4(withHeaders(parts, { "x-amz-security-token": "other" }), parsed, SECRET, T0),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
});

test("a session token added after signing (unsigned) is reported but does not break the signature", async () => {
  const parts = withHeaders(await smithySigned(), { "x-amz-security-token": TOKEN });
  const parsed = await verify(parts, SECRET, T0);
  assert.equal(parsed.sessionToken, TOKEN);
  assert.equal(parsed.signedHeaders.includes("x-amz-security-token"), false);
});

test("wrong secret -> SignatureDoesNotMatch with AWS's message", async () => {
  const parts = await smithySigned({ secret: "another-secret" });
  await assert.rejects(
    verify(parts, SECRET, T0),
    expectAwsError(
      "SignatureDoesNotMatch",
      403,
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    ),
  );
});

test("errorCodes override the mismatch code (awsJson style)", async () => {
  const parts = await smithySigned({ secret: "another-secret" });
  await assert.rejects(
    verify(parts, SECRET, T0, { errorCodes: { mismatch: "InvalidSignatureException" } }),
    expectAwsError("InvalidSignatureException", 403),
  );
});

test("tampered body", async () => {
  const parts = await smithySigned({ body: '{"MaxResults":1}' });
  await verify(parts, SECRET, T0);
  await assert.rejects(
    verify({ ...parts, body: Buffer.from('{"MaxResults":2}') }, SECRET, T0),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
});

test("x-amz-content-sha256 is used as the payload hash, and must match the body", async () => {
  const parts = await smithySigned({ body: '{"MaxResults":1}', applyChecksum: true });
  const parsed = await verify(parts, SECRET, T0);
  assert.ok(parsed.signedHeaders.includes("x-amz-content-sha256"));
  await assert.rejects(
    verify({ ...parts, body: Buffer.from('{"MaxResults":2}') }, SECRET, T0),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
});

test("Rule: UNSIGNED-PAYLOAD is refused — these services sign the body itself (only S3 lets the header stand in for it)", async () => {
  const parts = await smithySigned({ body: '{"MaxResults":1}', headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
  await assert.rejects(
    verify(parts, SECRET, T0),
    expectAwsError("SignatureDoesNotMatch", 403, /not the SHA-256 of the body \('UNSIGNED-PAYLOAD'\)/),
  );
  await assert.rejects(verify({ ...parts, body: Buffer.from("anything") }, SECRET, T0), expectAwsError("SignatureDoesNotMatch", 403));
});

test("Rule: an x-amz-content-sha256 that is not the body's hash is refused, even when the signature covers it", async () => {
  const other = createHash("sha256").update('{"MaxResults":20}').digest("hex");
  // The client signs with the header's hash as the payload hash: the signature itself is consistent.
  const parts = await smithySigned({ body: '{"MaxResults":1}', headers: { "x-amz-content-sha256": other } });
  await assert.rejects(
    verify(parts, SECRET, T0),
    expectAwsError("SignatureDoesNotMatch", 403, "The provided 'x-amz-content-sha256' header does not match what was computed."),
  );
});

test("tampered signed header", async () => {
  const parts = await smithySigned();
  await assert.rejects(
    verify(withHeaders(parts, { "x-amz-target": "AWSOrganizationsV20161128.DeleteOrganization" }), SECRET, T0),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
  await assert.rejects(verify(withHeaders(parts, { host: "evil.example.com" }), SECRET, T0), expectAwsError("SignatureDoesNotMatch", 403));
  // a signed header that went missing
  await assert.rejects(verify(withHeaders(parts, { "content-type": undefined }), SECRET, T0), expectAwsError("SignatureDoesNotMatch", 403));
});

test("unsigned extra headers are ignored", async () => {
  const parts = await smithySigned();
  await verify(
    withHeaders(parts, {
      "user-agent": "something/else",
      "x-forwarded-for": "10.0.0.1",
      "amz-sdk-invocation-id": "added-later",
      "content-length": "2",
    }),
    SECRET,
    T0,
  );
});

test("signed headers the SDK would never sign itself (user-agent) still count when listed", async () => {
  // build an Authorization that lists user-agent, using the independent signer below
  const parts = handSigned({ "user-agent": "my-agent/1.0", "x-amz-date": "20261129T101010Z" });
  const parsed = await verify(parts, SECRET, T0);
  assert.ok(parsed.signedHeaders.includes("user-agent"));
  await assert.rejects(verify(withHeaders(parts, { "user-agent": "other" }), SECRET, T0), expectAwsError("SignatureDoesNotMatch", 403));
});

test("path and query are part of the signature", async () => {
  const parts = await smithySigned({ method: "GET", path: "/a%20b/c", query: { z: "1", a: ["2", "1"], s: "x y" }, body: "" });
  await verify(parts, SECRET, T0);
  await assert.rejects(verify({ ...parts, path: "/a%20b/d" }, SECRET, T0), expectAwsError("SignatureDoesNotMatch", 403));
  await assert.rejects(
    verify(
      withQuery(parts, (q) => q.set("z", "2")),
      SECRET,
      T0,
    ),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
  await assert.rejects(verify({ ...parts, method: "POST" }, SECRET, T0), expectAwsError("SignatureDoesNotMatch", 403));
});

test("staleness: 14 minutes is fine, 16 minutes is expired, 16 minutes ahead is not yet current", async () => {
  const parts = await smithySigned();
  await verify(parts, SECRET, new Date(T0.getTime() + 14 * MIN));
  await verify(parts, SECRET, new Date(T0.getTime() - 14 * MIN));
  await verify(parts, SECRET, new Date(T0.getTime() + 15 * MIN)); // boundary: not more than 15 min
  await assert.rejects(
    verify(parts, SECRET, new Date(T0.getTime() + 30 * MIN)),
    expectAwsError(
      "RequestExpired",
      400,
      "Signature expired: 20261129T101010Z is now earlier than 20261129T102510Z (20261129T104010Z - 15 min.)",
    ),
  );
  await assert.rejects(verify(parts, SECRET, new Date(T0.getTime() + 16 * MIN)), expectAwsError("RequestExpired", 400));
  await assert.rejects(
    verify(parts, SECRET, new Date(T0.getTime() - 16 * MIN)),
    expectAwsError(
      "RequestExpired",
      400,
      "Signature not yet current: 20261129T101010Z is still later than 20261129T100910Z (20261129T095410Z + 15 min.)",
    ),
  );
});

test("staleness with overridden codes (awsJson style -> 403; STS style SignatureDoesNotMatch)", async () => {
  const parts = await smithySigned();
  const late = new Date(T0.getTime() + 16 * MIN);
  await assert.rejects(
    verify(parts, SECRET, late, { errorCodes: { mismatch: "InvalidSignatureException", expired: "InvalidSignatureException" } }),
    expectAwsError("InvalidSignatureException", 403, /^Signature expired: /),
  );
  await assert.rejects(
    verify(parts, SECRET, late, { errorCodes: { expired: "SignatureDoesNotMatch" } }),
    expectAwsError("SignatureDoesNotMatch", 400, /^Signature expired: /),
  );
});

test("credential scope dated another day than X-Amz-Date", async () => {
  const parts = await smithySigned();
  const auth = String(parts.headers["authorization"]).replace("/20261129/", "/20261128/");
  await assert.rejects(
    verify(withHeaders(parts, { authorization: auth }), SECRET, T0),
    expectAwsError(
      "SignatureDoesNotMatch",
      403,
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261128' != '20261129', from '20261129T101010Z'.",
    ),
  );
});

// ---------------------------------------------------------------------------------------------
// An independent signer (node:crypto only), to prove the verifier is not just "smithy agrees with
// smithy", and to sign with a Date header (no X-Amz-Date), which the SDK never does.

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

interface HandOptions {
  /** Headers added after signing (not in SignedHeaders). */
  unsigned?: Record<string, string>;
  /** SignedHeaders as sent, when it should differ from the signed list (order, case, duplicates). */
  signedHeadersText?: string;
  service?: string;
  region?: string;
}

function handSigned(extra: Record<string, string>, secret = SECRET, o: HandOptions = {}): HttpRequestParts {
  const body = Buffer.from('{"x":1}');
  const headers: Record<string, string> = {
    host: HOST,
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": "AWSOrganizationsV20161128.ListRoots",
    ...extra,
  };
  for (const name of Object.keys(o.unsigned ?? {})) delete headers[name];
  const names = Object.keys(headers).sort();
  const canonical = [
    "POST",
    "/",
    "",
    ...names.map((n) => `${n}:${(headers[n] as string).trim().replace(/\s+/g, " ")}`),
    "",
    names.join(";"),
    createHash("sha256").update(body).digest("hex"),
  ].join("\n");
  const longDate = "20261129T101010Z";
  const region = o.region ?? "us-east-1";
  const service = o.service ?? "organizations";
  const scope = `20261129/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", longDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
  let key = hmac(`AWS4${secret}`, "20261129");
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(stringToSign).digest("hex");
  headers["authorization"] =
    `AWS4-HMAC-SHA256 Credential=${AKID}/${scope},SignedHeaders=${o.signedHeadersText ?? names.join(";")},Signature=${signature}`;
  return { method: "POST", path: "/", query: new URLSearchParams(), headers: { ...headers, ...o.unsigned }, body };
}

test("independent signer: X-Amz-Date, commas without spaces", async () => {
  await verify(handSigned({ "x-amz-date": "20261129T101010Z" }), SECRET, T0);
  await assert.rejects(
    verify(handSigned({ "x-amz-date": "20261129T101010Z" }, "x"), SECRET, T0),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
});

test("independent signer: Date header instead of X-Amz-Date", async () => {
  const parts = handSigned({ date: "Sun, 29 Nov 2026 10:10:10 GMT" });
  const parsed = await verify(parts, SECRET, T0);
  assert.equal(parsed.amzDate.getTime(), T0.getTime());
  assert.ok(parsed.signedHeaders.includes("date"));
});

// ---------------------------------------------------------------------------------------------
// Presigned

test("presigned: valid, session token in the query, expiry", async () => {
  const parts = await smithyPresigned({ sessionToken: TOKEN, expiresIn: 300 });
  assert.equal(parts.headers["authorization"], undefined);
  const parsed = await verify(parts, SECRET, new Date(T0.getTime() + 299_000));
  assert.equal(parsed.presigned, true);
  assert.equal(parsed.sessionToken, TOKEN);
  assert.deepEqual(parsed.signedHeaders, ["host"]);
  assert.equal(parsed.amzDate.getTime(), T0.getTime());
  await assert.rejects(
    verify(parts, SECRET, new Date(T0.getTime() + 301_000)),
    expectAwsError(
      "RequestExpired",
      400,
      "Signature expired: 20261129T101010Z is now earlier than 20261129T101011Z (20261129T101511Z - 300 sec.)",
    ),
  );
  await assert.rejects(verify(parts, SECRET, new Date(T0.getTime() - 16 * MIN)), expectAwsError("RequestExpired", 400, /not yet current/));
});

test("presigned: a long expiry outlives the 15 minute header window", async () => {
  const parts = await smithyPresigned({ expiresIn: 3600 });
  await verify(parts, SECRET, new Date(T0.getTime() + 59 * MIN));
});

test("presigned: wrong secret and tampered query", async () => {
  const parts = await smithyPresigned();
  await assert.rejects(verify(parts, "nope", T0), expectAwsError("SignatureDoesNotMatch", 403));
  await assert.rejects(
    verify(
      withQuery(parts, (q) => q.set("Action", "AssumeRole")),
      SECRET,
      T0,
    ),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
  await assert.rejects(
    verify(
      withQuery(parts, (q) => q.set("X-Amz-Expires", "901")),
      SECRET,
      T0,
    ),
    expectAwsError("SignatureDoesNotMatch", 403),
  );
});

// ---------------------------------------------------------------------------------------------
// Parsing errors

function parts(headers: Record<string, string>, query = ""): HttpRequestParts {
  return { method: "POST", path: "/", query: new URLSearchParams(query), headers: { host: HOST, ...headers }, body: Buffer.alloc(0) };
}

const GOOD_CRED = `Credential=${AKID}/20261129/us-east-1/organizations/aws4_request`;
const GOOD_SH = "SignedHeaders=host;x-amz-date";
const GOOD_SIG = `Signature=${"a".repeat(64)}`;
const DATE = { "x-amz-date": "20261129T101010Z" };

test("no credentials at all -> MissingAuthenticationTokenException", () => {
  assert.throws(() => parseSigV4(parts({})), expectAwsError("MissingAuthenticationTokenException", 403, "Missing Authentication Token"));
  assert.throws(() => parseSigV4(parts({ authorization: "  " })), expectAwsError("MissingAuthenticationTokenException", 403));
  assert.throws(() => parseSigV4(parts(DATE, "Action=ListRoots")), expectAwsError("MissingAuthenticationTokenException", 403));
});

test("well-formed header parses", () => {
  const p: SigV4Request = parseSigV4(parts({ ...DATE, authorization: `AWS4-HMAC-SHA256 ${GOOD_CRED}, ${GOOD_SH}, ${GOOD_SIG}` }));
  assert.equal(p.accessKeyId, AKID);
  assert.deepEqual(p.signedHeaders, ["host", "x-amz-date"]);
  assert.equal(p.signature, "a".repeat(64));
});

test("malformed Authorization headers -> IncompleteSignatureException", () => {
  const bad = (authorization: string, message: RegExp, headers: Record<string, string> = DATE) =>
    assert.throws(() => parseSigV4(parts({ ...headers, authorization })), expectAwsError("IncompleteSignatureException", 400, message));

  bad(`AWS4-HMAC-SHA1 ${GOOD_CRED}, ${GOOD_SH}, ${GOOD_SIG}`, /Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'/);
  bad("Bearer abc.def", /Unsupported AWS 'algorithm': 'Bearer'/);
  bad(`AWS ${AKID}:c2lnbmF0dXJl`, /Unsupported AWS 'algorithm': 'AWS'/);
  bad(
    `AWS4-HMAC-SHA256 ${GOOD_SH}, ${GOOD_SIG}`,
    /^Authorization header requires 'Credential' parameter\. Authorization=AWS4-HMAC-SHA256 /,
  );
  bad(`AWS4-HMAC-SHA256 ${GOOD_CRED}, ${GOOD_SIG}`, /^Authorization header requires 'SignedHeaders' parameter\. /);
  bad(`AWS4-HMAC-SHA256 ${GOOD_CRED}, ${GOOD_SH}`, /^Authorization header requires 'Signature' parameter\. /);
  bad(
    "AWS4-HMAC-SHA256",
    /^Authorization header requires 'Credential' parameter\. Authorization header requires 'Signature' parameter\. Authorization header requires 'SignedHeaders' parameter\. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\. Authorization=AWS4-HMAC-SHA256$/,
    {},
  );
  bad(`AWS4-HMAC-SHA256 ${GOOD_CRED}, ${GOOD_SH}, ${GOOD_SIG}`, /requires existence of either a 'X-Amz-Date' or a 'Date' header/, {});
  bad(
    `AWS4-HMAC-SHA256 ${GOOD_CRED}, SignedHeaders, ${GOOD_SIG}`,
    /^Invalid key=value pair \(missing equal-sign\) in Authorization header/,
  );
  // bad scopes
  bad(`AWS4-HMAC-SHA256 Credential=${AKID}/20261129/us-east-1/organizations, ${GOOD_SH}, ${GOOD_SIG}`, /^Credential should be of the form/);
  bad(
    `AWS4-HMAC-SHA256 Credential=${AKID}/20261129/us-east-1/organizations/aws5_request, ${GOOD_SH}, ${GOOD_SIG}`,
    /valid terminator: 'aws4_request', not 'aws5_request'/,
  );
  bad(
    `AWS4-HMAC-SHA256 Credential=${AKID}/2026-11-29/us-east-1/organizations/aws4_request, ${GOOD_SH}, ${GOOD_SIG}`,
    /valid date in YYYYMMDD format, not '2026-11-29'/,
  );
  bad(`AWS4-HMAC-SHA256 Credential=${AKID}/20261399/us-east-1/organizations/aws4_request, ${GOOD_SH}, ${GOOD_SIG}`, /not '20261399'/);
  bad(
    `AWS4-HMAC-SHA256 Credential=${AKID}/us-east-1/organizations/aws4_request, ${GOOD_SH}, ${GOOD_SIG}`,
    /^Credential should be of the form/,
  );
  bad(
    `AWS4-HMAC-SHA256 Credential=${AKID}//organizations/aws4_request/x, ${GOOD_SH}, ${GOOD_SIG}`,
    /valid date in YYYYMMDD format, not ''/,
  );
  bad(`AWS4-HMAC-SHA256 Credential=${AKID}/20261129//organizations/aws4_request, ${GOOD_SH}, ${GOOD_SIG}`, /valid region, not ''/);
  bad(`AWS4-HMAC-SHA256 Credential=/20261129/us-east-1/organizations/aws4_request, ${GOOD_SH}, ${GOOD_SIG}`, /access key ID/);
  // signed headers
  bad(`AWS4-HMAC-SHA256 ${GOOD_CRED}, SignedHeaders=x-amz-date, ${GOOD_SIG}`, /'Host' or ':authority' must be a 'SignedHeader'/);
  bad(`AWS4-HMAC-SHA256 ${GOOD_CRED}, SignedHeaders=host;;x-amz-date, ${GOOD_SIG}`, /SignedHeaders should be/);
  // dates
  bad(`AWS4-HMAC-SHA256 ${GOOD_CRED}, ${GOOD_SH}, ${GOOD_SIG}`, /^Date must be in ISO-8601 'basic format'\. Got '2026-11-29T10:10:10Z'\./, {
    "x-amz-date": "2026-11-29T10:10:10Z",
  });
  bad(`AWS4-HMAC-SHA256 ${GOOD_CRED}, ${GOOD_SH}, ${GOOD_SIG}`, /Got '20261329T101010Z'/, { "x-amz-date": "20261329T101010Z" });
  bad(`AWS4-HMAC-SHA256 ${GOOD_CRED}, ${GOOD_SH}, ${GOOD_SIG}`, /Got 'yesterday'/, { date: "yesterday" });
});

test("malformed presigned queries -> IncompleteSignatureException", () => {
  const q = (query: string) =>
    assert.throws(
      () => parseSigV4({ ...parts({}), headers: { host: HOST }, query: new URLSearchParams(query) }),
      (err: unknown) => {
        assert.ok(err instanceof AwsError);
        assert.equal(err.code, "IncompleteSignatureException");
        assert.equal(err.status, 400);
        return true;
      },
    );
  const cred = encodeURIComponent(`${AKID}/20261129/us-east-1/sts/aws4_request`);
  const full = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${cred}&X-Amz-Date=20261129T101010Z&X-Amz-SignedHeaders=host&X-Amz-Signature=abc&X-Amz-Expires=60`;
  assert.equal(parseSigV4({ ...parts({}), query: new URLSearchParams(full) }).presigned, true);
  q(full.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256&", ""));
  q(full.replace("&X-Amz-Signature=abc", ""));
  q(full.replace(/X-Amz-Credential=[^&]*&/, ""));
  q(full.replace("X-Amz-Date=20261129T101010Z&", ""));
  q(full.replace("X-Amz-SignedHeaders=host&", ""));
  q(full.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"));
  q(full.replace("20261129T101010Z", "20261129"));
  q(full.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"));
  q(full.replace("X-Amz-Expires=60", "X-Amz-Expires=0"));
  q(full.replace("X-Amz-Expires=60", "X-Amz-Expires=abc"));
  q(full.replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date"));
  q(full.replace("aws4_request", "aws4"));
  assert.throws(
    () =>
      parseSigV4({
        ...parts({ authorization: `AWS4-HMAC-SHA256 ${GOOD_CRED}, ${GOOD_SH}, ${GOOD_SIG}`, ...DATE }),
        query: new URLSearchParams(full),
      }),
    expectAwsError("IncompleteSignatureException", 400, /Only one auth mechanism allowed/),
  );
});

// ---------------------------------------------------------------------------------------------
// What AWS requires of a verified signature (strict mode, issued credentials)

const ORGS = {
  service: "organizations",
  requiredSignedHeaders: ["x-amz-target"],
  errorCodes: { mismatch: "InvalidSignatureException", mismatchStatus: 400 },
};
const AT = "20261129T101010Z";

test("Rule: the credential scope must name the service called — a request signed for s3 or ec2 is InvalidSignatureException with AWS's words", async () => {
  for (const service of ["s3", "ec2", "sts"]) {
    const parts = handSigned({ "x-amz-date": AT }, SECRET, { service });
    await verify(parts, SECRET, T0); // the signature itself is fine
    await assert.rejects(
      verify(parts, SECRET, T0, ORGS),
      expectAwsError("InvalidSignatureException", 400, "Credential should be scoped to correct service: 'organizations'. "),
    );
  }
  await verify(handSigned({ "x-amz-date": AT }), SECRET, T0, ORGS);
});

test("Rule: any region of the scope is accepted (a client configured for eu-west-1 signs with it)", async () => {
  for (const region of ["eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]) {
    const parsed = await verify(handSigned({ "x-amz-date": AT }, SECRET, { region }), SECRET, T0, ORGS);
    assert.equal(parsed.region, region);
  }
});

test("Rule: X-Amz-Target must be signed on a JSON protocol — otherwise one signature could be replayed as another operation", async () => {
  const replay = handSigned({ "x-amz-date": AT, "x-amz-target": "AWSOrganizationsV20161128.ListRoots" }, SECRET, {
    unsigned: { "x-amz-target": "AWSOrganizationsV20161128.DeleteOrganization" },
  });
  // Without the rule the signature verifies: the operation is not part of it.
  await verify(replay, SECRET, T0);
  await assert.rejects(
    verify(replay, SECRET, T0, ORGS),
    expectAwsError("IncompleteSignatureException", 400, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."),
  );
  // Signed, the target can't be swapped.
  const signed = handSigned({ "x-amz-date": AT });
  await assert.rejects(
    verify(withHeaders(signed, { "x-amz-target": "AWSOrganizationsV20161128.DeleteOrganization" }), SECRET, T0, ORGS),
    expectAwsError("InvalidSignatureException", 400),
  );
});

test("Rule: the date must be signed — X-Amz-Date (or Date) outside SignedHeaders is IncompleteSignatureException", async () => {
  const parts = handSigned({}, SECRET, { unsigned: { "x-amz-date": AT } });
  await assert.rejects(
    verify(parts, SECRET, T0, ORGS),
    expectAwsError("IncompleteSignatureException", 400, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."),
  );
  const dated = handSigned({}, SECRET, { unsigned: { date: "Sun, 29 Nov 2026 10:10:10 GMT" } });
  await assert.rejects(
    verify(dated, SECRET, T0, ORGS),
    expectAwsError("IncompleteSignatureException", 400, /'Date' must be a 'SignedHeader'/),
  );
  // A presigned request signs its X-Amz-Date as part of the query string.
  await verify(await smithyPresigned(), SECRET, T0, { service: "organizations" });
});

test("Rule: SignedHeaders names each header once, lower-case, sorted — duplicates, capitals and disorder are IncompleteSignatureException", async () => {
  const cases: [string, RegExp][] = [
    ["content-type;host;host;x-amz-date;x-amz-target", /SignedHeaders lists 'host' more than once\./],
    ["content-type;host;x-amz-date;X-Amz-Date;x-amz-target", /SignedHeaders lists 'x-amz-date' more than once\./],
    ["content-type;Host;x-amz-date;x-amz-target", /lower-case header names in sorted order/],
    [
      "host;content-type;x-amz-date;x-amz-target",
      /lower-case header names in sorted order, as SigV4 signs them; got 'host;content-type;x-amz-date;x-amz-target'/,
    ],
  ];
  for (const [text, message] of cases) {
    const parts = handSigned({ "x-amz-date": AT }, SECRET, { signedHeadersText: text });
    await assert.rejects(verify(parts, SECRET, T0, ORGS), expectAwsError("IncompleteSignatureException", 400, message), text);
  }
});
