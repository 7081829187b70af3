/**
 * The few queries every call runs, compiled once per dialect and re-run with new parameters:
 * building a query with Kysely costs more than running it on SQLite. Only for queries whose
 * SQL text doesn't depend on their values (no IN lists).
 */
import type { CompiledQuery, Insertable } from "kysely";
import type { Tx } from "./store.js";
import type { Database } from "./schema.js";

const templates = new Map<string, CompiledQuery>();

export async function hotQuery<R>(
  tx: Tx,
  name: string,
  params: readonly unknown[],
  build: (tx: Tx) => { compile(): CompiledQuery<R> },
): Promise<R[]> {
  const key = `${name}|${tx.getExecutor().adapter.constructor.name}`;
  let template = templates.get(key);
  if (!template) {
    template = build(tx).compile();
    // `build` is given this call's values: the statement's parameters must be `params`, in order
    // (a wrong order would run every later call with its values in the wrong places).
    if (template.parameters.length !== params.length || template.parameters.some((p, i) => p !== params[i]))
      throw new Error(
        `hot query ${name}: the statement's parameters ${JSON.stringify(template.parameters)} are not the ones given, ${JSON.stringify(params)}`,
      );
    templates.set(key, template);
  }
  const result = await tx.executeQuery<R>({ ...template, parameters: params } as CompiledQuery<R>);
  return result.rows;
}

/**
 * INSERT of one row, compiled once per table and set of columns (the row's keys with a value, in
 * the row's order, which is the order Kysely gives the statement's parameters): for the rows
 * every CreateAccount writes.
 */
export async function hotInsert<T extends keyof Database & string>(tx: Tx, table: T, row: Insertable<Database[T]>): Promise<void> {
  const values = row as Record<string, unknown>;
  const columns = Object.keys(values).filter((c) => values[c] !== undefined);
  await hotQuery(
    tx,
    `insert ${table} (${columns.join(",")})`,
    columns.map((c) => values[c]),
    (t) => t.insertInto(table).values(row),
  );
}
