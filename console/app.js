// orgsim console: plain JavaScript, no build step, no dependencies.
//
// It reads GET /_orgsim/state (one organization's tree, accounts of the open containers,
// policies, handshakes, events) and polls GET /_orgsim/state/version every second, refetching
// only when the version changes. Its buttons call the control API (clock, standalone readiness,
// reset, explain), exactly as a script would.
//
// Every piece of data reaches the page through text nodes and attribute setters, never
// innerHTML, and the page's Content-Security-Policy runs no other script.
// @ts-check

const API = "/_orgsim";
const PAGE = 100;
const SEARCH_PAGE = 200;
const POLL_MS = 1000;
const STORAGE_KEY = "orgsim.console.organizationId";

/**
 * @typedef {{ kind: "org" } | { kind: "container", id: string } | { kind: "account", id: string }} UiSelection
 */

const ui = {
  /** The organization shown (the server picks the first when empty or unknown). */
  orgId: sessionStorage.getItem(STORAGE_KEY) ?? "",
  /** Container id -> accounts shown, as the user chose (0: closed). Others open or stay closed as the server's default says (`node.open`). */
  open: /** @type {Map<string, number>} */ (new Map()),
  /** Whether the server may open OUs by default (off after "Collapse all"). */
  autoOpen: true,
  search: "",
  searchLimit: SEARCH_PAGE,
  /** @type {UiSelection} */
  selected: { kind: "org" },
  tab: "events",
  version: "",
  /** Events older than the state's latest page, loaded with "Load older events". */
  olderEvents: /** @type {any[]} */ ([]),
  olderToken: /** @type {string | null | undefined} */ (undefined),
  seenEvents: /** @type {Set<string>} */ (new Set()),
  firstLoad: true,
  /** Where the virtual clock was at the last fetch, against the browser's clock. */
  clock: { virtualMs: 0, fetchedAt: 0, offsetSeconds: 0 },
};

/** @type {any} the last GET /_orgsim/state answer */
let state = null;
/** @type {any} GET /_orgsim/state/accounts/{id} for the selected account */
let detail = null;
/** @type {Map<string, any>} container id -> tree node of the last state */
let nodes = new Map();

// ------------------------------------------------------------------------------------------------
// DOM helpers: elements from data, safely
// ------------------------------------------------------------------------------------------------

/**
 * Creates an element. Props: `class`, `text`, `dataset`, `on<event>` handlers, anything else as
 * an attribute. Children: nodes or strings (strings become text nodes); null/false are skipped.
 * @param {string} tag
 * @param {Record<string, any> | null} [props]
 * @param {...any} children
 * @returns {HTMLElement}
 */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  appendAll(el, children);
  return el;
}

/** Appends nodes and strings (as text); skips null, undefined and false. @param {Element} el @param {any[]} children */
function appendAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's content. @param {Element} el @param {...any} children */
function fill(el, ...children) {
  el.replaceChildren();
  appendAll(el, children);
}

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const fmtNumber = (/** @type {number} */ n) => n.toLocaleString("en-US");
/** "1 account", "2 accounts", "1 match", "3 matches": the count with the noun it takes. */
const plural = (/** @type {number} */ n, /** @type {string} */ word, /** @type {string} */ many = `${word}s`) => `${fmtNumber(n)} ${n === 1 ? word : many}`;

/** "2025-05-06 14:03:22" from an ISO-8601 time (virtual clock, UTC). */
function fmtTime(/** @type {string | null | undefined} */ iso) {
  if (!iso) return "—";
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "");
}

