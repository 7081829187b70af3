import "./helpers/quiet-sdk.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AccountClient,
  GetAccountInformationCommand,
  GetAlternateContactCommand,
  PutAlternateContactCommand,
} from "@aws-sdk/client-account";
import { AwsError } from "../src/protocol/errors.js";
import { loadModel, type ServiceModel } from "../src/protocol/model.js";
import { matchRestOperation, parseRestJsonInput, serializeRestJsonError, serializeRestJsonOutput } from "../src/protocol/restJson.js";
import { findViolations } from "../src/protocol/validate.js";
import { restJsonValidationError } from "../src/protocol/violations.js";

const account = loadModel("account-2021-02-01");

const parts = (path: string, body: string, headers: Record<string, string> = {}) => ({
  path,
  query: new URLSearchParams(path.includes("?") ? path.slice(path.indexOf("?") + 1) : ""),
  headers,
  body: Buffer.from(body),
});

/** A small restJson model exercising URI labels, greedy labels, query strings and headers. */
const synthetic: ServiceModel = {
  metadata: { apiVersion: "2020-01-01", endpointPrefix: "x", protocol: "rest-json", serviceId: "X", uid: "x-2020-01-01" },
  operations: {
    GetThing: {
      name: "GetThing",
      http: { method: "GET", requestUri: "/things/{ThingId}" },
      input: { shape: "GetThingInput" },
      output: { shape: "GetThingOutput" },
    },
    ListThings: { name: "ListThings", http: { method: "GET", requestUri: "/things" }, input: { shape: "ListThingsInput" } },
    GetSpecial: { name: "GetSpecial", http: { method: "GET", requestUri: "/things/special" } },
    GetObject: { name: "GetObject", http: { method: "GET", requestUri: "/buckets/{Bucket}/{Key+}" }, input: { shape: "GetObjectInput" } },
    GetAcl: { name: "GetAcl", http: { method: "GET", requestUri: "/buckets/{Bucket}/{Key+}?acl" }, input: { shape: "GetObjectInput" } },
    CreateThing: {
      name: "CreateThing",
      http: { method: "POST", requestUri: "/things", responseCode: 201 },
      input: { shape: "CreateThingInput" },
      output: { shape: "GetThingOutput" },
    },
  },
  shapes: {
    GetThingInput: {
      type: "structure",
      required: ["ThingId"],
      members: {
        ThingId: { shape: "Str", location: "uri", locationName: "ThingId" },
        Verbose: { shape: "Bool", location: "querystring", locationName: "verbose" },
        Limit: { shape: "Int", location: "querystring", locationName: "limit" },
        Ids: { shape: "StrList", location: "querystring", locationName: "id" },
        Token: { shape: "Str", location: "header", locationName: "X-Token" },
        Since: { shape: "Time", location: "header", locationName: "If-Modified-Since" },
        Meta: { shape: "StrMap", location: "headers", locationName: "x-meta-" },
      },
    },
    ListThingsInput: {
      type: "structure",
      members: {
        Params: { shape: "StrMap", location: "querystring" },
        Limit: { shape: "Int", location: "querystring", locationName: "limit" },
      },
    },
    GetObjectInput: {
      type: "structure",
      members: {
        Bucket: { shape: "Str", location: "uri", locationName: "Bucket" },
        Key: { shape: "Str", location: "uri", locationName: "Key" },
      },
    },
    CreateThingInput: { type: "structure", members: { Name: { shape: "Str" }, When: { shape: "Time" }, Tags: { shape: "StrList" } } },
    GetThingOutput: {
      type: "structure",
      members: {
        Name: { shape: "Str" },
        Created: { shape: "Time" },
        ETag: { shape: "Str", location: "header", locationName: "ETag" },
        Modified: { shape: "Time", location: "header", locationName: "Last-Modified" },
      },
    },
    Str: { type: "string" },
    Bool: { type: "boolean" },
    Int: { type: "integer" },
    Time: { type: "timestamp" },
    StrList: { type: "list", member: { shape: "Str" } },
    StrMap: { type: "map", key: { shape: "Str" }, value: { shape: "Str" } },
  },
  paginators: {},
};

