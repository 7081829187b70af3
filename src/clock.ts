/**
 * The virtual clock: real time plus an offset kept in the shared state, so that every replica
 * agrees and four days pass in a millisecond. Timestamps and waiting periods use it; rate
 * limits use real time.
 *
 * The offset is set only within a range that keeps every timestamp printable as AWS prints it
 * (ISO-8601 with a four-digit year): the virtual time must stay between MIN_VIRTUAL_TIME and
 * MAX_VIRTUAL_TIME. A stored value that is not a usable offset (written by an older orgsim, or
 * by hand) is reported, not used: each call that needs the clock gets a clear error naming the
 * fix, and the health check says degraded, until the clock is set again or the state reset.
 */
import { andThen, cachedNow, type Cached, type Tx } from "./store/store.js";
import { hotQuery } from "./store/hot.js";
import { AwsError } from "./protocol/errors.js";
import { StateUnavailableError } from "./store/errors.js";

const KEY = "clock_offset_ms";

/** The earliest virtual time the clock may be set to: 1970-01-01T00:00:00.000Z. */
export const MIN_VIRTUAL_TIME = 0;
/** The latest virtual time the clock may be set to: 9999-01-01T00:00:00.000Z (a year of headroom for four-digit years). */
export const MAX_VIRTUAL_TIME = Date.UTC(9999, 0, 1);
/** Largest virtual time a stored offset may give and still be read (JavaScript dates end at 8.64e15 ms; keep years of margin). */
const MAX_READABLE_TIME = 8.64e15 - 1e13;

const iso = (ms: number) => new Date(ms).toISOString();

/** The problem with a stored clock value, or undefined when it is a usable offset (ms) at `realNow`. */
export function storedOffsetProblem(value: string, realNow = Date.now()): string | undefined {
  const offset = Number(value);
  if (!Number.isSafeInteger(offset) || Math.abs(realNow + offset) > MAX_READABLE_TIME) {
    return `The stored virtual clock offset (${JSON.stringify(value.slice(0, 40))} ms) is not a usable offset; set the clock again with POST /_orgsim/clock {"offsetSeconds": 0} (or POST /_orgsim/reset).`;
  }
  return undefined;
}

/** The virtual time now, in the transaction `tx`: real time plus the stored offset (what every call and control route means by "now"). */
export function virtualNow(tx: Tx): Cached<number> {
  return andThen(clockRow(tx), (row) => Date.now() + offsetOf(row));
}

interface ClockRow {
  value: string;
}

function clockRow(tx: Tx): Cached<ClockRow | undefined> {
  return cachedNow(tx, "clock", "", async () => {
    const rows = await hotQuery(tx, "clock", [KEY], (t) => t.selectFrom("meta").select("value").where("key", "=", KEY));
    return rows[0];
  });
}

export async function readClockOffset(tx: Tx): Promise<number> {
  return offsetOf(await clockRow(tx));
}

/** The offset a stored clock row holds (0 without one); StateUnavailableError for one that is not usable. */
function offsetOf(row: ClockRow | undefined): number {
  if (!row) return 0;
  const problem = storedOffsetProblem(row.value);
  if (problem) throw new StateUnavailableError(problem);
  return Number(row.value);
}

/**
 * The offsets (ms) the clock may be set to at `realNow`, and the 400 for one outside them: it
 * names the range of virtual times and, at this moment, of offsets in seconds.
 */
export function clockRange(realNow = Date.now()): { minOffsetMs: number; maxOffsetMs: number } {
  return { minOffsetMs: MIN_VIRTUAL_TIME - realNow, maxOffsetMs: MAX_VIRTUAL_TIME - realNow };
}

export function clockRangeError(what: string, realNow = Date.now()): AwsError {
  const { minOffsetMs, maxOffsetMs } = clockRange(realNow);
  return new AwsError(
    "BadRequest",
    `${what} would move the virtual clock outside ${iso(MIN_VIRTUAL_TIME)} .. ${iso(MAX_VIRTUAL_TIME)}; at this moment the offset must be between ${Math.ceil(minOffsetMs / 1000)} and ${Math.floor(maxOffsetMs / 1000)} seconds.`,
    { status: 400 },
  );
}

/** Whether an offset (ms) keeps the virtual time within range at `realNow`. */
export function offsetInRange(offsetMs: number, realNow = Date.now()): boolean {
  const { minOffsetMs, maxOffsetMs } = clockRange(realNow);
  return Number.isSafeInteger(offsetMs) && offsetMs >= minOffsetMs && offsetMs <= maxOffsetMs;
}

export async function advanceClock(tx: Tx, seconds: number): Promise<number> {
  const offset = (await readClockOffset(tx)) + Math.round(seconds * 1000);
  if (!offsetInRange(offset)) throw clockRangeError(`advanceSeconds ${seconds}`);
  await setClockOffset(tx, offset);
  return offset;
}

/** Sets the offset (ms); one that would leave the range is a 400 and changes nothing. */
export async function setClockOffset(tx: Tx, offsetMs: number): Promise<void> {
  if (!offsetInRange(offsetMs)) throw clockRangeError(`An offset of ${offsetMs / 1000} seconds`);
  await tx
    .insertInto("meta")
    .values({ key: KEY, value: String(offsetMs) })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: String(offsetMs) }))
    .execute();
}

export function clockView(offsetMs: number): { now: string; offsetSeconds: number } {
  return { now: iso(Date.now() + offsetMs), offsetSeconds: offsetMs / 1000 };
}