/** "4d 2h 5m" for a number of seconds. */
function fmtSpan(/** @type {number} */ seconds) {
  const s = Math.round(Math.abs(seconds));
  const d = Math.floor(s / 86400);
  const hr = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}d` : "", hr ? `${hr}h` : "", m ? `${m}m` : ""].filter(Boolean);
  return parts.join(" ") || `${s}s`;
}

const idText = (/** @type {string} */ id) => h("code", { class: "id" }, id);

/** @param {string} text @param {string} [kind] @param {string} [title] */
const badge = (text, kind = "neutral", title) => h("span", { class: `badge badge-${kind}`, title }, text);

function toast(/** @type {string} */ message, kind = "error") {
  const el = h("div", { class: `toast toast-${kind}`, role: "status" }, message);
  $("toasts").append(el);
  setTimeout(() => el.remove(), 6000);
}

// ------------------------------------------------------------------------------------------------
// Talking to orgsim
// ------------------------------------------------------------------------------------------------

/** @param {string} method @param {string} path @param {unknown} [body] */
async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const text = await res.text();
  /** @type {any} */
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    value = { message: text };
  }
  if (!res.ok) {
    const err = new Error(value?.message ?? `${method} ${path}: HTTP ${res.status}`);
    Object.assign(err, { status: res.status });
    throw err;
  }
  return value;
}

/** Runs a user action; errors become a toast, success refreshes the page. */
async function act(/** @type {() => Promise<unknown>} */ fn) {
  try {
    await fn();
  } catch (err) {
    toast(err instanceof Error ? err.message : String(err));
  }
  await refresh();
}

function isOpen(/** @type {any} */ node) {
  if (ui.search) return (node.matches ?? 0) > 0 || node.type === "ROOT";
  const shown = ui.open.get(node.id);
  return shown === undefined ? node.open === true : shown > 0;
}

/**
 * The `open` query parameter: the containers the user opened (with how many accounts to show)
 * or closed (0). The server opens the others by its default while the tree stays small, and
 * looks only at containers whose parents are open.
 */
function openParam() {
  return [...ui.open].map(([id, shown]) => `${id}:${shown}`).join(",");
}

let inflight = /** @type {Promise<void> | null} */ (null);
let again = false;

/** Refetches the state (once more if asked again while a fetch is running), then renders. */
function refresh() {
  if (inflight) {
    again = true;
    return inflight;
  }
  inflight = (async () => {
    do {
      again = false;
      try {
        await load();
        setLive(true);
      } catch (err) {
        setLive(false);
        toast(`Couldn't read the state: ${err instanceof Error ? err.message : String(err)}`);
      }
    } while (again);
  })().finally(() => {
    inflight = null;
  });
  return inflight;
}

async function load() {
  const params = new URLSearchParams();
  if (ui.orgId) params.set("organizationId", ui.orgId);
  const open = openParam();
  if (open) params.set("open", open);
  if (!ui.autoOpen) params.set("autoOpen", "false");
  if (ui.search) {
    params.set("search", ui.search);
    params.set("searchLimit", String(ui.searchLimit));
  }
  const next = await call("GET", `${API}/state?${params}`);
  const orgId = next.organization?.id ?? "";
  if (orgId !== (state?.organization?.id ?? "")) {
    ui.olderEvents = [];
    ui.olderToken = undefined;
  }
  state = next;
  ui.version = next.version;
  ui.clock = { virtualMs: Date.parse(next.clock.now), fetchedAt: Date.now(), offsetSeconds: next.clock.offsetSeconds };
  nodes = new Map();
  if (next.organization) indexTree(next.organization.root);
  if (ui.selected.kind === "account") {
    try {
      detail = await call("GET", `${API}/state/accounts/${ui.selected.id}`);
    } catch {
      detail = null;
    }
  } else {
    detail = null;
  }
  render();
}

function indexTree(/** @type {any} */ node) {
  nodes.set(node.id, node);
  for (const child of node.children) indexTree(child);
}

function setLive(/** @type {boolean} */ ok) {
  const el = $("live");
  el.textContent = ok ? "live" : "offline";
  el.className = `live ${ok ? "live-ok" : "live-down"}`;
}

async function poll() {
  try {
    if (!document.hidden) {
      const { version } = await call("GET", `${API}/state/version`);
      setLive(true);
      if (version !== ui.version) await refresh();
    }
  } catch {
    setLive(false);
  }
  setTimeout(poll, POLL_MS);
}

// ------------------------------------------------------------------------------------------------
// Rendering
// ------------------------------------------------------------------------------------------------

function render() {
  renderOrgPicker();
  renderClock();
  renderTree();
  renderDetail();
  renderEvents();
  renderPolicies();
  renderHandshakes();
  renderExplainChoices();
  ui.firstLoad = false;
}

function renderOrgPicker() {
  const box = $("org-picker");
  const orgs = state?.organizations ?? [];
  const current = state?.organization;
  if (orgs.length === 0) {
    fill(box, h("span", { class: "muted" }, "No organization"));
    return;
  }
  if (orgs.length === 1) {
    fill(box, h("span", { class: "org-label" }, idText(current.id), h("span", { class: "muted" }, ` · ${plural(current.accountCount, "account")}`)));
    return;
  }
  const select = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { "aria-label": "Organization", onchange: () => selectOrganization(select.value) },
      orgs.map((/** @type {any} */ o) =>
        h("option", { value: o.id, selected: o.id === current?.id }, `${o.id} · management ${o.managementAccountId} · ${plural(o.accountCount, "account")}`),
      ),
    )
  );
  fill(box, h("label", { class: "org-select" }, h("span", { class: "muted" }, plural(orgs.length, "organization")), select));
}

