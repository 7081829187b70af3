/**
 * The current state in the seed format (GET /_orgsim/export, `orgsim export`), so that a state
 * round-trips: seeding an export and exporting again gives the same document. Everything is
 * ordered by a stable key (management account, name, path, email), and account ids are written
 * out (the format pins them); OU, policy and organization ids are not part of the format.
 *
 * Open invitations (INVITE handshakes still OPEN) are exported as `invitations`. Not exported
 * (no place in the format): other handshakes, create-account requests, the event
 * history, issued credentials, faults, resource policies, responsibility transfers, and the
 * Account API's stored documents (contacts, regions); accounts outside any organization.
 */
import { Document } from "yaml";
import type { App } from "../app.js";
import type { Tx } from "../store/store.js";
import type { AccountTable } from "../store/schema.js";
import { readClockOffset } from "../clock.js";
import { DAY_MS, getRoot, implicitEmail, parsePolicyTypes } from "../org/repo.js";
import { AWS_MANAGED_ORG_ID, AWS_MANAGED_POLICIES } from "../org/policy-repo.js";
import { DEFAULT_ROLE_NAME } from "../org/accounts.js";
import { formatDurationSeconds } from "../duration.js";
import { currentState } from "../org/handshakes.js";
import type {
  SeedFile,
  SeedFileAccount,
  SeedFileInvitation,
  SeedFileOrganization,
  SeedFileOu,
  SeedFilePolicy,
  SeedReadiness,
  SeedTags,
} from "./schema.js";

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T): number =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** A policy document as the seed writes it: an object when compact JSON of it is exactly the stored text. */
function contentOf(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === "object" && JSON.stringify(value) === text) return value;
  } catch {
    // Not JSON: kept as the exact text.
  }
  return text;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

