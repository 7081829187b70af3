/**
 * The CommonJS entry: `require("orgsim")`. orgsim is ES modules and Node 20 cannot require() an
 * ES module, so this wrapper loads them with a dynamic import: `startOrgsim` is the same async
 * function as the ES entry's, and `load()` gives the whole ES module (OrgsimError, SeedError,
 * formatProblem). The types are the ES entry's.
 *
 *   const { startOrgsim } = require("orgsim");
 *   const sim = await startOrgsim({ port: 0, quiet: true });
 */
import type { Orgsim, StartOptions } from "../index.js";

export type {
  Orgsim,
  StartOptions,
  Settings,
  FaultSpec,
  Readiness,
  OrgsimEvent,
  EventFilter,
  InjectedFaultView,
  Explanation,
  ExplainLevel,
  SeedInput,
  SeedFile,
  SeedResult,
  SeededOrganization,
  SeedProblem,
  OrgsimError,
  SeedError,
} from "../index.js";

/** The ES module itself, for its classes and functions: `const { OrgsimError } = await load()`. */
export function load(): Promise<typeof import("../index.js")> {
  return import("../index.js");
}

/** Starts a private orgsim (see the ES entry's startOrgsim). */
export async function startOrgsim(options: StartOptions = {}): Promise<Orgsim> {
  return (await load()).startOrgsim(options);
}
