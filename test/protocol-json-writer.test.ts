import { test } from "node:test";
import assert from "node:assert/strict";
import { loadModel, type ServiceModel } from "../src/protocol/model.js";
import { jsonWriter, toWire, type TimestampStyle } from "../src/protocol/shapes.js";
import { serializeJsonOutput } from "../src/protocol/awsJson.js";

/** What the compiled writers must equal: the model walk, then JSON.stringify. */
function reference(model: ServiceModel, shape: string, value: unknown, style: TimestampStyle): string | undefined {
  const wire = toWire(model, shape, value, style);
  return wire === undefined ? undefined : JSON.stringify(wire);
}

/** A small seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ODD_VALUES: unknown[] = [null, undefined, 0, -0, 1.5, Number.NaN, "", 'x"y\\\n\u2028é', true, [], {}, new Date(0)];

/** A value for `shapeName`: mostly well formed, sometimes absent, of the wrong type or with extra members. */
function sample(model: ServiceModel, shapeName: string, rnd: () => number, depth = 0): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  if (rnd() < 0.08) return pick(ODD_VALUES);
  const shape = model.shapes[shapeName];
  if (!shape) return "unknown-shape";
  switch (shape.type) {
    case "structure": {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const name of Object.keys(shape.members ?? {}))
        if (rnd() < 0.8) out[name] = sample(model, shape.members![name]!.shape, rnd, depth + 1);
      if (rnd() < 0.2) out.NotAMember = "dropped";
      return out;
    }
    case "list":
      return depth > 4 ? [] : Array.from({ length: Math.floor(rnd() * 4) }, () => sample(model, shape.member!.shape, rnd, depth + 1));
    case "map": {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const k of ["b", "2", "a", "10", 'é"k']) if (rnd() < 0.5) out[k] = sample(model, shape.value!.shape, rnd, depth + 1);
      return out;
    }
    case "timestamp":
      return pick([new Date(1764000000123), 1764000000, "2026-01-02T03:04:05.678Z", new Date(Number.NaN)]);
    case "integer":
    case "long":
      return Math.floor(rnd() * 1e6);
    case "double":
    case "float":
      return rnd() * 100;
    case "boolean":
      return rnd() < 0.5;
    default:
      return pick(["plain", 'with "quotes" and \\ and \u0001', "ünïcödé", "a".repeat(50)]);
  }
}

function same(model: ServiceModel, shape: string, value: unknown, style: TimestampStyle, what: string): void {
  let expected: string | undefined;
  let expectedError: unknown;
  try {
    expected = reference(model, shape, value, style);
  } catch (err) {
    expectedError = err;
  }
  if (expectedError !== undefined) {
    assert.throws(() => jsonWriter(model, shape, style)(value), `${what}: the reference threw, the writer did not`);
    return;
  }
  assert.equal(jsonWriter(model, shape, style)(value), expected, what);
}

test("the compiled JSON writer gives byte-identical output to toWire + JSON.stringify for every output shape of every model", () => {
  let checked = 0;
  for (const uid of ["organizations-2016-11-28", "sts-2011-06-15", "account-2021-02-01", "cloudtrail-2013-11-01"]) {
    const model = loadModel(uid);
    for (const [name, op] of Object.entries(model.operations)) {
      const shape = op.output?.shape;
      if (!shape) continue;
      for (let seed = 1; seed <= 40; seed++) {
        const value = sample(model, shape, random(seed * 7919 + name.length));
        for (const style of ["epoch-seconds", "iso8601"] as const) {
          same(model, shape, value, style, `${uid} ${name} seed ${seed} ${style}`);
          checked++;
        }
      }
      for (const odd of ODD_VALUES) same(model, shape, odd, "epoch-seconds", `${uid} ${name} ${String(odd)}`);
    }
  }
  assert.ok(checked > 1000, `checked ${checked}`);
});

