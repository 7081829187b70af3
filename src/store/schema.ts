/**
 * The tables of orgsim's state, typed for Kysely. One DDL serves SQLite and PostgreSQL:
 * booleans are INTEGER 0/1, timestamps are BIGINT epoch milliseconds of the virtual clock,
 * structured values that are never queried by their parts are JSON text.
 */
export interface MetaTable {
  key: string;
  value: string;
}

/**
 * The state version: one row (id 1), bumped by every write transaction as it commits and never
 * reset, so what was read at one version can be served again while the version holds (store.ts).
 */
export interface StateVersionTable {
  id: number;
  version: number;
}

export interface OrganizationTable {
  id: string;
  arn: string;
  feature_set: string;
  management_account_id: string;
  partition: string;
  created_at: number;
  /** Bumped by every change that can alter a policy decision (SCP cache key). */
  policy_version: number;
}

export interface RootTable {
  id: string;
  org_id: string;
  arn: string;
  name: string;
  policy_types: string;
}

export interface OuTable {
  id: string;
  org_id: string;
  parent_id: string;
  name: string;
  arn: string;
  created_at: number;
  seq: number;
}

export interface AccountTable {
  id: string;
  org_id: string | null;
  parent_id: string | null;
  email: string;
  name: string;
  joined_method: string | null;
  /** When the account became a member (for a created account: when creation completes). */
  joined_at: number | null;
  created_at: number;
  /** The organization whose CreateAccount made this account, while that is its organization. */
  created_by_org_id: string | null;
  support_plan: number;
  contact_info: number;
  payment_method: number;
  closed_at: number | null;
  govcloud_enabled: number;
  /** Order in the organization's lists: drawn on insert and again when the account joins an organization. */
  seq: number;
}

export interface CreateAccountStatusTable {
  id: string;
  org_id: string;
  account_name: string;
  email: string;
  requested_at: number;
  completed_at: number;
  state: string;
  failure_reason: string | null;
  account_id: string | null;
  gov_cloud_account_id: string | null;
  /** Creation order: a number drawn from one store-wide sequence on insert (see sequence.ts). */
  seq: number;
}

export interface HandshakeTable {
  id: string;
  org_id: string;
  arn: string;
  action: string;
  state: string;
  requested_at: number;
  expires_at: number;
  parties: string;
  resources: string;
  target_account_id: string | null;
  target_email: string | null;
  tags: string | null;
  /** Creation order: a number drawn from one store-wide sequence on insert (see sequence.ts). */
  seq: number;
}

/** When a handshake was closed (ACCEPTED, DECLINED or CANCELED): AWS lists it for 30 days from then. */
export interface HandshakeClosureTable {
  handshake_id: string;
  org_id: string;
  closed_at: number;
}

export interface PolicyTable {
  id: string;
  org_id: string;
  arn: string;
  name: string;
  description: string;
  type: string;
  aws_managed: number;
  content: string;
  /** Creation order: a number drawn from one store-wide sequence on insert (see sequence.ts). */
  seq: number;
}

export interface PolicyTargetTable {
  org_id: string;
  policy_id: string;
  target_id: string;
  target_type: string;
  seq: number;
}

export interface TagTable {
  resource_id: string;
  key: string;
  value: string;
  seq: number;
}

export interface ServiceAccessTable {
  org_id: string;
  principal: string;
  enabled_at: number;
  seq: number;
}

export interface DelegatedAdminTable {
  org_id: string;
  account_id: string;
  principal: string;
  enabled_at: number;
  seq: number;
}

export interface EventTable {
  id: string;
  org_id: string | null;
  at: number;
  event_name: string;
  event_source: string;
  account_id: string | null;
  principal_arn: string | null;
  detail: string;
}

export interface CredentialTable {
  access_key_id: string;
  secret: string;
  session_token: string | null;
  account_id: string;
  principal_arn: string;
  user_id: string;
  kind: string;
  expires_at: number | null;
  created_at: number;
}

