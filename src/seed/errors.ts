/** What is wrong with a seed, with where: `org.yaml:14:7: organizations[0].policies[0].content: ...`. */

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
}

/** A place in the seed: its path in the document and, when the seed was text, its line and column. */
export interface Site {
  path: string;
  pos?: SourcePosition;
}

export interface SeedProblem {
  /** The seed's name (a file name, or "seed"). */
  source: string;
  /** Path in the document, e.g. `organizations[0].policies[1].content` ("" for the document itself). */
  path: string;
  line?: number;
  col?: number;
  message: string;
  /** For an operation that failed while applying: the operation, and AWS's error code and reason. */
  operation?: string;
  code?: string;
  reason?: string;
}

export function formatProblem(p: SeedProblem): string {
  const where = p.line !== undefined ? `${p.source}:${p.line}:${p.col ?? 1}` : p.source;
  return `${where}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

/**
 * A seed that was not applied. `invalid`: the document is malformed or breaks the format (found
 * before anything is applied); `failed`: an operation refused it while applying, and everything
 * the seed had done was rolled back.
 */
export class SeedError extends Error {
  constructor(
    readonly kind: "invalid" | "failed",
    readonly problems: SeedProblem[],
  ) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "SeedError";
  }
}

export function problemAt(source: string, site: Site, message: string, extra: Partial<SeedProblem> = {}): SeedProblem {
  return { source, path: site.path, ...(site.pos ? { line: site.pos.line, col: site.pos.col } : {}), message, ...extra };
}
