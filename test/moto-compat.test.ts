/**
 * A way in for suites written against moto (and LocalStack): the --complete-async-immediately
 * start option (asynchronous operations finish before they answer, in AWS's shape), moto's
 * reset route POST /moto-api/reset, and moto's x-moto-account-id header.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateGovCloudAccountCommand,
  CreateOrganizationCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  ListCreateAccountStatusCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DisableRegionCommand, EnableRegionCommand, GetRegionOptStatusCommand } from "@aws-sdk/client-account";
import { startTestServer, useTestServer, awsError, MANAGEMENT, REGION, type Credentials, type TestServer } from "./helpers/server.js";
import { spawnOrgsim } from "./helpers/process.js";
import type { BuildHandlerOptions, BuildMiddleware } from "@smithy/types";

const plain = useTestServer();
const instant = useTestServer({ completeAsyncImmediately: true });

// ------------------------------------------------------------------------------------------------
// --complete-async-immediately
// ------------------------------------------------------------------------------------------------

test("AWS rule (default): CreateAccount answers IN_PROGRESS without an AccountId; DescribeCreateAccountStatus gives the outcome", async () => {
  await plain.freshOrg();
  const started = (await plain.orgs().send(new CreateAccountCommand({ Email: "dev@example.com", AccountName: "dev" })))
    .CreateAccountStatus!;
  assert.equal(started.State, "IN_PROGRESS");
  assert.equal(started.AccountId, undefined);
  const status = (await plain.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id })))
    .CreateAccountStatus!;
  assert.equal(status.State, "SUCCEEDED");
});

test("--complete-async-immediately: CreateAccount answers SUCCEEDED with the AccountId, exactly the status DescribeCreateAccountStatus shows", async () => {
  await instant.freshOrg();
  const started = (await instant.orgs().send(new CreateAccountCommand({ Email: "dev@example.com", AccountName: "dev" })))
    .CreateAccountStatus!;
  assert.equal(started.State, "SUCCEEDED");
  assert.match(started.AccountId!, /^\d{12}$/);
  assert.ok(started.CompletedTimestamp instanceof Date);
  const described = (await instant.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id })))
    .CreateAccountStatus!;
  assert.deepEqual(started, described);
  const account = (await instant.orgs().send(new DescribeAccountCommand({ AccountId: started.AccountId }))).Account!;
  assert.equal(account.Status, "ACTIVE");
  const listed = (await instant.orgs().send(new ListCreateAccountStatusCommand({}))).CreateAccountStatuses!;
  assert.deepEqual(listed, [described]);
});

test("--complete-async-immediately: a CreateAccount that fails answers FAILED with its FailureReason (EMAIL_ALREADY_EXISTS) at once", async () => {
  await instant.freshOrg();
  await instant.orgs().send(new CreateAccountCommand({ Email: "dup@example.com", AccountName: "one" }));
  const second = (await instant.orgs().send(new CreateAccountCommand({ Email: "dup@example.com", AccountName: "two" })))
    .CreateAccountStatus!;
  assert.equal(second.State, "FAILED");
  assert.equal(second.FailureReason, "EMAIL_ALREADY_EXISTS");
  assert.equal(second.AccountId, undefined);
});

test("--complete-async-immediately: CreateGovCloudAccount answers SUCCEEDED with both the AccountId and the GovCloudAccountId", async () => {
  await instant.freshOrg();
  await instant.control("PUT", `/_orgsim/accounts/${MANAGEMENT}/govcloud`, { enabled: true });
  const started = (await instant.orgs().send(new CreateGovCloudAccountCommand({ Email: "gov@example.com", AccountName: "gov" })))
    .CreateAccountStatus!;
  assert.equal(started.State, "SUCCEEDED");
  assert.match(started.AccountId!, /^\d{12}$/);
  assert.match(started.GovCloudAccountId!, /^\d{12}$/);
  const described = (await instant.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id })))
    .CreateAccountStatus!;
  assert.deepEqual(started, described);
});

test("--complete-async-immediately: CloseAccount has finished when it answers (SUSPENDED, no PENDING_CLOSURE)", async () => {
  await instant.freshOrg();
  const id = await instant.createAccount("gone@example.com");
  await instant.orgs().send(new CloseAccountCommand({ AccountId: id }));
  const account = (await instant.orgs().send(new DescribeAccountCommand({ AccountId: id }))).Account!;
  assert.equal(account.Status, "SUSPENDED");
});

test("--complete-async-immediately: the Account API's EnableRegion and DisableRegion have finished when they answer (no ENABLING, DISABLING)", async () => {
  await plain.reset();
  await instant.reset();
  const optStatus = async (server: TestServer) =>
    (await server.account("222222222222").send(new GetRegionOptStatusCommand({ RegionName: "af-south-1" }))).RegionOptStatus;
  await plain.account("222222222222").send(new EnableRegionCommand({ RegionName: "af-south-1" }));
  assert.equal(await optStatus(plain), "ENABLING");
  await instant.account("222222222222").send(new EnableRegionCommand({ RegionName: "af-south-1" }));
  assert.equal(await optStatus(instant), "ENABLED");
  await instant.account("222222222222").send(new DisableRegionCommand({ RegionName: "af-south-1" }));
  assert.equal(await optStatus(instant), "DISABLED");
});

test("--complete-async-immediately: the state shows it (GET /_orgsim/health and /_orgsim/state timing), off by default", async () => {
  const timing = async (server: TestServer, path: string) =>
    ((await server.control("GET", path)).body as { timing: Record<string, unknown> }).timing;
  assert.deepEqual(await timing(plain, "/_orgsim/health"), {
    completeAsyncImmediately: false,
    createAccountDelaySeconds: 0,
    closeAccountDelaySeconds: 0,
  });
  assert.deepEqual(await timing(instant, "/_orgsim/health"), {
    completeAsyncImmediately: true,
    createAccountDelaySeconds: 0,
    closeAccountDelaySeconds: 0,
  });
  assert.equal((await timing(instant, "/_orgsim/state")).completeAsyncImmediately, true);
  assert.equal((await timing(plain, "/_orgsim/state")).completeAsyncImmediately, false);
});

test("--complete-async-immediately: the start banner says so; ORGSIM_COMPLETE_ASYNC_IMMEDIATELY=true turns it on too", async () => {
  for (const [args, env] of [
    [["--complete-async-immediately"], {}],
    [[], { ORGSIM_COMPLETE_ASYNC_IMMEDIATELY: "true" }],
  ] as const) {
    const proc = await spawnOrgsim([...args], { ...env });
    try {
      const health = (await (await fetch(`${proc.endpoint}/_orgsim/health`)).json()) as { timing: { completeAsyncImmediately: boolean } };
      assert.equal(health.timing.completeAsyncImmediately, true);
      // The banner's second line is written right after the first; wait for the process to have written it.
      for (let i = 0; i < 200 && !proc.output().includes("--complete-async-immediately"); i++) await new Promise((r) => setTimeout(r, 25));
      assert.match(proc.output(), /asynchronous operations complete before they answer \(--complete-async-immediately\)/);
    } finally {
      await proc.stop();
    }
  }
});

test("--complete-async-immediately with a non-zero --create-account-delay-seconds is a usage error (exit 2), not a silent choice", async () => {
  await assert.rejects(spawnOrgsim(["--complete-async-immediately", "--create-account-delay-seconds", "30"]), (err: Error) => {
    assert.match(err.message, /exited with 2/);
    assert.match(err.message, /can't be combined with a non-zero --create-account-delay-seconds/);
    return true;
  });
});

// ------------------------------------------------------------------------------------------------
// POST /moto-api/reset
// ------------------------------------------------------------------------------------------------

test('moto\'s reset route: POST /moto-api/reset answers 200 {"status": "ok"} and empties the state as /_orgsim/reset does', async () => {
  await plain.freshOrg();
  await plain.advanceClock(3600);
  const res = await plain.control("POST", "/moto-api/reset");
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { status: "ok" });
  const err = await awsError(() => plain.orgs().send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "AWSOrganizationsNotInUseException");
  assert.equal(((await plain.control("GET", "/_orgsim/clock")).body as { offsetSeconds: number }).offsetSeconds, 0);
});

test('moto\'s reset route: any other method answers 400 {"Error": "Need to POST to reset Moto"} and changes nothing', async () => {
  await plain.freshOrg();
  const res = await plain.control("GET", "/moto-api/reset");
  assert.equal(res.status, 400);
  assert.deepEqual(res.body, { Error: "Need to POST to reset Moto" });
  assert.ok((await plain.orgs().send(new DescribeOrganizationCommand({}))).Organization);
});

test("moto's reset route is a control route: off with --no-control-api (404, state kept), refused from a foreign Origin (403)", async () => {
  const off = await startTestServer({ controlApi: false });
  try {
    await off.createOrg();
    const res = await fetch(`${off.endpoint}/moto-api/reset`, { method: "POST" });
    assert.equal(res.status, 404);
    assert.ok((await off.orgs().send(new DescribeOrganizationCommand({}))).Organization);
  } finally {
    await off.close();
  }
  await plain.freshOrg();
  const foreign = await fetch(`${plain.endpoint}/moto-api/reset`, { method: "POST", headers: { Origin: "https://evil.example.com" } });
  assert.equal(foreign.status, 403);
  assert.ok((await plain.orgs().send(new DescribeOrganizationCommand({}))).Organization);
});

// ------------------------------------------------------------------------------------------------
// x-moto-account-id
// ------------------------------------------------------------------------------------------------

/** A client that sends x-moto-account-id on every request, as moto users add it. */
function withMotoAccount<C extends STSClient | OrganizationsClient>(client: C, accountId: string): C {
  const stack = client.middlewareStack as unknown as {
    add(middleware: BuildMiddleware<object, object>, options: BuildHandlerOptions & { name: string }): void;
  };
  stack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers["x-moto-account-id"] = accountId;
      return next(args);
    },
    { step: "build", name: "motoAccountHeader" },
  );
  return client;
}