export interface RoleTable {
  account_id: string;
  role_name: string;
  created_at: number;
}

export interface FaultTable {
  id: string;
  operation: string;
  error: string;
  remaining: number | null;
  probability: number;
  created_at: number;
}

export interface RateEventTable {
  id: string;
  scope: string;
  at: number;
}

export interface AccountDocTable {
  account_id: string;
  kind: string;
  doc: string;
}

export interface ResourcePolicyTable {
  org_id: string;
  id: string;
  arn: string;
  content: string;
}

/**
 * A responsibility (billing) transfer between two organizations. The inviter's organization is the
 * target (it takes the responsibility: an inbound transfer for it); the invited organization is the
 * source (an outbound transfer for it), known once its management account accepts. While `status`
 * is REQUESTED, the transfer's status follows its handshake (declined, canceled, expired).
 */
export interface ResponsibilityTransferTable {
  id: string;
  type: string;
  name: string;
  target_org_id: string;
  target_account_id: string;
  target_email: string;
  /** The invited party: an account id or an email (one of them), then the accepting management account. */
  source_account_id: string | null;
  source_email: string | null;
  source_org_id: string | null;
  handshake_id: string;
  start_at: number;
  end_at: number | null;
  /** REQUESTED, ACCEPTED or WITHDRAWN (the other statuses come from the handshake). */
  status: string;
  created_at: number;
  /** Creation order (see sequence.ts). */
  seq: number;
}

/** How many accounts each organization holds (its management account included), kept by triggers on accounts (ACCOUNT_COUNT_DDL). */
export interface OrgAccountCountTable {
  org_id: string;
  n: number;
}

export interface Database {
  meta: MetaTable;
  org_account_counts: OrgAccountCountTable;
  state_version: StateVersionTable;
  organizations: OrganizationTable;
  roots: RootTable;
  ous: OuTable;
  accounts: AccountTable;
  create_account_status: CreateAccountStatusTable;
  handshakes: HandshakeTable;
  handshake_closures: HandshakeClosureTable;
  policies: PolicyTable;
  policy_targets: PolicyTargetTable;
  tags: TagTable;
  service_access: ServiceAccessTable;
  delegated_admins: DelegatedAdminTable;
  events: EventTable;
  credentials: CredentialTable;
  roles: RoleTable;
  faults: FaultTable;
  rate_events: RateEventTable;
  account_docs: AccountDocTable;
  resource_policies: ResourcePolicyTable;
  responsibility_transfers: ResponsibilityTransferTable;
}