function selectOrganization(/** @type {string} */ id) {
  ui.orgId = id;
  sessionStorage.setItem(STORAGE_KEY, id);
  ui.open.clear();
  ui.autoOpen = true;
  ui.selected = { kind: "org" };
  /** @type {HTMLInputElement} */ ($("explain-account")).value = "";
  fill($("explain-result"));
  void refresh();
}

function renderClock() {
  $("timing-badge").hidden = !state?.timing?.completeAsyncImmediately;
  const virtual = ui.clock.virtualMs + (Date.now() - ui.clock.fetchedAt);
  $("clock-now").textContent = `${fmtTime(new Date(virtual).toISOString())} UTC`;
  const offset = ui.clock.offsetSeconds;
  $("clock-offset").textContent = offset === 0 ? "(real time)" : `(${offset > 0 ? "+" : "−"}${fmtSpan(offset)})`;
}

// --- the tree --------------------------------------------------------------------------------

function renderTree() {
  const tree = $("tree");
  const org = state?.organization;
  const info = $("search-info");
  if (!org) {
    info.hidden = true;
    fill(
      tree,
      h(
        "div",
        { class: "empty" },
        h("p", null, "No organization yet."),
        h("p", { class: "muted" }, "Create one as any account, for example:"),
        h("pre", { class: "snippet" }, `AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=x \\\n  aws --endpoint-url ${location.origin} --region us-east-1 \\\n  organizations create-organization`),
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
      s.shown < s.total ? h("button", { type: "button", class: "link", onclick: () => { ui.searchLimit += SEARCH_PAGE; void refresh(); } }, "Show more") : null,
    );
  } else {
    info.hidden = true;
  }
  const scroll = tree.scrollTop;
  fill(tree, h("ul", { class: "tree-list", role: "group" }, containerItem(org.root, org)));
  tree.scrollTop = scroll;
}

/** @param {any} node @param {any} org */
function containerItem(node, org) {
  const open = isOpen(node);
  const hasContent = node.children.length > 0 || node.accountCount > 0;
  const selected = ui.selected.kind === "container" && ui.selected.id === node.id;
  const countText = node.totalAccounts === node.accountCount ? fmtNumber(node.accountCount) : `${fmtNumber(node.accountCount)} here · ${fmtNumber(node.totalAccounts)} in all`;
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
      ui.search && node.matches ? badge(plural(node.matches, "match", "matches"), "info") : h("span", { class: "count-pill", title: "accounts here · in this OU and below" }, countText),
    ),
  );
  const item = h("li", { class: "tree-item" }, row);
  if (!open) return item;
  const children = h("ul", { class: "tree-list", role: "group" });
  for (const child of node.children) {
    if (ui.search && !(child.matches > 0)) continue;
    children.append(containerItem(child, org));
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
          h("button", { type: "button", class: "link", onclick: () => showMore(node, PAGE) }, `Show ${fmtNumber(Math.min(PAGE, more))} more`),
          more > PAGE ? h("button", { type: "button", class: "link", onclick: () => showMore(node, more) }, `Show ${fmtNumber(more)} more`) : null,
        ),
      );
    }
  } else if (!ui.search && node.accountCount > 0) {
    children.append(h("li", { class: "tree-item more muted" }, "Loading accounts…"));
  }
  if (children.childElementCount > 0) item.append(children);
  return item;
}

/** @param {any} account */
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

/** The short "could leave now?" badge of a tree row. @param {any} account */
function leaveBadge(account) {
  const leave = account.leave;
  if (account.isManagement) return null;
  if (leave.canLeave) return badge("can leave", "ok", "LeaveOrganization would succeed now");
  const title = [leave.error, leave.reason ? `(${leave.reason})` : "", leave.message ? `: ${leave.message}` : ""].join(" ").trim();
  if (leave.reason === "WAIT_PERIOD_ACTIVE" && leave.waitPeriod) return badge(`waiting period · ${leave.waitPeriod.left} left`, "warn", title);
  if (leave.error === "AccessDeniedException") return badge("SCP denies leaving", "danger", title);
  return badge(SHORT_REASONS[leave.reason] ?? leave.reason ?? leave.error ?? "can't leave", "warn", title);
}

/** Tree-row words for the reasons a member can't leave (the detail panel shows AWS's own). */
const SHORT_REASONS = /** @type {Record<string, string>} */ ({
  ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA: "needs a support plan",
  ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION: "needs contact information",
  MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED: "needs a payment method",
  CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG: "delegated administrator",
});