async function exportOrganization(tx: Tx, orgId: string, now: number): Promise<SeedFileOrganization> {
  const org = await tx.selectFrom("organizations").selectAll().where("id", "=", orgId).executeTakeFirstOrThrow();
  const root = await getRoot(tx, org.id);
  const ous = await tx.selectFrom("ous").selectAll().where("org_id", "=", org.id).execute();
  const accounts = await tx.selectFrom("accounts").selectAll().where("org_id", "=", org.id).execute();
  const policies = await tx.selectFrom("policies").selectAll().where("org_id", "=", org.id).execute();
  const targets = await tx.selectFrom("policy_targets").selectAll().where("org_id", "=", org.id).execute();
  const delegations = await tx.selectFrom("delegated_admins").selectAll().where("org_id", "=", org.id).execute();
  const access = await tx.selectFrom("service_access").selectAll().where("org_id", "=", org.id).execute();
  const resourceIds = [root.id, ...ous.map((o) => o.id), ...accounts.map((a) => a.id), ...policies.map((p) => p.id)];
  const tagRows = await tx.selectFrom("tags").selectAll().where("resource_id", "in", resourceIds).execute();
  const roleRows =
    accounts.length > 0
      ? await tx
          .selectFrom("roles")
          .selectAll()
          .where(
            "account_id",
            "in",
            accounts.map((a) => a.id),
          )
          .execute()
      : [];

  const tagsOf = (id: string): SeedTags | undefined => {
    const rows = tagRows.filter((t) => t.resource_id === id).sort(byKey((t) => t.key));
    return rows.length > 0 ? Object.fromEntries(rows.map((t) => [t.key, t.value])) : undefined;
  };

  // OU paths, from parent links.
  const ouById = new Map(ous.map((o) => [o.id, o]));
  const pathCache = new Map<string, string>([[root.id, ""]]);
  const pathOf = (id: string, depth = 0): string => {
    const cached = pathCache.get(id);
    if (cached !== undefined) return cached;
    const ou = ouById.get(id);
    if (!ou || depth > 10) return "";
    const parent = pathOf(ou.parent_id, depth + 1);
    const path = parent ? `${parent}/${ou.name}` : ou.name;
    pathCache.set(id, path);
    return path;
  };
  const management = org.management_account_id;
  const mgmtRow = accounts.find((a) => a.id === management);
  const accountLabel = (a: AccountTable): string => (a.id === management ? a.id : a.email);
  const targetLabel = (targetId: string): string => {
    if (targetId === root.id) return "root";
    if (ouById.has(targetId)) return pathOf(targetId);
    const account = accounts.find((a) => a.id === targetId);
    return account ? accountLabel(account) : targetId;
  };
  const targetOrder = (targetId: string): string =>
    targetId === root.id ? "0" : ouById.has(targetId) ? `1${pathOf(targetId)}` : `2${targetLabel(targetId)}`;

  const exportAccount = (a: AccountTable): SeedFileAccount => {
    const invited = a.joined_method === "INVITED";
    const out: SeedFileAccount = { id: a.id, name: a.name, email: a.email, joined: invited ? "invited" : "created" };
    if (!invited) {
      const role = roleRows.find((r) => r.account_id === a.id);
      if (role && role.role_name !== DEFAULT_ROLE_NAME) out.roleName = role.role_name;
      const days = a.joined_at === null ? 0 : round2((now - a.joined_at) / DAY_MS);
      if (days > 0) out.createdDaysAgo = days;
    }
    const readiness: SeedReadiness = {};
    const fallback = invited;
    if ((a.support_plan === 1) !== fallback) readiness.supportPlan = a.support_plan === 1;
    if ((a.contact_info === 1) !== fallback) readiness.contactInformation = a.contact_info === 1;
    if ((a.payment_method === 1) !== fallback) readiness.paymentMethod = a.payment_method === 1;
    if (Object.keys(readiness).length > 0) out.readiness = readiness;
    const tags = tagsOf(a.id);
    if (tags) out.tags = tags;
    const delegated = delegations
      .filter((d) => d.account_id === a.id)
      .map((d) => d.principal)
      .sort();
    if (delegated.length > 0) out.delegatedAdministratorFor = delegated;
    if (a.closed_at !== null) out.closed = true;
    return out;
  };
  const accountsUnder = (parentId: string): SeedFileAccount[] =>
    accounts
      .filter((a) => a.parent_id === parentId && a.id !== management)
      .sort(byKey((a) => a.email.toLowerCase()))
      .map(exportAccount);
  const ousUnder = (parentId: string): SeedFileOu[] =>
    ous
      .filter((o) => o.parent_id === parentId)
      .sort(byKey((o) => o.name))
      .map((o) => {
        const out: SeedFileOu = { name: o.name };
        const tags = tagsOf(o.id);
        if (tags) out.tags = tags;
        const children = ousUnder(o.id);
        if (children.length > 0) out.ous = children;
        const held = accountsUnder(o.id);
        if (held.length > 0) out.accounts = held;
        return out;
      });

  const out: SeedFileOrganization = { management };
  if (mgmtRow && mgmtRow.email !== implicitEmail(management)) out.managementEmail = mgmtRow.email;
  if (mgmtRow && mgmtRow.name !== `Account ${management}`) out.managementName = mgmtRow.name;
  const mgmtTags = tagsOf(management);
  if (mgmtTags) out.managementTags = mgmtTags;
  if (mgmtRow?.parent_id && mgmtRow.parent_id !== root.id && ouById.has(mgmtRow.parent_id)) out.managementOu = pathOf(mgmtRow.parent_id);
  out.featureSet = org.feature_set === "CONSOLIDATED_BILLING" ? "CONSOLIDATED_BILLING" : "ALL";
  const enabled = parsePolicyTypes(root)
    .filter((t) => t.Status === "ENABLED")
    .map((t) => t.Type);
  if (enabled.length > 0) out.policyTypes = enabled;
  if (access.length > 0) out.serviceAccess = access.map((s) => s.principal).sort();
  const rootTags = tagsOf(root.id);
  if (rootTags) out.rootTags = rootTags;
  const rootAccounts = accountsUnder(root.id);
  if (rootAccounts.length > 0) out.accounts = rootAccounts;
  const tree = ousUnder(root.id);
  if (tree.length > 0) out.ous = tree;

  const exported: SeedFilePolicy[] = policies
    .filter((p) => p.aws_managed !== 1 && p.org_id !== AWS_MANAGED_ORG_ID)
    .sort(byKey((p) => `${p.type}\u0000${p.name}`))
    .map((p) => {
      const entry: SeedFilePolicy = { name: p.name, type: p.type };
      if (p.description) entry.description = p.description;
      entry.content = contentOf(p.content);
      const attach = targets
        .filter((t) => t.policy_id === p.id)
        .map((t) => t.target_id)
        .sort(byKey(targetOrder))
        .map(targetLabel);
      if (attach.length > 0) entry.attach = attach;
      const tags = tagsOf(p.id);
      if (tags) entry.tags = tags;
      return entry;
    });
  // AWS managed default policies are attached everywhere their type is enabled; only where they were detached is news.
  const everywhere = [root.id, ...ous.map((o) => o.id), ...accounts.map((a) => a.id)];
  for (const managed of AWS_MANAGED_POLICIES) {
    if (!enabled.includes(managed.type)) continue;
    const attachedTo = new Set(targets.filter((t) => t.policy_id === managed.id).map((t) => t.target_id));
    const detached = everywhere
      .filter((id) => !attachedTo.has(id))
      .sort(byKey(targetOrder))
      .map(targetLabel);
    if (detached.length > 0) exported.push({ name: managed.name, type: managed.type, awsManaged: true, detach: detached });
  }
  if (exported.length > 0) out.policies = exported;

  const invites = await tx.selectFrom("handshakes").selectAll().where("org_id", "=", org.id).where("action", "=", "INVITE").execute();
  const invitations: SeedFileInvitation[] = invites
    .filter((h) => currentState(h, now) === "OPEN" && (h.target_account_id !== null || h.target_email !== null))
    .map((h) => {
      const entry: SeedFileInvitation = h.target_account_id !== null ? { account: h.target_account_id } : { email: h.target_email! };
      const notes = (JSON.parse(h.resources) as { Type?: string; Value?: string }[]).find((r) => r.Type === "NOTES")?.Value;
      if (notes !== undefined) entry.notes = notes;
      const tags = h.tags ? (JSON.parse(h.tags) as { Key: string; Value: string }[]) : [];
      if (tags.length > 0) entry.tags = Object.fromEntries([...tags].sort(byKey((t) => t.Key)).map((t) => [t.Key, t.Value]));
      return entry;
    })
    .sort(byKey((i) => i.account ?? `~${i.email ?? ""}`));
  if (invitations.length > 0) out.invitations = invitations;
  return out;
}

/** The state as a SeedFile object. */
export async function exportSeedFile(app: App): Promise<SeedFile> {
  return app.store.transaction(async (tx) => {
    const offsetMs = await readClockOffset(tx);
    const now = Date.now() + offsetMs;
    const file: SeedFile = {};
    if (offsetMs !== 0) file.clock = { offset: formatDurationSeconds(offsetMs / 1000) };
    const orgs = await tx.selectFrom("organizations").select(["id", "management_account_id"]).orderBy("management_account_id").execute();
    file.organizations = [];
    for (const org of orgs) file.organizations.push(await exportOrganization(tx, org.id, now));
    return file;
  });
}

/** The state as seed YAML (what `orgsim export` prints). */
export async function exportState(app: App): Promise<string> {
  // Written with YAML 1.1's quoting rules, so that 1.1 readers (PyYAML, ...) read "2012-10-17" or "yes" as strings too.
  const doc = new Document(await exportSeedFile(app), { version: "1.1" });
  doc.commentBefore = " orgsim state export; apply it with `orgsim seed FILE` or `orgsim start --seed FILE`";
  return doc.toString({ lineWidth: 0 });
}
