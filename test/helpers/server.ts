/**
 * Starts a private orgsim for one test file, on SQLite in memory or, when
 * ORGSIM_TEST_DATABASE_URL is set, on a fresh PostgreSQL database of its own; and gives
 * real AWS SDK v3 clients that call it as any account.
 */
import "./quiet-sdk.js";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { AccountClient } from "@aws-sdk/client-account";
import { startOrgsim, type Orgsim, type Settings } from "../../src/index.js";

export const MANAGEMENT = "111111111111";
export const REGION = "us-east-1";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface TestServer {
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
  return {
    sim,
    endpoint: sim.endpoint,
    orgs: (account = MANAGEMENT) => new OrganizationsClient(clientConfig(account)),
    sts: (account = MANAGEMENT) => new STSClient(clientConfig(account)),
    account: (account = MANAGEMENT) => new AccountClient(clientConfig(account)),
    control: async (method, path, body) => {
      const res = await fetch(`${sim.endpoint}${path}`, {
        method,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    close: async () => {
      await sim.close();
      await db?.drop();
    },
  };
}

/** Runs `fn` and returns the AWS error it throws (name, Reason, HTTP status), failing if it succeeds. */
export async function awsError(fn: () => Promise<unknown>): Promise<{ name: string; reason?: string; message: string; status?: number; requestId?: string }> {
  try {
    await fn();
  } catch (err) {
    const e = err as { name: string; message: string; Reason?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    return { name: e.name, reason: e.Reason, message: e.message, status: e.$metadata?.httpStatusCode, requestId: e.$metadata?.requestId };
  }
  throw new Error("expected the call to fail with an AWS error, but it succeeded");
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
