/** SCP enforcement for calls by principals of member accounts (filled in by the policies work). */
import type { CallContext } from "../context.js";

export async function enforceScps(_ctx: CallContext, _action: string, _resource: string): Promise<void> {
  // Evaluated by src/policy/evaluate.ts once SCP storage lands.
}
