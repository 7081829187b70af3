/**
 * Account API rules of the API Reference that docs/research/rule-audit.md found untested or not
 * yet held, through the AWS SDK v3 AccountClient and raw HTTP: one test per rule, named after it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nextSeq } from "../src/store/sequence.js";
import { request } from "node:http";
import { GetAccountInformationCommand, GetGovCloudAccountInformationCommand, ListRegionsCommand } from "@aws-sdk/client-account";
import { CloseAccountCommand, CreateGovCloudAccountCommand, DescribeCreateAccountStatusCommand } from "@aws-sdk/client-organizations";
import { useTestServer, awsError, MANAGEMENT } from "./helpers/server.js";

const MEMBER = "222222222222";

const s = useTestServer();

/** A raw restJson call as `account` (outside --strict-auth a 12-digit key id is enough), with every header as sent. */
function rawAccountCall(path: string, account: string, body: string): Promise<{ status: number; rawHeaders: string[]; text: string }> {
  const date = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const url = new URL(path, s.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Amz-Date": date,
          Authorization: `AWS4-HMAC-SHA256 Credential=${account}/${date.slice(0, 8)}/us-east-1/account/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const contentTypes = (rawHeaders: string[]) =>
  rawHeaders.filter((_, i) => i % 2 === 0 && rawHeaders[i]!.toLowerCase() === "content-type").length;

test("Rule: an Account API answer carries exactly one Content-Type header (application/json), on success and on error", async () => {
  await s.reset();
  const ok = await rawAccountCall("/getAccountInformation", MEMBER, "{}");
  assert.equal(ok.status, 200, ok.text);
  assert.equal(contentTypes(ok.rawHeaders), 1, JSON.stringify(ok.rawHeaders));
  const failed = await rawAccountCall("/getAlternateContact", MEMBER, JSON.stringify({ AlternateContactType: "BILLING" }));
  assert.equal(failed.status, 404, failed.text);
  assert.equal(contentTypes(failed.rawHeaders), 1, JSON.stringify(failed.rawHeaders));
  const invalid = await rawAccountCall("/getAlternateContact", MEMBER, JSON.stringify({ AlternateContactType: "NOPE" }));
  assert.equal(invalid.status, 400, invalid.text);
  assert.equal(contentTypes(invalid.rawHeaders), 1, JSON.stringify(invalid.rawHeaders));
  const unknown = await rawAccountCall("/noSuchOperation", MEMBER, "{}");
  assert.equal(unknown.status, 404);
  assert.equal(contentTypes(unknown.rawHeaders), 1, JSON.stringify(unknown.rawHeaders));
});

test("Rule: acting on another account (AccountId) needs an organization with all features, even with trusted access for account.amazonaws.com", async () => {
  const { org } = await s.freshOrg({ featureSet: "CONSOLIDATED_BILLING" });
  await s.invite(MEMBER);
  // EnableAWSServiceAccess itself needs all features, so the trusted access is written directly:
  // it isolates the feature-set rule of the Account API.
  await s.sim.app.store.writeTransaction(async (tx) =>
    tx
      .insertInto("service_access")
      .values({ org_id: org.Id!, principal: "account.amazonaws.com", enabled_at: Date.now(), seq: await nextSeq(tx) })
      .execute(),
  );
  const err = await awsError(() => s.account().send(new GetAccountInformationCommand({ AccountId: MEMBER })));
  assert.equal(err.name, "AccessDeniedException");
  assert.equal(err.status, 403);
  // Each account still acts on itself.
  assert.equal((await s.account(MEMBER).send(new GetAccountInformationCommand({}))).AccountId, MEMBER);
  assert.equal((await s.account().send(new GetAccountInformationCommand({}))).AccountId, MANAGEMENT);
});

test("Rule: ListRegions accepts only a NextToken it gave to the same caller for the same account (ValidationException otherwise)", async () => {
  await s.reset();
  const page = await s.account(MEMBER).send(new ListRegionsCommand({ MaxResults: 5 }));
  assert.ok(page.NextToken);
  const forged = await awsError(() => s.account(MEMBER).send(new ListRegionsCommand({ MaxResults: 5, NextToken: `${page.NextToken}x` })));
  assert.equal(forged.name, "ValidationException");
  assert.equal(forged.status, 400);
  const foreign = await awsError(() =>
    s.account("333333333333").send(new ListRegionsCommand({ MaxResults: 5, NextToken: page.NextToken })),
  );
  assert.equal(foreign.name, "ValidationException");
  const next = await s.account(MEMBER).send(new ListRegionsCommand({ MaxResults: 5, NextToken: page.NextToken }));
  assert.equal(next.Regions!.length, 5);
});

test("Rule: closing an account paired with a GovCloud account closes both (the GovCloud account's state follows)", async () => {
  await s.freshOrg();
  assert.equal((await s.control("PUT", `/_orgsim/accounts/${MANAGEMENT}/govcloud`, { enabled: true })).status, 200);
  const started = await s.orgs().send(new CreateGovCloudAccountCommand({ Email: "gov-pair@example.com", AccountName: "gov" }));
  const id = (await s.orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.CreateAccountStatus!.Id })))
    .CreateAccountStatus!.AccountId!;
  assert.equal((await s.account(id).send(new GetGovCloudAccountInformationCommand({}))).AccountState, "ACTIVE");
  await s.orgs().send(new CloseAccountCommand({ AccountId: id }));
  assert.equal((await s.account(id).send(new GetGovCloudAccountInformationCommand({}))).AccountState, "SUSPENDED");
});
