/**
 * Hostile input, over the wire, against a separate orgsim process: every answer to bad input is a
 * well-formed AWS error of its protocol (awsJson `{__type, Message}` + x-amzn-RequestId; awsQuery
 * XML ErrorResponse; restJson x-amzn-ErrorType), 4xx (the body-size limit answers 413), the server
 * keeps serving, nothing it logs is an internal error, and the state is exactly what it was.
 *
 * Bounded and deterministic: inputs come from a seeded PRNG; about 5,000 requests.
 * The last tests pin the bugs this suite found (fixed in d7cc2ae).
 */
import { test, before, after } from "node:test";
import { connect, type Socket } from "node:net";
import assert from "node:assert/strict";
import { CreatePolicyCommand, DescribeOrganizationCommand, EnablePolicyTypeCommand } from "@aws-sdk/client-organizations";
import { loadModel, type ServiceModel } from "../src/protocol/model.js";
import { compilePattern } from "../src/protocol/java-regex.js";
import { MANAGEMENT } from "./helpers/server.js";
import { orgFactories } from "./helpers/factories.js";
import {
  Rng,
  amzDate,
  authorization,
  control,
  httpCall,
  jsonErrorProblem,
  orgsClient,
  orgsHeaders,
  pool,
  queryErrorProblem,
  rawHttp,
  restErrorProblem,
  signedHeaders,
  snapshot,
  spawnIsolated,
  controlErrorProblem,
  controlSnapshot,
  tooLargeProblem,
  xmlProblem,
  type Answer,
  type ControlSnapshot,
  type IsolatedServer,
  type Snapshot,
} from "./helpers/fuzz-support.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SEED = 0x0c5a11ed;
const MIB = 1024 * 1024;
const HUGE = 100 * 1024;
const PARALLEL = 8;
const INVITEE = "210000000001";
const PENDING_INVITEE = "210000000002";
const STRANGER = "999999999999";

const orgsModel = loadModel("organizations-2016-11-28");
const accountModel = loadModel("account-2021-02-01");

let srv: IsolatedServer;
let ids: { root: string; ou: string; created: string; invited: string; handshake: string; policy: string };
let baseline: Snapshot;
let controlBaseline: ControlSnapshot;

before(async () => {
  srv = await spawnIsolated();
  const setup = orgFactories({
    orgs: (account) => orgsClient(srv.endpoint, account),
    control: (method, path, body) => control(srv.endpoint, method, path, body),
  });
  const { rootId: root } = await setup.createOrg();
  const ou = await setup.createOu(root, "fuzz-ou");
  const created = await setup.createAccount("fuzz-created@example.com");
  await setup.invite(INVITEE);
  const pending = await setup.openInvitation(PENDING_INVITEE);
  const c = orgsClient(srv.endpoint);
  await c.send(new EnablePolicyTypeCommand({ RootId: root, PolicyType: "SERVICE_CONTROL_POLICY" }));
  const policy = await c.send(
    new CreatePolicyCommand({
      Name: "fuzz-scp",
      Description: "fuzz",
      Type: "SERVICE_CONTROL_POLICY",
      Content: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
    }),
  );
  ids = { root, ou, created, invited: INVITEE, handshake: pending.Id!, policy: policy.Policy!.PolicySummary!.Id! };
  c.destroy();
  baseline = await snapshot(srv.endpoint);
  controlBaseline = await controlSnapshot(srv.endpoint);
});

after(async () => {
  await srv?.close();
});

// ---------------------------------------------------------------------------------------------
// Checking answers
// ---------------------------------------------------------------------------------------------

type Protocol = "json" | "query" | "rest" | "control";

interface Expectation {
  protocol: Protocol;
  /** A 200 is acceptable (reads, or requests whose garbage may still be valid). */
  allowOk?: boolean;
  /** Acceptable error codes (any when absent). */
  codes?: readonly string[];
  /** A 413 RequestEntityTooLargeException is the expected answer. */
  tooLarge?: boolean;
}

class Findings {
  readonly problems: string[] = [];
  requests = 0;
  check(label: string, a: Answer | undefined, e: Expectation): void {
    this.requests++;
    if (!a) {
      this.problems.push(`${label}: no HTTP answer`);
      return;
    }
    let problem: string | undefined;
    if (e.tooLarge) problem = tooLargeProblem(a, e.protocol);
    else if (a.status === 200 && e.allowOk) problem = okProblem(a, e.protocol);
    else if (e.protocol === "json") problem = jsonErrorProblem(a, e.codes);
    else if (e.protocol === "query") problem = queryErrorProblem(a, e.codes);
    else problem = restErrorProblem(a, e.codes);
    if (problem)
      this.problems.push(`${label}: ${problem} — got ${a.status} ${a.headers["x-amzn-errortype"] ?? ""} ${a.body.slice(0, 240)}`);
  }
  assertNone(what: string, t?: { diagnostic(message: string): void }): void {
    t?.diagnostic(`${this.requests} ${what} requests`);
    assert.ok(this.requests > 0);
    assert.deepEqual(
      this.problems.slice(0, 15),
      [],
      `${this.problems.length} of ${this.requests} ${what} answers were wrong (first 15 shown)`,
    );
  }
}

function okProblem(a: Answer, protocol: Protocol): string | undefined {
  if (protocol === "query") return xmlProblem(a.body);
  try {
    const v: unknown = JSON.parse(a.body === "" ? "{}" : a.body);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? undefined : "200 body is not a JSON object";
  } catch {
    return "200 body is not JSON";
  }
}

/** The server still answers a real SDK client, and the state is exactly the baseline. */
async function assertServingAndUnchanged(): Promise<void> {
  const c = orgsClient(srv.endpoint);
  const org = await c.send(new DescribeOrganizationCommand({}));
  assert.equal(org.Organization!.MasterAccountId, MANAGEMENT);
  c.destroy();
  assert.deepEqual(await snapshot(srv.endpoint), baseline, "hostile input changed the state");
  assert.deepEqual(await controlSnapshot(srv.endpoint), controlBaseline, "hostile input changed the clock, faults or quotas");
  assert.equal(srv.proc.child.exitCode, null, "the server process is still running");
  assert.doesNotMatch(srv.proc.output(), /internal error/, "the server logged no internal error");
}

const post = (path: string, headers: Record<string, string>, body?: string | Buffer, method = "POST") =>
  httpCall(`${srv.endpoint}${path}`, { method, headers, body });

// ---------------------------------------------------------------------------------------------
// Model-driven mutations: wrong JSON types, nulls, huge strings
// ---------------------------------------------------------------------------------------------

type Path = (string | number)[];

interface Slot {
  path: Path;
  shapeName: string;
  required: boolean;
  /** A list element (null there is INPUT_REQUIRED too). */
  element: boolean;
}

/** Every member (present in `value` or not), list element [0] and first map value reachable from the input. */
function slots(model: ServiceModel, shapeName: string, value: Json | undefined, path: Path, out: Slot[] = [], depth = 0): Slot[] {
  const shape = model.shapes[shapeName];
  if (!shape || depth > 6) return out;
  if (shape.type === "structure") {
    const record = value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const p = [...path, name];
      out.push({ path: p, shapeName: ref.shape, required: (shape.required ?? []).includes(name), element: false });
      if (record[name] !== undefined) slots(model, ref.shape, record[name], p, out, depth + 1);
    }
  } else if (shape.type === "list" && Array.isArray(value) && value.length > 0 && shape.member) {
    out.push({ path: [...path, 0], shapeName: shape.member.shape, required: false, element: true });
    slots(model, shape.member.shape, value[0], [...path, 0], out, depth + 1);
  } else if (shape.type === "map" && value !== null && typeof value === "object" && !Array.isArray(value) && shape.value) {
    const key = Object.keys(value)[0];
    if (key !== undefined) {
      out.push({ path: [...path, key], shapeName: shape.value.shape, required: false, element: true });
      slots(model, shape.value.shape, value[key], [...path, key], out, depth + 1);
    }
  }
  return out;
}