/** @param {any} node */
function toggle(node) {
  ui.open.set(node.id, isOpen(node) ? 0 : Math.max(PAGE, node.accounts?.items.length ?? 0));
  renderTree();
  void refresh();
}

/** @param {any} node @param {number} count */
function showMore(node, count) {
  const shown = node.accounts?.items.length ?? 0;
  ui.open.set(node.id, Math.min(shown + count, 2000));
  void refresh();
}

/** @param {UiSelection} selection @param {any} [node] */
function select(selection, node) {
  ui.selected = selection;
  if (node && node.type !== "ROOT" && !isOpen(node) && !ui.search) ui.open.set(node.id, PAGE);
  if (selection.kind === "account") {
    const input = /** @type {HTMLInputElement} */ ($("explain-account"));
    input.value = selection.id;
  }
  renderTree();
  void refresh();
}

// --- the detail panel ------------------------------------------------------------------------

function renderDetail() {
  const box = $("detail");
  const org = state?.organization;
  if (!org) {
    fill(box, h("h2", null, "Nothing to show yet"), h("p", { class: "muted" }, "The console updates by itself when an organization appears."));
    return;
  }
  if (ui.selected.kind === "account") {
    fill(box, ...accountDetail(org));
    return;
  }
  if (ui.selected.kind === "container") {
    const node = nodes.get(ui.selected.id);
    if (node) {
      fill(box, ...containerDetail(node));
      return;
    }
    ui.selected = { kind: "org" };
  }
  fill(box, ...organizationDetail(org));
}

/** @param {string} title @param {...any} content */
const section = (title, ...content) => h("section", { class: "detail-section" }, h("h3", null, title), ...content);

/** @param {[string, any][]} rows */
const facts = (rows) =>
  h(
    "dl",
    { class: "facts" },
    rows.filter(([, v]) => v !== null && v !== undefined && v !== "").map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
  );

/** @param {any} org */
function organizationDetail(org) {
  const types = org.policyTypes.filter((/** @type {any} */ t) => t.Status === "ENABLED").map((/** @type {any} */ t) => t.Type);
  return [
    h("header", { class: "detail-head" }, h("div", null, h("h2", null, "Organization ", idText(org.id)), h("p", { class: "muted" }, "Select the root, an OU or an account in the tree for its details."))),
    facts([
      ["ARN", h("code", { class: "wrap" }, org.arn)],
      ["Feature set", org.featureSet],
      ["Management account", [idText(org.managementAccountId), " ", org.managementAccountEmail ?? ""]],
      ["Accounts", fmtNumber(org.accountCount)],
      ["Created", `${fmtTime(org.createdAt)} UTC`],
      ["Policy types enabled", types.length ? types.map((/** @type {string} */ t) => badge(t, "neutral")) : h("span", { class: "muted" }, "none")],
      ["Trusted services", org.trustedServices.length ? org.trustedServices.map((/** @type {any} */ s) => badge(s.servicePrincipal, "neutral")) : h("span", { class: "muted" }, "none")],
    ]),
    org.delegatedAdministrators.length
      ? section(
          "Delegated administrators",
          table(
            ["Account", "Service", "Since"],
            org.delegatedAdministrators.map((/** @type {any} */ d) => [
              h("button", { type: "button", class: "link", onclick: () => select({ kind: "account", id: d.accountId }) }, d.accountName ?? d.accountId, " ", idText(d.accountId)),
              d.servicePrincipal,
              fmtTime(d.enabledAt),
            ]),
          ),
        )
      : null,
  ];
}

/** @param {any} node */
function containerDetail(node) {
  const path = [];
  for (let n = nodes.get(node.parentId), depth = 0; n && depth < 12; n = nodes.get(n.parentId), depth++) path.unshift(n);
  return [
    h("header", { class: "detail-head" }, h("div", null, h("h2", null, node.name, " ", idText(node.id)), h("p", { class: "muted" }, node.type === "ROOT" ? "Root" : "Organizational unit"))),
    facts([
      ["ARN", h("code", { class: "wrap" }, node.arn)],
      ["Path", path.length ? pathLinks(path) : null],
      ["Accounts here", fmtNumber(node.accountCount)],
      ["Accounts below", node.totalAccounts !== node.accountCount ? fmtNumber(node.totalAccounts) : null],
      ["Child OUs", node.children.length ? node.children.map((/** @type {any} */ c) => h("button", { type: "button", class: "chip", onclick: () => select({ kind: "container", id: c.id }, c) }, c.name)) : h("span", { class: "muted" }, "none")],
      [
        "Policies attached",
        node.policies.length ? node.policies.map((/** @type {any} */ p) => policyChip(p)) : h("span", { class: "muted" }, "none"),
      ],
    ]),
  ];
}

