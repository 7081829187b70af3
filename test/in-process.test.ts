/**
 * In-process use: `startOrgsim({ port: 0, seed })` and the typed control methods a test suite
 * uses instead of the HTTP control API.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DescribeOrganizationCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { startOrgsim, SeedError, OrgsimError, type Orgsim, type SeedFile } from "../src/index.js";
import { awsError } from "./helpers/server.js";

const DAY = 86_400;

function orgs(sim: Orgsim, account = "111111111111"): OrganizationsClient {
  return new OrganizationsClient({
    endpoint: sim.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: account, secretAccessKey: "x" },
    maxAttempts: 1,
  });
}

const YAML_SEED = `
organizations:
  - management: "111111111111"
    policyTypes: [SERVICE_CONTROL_POLICY]
    ous:
      - name: Workloads
        accounts:
          - { name: app, email: app@example.com, id: "210000000001" }
    policies:
      - name: DenyLeave
        content:
          Version: "2012-10-17"
          Statement: [{ Sid: NoLeaving, Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*" }]
        attach: [Workloads]
`;

test("startOrgsim({ seed }) applies YAML text before serving; sim.seeded maps paths, emails and policies to ids; explain and events are typed", async () => {
  const sim = await startOrgsim({ port: 0, quiet: true, seed: YAML_SEED, seedSource: "inline.yaml" });
  try {
    const seeded = sim.seeded!.organizations[0]!;
    assert.equal(seeded.accounts["app@example.com"], "210000000001");
    const org = (await orgs(sim).send(new DescribeOrganizationCommand({}))).Organization!;
    assert.equal(org.Id, seeded.id);
    const ous = (await orgs(sim).send(new ListOrganizationalUnitsForParentCommand({ ParentId: seeded.rootId }))).OrganizationalUnits!;
    assert.deepEqual(
      ous.map((o) => o.Id),
      [seeded.ous["Workloads"]],
    );

    const why = await sim.explain("210000000001", "organizations:LeaveOrganization");
    assert.equal(why.allowed, false);
    assert.equal(why.decision, "EXPLICIT_DENY");
    assert.deepEqual(why.decidingLevel, {
      targetId: seeded.ous["Workloads"],
      targetType: "ORGANIZATIONAL_UNIT",
      policyId: seeded.policies["SERVICE_CONTROL_POLICY/DenyLeave"],
      policyName: "DenyLeave",
      statementSid: "NoLeaving",
    });

    const created = await sim.events({ eventName: "CreateAccount" });
    assert.equal(created.length, 1);
    assert.equal(created[0]!.organizationId, seeded.id);
    assert.equal(created[0]!.detail.accountName, "app");
    await assert.rejects(
      sim.explain("12", "organizations:LeaveOrganization"),
      (err: unknown) => err instanceof OrgsimError && err.status === 400,
    );
  } finally {
    await sim.close();
  }
});

test("a SeedFile object seeds too; advanceClock, setStandalone and the waiting period; clock(); reset()", async () => {
  const seed: SeedFile = {
    organizations: [{ management: "111111111111", accounts: [{ name: "vended", email: "vended@example.com", id: "220000000001" }] }],
  };
  const sim = await startOrgsim({ port: 0, quiet: true, seed });
  try {
    const member = orgs(sim, "220000000001");
    assert.equal((await awsError(() => member.send(new LeaveOrganizationCommand({})))).reason, "WAIT_PERIOD_ACTIVE");
    const before = Date.now();
    const now = await sim.advanceClock("4d");
    assert.ok(now.getTime() >= before + 4 * DAY * 1000);
    assert.equal((await sim.clock()).offsetSeconds, 4 * DAY);
    assert.equal((await awsError(() => member.send(new LeaveOrganizationCommand({})))).reason, "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA");
    const readiness = await sim.setStandalone("220000000001", { supportPlan: true, contactInformation: true, paymentMethod: true });
    assert.deepEqual(readiness, { accountId: "220000000001", supportPlan: true, contactInformation: true, paymentMethod: true });
    await member.send(new LeaveOrganizationCommand({}));
    const departed = await sim.events({ eventName: "AccountDepartedOrganization" });
    assert.equal(departed[0]!.detail.departureMethod, "LEFT");

    await sim.reset();
    assert.equal((await sim.clock()).offsetSeconds, 0);
    assert.match(await sim.exportState(), /^organizations: \[\]$/m);
  } finally {
    await sim.close();
  }
});

test("addFault / faults / clearFaults: an operation answers the injected error, then recovers", async () => {
  const sim = await startOrgsim({ port: 0, quiet: true, seed: { organizations: [{ management: "111111111111" }] } });
  try {
    const id = await sim.addFault({ operation: "ListAccounts", error: "TooManyRequestsException", count: 1 });
    assert.deepEqual(
      (await sim.faults()).map((f) => [f.id, f.operation, f.error, f.remaining]),
      [[id, "ListAccounts", "TooManyRequestsException", 1]],
    );
    assert.equal((await awsError(() => orgs(sim).send(new ListAccountsCommand({})))).name, "TooManyRequestsException");
    assert.equal((await orgs(sim).send(new ListAccountsCommand({}))).Accounts!.length, 1, "count: 1 fires once");
    await sim.addFault({ operation: "ListAccounts", error: "ServiceException" });
    assert.equal((await awsError(() => orgs(sim).send(new ListAccountsCommand({})))).name, "ServiceException");
    await sim.clearFaults();
    assert.deepEqual(await sim.faults(), []);
    await orgs(sim).send(new ListAccountsCommand({}));
    await assert.rejects(sim.addFault({ operation: "ListAccounts", error: "NoSuchError" }), /ListAccounts cannot return NoSuchError/);
  } finally {
    await sim.close();
  }
});

test("sim.seed(): all or nothing on the running simulator, SeedError with problems; exportState round-trips; control methods work with the control API off", async () => {
  const sim = await startOrgsim({ port: 0, quiet: true, controlApi: false });
  try {
    assert.equal(sim.seeded, undefined);
    const result = await sim.seed(YAML_SEED, { source: "first.yaml" });
    assert.equal(result.organizations.length, 1);
    const state = await sim.exportState();

    await assert.rejects(
      sim.seed("organizations:\n  - management: nope\n", { source: "bad.yaml" }),
      (err: unknown) =>
        err instanceof SeedError && err.kind === "invalid" && err.problems[0]!.line === 2 && /^bad\.yaml:2:17: /.test(err.message),
    );
    const failing: SeedFile = {
      organizations: [
        {
          management: "230000000001",
          ous: [{ name: "A" }, { name: "B" }],
          policies: [{ name: "X", content: { Version: "2012-10-17" }, attach: ["A"] }],
        },
      ],
    };
    await assert.rejects(
      sim.seed(failing),
      (err: unknown) =>
        err instanceof SeedError &&
        err.kind === "failed" &&
        err.problems[0]!.path === "organizations[0].policies[0].content" &&
        err.problems[0]!.code === "MalformedPolicyDocumentException",
    );
    assert.equal(await sim.exportState(), state, "the failed seed left nothing behind");

    await sim.seed(state, { reset: true });
    assert.equal(await sim.exportState(), state);
    assert.equal((await sim.advanceClock(60)).getTime() > Date.now(), true);
    const res = await fetch(`${sim.endpoint}/_orgsim/clock`);
    assert.equal(res.status, 404, "the HTTP control API is off, the in-process methods still work");
  } finally {
    await sim.close();
  }
});

test("startOrgsim rejects a seed that can't be applied, and leaves no server behind", async () => {
  await assert.rejects(
    startOrgsim({
      port: 0,
      quiet: true,
      seed: {
        organizations: [{ management: "111111111111", policyTypes: ["SERVICE_CONTROL_POLICY"], featureSet: "CONSOLIDATED_BILLING" }],
      },
    }),
    (err: unknown) =>
      err instanceof SeedError && err.kind === "failed" && err.problems[0]!.code === "PolicyTypeNotAvailableForOrganizationException",
  );
});
