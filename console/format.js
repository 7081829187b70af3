// Numbers, times and JSON as the console writes them.
// @ts-check

/** @param {number} n */
export const fmtNumber = (n) => n.toLocaleString("en-US");

/** "1 account", "2 accounts", "1 match", "3 matches": the count with the noun it takes. */
export const plural = (/** @type {number} */ n, /** @type {string} */ word, /** @type {string} */ many = `${word}s`) =>
  `${fmtNumber(n)} ${n === 1 ? word : many}`;

/** "2025-05-06 14:03:22" from an ISO-8601 time (virtual clock, UTC). */
export function fmtTime(/** @type {string | null | undefined} */ iso) {
  if (!iso) return "—";
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "");
}

/** "4d 2h 5m" for a number of seconds. */
export function fmtSpan(/** @type {number} */ seconds) {
  const s = Math.round(Math.abs(seconds));
  const d = Math.floor(s / 86400);
  const hr = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}d` : "", hr ? `${hr}h` : "", m ? `${m}m` : ""].filter(Boolean);
  return parts.join(" ") || `${s}s`;
}

/** JSON text indented, or the text as it is when it is not JSON. @param {string} text */
export function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