/** @param {any[]} path */
function pathLinks(path) {
  return h(
    "span",
    { class: "path" },
    path.map((p, i) => [i > 0 ? h("span", { class: "sep" }, " › ") : null, h("button", { type: "button", class: "link", onclick: () => select({ kind: "container", id: p.id }, nodes.get(p.id)) }, p.name)]),
  );
}

/** @param {any} p */
function policyChip(p) {
  return h("button", { type: "button", class: "chip", title: `${p.type} ${p.id}`, onclick: () => showPolicy(p.id) }, p.name);
}

/** @param {any} org */
function accountDetail(org) {
  if (!detail) {
    return [h("h2", null, "Account ", idText(ui.selected.kind === "account" ? ui.selected.id : "")), h("p", { class: "muted" }, "orgsim knows no such account.")];
  }
  if (!detail.account) {
    const s = detail.standalone;
    return [
      h("header", { class: "detail-head" }, h("div", null, h("h2", null, s.name, " ", idText(s.id)), h("p", { class: "muted" }, s.email))),
      h("div", { class: "verdict verdict-neutral" }, h("strong", null, "Not a member of this organization."), h("p", null, "It is a standalone account now (it left, was removed, or never joined).")),
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
      ["Tags", a.tags.length ? h("span", { class: "tags" }, a.tags.map((/** @type {any} */ t) => h("span", { class: "tag" }, h("span", { class: "tag-key" }, t.Key), h("span", { class: "tag-value" }, t.Value)))) : h("span", { class: "muted" }, "none")],
      ["Delegated administrator for", a.delegatedServices.length ? a.delegatedServices.map((/** @type {string} */ s) => badge(s, "info")) : null],
    ]),
    detail.policiesByType.length
      ? section(
          "Policies that reach this account",
          detail.policiesByType.map((/** @type {any} */ t) =>
            h(
              "div",
              { class: "policy-path" },
              h("div", { class: "policy-path-type" }, t.type),
              h(
                "ol",
                null,
                t.levels.map((/** @type {any} */ l) =>
                  h(
                    "li",
                    null,
                    h("span", { class: "level-name" }, l.name),
                    " ",
                    idText(l.targetId),
                    " ",
                    l.policies.length ? l.policies.map((/** @type {any} */ p) => policyChip({ ...p, type: t.type })) : h("span", { class: "muted" }, "no policy"),
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
  ];
}

/** The "could it leave now?" box. @param {any} account @param {any} leave */
function verdictBox(account, leave) {
  const scpsEnabled = (state?.organization?.policyTypes ?? []).some((/** @type {any} */ t) => t.Type === "SERVICE_CONTROL_POLICY" && t.Status === "ENABLED");
  const explainButton = scpsEnabled
    ? h("p", null, h("button", { type: "button", class: "link", onclick: () => explainFor(account.id, "organizations:LeaveOrganization") }, "Explain the SCP decision"))
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
    leave.waitPeriod
      ? h(
          "p",
          { class: "wait" },
          "Waiting period: ",
          h("strong", null, `${leave.waitPeriod.left} left`),
          ` (ends ${fmtTime(leave.waitPeriod.endsAt)} UTC). `,
          h("button", { type: "button", class: "link", onclick: () => act(() => advance(leave.waitPeriod.secondsLeft)) }, "Advance the clock to its end"),
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
 * is what it answers now. @param {any} account @param {any} leave
 */
function leaveChecklist(account, leave) {
  const checks = /** @type {any[]} */ (leave.checks ?? []);
  if (checks.length === 0) return null;
  const first = checks.find((c) => !c.ok);
  const blocking = checks.filter((c) => !c.ok).length;
  return h(
    "div",
    { class: "checklist" },
    h("p", { class: "checklist-title" }, blocking === 0 ? "Every rule passes:" : `${plural(blocking, "rule")} ${blocking === 1 ? "keeps" : "keep"} it in:`),
    h(
      "ul",
      null,
      checks.map((c) =>
        h(
          "li",
          { class: `check ${c.ok ? "check-ok" : "check-failed"}${c === first ? " check-decides" : ""}`, dataset: { check: c.rule, ok: String(c.ok) } },
          h("span", { class: "check-mark", title: c.ok ? "passes" : "blocks" }, c.ok ? "✓" : "✗"),
          h(
            "span",
            { class: "check-text" },
            h("span", { class: "check-label" }, CHECK_LABELS[c.rule] ?? c.rule),
            c.ok && c.rule === "waitingPeriod" && account.joinedMethod === "INVITED" ? h("span", { class: "muted" }, " (invited: none)") : null,
            c === first && checks.some((o) => o !== c && !o.ok) ? [" ", badge("answered first", "neutral", "LeaveOrganization answers the first rule that blocks")] : null,
            c.ok ? null : h("span", { class: "check-why" }, h("code", null, c.reason ?? c.error), c.detail ? ` ${c.detail}` : ""),
          ),
        ),
      ),
    ),
  );
}

const READINESS = [
  ["supportPlan", "Support plan", "the EULA / support plan a standalone account accepts"],
  ["contactInformation", "Contact information", "verified phone and address"],
  ["paymentMethod", "Payment method", "a valid payment instrument"],
];

/** @param {string} accountId @param {any} readiness */
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
          onchange: (/** @type {Event} */ e) => act(() => call("PUT", `${API}/accounts/${accountId}/standalone`, { [key]: /** @type {HTMLInputElement} */ (e.target).checked })),
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
            onclick: () => act(() => call("PUT", `${API}/accounts/${accountId}/standalone`, { supportPlan: true, contactInformation: true, paymentMethod: true })),
          },
          "Provide all three",
        ),
  );
}

// --- events ----------------------------------------------------------------------------------

function renderEvents() {
  const panel = $("tab-events");
  const org = state?.organization;
  const latest = org?.events ?? [];
  const oldestLatest = latest.length ? latest[latest.length - 1].id : null;
  const older = oldestLatest ? ui.olderEvents.filter((e) => e.id < oldestLatest) : [];
  const events = [...latest, ...older];
  $("count-events").textContent = org ? fmtNumber(events.length) + (nextOlderToken() ? "+" : "") : "";
  if (events.length === 0) {
    fill(panel, h("p", { class: "empty muted" }, "No events yet. Every Organizations write records one."));
    return;
  }
  const list = h(
    "ol",
    { class: "events" },
    events.map((e) => {
      const fresh = !ui.firstLoad && !ui.seenEvents.has(e.id);
      ui.seenEvents.add(e.id);
      return h(
        "li",
        { class: `event${fresh ? " fresh" : ""}`, dataset: { eventName: e.eventName } },
        h("time", { class: "event-time" }, fmtTime(e.time)),
        h("span", { class: "event-name" }, e.eventName),
        h("span", { class: "event-who", title: callerTitle(e) }, e.accountId ? ["by ", idText(e.accountId)] : ""),
        h("span", { class: "event-detail" }, detailPairs(e.detail)),
      );
    }),
  );
  const token = nextOlderToken();
  fill(panel, list, token ? h("button", { type: "button", class: "btn-small load-older", onclick: () => loadOlderEvents(token) }, "Load older events") : null);
}

function nextOlderToken() {
  const org = state?.organization;
  if (!org) return null;
  return ui.olderToken === undefined ? org.eventsNextToken : ui.olderToken;
}

/** @param {string} token */
async function loadOlderEvents(token) {
  try {
    const page = await call("GET", `${API}/events?organizationId=${encodeURIComponent(state.organization.id)}&maxResults=100&nextToken=${encodeURIComponent(token)}`);
    for (const e of page.events) ui.seenEvents.add(e.id);
    ui.olderEvents.push(...page.events);
    ui.olderToken = page.nextToken ?? null;
    renderEvents();
  } catch (err) {
    toast(err instanceof Error ? err.message : String(err));
  }
}

/** Facts about the caller of an event, shown on hover rather than in the list. */
const CALLER_KEYS = ["requestId", "accessKeyId", "sourceIPAddress", "userAgent"];

/** @param {any} e an event */
function callerTitle(e) {
  const d = e.detail && typeof e.detail === "object" ? e.detail : {};
  return [e.principalArn, ...CALLER_KEYS.filter((k) => d[k]).map((k) => `${k}: ${d[k]}`)].filter(Boolean).join("\n");
}

/** key=value pieces of an event's detail (the caller's facts left out). @param {any} detailValue */
function detailPairs(detailValue) {
  if (!detailValue || typeof detailValue !== "object") return [];
  return Object.entries(detailValue)
    .filter(([k, v]) => !CALLER_KEYS.includes(k) && v !== null && v !== undefined)
    .map(([k, v]) => h("span", { class: "kv" }, h("span", { class: "k" }, k), h("span", { class: "v" }, typeof v === "string" ? v : JSON.stringify(v))));
}

// --- policies --------------------------------------------------------------------------------

function renderPolicies() {
  const panel = $("tab-policies");
  const policies = state?.organization?.policies ?? [];
  $("count-policies").textContent = state?.organization ? fmtNumber(policies.length) : "";
  if (policies.length === 0) {
    fill(panel, h("p", { class: "empty muted" }, "No policies. Enable a policy type (EnablePolicyType) to get its AWS managed policy."));
    return;
  }
  const openIds = new Set([...panel.querySelectorAll("details[open]")].map((d) => /** @type {HTMLElement} */ (d).dataset.policyId));
  const groups = new Map();
  for (const p of policies) groups.set(p.type, [...(groups.get(p.type) ?? []), p]);
  fill(
      panel,
    ...[...groups].map(([type, list]) =>
      h(
        "section",
        { class: "policy-group" },
        h("h3", null, type, " ", h("span", { class: "muted" }, `(${list.length})`)),
        list.map((/** @type {any} */ p) => policyCard(p, openIds.has(p.id) || (ui.firstLoad && policies.length <= 4))),
      ),
    ),
  );
}

/** @param {any} p @param {boolean} open */
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
      h("span", { class: "muted policy-targets-count" }, p.targetCount === 0 ? "not attached" : `attached to ${plural(p.targetCount, "target")}`),
    ),
    p.description ? h("p", { class: "muted" }, p.description) : null,
    p.targets.length
      ? h(
          "div",
          { class: "targets" },
          p.targets.map((/** @type {any} */ t) =>
            h(
              "button",
              {
                type: "button",
                class: "chip",
                title: `${t.type} ${t.id}`,
                onclick: () => (t.type === "ACCOUNT" ? select({ kind: "account", id: t.id }) : select({ kind: "container", id: t.id }, nodes.get(t.id))),
              },
              h("span", { class: `icon ${t.type === "ROOT" ? "icon-root" : t.type === "ACCOUNT" ? "icon-account" : "icon-ou"}`, "aria-hidden": "true" }),
              t.name,
            ),
          ),
          p.targetCount > p.targets.length ? h("span", { class: "muted" }, `and ${fmtNumber(p.targetCount - p.targets.length)} more`) : null,
        )
      : null,
    h("pre", { class: "policy-content" }, prettyJson(p.content)),
  );
}

