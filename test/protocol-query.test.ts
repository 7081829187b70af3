import "./helpers/quiet-sdk.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { AwsError } from "../src/protocol/errors.js";
import { loadModel, type ServiceModel } from "../src/protocol/model.js";
import {
  QUERY_LIMITS,
  parseQueryInput,
  queryParameters,
  queryParseWork,
  serializeQueryError,
  serializeQueryOutput,
  type QueryLimits,
} from "../src/protocol/awsQuery.js";
import { findViolations } from "../src/protocol/validate.js";
import { queryValidationError } from "../src/protocol/violations.js";

const sts = loadModel("sts-2011-06-15");
const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

test("parseQueryInput: scalars, lists of structures (Tags.member.N), PolicyArns.member.N.arn", () => {
  const params = new URLSearchParams(
    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FAdmin&RoleSessionName=s1" +
      "&DurationSeconds=3600&Tags.member.1.Key=team&Tags.member.1.Value=core&Tags.member.2.Key=env&Tags.member.2.Value=prod" +
      "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess" +
      "&TransitiveTagKeys.member.10=ten&TransitiveTagKeys.member.2=two&TransitiveTagKeys.member.1=one",
  );
  const input = parseQueryInput(sts, "AssumeRole", params);
  assert.deepEqual(input, {
    RoleArn: "arn:aws:iam::123456789012:role/Admin",
    RoleSessionName: "s1",
    PolicyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
    DurationSeconds: 3600,
    Tags: [
      { Key: "team", Value: "core" },
      { Key: "env", Value: "prod" },
    ],
    TransitiveTagKeys: ["one", "two", "ten"],
  });
  assert.deepEqual(findViolations(sts, "AssumeRoleRequest", input), []);
});

test("parseQueryInput: unparseable numbers stay strings (INVALID_TYPE); empty list; nested structure", () => {
  const bad = parseQueryInput(
    sts,
    "AssumeRole",
    new URLSearchParams("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FAdmin&RoleSessionName=s1&DurationSeconds=abc"),
  );
  assert.equal(bad.DurationSeconds, "abc");
  const vs = findViolations(sts, "AssumeRoleRequest", bad);
  assert.deepEqual(
    vs.map((v) => [v.reason, v.path]),
    [["INVALID_TYPE", "DurationSeconds"]],
  );
  assert.match(
    queryValidationError(vs).message,
    /^1 validation error detected: Value 'abc' at 'durationSeconds' failed to satisfy constraint: /,
  );

  const empty = parseQueryInput(sts, "AssumeRole", new URLSearchParams("RoleArn=x&RoleSessionName=s&Tags="));
  assert.deepEqual(empty.Tags, []);

  const root = parseQueryInput(
    sts,
    "AssumeRoot",
    new URLSearchParams(
      "TargetPrincipal=123456789012&TaskPolicyArn.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Froot-task%2FIAMAuditRootUserCredentials",
    ),
  );
  assert.deepEqual(root, {
    TargetPrincipal: "123456789012",
    TaskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials" },
  });

  assert.deepEqual(parseQueryInput(sts, "GetCallerIdentity", new URLSearchParams("Action=GetCallerIdentity&Version=2011-06-15")), {});
});

