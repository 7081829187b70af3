/**
 * The seed format (declarative start state): its typed shape for programs (`SeedFile`), and the
 * reader that turns YAML text (or such an object) into a checked plan, reporting every problem
 * with its path, line and column before anything is applied.
 *
 * ```yaml
 * clock: { offset: 2d }
 * organizations:
 *   - management: "111111111111"
 *     featureSet: ALL
 *     policyTypes: [SERVICE_CONTROL_POLICY]
 *     serviceAccess: [sso.amazonaws.com]
 *     ous:
 *       - name: Workloads
 *         ous: [{ name: Prod, accounts: [{ name: app, email: app@example.com }] }]
 *     policies:
 *       - name: DenyLeave
 *         content: { Version: "2012-10-17", Statement: [...] }
 *         attach: [root, Workloads/Prod, app@example.com]
 *     invitations: [{ account: "888888888888", notes: Welcome }]
 * ```
 */
import { Document, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from "yaml";
import { POLICY_TYPES, isPolicyType } from "../policy/policy-types.js";
import { AWS_MANAGED_POLICIES } from "../services/organizations/policy-repo.js";
import { parseDurationSeconds } from "./duration.js";
import { problemAt, SeedError, type SeedProblem, type Site } from "./errors.js";

// ---------------------------------------------------------------------------------------------
// The format, as a program writes it (what `startOrgsim({ seed })` accepts besides YAML text)
// ---------------------------------------------------------------------------------------------

export type SeedTags = Record<string, string | number | boolean>;

export interface SeedReadiness {
  supportPlan?: boolean;
  contactInformation?: boolean;
  paymentMethod?: boolean;
}

export interface SeedFileAccount {
  /** Pins the id (12 digits); optional for created accounts, and for invited ones that give an email. */
  id?: string;
  name?: string;
  email?: string;
  /** How the account joined: made by CreateAccount (default) or invited and accepted. */
  joined?: "created" | "invited";
  /** CreateAccount's RoleName (default OrganizationAccountAccessRole); created accounts only. */
  roleName?: string;
  /** How long ago the account was created (days, for the four-day waiting period); created accounts only. */
  createdDaysAgo?: number;
  /** What a standalone account needs; `true` gives all three. Defaults: none for created accounts, all for invited ones. */
  readiness?: SeedReadiness | boolean;
  tags?: SeedTags;
  /** Service principals this account is a delegated administrator for. */
  delegatedAdministratorFor?: string[];
  /** Closed with CloseAccount after everything else is applied. */
  closed?: boolean;
}

export interface SeedFileOu {
  name: string;
  tags?: SeedTags;
  ous?: SeedFileOu[];
  accounts?: SeedFileAccount[];
}

export interface SeedFilePolicy {
  name: string;
  /** Default SERVICE_CONTROL_POLICY. */
  type?: string;
  description?: string;
  /** The policy document: an object (sent as compact JSON) or the exact text. */
  content?: unknown;
  /** `root`, an OU path such as `Workloads/Prod`, an account email or id. */
  attach?: string[];
  tags?: SeedTags;
  /** Refers to an AWS managed policy (FullAWSAccess, RCPFullAWSAccess) instead of creating one; only `detach` applies. */
  awsManaged?: boolean;
  /** Targets to detach an AWS managed policy from (it is attached everywhere when its type is enabled). */
  detach?: string[];
}

/** An invitation left open (InviteAccountToOrganization, not yet accepted or declined). */
export interface SeedFileInvitation {
  /** The invited account's id (target type ACCOUNT); or `email`. */
  account?: string;
  /** The invited owner's email (target type EMAIL); or `account`. */
  email?: string;
  notes?: string;
  /** Tags the account gets when it accepts. */
  tags?: SeedTags;
}

export interface SeedFileOrganization {
  /** The management account (12 digits): CreateOrganization is called as its root user. */
  management: string;
  managementEmail?: string;
  managementName?: string;
  /** Tags on the management account. */
  managementTags?: SeedTags;
  /** The OU path the management account is moved to (default: the root). */
  managementOu?: string;
  featureSet?: "ALL" | "CONSOLIDATED_BILLING";
  policyTypes?: string[];
  serviceAccess?: string[];
  rootTags?: SeedTags;
  /** Accounts directly under the root. */
  accounts?: SeedFileAccount[];
  ous?: SeedFileOu[];
  policies?: SeedFilePolicy[];
  /** Open invitations, sent after everything else. */
  invitations?: SeedFileInvitation[];
}

export interface SeedFile {
  /** `offset`: the virtual clock's offset from real time, e.g. `2d` (set, not added). */
  clock?: { offset?: string | number };
  organizations?: SeedFileOrganization[];
}

// ---------------------------------------------------------------------------------------------
// The checked plan
// ---------------------------------------------------------------------------------------------

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
  | { kind: "root" }
  | { kind: "ou"; path: string }
  | { kind: "account"; account: PlanAccount }
  | { kind: "management" };

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

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

const ACCOUNT_ID = /^\d{12}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const READINESS_KEYS = ["supportPlan", "contactInformation", "paymentMethod"] as const;

const KEYS = {
  top: ["clock", "organizations"],
  clock: ["offset"],
  organization: ["management", "managementEmail", "managementName", "managementTags", "managementOu", "featureSet", "policyTypes", "serviceAccess", "rootTags", "accounts", "ous", "policies", "invitations"],
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

type Entry = { node: unknown; site: Site };

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

class Reader {
  readonly problems: SeedProblem[] = [];

  constructor(
    readonly source: string,
    private readonly doc: Document,
    private readonly lines: LineCounter | undefined,
  ) {}

  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  site(node: unknown, path: string): Site {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!this.lines || !range) return { path };
    return { path, pos: this.lines.linePos(range[0]) };
  }

  problem(site: Site, message: string): void {
    this.problems.push(problemAt(this.source, site, message));
  }

  isNull(node: unknown): boolean {
    const n = this.resolve(node);
    return n === null || n === undefined || (isScalar(n) && n.value === null);
  }

  /** The entries of a mapping, with unknown keys reported (and a hint when one is near). */
  map(node: unknown, site: Site, keys: readonly string[], what: string, expected?: string): Map<string, Entry> | undefined {
    const n = this.resolve(node);
    if (!isMap(n)) {
      this.problem(site, `expected ${expected ?? `${what}: a mapping of ${keys.join(", ")}`}`);
      return undefined;
    }
    const out = new Map<string, Entry>();
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const keyNode = this.resolve(pair.key);
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      const keySite = this.site(keyNode, site.path);
      if (key === undefined) {
        this.problem(keySite, "keys must be plain names");
        continue;
      }
      const path = site.path ? `${site.path}.${key}` : key;
      if (!keys.includes(key)) {
        const hint = HINTS[key] && keys.includes(HINTS[key]!) ? HINTS[key] : keys.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
        this.problem({ ...keySite, path }, `unknown key "${key}" in ${what}${hint ? `; did you mean "${hint}"?` : ""} (known: ${keys.join(", ")})`);
        continue;
      }
      const value = pair.value ?? null;
      // An empty value (`key:`) points at its key.
      const valueSite = this.site(value && (value as { range?: unknown }).range ? value : keyNode, path);
      out.set(key, { node: value, site: valueSite });
    }
    return out;
  }

  list(entry: Entry | undefined, what: string): Entry[] {
    if (!entry || this.isNull(entry.node)) return [];
    const n = this.resolve(entry.node);
    if (!isSeq(n)) {
      this.problem(entry.site, `expected a list of ${what}`);
      return [];
    }
    return n.items.map((item, i) => ({ node: item, site: this.site(this.resolve(item), `${entry.site.path}[${i}]`) }));
  }

  scalar(entry: Entry): unknown {
    const n = this.resolve(entry.node);
    return isScalar(n) ? n.value : n === null || n === undefined ? null : undefined;
  }

  string(entry: Entry | undefined, what: string, required = false): string | undefined {
    if (!entry || this.isNull(entry.node)) {
      if (required && entry) this.problem(entry.site, `${what} is required`);
      return undefined;
    }
    const v = this.scalar(entry);
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    this.problem(entry.site, `expected ${what} as a string`);
    return undefined;
  }

  /** A 12-digit account id; YAML reads an unquoted one as a number, so its source text is used. */
  accountId(entry: Entry | undefined, what: string): string | undefined {
    if (!entry || this.isNull(entry.node)) return undefined;
    const n = this.resolve(entry.node);
    const raw = isScalar(n) ? (typeof n.value === "number" && typeof n.source === "string" && n.source !== "" ? n.source : n.value) : undefined;
    const text = typeof raw === "number" ? String(raw) : raw;
    if (typeof text === "string" && ACCOUNT_ID.test(text)) return text;
    const hint = typeof raw === "number" ? ' (write ids quoted: "012345678901")' : "";
    this.problem(entry.site, `expected a 12-digit account id for ${what}${typeof text === "string" ? `, got "${text}"` : ""}${hint}`);
    return undefined;
  }

  boolean(entry: Entry | undefined, what: string): boolean | undefined {
    if (!entry || this.isNull(entry.node)) return undefined;
    const v = this.scalar(entry);
    if (typeof v === "boolean") return v;
    this.problem(entry.site, `expected true or false for ${what}`);
    return undefined;
  }

  number(entry: Entry | undefined, what: string, min = 0): number | undefined {
    if (!entry || this.isNull(entry.node)) return undefined;
    const v = this.scalar(entry);
    if (typeof v === "number" && Number.isFinite(v) && v >= min) return v;
    this.problem(entry.site, `expected a number of at least ${min} for ${what}`);
    return undefined;
  }

  oneOf<T extends string>(entry: Entry | undefined, what: string, values: readonly T[]): T | undefined {
    const v = this.string(entry, what);
    if (v === undefined) return undefined;
    if ((values as readonly string[]).includes(v)) return v as T;
    this.problem(entry!.site, `expected one of ${values.join(", ")} for ${what}, got "${v}"`);
    return undefined;
  }

  tags(entry: Entry | undefined): PlanTag[] {
    if (!entry || this.isNull(entry.node)) return [];
    const n = this.resolve(entry.node);
    if (!isMap(n)) {
      this.problem(entry.site, "expected tags as a mapping of key: value, e.g. { Environment: prod }");
      return [];
    }
    const out: PlanTag[] = [];
    for (const pair of n.items) {
      const key = this.resolve(pair.key);
      const value = this.resolve(pair.value);
      const keyText = isScalar(key) && key.value !== null ? String(key.value) : undefined;
      if (keyText === undefined) {
        this.problem(this.site(key, entry.site.path), "a tag key must be a plain string");
        continue;
      }
      const v = isScalar(value) ? value.value : value === null || value === undefined ? null : undefined;
      if (v !== null && typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
        this.problem(this.site(value, `${entry.site.path}.${keyText}`), "a tag value must be a string");
        continue;
      }
      out.push({ Key: keyText, Value: v === null ? "" : String(v) });
    }
    return out;
  }

  /** Plain data of a node (for a policy document written as YAML). */
  toJS(entry: Entry): unknown {
    const n = this.resolve(entry.node) as YamlNode;
    return n && typeof (n as { toJSON?: unknown }).toJSON === "function" ? n.toJSON(this.doc) : null;
  }
}

