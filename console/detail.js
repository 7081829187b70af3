// The detail panel: the organization, the selected root or OU, or the selected account with its
// "could it leave now?" verdict, the checklist of LeaveOrganization's rules, its readiness
// switches and the policies that reach it.
// @ts-check
import { advance, setReadiness } from "./api.js";
import { fill, h, $ } from "./dom.js";
import { explainFor } from "./explain.js";
import { fmtNumber, fmtTime, plural } from "./format.js";
import { data, ui } from "./model.js";
import { policyChip } from "./policies.js";
import { act } from "./sync.js";
import { select } from "./tree.js";
import { badge, facts, idText, section, table } from "./widgets.js";

/**
 * @typedef {import("../src/console/types.js").AccountView} AccountView
 * @typedef {import("../src/console/types.js").LeaveVerdict} LeaveVerdict
 * @typedef {import("../src/console/types.js").OrganizationView} OrganizationView
 * @typedef {import("../src/console/types.js").Readiness} Readiness
 * @typedef {import("../src/console/types.js").TreeNode} TreeNode
 */

export function renderDetail() {
  const box = $("detail");
  const org = data.state?.organization;
  if (!org) {
    fill(
      box,
      h("h2", null, "Nothing to show yet"),
      h("p", { class: "muted" }, "The console updates by itself when an organization appears."),
    );
    return;
  }
  if (ui.selected.kind === "account") {
    fill(box, ...accountDetail());
    return;
  }
  if (ui.selected.kind === "container") {
    const node = data.nodes.get(ui.selected.id);
    if (node) {
      fill(box, ...containerDetail(node));
      return;
    }
    ui.selected = { kind: "org" };
  }
  fill(box, ...organizationDetail(org));
}

/** @param {OrganizationView} org */
function organizationDetail(org) {
  const types = org.policyTypes.filter((t) => t.Status === "ENABLED").map((t) => t.Type);
  return [
    h(
      "header",
      { class: "detail-head" },
      h(
        "div",
        null,
        h("h2", null, "Organization ", idText(org.id)),
        h("p", { class: "muted" }, "Select the root, an OU or an account in the tree for its details."),
      ),
    ),
    facts([
      ["ARN", h("code", { class: "wrap" }, org.arn)],
      ["Feature set", org.featureSet],
      ["Management account", [idText(org.managementAccountId), " ", org.managementAccountEmail ?? ""]],
      ["Accounts", fmtNumber(org.accountCount)],
      ["Created", `${fmtTime(org.createdAt)} UTC`],
      ["Policy types enabled", types.length ? types.map((t) => badge(t, "neutral")) : h("span", { class: "muted" }, "none")],
      [
        "Trusted services",
        org.trustedServices.length
          ? org.trustedServices.map((s) => badge(s.servicePrincipal, "neutral"))
          : h("span", { class: "muted" }, "none"),
      ],
    ]),
    org.delegatedAdministrators.length
      ? section(
          "Delegated administrators",
          table(
            ["Account", "Service", "Since"],
            org.delegatedAdministrators.map((d) => [
              h(
                "button",
                { type: "button", class: "link", onclick: () => select({ kind: "account", id: d.accountId }) },
                d.accountName ?? d.accountId,
                " ",
                idText(d.accountId),
              ),
              d.servicePrincipal,
              fmtTime(d.enabledAt),
            ]),
          ),
        )
      : null,
  ];
}

/** @param {TreeNode} node */
function containerDetail(node) {
  /** @type {TreeNode[]} */
  const path = [];
  for (let n = data.nodes.get(node.parentId ?? ""), depth = 0; n && depth < 12; n = data.nodes.get(n.parentId ?? ""), depth++)
    path.unshift(n);
  return [
    h(
      "header",
      { class: "detail-head" },
      h(
        "div",
        null,
        h("h2", null, node.name, " ", idText(node.id)),
        h("p", { class: "muted" }, node.type === "ROOT" ? "Root" : "Organizational unit"),
      ),
    ),
    facts([
      ["ARN", h("code", { class: "wrap" }, node.arn)],
      ["Path", path.length ? pathLinks(path) : null],
      ["Accounts here", fmtNumber(node.accountCount)],
      ["Accounts below", node.totalAccounts !== node.accountCount ? fmtNumber(node.totalAccounts) : null],
      [
        "Child OUs",
        node.children.length
          ? node.children.map((c) =>
              h("button", { type: "button", class: "chip", onclick: () => select({ kind: "container", id: c.id }, c) }, c.name),
            )
          : h("span", { class: "muted" }, "none"),
      ],
      ["Policies attached", node.policies.length ? node.policies.map((p) => policyChip(p)) : h("span", { class: "muted" }, "none")],
    ]),
  ];
}