/** @param {string} text */
function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** @param {string} policyId */
function showPolicy(policyId) {
  switchTab("policies");
  const el = /** @type {HTMLDetailsElement | null} */ (document.getElementById(`policy-${policyId}`));
  if (el) {
    el.open = true;
    el.scrollIntoView({ block: "nearest", behavior: "smooth" });
    el.classList.add("flash");
    setTimeout(() => el.classList.remove("flash"), 1500);
  }
}

// --- handshakes ------------------------------------------------------------------------------

function renderHandshakes() {
  const panel = $("tab-handshakes");
  const org = state?.organization;
  const list = org?.handshakes ?? [];
  $("count-handshakes").textContent = org ? fmtNumber(org.handshakeCount) : "";
  if (list.length === 0) {
    fill(panel, h("p", { class: "empty muted" }, "No handshakes (invitations) in this organization."));
    return;
  }
  const stateKind = (/** @type {string} */ s) => (s === "ACCEPTED" ? "ok" : s === "OPEN" || s === "REQUESTED" ? "info" : s === "EXPIRED" || s === "DECLINED" ? "warn" : "neutral");
  fill(
      panel,
    table(
      ["State", "Action", "Parties", "Requested", "Expires", "Id"],
      list.map((/** @type {any} */ hs) => [
        badge(hs.state, stateKind(hs.state)),
        hs.action,
        hs.parties.map((/** @type {any} */ p) => h("div", null, h("span", { class: "muted" }, `${p.Type} `), p.Id)),
        fmtTime(hs.requestedAt),
        fmtTime(hs.expiresAt),
        idText(hs.id),
      ]),
    ),
    org.handshakeCount > list.length ? h("p", { class: "muted" }, `Showing the ${list.length} newest of ${fmtNumber(org.handshakeCount)}.`) : null,
  );
}

