/**
 * NextToken/MaxResults as AWS's paginators describe them. A token is opaque to clients but
 * signed, and bound to the operation and caller that received it: a forged, altered or
 * foreign token is the service's own error (each service gives its Pagination that error),
 * never page one again. The signing key is the state's (App keeps it; every CallContext carries
 * it), so replicas accept each other's tokens and a reset voids the old ones.
 *
 * Lists come back in creation order: the key of a page is a row's `seq` (src/store/sequence.ts),
 * so a list read twice has the same order, and each page is one index range read at any depth
 * (`keyset`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { sql, type SelectQueryBuilder } from "kysely";
import type { CallContext } from "./context.js";
import type { AwsError } from "./protocol/errors.js";

export const DEFAULT_PAGE_SIZE = 20;

/**
 * The token format: 2 since lists page by creation order. A token of the earlier format (keyed by
 * id) from before an upgrade is refused rather than read as a position it never meant.
 */
const TOKEN_VERSION = 2;

/** Where a list's rows come from, a page at a time: up to `limit` rows ordered by key, strictly after `after`. */
export interface PageSource<R> {
  fetch(after: string | undefined, limit: number): Promise<R[]>;
  keyOf(row: R): string;
}

export function pageSize(maxResults: unknown): number {
  return typeof maxResults === "number" ? maxResults : DEFAULT_PAGE_SIZE;
}

const sign = (ctx: CallContext, payload: string): string =>
  createHmac("sha256", ctx.tokenKey).update(payload).digest("base64url").slice(0, 22);

/** The page key of a row listed in creation order. */
export const seqKey = <R extends { seq: number }>(row: R): string => String(row.seq);

/** One service's pagination: its answer to a NextToken it did not hand out. */
export class Pagination {
  constructor(private readonly badToken: () => AwsError) {}

  /** The key after which the page starts, or undefined for the first page. */
  readToken(ctx: CallContext, scope: string, token: unknown): string | undefined {
    if (token === undefined || token === null) return undefined;
    if (typeof token !== "string" || token === "") throw this.badToken();
    const dot = token.lastIndexOf(".");
    if (dot < 1) throw this.badToken();
    const payload = token.slice(0, dot);
    const expected = Buffer.from(sign(ctx, payload));
    const given = Buffer.from(token.slice(dot + 1));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw this.badToken();
    let decoded: { v?: unknown; s?: unknown; c?: unknown; k?: unknown };
    try {
      decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof decoded;
    } catch {
      throw this.badToken();
    }
    if (
      decoded.v !== TOKEN_VERSION ||
      decoded.s !== `${ctx.operation}:${scope}` ||
      decoded.c !== ctx.principal.accountId ||
      typeof decoded.k !== "string"
    ) {
      throw this.badToken();
    }
    return decoded.k;
  }

  makeToken(ctx: CallContext, scope: string, lastKey: string): string {
    const payload = Buffer.from(
      JSON.stringify({ v: TOKEN_VERSION, s: `${ctx.operation}:${scope}`, c: ctx.principal.accountId, k: lastKey }),
    ).toString("base64url");
    return `${payload}.${sign(ctx, payload)}`;
  }

  /** The creation-order position after which a page starts (a page key of `seqKey`). */
  seqAfter(after: string | undefined): number | undefined {
    if (after === undefined) return undefined;
    if (!/^\d{1,15}$/.test(after)) throw this.badToken();
    return Number(after);
  }

  /**
   * The rows of `query` in creation order, a page at a time: ordered by `column` (the rows' `seq`,
   * or a joined table's, "policies.seq"), each page after the last row of the one before.
   */
  keyset<DB, TB extends keyof DB, O extends { seq: number }>(query: SelectQueryBuilder<DB, TB, O>, column = "seq"): PageSource<O> {
    const ref = sql.ref<number>(column);
    return {
      fetch: async (after, limit) => {
        const from = this.seqAfter(after);
        const page = from === undefined ? query : query.where(ref, ">", from);
        return (await page.orderBy(ref).limit(limit).execute()) as O[];
      },
      keyOf: seqKey,
    };
  }

  /**
   * Keyset pagination: the page of `source` the input's NextToken names, mapped by `map`. Rows that
   * `map` drops (undefined) are skipped without ending the page early.
   */
  async paginate<R, O>(
    ctx: CallContext,
    scope: string,
    input: { NextToken?: unknown; MaxResults?: unknown },
    source: PageSource<R>,
    map: (row: R) => O | undefined,
  ): Promise<{ items: O[]; NextToken?: string }> {
    const size = pageSize(input.MaxResults);
    let after = this.readToken(ctx, scope, input.NextToken);
    const items: O[] = [];
    for (;;) {
      const rows = await source.fetch(after, size + 1);
      for (const row of rows) {
        if (items.length === size) return { items, NextToken: this.makeToken(ctx, scope, after!) };
        after = source.keyOf(row);
        const item = map(row);
        if (item !== undefined) items.push(item);
      }
      if (rows.length < size + 1) return { items };
    }
  }
}
