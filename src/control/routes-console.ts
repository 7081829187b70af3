/**
 * The console's routes: the page (plain HTML, JavaScript and CSS from `console/`) and the JSON it
 * reads. The page's actions use the control API's own routes (clock, standalone readiness,
 * explain, reset, events), so the console can do nothing a script can't.
 *
 *   GET /_orgsim/console                     the page
 *   GET /_orgsim/console/{app.js,style.css}  its assets
 *   GET /_orgsim/state                       ?organizationId=&open=r-x:100,ou-y:0&autoOpen=&search=&searchLimit=
 *   GET /_orgsim/state/version               {"version": "..."}: changes whenever the state the page shows does
 *   GET /_orgsim/state/accounts/{id}         one account: leave verdict, readiness, path, policies per level
 */
import { bad, json as jsonAnswer, type ControlResponse, type RouteEntry } from "./http.js";
import { readConsoleAsset } from "../console/assets.js";
import { orgsimVersion } from "../version.js";
import { accountDetail, consoleState, stateVersion, MAX_PAGE, MAX_SEARCH_LENGTH, type ConsoleQuery } from "../console/state.js";

/** The console's JSON is never cached: it is the state now. */
const json = (status: number, value: unknown): ControlResponse => jsonAnswer(status, value, { "Cache-Control": "no-store" });

/** The page runs only its own script and style: nothing it renders can run code. */
const PAGE_HEADERS: Record<string, string> = {
  "Cache-Control": "no-cache",
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const CONTAINER_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

async function asset(name: string): Promise<ControlResponse> {
  const file = await readConsoleAsset(name);
  if (!file) return json(404, { error: "NotFound", message: `No console asset ${name}` });
  // The page shows which orgsim serves it (the version in package.json).
  const body = name === "index.html" ? file.body.replaceAll("{{ORGSIM_VERSION}}", orgsimVersion()) : file.body;
  return { status: 200, body, contentType: file.contentType, headers: PAGE_HEADERS };
}

function count(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) throw bad(`${what} must be a whole number from 0 to ${MAX_PAGE}.`);
  return n;
}

/** Reads ?organizationId=&open=&autoOpen=&search=&searchLimit=. */
export function parseConsoleQuery(url: URL): ConsoleQuery {
  const params = url.searchParams;
  const organizationId = params.get("organizationId") || undefined;
  if (organizationId !== undefined && !ORG_ID.test(organizationId)) throw bad("organizationId must look like o-exampleorgid.");
  const open = new Map<string, number>();
  for (const item of (params.get("open") ?? "").split(",")) {
    if (item.trim() === "") continue;
    const [id = "", shown] = item.trim().split(":");
    if (!CONTAINER_ID.test(id)) throw bad(`open lists root and OU ids, each with an optional ":count"; "${id}" is neither.`);
    open.set(id, shown === undefined ? 100 : count(shown, `The count of ${id}`));
  }
  const search = params.get("search") ?? undefined;
  if (search !== undefined && search.length > MAX_SEARCH_LENGTH) throw bad(`search is at most ${MAX_SEARCH_LENGTH} characters.`);
  const limit = params.get("searchLimit");
  const autoOpen = params.get("autoOpen");
  if (autoOpen !== null && autoOpen !== "true" && autoOpen !== "false") throw bad("autoOpen is true or false.");
  return {
    organizationId,
    open,
    autoOpen: autoOpen !== "false",
    search,
    searchLimit: limit === null ? undefined : count(limit, "searchLimit"),
  };
}

export const consoleRoutes: RouteEntry[] = [
  ["GET", /^\/_orgsim\/console\/?$/, async () => asset("index.html")],
  ["GET", /^\/_orgsim\/console\/([\w.-]+)$/, async (_app, _req, [name]) => asset(name!)],
  ["GET", /^\/_orgsim\/state$/, async (app, _req, _params, url) => json(200, await consoleState(app, parseConsoleQuery(url)))],
  ["GET", /^\/_orgsim\/state\/version$/, async (app) => json(200, { version: await stateVersion(app) })],
  [
    "GET",
    /^\/_orgsim\/state\/accounts\/(\d{12})$/,
    async (app, _req, [id]) => {
      const detail = await accountDetail(app, id!);
      if (!detail.account && !detail.standalone) return json(404, { error: "NotFound", message: `orgsim knows no account ${id}.` });
      return json(200, detail);
    },
  ],
];