/** @param {string[]} headers @param {any[][]} rows */
function table(headers, rows) {
  return h(
    "table",
    { class: "table" },
    h("thead", null, h("tr", null, headers.map((x) => h("th", null, x)))),
    h("tbody", null, rows.map((r) => h("tr", null, r.map((c) => h("td", null, c))))),
  );
}

// --- explain ---------------------------------------------------------------------------------

function renderExplainChoices() {
  const list = $("explain-accounts");
  const accounts = [];
  for (const node of nodes.values()) for (const a of node.accounts?.items ?? []) accounts.push(a);
  fill(list, ...accounts.slice(0, 500).map((a) => h("option", { value: a.id }, `${a.name} (${a.email})`)));
}

/** @param {string} accountId @param {string} action */
function explainFor(accountId, action) {
  /** @type {HTMLInputElement} */ ($("explain-account")).value = accountId;
  /** @type {HTMLInputElement} */ ($("explain-action")).value = action;
  switchTab("explain");
  void runExplain();
}

async function runExplain() {
  const out = $("explain-result");
  const accountId = /** @type {HTMLInputElement} */ ($("explain-account")).value.trim();
  const action = /** @type {HTMLInputElement} */ ($("explain-action")).value.trim();
  const resource = /** @type {HTMLInputElement} */ ($("explain-resource")).value.trim();
  const params = new URLSearchParams({ accountId, action });
  if (resource) params.set("resource", resource);
  fill(out, h("p", { class: "muted" }, "Evaluating…"));
  try {
    const r = await call("GET", `${API}/explain?${params}`);
    fill(out, ...explanation(r));
  } catch (err) {
    fill(out, h("div", { class: "verdict verdict-denied" }, h("strong", null, "Can't explain: "), err instanceof Error ? err.message : String(err)));
  }
}

