/** README's in-process example, as written there (with its seed inline), so the README stays true. */
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { OrganizationsClient, LeaveOrganizationCommand } from "@aws-sdk/client-organizations";
import { startOrgsim, type Orgsim } from "../src/index.js";

const seed = `
organizations:
  - management: "111111111111"
    accounts:
      - name: app
        email: app@example.com
        joined: created
`;

let sim: Orgsim;
before(async () => {
  sim = await startOrgsim({ port: 0, quiet: true, seed });
});
after(() => sim.close());

test("README example: a created account can leave after four days and readiness", async () => {
  const id = sim.seeded!.organizations[0]!.accounts["app@example.com"]!;
  const member = new OrganizationsClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: id, secretAccessKey: "x" }, maxAttempts: 1 });
  await assert.rejects(member.send(new LeaveOrganizationCommand({})), /wait period/);
  await sim.advanceClock("4d");
  await sim.setStandalone(id, { supportPlan: true, contactInformation: true, paymentMethod: true });
  await member.send(new LeaveOrganizationCommand({}));
});
