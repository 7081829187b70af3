/**
 * The control token (`--control-token`): what a control API request presents, how it is
 * compared (in constant time), and the console's browser flow. Opening
 * `/_orgsim/console?token=...` once sets an HttpOnly, SameSite=Strict cookie and redirects to
 * the same page without the token in its address; the page's own requests then carry the
 * cookie. The cookie holds an HMAC of the token, never the token itself.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

type Headers = Record<string, string | string[] | undefined>;

export const CONTROL_TOKEN_HEADER = "x-orgsim-control-token";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/** Equal-length digests compared with timingSafeEqual: the time taken says nothing about the token. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The console cookie's value for a token. */
export function consoleCookieValue(token: string): string {
  return createHmac("sha256", token).update("orgsim console cookie v1").digest("base64url");
}

/**
 * The cookie's name carries the port: browsers share cookies between ports of one host, and two
 * orgsim servers on one machine have different tokens.
 */
export function consoleCookieName(port: string | undefined): string {
  return `orgsim_console_${port ?? "80"}`;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function cookie(headers: Headers, name: string): string | undefined {
  for (const part of (one(headers.cookie) ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether a request presents the token: `Authorization: Bearer`, `X-Orgsim-Control-Token`, or the console's cookie. */
export function presentsToken(token: string, headers: Headers, port: string | undefined): boolean {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(one(headers.authorization) ?? "");
  if (bearer && sameSecret(bearer[1]!, token)) return true;
  const header = one(headers[CONTROL_TOKEN_HEADER]);
  if (header !== undefined && sameSecret(header.trim(), token)) return true;
  const fromCookie = cookie(headers, consoleCookieName(port));
  return fromCookie !== undefined && sameSecret(fromCookie, consoleCookieValue(token));
}

/** Set-Cookie for the console: this path only, no script access, never sent by another site's page. */
export function consoleCookie(token: string, port: string | undefined): string {
  return `${consoleCookieName(port)}=${consoleCookieValue(token)}; Path=/_orgsim; HttpOnly; SameSite=Strict`;
}

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function page(title: string, paragraphs: string[], extraHead = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>${extraHead}
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style>
</head><body><h1>${title}</h1>
${paragraphs.map((p) => `<p>${p}</p>`).join("\n")}
</body></html>
`;
}

export const PAGE_HEADERS: Record<string, string> = {
  "Content-Security-Policy": PAGE_CSP,
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

/** The console without a (valid) token: what to do. */
export function tokenRequiredPage(wrongToken: boolean): string {
  return page("orgsim: control token required", [
    wrongToken
      ? "The token in that address is not this orgsim's control token."
      : "This orgsim was started with <code>--control-token</code>, so its console and control API need that token.",
    "Open <code>/_orgsim/console?token=YOUR_TOKEN</code> in this browser once (type or paste the address); orgsim then keeps a cookie for this browser session and removes the token from the address.",
    "Scripts send the token as <code>Authorization: Bearer YOUR_TOKEN</code> or <code>X-Orgsim-Control-Token: YOUR_TOKEN</code>; the orgsim CLI sends <code>--control-token</code> or <code>$ORGSIM_CONTROL_TOKEN</code>.",
  ]);
}

/**
 * After a valid `?token=` on a navigation that came from another site: its redirect would not
 * carry the SameSite=Strict cookie, so this page (same-site by then) moves on by itself.
 */
export function continuePage(location: string): string {
  const href = location.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return page(
    "orgsim console",
    [`Signed in for this browser session. <a href="${href}">Open the console</a>.`],
    `<meta http-equiv="refresh" content="0; url=${href}">`,
  );
}
