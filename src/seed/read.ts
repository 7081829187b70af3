/**
 * Reads a seed (YAML or JSON text, or a `SeedFile` object) into a checked plan, reporting every
 * problem with its path, line and column before anything is applied: unknown keys (with the key
 * meant), wrong kinds of values, duplicate names AWS would refuse, attach targets that name nothing
 * in the organization, ids and emails used twice.
 */
import { Document, LineCounter, isScalar, parseDocument } from "yaml";
import { POLICY_TYPES, isPolicyType } from "../policy/policy-types.js";
import { AWS_MANAGED_POLICIES } from "../org/policy-repo.js";
import { parseDurationSeconds } from "../duration.js";
import { SeedError, type SeedProblem, type Site } from "./errors.js";
import type { PlanAccount, PlanInvitation, PlanOrganization, PlanOu, PlanPolicy, PlanTarget, SeedPlan } from "./plan.js";
import type { SeedInput } from "./schema.js";
import { ACCOUNT_ID, Reader, type Entry } from "./yaml-reader.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const READINESS_KEYS = ["supportPlan", "contactInformation", "paymentMethod"] as const;

const KEYS = {
  top: ["clock", "organizations"],
  clock: ["offset"],
  organization: [
    "management",
    "managementEmail",
    "managementName",
    "managementTags",
    "managementOu",
    "featureSet",
    "policyTypes",
    "serviceAccess",
    "rootTags",
    "accounts",
    "ous",
    "policies",
    "invitations",
  ],
  ou: ["name", "tags", "ous", "accounts"],
  account: ["id", "name", "email", "joined", "roleName", "createdDaysAgo", "readiness", "tags", "delegatedAdministratorFor", "closed"],
  policy: ["name", "type", "description", "content", "attach", "tags", "awsManaged", "detach"],
  invitation: ["account", "email", "notes", "tags"],
} as const;

/** Names people reach for, and the key the format uses instead. */
const HINTS: Record<string, string> = {
  children: "ous",
  organizationalUnits: "ous",
  accountId: "id",
  accountName: "name",
  Email: "email",
  targets: "attach",
  document: "content",
  policyType: "type",
  feature_set: "featureSet",
  features: "featureSet",
  enabledPolicyTypes: "policyTypes",
  trustedAccess: "serviceAccess",
  servicePrincipals: "serviceAccess",
  delegatedAdministrator: "delegatedAdministratorFor",
  delegatedAdmin: "delegatedAdministratorFor",
  managementAccount: "management",
  master: "management",
  offsetSeconds: "offset",
  invites: "invitations",
  handshakes: "invitations",
};

interface OrgScope {
  reader: Reader;
  orgSite: Site;
  accounts: PlanAccount[];
  ouPaths: Set<string>;
}

