// Talking to orgsim: the control API's JSON, as the page reads it. The page can do nothing a
// script can't: it reads GET /_orgsim/state (and .../version, .../accounts/{id}), and its buttons
// call the control API's own routes (clock, standalone readiness, events, explain, reset).
// @ts-check

/**
 * @typedef {import("../src/console/types.js").AccountDetail} AccountDetail
 * @typedef {import("../src/console/types.js").ConsoleState} ConsoleState
 * @typedef {import("../src/console/types.js").ErrorAnswer} ErrorAnswer
 * @typedef {import("../src/console/types.js").EventsPage} EventsPage
 * @typedef {import("../src/console/types.js").ExplainAnswer} ExplainAnswer
 * @typedef {import("../src/console/types.js").Readiness} Readiness
 * @typedef {import("../src/console/types.js").VersionAnswer} VersionAnswer
 */

export const API = "/_orgsim";

/**
 * One request; the answer's JSON, or an Error with the answer's message (and `status`).
 * @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<unknown>}
 */
export async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const text = await res.text();
  /** @type {unknown} */
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    value = { message: text };
  }
  if (!res.ok) {
    const err = new Error(/** @type {ErrorAnswer | null} */ (value)?.message ?? `${method} ${path}: HTTP ${res.status}`);
    Object.assign(err, { status: res.status });
    throw err;
  }
  return value;
}

/** GET /_orgsim/state. @param {URLSearchParams} params */
export const getState = (params) => /** @type {Promise<ConsoleState>} */ (call("GET", `${API}/state?${params}`));

export const getVersion = () => /** @type {Promise<VersionAnswer>} */ (call("GET", `${API}/state/version`));

/** @param {string} accountId */
export const getAccountDetail = (accountId) => /** @type {Promise<AccountDetail>} */ (call("GET", `${API}/state/accounts/${accountId}`));

/** Older events of an organization, from a `nextToken`. @param {string} organizationId @param {string} token */
export const getOlderEvents = (organizationId, token) =>
  /** @type {Promise<EventsPage>} */ (
    call("GET", `${API}/events?organizationId=${encodeURIComponent(organizationId)}&maxResults=100&nextToken=${encodeURIComponent(token)}`)
  );

/** @param {URLSearchParams} params accountId, action, resource */
export const explain = (params) => /** @type {Promise<ExplainAnswer>} */ (call("GET", `${API}/explain?${params}`));

/** What a standalone account has (support plan, contact information, payment method). @param {string} accountId @param {Partial<Readiness>} readiness */
export const setReadiness = (accountId, readiness) => call("PUT", `${API}/accounts/${accountId}/standalone`, readiness);

/** @param {number} seconds */
export const advance = (seconds) => call("POST", `${API}/clock`, { advanceSeconds: seconds });

export const reset = () => call("POST", `${API}/reset`);
