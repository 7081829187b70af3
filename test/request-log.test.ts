/** The request log: one readable line per call, the reason in plain words; JSON with --log-format json. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  LeaveOrganizationCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { spawnOrgsim } from "./helpers/process.js";
import { MANAGEMENT } from "./helpers/server.js";

const client = (endpoint: string, account: string) =>
  new OrganizationsClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: account, secretAccessKey: "x" }, maxAttempts: 1 });

async function blockedLeave(endpoint: string): Promise<string> {
  await client(endpoint, MANAGEMENT).send(new CreateOrganizationCommand({}));
  const r = await client(endpoint, MANAGEMENT).send(new CreateAccountCommand({ Email: "log@example.com", AccountName: "log" }));
  const id = (
    await client(endpoint, MANAGEMENT).send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: r.CreateAccountStatus!.Id }))
  ).CreateAccountStatus!.AccountId!;
  await client(endpoint, id)
    .send(new LeaveOrganizationCommand({}))
    .catch(() => undefined);
  return id;
}

const waitFor = async (read: () => string, pattern: RegExp): Promise<string> => {
  for (let i = 0; i < 100; i++) {
    const m = pattern.exec(read());
    if (m) return m[0];
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no log line matching ${pattern} in:\n${read()}`);
};

test("Request log: one line per call names the operation, the caller and the outcome, with the reason in plain words", async () => {
  const server = await spawnOrgsim([]);
  try {
    const id = await blockedLeave(server.endpoint);
    await waitFor(server.output, new RegExp(`CreateOrganization by ${MANAGEMENT} -> OK`));
    const line = await waitFor(server.output, new RegExp(`LeaveOrganization by ${id} -> WAIT_PERIOD_ACTIVE, [^\\n]*left[^\\n]*`));
    assert.match(line, /4 days|3 days 23 hours/);
  } finally {
    await server.stop();
  }
});

test("Request log: --log-format json writes one JSON object per call; --quiet writes none", async () => {
  const json = await spawnOrgsim(["--log-format", "json"]);
  try {
    const id = await blockedLeave(json.endpoint);
    const line = await waitFor(json.output, /\{[^\n]*"operation":"LeaveOrganization"[^\n]*\}/);
    const record = JSON.parse(line) as {
      operation: string;
      principal: string;
      status: number;
      error: string;
      reason: string;
      detail: string;
      requestId: string;
    };
    assert.equal(record.principal, id);
    assert.equal(record.status, 400);
    assert.equal(record.error, "ConstraintViolationException");
    assert.equal(record.reason, "WAIT_PERIOD_ACTIVE");
    assert.match(record.detail, /left/);
    assert.match(record.requestId, /^[0-9a-f-]{36}$/);
  } finally {
    await json.stop();
  }
  const quiet = await spawnOrgsim(["--quiet"]);
  try {
    await blockedLeave(quiet.endpoint);
    assert.doesNotMatch(quiet.output(), /LeaveOrganization by/);
  } finally {
    await quiet.stop();
  }
});
