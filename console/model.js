// What the page holds: the user's choices (`ui`) and the server's last answers (`data`).
// @ts-check

/**
 * @typedef {import("../src/console/types.js").AccountDetail} AccountDetail
 * @typedef {import("../src/console/types.js").ConsoleState} ConsoleState
 * @typedef {import("../src/console/types.js").EventView} EventView
 * @typedef {import("../src/console/types.js").TreeNode} TreeNode
 * @typedef {{ kind: "org" } | { kind: "container", id: string } | { kind: "account", id: string }} UiSelection
 * @typedef {"events" | "policies" | "handshakes" | "explain"} TabName
 */

/** Accounts shown per open container (and per "Show more"). */
export const PAGE = 100;
/** Matches shown per search (and per "Show more"). */
export const SEARCH_PAGE = 200;
export const POLL_MS = 1000;
export const STORAGE_KEY = "orgsim.console.organizationId";

export const ui = {
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
  /** @type {TabName} */
  tab: "events",
  version: "",
  /** Events older than the state's latest page, loaded with "Load older events". */
  olderEvents: /** @type {EventView[]} */ ([]),
  olderToken: /** @type {string | null | undefined} */ (undefined),
  seenEvents: /** @type {Set<string>} */ (new Set()),
  firstLoad: true,
  /** Where the virtual clock was at the last fetch, against the browser's clock. */
  clock: { virtualMs: 0, fetchedAt: 0, offsetSeconds: 0 },
};

export const data = {
  /** The last GET /_orgsim/state answer. @type {ConsoleState | null} */
  state: null,
  /** GET /_orgsim/state/accounts/{id} for the selected account. @type {AccountDetail | null} */
  detail: null,
  /** Container id -> tree node of the last state. @type {Map<string, TreeNode>} */
  nodes: new Map(),
};

/** Whether a container shows its content: in a search, when it holds matches; else as the user chose, or the server's default. @param {TreeNode} node */
export function isOpen(node) {
  if (ui.search) return (node.matches ?? 0) > 0 || node.type === "ROOT";
  const shown = ui.open.get(node.id);
  return shown === undefined ? node.open === true : shown > 0;
}

/**
 * The `open` query parameter: the containers the user opened (with how many accounts to show)
 * or closed (0). The server opens the others by its default while the tree stays small, and
 * looks only at containers whose parents are open.
 */
export function openParam() {
  return [...ui.open].map(([id, shown]) => `${id}:${shown}`).join(",");
}

/** Indexes a tree of containers by id into `data.nodes`. @param {TreeNode} node */
export function indexTree(node) {
  data.nodes.set(node.id, node);
  for (const child of node.children) indexTree(child);
}
