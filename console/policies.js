// The policies tab: every policy of the organization by type, with its targets and content.
// @ts-check
import { fill, h, $ } from "./dom.js";
import { fmtNumber, plural, prettyJson } from "./format.js";
import { data, ui } from "./model.js";
import { switchTab } from "./tabs.js";
import { select } from "./tree.js";
import { badge, idText } from "./widgets.js";

/** @typedef {import("../src/console/types.js").PolicyView} PolicyView */

export function renderPolicies() {
  const panel = $("tab-policies");
  const policies = data.state?.organization?.policies ?? [];
  $("count-policies").textContent = data.state?.organization ? fmtNumber(policies.length) : "";
  if (policies.length === 0) {
    fill(panel, h("p", { class: "empty muted" }, "No policies. Enable a policy type (EnablePolicyType) to get its AWS managed policy."));
    return;
  }
  const openIds = new Set([...panel.querySelectorAll("details[open]")].map((d) => /** @type {HTMLElement} */ (d).dataset.policyId));
  /** @type {Map<string, PolicyView[]>} */
  const groups = new Map();
  for (const p of policies) groups.set(p.type, [...(groups.get(p.type) ?? []), p]);
  fill(
    panel,
    ...[...groups].map(([type, list]) =>
      h(
        "section",
        { class: "policy-group" },
        h("h3", null, type, " ", h("span", { class: "muted" }, `(${list.length})`)),
        list.map((p) => policyCard(p, openIds.has(p.id) || (ui.firstLoad && policies.length <= 4))),
      ),
    ),
  );
}

/** @param {PolicyView} p @param {boolean} open */
function policyCard(p, open) {
  return h(
    "details",
    { class: "policy", open: open ? true : undefined, dataset: { policyId: p.id }, id: `policy-${p.id}` },
    h(
      "summary",
      null,
      h("span", { class: "policy-name" }, p.name),
      idText(p.id),
      p.awsManaged ? badge("AWS managed", "neutral") : null,
      h(
        "span",
        { class: "muted policy-targets-count" },
        p.targetCount === 0 ? "not attached" : `attached to ${plural(p.targetCount, "target")}`,
      ),
    ),
    p.description ? h("p", { class: "muted" }, p.description) : null,
    p.targets.length
      ? h(
          "div",
          { class: "targets" },
          p.targets.map((t) =>
            h(
              "button",
              {
                type: "button",
                class: "chip",
                title: `${t.type} ${t.id}`,
                onclick: () =>
                  t.type === "ACCOUNT"
                    ? select({ kind: "account", id: t.id })
                    : select({ kind: "container", id: t.id }, data.nodes.get(t.id)),
              },
              h("span", {
                class: `icon ${t.type === "ROOT" ? "icon-root" : t.type === "ACCOUNT" ? "icon-account" : "icon-ou"}`,
                "aria-hidden": "true",
              }),
              t.name,
            ),
          ),
          p.targetCount > p.targets.length
            ? h("span", { class: "muted" }, `and ${fmtNumber(p.targetCount - p.targets.length)} more`)
            : null,
        )
      : null,
    h("pre", { class: "policy-content" }, prettyJson(p.content)),
  );
}

/** Opens a policy's card in the policies tab. @param {string} policyId */
export function showPolicy(policyId) {
  switchTab("policies");
  const el = /** @type {HTMLDetailsElement | null} */ (document.getElementById(`policy-${policyId}`));
  if (el) {
    el.open = true;
    el.scrollIntoView({ block: "nearest", behavior: "smooth" });
    el.classList.add("flash");
    setTimeout(() => el.classList.remove("flash"), 1500);
  }
}

/** A policy's name as a button that shows it. @param {{ id: string, name: string, type: string }} p */
export function policyChip(p) {
  return h("button", { type: "button", class: "chip", title: `${p.type} ${p.id}`, onclick: () => showPolicy(p.id) }, p.name);
}
