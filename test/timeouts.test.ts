/**
 * Slow clients are closed when the configured timeouts say, not up to 30 s later (Node checks
 * its timeouts on an interval that orgsim now sets from them). Bounds are generous on purpose:
 * with a 1 s headers timeout a slow-loris connection must be gone well within 10 s (before the
 * fix it lived 30 s or more); no assertion depends on the machine being fast.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { DescribeOrganizationCommand } from "@aws-sdk/client-organizations";
import { resolveSettings, SettingsError } from "../src/config.js";
import { START_OPTIONS, startOverrides } from "../src/cli.js";
import { parseArgs } from "../src/cli/args.js";
import { useTestServer } from "./helpers/server.js";

/** Generous: the server must have closed the connection by then. */
const BOUND_MS = 10_000;

let port: number;
const s = useTestServer({ headersTimeoutSeconds: 1, requestTimeoutSeconds: 2, keepAliveTimeoutSeconds: 1 }, async (server) => {
  port = Number(new URL(server.endpoint).port);
  await server.createOrg();
});

interface Outcome {
  /** The server closed the connection before the bound. */
  closedByServer: boolean;
  /** What it sent, if anything. */
  answer: string;
}

/**
 * Opens a connection, writes `head`, then one byte of `drip` every 100 ms (a slow loris) until the
 * server closes the connection or BOUND_MS passes; the client never gives up first.
 */
function slowClient(head: string, drip: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(bound);
      socket.destroy();
      resolve({ closedByServer, answer });
    };
    const bound = setTimeout(() => finish(false), BOUND_MS);
    socket.on("data", (d: Buffer) => (answer += d.toString("latin1")));
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
    socket.on("connect", () => {
      if (head) socket.write(head);
      let i = 0;
      if (drip) timer = setInterval(() => !done && socket.write(drip[i++ % drip.length]!), 100);
    });
  });
}

test("Rule (orgsim promise): a client dribbling its headers is answered 408 and closed near --headers-timeout-seconds (1 s: well within 10 s)", async () => {
  const outcome = await slowClient(
    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n",
    "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  );
  assert.ok(outcome.closedByServer, "the server closed the slow-headers connection within 10 s");
  assert.match(outcome.answer, /^HTTP\/1\.1 408 /);
});

test("Rule (orgsim promise): a connection that sends nothing is closed near the headers timeout", async () => {
  const outcome = await slowClient("", "");
  assert.ok(outcome.closedByServer, "the server closed the idle connection within 10 s");
});

test("Rule (orgsim promise): a client dribbling its body is answered 408 and closed near --request-timeout-seconds (2 s: well within 10 s)", async () => {
  const head =
    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSOrganizationsV20161128.ListAccounts\r\nContent-Length: 100000\r\n\r\n";
  const outcome = await slowClient(head, "{");
  assert.ok(outcome.closedByServer, "the server closed the slow-body connection within 10 s");
  assert.match(outcome.answer, /^HTTP\/1\.1 408 /);
});

test("Timeouts leave ordinary clients alone: requests are answered, keep-alive connections reused", async () => {
  const c = s.orgs();
  for (let i = 0; i < 3; i++) await c.send(new DescribeOrganizationCommand({}));
  c.destroy();
});

test("Settings: the timeouts come from flags or ORGSIM_* variables, and the headers timeout may not exceed the request timeout", () => {
  const defaults = resolveSettings({}, {});
  assert.deepEqual([defaults.requestTimeoutSeconds, defaults.headersTimeoutSeconds, defaults.keepAliveTimeoutSeconds], [60, 30, 65]);
  const fromEnv = resolveSettings(
    {},
    { ORGSIM_REQUEST_TIMEOUT_SECONDS: "20", ORGSIM_HEADERS_TIMEOUT_SECONDS: "5", ORGSIM_KEEP_ALIVE_TIMEOUT_SECONDS: "3" },
  );
  assert.deepEqual([fromEnv.requestTimeoutSeconds, fromEnv.headersTimeoutSeconds, fromEnv.keepAliveTimeoutSeconds], [20, 5, 3]);
  const { overrides } = startOverrides(
    parseArgs(["--request-timeout-seconds", "10", "--headers-timeout-seconds", "2", "--keep-alive-timeout-seconds", "1"], START_OPTIONS),
  );
  assert.deepEqual(overrides, { requestTimeoutSeconds: 10, headersTimeoutSeconds: 2, keepAliveTimeoutSeconds: 1 });
  assert.throws(
    () => resolveSettings({ headersTimeoutSeconds: 30, requestTimeoutSeconds: 10 }, {}),
    (err: unknown) => err instanceof SettingsError && /must not exceed the request timeout/.test(err.message),
  );
  assert.throws(() => resolveSettings({ requestTimeoutSeconds: 0 }, {}), SettingsError);
});
