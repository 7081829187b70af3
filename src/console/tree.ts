/**
 * The tree: the root and its OUs with account counts and attached policies, and which containers
 * show their accounts (the page's choice, else opened by default while the tree stays small).
 */
import type { OuTable } from "../store/schema.js";
import type { OrgRow, RootRow } from "../org/repo.js";
import type { Tx } from "../store/store.js";
import { AUTO_OPEN_DEPTH, AUTO_OPEN_MAX_ACCOUNTS, AUTO_OPEN_ROWS, DEFAULT_PAGE } from "./limits.js";
import { visibleAt } from "./sql.js";
import type { AttachedPolicyRef, TreeNode } from "./types.js";

/** The root and every OU as a tree (OUs by name), with account counts and directly attached policies. */
export async function buildTree(tx: Tx, org: OrgRow, root: RootRow, at: number): Promise<{ tree: TreeNode; nodes: Map<string, TreeNode> }> {
  const ous: OuTable[] = await tx.selectFrom("ous").selectAll().where("org_id", "=", org.id).orderBy("name").orderBy("id").execute();
  const counts = await tx
    .selectFrom("accounts")
    .select((eb) => ["parent_id", eb.fn.countAll().as("n")])
    .where("org_id", "=", org.id)
    .where(visibleAt(at))
    .groupBy("parent_id")
    .execute();
  const countOf = new Map(counts.map((c) => [c.parent_id, Number(c.n)]));
  const attached = await tx
    .selectFrom("policy_targets")
    .innerJoin("policies", "policies.id", "policy_targets.policy_id")
    .select(["policy_targets.target_id", "policies.id", "policies.name", "policies.type"])
    .where("policy_targets.org_id", "=", org.id)
    .where("policy_targets.target_type", "in", ["ROOT", "ORGANIZATIONAL_UNIT"])
    .orderBy("policies.type")
    .orderBy("policies.name")
    .execute();
  const policiesOf = new Map<string, AttachedPolicyRef[]>();
  for (const a of attached) policiesOf.set(a.target_id, [...(policiesOf.get(a.target_id) ?? []), { id: a.id, name: a.name, type: a.type }]);

  const node = (id: string, type: TreeNode["type"], name: string, arn: string, parentId: string | null): TreeNode => ({
    id,
    type,
    name,
    arn,
    parentId,
    accountCount: countOf.get(id) ?? 0,
    totalAccounts: 0,
    policies: policiesOf.get(id) ?? [],
    children: [],
    open: false,
  });
  const tree = node(root.id, "ROOT", root.name, root.arn, null);
  const nodes = new Map<string, TreeNode>([[root.id, tree]]);
  for (const ou of ous) nodes.set(ou.id, node(ou.id, "ORGANIZATIONAL_UNIT", ou.name, ou.arn, ou.parent_id));
  for (const ou of ous) nodes.get(ou.parent_id)?.children.push(nodes.get(ou.id)!);
  const total = (n: TreeNode, depth: number): number => {
    n.totalAccounts = n.accountCount + (depth > 10 ? 0 : n.children.reduce((sum, c) => sum + total(c, depth + 1), 0));
    return n.totalAccounts;
  };
  total(tree, 0);
  return { tree, nodes };
}

/**
 * Which containers show their accounts, and how many: those the page opened (`chosen`, a count
 * above 0) and, where the page said nothing, OUs opened by default while the tree stays small
 * (see AUTO_OPEN_ROWS). Breadth first, so shallow OUs open before deep ones; only containers whose
 * parents are open count. Marks each node's `open`.
 */
export function openContainers(tree: TreeNode, chosen: ReadonlyMap<string, number>, autoOpen = true): Map<string, number> {
  const shown = new Map<string, number>();
  let rows = 0;
  const queue: { node: TreeNode; depth: number }[] = [{ node: tree, depth: 0 }];
  for (let i = 0; i < queue.length; i++) {
    const { node, depth } = queue[i]!;
    const choice = chosen.get(node.id);
    let page = DEFAULT_PAGE;
    if (choice !== undefined) {
      node.open = choice > 0;
      page = choice;
    } else if (node.type === "ROOT") {
      node.open = true;
    } else {
      const cost = Math.min(node.accountCount, DEFAULT_PAGE) + node.children.length;
      node.open = autoOpen && depth <= AUTO_OPEN_DEPTH && node.accountCount <= AUTO_OPEN_MAX_ACCOUNTS && rows + cost <= AUTO_OPEN_ROWS;
    }
    if (!node.open) continue;
    if (node.accountCount > 0) shown.set(node.id, page);
    rows += Math.min(node.accountCount, page) + node.children.length;
    for (const child of node.children) queue.push({ node: child, depth: depth + 1 });
  }
  return shown;
}
