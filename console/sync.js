// Keeping the page current: fetch the state (refetch once more if asked again meanwhile), poll
// GET /_orgsim/state/version every second and refetch only when it changes.
// @ts-check
import { getAccountDetail, getState, getVersion } from "./api.js";
import { $ } from "./dom.js";
import { POLL_MS, data, indexTree, openParam, ui } from "./model.js";
import { toast } from "./widgets.js";

/** Draws the page from `data`; set once by app.js (the panels import this module, not the reverse). */
let render = () => {};

/** @param {() => void} fn */
export function onRender(fn) {
  render = fn;
}

let inflight = /** @type {Promise<void> | null} */ (null);
let again = false;

/** Refetches the state (once more if asked again while a fetch is running), then renders. */
export function refresh() {
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

/** Runs a user action; errors become a toast, success refreshes the page. */
export async function act(/** @type {() => Promise<unknown>} */ fn) {
  try {
    await fn();
  } catch (err) {
    toast(err instanceof Error ? err.message : String(err));
  }
  await refresh();
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
  const next = await getState(params);
  const orgId = next.organization?.id ?? "";
  if (orgId !== (data.state?.organization?.id ?? "")) {
    ui.olderEvents = [];
    ui.olderToken = undefined;
  }
  data.state = next;
  ui.version = next.version;
  ui.clock = { virtualMs: Date.parse(next.clock.now), fetchedAt: Date.now(), offsetSeconds: next.clock.offsetSeconds };
  data.nodes = new Map();
  if (next.organization) indexTree(next.organization.root);
  if (ui.selected.kind === "account") {
    try {
      data.detail = await getAccountDetail(ui.selected.id);
    } catch {
      data.detail = null;
    }
  } else {
    data.detail = null;
  }
  render();
}

function setLive(/** @type {boolean} */ ok) {
  const el = $("live");
  el.textContent = ok ? "live" : "offline";
  el.className = `live ${ok ? "live-ok" : "live-down"}`;
}

export async function poll() {
  try {
    if (!document.hidden) {
      const { version } = await getVersion();
      setLive(true);
      if (version !== ui.version) await refresh();
    }
  } catch {
    setLive(false);
  }
  setTimeout(poll, POLL_MS);
}
