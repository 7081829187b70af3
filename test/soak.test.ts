/**
 * Soak: about 48 seconds of mixed operations from many accounts, 16 at a time, against orgsim
 * running as its own process (SQLite in a temporary file, or a fresh PostgreSQL database when
 * ORGSIM_TEST_DATABASE_URL is set) — creates, invitations and acceptances, tags, moves between
 * OUs, describes and lists, AssumeRole sessions, clock advances and departures of ready accounts.
 *
 * Checks: no unexpected error (allowed: TooManyRequestsException for LeaveOrganization, and
 * ConcurrentModificationException on PostgreSQL); the server's view matches the test's own model
 * of the organization at the end; and memory stays flat: the server's VmRSS is sampled every two
 * seconds, and after a warm-up the last third's maximum must not exceed the first third's
 * maximum by more than 50%. (State lives in the database file, so RSS measures the process, not
 * the data.) Throughput is reported, never asserted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import {
  AcceptHandshakeCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreateOrganizationalUnitCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListHandshakesForOrganizationCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { MANAGEMENT, REGION } from "./helpers/server.js";
import { Rng, control, rssKiB, spawnIsolated, type IsolatedServer } from "./helpers/fuzz-support.js";

/** ORGSIM_SOAK_SECONDS runs a longer soak by hand; the suite's default stays bounded. */
const DURATION_MS = Number(process.env.ORGSIM_SOAK_SECONDS ?? "48") * 1000;
const CONCURRENCY = 16;
const SAMPLE_EVERY_MS = 2_000;
const WARMUP_MS = 8_000;
const CLOCK_EVERY_MS = 9_000;
const FOUR_DAYS_AND_SOME = 4 * 86_400 + 300;
const SEED = 0x50a4;

interface Member {
  id: string;
  kind: "created" | "invited";
  /** The clock epoch (number of clock advances) when it joined; created accounts may leave once it has moved on. */
  epoch: number;
  parent: string;
  tags: Set<string>;
}

/** Readers (creations, sessions) share; a clock advance waits for them and holds new ones back. */
class ClockGate {
  private readers = 0;
  private advancing: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  epoch = 0;
  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.advancing) await this.advancing;
    this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      if (this.readers === 0) this.drained?.();
    }
  }
  async advance(fn: () => Promise<void>): Promise<void> {
    let release!: () => void;
    this.advancing = new Promise((r) => (release = r));
    if (this.readers > 0) await new Promise<void>((r) => (this.drained = r));
    this.drained = undefined;
    try {
      await fn();
      this.epoch++;
    } finally {
      this.advancing = undefined;
      release();
    }
  }
}