test("parseQueryInput: maps and flattened lists via a synthetic model", () => {
  const model: ServiceModel = {
    metadata: {
      apiVersion: "2020-01-01",
      endpointPrefix: "x",
      protocol: "query",
      serviceId: "X",
      uid: "x-2020-01-01",
      xmlNamespace: "https://x/doc/",
    },
    operations: {
      Op: {
        name: "Op",
        http: { method: "POST", requestUri: "/" },
        input: { shape: "OpInput" },
        output: { shape: "OpOutput", resultWrapper: "OpResult" },
      },
    },
    shapes: {
      OpInput: {
        type: "structure",
        members: {
          Attrs: { shape: "AttrMap" },
          Flat: { shape: "FlatList", flattened: true },
          Enabled: { shape: "Bool" },
          When: { shape: "Time" },
          Ratio: { shape: "Dbl" },
          Named: { shape: "Str", locationName: "renamed" },
        },
      },
      OpOutput: {
        type: "structure",
        members: { Attrs: { shape: "AttrMap" }, Flat: { shape: "FlatList", flattened: true }, Enabled: { shape: "Bool" } },
      },
      AttrMap: { type: "map", key: { shape: "Str" }, value: { shape: "Str" } },
      FlatList: { type: "list", member: { shape: "Str" } },
      Bool: { type: "boolean" },
      Time: { type: "timestamp" },
      Dbl: { type: "double" },
      Str: { type: "string" },
    },
    paginators: {},
  };
  const input = parseQueryInput(
    model,
    "Op",
    new URLSearchParams(
      "Attrs.entry.1.key=a&Attrs.entry.1.value=1&Attrs.entry.2.key=b&Attrs.entry.2.value=2&Flat.1=x&Flat.2=y&Enabled=true&When=2024-01-02T03:04:05Z&Ratio=0.5&renamed=r",
    ),
  );
  assert.deepEqual(input, {
    Attrs: { a: "1", b: "2" },
    Flat: ["x", "y"],
    Enabled: true,
    When: new Date("2024-01-02T03:04:05Z"),
    Ratio: 0.5,
    Named: "r",
  });
  assert.equal(parseQueryInput(model, "Op", new URLSearchParams("Enabled=yes")).Enabled, "yes");

  const xml = serializeQueryOutput(model, "Op", { Attrs: { a: "1" }, Flat: ["x", "y"], Enabled: false }, "rid");
  assert.equal(
    xml,
    '<OpResponse xmlns="https://x/doc/"><OpResult><Attrs><entry><key>a</key><value>1</value></entry></Attrs><Flat>x</Flat><Flat>y</Flat><Enabled>false</Enabled></OpResult>' +
      "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></OpResponse>",
  );
});