function readAccount(r: Reader, item: Entry, parentPath: string, scope: OrgScope): void {
  const m = r.map(item.node, item.site, KEYS.account, "an account");
  if (!m) return;
  const fields: Record<string, Site> = {};
  for (const [k, v] of m) fields[k] = v.site;
  const joined = r.oneOf(m.get("joined"), "joined", ["created", "invited"] as const) ?? "created";
  const account: PlanAccount = {
    site: item.site,
    fields,
    id: r.accountId(m.get("id"), "id"),
    name: r.string(m.get("name"), "name"),
    email: r.string(m.get("email"), "email"),
    joined,
    roleName: r.string(m.get("roleName"), "roleName"),
    createdDaysAgo: r.number(m.get("createdDaysAgo"), "createdDaysAgo"),
    readiness: {},
    tags: r.tags(m.get("tags")),
    delegatedAdministratorFor: [],
    closed: r.boolean(m.get("closed"), "closed") ?? false,
    parentPath,
  };
  if (account.email !== undefined && !EMAIL.test(account.email)) r.problem(fields.email!, `"${account.email}" is not an email address`);
  if (joined === "created") {
    if (account.email === undefined && !fields.email) r.problem(item.site, "a created account needs an email (CreateAccount's Email)");
    if (account.name === undefined && !fields.name) r.problem(item.site, "a created account needs a name (CreateAccount's AccountName)");
  } else {
    if (account.id === undefined && account.email === undefined && !fields.id && !fields.email) {
      r.problem(item.site, "an invited account needs an id or an email");
    }
    if (fields.roleName) r.problem(fields.roleName, "roleName applies to created accounts only (joined: created)");
    if (fields.createdDaysAgo)
      r.problem(fields.createdDaysAgo, "createdDaysAgo applies to created accounts only (invited accounts have no waiting period)");
  }
  const readiness = m.get("readiness");
  if (readiness && !r.isNull(readiness.node)) {
    const shorthand = r.scalar(readiness);
    if (typeof shorthand === "boolean") {
      for (const k of READINESS_KEYS) account.readiness[k] = shorthand;
    } else {
      const rm = r.map(
        readiness.node,
        readiness.site,
        READINESS_KEYS,
        "readiness",
        "true, false, or a mapping of supportPlan, contactInformation, paymentMethod",
      );
      for (const k of READINESS_KEYS) {
        const v = r.boolean(rm?.get(k), `readiness.${k}`);
        if (v !== undefined) account.readiness[k] = v;
      }
    }
  }
  for (const p of r.list(m.get("delegatedAdministratorFor"), "service principals")) {
    const principal = r.string(p, "a service principal", true);
    if (principal !== undefined) account.delegatedAdministratorFor.push({ principal, site: p.site });
  }
  scope.accounts.push(account);
}

function readOus(r: Reader, entry: Entry | undefined, parentPath: string, scope: OrgScope): PlanOu[] {
  const out: PlanOu[] = [];
  const names = new Set<string>();
  for (const item of r.list(entry, "OUs")) {
    const m = r.map(item.node, item.site, KEYS.ou, "an OU");
    if (!m) continue;
    const fields: Record<string, Site> = {};
    for (const [k, v] of m) fields[k] = v.site;
    const name = r.string(m.get("name"), "name", true);
    if (name === undefined) {
      if (!m.has("name")) r.problem(item.site, "an OU needs a name");
      continue;
    }
    if (name.includes("/"))
      r.problem(fields.name!, `an OU name can't contain "/" here: attach targets name OUs by path ("Workloads/Prod")`);
    if (names.has(name))
      r.problem(
        fields.name!,
        `two OUs named "${name}" under ${parentPath || "the root"} (AWS refuses: DuplicateOrganizationalUnitException)`,
      );
    names.add(name);
    const path = parentPath ? `${parentPath}/${name}` : name;
    scope.ouPaths.add(path);
    const ou: PlanOu = { site: item.site, fields, name, path, tags: r.tags(m.get("tags")), ous: [], accounts: [] };
    const before = scope.accounts.length;
    for (const a of r.list(m.get("accounts"), "accounts")) readAccount(r, a, path, scope);
    ou.accounts = scope.accounts.slice(before);
    ou.ous = readOus(r, m.get("ous"), path, scope);
    out.push(ou);
  }
  return out;
}