function setAt(input: Json, path: Path, value: Json): Json {
  const copy = JSON.parse(JSON.stringify(input)) as Json;
  let cur: Json = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const container = cur as Record<string, Json> | Json[];
    let nextValue = (container as Record<string | number, Json>)[key];
    if (nextValue === undefined || nextValue === null || typeof nextValue !== "object") {
      nextValue = typeof path[i + 1] === "number" ? [] : {};
      (container as Record<string | number, Json>)[key] = nextValue;
    }
    cur = nextValue;
  }
  (cur as Record<string | number, Json>)[path[path.length - 1]!] = value;
  return copy;
}

interface Mutation {
  label: string;
  value: Json;
  /** Acceptable error codes. */
  codes: readonly string[];
}

/** The wrong values for a slot: every JSON type but its own, null where a value is required, 100 KB where too long. */
function mutationsFor(model: ServiceModel, slot: Slot, service: "orgs" | "account"): Mutation[] {
  const shape = model.shapes[slot.shapeName];
  if (!shape) return [];
  const typeCodes =
    service === "orgs" ? ["SerializationException", "InvalidInputException"] : ["SerializationException", "ValidationException"];
  const invalid = service === "orgs" ? ["InvalidInputException"] : ["ValidationException"];
  const wrong: [string, Json][] = [];
  switch (shape.type) {
    case "string":
      wrong.push(["number", 42], ["float", -1.5], ["boolean", true], ["object", { S: "x" }], ["list", ["x"]], ["empty-object", {}]);
      break;
    case "integer":
    case "long":
      wrong.push(["string", "5"], ["text", "abc"], ["boolean", false], ["float", 1.5], ["object", {}], ["list", [5]], ["huge", 1e300]);
      break;
    case "boolean":
      wrong.push(["string", "true"], ["number", 1], ["object", {}], ["list", [true]]);
      break;
    case "list":
      wrong.push(["object", { "0": "x" }], ["string", "x"], ["number", 3], ["boolean", true]);
      break;
    case "map":
      wrong.push(["list", [["k", "v"]]], ["string", "x"], ["number", 3]);
      break;
    case "structure":
      wrong.push(["list", []], ["list-of-null", [null]], ["string", "x"], ["number", 3], ["boolean", false]);
      break;
    default:
      break;
  }
  const out: Mutation[] = wrong.map(([label, value]) => ({ label: `${shape.type}->${label}`, value, codes: typeCodes }));
  if (slot.required || slot.element) out.push({ label: "null", value: null, codes: invalid });
  if (shape.type === "string") {
    const huge = "x".repeat(HUGE);
    const tooLong = shape.max !== undefined && shape.max < HUGE;
    const noMatch = shape.pattern !== undefined && !compilePattern(shape.pattern).test(huge);
    const notEnum = shape.enum !== undefined;
    if (tooLong || noMatch || notEnum) out.push({ label: "100KB", value: huge, codes: invalid });
  }
  return out;
}

interface OpCase {
  operation: string;
  base: Json;
}

function orgsCases(): OpCase[] {
  const tags: Json = [{ Key: "k", Value: "v" }];
  return [
    {
      operation: "CreateAccount",
      base: {
        Email: "fuzz-new@example.com",
        AccountName: "fuzz",
        RoleName: "OrganizationAccountAccessRole",
        IamUserAccessToBilling: "ALLOW",
        Tags: tags,
      },
    },
    { operation: "InviteAccountToOrganization", base: { Target: { Id: "210000000099", Type: "ACCOUNT" }, Notes: "n", Tags: tags } },
    { operation: "TagResource", base: { ResourceId: ids.invited, Tags: tags } },
    { operation: "UntagResource", base: { ResourceId: ids.invited, TagKeys: ["k"] } },
    { operation: "MoveAccount", base: { AccountId: ids.invited, SourceParentId: ids.root, DestinationParentId: ids.ou } },
    { operation: "CreateOrganizationalUnit", base: { ParentId: ids.root, Name: "fuzz-new", Tags: tags } },
    {
      operation: "CreatePolicy",
      base: { Content: '{"Version":"2012-10-17","Statement":[]}', Description: "d", Name: "n", Type: "SERVICE_CONTROL_POLICY", Tags: tags },
    },
    { operation: "AttachPolicy", base: { PolicyId: ids.policy, TargetId: ids.ou } },
    { operation: "CancelHandshake", base: { HandshakeId: ids.handshake } },
    { operation: "ListAccounts", base: { MaxResults: 5 } },
    { operation: "ListHandshakesForOrganization", base: { Filter: { ActionType: "INVITE" }, MaxResults: 5 } },
    { operation: "ListPoliciesForTarget", base: { TargetId: ids.ou, Filter: "SERVICE_CONTROL_POLICY", MaxResults: 5 } },
    { operation: "DescribeEffectivePolicy", base: { PolicyType: "TAG_POLICY", TargetId: ids.invited } },
    { operation: "ListAccountsForParent", base: { ParentId: ids.root, MaxResults: 5 } },
  ];
}

interface Generated {
  label: string;
  body: Json;
  codes: readonly string[];
}

/** One mutation per (slot, wrong value), then random combinations of two or three. */
function generate(model: ServiceModel, c: OpCase, service: "orgs" | "account", rng: Rng, combos: number): Generated[] {
  const inputShape = model.operations[c.operation]!.input!.shape;
  const all: { slot: Slot; m: Mutation }[] = [];
  for (const slot of slots(model, inputShape, c.base, [])) for (const m of mutationsFor(model, slot, service)) all.push({ slot, m });
  const out: Generated[] = all.map(({ slot, m }) => ({
    label: `${c.operation} ${slot.path.join(".")} ${m.label}`,
    body: setAt(c.base, slot.path, m.value),
    codes: m.codes,
  }));
  for (let i = 0; i < combos && all.length > 1; i++) {
    const picks = rng.shuffle(all).slice(0, 2 + rng.int(2));
    let body = c.base;
    // A deeper path applied after its parent was replaced would rebuild the parent: keep the first of overlapping paths.
    const used: string[] = [];
    const labels: string[] = [];
    const codes = new Set<string>();
    for (const { slot, m } of picks) {
      const key = slot.path.join(".");
      if (used.some((u) => key.startsWith(u) || u.startsWith(key))) continue;
      used.push(key);
      body = setAt(body, slot.path, m.value);
      labels.push(`${key} ${m.label}`);
      for (const code of m.codes) codes.add(code);
    }
    out.push({ label: `${c.operation} combo[${labels.join("; ")}]`, body, codes: [...codes] });
  }
  return out;
}

test("awsJson: wrong JSON types, nulls and 100 KB strings in every member of 14 Organizations operations' inputs are SerializationException or InvalidInputException, 400", async (t) => {
  const rng = new Rng(SEED);
  const f = new Findings();
  const requests: { label: string; op: string; body: string; codes: readonly string[] }[] = [];
  for (const c of orgsCases())
    for (const g of generate(orgsModel, c, "orgs", rng, 40))
      requests.push({ label: g.label, op: c.operation, body: JSON.stringify(g.body), codes: g.codes });
  await pool(requests, PARALLEL, async (r) => {
    const a = await post("/", orgsHeaders(r.op), r.body);
    f.check(r.label, a, { protocol: "json", codes: r.codes });
    if (a.status === 400 && a.body.includes('"InvalidInputException"') && !/"Reason":"[A-Z_]+"/.test(a.body))
      f.problems.push(`${r.label}: InvalidInputException without Reason`);
  });
  f.assertNone("type-mutation", t);
  assert.ok(requests.length > 800, `${requests.length} requests`);
  await assertServingAndUnchanged();
});

