// The tree: the root, OUs and the accounts of open containers (or a search's matches), with a
// "could it leave now?" badge on every member account.
// @ts-check
import { fill, h, $, input } from "./dom.js";
import { fmtNumber, plural } from "./format.js";
import { PAGE, SEARCH_PAGE, data, isOpen, ui } from "./model.js";
import { refresh } from "./sync.js";
import { badge, idText } from "./widgets.js";

/**
 * @typedef {import("../src/console/types.js").AccountView} AccountView
 * @typedef {import("../src/console/types.js").TreeNode} TreeNode
 * @typedef {import("./model.js").UiSelection} UiSelection
 */

export function renderTree() {
  const tree = $("tree");
  const state = data.state;
  const org = state?.organization;
  const info = $("search-info");
  if (!state || !org) {
    info.hidden = true;
    fill(
      tree,
      h(
        "div",
        { class: "empty" },
        h("p", null, "No organization yet."),
        h("p", { class: "muted" }, "Create one as any account, for example:"),
        h(
          "pre",
          { class: "snippet" },
          `AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=x \\\n  aws --endpoint-url ${location.origin} --region us-east-1 \\\n  organizations create-organization`,
        ),
      ),
    );
    return;
  }
  if (state.search) {
    const s = state.search;
    info.hidden = false;
    fill(
      info,
      s.total === 0
        ? `No account matches “${s.query}”.`
        : `${plural(s.total, "account")} ${s.total === 1 ? "matches" : "match"} “${s.query}”${s.shown < s.total ? ` (showing ${fmtNumber(s.shown)})` : ""}.`,
      s.shown < s.total
        ? h(
            "button",
            {
              type: "button",
              class: "link",
              onclick: () => {
                ui.searchLimit += SEARCH_PAGE;
                void refresh();
              },
            },
            "Show more",
          )
        : null,
    );
  } else {
    info.hidden = true;
  }
  const scroll = tree.scrollTop;
  fill(tree, h("ul", { class: "tree-list", role: "group" }, containerItem(org.root)));
  tree.scrollTop = scroll;
}

/** @param {TreeNode} node */
function containerItem(node) {
  const open = isOpen(node);
  const hasContent = node.children.length > 0 || node.accountCount > 0;
  const selected = ui.selected.kind === "container" && ui.selected.id === node.id;
  const countText =
    node.totalAccounts === node.accountCount
      ? fmtNumber(node.accountCount)
      : `${fmtNumber(node.accountCount)} here · ${fmtNumber(node.totalAccounts)} in all`;
  const row = h(
    "div",
    {
      class: `row row-container${selected ? " selected" : ""}`,
      role: "treeitem",
      "aria-expanded": hasContent ? String(open) : undefined,
      "aria-selected": String(selected),
      dataset: { containerId: node.id },
    },
    h(
      "button",
      {
        type: "button",
        class: `caret${hasContent ? "" : " caret-empty"}`,
        "aria-label": open ? `Collapse ${node.name}` : `Expand ${node.name}`,
        disabled: !hasContent || ui.search ? true : undefined,
        onclick: () => toggle(node),
      },
      hasContent ? (open ? "▾" : "▸") : "",
    ),
    h(
      "button",
      { type: "button", class: "row-main", onclick: () => select({ kind: "container", id: node.id }, node) },
      h("span", { class: `icon ${node.type === "ROOT" ? "icon-root" : "icon-ou"}`, "aria-hidden": "true" }),
      h("span", { class: "name" }, node.type === "ROOT" ? `${node.name}` : node.name),
      idText(node.id),
      ui.search && node.matches
        ? badge(plural(node.matches, "match", "matches"), "info")
        : h("span", { class: "count-pill", title: "accounts here · in this OU and below" }, countText),
    ),
  );
  const item = h("li", { class: "tree-item" }, row);
  if (!open) return item;
  const children = h("ul", { class: "tree-list", role: "group" });
  for (const child of node.children) {
    if (ui.search && !((child.matches ?? 0) > 0)) continue;
    children.append(containerItem(child));
  }
  const accounts = node.accounts;
  if (accounts) {
    for (const account of accounts.items) children.append(accountItem(account));
    if (!ui.search && accounts.items.length < accounts.total) {
      const more = Math.min(PAGE * 5, accounts.total - accounts.items.length);
      children.append(
        h(
          "li",
          { class: "tree-item more" },
          h("span", { class: "muted" }, `Showing ${fmtNumber(accounts.items.length)} of ${plural(accounts.total, "account")}`),
          h(
            "button",
            { type: "button", class: "link", onclick: () => showMore(node, PAGE) },
            `Show ${fmtNumber(Math.min(PAGE, more))} more`,
          ),
          more > PAGE
            ? h("button", { type: "button", class: "link", onclick: () => showMore(node, more) }, `Show ${fmtNumber(more)} more`)
            : null,
        ),
      );
    }
  } else if (!ui.search && node.accountCount > 0) {
    children.append(h("li", { class: "tree-item more muted" }, "Loading accounts…"));
  }
  if (children.childElementCount > 0) item.append(children);
  return item;
}

