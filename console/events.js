// The events tab: the organization's events, newest first; older pages on demand.
// @ts-check
import { getOlderEvents } from "./api.js";
import { fill, h, $ } from "./dom.js";
import { fmtNumber, fmtTime } from "./format.js";
import { data, ui } from "./model.js";
import { idText, toast } from "./widgets.js";

/** @typedef {import("../src/console/types.js").EventView} EventView */

export function renderEvents() {
  const panel = $("tab-events");
  const org = data.state?.organization;
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
  fill(
    panel,
    list,
    token
      ? h("button", { type: "button", class: "btn-small load-older", onclick: () => loadOlderEvents(token) }, "Load older events")
      : null,
  );
}

function nextOlderToken() {
  const org = data.state?.organization;
  if (!org) return null;
  return ui.olderToken === undefined ? org.eventsNextToken : ui.olderToken;
}

/** @param {string} token */
async function loadOlderEvents(token) {
  try {
    const org = data.state?.organization;
    if (!org) return;
    const page = await getOlderEvents(org.id, token);
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

/** @param {EventView} e */
function callerTitle(e) {
  const d = e.detail && typeof e.detail === "object" ? e.detail : {};
  return [e.principalArn, ...CALLER_KEYS.filter((k) => d[k]).map((k) => `${k}: ${d[k]}`)].filter(Boolean).join("\n");
}

/** key=value pieces of an event's detail (the caller's facts left out). @param {EventView["detail"]} detailValue */
function detailPairs(detailValue) {
  if (!detailValue || typeof detailValue !== "object") return [];
  return Object.entries(detailValue)
    .filter(([k, v]) => !CALLER_KEYS.includes(k) && v !== null && v !== undefined)
    .map(([k, v]) =>
      h("span", { class: "kv" }, h("span", { class: "k" }, k), h("span", { class: "v" }, typeof v === "string" ? v : JSON.stringify(v))),
    );
}
