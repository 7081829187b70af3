import { test } from "node:test";
import assert from "node:assert/strict";
import { AwsError } from "../src/protocol/errors.js";
import {
  computeEffectivePolicy,
  EFFECTIVE_ERROR_INVALID_CONTENT,
  EFFECTIVE_ERROR_MULTI_VALUED_ONLY,
  EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED,
  type EffectivePolicyLevel,
} from "../src/policy/effective.js";

const j = (v: unknown) => JSON.stringify(v);

// Policies modelled on the inheritance examples in the Organizations User Guide (re-expressed).
const rootCostCenter = j({
  tags: { costcenter: { tag_key: { "@@assign": "CostCenter" }, tag_value: { "@@assign": ["Development", "Support"] } } },
});

interface Row {
  rule: string;
  type?: string;
  /** Policies per level, root first. */
  levels: string[][];
  expected: unknown;
  errors?: { code: string; path: string; message?: RegExp }[];
}

const rows: Row[] = [
  {
    rule: "root policy alone: operators are stripped, plain values shown",
    levels: [[rootCostCenter], [], []],
    expected: { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["Development", "Support"] } } },
  },
  {
    rule: "@@assign in a child overwrites inherited values and adds new settings",
    levels: [
      [rootCostCenter],
      [
        j({
          tags: {
            costcenter: {
              tag_key: { "@@assign": "CostCenter" },
              tag_value: { "@@assign": ["Sandbox"] },
              enforced_for: { "@@assign": ["redshift:*", "dynamodb:table"] },
            },
          },
        }),
      ],
      [],
    ],
    expected: { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["Sandbox"], enforced_for: ["redshift:*", "dynamodb:table"] } } },
  },
  {
    rule: "@@append adds values to an inherited array",
    levels: [
      [rootCostCenter],
      [j({ tags: { costcenter: { tag_value: { "@@append": ["Marketing"] }, enforced_for: { "@@append": ["redshift:*"] } } } })],
      [],
    ],
    expected: {
      tags: { costcenter: { tag_key: "CostCenter", tag_value: ["Development", "Support", "Marketing"], enforced_for: ["redshift:*"] } },
    },
  },
  {
    rule: "@@append does not duplicate a value already inherited",
    levels: [[rootCostCenter], [j({ tags: { costcenter: { tag_value: { "@@append": ["Support", "Ops"] } } } })]],
    expected: { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["Development", "Support", "Ops"] } } },
  },
  {
    rule: "@@remove removes only the listed inherited values",
    levels: [[rootCostCenter], [], [j({ tags: { costcenter: { tag_value: { "@@remove": ["Development", "Marketing"] } } } })]],
    expected: { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["Support"] } } },
  },
  {
    rule: "@@remove of a setting that is not inherited is a no-op",
    levels: [[rootCostCenter], [j({ tags: { costcenter: { enforced_for: { "@@remove": ["redshift:*"] } } } })]],
    expected: { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["Development", "Support"] } } },
  },
  {
    rule: "@@remove of every value leaves an empty array",
    levels: [[rootCostCenter], [j({ tags: { costcenter: { tag_value: { "@@remove": ["Development", "Support"] } } } })]],
    expected: { tags: { costcenter: { tag_key: "CostCenter", tag_value: [] } } },
  },
  {
    rule: "@@append, then @@remove, in the same element",
    levels: [[rootCostCenter], [j({ tags: { costcenter: { tag_value: { "@@remove": ["Development"], "@@append": ["Ops"] } } } })]],
    expected: { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["Support", "Ops"] } } },
  },
  {
    rule: "child control: @@none locks a value, @@append-only allows appending",
    levels: [
      [
        j({
          tags: {
            project: {
              tag_key: { "@@operators_allowed_for_child_policies": ["@@none"], "@@assign": "Project" },
              tag_value: { "@@operators_allowed_for_child_policies": ["@@append"], "@@assign": ["Maintenance", "Escalations"] },
            },
          },
        }),
      ],
      [j({ tags: { project: { tag_key: { "@@assign": "PROJECT" }, tag_value: { "@@append": ["Escalations - research"] } } } })],
    ],
    expected: { tags: { project: { tag_key: "Project", tag_value: ["Maintenance", "Escalations", "Escalations - research"] } } },
    errors: [
      {
        code: EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED,
        path: "tags.project.tag_key",
        message:
          /The @@assign operator at tags\.project\.tag_key is not allowed: a parent policy's @@operators_allowed_for_child_policies permits no value-setting operators \(@@none\)/,
      },
    ],
  },
  {
    rule: "child control: an operator outside the allowed list is ignored and reported",
    levels: [
      [j({ tags: { project: { tag_value: { "@@operators_allowed_for_child_policies": ["@@append"], "@@assign": ["Maintenance"] } } } })],
      [j({ tags: { project: { tag_value: { "@@remove": ["Maintenance"] } } } })],
    ],
    expected: { tags: { project: { tag_value: ["Maintenance"] } } },
    errors: [{ code: EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED, path: "tags.project.tag_value", message: /permits only @@append/ }],
  },
  {
    rule: "child control: restrictions from policies at the same level intersect",
    levels: [
      [
        j({ tags: { project: { tag_value: { "@@operators_allowed_for_child_policies": ["@@append"], "@@assign": ["Maintenance"] } } } }),
        j({ tags: { project: { tag_value: { "@@operators_allowed_for_child_policies": ["@@append", "@@remove"] } } } }),
      ],
      [j({ tags: { project: { tag_value: { "@@append": ["Ops"], "@@remove": ["Maintenance"] } } } })],
    ],
    expected: { tags: { project: { tag_value: ["Maintenance", "Ops"] } } },
    errors: [{ code: EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED, path: "tags.project.tag_value" }],
  },
  {
    rule: "child control: does not restrict policies at its own level",
    levels: [
      [
        j({ tags: { project: { tag_value: { "@@operators_allowed_for_child_policies": ["@@none"], "@@assign": ["A"] } } } }),
        j({ tags: { project: { tag_value: { "@@append": ["B"] } } } }),
      ],
    ],
    expected: { tags: { project: { tag_value: ["A", "B"] } } },
  },
  {
    rule: "child control: applies to the whole subtree under the element",
    levels: [
      [j({ tags: { "@@operators_allowed_for_child_policies": ["@@none"], project: { tag_key: { "@@assign": "Project" } } } })],
      [j({ tags: { project: { tag_key: { "@@assign": "project" } }, owner: { tag_key: { "@@assign": "Owner" } } } })],
    ],
    expected: { tags: { project: { tag_key: "Project" } } },
    errors: [
      { code: EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED, path: "tags.project.tag_key" },
      { code: EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED, path: "tags.owner.tag_key" },
    ],
  },
  {
    rule: "child control: a child can't widen an inherited restriction",
    levels: [
      [j({ tags: { project: { tag_value: { "@@operators_allowed_for_child_policies": ["@@append"], "@@assign": ["A"] } } } })],
      [j({ tags: { project: { tag_value: { "@@operators_allowed_for_child_policies": ["@@all"] } } } })],
      [j({ tags: { project: { tag_value: { "@@assign": ["Z"] } } } })],
    ],
    expected: { tags: { project: { tag_value: ["A"] } } },
    errors: [{ code: EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED, path: "tags.project.tag_value" }],
  },
  {
    rule: "child control: restrictions at successive levels intersect",
    levels: [
      [j({ tags: { p: { tag_value: { "@@operators_allowed_for_child_policies": ["@@append", "@@remove"], "@@assign": ["A", "B"] } } } })],
      [j({ tags: { p: { tag_value: { "@@operators_allowed_for_child_policies": ["@@remove"] } } } })],
      [j({ tags: { p: { tag_value: { "@@append": ["C"], "@@remove": ["A"] } } } })],
    ],
    expected: { tags: { p: { tag_value: ["B"] } } },
    errors: [{ code: EFFECTIVE_ERROR_OPERATOR_NOT_ALLOWED, path: "tags.p.tag_value", message: /permits only @@remove/ }],
  },
  {
    rule: "child control: @@all (the default) allows everything",
    levels: [
      [j({ tags: { p: { tag_value: { "@@operators_allowed_for_child_policies": ["@@all"], "@@assign": ["A"] } } } })],
      [j({ tags: { p: { tag_value: { "@@assign": ["B"] } } } })],
    ],
    expected: { tags: { p: { tag_value: ["B"] } } },
  },
  {
    rule: "same level: the policy attached first wins a conflicting @@assign",
    levels: [
      [
        j({ tags: { project: { tag_key: { "@@assign": "PROJECT" }, tag_value: { "@@append": ["Maintenance"] } } } }),
        j({ tags: { project: { tag_key: { "@@assign": "project" } } } }),
      ],
    ],
    expected: { tags: { project: { tag_key: "PROJECT", tag_value: ["Maintenance"] } } },
  },
  {
    rule: "same level: @@append values from several policies accumulate in attachment order",
    levels: [[j({ tags: { p: { tag_value: { "@@append": ["A"] } } } }), j({ tags: { p: { tag_value: { "@@append": ["B"] } } } })]],
    expected: { tags: { p: { tag_value: ["A", "B"] } } },
  },
  {
    rule: "a lower level overrides an @@assign from a higher level",
    levels: [
      [j({ tags: { p: { tag_key: { "@@assign": "A" } } } })],
      [j({ tags: { p: { tag_key: { "@@assign": "B" } } } })],
      [j({ tags: { p: { tag_key: { "@@assign": "C" } } } })],
    ],
    expected: { tags: { p: { tag_key: "C" } } },
  },
  {
    rule: "@@append on a single-valued setting is ignored and reported",
    levels: [[j({ tags: { p: { tag_key: { "@@assign": "A" } } } })], [j({ tags: { p: { tag_key: { "@@append": ["B"] } } } })]],
    expected: { tags: { p: { tag_key: "A" } } },
    errors: [{ code: EFFECTIVE_ERROR_MULTI_VALUED_ONLY, path: "tags.p.tag_key", message: /can be used only with multi-valued settings/ }],
  },
  {
    rule: "@@append creates a setting that is not inherited",
    levels: [[], [], [j({ securityhub: { enable_in_regions: { "@@append": ["us-east-1"] } } })]],
    type: "SECURITYHUB_POLICY",
    expected: { securityhub: { enable_in_regions: ["us-east-1"] } },
  },
  {
    rule: "a plain value without an operator counts as @@assign",
    levels: [
      [j({ chatbot: { default: { client_list: { "@@assign": ["Slack"] } } } })],
      [j({ chatbot: { default: { client_list: ["Teams"] } } })],
    ],
    type: "CHATBOT_POLICY",
    expected: { chatbot: { default: { client_list: ["Teams"] } } },
  },
  {
    rule: "elements holding only child control operators are omitted",
    levels: [[j({ tags: { p: { tag_value: { "@@operators_allowed_for_child_policies": ["@@append"] } } } })]],
    expected: {},
  },
  {
    rule: "no policies: an empty effective policy",
    levels: [[], [], []],
    expected: {},
  },
  {
    rule: "backup policy merge across levels (nested settings)",
    type: "BACKUP_POLICY",
    levels: [
      [
        j({
          plans: {
            daily: {
              regions: { "@@assign": ["us-east-1"] },
              rules: {
                r1: { schedule_expression: { "@@assign": "cron(0 5 ? * * *)" }, target_backup_vault_name: { "@@assign": "Default" } },
              },
            },
          },
        }),
      ],
      [
        j({
          plans: {
            daily: { regions: { "@@append": ["eu-west-1"] }, rules: { r1: { lifecycle: { delete_after_days: { "@@assign": "35" } } } } },
          },
        }),
      ],
    ],
    expected: {
      plans: {
        daily: {
          regions: ["us-east-1", "eu-west-1"],
          rules: {
            r1: { schedule_expression: "cron(0 5 ? * * *)", target_backup_vault_name: "Default", lifecycle: { delete_after_days: "35" } },
          },
        },
      },
    },
  },
  {
    rule: "AI services opt-out: account overrides the root default",
    type: "AISERVICES_OPT_OUT_POLICY",
    levels: [
      [j({ services: { default: { opt_out_policy: { "@@assign": "optOut" } } } })],
      [j({ services: { rekognition: { opt_out_policy: { "@@assign": "optIn" } } } })],
    ],
    expected: { services: { default: { opt_out_policy: "optOut" }, rekognition: { opt_out_policy: "optIn" } } },
  },
  {
    rule: "invalid stored content is skipped and reported",
    levels: [[rootCostCenter, "{not json"], [j(["array"])]],
    expected: { tags: { costcenter: { tag_key: "CostCenter", tag_value: ["Development", "Support"] } } },
    errors: [
      { code: EFFECTIVE_ERROR_INVALID_CONTENT, path: "", message: /not valid JSON/ },
      { code: EFFECTIVE_ERROR_INVALID_CONTENT, path: "", message: /must be a JSON object/ },
    ],
  },
];