/** @param {AccountView} account */
function accountItem(account) {
  const selected = ui.selected.kind === "account" && ui.selected.id === account.id;
  const leave = leaveBadge(account);
  return h(
    "li",
    { class: "tree-item" },
    h(
      "button",
      {
        type: "button",
        class: `row row-account${selected ? " selected" : ""}`,
        role: "treeitem",
        "aria-selected": String(selected),
        dataset: { accountId: account.id },
        onclick: () => select({ kind: "account", id: account.id }),
      },
      h("span", { class: "caret caret-empty", "aria-hidden": "true" }),
      h("span", { class: "icon icon-account", "aria-hidden": "true" }),
      h("span", { class: "name" }, account.name),
      idText(account.id),
      h(
        "span",
        { class: "row-badges" },
        account.isManagement ? badge("management", "accent") : null,
        account.status !== "ACTIVE" ? badge(account.status, "danger") : null,
        leave,
      ),
    ),
  );
}

/** Tree-row words for the reasons a member can't leave (the detail panel shows AWS's own). */
const SHORT_REASONS = /** @type {Record<string, string>} */ ({
  ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA: "needs a support plan",
  ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION: "needs contact information",
  MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED: "needs a payment method",
  CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG: "delegated administrator",
});

/** The short "could leave now?" badge of a tree row. @param {AccountView} account */
function leaveBadge(account) {
  const leave = account.leave;
  if (account.isManagement) return null;
  if (leave.canLeave) return badge("can leave", "ok", "LeaveOrganization would succeed now");
  const title = [leave.error, leave.reason ? `(${leave.reason})` : "", leave.message ? `: ${leave.message}` : ""].join(" ").trim();
  if (leave.reason === "WAIT_PERIOD_ACTIVE" && leave.waitPeriod)
    return badge(`waiting period · ${leave.waitPeriod.left} left`, "warn", title);
  if (leave.error === "AccessDeniedException") return badge("SCP denies leaving", "danger", title);
  return badge((leave.reason && SHORT_REASONS[leave.reason]) ?? leave.reason ?? leave.error ?? "can't leave", "warn", title);
}

/** @param {TreeNode} node */
function toggle(node) {
  ui.open.set(node.id, isOpen(node) ? 0 : Math.max(PAGE, node.accounts?.items.length ?? 0));
  renderTree();
  void refresh();
}

/** @param {TreeNode} node @param {number} count */
function showMore(node, count) {
  const shown = node.accounts?.items.length ?? 0;
  ui.open.set(node.id, Math.min(shown + count, 2000));
  void refresh();
}

/** Selects the organization, a container or an account (opening a closed container). @param {UiSelection} selection @param {TreeNode} [node] */
export function select(selection, node) {
  ui.selected = selection;
  if (node && node.type !== "ROOT" && !isOpen(node) && !ui.search) ui.open.set(node.id, PAGE);
  if (selection.kind === "account") input("explain-account").value = selection.id;
  renderTree();
  void refresh();
}