test(
  "Soak: ~48 s of mixed operations from many accounts, 16 at a time, against a separate orgsim process: no unexpected error, the state matches, memory stays flat",
  { timeout: DURATION_MS + 120_000 },
  async (t) => {
    const srv: IsolatedServer = await spawnIsolated([], { sqliteFile: true });
    const agent = new Agent({ keepAlive: true, maxSockets: 2 * CONCURRENCY });
    const handler = new NodeHttpHandler({ httpAgent: agent });
    const orgsClients = new Map<string, OrganizationsClient>();
    const credentials = (accessKeyId: string, secretAccessKey = "orgsim-soak", sessionToken?: string) => ({
      accessKeyId,
      secretAccessKey,
      sessionToken,
    });
    const orgs = (account = MANAGEMENT): OrganizationsClient => {
      let c = orgsClients.get(account);
      if (!c) {
        c = new OrganizationsClient({
          endpoint: srv.endpoint,
          region: REGION,
          credentials: credentials(account),
          maxAttempts: 1,
          requestHandler: handler,
        });
        orgsClients.set(account, c);
      }
      return c;
    };
    const sts = (creds: ReturnType<typeof credentials>) =>
      new STSClient({ endpoint: srv.endpoint, region: REGION, credentials: creds, maxAttempts: 1, requestHandler: handler });

    const samples: { atS: number; rssMiB: number }[] = [];
    const counts: Record<string, number> = {};
    const allowedSeen: Record<string, number> = {};
    const unexpected: string[] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      const kib = rssKiB(srv.pid);
      if (kib !== undefined) samples.push({ atS: Math.round((Date.now() - started) / 100) / 10, rssMiB: Math.round(kib / 102.4) / 10 });
    }, SAMPLE_EVERY_MS);

    try {
      await orgs().send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
      const root = (await orgs().send(new ListRootsCommand({}))).Roots![0]!.Id!;
      const ouA = (await orgs().send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: "A" }))).OrganizationalUnit!.Id!;
      const ouB = (await orgs().send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: "B" }))).OrganizationalUnit!.Id!;
      const ouA1 = (await orgs().send(new CreateOrganizationalUnitCommand({ ParentId: ouA, Name: "A1" }))).OrganizationalUnit!.Id!;
      const containers = [root, ouA, ouB, ouA1];

      const gate = new ClockGate();
      const members = new Map<string, Member>();
      const busy = new Set<string>();
      const departed: string[] = [];
      let nextInvitee = 0;
      let nextEmail = 0;
      const rngFor = (worker: number) => new Rng(SEED + worker);

      /** Checks out a random idle member matching `filter` for exclusive use by one worker. */
      const checkout = (rng: Rng, filter: (m: Member) => boolean = () => true): Member | undefined => {
        const idle = [...members.values()].filter((m) => !busy.has(m.id) && filter(m));
        if (idle.length === 0) return undefined;
        const m = rng.pick(idle);
        busy.add(m.id);
        return m;
      };
      const release = (m: Member) => busy.delete(m.id);

      const isPg = srv.engine === "postgres";
      const run = async (op: string, fn: () => Promise<unknown>, allowed: string[] = []): Promise<boolean> => {
        counts[op] = (counts[op] ?? 0) + 1;
        try {
          await fn();
          return true;
        } catch (err) {
          const name = (err as Error).name;
          if (allowed.includes(name) || (isPg && name === "ConcurrentModificationException")) {
            allowedSeen[`${op}:${name}`] = (allowedSeen[`${op}:${name}`] ?? 0) + 1;
            return false;
          }
          unexpected.push(`${op}: ${name}: ${(err as Error).message}`);
          return false;
        }
      };

      const actions: [number, (rng: Rng) => Promise<void>][] = [
        [
          10,
          async () => {
            const n = nextEmail++;
            await gate.read(async () => {
              let id: string | undefined;
              const epoch = gate.epoch;
              await run("CreateAccount", async () => {
                const r = await orgs().send(
                  new CreateAccountCommand({
                    Email: `soak${n}@example.com`,
                    AccountName: `soak${n}`,
                    Tags: [{ Key: "origin", Value: "soak" }],
                  }),
                );
                const s = await orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: r.CreateAccountStatus!.Id }));
                if (s.CreateAccountStatus!.State !== "SUCCEEDED")
                  throw new Error(`creation ${s.CreateAccountStatus!.State} ${s.CreateAccountStatus!.FailureReason}`);
                id = s.CreateAccountStatus!.AccountId!;
              });
              if (id) members.set(id, { id, kind: "created", epoch, parent: root, tags: new Set(["origin"]) });
            });
          },
        ],
        [
          12,
          async (rng) => {
            // A fresh account, or one that left earlier and comes back.
            const reuse = departed.length > 0 && rng.chance(0.4);
            const id = reuse ? departed.splice(rng.int(departed.length), 1)[0]! : `4${String(nextInvitee++).padStart(11, "0")}`;
            busy.add(id);
            let joined = false;
            await run("InviteAndAccept", async () => {
              const hs = await orgs().send(new InviteAccountToOrganizationCommand({ Target: { Type: "ACCOUNT", Id: id }, Notes: "soak" }));
              await orgs(id).send(new AcceptHandshakeCommand({ HandshakeId: hs.Handshake!.Id }));
              joined = true;
            });
            if (joined) members.set(id, { id, kind: "invited", epoch: gate.epoch, parent: root, tags: new Set() });
            else departed.push(id);
            busy.delete(id);
          },
        ],
        [
          15,
          async (rng) => {
            const m = checkout(rng);
            if (!m) return;
            try {
              const key = `k${rng.int(8)}`;
              if (
                await run("TagResource", () =>
                  orgs().send(new TagResourceCommand({ ResourceId: m.id, Tags: [{ Key: key, Value: String(rng.int(1000)) }] })),
                )
              )
                m.tags.add(key);
              await run("ListTagsForResource", async () => {
                const tags = (await orgs().send(new ListTagsForResourceCommand({ ResourceId: m.id }))).Tags!.map((x) => x.Key!).sort();
                assert.deepEqual(tags, [...m.tags].sort(), `tags of ${m.id}`);
              });
              const drop = [...m.tags][rng.int(m.tags.size)];
              if (
                drop &&
                rng.chance(0.5) &&
                (await run("UntagResource", () => orgs().send(new UntagResourceCommand({ ResourceId: m.id, TagKeys: [drop] }))))
              )
                m.tags.delete(drop);
            } finally {
              release(m);
            }
          },
        ],
        [
          15,
          async (rng) => {
            const m = checkout(rng);
            if (!m) return;
            try {
              const to = rng.pick(containers.filter((c) => c !== m.parent));
              if (
                await run("MoveAccount", () =>
                  orgs().send(new MoveAccountCommand({ AccountId: m.id, SourceParentId: m.parent, DestinationParentId: to })),
                )
              )
                m.parent = to;
              await run("ListParents", async () => {
                const parents = (await orgs().send(new ListParentsCommand({ ChildId: m.id }))).Parents!.map((p) => p.Id);
                assert.deepEqual(parents, [m.parent], `parent of ${m.id}`);
              });
            } finally {
              release(m);
            }
          },
        ],
        [
          25,
          async (rng) => {
            const m = checkout(rng);
            try {
              switch (rng.int(6)) {
                case 0:
                  if (m) await run("DescribeAccount", () => orgs().send(new DescribeAccountCommand({ AccountId: m.id })));
                  break;
                case 1:
                  await run("ListAccounts", () => orgs().send(new ListAccountsCommand({ MaxResults: 20 })));
                  break;
                case 2:
                  await run("ListAccountsForParent", () =>
                    orgs().send(new ListAccountsForParentCommand({ ParentId: rng.pick(containers), MaxResults: 20 })),
                  );
                  break;
                case 3:
                  await run("ListChildren", () =>
                    orgs().send(
                      new ListChildrenCommand({
                        ParentId: rng.pick(containers),
                        ChildType: rng.pick(["ACCOUNT", "ORGANIZATIONAL_UNIT"] as const),
                        MaxResults: 20,
                      }),
                    ),
                  );
                  break;
                case 4:
                  if (m) await run("DescribeOrganization(member)", () => orgs(m.id).send(new DescribeOrganizationCommand({})));
                  break;
                default:
                  await run("ListHandshakesForOrganization", () =>
                    orgs().send(new ListHandshakesForOrganizationCommand({ MaxResults: 10 })),
                  );
              }
            } finally {
              if (m) release(m);
            }
          },
        ],
        [
          9,
          async (rng) => {
            // Invited accounts may leave at once; created ones after the clock moved past their waiting period.
            const m = checkout(rng, (x) => x.kind === "invited" || x.epoch < gate.epoch);
            if (!m) return;
            let left = false;
            try {
              await run("SetReadiness", async () => {
                const r = await control(srv.endpoint, "PUT", `/_orgsim/accounts/${m.id}/standalone`, {
                  supportPlan: true,
                  contactInformation: true,
                  paymentMethod: true,
                });
                if (r.status !== 200) throw new Error(`readiness answered ${r.status}`);
              });
              left = await run("LeaveOrganization", () => orgs(m.id).send(new LeaveOrganizationCommand({})), ["TooManyRequestsException"]);
            } finally {
              if (left) {
                members.delete(m.id);
                if (m.kind === "invited") departed.push(m.id);
              }
              release(m);
            }
          },
        ],
        [
          8,
          async (rng) => {
            const m = checkout(rng, (x) => x.kind === "created");
            if (!m) return;
            try {
              await gate.read(() =>
                run("AssumeRole+GetCallerIdentity", async () => {
                  const mgmtSts = sts(credentials(MANAGEMENT));
                  const c = (
                    await mgmtSts.send(
                      new AssumeRoleCommand({
                        RoleArn: `arn:aws:iam::${m.id}:role/OrganizationAccountAccessRole`,
                        RoleSessionName: "soak",
                      }),
                    )
                  ).Credentials!;
                  const session = sts(credentials(c.AccessKeyId!, c.SecretAccessKey!, c.SessionToken!));
                  const who = await session.send(new GetCallerIdentityCommand({}));
                  assert.equal(who.Account, m.id);
                  // No destroy(): it would close the shared handler's agent under every other client.
                }),
              );
            } finally {
              release(m);
            }
          },
        ],
      ];
      const totalWeight = actions.reduce((n, [w]) => n + w, 0);
      const pickAction = (rng: Rng) => {
        let roll = rng.int(totalWeight);
        for (const [w, fn] of actions) {
          if (roll < w) return fn;
          roll -= w;
        }
        return actions[0]![1];
      };

      const deadline = started + DURATION_MS;
      const clockTimer = setInterval(() => {
        void gate.advance(async () => {
          await run("AdvanceClock", async () => {
            const r = await control(srv.endpoint, "POST", "/_orgsim/clock", { advanceSeconds: FOUR_DAYS_AND_SOME });
            if (r.status !== 200) throw new Error(`clock answered ${r.status}`);
          });
        });
      }, CLOCK_EVERY_MS);
      try {
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async (_, worker) => {
            const rng = rngFor(worker);
            while (Date.now() < deadline && unexpected.length < 20) await pickAction(rng)(rng);
          }),
        );
      } finally {
        clearInterval(clockTimer);
      }
      // Let an advance in progress finish.
      await gate.read(async () => undefined);

      // The server's view matches the model.
      const listed: string[] = [];
      let token: string | undefined;
      do {
        const page = await orgs().send(new ListAccountsCommand({ NextToken: token }));
        listed.push(...page.Accounts!.map((a) => a.Id!));
        token = page.NextToken;
      } while (token);
      assert.deepEqual(
        listed.sort(),
        [MANAGEMENT, ...members.keys()].sort(),
        "ListAccounts matches the accounts the test knows are members",
      );
      for (const c of containers) {
        const inside: string[] = [];
        do {
          const page = await orgs().send(new ListAccountsForParentCommand({ ParentId: c, NextToken: token }));
          inside.push(...page.Accounts!.map((a) => a.Id!));
          token = page.NextToken;
        } while (token);
        const expected = [...members.values()].filter((m) => m.parent === c).map((m) => m.id);
        if (c === root) expected.push(MANAGEMENT);
        assert.deepEqual(inside.sort(), expected.sort(), `accounts under ${c}`);
      }
    } finally {
      clearInterval(sampler);
      for (const c of orgsClients.values()) c.destroy();
      agent.destroy();
      const output = srv.proc.output();
      await srv.close();
      assert.doesNotMatch(output, /internal error/, "the server logged no internal error");
    }

    const elapsed = (Date.now() - started) / 1000;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    t.diagnostic(`engine ${srv.engine}; ${total} operations in ${elapsed.toFixed(1)} s (${(total / elapsed).toFixed(0)}/s)`);
    t.diagnostic(`operations: ${JSON.stringify(counts)}`);
    t.diagnostic(`allowed errors: ${JSON.stringify(allowedSeen)}`);
    t.diagnostic(`RSS samples (s: MiB): ${samples.map((x) => `${x.atS}: ${x.rssMiB}`).join(", ")}`);
    assert.deepEqual(unexpected.slice(0, 20), [], `${unexpected.length} unexpected errors`);

    const steady = samples.filter((x) => x.atS * 1000 >= WARMUP_MS);
    assert.ok(steady.length >= 9, `enough samples after warm-up (${steady.length})`);
    const third = Math.floor(steady.length / 3);
    const firstMax = Math.max(...steady.slice(0, third).map((x) => x.rssMiB));
    const lastMax = Math.max(...steady.slice(steady.length - third).map((x) => x.rssMiB));
    t.diagnostic(
      `after ${WARMUP_MS / 1000} s warm-up: first third max ${firstMax} MiB, last third max ${lastMax} MiB (${((lastMax / firstMax - 1) * 100).toFixed(1)}%)`,
    );
    assert.ok(lastMax <= firstMax * 1.5, `memory grew: first third max ${firstMax} MiB, last third max ${lastMax} MiB`);
  },
);
