// The small pieces every panel is made of: ids, badges, tables, fact lists, sections, toasts.
// @ts-check
import { $, h } from "./dom.js";

/** @typedef {import("./dom.js").Child} Child */

/** An id in monospace. @param {string} id */
export const idText = (id) => h("code", { class: "id" }, id);

/** @param {string} text @param {string} [kind] @param {string} [title] */
export const badge = (text, kind = "neutral", title) => h("span", { class: `badge badge-${kind}`, title }, text);

/** @param {string[]} headers @param {Child[][]} rows */
export function table(headers, rows) {
  return h(
    "table",
    { class: "table" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        headers.map((x) => h("th", null, x)),
      ),
    ),
    h(
      "tbody",
      null,
      rows.map((r) =>
        h(
          "tr",
          null,
          r.map((c) => h("td", null, c)),
        ),
      ),
    ),
  );
}

/** @param {string} title @param {...Child} content */
export const section = (title, ...content) => h("section", { class: "detail-section" }, h("h3", null, title), ...content);

/** A definition list; rows without a value are left out. @param {[string, Child][]} rows */
export const facts = (rows) =>
  h(
    "dl",
    { class: "facts" },
    rows.filter(([, v]) => v !== null && v !== undefined && v !== "").map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
  );

/** A message that goes away by itself. @param {string} message */
export function toast(message, kind = "error") {
  const el = h("div", { class: `toast toast-${kind}`, role: "status" }, message);
  $("toasts").append(el);
  setTimeout(() => el.remove(), 6000);
}