/** Portable DDL, applied in order; each statement is idempotent. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS state_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)`,
  `INSERT INTO state_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
  `CREATE TABLE IF NOT EXISTS organizations (id TEXT PRIMARY KEY, arn TEXT NOT NULL, feature_set TEXT NOT NULL,
     management_account_id TEXT NOT NULL UNIQUE, partition TEXT NOT NULL, created_at BIGINT NOT NULL, policy_version INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS roots (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, arn TEXT NOT NULL, name TEXT NOT NULL, policy_types TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS roots_org ON roots (org_id)`,
  `CREATE TABLE IF NOT EXISTS ous (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, parent_id TEXT NOT NULL, name TEXT NOT NULL,
     arn TEXT NOT NULL, created_at BIGINT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS ous_parent ON ous (parent_id, id)`,
  `CREATE INDEX IF NOT EXISTS ous_org ON ous (org_id, id)`,
  `CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, org_id TEXT, parent_id TEXT, email TEXT NOT NULL, name TEXT NOT NULL,
     joined_method TEXT, joined_at BIGINT, created_at BIGINT NOT NULL, created_by_org_id TEXT,
     support_plan INTEGER NOT NULL, contact_info INTEGER NOT NULL, payment_method INTEGER NOT NULL,
     closed_at BIGINT, govcloud_enabled INTEGER NOT NULL DEFAULT 0)`,
  `CREATE INDEX IF NOT EXISTS accounts_org ON accounts (org_id, id)`,
  `CREATE INDEX IF NOT EXISTS accounts_parent ON accounts (parent_id, id)`,
  `CREATE INDEX IF NOT EXISTS accounts_email ON accounts (email)`,
  `CREATE TABLE IF NOT EXISTS org_account_counts (org_id TEXT PRIMARY KEY, n BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS create_account_status (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, account_name TEXT NOT NULL,
     email TEXT NOT NULL, requested_at BIGINT NOT NULL, completed_at BIGINT NOT NULL, state TEXT NOT NULL,
     failure_reason TEXT, account_id TEXT, gov_cloud_account_id TEXT)`,
  `CREATE INDEX IF NOT EXISTS car_org ON create_account_status (org_id, id)`,
  `CREATE TABLE IF NOT EXISTS handshakes (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, arn TEXT NOT NULL, action TEXT NOT NULL,
     state TEXT NOT NULL, requested_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, parties TEXT NOT NULL, resources TEXT NOT NULL,
     target_account_id TEXT, target_email TEXT, tags TEXT)`,
  `CREATE INDEX IF NOT EXISTS handshakes_org ON handshakes (org_id, id)`,
  `CREATE INDEX IF NOT EXISTS handshakes_target ON handshakes (target_account_id, id)`,
  `CREATE TABLE IF NOT EXISTS policies (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, arn TEXT NOT NULL, name TEXT NOT NULL,
     description TEXT NOT NULL, type TEXT NOT NULL, aws_managed INTEGER NOT NULL, content TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS policies_org ON policies (org_id, type, id)`,
  `CREATE TABLE IF NOT EXISTS policy_targets (org_id TEXT NOT NULL, policy_id TEXT NOT NULL, target_id TEXT NOT NULL,
     target_type TEXT NOT NULL, PRIMARY KEY (org_id, policy_id, target_id))`,
  `CREATE INDEX IF NOT EXISTS policy_targets_target ON policy_targets (target_id, policy_id)`,
  `CREATE TABLE IF NOT EXISTS tags (resource_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (resource_id, key))`,
  `CREATE TABLE IF NOT EXISTS service_access (org_id TEXT NOT NULL, principal TEXT NOT NULL, enabled_at BIGINT NOT NULL,
     PRIMARY KEY (org_id, principal))`,
  `CREATE TABLE IF NOT EXISTS delegated_admins (org_id TEXT NOT NULL, account_id TEXT NOT NULL, principal TEXT NOT NULL,
     enabled_at BIGINT NOT NULL, PRIMARY KEY (org_id, account_id, principal))`,
  `CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, org_id TEXT, at BIGINT NOT NULL, event_name TEXT NOT NULL,
     event_source TEXT NOT NULL, account_id TEXT, principal_arn TEXT, detail TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS events_org ON events (org_id, id)`,
  `CREATE TABLE IF NOT EXISTS credentials (access_key_id TEXT PRIMARY KEY, secret TEXT NOT NULL, session_token TEXT,
     account_id TEXT NOT NULL, principal_arn TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL, expires_at BIGINT,
     created_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS roles (account_id TEXT NOT NULL, role_name TEXT NOT NULL, created_at BIGINT NOT NULL,
     PRIMARY KEY (account_id, role_name))`,
  `CREATE TABLE IF NOT EXISTS faults (id TEXT PRIMARY KEY, operation TEXT NOT NULL, error TEXT NOT NULL, remaining INTEGER,
     probability DOUBLE PRECISION NOT NULL, created_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rate_events (id TEXT PRIMARY KEY, scope TEXT NOT NULL, at BIGINT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS rate_events_scope ON rate_events (scope, at)`,
  `CREATE TABLE IF NOT EXISTS account_docs (account_id TEXT NOT NULL, kind TEXT NOT NULL, doc TEXT NOT NULL,
     PRIMARY KEY (account_id, kind))`,
  `CREATE TABLE IF NOT EXISTS resource_policies (org_id TEXT PRIMARY KEY, id TEXT NOT NULL, arn TEXT NOT NULL, content TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS responsibility_transfers (id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL,
     target_org_id TEXT NOT NULL, target_account_id TEXT NOT NULL, target_email TEXT NOT NULL, source_account_id TEXT,
     source_email TEXT, source_org_id TEXT, handshake_id TEXT NOT NULL, start_at BIGINT NOT NULL, end_at BIGINT,
     status TEXT NOT NULL, created_at BIGINT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS responsibility_transfers_target ON responsibility_transfers (target_org_id, id)`,
  `CREATE INDEX IF NOT EXISTS responsibility_transfers_source ON responsibility_transfers (source_org_id, id)`,
  `CREATE INDEX IF NOT EXISTS responsibility_transfers_handshake ON responsibility_transfers (handshake_id)`,
  `CREATE TABLE IF NOT EXISTS handshake_closures (handshake_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, closed_at BIGINT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS handshake_closures_time ON handshake_closures (closed_at)`,
];

/**
 * Tables whose rows are listed in creation order: each row holds `seq`, drawn on insert from one
 * store-wide sequence (src/store/sequence.ts). `key` is the primary key; rows that existed before
 * the column was added are numbered in the order of that key (the order lists had until then).
 */
