import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSigV4, type HttpRequestParts } from "../src/auth/sigv4.js";
import { AwsError } from "../src/protocol/errors.js";

const SIG = "f".repeat(64);

function parts(authorization: string, amzDate = "20261129T101010Z"): HttpRequestParts {
  return {
    method: "POST",
    path: "/",
    query: new URLSearchParams(),
    headers: { host: "127.0.0.1", "x-amz-date": amzDate, authorization },
    body: Buffer.from("{}"),
  };
}

function incomplete(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof AwsError && err.code === "IncompleteSignatureException" && message.test(err.message));
}

test("the credential scope and SignedHeaders are parsed once per distinct value, and a bad value is still refused after a good one", () => {
  const good = `AWS4-HMAC-SHA256 Credential=111111111111/20261129/us-east-1/organizations/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
  const first = parseSigV4(parts(good));
  const second = parseSigV4(parts(good.replace(SIG, "e".repeat(64)), "20261129T235959Z"));
  assert.equal(first.accessKeyId, "111111111111");
  assert.equal(first.region, "us-east-1");
  assert.equal(first.service, "organizations");
  assert.deepEqual(first.signedHeaders, ["host", "x-amz-date"]);
  // The list is shared between requests that send the same one, and can't be changed by one of them.
  assert.equal(second.signedHeaders, first.signedHeaders);
  assert.ok(Object.isFrozen(first.signedHeaders));
  assert.equal(second.signature, "e".repeat(64));
  assert.equal(second.amzDate.toISOString(), "2026-11-29T23:59:59.000Z");
  incomplete(() => parseSigV4(parts(good.replace("/20261129/", "/20261329/"))), /valid date in YYYYMMDD format, not '20261329'/);
  incomplete(() => parseSigV4(parts(good.replace("host;x-amz-date", "x-amz-date"))), /'Host' or ':authority' must be a 'SignedHeader'/);
  // And the good one again after the refusals: the same answer.
  assert.deepEqual(parseSigV4(parts(good)), first);
});

test("X-Amz-Date is read digit by digit: only a real instant in basic format passes", () => {
  const auth = `AWS4-HMAC-SHA256 Credential=111111111111/20261129/us-east-1/organizations/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
  assert.equal(parseSigV4(parts(auth, "20240229T000000Z")).amzDate.toISOString(), "2024-02-29T00:00:00.000Z");
  for (const bad of [
    "20230229T000000Z",
    "20261129T241010Z",
    "20261129T101060Z",
    "2026112T101010Z",
    "20261129 101010Z",
    "2026-1129T10101Z",
    "20261129T101010",
    "0050112 T101010Z",
    "00501129T101010Z",
    "２0261129T101010Z",
  ])
    incomplete(() => parseSigV4(parts(auth, bad)), /ISO-8601 'basic format'/);
});

test("Authorization pairs: empty pieces skipped, a later duplicate wins, a piece without '=' refused", () => {
  const scope = "Credential=111111111111/20261129/us-east-1/organizations/aws4_request";
  const parsed = parseSigV4(parts(`AWS4-HMAC-SHA256 ,${scope},, SignedHeaders=host, Signature=${"a".repeat(64)}, Signature=${SIG},`));
  assert.equal(parsed.signature, SIG);
  incomplete(() => parseSigV4(parts(`AWS4-HMAC-SHA256 ${scope}, SignedHeaders=host, Signature`)), /missing equal-sign/);
  incomplete(() => parseSigV4(parts(`AWS4-HMAC-SHA256\t${scope}, SignedHeaders=host`)), /requires 'Signature' parameter/);
  incomplete(() => parseSigV4(parts(`AWS4-HMAC-SHA1 ${scope}`)), /Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'/);
});