test("awsJson: broken JSON — truncations, byte flips, random bytes, non-object bodies, deep nesting, prototype keys", async (t) => {
  const rng = new Rng(SEED + 1);
  const f = new Findings();
  const cases = orgsCases();
  const reads = new Set([
    "ListAccounts",
    "ListHandshakesForOrganization",
    "ListPoliciesForTarget",
    "DescribeEffectivePolicy",
    "ListAccountsForParent",
  ]);
  const requests: { label: string; op: string; body: Buffer; e: Expectation }[] = [];
  const garbage: Expectation = { protocol: "json", codes: ["SerializationException"] };
  for (let i = 0; i < 600; i++) {
    const c = rng.pick(cases);
    const text = JSON.stringify(c.base);
    // A proper prefix of a JSON object's text is never valid JSON.
    const cut = 1 + rng.int(text.length - 1);
    requests.push({ label: `${c.operation} cut@${cut}`, op: c.operation, body: Buffer.from(text.slice(0, cut)), e: garbage });
  }
  for (let i = 0; i < 300; i++) {
    const c = rng.pick(cases.filter((x) => reads.has(x.operation)));
    const body = Buffer.from(JSON.stringify(c.base));
    const flips = 1 + rng.int(3);
    for (let k = 0; k < flips; k++) body[rng.int(body.length)] = rng.int(256);
    // Reads only: a flip can leave valid JSON, and a read may then succeed.
    requests.push({
      label: `${c.operation} flipped ${body.toString("latin1")}`,
      op: c.operation,
      body,
      e: { protocol: "json", allowOk: true },
    });
  }
  for (let i = 0; i < 300; i++) {
    const c = rng.pick(cases);
    let body = rng.bytes(1 + rng.int(2000));
    // Not an object, not blank: never a valid input.
    if (body.toString("utf8").trim() === "" || body.toString("utf8").trim().startsWith("{")) body = Buffer.concat([Buffer.from("!"), body]);
    requests.push({ label: `${c.operation} random ${body.length} bytes`, op: c.operation, body, e: garbage });
  }
  const nonObjects = [
    "[]",
    "[{}]",
    '"x"',
    "1",
    "-0",
    "true",
    "null",
    "1e999",
    '"\\ud800"',
    "{}{}",
    '{"a":1}x',
    "{'Email':'x'}",
    '{"Email":"a@b.co",}',
    "\u0000",
    "\uFEFF{}",
  ];
  for (const text of nonObjects)
    for (const c of cases.filter((x) => !reads.has(x.operation)))
      requests.push({
        label: `${c.operation} body ${JSON.stringify(text)}`,
        op: c.operation,
        body: Buffer.from(text),
        e: { protocol: "json", codes: ["SerializationException", "InvalidInputException"] },
      });
  const depth = 100_000;
  requests.push({
    label: "CreateAccount Tags nested 100k deep",
    op: "CreateAccount",
    body: Buffer.from(`{"Email":"deep@example.com","AccountName":"deep","Tags":${"[".repeat(depth)}${"]".repeat(depth)}}`),
    e: garbage,
  });
  requests.push({
    label: "CreateAccount Tags nested objects 100k deep",
    op: "CreateAccount",
    body: Buffer.from(`{"Email":"deep@example.com","AccountName":"deep","Tags":[${'{"a":'.repeat(depth)}1${"}".repeat(depth)}]}`),
    e: { protocol: "json", codes: ["SerializationException", "InvalidInputException"] },
  });
  // Members smuggled through prototype keys must not count as the real members.
  const proto: [string, string][] = [
    ["CreateAccount", '{"__proto__":{"Email":"proto@example.com","AccountName":"proto"}}'],
    ["CreateOrganizationalUnit", `{"constructor":{"prototype":{"ParentId":"${ids.root}","Name":"proto"}}}`],
    ["CreateOrganizationalUnit", `{"__proto__":{"ParentId":"${ids.root}"},"Name":"proto"}`],
    ["TagResource", `{"ResourceId":"${ids.invited}","Tags":[{"__proto__":{"Key":"k","Value":"v"}}]}`],
    ["TagResource", `{"ResourceId":"${ids.invited}","Tags":{"__proto__":[{"Key":"k","Value":"v"}],"length":1}}`],
  ];
  for (const [op, body] of proto)
    requests.push({
      label: `${op} ${body}`,
      op,
      body: Buffer.from(body),
      e: { protocol: "json", codes: ["SerializationException", "InvalidInputException"] },
    });
  await pool(requests, PARALLEL, async (r) => f.check(r.label, await post("/", orgsHeaders(r.op), r.body), r.e));
  f.assertNone("broken-JSON", t);
  await assertServingAndUnchanged();
});