export const SEQUENCED_TABLES: readonly { table: keyof Database; key: readonly string[] }[] = [
  { table: "accounts", key: ["id"] },
  { table: "ous", key: ["id"] },
  { table: "create_account_status", key: ["id"] },
  { table: "handshakes", key: ["id"] },
  { table: "policies", key: ["id"] },
  { table: "policy_targets", key: ["org_id", "policy_id", "target_id"] },
  { table: "tags", key: ["resource_id", "key"] },
  { table: "service_access", key: ["org_id", "principal"] },
  { table: "delegated_admins", key: ["org_id", "account_id", "principal"] },
  { table: "responsibility_transfers", key: ["id"] },
];

/** The indexes that let every list read one page in creation order at any depth (after the seq columns exist). */
export const SEQUENCE_INDEXES: readonly string[] = [
  `CREATE INDEX IF NOT EXISTS accounts_org_seq ON accounts (org_id, seq)`,
  `CREATE INDEX IF NOT EXISTS accounts_parent_seq ON accounts (parent_id, seq)`,
  `CREATE INDEX IF NOT EXISTS ous_parent_seq ON ous (parent_id, seq)`,
  `CREATE INDEX IF NOT EXISTS car_org_seq ON create_account_status (org_id, seq)`,
  `CREATE INDEX IF NOT EXISTS handshakes_org_seq ON handshakes (org_id, seq)`,
  `CREATE INDEX IF NOT EXISTS handshakes_target_seq ON handshakes (target_account_id, seq)`,
  `CREATE INDEX IF NOT EXISTS policies_org_seq ON policies (org_id, type, seq)`,
  `CREATE INDEX IF NOT EXISTS policy_targets_policy_seq ON policy_targets (org_id, policy_id, seq)`,
  `CREATE INDEX IF NOT EXISTS tags_resource_seq ON tags (resource_id, seq)`,
  `CREATE INDEX IF NOT EXISTS service_access_org_seq ON service_access (org_id, seq)`,
  `CREATE INDEX IF NOT EXISTS delegated_admins_org_seq ON delegated_admins (org_id, seq)`,
  `CREATE INDEX IF NOT EXISTS responsibility_transfers_target_seq ON responsibility_transfers (target_org_id, seq)`,
  `CREATE INDEX IF NOT EXISTS responsibility_transfers_source_seq ON responsibility_transfers (source_org_id, seq)`,
];

/**
 * Fills the counts of organizations that have none yet from their accounts: once, when the
 * triggers are made (PostgreSQL: in the same statement; SQLite: its migrations run only when the
 * schema changes), then a no-op.
 */
