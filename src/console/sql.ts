/** SQL pieces the console's views share: visibility on the virtual clock, search, account order. */
import { sql, type Expression, type SqlBool } from "kysely";

/** Accounts visible now: a created account appears when its creation completes. */
export const visibleAt = (now: number): Expression<SqlBool> => sql<SqlBool>`(joined_at IS NULL OR joined_at <= ${now})`;

/** A LIKE pattern for a substring match, with `!` escaping the wildcards. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** An account whose id, name or email contains the pattern (`containsPattern`). */
export const searchMatch = (pattern: string): Expression<SqlBool> =>
  sql<SqlBool>`(id LIKE ${pattern} ESCAPE '!' OR lower(name) LIKE ${pattern} ESCAPE '!' OR lower(email) LIKE ${pattern} ESCAPE '!')`;

/** Management account first, then by name, then by id. */
export const accountOrder = (managementId: string) => sql`CASE WHEN id = ${managementId} THEN 0 ELSE 1 END, lower(name), id`;

/** Items in batches, for `IN (...)` lists of a bounded size. */
export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