test("awsJson: missing or unknown X-Amz-Target, garbage Authorization and X-Amz-Date, presigned-query garbage, wrong Content-Type or method never let a write through", async (t) => {
  const rng = new Rng(SEED + 2);
  const f = new Findings();
  // Would create an OU if any of these requests were served.
  const write = JSON.stringify({ ParentId: ids.root, Name: "must-not-exist" });
  const target = `AWSOrganizationsV20161128.CreateOrganizationalUnit`;
  const auth = signedHeaders(MANAGEMENT, "organizations");
  const base = { "Content-Type": "application/x-amz-json-1.1", ...auth };

  // No target: routed as REST, where no Account operation lives at "/".
  for (const ct of ["application/x-amz-json-1.1", "application/json", "text/plain", ""]) {
    const headers: Record<string, string> = { ...auth };
    if (ct) headers["Content-Type"] = ct;
    f.check(`no target, Content-Type ${ct}`, await post("/", headers, write), { protocol: "rest", codes: ["UnknownOperationException"] });
  }

  const targets = [
    "",
    "AWSOrganizationsV20161128",
    "AWSOrganizationsV20161128.",
    "AWSOrganizationsV20161128.Nope",
    "AWSOrganizationsV20161128.createorganizationalunit",
    "AWSOrganizationsV20161127.CreateOrganizationalUnit",
    "awsorganizationsv20161128.CreateOrganizationalUnit",
    "AWSOrganizationsV20161128.CreateOrganizationalUnit.Extra",
    "AWSOrganizationsV20161128..CreateOrganizationalUnit",
    "AWSOrganizationsV20161128.Create%4FrganizationalUnit",
    ".CreateOrganizationalUnit",
    "CreateOrganizationalUnit",
    "Foo.Bar",
    "AWSOrganizationsV20161128.CreateOrganizationalUnit\tX",
    `AWSOrganizationsV20161128.${"A".repeat(7000)}`,
    "com.amazonaws.organizations.v20161128.AWSOrganizationsV20161128.CreateOrganizationalUnit",
    "AWSOrganizationsV20161128.CreateOrganizationalUnit, AWSOrganizationsV20161128.CreateOrganizationalUnit",
  ];
  for (let i = 0; i < 40; i++) targets.push(`AWSOrganizationsV20161128.${rng.text(1 + rng.int(40)).replace(/^\s+|\s+$/g, "") || "x"}X`);
  for (const t of targets)
    f.check(`target ${JSON.stringify(t.slice(0, 60))}`, await post("/", { ...base, "X-Amz-Target": t }, write), {
      protocol: "json",
      codes: ["UnknownOperationException"],
    });

  const date = amzDate();
  const scope = `${MANAGEMENT}/${date.slice(0, 8)}/us-east-1/organizations/aws4_request`;
  const badAuth = [
    "garbage",
    "AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256 ",
    "AWS4-HMAC-SHA256 Credential=",
    "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
    `AWS4-HMAC-SHA256 Credential=${scope}`,
    `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;x-amz-date`,
    `AWS4-HMAC-SHA256 Credential=${scope}, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=x-amz-date, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=;;, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=${scope} SignedHeaders=host Signature=00`,
    `AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=${MANAGEMENT}/2026/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=${MANAGEMENT}/${date.slice(0, 8)}/US_EAST_1/organizations/aws4_request, SignedHeaders=host, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=${MANAGEMENT}/${date.slice(0, 8)}/us-east-1/organizations/aws5_request, SignedHeaders=host, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=${MANAGEMENT}/${date.slice(0, 8)}/us-east-1/organizations, SignedHeaders=host, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=/${date.slice(0, 8)}/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=${MANAGEMENT}/${date.slice(0, 8)}/us-east-1/organizations/aws4_request/extra, SignedHeaders=host, Signature=00`,
    `AWS4-HMAC-SHA1 Credential=${scope}, SignedHeaders=host, Signature=00`,
    `aws4-hmac-sha256 Credential=${scope}, SignedHeaders=host, Signature=00`,
    `AWS ${MANAGEMENT}:c2lnbmF0dXJl`,
    "Bearer eyJhbGciOiJub25lIn0.e30.",
    "Basic YWRtaW46YWRtaW4=",
    `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host, Signature=00, ${"x".repeat(6000)}`,
    `AWS4-HMAC-SHA256 ${",".repeat(500)}`,
    `AWS4-HMAC-SHA256 Credential=${"/".repeat(400)}, SignedHeaders=host, Signature=00`,
  ];
  for (let i = 0; i < 60; i++) badAuth.push(rng.text(1 + rng.int(300)));
  const authCodes = [
    "IncompleteSignatureException",
    "MissingAuthenticationTokenException",
    "InvalidSignatureException",
    "UnrecognizedClientException",
  ];
  for (const a of badAuth) {
    const headers: Record<string, string> = { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target, "X-Amz-Date": date };
    headers.Authorization = a;
    f.check(`Authorization ${JSON.stringify(a.slice(0, 80))}`, await post("/", headers, write), { protocol: "json", codes: authCodes });
  }
  // Missing Authorization, and a well-formed one with a missing or malformed date.
  f.check("no Authorization", await post("/", { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target }, write), {
    protocol: "json",
    codes: authCodes,
  });
  for (const d of [
    "",
    "yesterday",
    "20261399T000000Z",
    "2026-11-29T10:10:10Z",
    "20261129T101010",
    "20261129T246060Z",
    "0",
    "99999999T999999Z",
  ]) {
    const headers: Record<string, string> = {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": target,
      Authorization: authorization(MANAGEMENT, "organizations", date),
    };
    if (d) headers["X-Amz-Date"] = d;
    f.check(`X-Amz-Date ${JSON.stringify(d)}`, await post("/", headers, write), { protocol: "json", codes: authCodes });
  }
  // Presigned-query garbage.
  const presigned = [
    "X-Amz-Algorithm=AWS4-HMAC-SHA256",
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(scope)}`,
    `X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=${encodeURIComponent(scope)}&X-Amz-Date=${date}&X-Amz-SignedHeaders=host&X-Amz-Signature=00`,
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x&X-Amz-Date=${date}&X-Amz-SignedHeaders=host&X-Amz-Signature=00`,
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(scope)}&X-Amz-Date=nope&X-Amz-SignedHeaders=host&X-Amz-Signature=00`,
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(scope)}&X-Amz-Date=${date}&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=abc`,
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(scope)}&X-Amz-Date=${date}&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=604801`,
    `X-Amz-Signature=00`,
  ];
  for (const q of presigned) {
    f.check(
      `presigned ?${q.slice(0, 60)}`,
      await post(`/?${q}`, { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target }, write),
      { protocol: "json", codes: authCodes },
    );
  }
  // Both mechanisms at once.
  f.check(
    "header and query auth",
    await post(`/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00`, { ...base, "X-Amz-Target": target }, write),
    { protocol: "json", codes: authCodes },
  );

  // Content types and methods, on reads (a read may be served whatever the Content-Type).
  for (const ct of [
    "text/plain",
    "application/json",
    "application/xml",
    "multipart/form-data; boundary=x",
    "application/x-amz-json-1.0",
    "application/x-www-form-urlencoded",
    "\u00ff/\u00fe",
  ]) {
    f.check(
      `DescribeOrganization Content-Type ${ct}`,
      await post("/", { ...orgsHeaders("DescribeOrganization"), "Content-Type": ct }, "{}"),
      { protocol: "json", allowOk: true },
    );
  }
  for (const method of ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
    const body = method === "GET" ? undefined : "{}";
    f.check(`DescribeOrganization via ${method}`, await post("/", orgsHeaders("DescribeOrganization"), body, method), {
      protocol: "json",
      allowOk: true,
    });
    f.check(
      `CreateOrganizationalUnit via ${method} without input`,
      await post("/", orgsHeaders("CreateOrganizationalUnit"), body, method),
      { protocol: "json", codes: ["InvalidInputException", "UnknownOperationException"] },
    );
  }
  // A form-encoded body without a target is awsQuery (STS): no Action there.
  f.check(
    "form Content-Type, JSON body, no target",
    await post("/", { ...auth, "Content-Type": "application/x-www-form-urlencoded" }, write),
    { protocol: "query", codes: ["InvalidAction"] },
  );

  // Duplicate and odd headers, sent raw.
  const rawCases: [string, string][] = [
    ["duplicate X-Amz-Target", `X-Amz-Target: ${target}\r\nX-Amz-Target: ${target}\r\n`],
    // Node keeps the first of duplicate Authorization headers: a garbage one must not be rescued by a good one.
    [
      "duplicate Authorization, garbage first",
      `X-Amz-Target: ${target}\r\nAuthorization: garbage\r\nAuthorization: ${auth.Authorization}\r\n`,
    ],
    ["latin-1 bytes in Authorization", `X-Amz-Target: ${target}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=\u00e9\u00ff/x\r\n`],
    [
      "Date header instead of X-Amz-Date, garbage",
      `X-Amz-Target: ${target}\r\nAuthorization: ${auth.Authorization}\r\nDate: not a date\r\n`,
    ],
  ];
  for (const [label, extra] of rawCases) {
    const body = Buffer.from(write);
    const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n${extra}${label.startsWith("Date") ? "" : `X-Amz-Date: ${date}\r\n`}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const a = await rawHttp(srv.port, [Buffer.from(head, "latin1"), body]);
    f.check(`raw ${label}`, a, { protocol: "json", codes: [...authCodes, "UnknownOperationException"] });
  }
  f.assertNone("header", t);
  await assertServingAndUnchanged();
});

test("Bodies over 1 MiB get 413 RequestEntityTooLargeException on every protocol (declared, chunked, or lied about); exactly 1 MiB is read and validated", async (t) => {
  const f = new Findings();
  const over = "x".repeat(MIB + 1);
  const jsonOver = `{"Name":"${"x".repeat(MIB)}"}`;
  f.check("awsJson 1 MiB + 1", await post("/", orgsHeaders("CreateOrganizationalUnit"), jsonOver), { protocol: "json", tooLarge: true });
  f.check("awsJson 8 MiB", await post("/", orgsHeaders("CreateOrganizationalUnit"), Buffer.alloc(8 * MIB, 0x20)), {
    protocol: "json",
    tooLarge: true,
  });
  f.check(
    "awsQuery 1 MiB + 1",
    await post(
      "/",
      { "Content-Type": "application/x-www-form-urlencoded", ...signedHeaders(MANAGEMENT, "sts") },
      `Action=AssumeRole&RoleSessionName=${over}`,
    ),
    { protocol: "query", tooLarge: true },
  );
  f.check(
    "restJson 1 MiB + 1",
    await post(
      "/putAccountName",
      { "Content-Type": "application/json", ...signedHeaders(MANAGEMENT, "account") },
      `{"AccountName":"${over}"}`,
    ),
    { protocol: "rest", tooLarge: true },
  );
  f.check("control API 1 MiB + 1", await post("/_orgsim/faults", { "Content-Type": "application/json" }, `{"operation":"${over}"}`), {
    protocol: "control",
    tooLarge: true,
  });

  // Exactly at the limit: read, then refused by validation (ParentId missing, Name too long).
  const name = "x".repeat(MIB - `{"Name":""}`.length);
  const exact = `{"Name":"${name}"}`;
  assert.equal(Buffer.byteLength(exact), MIB);
  f.check("awsJson exactly 1 MiB", await post("/", orgsHeaders("CreateOrganizationalUnit"), exact), {
    protocol: "json",
    codes: ["InvalidInputException"],
  });

  // Chunked, with no Content-Length: the limit holds while streaming.
  const head = (extra: string) =>
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSOrganizationsV20161128.CreateOrganizationalUnit\r\nX-Amz-Date: ${amzDate()}\r\nAuthorization: ${authorization(MANAGEMENT, "organizations")}\r\n${extra}Connection: close\r\n\r\n`;
  const chunk = "x".repeat(64 * 1024);
  const pieces: string[] = [head("Transfer-Encoding: chunked\r\n")];
  for (let i = 0; i < 40; i++) pieces.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  pieces.push("0\r\n\r\n");
  f.check("awsJson chunked 2.5 MiB", await rawHttp(srv.port, pieces), { protocol: "json", tooLarge: true });
  // A Content-Length far beyond the limit is refused before any body is read.
  f.check("declared 5 GiB, sent 2 bytes", await rawHttp(srv.port, [head("Content-Length: 5368709120\r\n"), "{}"], { deadlineMs: 10_000 }), {
    protocol: "json",
    tooLarge: true,
  });
  f.assertNone("over-limit", t);
  await assertServingAndUnchanged();
});