test("matchRestOperation: Account's fixed paths", () => {
  assert.equal(matchRestOperation(account, "POST", "/putAlternateContact")?.operation, "PutAlternateContact");
  assert.equal(matchRestOperation(account, "post", "/getContactInformation")?.operation, "GetContactInformation");
  assert.equal(matchRestOperation(account, "POST", "/listRegions?x=1")?.operation, "ListRegions");
  assert.equal(matchRestOperation(account, "GET", "/putAlternateContact"), undefined);
  assert.equal(matchRestOperation(account, "POST", "/nope"), undefined);
  assert.equal(matchRestOperation(account, "POST", "/putAlternateContact/extra"), undefined);
  // Every Account operation is reachable at its own URI.
  for (const [name, op] of Object.entries(account.operations))
    assert.equal(matchRestOperation(account, op.http.method, op.http.requestUri)?.operation, name);
});

test("matchRestOperation: labels, greedy labels, specificity, query literals", () => {
  assert.deepEqual(matchRestOperation(synthetic, "GET", "/things/abc%20d"), { operation: "GetThing", labels: { ThingId: "abc d" } });
  assert.equal(matchRestOperation(synthetic, "GET", "/things/special")?.operation, "GetSpecial");
  assert.equal(matchRestOperation(synthetic, "GET", "/things")?.operation, "ListThings");
  assert.equal(matchRestOperation(synthetic, "GET", "/things/")?.operation, undefined);
  assert.deepEqual(matchRestOperation(synthetic, "GET", "/buckets/b1/a/b/c.txt"), {
    operation: "GetObject",
    labels: { Bucket: "b1", Key: "a/b/c.txt" },
  });
  assert.equal(matchRestOperation(synthetic, "GET", "/buckets/b1/a/b?acl")?.operation, "GetAcl");
  assert.equal(matchRestOperation(synthetic, "GET", "/buckets/b1"), undefined);
});

test("parseRestJsonInput: uri, querystring, headers, prefix headers", () => {
  const input = parseRestJsonInput(
    synthetic,
    "GetThing",
    parts("/things/t%2F1?verbose=true&limit=5&id=a&id=b", "", {
      "x-token": "tok",
      "if-modified-since": "Tue, 02 Jan 2024 03:04:05 GMT",
      "X-Meta-Color": "blue",
    }),
  );
  assert.deepEqual(input, {
    ThingId: "t/1",
    Verbose: true,
    Limit: 5,
    Ids: ["a", "b"],
    Token: "tok",
    Since: new Date("2024-01-02T03:04:05Z"),
    Meta: { color: "blue" },
  });
  const loose = parseRestJsonInput(synthetic, "ListThings", parts("/things?limit=x&a=1&b=2", ""));
  assert.deepEqual(loose, { Params: { a: "1", b: "2" }, Limit: "x" });
  assert.equal(findViolations(synthetic, "ListThingsInput", loose)[0]!.reason, "INVALID_TYPE");
});

test("parseRestJsonInput: JSON body, empty body, bad bodies", () => {
  assert.deepEqual(parseRestJsonInput(account, "PutAlternateContact", parts("/putAlternateContact", "")), {});
  assert.deepEqual(parseRestJsonInput(account, "GetContactInformation", parts("/getContactInformation", "  ")), {});
  const input = parseRestJsonInput(
    account,
    "PutAlternateContact",
    parts(
      "/putAlternateContact",
      JSON.stringify({
        AlternateContactType: "BILLING",
        Name: "N",
        Title: "T",
        EmailAddress: "e@example.com",
        PhoneNumber: "+1 555",
        Unknown: 1,
      }),
    ),
  );
  assert.deepEqual(input, { AlternateContactType: "BILLING", Name: "N", Title: "T", EmailAddress: "e@example.com", PhoneNumber: "+1 555" });
  assert.deepEqual(findViolations(account, "PutAlternateContactRequest", input), []);

  for (const body of ["{not json", "[1,2]", '"str"']) {
    assert.throws(
      () => parseRestJsonInput(account, "PutAlternateContact", parts("/putAlternateContact", body)),
      (e: unknown) => e instanceof AwsError && e.code === "SerializationException" && e.status === 400,
      body,
    );
  }
  // Timestamps in the body become Dates; wrong types are left for validation.
  const created = parseRestJsonInput(
    synthetic,
    "CreateThing",
    parts("/things", JSON.stringify({ Name: "n", When: 1700000000, Tags: "x" })),
  );
  assert.deepEqual(created, { Name: "n", When: new Date(1700000000 * 1000), Tags: "x" });
  assert.deepEqual(
    findViolations(synthetic, "CreateThingInput", created).map((v) => v.path),
    ["Tags"],
  );
});