/** Root › OU › OU, each a link that selects it. @param {{ id: string, name: string }[]} path */
function pathLinks(path) {
  return h(
    "span",
    { class: "path" },
    path.map((p, i) => [
      i > 0 ? h("span", { class: "sep" }, " › ") : null,
      h("button", { type: "button", class: "link", onclick: () => select({ kind: "container", id: p.id }, data.nodes.get(p.id)) }, p.name),
    ]),
  );
}

function accountDetail() {
  const detail = data.detail;
  if (!detail) {
    return [
      h("h2", null, "Account ", idText(ui.selected.kind === "account" ? ui.selected.id : "")),
      h("p", { class: "muted" }, "orgsim knows no such account."),
    ];
  }
  if (!detail.account) {
    const s = detail.standalone;
    if (!s)
      return [
        h("h2", null, "Account ", idText(ui.selected.kind === "account" ? ui.selected.id : "")),
        h("p", { class: "muted" }, "orgsim knows no such account."),
      ];
    return [
      h("header", { class: "detail-head" }, h("div", null, h("h2", null, s.name, " ", idText(s.id)), h("p", { class: "muted" }, s.email))),
      h(
        "div",
        { class: "verdict verdict-neutral" },
        h("strong", null, "Not a member of this organization."),
        h("p", null, "It is a standalone account now (it left, was removed, or never joined)."),
      ),
      section("Standalone readiness", readinessToggles(s.id, s.readiness)),
    ];
  }
  const a = detail.account;
  const leave = a.leave;
  return [
    h(
      "header",
      { class: "detail-head" },
      h("div", null, h("h2", null, a.name, " ", idText(a.id)), h("p", { class: "muted" }, a.email)),
      h(
        "div",
        { class: "badges" },
        a.isManagement ? badge("management account", "accent") : null,
        badge(a.status === a.state ? a.status : `${a.status} / ${a.state}`, a.status === "ACTIVE" ? "ok" : "danger"),
        a.joinedMethod ? badge(a.joinedMethod, "neutral") : null,
      ),
    ),
    verdictBox(a, leave),
    a.isManagement ? null : section("Standalone readiness", readinessToggles(a.id, a.readiness)),
    facts([
      ["ARN", h("code", { class: "wrap" }, a.arn)],
      ["Path", detail.path.length ? pathLinks(detail.path) : null],
      ["Joined", a.joinedAt ? `${a.joinedMethod === "CREATED" ? "created" : "invited"} ${fmtTime(a.joinedAt)} UTC` : null],
      [
        "Tags",
        a.tags.length
          ? h(
              "span",
              { class: "tags" },
              a.tags.map((t) =>
                h("span", { class: "tag" }, h("span", { class: "tag-key" }, t.Key), h("span", { class: "tag-value" }, t.Value)),
              ),
            )
          : h("span", { class: "muted" }, "none"),
      ],
      ["Delegated administrator for", a.delegatedServices.length ? a.delegatedServices.map((s) => badge(s, "info")) : null],
    ]),
    detail.policiesByType.length
      ? section(
          "Policies that reach this account",
          detail.policiesByType.map((t) =>
            h(
              "div",
              { class: "policy-path" },
              h("div", { class: "policy-path-type" }, t.type),
              h(
                "ol",
                null,
                t.levels.map((l) =>
                  h(
                    "li",
                    null,
                    h("span", { class: "level-name" }, l.name),
                    " ",
                    idText(l.targetId),
                    " ",
                    l.policies.length
                      ? l.policies.map((p) => policyChip({ ...p, type: t.type }))
                      : h("span", { class: "muted" }, "no policy"),
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
  ];
}

/** The "could it leave now?" box. @param {AccountView} account @param {LeaveVerdict} leave */
function verdictBox(account, leave) {
  const scpsEnabled = (data.state?.organization?.policyTypes ?? []).some(
    (t) => t.Type === "SERVICE_CONTROL_POLICY" && t.Status === "ENABLED",
  );
  const explainButton = scpsEnabled
    ? h(
        "p",
        null,
        h(
          "button",
          { type: "button", class: "link", onclick: () => explainFor(account.id, "organizations:LeaveOrganization") },
          "Explain the SCP decision",
        ),
      )
    : null;
  if (leave.canLeave) {
    return h(
      "div",
      { class: "verdict verdict-ok", dataset: { verdict: "can-leave" } },
      h("strong", null, "Can leave now."),
      h("p", null, "LeaveOrganization, called by this account, would succeed."),
      leaveChecklist(account, leave),
      explainButton,
    );
  }
  const code = [leave.error, leave.reason ? `(${leave.reason})` : null].filter(Boolean).join(" ");
  const wait = leave.waitPeriod;
  return h(
    "div",
    {
      class: `verdict ${account.isManagement ? "verdict-neutral" : leave.error === "AccessDeniedException" ? "verdict-denied" : "verdict-blocked"}`,
      dataset: { verdict: leave.reason ?? leave.error ?? "blocked" },
    },
    h("strong", null, "Can't leave now: ", h("code", null, code)),
    leave.message ? h("p", { class: "aws-message" }, leave.message) : null,
    leave.detail && leave.reason !== "WAIT_PERIOD_ACTIVE" ? h("p", { class: "muted" }, `orgsim: ${leave.detail}`) : null,
    leaveChecklist(account, leave),
    wait
      ? h(
          "p",
          { class: "wait" },
          "Waiting period: ",
          h("strong", null, `${wait.left} left`),
          ` (ends ${fmtTime(wait.endsAt)} UTC). `,
          h(
            "button",
            { type: "button", class: "link", onclick: () => act(() => advance(wait.secondsLeft)) },
            "Advance the clock to its end",
          ),
        )
      : null,
    account.isManagement ? null : explainButton,
  );
}

/** What passing each rule of LeaveOrganization means, in the checklist. */
const CHECK_LABELS = /** @type {Record<string, string>} */ ({
  scp: "No SCP denies organizations:LeaveOrganization",
  delegatedAdministrator: "Not a delegated administrator",
  waitingPeriod: "Past the four-day waiting period of a created account",
  supportPlan: "Support plan",
  contactInformation: "Contact information",
  paymentMethod: "Payment method",
});

/**
 * Every rule LeaveOrganization applies, ticked or crossed, in AWS's order; the first crossed one
 * is what it answers now. @param {AccountView} account @param {LeaveVerdict} leave
 */
function leaveChecklist(account, leave) {
  const checks = leave.checks ?? [];
  if (checks.length === 0) return null;
  const first = checks.find((c) => !c.ok);
  const blocking = checks.filter((c) => !c.ok).length;
  return h(
    "div",
    { class: "checklist" },
    h(
      "p",
      { class: "checklist-title" },
      blocking === 0 ? "Every rule passes:" : `${plural(blocking, "rule")} ${blocking === 1 ? "keeps" : "keep"} it in:`,
    ),
    h(
      "ul",
      null,
      checks.map((c) =>
        h(
          "li",
          {
            class: `check ${c.ok ? "check-ok" : "check-failed"}${c === first ? " check-decides" : ""}`,
            dataset: { check: c.rule, ok: String(c.ok) },
          },
          h("span", { class: "check-mark", title: c.ok ? "passes" : "blocks" }, c.ok ? "✓" : "✗"),
          h(
            "span",
            { class: "check-text" },
            h("span", { class: "check-label" }, CHECK_LABELS[c.rule] ?? c.rule),
            c.ok && c.rule === "waitingPeriod" && account.joinedMethod === "INVITED"
              ? h("span", { class: "muted" }, " (invited: none)")
              : null,
            c === first && checks.some((o) => o !== c && !o.ok)
              ? [" ", badge("answered first", "neutral", "LeaveOrganization answers the first rule that blocks")]
              : null,
            c.ok ? null : h("span", { class: "check-why" }, h("code", null, c.reason ?? c.error), c.detail ? ` ${c.detail}` : ""),
          ),
        ),
      ),
    ),
  );
}

/** @type {[keyof Readiness, string, string][]} */
const READINESS = [
  ["supportPlan", "Support plan", "the EULA / support plan a standalone account accepts"],
  ["contactInformation", "Contact information", "verified phone and address"],
  ["paymentMethod", "Payment method", "a valid payment instrument"],
];

/** @param {string} accountId @param {Readiness} readiness */
function readinessToggles(accountId, readiness) {
  const allReady = READINESS.every(([key]) => readiness[key]);
  return h(
    "div",
    { class: "readiness" },
    READINESS.map(([key, label, hint]) =>
      h(
        "label",
        { class: "switch", title: hint },
        h("input", {
          type: "checkbox",
          role: "switch",
          checked: readiness[key] ? true : undefined,
          dataset: { readiness: key },
          onchange: (e) => act(() => setReadiness(accountId, { [key]: /** @type {HTMLInputElement} */ (e.target).checked })),
        }),
        h("span", { class: "switch-track", "aria-hidden": "true" }),
        label,
      ),
    ),
    allReady
      ? null
      : h(
          "button",
          {
            type: "button",
            class: "btn-small",
            dataset: { action: "all-ready" },
            onclick: () => act(() => setReadiness(accountId, { supportPlan: true, contactInformation: true, paymentMethod: true })),
          },
          "Provide all three",
        ),
  );
}
