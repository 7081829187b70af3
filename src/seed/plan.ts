/**
 * A checked seed: what the reader (`read.ts`) hands the applier (`apply.ts`). Every entry keeps its
 * site (path, line and column) so that an operation refusing it while applying can be reported
 * where the seed says it.
 */
import type { Site } from "./errors.js";
import type { SeedReadiness } from "./schema.js";

export interface PlanTag {
  Key: string;
  Value: string;
}

export interface PlanAccount {
  site: Site;
  /** Sites of the entry's keys (`email`, `tags`, ...), to point an operation's error at. */
  fields: Record<string, Site>;
  id?: string;
  email?: string;
  name?: string;
  joined: "created" | "invited";
  roleName?: string;
  createdDaysAgo?: number;
  readiness: SeedReadiness;
  tags: PlanTag[];
  delegatedAdministratorFor: { principal: string; site: Site }[];
  closed: boolean;
  /** The OU path that holds the account ("" for the root). */
  parentPath: string;
}

export interface PlanOu {
  site: Site;
  fields: Record<string, Site>;
  name: string;
  /** "Workloads/Prod". */
  path: string;
  tags: PlanTag[];
  ous: PlanOu[];
  accounts: PlanAccount[];
}

export type PlanTarget =
  { kind: "root" } | { kind: "ou"; path: string } | { kind: "account"; account: PlanAccount } | { kind: "management" };

export interface PlanPolicy {
  site: Site;
  fields: Record<string, Site>;
  name: string;
  type: string;
  description?: string;
  content?: string;
  awsManaged: boolean;
  tags: PlanTag[];
  attach: { target: PlanTarget; site: Site }[];
  detach: { target: PlanTarget; site: Site }[];
}

export interface PlanInvitation {
  site: Site;
  fields: Record<string, Site>;
  target: { Type: "ACCOUNT" | "EMAIL"; Id: string };
  notes?: string;
  tags: PlanTag[];
}

export interface PlanOrganization {
  site: Site;
  fields: Record<string, Site>;
  management: string;
  managementEmail?: string;
  managementName?: string;
  managementTags: PlanTag[];
  managementOu?: string;
  featureSet: "ALL" | "CONSOLIDATED_BILLING";
  policyTypes: { type: string; site: Site }[];
  serviceAccess: { principal: string; site: Site }[];
  rootTags: PlanTag[];
  /** Every account of the organization, root-level first, then OU by OU in document order. */
  accounts: PlanAccount[];
  ous: PlanOu[];
  policies: PlanPolicy[];
  invitations: PlanInvitation[];
}

export interface SeedPlan {
  /** The seed's name in messages (a file name, or "seed"). */
  source: string;
  clockOffsetSeconds?: number;
  clockSite?: Site;
  organizations: PlanOrganization[];
}