test("serializeRestJsonOutput: body, epoch/iso timestamps, headers, status", () => {
  const info = serializeRestJsonOutput(account, "GetAccountInformation", {
    AccountId: "123456789012",
    AccountName: "Prod",
    AccountCreatedDate: new Date("2020-01-02T03:04:05Z"),
    AccountState: "ACTIVE",
  });
  assert.equal(info.status, 200);
  assert.equal(info.headers["Content-Type"], "application/json");
  // AccountCreatedDate is modeled with timestampFormat iso8601.
  assert.deepEqual(JSON.parse(info.body), {
    AccountId: "123456789012",
    AccountName: "Prod",
    AccountCreatedDate: "2020-01-02T03:04:05.000Z",
    AccountState: "ACTIVE",
  });

  const none = serializeRestJsonOutput(account, "PutAlternateContact", undefined);
  assert.deepEqual(none, { status: 200, headers: {}, body: "" });

  const thing = serializeRestJsonOutput(synthetic, "CreateThing", {
    Name: "n",
    Created: new Date("2024-01-02T03:04:05.500Z"),
    ETag: '"abc"',
    Modified: new Date("2024-01-02T03:04:05Z"),
  });
  assert.equal(thing.status, 201);
  assert.equal(thing.headers["ETag"], '"abc"');
  assert.equal(thing.headers["Last-Modified"], "Tue, 02 Jan 2024 03:04:05 GMT");
  assert.deepEqual(JSON.parse(thing.body), { Name: "n", Created: 1704164645.5 });
});

test("serializeRestJsonError: modeled status, x-amzn-ErrorType, message key, fields", () => {
  const nf = serializeRestJsonError(account, new AwsError("ResourceNotFoundException", "No contact of that type."));
  assert.equal(nf.status, 404);
  assert.equal(nf.headers["x-amzn-ErrorType"], "ResourceNotFoundException");
  assert.deepEqual(JSON.parse(nf.body), { message: "No contact of that type." });

  const tooMany = serializeRestJsonError(account, new AwsError("TooManyRequestsException", "slow down"));
  assert.equal(tooMany.status, 429);

  const v = restJsonValidationError(findViolations(account, "GetAlternateContactRequest", {}));
  const ve = serializeRestJsonError(account, v);
  assert.equal(ve.status, 400);
  assert.equal(ve.headers["x-amzn-ErrorType"], "ValidationException");
  assert.deepEqual(JSON.parse(ve.body), {
    message: "1 validation error detected: Value null at 'alternateContactType' failed to satisfy constraint: Member must not be null",
    reason: "fieldValidationFailed",
    fieldList: [{ name: "alternateContactType", message: "Member must not be null" }],
  });

  const unmodeled = serializeRestJsonError(account, new AwsError("SerializationException", "bad body"));
  assert.equal(unmodeled.status, 400);
  assert.equal(unmodeled.headers["x-amzn-ErrorType"], "SerializationException");
});

