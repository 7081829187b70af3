/**
 * The test fixture. Starts a private orgsim for one test file, on SQLite in memory or, when
 * ORGSIM_TEST_DATABASE_URL is set, on a fresh PostgreSQL database of its own; gives real AWS SDK
 * v3 clients that call it as any account, and factories for the state a test starts from
 * (factories.ts). A test file starts with one line, two where its tests must not see each
 * other's state:
 *
 *     const s = useTestServer();          // one server for the file, closed after its last test
 *     beforeEach(() => s.reset());        // an empty orgsim before each test
 *
 *     test("Rule: ...", async () => {
 *       const { rootId } = await s.freshOrg();
 *       const member = await s.createAccount("dev@example.com");
 *       ...
 *     });
 *
 * A test that needs a server with other settings starts its own with startTestServer (it has the
 * same factories) and closes it in a finally. A test that drives orgsim through clients of its
 * own (a spawned process, a client cache) builds the factories over them with orgFactories.
 */
import "./quiet-sdk.js";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, after } from "node:test";
import pg from "pg";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { AccountClient } from "@aws-sdk/client-account";
import { startOrgsim, type Orgsim, type Settings } from "../../src/index.js";
import { orgFactories, type OrgFactories } from "./factories.js";

export { MINUTE, HOUR, DAY, type NewOrganization, type Readiness } from "./factories.js";

export const MANAGEMENT = "111111111111";
export const REGION = "us-east-1";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface TestServer extends OrgFactories {
  sim: Orgsim;
  endpoint: string;
  /** Organizations client acting as the root user of `account` (or with explicit credentials). */
  orgs(account?: string | Credentials): OrganizationsClient;
  sts(account?: string | Credentials): STSClient;
  account(account?: string | Credentials): AccountClient;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

function creds(account: string | Credentials): Credentials {
  return typeof account === "string" ? { accessKeyId: account, secretAccessKey: "orgsim-test-secret" } : account;
}

/** A fresh PostgreSQL database for this server, dropped on close. */
async function freshDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `orgsim_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function startTestServer(options: Partial<Settings> = {}): Promise<TestServer> {
  const pgUrl = process.env.ORGSIM_TEST_DATABASE_URL;
  const db = pgUrl && options.databaseUrl === undefined && options.data === undefined ? await freshDatabase(pgUrl) : undefined;
  const sim = await startOrgsim({ port: 0, quiet: true, ...(db ? { databaseUrl: db.url } : {}), ...options });
  const clientConfig = (account: string | Credentials) => ({
    endpoint: sim.endpoint,
    region: REGION,
    credentials: creds(account),
    maxAttempts: 1,
  });
  const orgs = (account: string | Credentials = MANAGEMENT) => new OrganizationsClient(clientConfig(account));
  const control: TestServer["control"] = async (method, path, body) => {
    const res = await fetch(`${sim.endpoint}${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return {
    sim,
    endpoint: sim.endpoint,
    orgs,
    sts: (account = MANAGEMENT) => new STSClient(clientConfig(account)),
    account: (account = MANAGEMENT) => new AccountClient(clientConfig(account)),
    control,
    close: async () => {
      await sim.close();
      await db?.drop();
    },
    ...orgFactories({ orgs, control }),
  };
}

/**
 * The test file's server: started before its first test, closed after its last (node:test
 * hooks of the file). What it returns stands for that server; using it before the file's tests
 * run (at module level) throws. `setup` runs once the server is up, before any test: the place
 * for what every test of the file shares (node 20 starts a file's top-level before hooks at
 * once, so a second before hook would not wait for the server).
 */
export function useTestServer(options: Partial<Settings> = {}, setup?: (server: TestServer) => Promise<unknown> | void): TestServer {
  let server: TestServer | undefined;
  before(async () => {
    server = await startTestServer(options);
    await setup?.(server);
  });
  after(async () => {
    await server?.close();
  });
  return new Proxy({} as TestServer, {
    get(_target, key) {
      if (!server) throw new Error(`the test server is not running (TestServer.${String(key)} used outside the file's tests)`);
      return Reflect.get(server, key) as unknown;
    },
  });
}

/** Runs `fn` and returns the AWS error it throws (name, Reason, HTTP status), failing if it succeeds. */
export async function awsError(
  fn: () => Promise<unknown>,
): Promise<{ name: string; reason?: string; message: string; status?: number; requestId?: string }> {
  try {
    await fn();
  } catch (err) {
    const e = err as { name: string; message: string; Reason?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    return { name: e.name, reason: e.Reason, message: e.message, status: e.$metadata?.httpStatusCode, requestId: e.$metadata?.requestId };
  }
  throw new Error("expected the call to fail with an AWS error, but it succeeded");
}

/**
 * Checks an error awsError returned: its name, its Reason (when `reason` is given) and its HTTP
 * status (400, AWS's status for client errors, unless told), naming the error's message when a
 * check fails.
 */
export function assertAwsError(
  err: Awaited<ReturnType<typeof awsError>>,
  name: string,
  reason?: string,
  expected: { status?: number; message?: string } = {},
): void {
  assert.equal(err.name, name, err.message);
  if (reason !== undefined) assert.equal(err.reason, reason, err.message);
  assert.equal(err.status, expected.status ?? 400, err.message);
  if (expected.message !== undefined) assert.equal(err.message, expected.message);
}

/**
 * An unsigned-in-effect awsJson request to Organizations: a well-formed Authorization header
 * whose 12-digit key id names the caller (orgsim verifies no signature for such keys outside
 * --strict-auth), for tests that need the raw wire answer.
 */
export async function rawOrganizationsCall(
  endpoint: string,
  operation: string,
  accountId: string,
  body: string,
): Promise<{ status: number; text: string; headers: Headers }> {
  const date = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const res = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSOrganizationsV20161128.${operation}`,
      "X-Amz-Date": date,
      Authorization: `AWS4-HMAC-SHA256 Credential=${accountId}/${date.slice(0, 8)}/us-east-1/organizations/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
    },
    body,
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