// ---------------------------------------------------------------------------------------------

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
    if (fields.createdDaysAgo) r.problem(fields.createdDaysAgo, "createdDaysAgo applies to created accounts only (invited accounts have no waiting period)");
  }
  const readiness = m.get("readiness");
  if (readiness && !r.isNull(readiness.node)) {
    const shorthand = r.scalar(readiness);
    if (typeof shorthand === "boolean") {
      for (const k of READINESS_KEYS) account.readiness[k] = shorthand;
    } else {
      const rm = r.map(readiness.node, readiness.site, READINESS_KEYS, "readiness", "true, false, or a mapping of supportPlan, contactInformation, paymentMethod");
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
    if (name.includes("/")) r.problem(fields.name!, `an OU name can't contain "/" here: attach targets name OUs by path ("Workloads/Prod")`);
    if (names.has(name)) r.problem(fields.name!, `two OUs named "${name}" under ${parentPath || "the root"} (AWS refuses: DuplicateOrganizationalUnitException)`);
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
        r.problem(fields.name ?? item.site, `no AWS managed policy "${name}" of type ${policy.type} (there are ${AWS_MANAGED_POLICIES.map((p) => p.name).join(", ")})`);
      }
      for (const key of ["content", "description", "tags", "attach"] as const) {
        if (fields[key]) r.problem(fields[key]!, `${key} doesn't apply to an AWS managed policy (it is attached everywhere when its type is enabled; use detach)`);
      }
    } else {
      if (fields.detach) r.problem(fields.detach, "detach applies to AWS managed policies only (awsManaged: true); list this policy's targets in attach");
      const content = m.get("content");
      if (!content || r.isNull(content.node)) r.problem(content?.site ?? item.site, "a policy needs content (the policy document, as an object or a JSON string)");
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
    else if (!fields.account && !fields.email) r.problem(item.site, 'an invitation needs account: "888888888888" or email: owner@example.com');
    const id = account ?? email;
    if (id === undefined) continue;
    out.push({ site: item.site, fields, target: { Type: account !== undefined ? "ACCOUNT" : "EMAIL", Id: id }, notes: r.string(m.get("notes"), "notes"), tags: r.tags(m.get("tags")) });
  }
  return out;
}