const clientConfig = (server: TestServer, credentials: Credentials) => ({
  endpoint: server.endpoint,
  region: REGION,
  credentials,
  maxAttempts: 1,
});
const MOTO_KEYS: Credentials = { accessKeyId: "testing", secretAccessKey: "testing" };

test('x-moto-account-id: with a key that names no account (moto\'s "testing"), the header names the calling account', async () => {
  await plain.reset();
  const sts = withMotoAccount(new STSClient(clientConfig(plain, MOTO_KEYS)), "333344445555");
  const who = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, "333344445555");
  assert.equal(who.Arn, "arn:aws:iam::333344445555:root");
  // Without the header the same key is the default account.
  assert.equal((await new STSClient(clientConfig(plain, MOTO_KEYS)).send(new GetCallerIdentityCommand({}))).Account, "123456789012");
  // Organizations too: the header's account creates the organization and manages it.
  const orgs = withMotoAccount(new OrganizationsClient(clientConfig(plain, MOTO_KEYS)), "333344445555");
  const org = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }))).Organization!;
  assert.equal(org.MasterAccountId, "333344445555");
});

test("x-moto-account-id: a 12-digit access key names its own account and the header is not read", async () => {
  await plain.reset();
  const sts = withMotoAccount(new STSClient(clientConfig(plain, { accessKeyId: "111111111111", secretAccessKey: "x" })), "333344445555");
  assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, "111111111111");
});