test("serializeQueryOutput: GetCallerIdentity XML", () => {
  const xml = serializeQueryOutput(
    sts,
    "GetCallerIdentity",
    { UserId: "AIDAEXAMPLE", Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/alice", Extra: "dropped" },
    "c6104cbe-af31-11e0-8154-cbc7ccf896c7",
  );
  assert.equal(
    xml,
    `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>` +
      "<Arn>arn:aws:iam::123456789012:user/alice</Arn></GetCallerIdentityResult>" +
      "<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
  );
});

test("serializeQueryOutput: nested structures, ISO timestamps, escaping, omitted members", () => {
  const xml = serializeQueryOutput(
    sts,
    "AssumeRole",
    {
      Credentials: {
        AccessKeyId: "ASIAEXAMPLE",
        SecretAccessKey: "s<&>'\"",
        SessionToken: "tok",
        Expiration: new Date("2024-05-06T07:08:09.123Z"),
      },
      AssumedRoleUser: { AssumedRoleId: "AROA:s1", Arn: "arn:aws:sts::123456789012:assumed-role/Admin/s1" },
      PackedPolicySize: 6,
    },
    "rid-1",
  );
  assert.equal(
    xml,
    `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>` +
      "<SecretAccessKey>s&lt;&amp;&gt;&apos;&quot;</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2024-05-06T07:08:09.123Z</Expiration></Credentials>" +
      "<AssumedRoleUser><AssumedRoleId>AROA:s1</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/Admin/s1</Arn></AssumedRoleUser>" +
      "<PackedPolicySize>6</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></AssumeRoleResponse>",
  );
});

test("serializeQueryError: modeled code, Sender/Receiver", () => {
  const xml = serializeQueryError(sts, new AwsError("MalformedPolicyDocumentException", "bad <policy>"), "rid-2");
  assert.equal(
    xml,
    `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>MalformedPolicyDocument</Code><Message>bad &lt;policy&gt;</Message></Error>` +
      "<RequestId>rid-2</RequestId></ErrorResponse>",
  );
  const internal = serializeQueryError(sts, new AwsError("InternalFailure", "oops", { status: 500 }), "rid-3");
  assert.match(internal, /<Type>Receiver<\/Type><Code>InternalFailure<\/Code>/);
  const validation = serializeQueryError(
    sts,
    queryValidationError(findViolations(sts, "AssumeRoleRequest", { RoleArn: "arn:aws:iam::123456789012:role/A" })),
    "rid-4",
  );
  assert.match(
    validation,
    /<Code>ValidationError<\/Code><Message>1 validation error detected: Value null at &apos;roleSessionName&apos; failed/,
  );
});

/** An STS client whose transport is answered in-process by `respond`. */
function stsClient(respond: (body: string) => { statusCode: number; body: string }): STSClient {
  return new STSClient({
    region: "us-east-1",
    endpoint: "http://localhost:4599",
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    maxAttempts: 1,
    requestHandler: {
      async handle(request: { body?: unknown }) {
        const r = respond(String(request.body ?? ""));
        return { response: { statusCode: r.statusCode, headers: { "content-type": "text/xml" }, body: new TextEncoder().encode(r.body) } };
      },
    },
  });
}

test("round trip with the AWS SDK v3 STS client", async () => {
  const seen: Record<string, unknown>[] = [];
  const client = stsClient((body) => {
    const params = new URLSearchParams(body);
    const action = params.get("Action")!;
    const input = parseQueryInput(sts, action, params);
    seen.push(input);
    const vs = findViolations(sts, sts.operations[action]!.input!.shape, input);
    if (vs.length > 0) return { statusCode: 400, body: serializeQueryError(sts, queryValidationError(vs), "rid-v") };
    if (action === "GetCallerIdentity") {
      return {
        statusCode: 200,
        body: serializeQueryOutput(
          sts,
          action,
          { UserId: "AIDA1", Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/bob" },
          "rid-g",
        ),
      };
    }
    if (action === "AssumeRole") {
      return {
        statusCode: 200,
        body: serializeQueryOutput(
          sts,
          action,
          {
            Credentials: {
              AccessKeyId: "ASIA1",
              SecretAccessKey: "secret",
              SessionToken: "token",
              Expiration: new Date("2030-01-01T00:00:00Z"),
            },
            AssumedRoleUser: { AssumedRoleId: "AROA1:s1", Arn: "arn:aws:sts::123456789012:assumed-role/Admin/s1" },
          },
          "rid-a",
        ),
      };
    }
    return {
      statusCode: 400,
      body: serializeQueryError(sts, new AwsError("MalformedPolicyDocumentException", "The policy is malformed."), "rid-e"),
    };
  });

  const who = await client.send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, "123456789012");
  assert.equal(who.Arn, "arn:aws:iam::123456789012:user/bob");

  const assumed = await client.send(
    new AssumeRoleCommand({
      RoleArn: "arn:aws:iam::123456789012:role/Admin",
      RoleSessionName: "s1",
      DurationSeconds: 900,
      Tags: [{ Key: "team", Value: "core" }],
      PolicyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
      TransitiveTagKeys: ["team"],
    }),
  );
  assert.equal(assumed.Credentials?.AccessKeyId, "ASIA1");
  assert.ok(assumed.Credentials?.Expiration instanceof Date);
  assert.equal(assumed.Credentials?.Expiration?.toISOString(), "2030-01-01T00:00:00.000Z");
  assert.deepEqual(seen[1], {
    RoleArn: "arn:aws:iam::123456789012:role/Admin",
    RoleSessionName: "s1",
    PolicyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
    DurationSeconds: 900,
    Tags: [{ Key: "team", Value: "core" }],
    TransitiveTagKeys: ["team"],
  });

  await assert.rejects(
    client.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/Admin", RoleSessionName: "bad name" })),
    (e: unknown) => {
      const err = e as { name: string; message: string; $metadata: { httpStatusCode?: number } };
      assert.equal(err.name, "ValidationError");
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.match(err.message, /Value 'bad name' at 'roleSessionName' failed to satisfy constraint/);
      return true;
    },
  );

  await assert.rejects(client.send(new GetSessionTokenCommand({})), (e: unknown) => {
    const err = e as { name: string; message: string };
    assert.equal(err.name, "MalformedPolicyDocumentException");
    assert.equal(err.message, "The policy is malformed.");
    return true;
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile form bodies: linear work, bounded names, depth and parameter count

/** The parse work (characters of names examined) of one parse with the given limits; errors are returned, not thrown. */
function workOf(body: string, limits: QueryLimits = QUERY_LIMITS): { work: number; error?: AwsError } {
  const before = queryParseWork.chars;
  try {
    parseQueryInput(sts, "AssumeRole", new URLSearchParams(body), limits);
    return { work: queryParseWork.chars - before };
  } catch (err) {
    assert.ok(err instanceof AwsError, String(err));
    return { work: queryParseWork.chars - before, error: err };
  }
}

test("Rule (orgsim promise): awsQuery parameter names are indexed in linear work — doubling a long dotted name doubles the work, not quadruples it", () => {
  // Limits lifted so the algorithm itself is measured: one name of n segments "a.a.a...".
  const open = { maxNameLength: Infinity, maxDepth: Infinity, maxParameters: Infinity };
  const name = (segments: number) => Array.from({ length: segments }, () => "a").join(".");
  const small = workOf(`RoleArn=x&${name(20_000)}=v`, open).work;
  const large = workOf(`RoleArn=x&${name(40_000)}=v`, open).work;
  const ratio = large / small;
  assert.ok(ratio > 1.8 && ratio < 2.2, `work grew by ${ratio.toFixed(2)} for twice the input (${small} -> ${large})`);
  // Every character of a name is examined about once: work is bounded by the body's size.
  assert.ok(large <= 2 * name(40_000).length + 100, `work ${large} for a name of ${name(40_000).length} characters`);
  // Many short names: work proportional to their count.
  const many = (n: number) => Array.from({ length: n }, (_, i) => `Tags.member.${i + 1}.Key=k`).join("&");
  const w1 = workOf(many(5_000), open).work;
  const w2 = workOf(many(10_000), open).work;
  assert.ok(w2 / w1 > 1.8 && w2 / w1 < 2.3, `work grew by ${(w2 / w1).toFixed(2)} for twice the parameters`);
});

test("Rule (orgsim promise): over-long names, deep nesting and too many parameters are MalformedQueryString (400), refused before the rest of the body is indexed", () => {
  const cases: [string, string, RegExp][] = [
    ["long name", `RoleArn=x&${"n".repeat(QUERY_LIMITS.maxNameLength + 1)}=v&Tags.member.1.Key=k`, /longer than 256 characters/],
    ["deep name", `RoleArn=x&${Array.from({ length: QUERY_LIMITS.maxDepth + 2 }, () => "d").join(".")}=v`, /nests deeper than 8 levels/],
    ["many parameters", Array.from({ length: QUERY_LIMITS.maxParameters + 1 }, (_, i) => `p${i}=v`).join("&"), /more than 1000 parameters/],
    ["a 1 MiB dotted name", `${"a.".repeat(512 * 1024)}=v`, /longer than 256 characters/],
  ];
  for (const [label, body, message] of cases) {
    const { work, error } = workOf(body);
    assert.ok(error, `${label}: refused`);
    assert.equal(error.code, "MalformedQueryString", label);
    assert.equal(error.status, 400, label);
    assert.match(error.message, message, label);
    assert.ok(work <= QUERY_LIMITS.maxParameters * (QUERY_LIMITS.maxNameLength + 1), `${label}: bounded work (${work})`);
  }
  // At the limits, a request still parses.
  const deepest = Array.from({ length: QUERY_LIMITS.maxDepth + 1 }, () => "d").join(".");
  assert.equal(workOf(`RoleArn=x&RoleSessionName=s&${deepest}=v&${"n".repeat(QUERY_LIMITS.maxNameLength)}=v`).error, undefined);
});

test("queryParameters: the body's parameters first, then the query string's that the body lacks (first value wins), in linear time", () => {
  const q = new URLSearchParams("Action=GetCallerIdentity&Version=2011-06-15&X=1&X=2&Extra=e");
  const params = queryParameters("Action=AssumeRole&RoleArn=r", q);
  assert.equal(params.get("Action"), "AssumeRole");
  assert.equal(params.get("Version"), "2011-06-15");
  assert.deepEqual(params.getAll("X"), ["1"]);
  assert.equal(params.get("Extra"), "e");
  assert.equal(params.get("RoleArn"), "r");
});
