/**
 * Random bytes for identifiers, drawn from a pool that is refilled from the operating system's
 * CSPRNG (crypto.randomFillSync) when it runs out: each identifier needs a few bytes, and asking
 * for them one identifier at a time was a system call per id (4% of CreateAccount's CPU).
 */
import { randomFillSync } from "node:crypto";

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let used = POOL_SIZE;

/** `n` random bytes (n <= 4096), as a view of the pool: read them before the next call. */
export function randomPoolBytes(n: number): Buffer {
  if (n > POOL_SIZE) throw new RangeError(`at most ${POOL_SIZE} random bytes at a time`);
  if (used + n > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const view = pool.subarray(used, used + n);
  used += n;
  return view;
}