function readTargets(r: Reader, entry: Entry | undefined, org: PlanOrganization, scope: OrgScope): { target: PlanTarget; site: Site }[] {
  const out: { target: PlanTarget; site: Site }[] = [];
  for (const item of r.list(entry, "targets")) {
    const n = r.resolve(item.node);
    const raw = isScalar(n) ? (typeof n.value === "number" && typeof n.source === "string" ? n.source : n.value) : undefined;
    if (typeof raw !== "string" && typeof raw !== "number") {
      r.problem(item.site, 'a target is "root", an OU path ("Workloads/Prod"), or an account email or id');
      continue;
    }
    const text = String(raw);
    let target: PlanTarget | undefined;
    if (text.toLowerCase() === "root") target = { kind: "root" };
    else if (ACCOUNT_ID.test(text)) {
      if (text === org.management) target = { kind: "management" };
      else {
        const account = scope.accounts.find((a) => a.id === text);
        if (account) target = { kind: "account", account };
      }
    } else if (text.includes("@")) {
      if (org.managementEmail?.toLowerCase() === text.toLowerCase()) target = { kind: "management" };
      else {
        const account = scope.accounts.find((a) => a.email?.toLowerCase() === text.toLowerCase());
        if (account) target = { kind: "account", account };
      }
    } else if (scope.ouPaths.has(text.replace(/^\/+|\/+$/g, ""))) {
      target = { kind: "ou", path: text.replace(/^\/+|\/+$/g, "") };
    }
    if (!target) {
      const kind = ACCOUNT_ID.test(text) ? "account id" : text.includes("@") ? "account email" : "OU path";
      const known = kind === "OU path" && scope.ouPaths.size > 0 ? ` (OU paths here: ${[...scope.ouPaths].join(", ")})` : "";
      r.problem(item.site, `no ${kind} "${text}" in this organization${known}`);
      continue;
    }
    out.push({ target, site: item.site });
  }
  return out;
}

function readPolicies(r: Reader, entry: Entry | undefined, org: PlanOrganization, scope: OrgScope): PlanPolicy[] {
  const out: PlanPolicy[] = [];
  const seen = new Set<string>();
  for (const item of r.list(entry, "policies")) {
    const m = r.map(item.node, item.site, KEYS.policy, "a policy");
    if (!m) continue;
    const fields: Record<string, Site> = {};
    for (const [k, v] of m) fields[k] = v.site;
    const name = r.string(m.get("name"), "name", true);
    if (name === undefined && !m.has("name")) r.problem(item.site, "a policy needs a name");
    const typeText = r.string(m.get("type"), "type") ?? "SERVICE_CONTROL_POLICY";
    const type = isPolicyType(typeText) ? typeText : undefined;
    if (!type) r.problem(fields.type!, `expected one of ${POLICY_TYPES.join(", ")} for type, got "${typeText}"`);
    const awsManaged = r.boolean(m.get("awsManaged"), "awsManaged") ?? false;
    const policy: PlanPolicy = {
      site: item.site,
      fields,
      name: name ?? "",
      type: type ?? typeText,
      description: r.string(m.get("description"), "description"),
      awsManaged,
      tags: r.tags(m.get("tags")),
      attach: readTargets(r, m.get("attach"), org, scope),
      detach: readTargets(r, m.get("detach"), org, scope),
    };
    if (name !== undefined && type) {
      const key = `${type}\u0000${name}`;
      if (seen.has(key)) r.problem(fields.name!, `two ${type} policies named "${name}" (AWS refuses: DuplicatePolicyException)`);
      seen.add(key);
    }
    if (awsManaged) {
      const managed = AWS_MANAGED_POLICIES.find((p) => p.name === name && (!type || p.type === type));
      if (name !== undefined && !managed) {
        r.problem(
          fields.name ?? item.site,
          `no AWS managed policy "${name}" of type ${policy.type} (there are ${AWS_MANAGED_POLICIES.map((p) => p.name).join(", ")})`,
        );
      }
      for (const key of ["content", "description", "tags", "attach"] as const) {
        if (fields[key])
          r.problem(
            fields[key]!,
            `${key} doesn't apply to an AWS managed policy (it is attached everywhere when its type is enabled; use detach)`,
          );
      }
    } else {
      if (fields.detach)
        r.problem(fields.detach, "detach applies to AWS managed policies only (awsManaged: true); list this policy's targets in attach");
      const content = m.get("content");
      if (!content || r.isNull(content.node))
        r.problem(content?.site ?? item.site, "a policy needs content (the policy document, as an object or a JSON string)");
      else {
        const n = r.resolve(content.node);
        if (isScalar(n)) {
          if (typeof n.value === "string") policy.content = n.value;
          else r.problem(content.site, "content must be the policy document: an object or a JSON string");
        } else policy.content = JSON.stringify(r.toJS(content));
      }
    }
    out.push(policy);
  }
  return out;
}

