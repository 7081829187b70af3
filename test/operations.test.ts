/**
 * Every operation of organizations-2016-11-28 is routed, and README's operation table tells
 * the truth: an operation marked done answers like AWS (a result or a modelled error), one not
 * built answers an error that names it; none is missing from the table, none crashes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

import { loadModel } from "../src/protocol/model.js";
import { useTestServer, rawOrganizationsCall, MANAGEMENT } from "./helpers/server.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const model = loadModel("organizations-2016-11-28");

/** README rows like "| `LeaveOrganization` | done | ... |". */
function readmeStatuses(): Map<string, string> {
  const table = new Map<string, string>();
  for (const line of readFileSync(join(ROOT, "README.md"), "utf8").split("\n")) {
    const m = /^\|\s*`(\w+)`\s*\|\s*([\w -]+?)\s*\|/.exec(line);
    if (m) table.set(m[1]!, m[2]!);
  }
  return table;
}

const s = useTestServer({}, (server) => server.createOrg());

async function raw(operation: string): Promise<{ status: number; body: { __type?: string; Message?: string } }> {
  const res = await rawOrganizationsCall(s.endpoint, operation, MANAGEMENT, "{}");
  return { status: res.status, body: JSON.parse(res.text) as { __type?: string; Message?: string } };
}

test("README lists every one of the 63 operations with a status", () => {
  const table = readmeStatuses();
  const operations = Object.keys(model.operations);
  assert.equal(operations.length, 63);
  for (const op of operations) assert.ok(table.has(op), `README's table lacks ${op}`);
});

test("Every operation is routed: done ones answer a result or a modelled error, others a clear not-implemented error naming them", async () => {
  const table = readmeStatuses();
  for (const op of Object.keys(model.operations)) {
    const { status, body } = await raw(op);
    assert.notEqual(body.__type, "UnknownOperationException", op);
    assert.ok(status < 500 || body.__type === "UnsupportedAPIEndpointException", `${op} crashed: ${status} ${JSON.stringify(body)}`);
    if (table.get(op) === "done") {
      assert.notEqual(body.__type, "UnsupportedAPIEndpointException", `${op} is marked done but is not built`);
      if (status !== 200) {
        const modelled = new Set([...(model.operations[op]!.errors ?? []).map((e) => e.shape), "SerializationException"]);
        assert.ok(modelled.has(body.__type!), `${op} answered ${body.__type}, which is not among its modelled errors`);
      }
    } else {
      assert.equal(body.__type, "UnsupportedAPIEndpointException", `${op} is not marked done but is built`);
      assert.match(body.Message!, new RegExp(op));
    }
  }
});