test("x-moto-account-id: credentials orgsim issued name their account and the header is not read", async () => {
  await plain.freshOrg();
  const accountId = await plain.createAccount("m@example.com");
  const creds = (
    await plain
      .sts()
      .send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: "moto-suite" }),
      )
  ).Credentials!;
  const sts = withMotoAccount(
    new STSClient(
      clientConfig(plain, { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! }),
    ),
    "333344445555",
  );
  assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, accountId);
});

test("x-moto-account-id: a value that is not a 12-digit account id is refused (UnrecognizedClientException / InvalidClientTokenId), not ignored", async () => {
  await plain.reset();
  const orgs = withMotoAccount(new OrganizationsClient(clientConfig(plain, MOTO_KEYS)), "not-an-account");
  const err = await awsError(() => orgs.send(new DescribeOrganizationCommand({})));
  assert.equal(err.name, "UnrecognizedClientException");
  assert.match(err.message, /x-moto-account-id header must be a 12-digit account id/);
  const sts = withMotoAccount(new STSClient(clientConfig(plain, MOTO_KEYS)), "12345");
  assert.equal((await awsError(() => sts.send(new GetCallerIdentityCommand({})))).name, "InvalidClientTokenId");
});

test("x-moto-account-id: never read under --strict-auth (an unknown key stays refused; issued keys keep their account)", async () => {
  const strict = await startTestServer({ strictAuth: true });
  try {
    const refused = await awsError(() =>
      withMotoAccount(new STSClient(clientConfig(strict, MOTO_KEYS)), "333344445555").send(new GetCallerIdentityCommand({})),
    );
    assert.equal(refused.name, "InvalidClientTokenId");
    const issued = (await strict.control("POST", "/_orgsim/credentials", { accountId: MANAGEMENT })).body as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const sts = withMotoAccount(
      new STSClient(clientConfig(strict, { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey })),
      "333344445555",
    );
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, MANAGEMENT);
  } finally {
    await strict.close();
  }
});
