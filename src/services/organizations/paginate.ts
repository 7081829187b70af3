/**
 * NextToken/MaxResults as AWS's paginators describe them. A token is opaque to clients but
 * signed, and bound to the operation and caller that received it: a forged, altered or
 * foreign token is InvalidInputException INVALID_NEXT_TOKEN, never page one again.
 *
 * Lists come back in creation order: the key of a page is a row's `seq` (src/store/sequence.ts),
 * so a list read twice has the same order, and each page is one index range read at any depth.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { CallContext } from "../../context.js";
import { invalidInput } from "../../org/errors.js";

export const DEFAULT_PAGE_SIZE = 20;

let tokenKey: Buffer = Buffer.from("orgsim-default-token-key");

/** Set once at start from the shared state, so that replicas accept each other's tokens. */
export function setTokenKey(key: Buffer): void {
  tokenKey = key;
}

function sign(payload: string): string {
  return createHmac("sha256", tokenKey).update(payload).digest("base64url").slice(0, 22);
}

const badToken = () => invalidInput("INVALID_NEXT_TOKEN", "The specified NextToken is not valid.");

/**
 * The token format: 2 since lists page by creation order. A token of the earlier format (keyed by
 * id) from before an upgrade is refused rather than read as a position it never meant.
 */
const TOKEN_VERSION = 2;

/** The key after which the page starts, or undefined for the first page. */
export function readToken(ctx: CallContext, scope: string, token: unknown): string | undefined {
  if (token === undefined || token === null) return undefined;
  if (typeof token !== "string" || token === "") throw badToken();
  const dot = token.lastIndexOf(".");
  if (dot < 1) throw badToken();
  const payload = token.slice(0, dot);
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(token.slice(dot + 1));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw badToken();
  let decoded: { v?: unknown; s?: unknown; c?: unknown; k?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof decoded;
  } catch {
    throw badToken();
  }
  if (decoded.v !== TOKEN_VERSION || decoded.s !== `${ctx.operation}:${scope}` || decoded.c !== ctx.principal.accountId || typeof decoded.k !== "string") {
    throw badToken();
  }
  return decoded.k;
}

export function makeToken(ctx: CallContext, scope: string, lastKey: string): string {
  const payload = Buffer.from(JSON.stringify({ v: TOKEN_VERSION, s: `${ctx.operation}:${scope}`, c: ctx.principal.accountId, k: lastKey })).toString("base64url");
  return `${payload}.${sign(payload)}`;
}

/** The creation-order position after which a page starts (a page key of `seqKey`). */
export function seqAfter(after: string | undefined): number | undefined {
  if (after === undefined) return undefined;
  if (!/^\d{1,15}$/.test(after)) throw badToken();
  return Number(after);
}

/** The page key of a row listed in creation order. */
export const seqKey = (row: { seq: number }): string => String(row.seq);

export function pageSize(maxResults: unknown): number {
  return typeof maxResults === "number" ? maxResults : DEFAULT_PAGE_SIZE;
}

/**
 * Keyset pagination: `fetch(after, limit)` returns up to `limit` rows ordered by key, strictly after
 * `after`. Rows that `keep` rejects are skipped without ending the page early.
 */
export async function paginate<R, O>(
  ctx: CallContext,
  scope: string,
  input: { NextToken?: unknown; MaxResults?: unknown },
  fetch: (after: string | undefined, limit: number) => Promise<R[]>,
  keyOf: (row: R) => string,
  map: (row: R) => O | undefined,
): Promise<{ items: O[]; NextToken?: string }> {
  const size = pageSize(input.MaxResults);
  let after = readToken(ctx, scope, input.NextToken);
  const items: O[] = [];
  for (;;) {
    const rows = await fetch(after, size + 1);
    for (const row of rows) {
      if (items.length === size) return { items, NextToken: makeToken(ctx, scope, after!) };
      after = keyOf(row);
      const item = map(row);
      if (item !== undefined) items.push(item);
    }
    if (rows.length < size + 1) return { items };
  }
}
