/**
 * LeaveOrganization, in AWS's order: membership and SCPs (the authorization step), management
 * account, rate, then the departure rules it shares with RemoveAccountFromOrganization
 * (src/org/departure.ts: delegated administrator, waiting period, standalone readiness).
 */
import { randomBytes } from "node:crypto";
import type { CallContext } from "../../context.js";
import { op } from "../../context.js";
import { errors } from "../../org/errors.js";
import { getAccountRow, requireOrg, type OrgRow } from "../../org/repo.js";
import { checkDeparture } from "../../org/departure.js";
import { departOrganization } from "../../org/membership.js";

/** The sliding window of the LeaveOrganization rate limit, in real milliseconds. */
export const LEAVE_RATE_WINDOW_MS = 1000;

/** Sliding one-second window per organization, shared through the store (so across replicas). */
async function takeLeaveSlot(ctx: CallContext, org: OrgRow): Promise<void> {
  const scope = `leave:${org.id}`;
  const realNow = Date.now();
  const recent = await ctx.tx
    .selectFrom("rate_events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("scope", "=", scope)
    .where("at", ">", realNow - LEAVE_RATE_WINDOW_MS)
    .executeTakeFirstOrThrow();
  if (Number(recent.n) >= ctx.settings.leaveRatePerSecond) throw errors.tooManyRequests();
  await ctx.tx
    .deleteFrom("rate_events")
    .where("scope", "=", scope)
    .where("at", "<=", realNow - 60_000)
    .execute();
  await ctx.tx
    .insertInto("rate_events")
    .values({ id: `${realNow}-${randomBytes(6).toString("hex")}`, scope, at: realNow })
    .execute();
}

export const LeaveOrganization = op(async (ctx): Promise<Record<string, never>> => {
  const org = await requireOrg(ctx);
  if (org.management_account_id === ctx.principal.accountId) throw errors.masterCannotLeave();
  await takeLeaveSlot(ctx, org);
  const account = await getAccountRow(ctx.tx, ctx.principal.accountId);
  if (!account) throw errors.accountNotFound();
  await checkDeparture(ctx, org, account);
  await departOrganization(ctx, org, account, "LEFT");
  return {};
});
