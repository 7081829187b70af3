/**
 * The virtual clock: real time plus an offset kept in the shared state, so that every replica
 * agrees and four days pass in a millisecond. Timestamps and waiting periods use it; rate
 * limits use real time.
 */
import type { Tx } from "./store/store.js";
import { hotQuery } from "./store/hot.js";

const KEY = "clock_offset_ms";

export async function readClockOffset(tx: Tx): Promise<number> {
  const [row] = await hotQuery(tx, "clock", [KEY], (t) => t.selectFrom("meta").select("value").where("key", "=", KEY));
  return row ? Number(row.value) : 0;
}

export async function advanceClock(tx: Tx, seconds: number): Promise<number> {
  const offset = (await readClockOffset(tx)) + Math.round(seconds * 1000);
  await setClockOffset(tx, offset);
  return offset;
}

export async function setClockOffset(tx: Tx, offsetMs: number): Promise<void> {
  await tx
    .insertInto("meta")
    .values({ key: KEY, value: String(offsetMs) })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: String(offsetMs) }))
    .execute();
}

export function clockView(offsetMs: number): { now: string; offsetSeconds: number } {
  return { now: new Date(Date.now() + offsetMs).toISOString(), offsetSeconds: offsetMs / 1000 };
}
