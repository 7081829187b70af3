// The side card's tabs: events, policies, handshakes, explain.
// @ts-check
import { $ } from "./dom.js";
import { ui } from "./model.js";

/** @typedef {import("./model.js").TabName} TabName */

/** @type {TabName[]} */
export const TABS = ["events", "policies", "handshakes", "explain"];

/** @param {TabName} tab */
export function switchTab(tab) {
  ui.tab = tab;
  for (const button of document.querySelectorAll("[data-tab]")) {
    const el = /** @type {HTMLElement} */ (button);
    el.setAttribute("aria-selected", String(el.dataset.tab === tab));
  }
  for (const name of TABS) $(`tab-${name}`).hidden = name !== tab;
}

/** A tab's name from a button's `data-tab`; "events" for anything else. @param {string | undefined} value */
export function tabNamed(value) {
  return TABS.find((t) => t === value) ?? "events";
}
