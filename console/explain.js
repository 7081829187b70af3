// The explain tab: which SCP, at which level, allows or denies an action for an account
// (GET /_orgsim/explain).
// @ts-check
import { explain } from "./api.js";
import { fill, h, $, input } from "./dom.js";
import { data } from "./model.js";
import { policyChip } from "./policies.js";
import { switchTab } from "./tabs.js";
import { badge, idText, table } from "./widgets.js";

/**
 * @typedef {import("../src/console/types.js").AccountView} AccountView
 * @typedef {import("../src/console/types.js").ExplainAnswer} ExplainAnswer
 * @typedef {import("../src/console/types.js").ExplainMatch} ExplainMatch
 * @typedef {import("./dom.js").Child} Child
 */

/** The account choices of the form: the accounts the tree shows. */
export function renderExplainChoices() {
  const list = $("explain-accounts");
  /** @type {AccountView[]} */
  const accounts = [];
  for (const node of data.nodes.values()) for (const a of node.accounts?.items ?? []) accounts.push(a);
  fill(list, ...accounts.slice(0, 500).map((a) => h("option", { value: a.id }, `${a.name} (${a.email})`)));
}

/** Fills the form and explains. @param {string} accountId @param {string} action */
export function explainFor(accountId, action) {
  input("explain-account").value = accountId;
  input("explain-action").value = action;
  switchTab("explain");
  void runExplain();
}

export async function runExplain() {
  const out = $("explain-result");
  const accountId = input("explain-account").value.trim();
  const action = input("explain-action").value.trim();
  const resource = input("explain-resource").value.trim();
  const params = new URLSearchParams({ accountId, action });
  if (resource) params.set("resource", resource);
  fill(out, h("p", { class: "muted" }, "Evaluating…"));
  try {
    const r = await explain(params);
    fill(out, ...explanation(r));
  } catch (err) {
    fill(
      out,
      h("div", { class: "verdict verdict-denied" }, h("strong", null, "Can't explain: "), err instanceof Error ? err.message : String(err)),
    );
  }
}

/** @param {ExplainAnswer} r */
function explanation(r) {
  const kind = r.decision ?? (r.allowed ? "ALLOWED" : "DENIED");
  const title = r.allowed ? "Allowed" : kind === "EXPLICIT_DENY" ? "Denied by an explicit Deny" : "Denied: no policy allows it";
  const deciding = r.decidingLevel;
  /** @type {Child[]} */
  const out = [
    h(
      "div",
      { class: `verdict ${r.allowed ? "verdict-ok" : "verdict-denied"}`, dataset: { decision: kind } },
      h("strong", null, `${title}: `, h("code", null, r.action), " for ", idText(r.accountId)),
      r.reason ? h("p", null, r.reason) : null,
      r.message ? h("p", { class: "aws-message" }, r.message) : null,
      deciding
        ? h(
            "p",
            null,
            "Decided at ",
            h("strong", null, deciding.targetType),
            " ",
            idText(deciding.targetId),
            deciding.policyName ? [" by ", h("strong", null, deciding.policyName), " ", idText(deciding.policyId ?? "")] : "",
            deciding.statementSid ? [" (statement ", h("code", null, deciding.statementSid), ")"] : "",
            ".",
          )
        : null,
    ),
  ];
  if (Array.isArray(r.levels) && r.levels.length) {
    out.push(
      table(
        ["Level", "Policies attached", "Allowed by", "Denied by"],
        r.levels.map((l) => {
          const name = data.nodes.get(l.targetId)?.name;
          return [
            h(
              "span",
              { class: deciding && deciding.targetId === l.targetId ? "deciding" : "" },
              h("span", { class: "muted" }, `${l.targetType} `),
              name ? `${name} ` : "",
              idText(l.targetId),
            ),
            l.policies.length
              ? l.policies.map((p) => policyChip({ ...p, type: "SERVICE_CONTROL_POLICY" }))
              : h("span", { class: "muted" }, "none"),
            matches(l.allowedBy, "ok"),
            matches(l.deniedBy, "danger"),
          ];
        }),
      ),
    );
  }
  return out;
}

/** @param {ExplainMatch[]} list @param {string} kind */
function matches(list, kind) {
  if (!list || list.length === 0) return h("span", { class: "muted" }, "—");
  return list.map((m) => badge(m.sid ? `${m.policyName} · ${m.sid}` : m.policyName, kind, m.policyId));
}
