/**
 * Large states written straight into the store, for tests of size limits and paging: thousands of
 * accounts or OUs through the real operations would add minutes and check nothing more. Each row
 * gets its place in creation order (`seq`) as the operations would give it.
 */
import type { Store } from "../../src/store/store.js";
import type { AccountTable, OuTable } from "../../src/store/schema.js";
import { nextSeqs } from "../../src/store/sequence.js";

const CHUNK = 500;

/** A member account that joined by invitation (fully signed up), unless the fields say otherwise. */
export type BulkAccount = Pick<AccountTable, "id" | "org_id" | "parent_id" | "email" | "name"> & Partial<Omit<AccountTable, "seq">>;

/** An OU row; its ARN and creation time are the caller's. */
export type BulkOu = Omit<OuTable, "seq">;

export async function insertAccounts(store: Store, accounts: readonly BulkAccount[]): Promise<void> {
  const rows = accounts.map((a) => ({
    joined_method: "INVITED",
    joined_at: 0,
    created_at: 0,
    created_by_org_id: null,
    support_plan: 1,
    contact_info: 1,
    payment_method: 1,
    closed_at: null,
    govcloud_enabled: 0,
    ...a,
  }));
  await store.writeTransaction(async (tx) => {
    const seqs = await nextSeqs(tx, rows.length);
    for (let i = 0; i < rows.length; i += CHUNK) {
      await tx
        .insertInto("accounts")
        .values(rows.slice(i, i + CHUNK).map((r, j) => ({ ...r, seq: seqs[i + j]! })))
        .execute();
    }
  });
}

export async function insertOus(store: Store, ous: readonly BulkOu[]): Promise<void> {
  await store.writeTransaction(async (tx) => {
    const seqs = await nextSeqs(tx, ous.length);
    for (let i = 0; i < ous.length; i += CHUNK) {
      await tx
        .insertInto("ous")
        .values(ous.slice(i, i + CHUNK).map((r, j) => ({ ...r, seq: seqs[i + j]! })))
        .execute();
    }
  });
}
