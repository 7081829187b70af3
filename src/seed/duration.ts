/** Durations as people write them: 90, 30s, 15m, 2h, 4d (and a sign for clock offsets). */

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
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (abs >= size && Number.isInteger(abs / size)) return `${sign}${abs / size}${unit}`;
  }
  return `${sign}${abs}s`;
}

/** "2 days 3 hours", for people (rounded to the minute; seconds below a minute). */
export function describeDuration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 60) return `${Math.round(abs * 1000) / 1000} second${abs === 1 ? "" : "s"}`;
  const minutes = Math.round(abs / 60);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const plural = (n: number, word: string) => (n ? `${n} ${word}${n > 1 ? "s" : ""}` : "");
  return [plural(days, "day"), plural(hours, "hour"), plural(mins, "minute")].filter(Boolean).join(" ");
}
