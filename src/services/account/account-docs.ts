/**
 * Per-account documents of the Account API, kept in `account_docs(account_id, kind, doc)` as
 * JSON: contact information, alternate contacts, Region opt-in state, a pending primary-email
 * update. One row per (account, kind).
 */
import type { Tx } from "../../store/store.js";

/** The kinds of document, one place for their spelling. */
export const DocKind = {
  contact: "contact",
  alternateContact: (type: string) => `alternate-contact/${type}`,
  region: (name: string) => `region/${name}`,
  regionPrefix: "region/",
  primaryEmailUpdate: "primary-email-update",
} as const;

export async function readDoc<T extends object>(tx: Tx, accountId: string, kind: string): Promise<T | undefined> {
  const row = await tx
    .selectFrom("account_docs")
    .select("doc")
    .where("account_id", "=", accountId)
    .where("kind", "=", kind)
    .executeTakeFirst();
  return row ? (JSON.parse(row.doc) as T) : undefined;
}

/** Documents whose kind starts with `prefix` (which holds no LIKE wildcard), by kind. */
export async function readDocs<T extends object>(tx: Tx, accountId: string, prefix: string): Promise<Map<string, T>> {
  const rows = await tx
    .selectFrom("account_docs")
    .select(["kind", "doc"])
    .where("account_id", "=", accountId)
    // LIKE, not a range: PostgreSQL's collations may order punctuation unlike code points.
    .where("kind", "like", `${prefix}%`)
    .execute();
  return new Map(rows.map((r) => [r.kind, JSON.parse(r.doc) as T]));
}

export async function writeDoc(tx: Tx, accountId: string, kind: string, doc: object): Promise<void> {
  const text = JSON.stringify(doc);
  await tx
    .insertInto("account_docs")
    .values({ account_id: accountId, kind, doc: text })
    .onConflict((oc) => oc.columns(["account_id", "kind"]).doUpdateSet({ doc: text }))
    .execute();
}

/** Deletes a document; whether there was one. */
export async function deleteDoc(tx: Tx, accountId: string, kind: string): Promise<boolean> {
  const result = await tx.deleteFrom("account_docs").where("account_id", "=", accountId).where("kind", "=", kind).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