function readInvitations(r: Reader, entry: Entry | undefined): PlanInvitation[] {
  const out: PlanInvitation[] = [];
  for (const item of r.list(entry, "invitations")) {
    const m = r.map(item.node, item.site, KEYS.invitation, "an invitation");
    if (!m) continue;
    const fields: Record<string, Site> = {};
    for (const [k, v] of m) fields[k] = v.site;
    const account = r.accountId(m.get("account"), "account");
    const email = r.string(m.get("email"), "email");
    if (email !== undefined && !EMAIL.test(email)) r.problem(fields.email!, `"${email}" is not an email address`);
    if (fields.account && fields.email) r.problem(item.site, "an invitation names the account or its owner's email, not both");
    else if (!fields.account && !fields.email)
      r.problem(item.site, 'an invitation needs account: "888888888888" or email: owner@example.com');
    const id = account ?? email;
    if (id === undefined) continue;
    out.push({
      site: item.site,
      fields,
      target: { Type: account !== undefined ? "ACCOUNT" : "EMAIL", Id: id },
      notes: r.string(m.get("notes"), "notes"),
      tags: r.tags(m.get("tags")),
    });
  }
  return out;
}

function readOrganization(r: Reader, item: Entry): PlanOrganization | undefined {
  const m = r.map(item.node, item.site, KEYS.organization, "an organization");
  if (!m) return undefined;
  const fields: Record<string, Site> = {};
  for (const [k, v] of m) fields[k] = v.site;
  if (!m.has("management")) r.problem(item.site, 'an organization needs its management account: management: "111111111111"');
  const org: PlanOrganization = {
    site: item.site,
    fields,
    management: r.accountId(m.get("management"), "management") ?? "",
    managementEmail: r.string(m.get("managementEmail"), "managementEmail"),
    managementName: r.string(m.get("managementName"), "managementName"),
    managementTags: r.tags(m.get("managementTags")),
    featureSet: r.oneOf(m.get("featureSet"), "featureSet", ["ALL", "CONSOLIDATED_BILLING"] as const) ?? "ALL",
    policyTypes: [],
    serviceAccess: [],
    rootTags: r.tags(m.get("rootTags")),
    accounts: [],
    ous: [],
    policies: [],
    invitations: [],
  };
  if (org.managementEmail !== undefined && !EMAIL.test(org.managementEmail))
    r.problem(fields.managementEmail!, `"${org.managementEmail}" is not an email address`);
  for (const t of r.list(m.get("policyTypes"), "policy types")) {
    const type = r.oneOf(t, "a policy type", POLICY_TYPES);
    if (type === undefined) continue;
    if (org.policyTypes.some((p) => p.type === type)) r.problem(t.site, `${type} is listed twice`);
    else org.policyTypes.push({ type, site: t.site });
  }
  for (const s of r.list(m.get("serviceAccess"), "service principals")) {
    const principal = r.string(s, "a service principal", true);
    if (principal === undefined) continue;
    if (org.serviceAccess.some((p) => p.principal === principal)) r.problem(s.site, `${principal} is listed twice`);
    else org.serviceAccess.push({ principal, site: s.site });
  }
  const scope: OrgScope = { reader: r, orgSite: item.site, accounts: [], ouPaths: new Set() };
  for (const a of r.list(m.get("accounts"), "accounts")) readAccount(r, a, "", scope);
  org.ous = readOus(r, m.get("ous"), "", scope);
  org.accounts = scope.accounts;
  const managementOu = r.string(m.get("managementOu"), "managementOu")?.replace(/^\/+|\/+$/g, "");
  if (managementOu !== undefined && managementOu !== "" && managementOu.toLowerCase() !== "root") {
    if (scope.ouPaths.has(managementOu)) org.managementOu = managementOu;
    else
      r.problem(
        fields.managementOu!,
        `no OU path "${managementOu}" in this organization${scope.ouPaths.size > 0 ? ` (OU paths here: ${[...scope.ouPaths].join(", ")})` : ""}`,
      );
  }
  org.policies = readPolicies(r, m.get("policies"), org, scope);
  org.invitations = readInvitations(r, m.get("invitations"));
  return org;
}