/** @param {any} r the answer of GET /_orgsim/explain */
function explanation(r) {
  const kind = r.decision ?? (r.allowed ? "ALLOWED" : "DENIED");
  const title = r.allowed ? "Allowed" : kind === "EXPLICIT_DENY" ? "Denied by an explicit Deny" : "Denied: no policy allows it";
  const deciding = r.decidingLevel;
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
            deciding.policyName ? [" by ", h("strong", null, deciding.policyName), " ", idText(deciding.policyId)] : "",
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
        r.levels.map((/** @type {any} */ l) => {
          const name = nodes.get(l.targetId)?.name;
          return [
            h("span", { class: deciding && deciding.targetId === l.targetId ? "deciding" : "" }, h("span", { class: "muted" }, `${l.targetType} `), name ? `${name} ` : "", idText(l.targetId)),
            l.policies.length ? l.policies.map((/** @type {any} */ p) => policyChip({ ...p, type: "SERVICE_CONTROL_POLICY" })) : h("span", { class: "muted" }, "none"),
            matches(l.allowedBy, "ok"),
            matches(l.deniedBy, "danger"),
          ];
        }),
      ),
    );
  }
  return out;
}

/** @param {any[]} list @param {string} kind */
function matches(list, kind) {
  if (!list || list.length === 0) return h("span", { class: "muted" }, "—");
  return list.map((m) => badge(m.sid ? `${m.policyName} · ${m.sid}` : m.policyName, kind, m.policyId));
}

// ------------------------------------------------------------------------------------------------
// Tabs, header buttons, search, reset
// ------------------------------------------------------------------------------------------------

/** @param {string} tab */
function switchTab(tab) {
  ui.tab = tab;
  for (const button of document.querySelectorAll("[data-tab]")) {
    const el = /** @type {HTMLElement} */ (button);
    el.setAttribute("aria-selected", String(el.dataset.tab === tab));
  }
  for (const name of ["events", "policies", "handshakes", "explain"]) $(`tab-${name}`).hidden = name !== tab;
}

/** @param {number} seconds */
const advance = (seconds) => call("POST", `${API}/clock`, { advanceSeconds: seconds });

function wire() {
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => act(() => advance(Number(/** @type {HTMLElement} */ (button).dataset.advance))));
  }
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => switchTab(/** @type {HTMLElement} */ (button).dataset.tab ?? "events"));
  }
  switchTab(ui.tab);

  const search = /** @type {HTMLInputElement} */ ($("search"));
  let timer = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      ui.search = search.value.trim();
      ui.searchLimit = SEARCH_PAGE;
      void refresh();
    }, 250);
  });

  $("collapse-all").addEventListener("click", () => {
    ui.open.clear();
    ui.autoOpen = false;
    search.value = "";
    ui.search = "";
    void refresh();
  });

  $("explain-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void runExplain();
  });

  const dialog = /** @type {HTMLDialogElement} */ ($("reset-dialog"));
  $("reset").addEventListener("click", () => dialog.showModal());
  $("reset-cancel").addEventListener("click", () => dialog.close());
  $("reset-confirm").addEventListener("click", () => {
    dialog.close();
    ui.open.clear();
    ui.selected = { kind: "org" };
    ui.olderEvents = [];
    ui.olderToken = undefined;
    fill($("explain-result"));
    void act(async () => {
      await call("POST", `${API}/reset`);
      toast("orgsim was reset.", "info");
    });
  });

  setInterval(renderClock, 1000);
}

wire();
void refresh().then(() => setTimeout(poll, POLL_MS));
