// orgsim console: plain JavaScript ES modules, no build step, no dependencies.
//
// It reads GET /_orgsim/state (one organization's tree, accounts of the open containers,
// policies, handshakes, events) and polls GET /_orgsim/state/version every second, refetching
// only when the version changes. Its buttons call the control API (clock, standalone readiness,
// reset, explain), exactly as a script would.
//
// Every piece of data reaches the page through text nodes and attribute setters, never
// innerHTML, and the page's Content-Security-Policy runs no other script.
//
// The modules, each imported by name from /_orgsim/console/ (src/console/assets.ts lists them):
//   app.js         this one: draws every panel, wires the buttons, starts polling
//   api.js         the control API calls and the JSON they answer
//   model.js       what the page holds: the user's choices and the server's last answers
//   sync.js        refresh, poll, and running a user action
//   dom.js         building elements from data; format.js and widgets.js: what panels share
//   header.js, tree.js, detail.js, events.js, policies.js, handshakes.js, explain.js, tabs.js
// `tsc -p console/tsconfig.json` checks them (npm test runs it), with the types of the server's
// JSON from src/console/types.ts.
// @ts-check
import { advance, reset } from "./api.js";
import { fill, $, input } from "./dom.js";
import { renderDetail } from "./detail.js";
import { renderEvents } from "./events.js";
import { renderExplainChoices, runExplain } from "./explain.js";
import { renderHandshakes } from "./handshakes.js";
import { renderClock, renderOrgPicker } from "./header.js";
import { POLL_MS, SEARCH_PAGE, ui } from "./model.js";
import { renderPolicies } from "./policies.js";
import { act, onRender, poll, refresh } from "./sync.js";
import { switchTab, tabNamed } from "./tabs.js";
import { renderTree } from "./tree.js";
import { toast } from "./widgets.js";

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

function wire() {
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => act(() => advance(Number(/** @type {HTMLElement} */ (button).dataset.advance))));
  }
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => switchTab(tabNamed(/** @type {HTMLElement} */ (button).dataset.tab)));
  }
  switchTab(ui.tab);

  const search = input("search");
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
      await reset();
      toast("orgsim was reset.", "info");
    });
  });

  setInterval(renderClock, 1000);
}

onRender(render);
wire();
void refresh().then(() => setTimeout(poll, POLL_MS));
