/**
 * The few queries every call runs, compiled once per dialect and re-run with new parameters:
 * building a query with Kysely costs more than running it on SQLite. Only for queries whose
 * SQL text doesn't depend on their values (no IN lists).
 */
import type { CompiledQuery } from "kysely";
import type { Tx } from "./store.js";

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
    if (template.parameters.length !== params.length)
      throw new Error(`hot query ${name}: ${template.parameters.length} parameters, ${params.length} given`);
    templates.set(key, template);
  }
  const result = await tx.executeQuery<R>({ ...template, parameters: params } as CompiledQuery<R>);
  return result.rows;
}
