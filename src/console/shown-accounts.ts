/**
 * Which accounts the tree shows: in a search, the matches (at most the page's limit), each under
 * its container, with match counts up the tree; otherwise a page of accounts for each open
 * container (`openContainers`).
 */
import type { CallContext } from "../context.js";
import type { OrgRow } from "../org/repo.js";
import { accountViews } from "./accounts.js";
import type { ScpMemo } from "./leave-verdict.js";
import { DEFAULT_PAGE, MAX_PAGE } from "./limits.js";
import { accountOrder, containsPattern, searchMatch, visibleAt } from "./sql.js";
import { openContainers } from "./tree.js";
import type { ConsoleQuery, ConsoleState, TreeNode } from "./types.js";

/** What every shown account needs: the call context, the organization, whether SCPs apply, the shared SCP memo. */
export interface ShowContext {
  ctx: CallContext;
  org: OrgRow;
  at: number;
  scpEnabled: boolean;
  scpMemo: ScpMemo;
}

/** Puts the accounts matching `query` under their containers; answers the search's summary. */
export async function showSearchMatches(
  s: ShowContext,
  nodes: Map<string, TreeNode>,
  q: ConsoleQuery,
  query: string,
): Promise<NonNullable<ConsoleState["search"]>> {
  const { ctx, org, at, scpEnabled, scpMemo } = s;
  const { tx } = ctx;
  const limit = Math.min(Math.max(q.searchLimit ?? DEFAULT_PAGE * 2, 1), MAX_PAGE);
  const pattern = containsPattern(query);
  const totalRow = await tx
    .selectFrom("accounts")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("org_id", "=", org.id)
    .where(visibleAt(at))
    .where(searchMatch(pattern))
    .executeTakeFirst();
  const rows = await tx
    .selectFrom("accounts")
    .selectAll()
    .where("org_id", "=", org.id)
    .where(visibleAt(at))
    .where(searchMatch(pattern))
    .orderBy(accountOrder(org.management_account_id))
    .limit(limit)
    .execute();
  const views = await accountViews(ctx, org, scpEnabled, rows, scpMemo);
  for (const v of views) {
    const container = nodes.get(v.parentId ?? "");
    if (!container) continue;
    container.accounts ??= { items: [], total: 0 };
    container.accounts.items.push(v);
    container.accounts.total += 1;
    for (let n: TreeNode | undefined = container, depth = 0; n && depth < 12; n = nodes.get(n.parentId ?? ""), depth++)
      n.matches = (n.matches ?? 0) + 1;
  }
  return { query, total: Number(totalRow?.n ?? 0), shown: views.length, limit };
}

/** Gives each open container its page of accounts (management account first, then by name). */
export async function showOpenContainers(s: ShowContext, tree: TreeNode, nodes: Map<string, TreeNode>, q: ConsoleQuery): Promise<void> {
  const { ctx, org, at, scpEnabled, scpMemo } = s;
  const { tx } = ctx;
  for (const [id, wanted] of openContainers(tree, q.open, q.autoOpen ?? true)) {
    const container = nodes.get(id);
    if (!container) continue;
    const rows = await tx
      .selectFrom("accounts")
      .selectAll()
      .where("org_id", "=", org.id)
      .where("parent_id", "=", id)
      .where(visibleAt(at))
      .orderBy(accountOrder(org.management_account_id))
      .limit(Math.min(wanted, MAX_PAGE))
      .execute();
    container.accounts = { items: await accountViews(ctx, org, scpEnabled, rows, scpMemo), total: container.accountCount };
  }
}
