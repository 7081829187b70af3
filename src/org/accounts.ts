/**
 * Rules about the accounts of an organization that several operations share: the address an
 * account may have, the organization's account quota (CreateAccount and InviteAccountToOrganization
 * both count against it), and the role that CreateAccount makes in a new account.
 */
import { hotQuery } from "../store/hot.js";
import type { CallContext } from "../context.js";
import { quotas } from "../quotas.js";
import type { OrgRow } from "./repo.js";

/** The role CreateAccount makes in a new account when the request names none. */
export const DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole";

/**
 * The rules CreateAccount's reference gives for an account's email address, beyond the model's
 * pattern: 7-bit ASCII, one @; a local part without whitespace or any of " ' ( ) < > [ ] : ; , \ | % &
 * that doesn't begin with a dot; a domain of letters, digits, hyphens and dots that neither begins
 * nor ends with a hyphen or a dot and holds at least one dot.
 */
export function isValidAccountEmail(email: string): boolean {
  if (!/^[\x00-\x7f]*$/.test(email)) return false;
  const parts = email.split("@");
  if (parts.length !== 2) return false;
  const [local, domain] = parts as [string, string];
  if (local === "" || local.startsWith(".") || /[\s"'()<>[\]:;,\\|%&]/.test(local)) return false;
  return /^[A-Za-z0-9.-]+$/.test(domain) && !/^[-.]|[-.]$/.test(domain) && domain.includes(".");
}

/** Whether the organization's accounts, pending creations and open invitations included, fill its quota. */
export async function accountQuotaReached(ctx: CallContext, org: OrgRow): Promise<boolean> {
  const limit = (await quotas(ctx)).accountsPerOrganization;
  // Kept by the database as accounts come and go (ACCOUNT_COUNT_DDL in schema.ts): no count of the accounts.
  const [accounts] = await hotQuery(ctx.tx, "org-account-count", [org.id], (t) =>
    t.selectFrom("org_account_counts").select("n").where("org_id", "=", org.id),
  );
  const [invites] = await hotQuery(ctx.tx, "open-invitations", [org.id, "INVITE", "OPEN", "REQUESTED", ctx.now], (t) =>
    t
      .selectFrom("handshakes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("org_id", "=", org.id)
      .where("action", "=", "INVITE")
      .where("state", "in", ["OPEN", "REQUESTED"])
      .where("expires_at", ">", ctx.now),
  );
  return Number(accounts?.n ?? 0) + Number(invites?.n ?? 0) >= limit;
}

export const ACCOUNT_LIMIT_MESSAGE = "You attempted to exceed the limit on the number of accounts in an organization.";