export const ACCOUNT_COUNT_FILL = `INSERT INTO org_account_counts (org_id, n)
  SELECT org_id, COUNT(*) FROM accounts WHERE org_id IS NOT NULL AND org_id NOT IN (SELECT org_id FROM org_account_counts)
  GROUP BY org_id ON CONFLICT (org_id) DO NOTHING`;

/**
 * The organizations' account counts (org_account_counts), kept by the database itself as accounts
 * are inserted, deleted or change organization, in the same transaction: the account quota is then
 * one indexed read instead of counting the accounts (a count grew with the organization, and made
 * 10,000 CreateAccount calls quadratic). Per engine (SQLite triggers; a PostgreSQL trigger
 * function), each statement idempotent; the counts of a database from before them are filled once
 * from its accounts when the triggers are made (ACCOUNT_COUNT_FILL).
 */
export const ACCOUNT_COUNT_DDL: Readonly<Record<"sqlite" | "postgres", readonly string[]>> = {
  sqlite: [
    `CREATE TRIGGER IF NOT EXISTS accounts_count_insert AFTER INSERT ON accounts WHEN NEW.org_id IS NOT NULL BEGIN
       INSERT INTO org_account_counts (org_id, n) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET n = n + 1;
     END`,
    `CREATE TRIGGER IF NOT EXISTS accounts_count_delete AFTER DELETE ON accounts WHEN OLD.org_id IS NOT NULL BEGIN
       UPDATE org_account_counts SET n = n - 1 WHERE org_id = OLD.org_id;
     END`,
    `CREATE TRIGGER IF NOT EXISTS accounts_count_update AFTER UPDATE OF org_id ON accounts WHEN OLD.org_id IS NOT NEW.org_id BEGIN
       UPDATE org_account_counts SET n = n - 1 WHERE org_id = OLD.org_id;
       INSERT INTO org_account_counts (org_id, n) SELECT NEW.org_id, 1 WHERE NEW.org_id IS NOT NULL
         ON CONFLICT (org_id) DO UPDATE SET n = n + 1;
     END`,
  ],
  postgres: [
    `CREATE OR REPLACE FUNCTION orgsim_count_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP <> 'INSERT' AND OLD.org_id IS NOT NULL THEN
         UPDATE org_account_counts SET n = n - 1 WHERE org_id = OLD.org_id;
       END IF;
       IF TG_OP <> 'DELETE' AND NEW.org_id IS NOT NULL THEN
         INSERT INTO org_account_counts (org_id, n) VALUES (NEW.org_id, 1)
           ON CONFLICT (org_id) DO UPDATE SET n = org_account_counts.n + 1;
       END IF;
       RETURN NULL;
     END $$`,
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'accounts_count_change' AND tgrelid = 'accounts'::regclass) THEN
         CREATE TRIGGER accounts_count_change AFTER INSERT OR DELETE ON accounts
           FOR EACH ROW EXECUTE FUNCTION orgsim_count_accounts();
         ${ACCOUNT_COUNT_FILL};
       END IF;
       IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'accounts_count_move' AND tgrelid = 'accounts'::regclass) THEN
         CREATE TRIGGER accounts_count_move AFTER UPDATE OF org_id ON accounts
           FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id) EXECUTE FUNCTION orgsim_count_accounts();
       END IF;
     END $$`,
  ],
};

/** Every table, in an order safe for deleting all rows (reset); not state_version, which only ever grows. */
export const TABLES: readonly (keyof Database)[] = [
  "organizations",
  "roots",
  "ous",
  "accounts",
  "org_account_counts",
  "create_account_status",
  "handshakes",
  "policies",
  "policy_targets",
  "tags",
  "service_access",
  "delegated_admins",
  "events",
  "credentials",
  "roles",
  "faults",
  "rate_events",
  "account_docs",
  "resource_policies",
  "meta",
  "responsibility_transfers",
  "handshake_closures",
];