/** An Account client whose transport is answered in-process. */
function accountClient(
  respond: (req: { method: string; path: string; body: string; headers: Record<string, string> }) => {
    status: number;
    headers: Record<string, string>;
    body: string;
  },
): AccountClient {
  return new AccountClient({
    region: "us-east-1",
    endpoint: "http://localhost:4599",
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    maxAttempts: 1,
    requestHandler: {
      async handle(request: { method: string; path: string; body?: unknown; headers: Record<string, string> }) {
        const r = respond({
          method: request.method,
          path: request.path,
          body: request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : String(request.body ?? ""),
          headers: request.headers,
        });
        return { response: { statusCode: r.status, headers: r.headers, body: new TextEncoder().encode(r.body) } };
      },
    },
  });
}

test("round trip with the AWS SDK v3 Account client", async () => {
  const stored: Record<string, unknown> = {};
  const client = accountClient((req) => {
    const match = matchRestOperation(account, req.method, req.path);
    if (!match) return serializeRestJsonError(account, new AwsError("UnknownOperationException", "no such operation", { status: 404 }));
    try {
      const input = parseRestJsonInput(account, match.operation, {
        path: req.path,
        query: new URLSearchParams(),
        headers: req.headers,
        body: Buffer.from(req.body),
      });
      const vs = findViolations(account, account.operations[match.operation]!.input!.shape, input);
      if (vs.length > 0) throw restJsonValidationError(vs);
      switch (match.operation) {
        case "PutAlternateContact":
          stored[String(input.AlternateContactType)] = input;
          return serializeRestJsonOutput(account, match.operation, {});
        case "GetAlternateContact": {
          const c = stored[String(input.AlternateContactType)];
          if (!c) throw new AwsError("ResourceNotFoundException", "No contact of the inputted alternate contact type found.");
          return serializeRestJsonOutput(account, match.operation, { AlternateContact: c });
        }
        case "GetAccountInformation":
          return serializeRestJsonOutput(account, match.operation, {
            AccountId: "123456789012",
            AccountName: "Prod",
            AccountCreatedDate: new Date("2020-01-02T03:04:05Z"),
          });
        default:
          throw new AwsError("InternalServerException", "unexpected", { status: 500 });
      }
    } catch (e) {
      if (e instanceof AwsError) return serializeRestJsonError(account, e);
      throw e;
    }
  });

  await client.send(
    new PutAlternateContactCommand({
      AlternateContactType: "SECURITY",
      Name: "Sec",
      Title: "CISO",
      EmailAddress: "sec@example.com",
      PhoneNumber: "+1 555 0100",
    }),
  );
  const got = await client.send(new GetAlternateContactCommand({ AlternateContactType: "SECURITY" }));
  assert.equal(got.AlternateContact?.EmailAddress, "sec@example.com");
  assert.equal(got.AlternateContact?.AlternateContactType, "SECURITY");

  const info = await client.send(new GetAccountInformationCommand({}));
  assert.equal(info.AccountCreatedDate?.toISOString(), "2020-01-02T03:04:05.000Z");

  await assert.rejects(client.send(new GetAlternateContactCommand({ AlternateContactType: "BILLING" })), (e: unknown) => {
    const err = e as { name: string; message: string; $metadata: { httpStatusCode?: number } };
    assert.equal(err.name, "ResourceNotFoundException");
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.message, "No contact of the inputted alternate contact type found.");
    return true;
  });

  await assert.rejects(
    client.send(
      new PutAlternateContactCommand({
        AlternateContactType: "SECURITY",
        Name: "Sec",
        Title: "CISO",
        EmailAddress: "not-an-email",
        PhoneNumber: "+1 555 0100",
      }),
    ),
    (e: unknown) => {
      const err = e as { name: string; message: string; reason?: string; fieldList?: { name: string; message: string }[] };
      assert.equal(err.name, "ValidationException");
      assert.equal(err.reason, "fieldValidationFailed");
      assert.deepEqual(
        err.fieldList?.map((f) => f.name),
        ["emailAddress"],
      );
      assert.match(
        err.message,
        /^1 validation error detected: Value at 'emailAddress' failed to satisfy constraint: Member must satisfy regular expression pattern/,
      );
      return true;
    },
  );
});