test("Truncated bodies, dropped connections and bytes that are not HTTP: the server answers others afterwards", async () => {
  const rng = new Rng(SEED + 3);
  const results: (Answer | undefined)[] = [];
  const heads = [
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSOrganizationsV20161128.CreateOrganizationalUnit\r\nX-Amz-Date: ${amzDate()}\r\nAuthorization: ${authorization(MANAGEMENT, "organizations")}\r\n`,
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Amz-Date: ${amzDate()}\r\nAuthorization: ${authorization(MANAGEMENT, "sts")}\r\n`,
    `POST /putAccountName HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Amz-Date: ${amzDate()}\r\nAuthorization: ${authorization(MANAGEMENT, "account")}\r\n`,
  ];
  const bodies = [
    JSON.stringify({ ParentId: ids.root, Name: "truncated" }),
    "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A999999999999%3Arole%2FX&RoleSessionName=t",
    '{"AccountName":"truncated"}',
  ];
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < 60; i++) {
    const k = rng.int(heads.length);
    const body = bodies[k]!;
    const sent = rng.int(body.length);
    const declared = body.length + 1 + rng.int(1000);
    const head = `${heads[k]}Content-Length: ${declared}\r\n\r\n`;
    // Half of them close abruptly right after sending, the rest after headers only.
    const pieces = rng.chance(0.5) ? [head, body.slice(0, sent)] : [head.slice(0, rng.int(head.length))];
    jobs.push(rawHttp(srv.port, pieces, { abortAfterSend: true }).then(() => undefined));
  }
  for (let i = 0; i < 40; i++) {
    const junk = rng.chance(0.5)
      ? rng.bytes(1 + rng.int(4000))
      : Buffer.from(
          `${rng.pick(["GET", "POST", "BREW", "\u0000"])} ${rng.text(rng.int(200))} HTTP/${rng.pick(["1.1", "9.9", "x"])}\r\n${rng.text(rng.int(300))}\r\n\r\n`,
          "latin1",
        );
    jobs.push(rawHttp(srv.port, [junk], { deadlineMs: 5_000 }).then((a) => void results.push(a)));
  }
  await Promise.all(jobs);
  // Whatever the HTTP layer answered to non-HTTP bytes, it was never a 5xx.
  for (const a of results) if (a) assert.ok(a.status < 500, `non-HTTP bytes answered ${a.status}: ${a.body.slice(0, 200)}`);
  await assertServingAndUnchanged();
});

