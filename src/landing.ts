/**
 * `GET /` from a person or a script that is not an AWS client (no SigV4 signature): a short page
 * that says what answers on this port and where to go next (the console, health, the docs) and
 * how to point clients at it. HTML for a browser (by its Accept header), JSON otherwise.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HttpRequestParts } from "./auth/sigv4.js";
import type { Reply } from "./unserved.js";

let version: string | null | undefined;

/** orgsim's version, from the package.json above this module (src/ or dist/src/); null when not found. */
export function packageVersion(): string | null {
  if (version !== undefined) return version;
  version = null;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
        if (pkg.name === "orgsim" && typeof pkg.version === "string") version = pkg.version;
      } catch {
        // An unreadable package.json: no version to show.
      }
      break;
    }
    dir = dirname(dir);
  }
  return version;
}

/** True for a plain `GET /` (or HEAD) that no AWS client would send: unsigned, no X-Amz-Target, no Action. */
export function isLandingRequest(parts: HttpRequestParts): boolean {
  if (parts.method !== "GET" && parts.method !== "HEAD") return false;
  if (parts.path !== "/" || parts.query.has("Action") || parts.query.has("X-Amz-Credential")) return false;
  const auth = parts.headers.authorization;
  return typeof auth !== "string" && parts.headers["x-amz-target"] === undefined;
}

export interface LandingFacts {
  /** The address the client used (from its Host header), e.g. http://localhost:4599. */
  endpoint: string;
  /** The services served, the main one (Organizations) first. */
  services: readonly { name: string; title: string }[];
  controlApi: boolean;
}

/** "a, b and c". */
const inWords = (items: readonly string[]): string =>
  items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}` : items.join("");

/** The landing document, as JSON. */
export function landingDocument(facts: LandingFacts): Record<string, unknown> {
  const { endpoint } = facts;
  const [main, ...others] = facts.services.map((s) => s.title);
  const about = others.length > 0 ? `${main}, with the ${inWords(others)} calls it needs,` : main;
  return {
    name: "orgsim",
    version: packageVersion(),
    about: `A local implementation of ${about} over AWS's own wire protocols.`,
    endpoint,
    services: facts.services.map((s) => s.name),
    console: facts.controlApi ? `${endpoint}/_orgsim/console` : null,
    health: facts.controlApi ? `${endpoint}/_orgsim/health` : null,
    controlApi: facts.controlApi ? `${endpoint}/_orgsim/` : "turned off (--no-control-api)",
    docs: "README.md of the orgsim package (npm: orgsim), and docs/ beside it",
    clients: {
      environment: [
        `export AWS_ENDPOINT_URL=${endpoint}`,
        "export AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1",
      ],
      awsCli: `aws --endpoint-url ${endpoint} organizations describe-organization`,
      boto3: `boto3.client("organizations", endpoint_url="${endpoint}")`,
      jsSdkV3: `new OrganizationsClient({ endpoint: "${endpoint}" })`,
      credentials: "any secret; a 12-digit access key id is the root user of that account",
    },
  };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function landingHtml(facts: LandingFacts): string {
  const doc = landingDocument(facts);
  const e = escapeHtml;
  const clients = doc.clients as Record<string, string> & { environment: string[] };
  const link = (href: string | null, text: string) => (href ? `<a href="${e(href)}">${e(text)}</a>` : e(text));
  const version = typeof doc.version === "string" ? ` ${e(doc.version)}` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>orgsim${version}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1f2933}code,pre{font:13px ui-monospace,monospace;background:#f1f3f5;border-radius:4px}pre{padding:.6rem .8rem;overflow-x:auto}code{padding:.1rem .3rem}</style>
</head><body>
<h1>orgsim${version}</h1>
<p>${e(String(doc.about))} Serving here: ${facts.services.map((s) => `<code>${e(s.name)}</code>`).join(", ")}.</p>
<ul>
<li>${facts.controlApi ? `${link(`${facts.endpoint}/_orgsim/console`, "Console")}: the organization, who can leave and why, policies, events` : "Console: turned off with the control API (--no-control-api)"}</li>
<li>${facts.controlApi ? `${link(`${facts.endpoint}/_orgsim/health`, "Health")} (<code>/_orgsim/health</code>) and the control API under <code>/_orgsim/</code>` : "Control API and health: turned off (--no-control-api)"}</li>
<li>Docs: ${e(String(doc.docs))}</li>
</ul>
<h2>Point clients here</h2>
<pre>${clients.environment.map(e).join("\n")}
aws organizations describe-organization</pre>
<p>or per client: <code>${e(clients.awsCli!)}</code>, <code>${e(clients.boto3!)}</code>, <code>${e(clients.jsSdkV3!)}</code>. Credentials: ${e(clients.credentials!)}.</p>
</body></html>
`;
}

/** The answer to a landing request: HTML when the client prefers it (a browser), JSON otherwise. */
export function landingReply(parts: HttpRequestParts, facts: LandingFacts): Reply {
  const accept = String(parts.headers.accept ?? "");
  const html = /\btext\/html\b/.test(accept);
  const body = html ? landingHtml(facts) : `${JSON.stringify(landingDocument(facts), null, 2)}\n`;
  return {
    status: 200,
    headers: { "Content-Type": html ? "text/html; charset=utf-8" : "application/json", "Cache-Control": "no-store" },
    body,
  };
}