/** Checks that ids and emails are unique across the whole seed. */
function checkUniqueness(r: Reader, orgs: PlanOrganization[]): void {
  const ids = new Map<string, string>();
  const emails = new Map<string, string>();
  const claim = (table: Map<string, string>, key: string | undefined, site: Site | undefined, what: string) => {
    if (key === undefined || !site) return;
    const first = table.get(key);
    if (first !== undefined) r.problem(site, `${what} "${key}" is already used at ${first}`);
    else table.set(key, site.pos ? `line ${site.pos.line}` : site.path);
  };
  for (const org of orgs) {
    if (org.management) claim(ids, org.management, org.fields.management, "account id");
    claim(emails, org.managementEmail?.toLowerCase(), org.fields.managementEmail, "email");
  }
  for (const org of orgs) {
    for (const a of org.accounts) {
      claim(ids, a.id, a.fields.id, "account id");
      claim(emails, a.email?.toLowerCase(), a.fields.email, "email");
    }
  }
}

/**
 * Reads a seed (YAML or JSON text, or a `SeedFile` object) into a plan; throws a SeedError
 * (`invalid`) listing every problem, each with its path and, for text, its line and column.
 */
export function readSeed(input: SeedInput, source = "seed"): SeedPlan {
  let doc: Document;
  let lines: LineCounter | undefined;
  if (typeof input === "string") {
    lines = new LineCounter();
    doc = parseDocument(input, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new SeedError(
        "invalid",
        doc.errors.map((e) => {
          const pos = lines!.linePos(e.pos[0]);
          return { source, path: "", line: pos.line, col: pos.col, message: `YAML: ${e.message.split("\n")[0]}` };
        }),
      );
    }
  } else {
    doc = new Document(input);
  }
  const r = new Reader(source, doc, lines, HINTS);
  const plan: SeedPlan = { source, organizations: [] };
  if (r.isNull(doc.contents)) {
    throw new SeedError("invalid", [
      { source, path: "", message: "the seed is empty; expected a mapping with organizations: (and clock:)" },
    ]);
  }
  const top = r.map(doc.contents, r.site(doc.contents, ""), KEYS.top, "a seed");
  if (top) {
    const clock = top.get("clock");
    if (clock && !r.isNull(clock.node)) {
      const cm = r.map(clock.node, clock.site, KEYS.clock, "clock");
      const offset = cm?.get("offset");
      if (offset && !r.isNull(offset.node)) {
        const v = r.scalar(offset);
        const seconds = typeof v === "number" ? v : typeof v === "string" ? parseDurationSeconds(v, { signed: true }) : undefined;
        if (seconds === undefined || !Number.isFinite(seconds))
          r.problem(offset.site, `expected a duration such as 2d, 36h, 90m or 3600 (seconds), got ${JSON.stringify(v)}`);
        else {
          plan.clockOffsetSeconds = seconds;
          plan.clockSite = offset.site;
        }
      }
    }
    for (const item of r.list(top.get("organizations"), "organizations")) {
      const org = readOrganization(r, item);
      if (org) plan.organizations.push(org);
    }
    checkUniqueness(r, plan.organizations);
  }
  if (r.problems.length > 0) {
    const order = (p: SeedProblem) => (p.line ?? 0) * 100_000 + (p.col ?? 0);
    throw new SeedError(
      "invalid",
      [...r.problems].sort((a, b) => order(a) - order(b)),
    );
  }
  return plan;
}