test("awsQuery (STS): AssumeRole garbage, unknown Actions, Tags.member.99999 and friends are XML ErrorResponses (Type Sender), 4xx", async (t) => {
  const rng = new Rng(SEED + 4);
  const f = new Findings();
  type Tweak = (p: URLSearchParams) => void;
  const set =
    (k: string, v: string): Tweak =>
    (p) =>
      p.set(k, v);
  const del =
    (k: string): Tweak =>
    (p) =>
      p.delete(k);
  const tweaks: Tweak[] = [
    set("RoleArn", ""),
    set("RoleArn", "arn"),
    set("RoleArn", "x".repeat(3000)),
    set("RoleArn", "arn:aws:iam::12345:role/x"),
    set("RoleArn", `arn:aws:iam::${STRANGER}:role/`),
    set("RoleArn", `arn:aws:iam::${STRANGER}:user/OrganizationAccountAccessRole`),
    set("RoleArn", `arn:aws:iam::${STRANGER}:role/${"a".repeat(HUGE)}`),
    set("RoleArn", "\u0000\u0001"),
    set("RoleArn", "<Role>&amp;'\""),
    set("RoleArn", `arn:aws:iam::${ids.invited}:role/OrganizationAccountAccessRole`),
    del("RoleArn"),
    set("RoleSessionName", ""),
    set("RoleSessionName", "a"),
    set("RoleSessionName", "x".repeat(65)),
    set("RoleSessionName", "bad name!"),
    set("RoleSessionName", "\u00e9\u4e2d"),
    del("RoleSessionName"),
    set("DurationSeconds", "abc"),
    set("DurationSeconds", "-1"),
    set("DurationSeconds", "0"),
    set("DurationSeconds", "899"),
    set("DurationSeconds", "43201"),
    set("DurationSeconds", "1e10"),
    set("DurationSeconds", "99999999999999999999"),
    set("DurationSeconds", "1.5"),
    set("DurationSeconds", ""),
    (p) => {
      p.set("Tags.member.99999.Key", "a");
      p.set("Tags.member.99999.Value", "b");
    },
    set("Tags.member.99999.Key", "only-key"),
    set("Tags.member.0.Key", "zero"),
    set("Tags.member.-1.Key", "negative"),
    set("Tags.member.abc.Key", "letters"),
    set("Tags.member.1", "scalar"),
    set("Tags", "scalar"),
    set("Tags.member.1.Key", "k".repeat(200)),
    set("Tags.member.99999999999999999999999.Key", "big"),
    (p) => {
      for (let i = 1; i <= 60; i++) {
        p.set(`Tags.member.${i}.Key`, `k${i}`);
        p.set(`Tags.member.${i}.Value`, "v");
      }
    },
    set("PolicyArns.member.1.arn", "x"),
    set("PolicyArns.member.1", ""),
    set("Policy", "{"),
    set("Policy", "x".repeat(HUGE)),
    set("TransitiveTagKeys.member.1", ""),
    set("ExternalId", ""),
    set("ExternalId", "e".repeat(HUGE)),
    set("SerialNumber", "x"),
    set("TokenCode", "abc"),
    set("SourceIdentity", "aws:x"),
    set("ProvidedContexts.member.1.ProviderArn", "x"),
    set("Action", ""),
    set("Action", "assumerole"),
    set("Action", "AssumeRole2"),
    set("Action", "Assume\u0000Role"),
    set("Action", "DeleteEverything"),
    set("Action", "<a>&amp;\"'</a>"),
    set("Action", "x".repeat(5000)),
    del("Action"),
    set("Version", "1999-01-01"),
    set("Version", ""),
  ];
  const codes = [
    "ValidationError",
    "AccessDenied",
    "InvalidAction",
    "MissingAction",
    "MalformedQueryString",
    "InvalidParameterValue",
    "MissingParameter",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "PackedPolicyTooLarge",
    "MalformedPolicyDocument",
    "RegionDisabledException",
  ];
  const requests: { label: string; body: string; method: "POST" | "GET"; auth: "ok" | "missing" | "garbage"; garbage?: string }[] = [];
  for (let i = 0; i < 420; i++) {
    const p = new URLSearchParams({
      Action: "AssumeRole",
      Version: "2011-06-15",
      RoleArn: `arn:aws:iam::${STRANGER}:role/OrganizationAccountAccessRole`,
      RoleSessionName: "fuzz",
    });
    // The first pass applies each tweak alone; the rest combine one to four.
    const picks = i < tweaks.length ? [tweaks[i]!] : Array.from({ length: 1 + rng.int(4) }, () => rng.pick(tweaks));
    for (const t of picks) t(p);
    const authRoll = rng.next();
    requests.push({
      label: `#${i} ${p.toString().slice(0, 160)}`,
      body: p.toString(),
      method: rng.chance(0.15) ? "GET" : "POST",
      auth: authRoll < 0.05 ? "missing" : authRoll < 0.1 ? "garbage" : "ok",
      garbage: rng.text(40),
    });
  }
  // Unparseable form bodies.
  for (let i = 0; i < 40; i++)
    requests.push({
      label: `random form bytes #${i}`,
      body: `Action=AssumeRole&${rng.bytes(1 + rng.int(500)).toString("latin1")}`,
      method: "POST",
      auth: "ok",
    });
  for (const raw of [
    "%",
    "Action=%ZZ",
    "=&=&&==",
    "Action",
    "Action=AssumeRole&RoleArn=%E0%A4%A",
    "Action=AssumeRole&Action=GetSessionToken&RoleArn=x",
  ])
    requests.push({ label: `form ${raw}`, body: raw, method: "POST", auth: "ok" });
  await pool(requests, PARALLEL, async (r) => {
    const headers: Record<string, string> =
      r.auth === "ok"
        ? signedHeaders(MANAGEMENT, "sts")
        : r.auth === "garbage"
          ? { "X-Amz-Date": amzDate(), Authorization: r.garbage ?? "garbage" }
          : {};
    let a: Answer;
    if (r.method === "GET") a = await httpCall(`${srv.endpoint}/?${r.body}`, { method: "GET", headers });
    else
      a = await post(
        "/",
        { ...headers, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
        Buffer.from(r.body, "latin1"),
      );
    const q = new URLSearchParams(r.body);
    if (r.method === "GET" && !q.has("Action")) {
      // Nothing says STS: no form body, no Action. Routed as REST, where nothing lives at "/".
      f.check(r.label, a, { protocol: "rest", codes: ["UnknownOperationException"] });
    } else if (r.method === "GET" && r.body.length > 16_000 && a.status === 431) {
      // Node's HTTP parser refuses request heads over 16 KiB (431) before orgsim sees them.
    } else {
      f.check(r.label, a, { protocol: "query", codes });
    }
  });
  f.assertNone("STS", t);
  await assertServingAndUnchanged();
});

test("restJson (Account): wrong types, nulls, 100 KB strings, broken JSON, unknown paths and wrong methods are errors with x-amzn-ErrorType, 4xx", async (t) => {
  const rng = new Rng(SEED + 5);
  const f = new Findings();
  const headers = { "Content-Type": "application/json", ...signedHeaders(MANAGEMENT, "account") };
  const readContact = async () => (await post("/getContactInformation", headers, "{}")).body;
  const readName = async () => (await post("/getAccountInformation", headers, "{}")).body;
  const contactBefore = await readContact();
  const nameBefore = await readName();
  const cases: OpCase[] = [
    {
      operation: "PutContactInformation",
      base: {
        ContactInformation: {
          FullName: "F",
          AddressLine1: "A",
          City: "C",
          PostalCode: "1",
          CountryCode: "US",
          PhoneNumber: "+1 206",
          StateOrRegion: "WA",
        },
        AccountId: ids.invited,
      },
    },
    {
      operation: "PutAlternateContact",
      base: {
        AlternateContactType: "BILLING",
        EmailAddress: "a@example.com",
        Name: "N",
        PhoneNumber: "+1 206",
        Title: "T",
        AccountId: ids.invited,
      },
    },
    { operation: "GetAlternateContact", base: { AlternateContactType: "BILLING", AccountId: ids.invited } },
    { operation: "PutAccountName", base: { AccountName: "fuzzed", AccountId: ids.invited } },
    { operation: "EnableRegion", base: { RegionName: "af-south-1", AccountId: ids.invited } },
    { operation: "GetRegionOptStatus", base: { RegionName: "af-south-1" } },
    { operation: "ListRegions", base: { MaxResults: 5, RegionOptStatusContains: ["ENABLED"] } },
    { operation: "StartPrimaryEmailUpdate", base: { AccountId: ids.invited, PrimaryEmail: "new@example.com" } },
  ];
  const pathOf = (op: string) => accountModel.operations[op]!.http.requestUri;
  const requests: { label: string; path: string; body: string | Buffer; method: string; e: Expectation }[] = [];
  for (const c of cases) {
    for (const g of generate(accountModel, c, "account", rng, 15))
      requests.push({
        label: g.label,
        path: pathOf(c.operation),
        body: JSON.stringify(g.body),
        method: "POST",
        e: { protocol: "rest", codes: g.codes },
      });
    const text = JSON.stringify(c.base);
    const isRead = /^(Get|List)/.test(c.operation);
    for (let i = 0; i < 12; i++)
      requests.push({
        label: `${c.operation} cut`,
        path: pathOf(c.operation),
        body: text.slice(0, 1 + rng.int(text.length - 1)),
        method: "POST",
        e: { protocol: "rest", codes: ["SerializationException"] },
      });
    for (const odd of ["[]", '"x"', "1", "true", "{'a':1}", "\u0000", "{}}"])
      requests.push({
        label: `${c.operation} body ${JSON.stringify(odd)}`,
        path: pathOf(c.operation),
        body: odd,
        method: "POST",
        e: { protocol: "rest", codes: ["SerializationException", "ValidationException"] },
      });
    for (let i = 0; i < 8; i++) {
      let body = rng.bytes(1 + rng.int(1000));
      if (body.toString("utf8").trim() === "" || body.toString("utf8").trim().startsWith("{") || body.toString("utf8").trim() === "null")
        body = Buffer.concat([Buffer.from("!"), body]);
      requests.push({
        label: `${c.operation} random bytes`,
        path: pathOf(c.operation),
        body,
        method: "POST",
        e: { protocol: "rest", codes: ["SerializationException"] },
      });
    }
    // `null` is an absent body: fine for a read, a missing required member for a write.
    requests.push({
      label: `${c.operation} null body`,
      path: pathOf(c.operation),
      body: "null",
      method: "POST",
      e: {
        protocol: "rest",
        allowOk: isRead && c.operation !== "GetAlternateContact" && c.operation !== "GetRegionOptStatus",
        codes: ["ValidationException", "SerializationException"],
      },
    });
    for (const method of ["GET", "PUT", "DELETE", "PATCH"])
      requests.push({
        label: `${c.operation} via ${method}`,
        path: pathOf(c.operation),
        body: method === "GET" ? "" : text,
        method,
        e: { protocol: "rest", codes: ["UnknownOperationException"] },
      });
  }
  const paths = [
    "/",
    "/nope",
    "/getContactInformation/",
    "/getContactInformation/extra",
    "/GETCONTACTINFORMATION",
    "/getContactInformation%00",
    "/getContactInformation;x",
    "/%",
    "/%zz/%%",
    `/${"a".repeat(6000)}`,
    "/..%2f_orgsim%2freset",
  ];
  for (const p of paths)
    requests.push({
      label: `path ${p.slice(0, 60)}`,
      path: p,
      body: '{"AccountName":""}',
      method: "POST",
      e: { protocol: "rest", codes: ["UnknownOperationException", "ValidationException", "SerializationException"], allowOk: false },
    });
  await pool(requests, PARALLEL, async (r) => {
    const a = await post(r.path, headers, r.method === "GET" ? undefined : r.body, r.method);
    f.check(`${r.method} ${r.label}`, a, r.e);
  });
  f.assertNone("Account", t);
  assert.equal(await readContact(), contactBefore, "the management account's contact information is unchanged");
  assert.equal(await readName(), nameBefore, "the management account's name is unchanged");
  await assertServingAndUnchanged();
});

test("Slow clients: while sockets dribble headers (and a body) byte by byte over ~2 s and others sit idle, the server keeps answering everyone else", async () => {
  const date = amzDate();
  const request = (op: string, body: string) =>
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSOrganizationsV20161128.${op}\r\nX-Amz-Date: ${date}\r\nAuthorization: ${authorization(MANAGEMENT, "organizations", date)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  const headerSlow = request("DescribeOrganization", "{}");
  const stsBody = "Action=GetCallerIdentity&Version=2011-06-15";
  const stsSlow = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Amz-Date: ${date}\r\nAuthorization: ${authorization(MANAGEMENT, "sts", date)}\r\nContent-Length: ${stsBody.length}\r\nConnection: close\r\n\r\n${stsBody}`;
  const bodySlow = request("ListAccounts", JSON.stringify({ MaxResults: 20, padding: "p".repeat(120) }));
  const split = bodySlow.indexOf("\r\n\r\n") + 4;
  const gap = (chars: number) => Math.max(1, Math.round(2000 / chars));
  const idle = await Promise.all(
    Array.from(
      { length: 50 },
      () =>
        new Promise<Socket>((resolve) => {
          const sock = connect(srv.port, "127.0.0.1", () => resolve(sock));
          sock.on("error", () => undefined);
        }),
    ),
  );
  let slowSending = 3;
  const onSent = () => void slowSending--;
  const slow = Promise.all([
    // Headers (and the tiny body) one byte at a time.
    rawHttp(srv.port, [...headerSlow], { gapMs: gap(headerSlow.length), onSent, deadlineMs: 30_000 }),
    rawHttp(srv.port, [...stsSlow], { gapMs: gap(stsSlow.length), onSent, deadlineMs: 30_000 }),
    // Headers at once, then the body one byte at a time.
    rawHttp(srv.port, [bodySlow.slice(0, split), ...bodySlow.slice(split)], {
      gapMs: gap(bodySlow.length - split),
      onSent,
      deadlineMs: 30_000,
    }),
  ]);
  const c = orgsClient(srv.endpoint);
  let servedMeanwhile = 0;
  while (slowSending > 0) {
    const org = await c.send(new DescribeOrganizationCommand({}));
    assert.equal(org.Organization!.MasterAccountId, MANAGEMENT);
    if (slowSending > 0) servedMeanwhile++;
  }
  c.destroy();
  const [a1, a2, a3] = await slow;
  for (const sock of idle) sock.destroy();
  assert.ok(servedMeanwhile >= 1, "other clients were answered while the slow ones were still sending");
  for (const [label, a] of [
    ["awsJson, slow headers", a1],
    ["STS, slow headers", a2],
    ["awsJson, slow body", a3],
  ] as const) {
    assert.ok(a, `${label}: answered`);
    assert.equal(a.status, 200, `${label}: ${a.body.slice(0, 200)}`);
  }
  assert.equal((JSON.parse(a1!.body) as { Organization: { MasterAccountId: string } }).Organization.MasterAccountId, MANAGEMENT);
  assert.match(a2!.body, /^<GetCallerIdentityResponse[^>]*><GetCallerIdentityResult>.*<Account>111111111111<\/Account>/);
  assert.ok(Array.isArray((JSON.parse(a3!.body) as { Accounts: unknown[] }).Accounts));
  await assertServingAndUnchanged();
});

// ---------------------------------------------------------------------------------------------
// Regressions of bugs this suite found (fixed in d7cc2ae)
// ---------------------------------------------------------------------------------------------

test("Regression: a request-target that is not a parsable URL (`POST //[ HTTP/1.1`) is a 4xx in the request's protocol, not a 500", async () => {
  const f = new Findings();
  const date = amzDate();
  const head = (t: string, extra: string) =>
    `POST ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}X-Amz-Date: ${date}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`;
  for (const t of ["//[", "http://[", "//%", "//a:99999999/x", "//::", "http://x:-1/"]) {
    const json = await rawHttp(srv.port, [
      head(
        t,
        `X-Amz-Target: AWSOrganizationsV20161128.DescribeOrganization\r\nAuthorization: ${authorization(MANAGEMENT, "organizations", date)}\r\n`,
      ),
    ]);
    f.check(`awsJson request-target ${t}`, json, { protocol: "json" });
    const query = await rawHttp(srv.port, [
      head(t, `Content-Type: application/x-www-form-urlencoded\r\nAuthorization: ${authorization(MANAGEMENT, "sts", date)}\r\n`),
    ]);
    f.check(`awsQuery request-target ${t}`, query, { protocol: "query" });
    const rest = await rawHttp(srv.port, [
      head(t, `Content-Type: application/json\r\nAuthorization: ${authorization(MANAGEMENT, "account", date)}\r\n`),
    ]);
    f.check(`restJson request-target ${t}`, rest, { protocol: "rest" });
  }
  f.assertNone("request-target");
  await assertServingAndUnchanged();
});

test("Regression: operation names that are Object.prototype properties (constructor, __proto__, toString, ...) are UnknownOperationException / InvalidAction, never served or a 500", async () => {
  const f = new Findings();
  for (const name of [
    "constructor",
    "__proto__",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "isPrototypeOf",
    "__defineGetter__",
    "propertyIsEnumerable",
  ]) {
    f.check(`X-Amz-Target ...${name}`, await post("/", orgsHeaders(name), "{}"), {
      protocol: "json",
      codes: ["UnknownOperationException"],
    });
    const form = { "Content-Type": "application/x-www-form-urlencoded", ...signedHeaders(MANAGEMENT, "sts") };
    f.check(`STS Action=${name}`, await post("/", form, `Action=${name}&Version=2011-06-15`), {
      protocol: "query",
      codes: ["InvalidAction"],
    });
    f.check(
      `STS GET ?Action=${name}`,
      await httpCall(`${srv.endpoint}/?Action=${name}&Version=2011-06-15`, { method: "GET", headers: signedHeaders(MANAGEMENT, "sts") }),
      { protocol: "query", codes: ["InvalidAction"] },
    );
    f.check(
      `Account /${name}`,
      await post(`/${name}`, { "Content-Type": "application/json", ...signedHeaders(MANAGEMENT, "account") }, "{}"),
      { protocol: "rest", codes: ["UnknownOperationException"] },
    );
  }
  f.assertNone("prototype-name");
  await assertServingAndUnchanged();
});

test("Regression: awsQuery list parameters parse in linear time — ~50,000 `Tags.member.N=` parameters (just under 1 MiB) are answered (hang detector: 10 s)", async () => {
  // Its own process: a regression would block the event loop for many minutes; it is killed after.
  const own = await spawnIsolated();
  try {
    for (const [label, item] of [
      ["Tags.member.N=", (i: number) => `Tags.member.${i}=`],
      ["Tags.member.N.Key=k&...Value=v", (i: number) => `Tags.member.${i}.Key=k&Tags.member.${i}.Value=v`],
    ] as const) {
      const parts = ["Action=AssumeRole", "Version=2011-06-15", `RoleArn=arn:aws:iam::${STRANGER}:role/X`, "RoleSessionName=linear"];
      let size = parts.join("&").length;
      for (let i = 1; size < MIB - 100; i++) {
        const p = item(i);
        if (size + p.length + 1 >= MIB - 100) break;
        parts.push(p);
        size += p.length + 1;
      }
      const body = parts.join("&");
      const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Amz-Date: ${amzDate()}\r\nAuthorization: ${authorization(MANAGEMENT, "sts")}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      const a = await rawHttp(own.port, [head, body], { deadlineMs: 10_000 });
      assert.ok(a, `${label} x ${parts.length - 4}: answered before the hang detector gave up`);
      // Over the parameter-count limit: refused before anything is interpreted.
      assert.equal(queryErrorProblem(a, ["MalformedQueryString"]), undefined, `${label}: ${a.status} ${a.body.slice(0, 200)}`);
    }
  } finally {
    await own.close("SIGKILL");
  }
});

test("Regression: STS operations of the model that orgsim has not built answer a 4xx Sender error, not 501", async () => {
  const f = new Findings();
  const form = { "Content-Type": "application/x-www-form-urlencoded", ...signedHeaders(MANAGEMENT, "sts") };
  f.check("GetSessionToken", await post("/", form, "Action=GetSessionToken&Version=2011-06-15"), { protocol: "query" });
  f.check("GetAccessKeyInfo", await post("/", form, "Action=GetAccessKeyInfo&AccessKeyId=AKIAIOSFODNN7EXAMPLE&Version=2011-06-15"), {
    protocol: "query",
  });
  f.assertNone("unbuilt-STS");
  await assertServingAndUnchanged();
});

// ---------------------------------------------------------------------------------------------
// Hostile form bodies and out-of-range control values (issue: hostile input)
// ---------------------------------------------------------------------------------------------

test("awsQuery (STS): hostile form bodies — long dotted names, deep nesting, thousands of parameters, bad percent-encoding — are answered promptly with an XML Sender error (hang detector: 10 s each)", async (t) => {
  const rng = new Rng(SEED + 7);
  const f = new Findings();
  const base =
    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A999999999999%3Arole%2FOrganizationAccountAccessRole&RoleSessionName=fuzz";
  const dotted = (segments: number, segment = "a") => Array.from({ length: segments }, () => segment).join(".");
  const bodies: [string, string][] = [
    ["one 1 MiB dotted name", `${base}&${dotted(MIB / 2 - 200)}=v`],
    ["a 100 KB dotted name", `${base}&${dotted(50_000)}=v`],
    ["many 250-character dotted names", `${base}&${Array.from({ length: 3000 }, (_, i) => `${dotted(100, "b")}${i}=v`).join("&")}`],
    ["names just over 256 characters", `${base}&${"T".repeat(257)}=v`],
    ["nesting 9 deep under Tags", `${base}&Tags.member.1.Key.a.b.c.d.e.f=v`],
    ["nesting 40 deep", `${base}&${dotted(40, "Tags")}=v`],
    ["2,000 parameters", `${base}&${Array.from({ length: 2000 }, (_, i) => `p${i}=v`).join("&")}`],
    ["2,000 list members", `${base}&${Array.from({ length: 2000 }, (_, i) => `Tags.member.${i + 1}.Key=k`).join("&")}`],
    ["20,000 empty parameters", `${base}&${"&".repeat(20_000)}`],
    ["encoded dots %2E", `${base}&${Array.from({ length: 300 }, () => "a").join("%2E")}=v`],
    ["bad percent-encoding in names", `${base}&%ZZ=1&%=2&%E0%A4%A=3&Tags.member.%31.Key=k&Tags%2Emember%2E1%2EValue=v`],
    ["bad percent-encoding in values", `${base}&RoleSessionName=%ZZ%&DurationSeconds=%E0%A4%A`],
    ["NUL bytes in names", `${base}&Tags.member.1.Key%00=x&%00=y`],
    ["a name of only dots", `${base}&${".".repeat(200)}=v`],
    ["huge index", `${base}&Tags.member.${"9".repeat(300)}.Key=k`],
  ];
  for (let i = 0; i < 25; i++) {
    const depth = 1 + rng.int(30);
    const name = Array.from({ length: depth }, () =>
      rng.chance(0.3) ? String(rng.int(100_000)) : rng.pick(["Tags", "member", "Key", "Value", "PolicyArns", "arn", "x"]),
    ).join(".");
    bodies.push([`random name of ${depth} segments`, `${base}&${name}=${encodeURIComponent(rng.text(rng.int(20)))}`]);
  }
  const codes = ["MalformedQueryString", "ValidationError", "InvalidParameterValue", "AccessDenied"];
  for (const [label, body] of bodies) {
    const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Amz-Date: ${amzDate()}\r\nAuthorization: ${authorization(MANAGEMENT, "sts")}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
    const a = await rawHttp(srv.port, [head, body], { deadlineMs: 10_000 });
    f.check(`${label} (${body.length} bytes)`, a, { protocol: "query", codes });
  }
  // The same shapes in a GET query string (Node refuses heads over 16 KiB itself, with 431).
  for (const q of [`${base}&${dotted(3000)}=v`, `${base}&${dotted(20, "Tags")}=v`, `${base}&%ZZ=1&%=2`]) {
    const a = await httpCall(`${srv.endpoint}/?${q}`, { method: "GET", headers: signedHeaders(MANAGEMENT, "sts") });
    if (a.status !== 431) f.check(`GET ${q.slice(-60)}`, a, { protocol: "query", codes });
  }
  f.assertNone("hostile-form", t);
  await assertServingAndUnchanged();
});

test("Control API: out-of-range and ill-typed values on every route are 4xx `{error, message}`, and change nothing (clock, faults, quotas, readiness, GovCloud, credentials, events, explain, console state)", async (t) => {
  const rng = new Rng(SEED + 8);
  const f = new Findings();
  const odd: Json[] = [1e13, -1e13, 1e308, -1e308, 2 ** 53 + 1, 1.5, -1, 0, "1", "", null, true, [], {}, [1], { a: 1 }, "x".repeat(HUGE)];
  const pick = () => rng.pick(odd);
  const requests: { label: string; method: string; path: string; body?: string; allowOk?: boolean }[] = [];
  const send = (method: string, path: string, body?: unknown, allowOk = false) =>
    requests.push({
      label: `${method} ${path.slice(0, 80)} ${body === undefined ? "" : JSON.stringify(body).slice(0, 80)}`,
      method,
      path,
      body: body === undefined ? undefined : JSON.stringify(body),
      allowOk,
    });

  for (const v of odd) {
    if (!(typeof v === "number" && v >= 0 && v < 1e9)) send("POST", "/_orgsim/clock", { advanceSeconds: v });
    if (!(typeof v === "number" && Math.abs(v) < 1e9)) send("POST", "/_orgsim/clock", { offsetSeconds: v });
    send("POST", "/_orgsim/faults", { operation: "DescribeOrganization", error: "ServiceException", count: v });
    if (v !== 1) send("POST", "/_orgsim/faults", { operation: "DescribeOrganization", error: "ServiceException", probability: v });
    if (typeof v !== "string" || v.length > 2048)
      send("POST", "/_orgsim/faults", { operation: "DescribeOrganization", error: "ServiceException", reason: v });
    send("POST", "/_orgsim/faults", { operation: v, error: "ServiceException" });
    send("PUT", "/_orgsim/quotas", {
      accountsPerOrganization: typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 1e9 ? -5 : v,
    });
    if (!(typeof v === "number" && v >= 0 && v <= 1)) send("PUT", "/_orgsim/quotas", { closeAccountShare: v });
    if (typeof v !== "boolean") send("PUT", `/_orgsim/accounts/${ids.invited}/standalone`, { supportPlan: v });
    if (typeof v !== "boolean") send("PUT", `/_orgsim/accounts/${MANAGEMENT}/govcloud`, { enabled: v });
    send("POST", "/_orgsim/credentials", { accountId: v });
  }
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
    send("POST", "/_orgsim/faults", { operation: name, error: "ServiceException" });
    send("PUT", "/_orgsim/quotas", JSON.parse(`{"${name}": 5}`) as Json);
    send("PUT", `/_orgsim/accounts/${ids.invited}/standalone`, JSON.parse(`{"${name}": true}`) as Json);
  }
  send("PUT", "/_orgsim/quotas", { closeAccountMin: 100, closeAccountMax: 1 });
  send("POST", "/_orgsim/clock", { advanceSeconds: 60, offsetSeconds: 60 });
  for (const body of ["[]", "1", '"x"', "null", "{", "{}}", "\u0000"]) {
    for (const [method, path] of [
      ["POST", "/_orgsim/clock"],
      ["POST", "/_orgsim/faults"],
      ["PUT", "/_orgsim/quotas"],
      ["PUT", `/_orgsim/accounts/${ids.invited}/standalone`],
      ["POST", "/_orgsim/credentials"],
    ] as const) {
      requests.push({ label: `${method} ${path} raw ${JSON.stringify(body)}`, method, path, body });
    }
  }
  // Reads with out-of-range parameters: a clamped 200 or a 4xx, never a 5xx and never a write.
  for (let i = 0; i < 20; i++) {
    const v = encodeURIComponent(String(pick()).slice(0, 200));
    send("GET", `/_orgsim/events?maxResults=${v}&nextToken=${v}&eventName=${v}`, undefined, true);
    send("GET", `/_orgsim/explain?accountId=${v}&action=${v}&region=${v}`, undefined, true);
    send("GET", `/_orgsim/state?organizationId=${v}&open=${v}&searchLimit=${v}&search=${v}`, undefined, true);
    send("GET", `/_orgsim/accounts/${rng.int(10) < 5 ? "000000000000" : "999999999999"}/standalone?x=${v}`, undefined, true);
  }
  send("GET", `/_orgsim/explain?accountId=${MANAGEMENT}&action=${"a:".repeat(5000)}`, undefined, true);
  send("GET", `/_orgsim/state?open=${Array.from({ length: 500 }, () => "r-abcd:99999999").join(",")}`, undefined, true);
  await pool(requests, PARALLEL, async (r) => {
    const a = await httpCall(`${srv.endpoint}${r.path}`, {
      method: r.method,
      headers: r.body === undefined ? {} : { "Content-Type": "application/json" },
      body: r.body,
    });
    f.requests++;
    if (r.allowOk && a.status === 200) return;
    const problem = controlErrorProblem(a);
    if (problem) f.problems.push(`${r.label}: ${problem} — got ${a.status} ${a.body.slice(0, 200)}`);
  });
  f.assertNone("control", t);
  await assertServingAndUnchanged();
});
