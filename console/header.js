// The top bar: the organization selector and the virtual clock.
// @ts-check
import { fill, h, $, input } from "./dom.js";
import { fmtSpan, fmtTime, plural } from "./format.js";
import { STORAGE_KEY, data, ui } from "./model.js";
import { refresh } from "./sync.js";
import { idText } from "./widgets.js";

export function renderOrgPicker() {
  const box = $("org-picker");
  const orgs = data.state?.organizations ?? [];
  const current = data.state?.organization;
  if (orgs.length === 0) {
    fill(box, h("span", { class: "muted" }, "No organization"));
    return;
  }
  if (orgs.length === 1 && current) {
    fill(
      box,
      h("span", { class: "org-label" }, idText(current.id), h("span", { class: "muted" }, ` · ${plural(current.accountCount, "account")}`)),
    );
    return;
  }
  const select = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { "aria-label": "Organization", onchange: () => selectOrganization(select.value) },
      orgs.map((o) =>
        h(
          "option",
          { value: o.id, selected: o.id === current?.id },
          `${o.id} · management ${o.managementAccountId} · ${plural(o.accountCount, "account")}`,
        ),
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
  input("explain-account").value = "";
  fill($("explain-result"));
  void refresh();
}

export function renderClock() {
  $("timing-badge").hidden = !data.state?.timing?.completeAsyncImmediately;
  const virtual = ui.clock.virtualMs + (Date.now() - ui.clock.fetchedAt);
  $("clock-now").textContent = `${fmtTime(new Date(virtual).toISOString())} UTC`;
  const offset = ui.clock.offsetSeconds;
  $("clock-offset").textContent = offset === 0 ? "(real time)" : `(${offset > 0 ? "+" : "−"}${fmtSpan(offset)})`;
}
