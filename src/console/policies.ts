/** The policies tab: the organization's policies (and the AWS managed ones in use) with content and first targets. */
import { sql } from "kysely";
import { arns } from "../org/ids.js";
import { parsePolicyTypes, type OrgRow, type RootRow } from "../org/repo.js";
import type { PolicyTable } from "../store/schema.js";
import type { Tx } from "../store/store.js";
import { MAX_TARGETS_PER_POLICY } from "./limits.js";
import { chunks } from "./sql.js";
import type { PolicyView, TreeNode } from "./types.js";

export async function policyViews(tx: Tx, org: OrgRow, root: RootRow, nodes: Map<string, TreeNode>): Promise<PolicyView[]> {
  const enabledTypes = new Set(
    parsePolicyTypes(root)
      .filter((t) => t.Status === "ENABLED")
      .map((t) => t.Type),
  );
  const rows: PolicyTable[] = await tx
    .selectFrom("policies")
    .selectAll()
    .where((eb) => eb.or([eb("org_id", "=", org.id), eb("aws_managed", "=", 1)]))
    .orderBy("type")
    .orderBy("name")
    .orderBy("id")
    .execute();
  const counts = await tx
    .selectFrom("policy_targets")
    .select((eb) => ["policy_id", eb.fn.countAll().as("n")])
    .where("org_id", "=", org.id)
    .groupBy("policy_id")
    .execute();
  const countOf = new Map(counts.map((c) => [c.policy_id, Number(c.n)]));
  const firstTargets = await sql<{ policy_id: string; target_id: string; target_type: string }>`
    SELECT policy_id, target_id, target_type FROM (
      SELECT policy_id, target_id, target_type,
        ROW_NUMBER() OVER (PARTITION BY policy_id ORDER BY CASE target_type WHEN 'ROOT' THEN 0 WHEN 'ORGANIZATIONAL_UNIT' THEN 1 ELSE 2 END, target_id) AS rn
      FROM policy_targets WHERE org_id = ${org.id}
    ) ranked WHERE rn <= ${MAX_TARGETS_PER_POLICY}`.execute(tx);
  const accountIds = [...new Set(firstTargets.rows.filter((t) => t.target_type === "ACCOUNT").map((t) => t.target_id))];
  const accountName = new Map<string, string>();
  for (const ids of chunks(accountIds)) {
    for (const a of await tx.selectFrom("accounts").select(["id", "name"]).where("id", "in", ids).execute()) accountName.set(a.id, a.name);
  }
  const targetsOf = new Map<string, PolicyView["targets"]>();
  const order = (type: string) => (type === "ROOT" ? 0 : type === "ORGANIZATIONAL_UNIT" ? 1 : 2);
  for (const t of firstTargets.rows.sort((a, b) => order(a.target_type) - order(b.target_type) || a.target_id.localeCompare(b.target_id))) {
    const name = t.target_type === "ACCOUNT" ? accountName.get(t.target_id) : nodes.get(t.target_id)?.name;
    targetsOf.set(t.policy_id, [
      ...(targetsOf.get(t.policy_id) ?? []),
      { id: t.target_id, type: t.target_type, name: name ?? t.target_id },
    ]);
  }
  return rows
    .filter((p) => p.aws_managed !== 1 || enabledTypes.has(p.type) || (countOf.get(p.id) ?? 0) > 0)
    .map((p) => ({
      id: p.id,
      arn: p.aws_managed === 1 ? arns.awsManagedPolicy(org.partition, p.type, p.id) : p.arn,
      name: p.name,
      description: p.description,
      type: p.type,
      awsManaged: p.aws_managed === 1,
      content: p.content,
      targetCount: countOf.get(p.id) ?? 0,
      targets: targetsOf.get(p.id) ?? [],
    }));
}
