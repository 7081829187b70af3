/**
 * AWS Organizations' quotas as configuration. `aws` mirrors AWS's default quotas (so code that
 * must cope with them can be tested); `local`, the default, is generous for local work.
 * Choose with --quotas aws|local (ORGSIM_QUOTAS); PUT /_orgsim/quotas overrides single quotas.
 */
import { hotQuery } from "./store/hot.js";
import type { Tx } from "./store/store.js";
import { StateUnavailableError } from "./store/errors.js";
export interface Quotas {
  /** Accounts in an organization, the management account included (ACCOUNT_NUMBER_LIMIT_EXCEEDED). */
  accountsPerOrganization: number;
  /** Organizational units in an organization (OU_NUMBER_LIMIT_EXCEEDED). */
  ousPerOrganization: number;
  /** Policies of one type in an organization (POLICY_NUMBER_LIMIT_EXCEEDED). */
  policiesPerType: number;
  /** Invitations an organization may send in a day (HANDSHAKE_RATE_LIMIT_EXCEEDED). */
  invitationsPerDay: number;
  /** Share of member accounts that may be closed in a rolling 30 days (CLOSE_ACCOUNT_QUOTA_EXCEEDED)... */
  closeAccountShare: number;
  /** ...but never fewer than this many, nor more than closeAccountMax. */
  closeAccountMin: number;
  closeAccountMax: number;
}

export const QUOTA_PRESETS: Readonly<Record<"aws" | "local", Quotas>> = {
  aws: {
    accountsPerOrganization: 10,
    // The quotas page (orgs_reference_limits) lists 2,000 OUs per organization.
    ousPerOrganization: 2000,
    policiesPerType: 1000,
    invitationsPerDay: 20,
    // The higher of 250 or 20% of the member accounts, at most 1,000 (CloseAccount's reference).
    closeAccountShare: 0.2,
    closeAccountMin: 250,
    closeAccountMax: 1000,
  },
  local: {
    accountsPerOrganization: 1_000_000,
    ousPerOrganization: 2000,
    policiesPerType: 1000,
    invitationsPerDay: 1_000_000,
    closeAccountShare: 1,
    closeAccountMin: 1_000_000,
    closeAccountMax: 1_000_000,
  },
};

export function quotasFor(preset: string): Quotas {
  const quotas = QUOTA_PRESETS[preset as "aws" | "local"];
  if (!quotas) throw new Error(`unknown quota preset "${preset}" (use aws or local)`);
  return quotas;
}

const OVERRIDES_KEY = "quota_overrides";

/** Largest count a quota may be set to. */
export const MAX_QUOTA = 1_000_000_000;

/** Checks a control-API body of quota overrides: known names, whole counts 0..MAX_QUOTA, closeAccountShare 0..1. */
export function validateOverrides(body: Record<string, unknown>): string | undefined {
  for (const [name, value] of Object.entries(body)) {
    if (!Object.hasOwn(QUOTA_PRESETS.aws, name)) return `unknown quota "${name}"; quotas are ${Object.keys(QUOTA_PRESETS.aws).join(", ")}`;
    if (name === "closeAccountShare") {
      if (typeof value !== "number" || !(value >= 0 && value <= 1)) return "closeAccountShare must be a number from 0 to 1";
    } else if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_QUOTA) {
      return `${name} must be a whole number from 0 to ${MAX_QUOTA}`;
    }
  }
  return undefined;
}

/** Checks the quotas in force once overrides are merged over the preset (closeAccountMin <= closeAccountMax). */
export function quotasProblem(q: Quotas): string | undefined {
  if (q.closeAccountMin > q.closeAccountMax)
    return `closeAccountMin (${q.closeAccountMin}) must not exceed closeAccountMax (${q.closeAccountMax})`;
  return undefined;
}

/** The stored overrides; a stored value that no longer validates is reported, not used. */
export async function readOverrides(tx: Tx): Promise<Partial<Quotas>> {
  const [row] = await hotQuery(tx, "quota-overrides", [OVERRIDES_KEY], (t) =>
    t.selectFrom("meta").select("value").where("key", "=", OVERRIDES_KEY),
  );
  if (!row) return {};
  let value: unknown;
  try {
    value = JSON.parse(row.value);
  } catch {
    value = undefined;
  }
  const problem =
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? validateOverrides(value as Record<string, unknown>)
      : "not a JSON object";
  if (problem) {
    throw new StateUnavailableError(
      `The stored quota overrides are unusable (${problem}); set them again with PUT /_orgsim/quotas or POST /_orgsim/reset.`,
    );
  }
  return value as Partial<Quotas>;
}

export async function writeOverrides(tx: Tx, overrides: Partial<Quotas>): Promise<void> {
  const value = JSON.stringify(overrides);
  await tx
    .insertInto("meta")
    .values({ key: OVERRIDES_KEY, value })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
    .execute();
}

/** The quotas in force for this call: the preset of --quotas, then the control API's overrides (shared by replicas). */
export async function quotas(ctx: { tx: Tx; settings: { quotas: string } }): Promise<Quotas> {
  return { ...quotasFor(ctx.settings.quotas), ...(await readOverrides(ctx.tx)) };
}
