/**
 * Durations, one module for every place that reads or writes them: as people type them (90, 30s,
 * 15m, 2h, 4d, and a sign for clock offsets: the CLI, seeds, the in-process API), in the shortest
 * exact form (seed export), and in words (the CLI's messages, the request log's "2 days 3 hours
 * left", the console).
 */
import { plural } from "./words.js";

const UNITS = { "": 1, s: 1, m: 60, h: 3600, d: 86400 } as const;
type Unit = keyof typeof UNITS;

/** Seconds in `text` ("4d", "1.5h", "90"); undefined when it is not a duration. */
export function parseDurationSeconds(text: string, options: { signed?: boolean } = {}): number | undefined {
  const m = (options.signed ? /^([+-]?)(\d+(?:\.\d+)?)([smhd]?)$/ : /^()(\d+(?:\.\d+)?)([smhd]?)$/).exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[2]) * UNITS[m[3] as Unit];
  return m[1] === "-" ? -value : value;
}

/** The shortest exact form of a number of seconds: 172800 -> "2d", 5400 -> "90m", 0.5 -> "0.5s". */
export function formatDurationSeconds(seconds: number): string {
  const sign = seconds < 0 ? "-" : "";
  const abs = Math.abs(seconds);
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (abs >= size && Number.isInteger(abs / size)) return `${sign}${abs / size}${unit}`;
  }
  return `${sign}${abs}s`;
}

/** Whole minutes in words: "2 days 3 hours", "1 minute"; "" for none. */
function minutesInWords(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  return [days && plural(days, "day"), hours && plural(hours, "hour"), mins && plural(mins, "minute")].filter(Boolean).join(" ");
}

/** "2 days 3 hours", for people (rounded to the minute; seconds below a minute). */
export function describeDuration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 60) return `${Math.round(abs * 1000) / 1000} second${abs === 1 ? "" : "s"}`;
  return minutesInWords(Math.round(abs / 60));
}

/** Time left until something, for people: rounded up to the minute ("1 minute", never "0"), "less than a minute" at most. */
export function describeTimeLeft(ms: number): string {
  return minutesInWords(Math.ceil(ms / 60_000)) || "less than a minute";
}