function readOrganization(r: Reader, item: Entry): PlanOrganization | undefined {
  const m = r.map(item.node, item.site, KEYS.organization, "an organization");
  if (!m) return undefined;
  const fields: Record<string, Site> = {};
  for (const [k, v] of m) fields[k] = v.site;
  if (!m.has("management")) r.problem(item.site, "an organization needs its management account: management: \"111111111111\"");
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
  if (org.managementEmail !== undefined && !EMAIL.test(org.managementEmail)) r.problem(fields.managementEmail!, `"${org.managementEmail}" is not an email address`);
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
    else r.problem(fields.managementOu!, `no OU path "${managementOu}" in this organization${scope.ouPaths.size > 0 ? ` (OU paths here: ${[...scope.ouPaths].join(", ")})` : ""}`);
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

export type SeedInput = string | SeedFile;

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
  const r = new Reader(source, doc, lines);
  const plan: SeedPlan = { source, organizations: [] };
  if (r.isNull(doc.contents)) {
    throw new SeedError("invalid", [{ source, path: "", message: "the seed is empty; expected a mapping with organizations: (and clock:)" }]);
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
        if (seconds === undefined || !Number.isFinite(seconds)) r.problem(offset.site, `expected a duration such as 2d, 36h, 90m or 3600 (seconds), got ${JSON.stringify(v)}`);
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
    throw new SeedError("invalid", [...r.problems].sort((a, b) => order(a) - order(b)));
  }
  return plan;
}