for (const row of rows) {
  test(`effective: ${row.rule}`, () => {
    const path: EffectivePolicyLevel[] = row.levels.map((contents, i) => ({ targetId: `t-${i}`, contents }));
    const result = computeEffectivePolicy(row.type ?? "TAG_POLICY", path);
    assert.deepEqual(JSON.parse(result.content), row.expected);
    assert.ok(!result.content.includes("@@"), "operators must not appear in the effective policy");
    const expectedErrors = row.errors ?? [];
    assert.equal(result.errors.length, expectedErrors.length, JSON.stringify(result.errors));
    expectedErrors.forEach((e, i) => {
      const got = result.errors[i];
      assert.ok(got);
      assert.equal(got.code, e.code);
      assert.equal(got.path, e.path);
      if (e.message) assert.match(got.message, e.message);
    });
  });
}

test("effective: errors name the contributing policies (offender first, then the restricting policy)", () => {
  const result = computeEffectivePolicy("TAG_POLICY", [
    {
      targetId: "r-root",
      contents: [j({ tags: { p: { tag_key: { "@@operators_allowed_for_child_policies": ["@@none"], "@@assign": "P" } } } })],
      policyIds: ["p-rootpolicy"],
    },
    { targetId: "ou-1", contents: [j({ tags: { p: { tag_key: { "@@assign": "Q" } } } })], policyIds: ["p-oupolicy1"] },
  ]);
  assert.equal(result.errors.length, 1);
  assert.deepEqual(result.errors[0]?.contributingPolicies, ["p-oupolicy1", "p-rootpolicy"]);
});

test("effective: output is compact JSON in policy key order (integer-like keys included)", () => {
  const result = computeEffectivePolicy("TAG_POLICY", [
    {
      targetId: "r",
      contents: [j({ tags: { b: { "@@assign": "1" } } }).replace('"b"', '"zz"'), '{"tags":{"2":{"@@assign":"x"},"1":{"@@assign":"y"}}}'],
    },
  ]);
  assert.equal(result.content, '{"tags":{"zz":"1","2":"x","1":"y"}}');
});

test("effective: SCPs and RCPs have no effective policy here", () => {
  for (const type of ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "BOGUS"]) {
    assert.throws(
      () => computeEffectivePolicy(type, []),
      (e: unknown) => e instanceof AwsError && e.code === "InvalidInputException" && e.fields.Reason === "INVALID_ENUM_POLICY_TYPE",
    );
  }
});