test("the compiled JSON writer keeps toWire's rules: header-bound members, wire names, timestamp formats, recursion, odd keys", () => {
  const model = {
    metadata: { apiVersion: "x", endpointPrefix: "x", protocol: "json", serviceId: "x", uid: "synthetic" },
    operations: {},
    paginators: {},
    shapes: {
      Out: {
        type: "structure",
        members: {
          Header: { shape: "S", location: "header", locationName: "x-h" },
          Renamed: { shape: "S", locationName: "wireName" },
          Iso: { shape: "IsoTime" },
          Epoch: { shape: "Time" },
          Tree: { shape: "Node" },
          Tags: { shape: "TagMap" },
        },
      },
      Node: { type: "structure", members: { Name: { shape: "S" }, Children: { shape: "Nodes" } } },
      Nodes: { type: "list", member: { shape: "Node" } },
      TagMap: { type: "map", key: { shape: "S" }, value: { shape: "Time" } },
      Dup: { type: "structure", members: { A: { shape: "S", locationName: "K" }, B: { shape: "S", locationName: "K" } } },
      Indexed: { type: "structure", members: { B: { shape: "S" }, A: { shape: "S", locationName: "7" } } },
      IsoTime: { type: "timestamp", timestampFormat: "iso8601" },
      Time: { type: "timestamp" },
      S: { type: "string" },
    },
  } as unknown as ServiceModel;
  const when = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  const value = {
    Header: "not in the body",
    Renamed: "r",
    Iso: when,
    Epoch: when,
    Tree: { Name: "root", Children: [{ Name: "a", Children: [] }, null, { Name: "b" }] },
    Tags: JSON.parse('{"z": 1764000000, "__proto__": 5, "3": "2026-01-01T00:00:00Z", "a": null}') as unknown,
  };
  for (const style of ["epoch-seconds", "iso8601"] as const) same(model, "Out", value, style, `synthetic ${style}`);
  assert.equal(
    jsonWriter(model, "Out", "epoch-seconds")(value),
    '{"wireName":"r","Iso":"2026-01-02T03:04:05.678Z","Epoch":1767323045.678,"Tree":{"Name":"root","Children":[{"Name":"a","Children":[]},null,{"Name":"b"}]},"Tags":{"3":1767225600,"z":1764000}}',
  );
  same(model, "Dup", { A: "a", B: "b" }, "epoch-seconds", "two members with one wire name");
  same(model, "Indexed", { A: "a", B: "b" }, "epoch-seconds", "a wire name JSON orders first");
  // A sparse list: holes are null, as JSON.stringify writes them.
  // eslint-disable-next-line no-sparse-arrays
  same(model, "Nodes", [{ Name: "x" }, , { Name: "y" }], "epoch-seconds", "sparse list");
});

test("serializeJsonOutput answers DescribeOrganization as before", () => {
  const model = loadModel("organizations-2016-11-28");
  const org = {
    Id: "o-abcdefghij",
    Arn: "arn:aws:organizations::111111111111:organization/o-abcdefghij",
    FeatureSet: "ALL",
    MasterAccountArn: "arn:aws:organizations::111111111111:account/o-abcdefghij/111111111111",
    MasterAccountId: "111111111111",
    MasterAccountEmail: "a@example.com",
    AvailablePolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }],
  };
  assert.equal(serializeJsonOutput(model, "DescribeOrganization", { Organization: org }), JSON.stringify({ Organization: org }));
  assert.equal(serializeJsonOutput(model, "DescribeOrganization", undefined), "{}");
});

test("a frozen value (one the state cache shares) is written once; an unfrozen one is written afresh every time", () => {
  const model = loadModel("organizations-2016-11-28");
  const write = jsonWriter(model, "Organization", "epoch-seconds");
  const live: Record<string, unknown> = { Id: "o-abcdefghij", FeatureSet: "ALL", AvailablePolicyTypes: [] };
  assert.equal(write(live), JSON.stringify(live));
  live.FeatureSet = "CONSOLIDATED_BILLING";
  assert.equal(write(live), JSON.stringify(live), "a value that may still change is never answered from memory");
  const shared = Object.freeze({ Id: "o-abcdefghij", FeatureSet: "ALL", AvailablePolicyTypes: [] });
  const first = write(shared);
  assert.equal(first, JSON.stringify(shared));
  assert.equal(write(shared), first);
  const other = Object.freeze({ ...shared, FeatureSet: "CONSOLIDATED_BILLING" });
  assert.equal(write(other), JSON.stringify(other), "another frozen value has its own text");
});

test("awsJson request bodies: the common empty object is read without parsing, and every call gets an object of its own", async () => {
  const { parseJsonBody } = await import("../src/protocol/awsJson.js");
  const first = parseJsonBody(Buffer.from("{}"));
  assert.deepEqual(first, {});
  first.MaxResults = 1;
  assert.deepEqual(parseJsonBody(Buffer.from("{}")), {}, "what one call did to its input is not the next call's");
  assert.deepEqual(parseJsonBody(Buffer.from(" { } \n")), {});
  assert.deepEqual(parseJsonBody(Buffer.from('{"MaxResults":5}')), { MaxResults: 5 });
  assert.deepEqual(parseJsonBody(Buffer.from("")), {});
  assert.throws(() => parseJsonBody(Buffer.from("{]")), /SerializationException|not valid JSON/);
  assert.throws(() => parseJsonBody(Buffer.from("[]")), /must be a JSON object/);
});
