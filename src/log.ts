/**
 * What orgsim prints: one readable line per call (or JSON with --log-format json), its own lines
 * (start banner, warnings, start errors) in the same format; --quiet silences calls, never faults.
 */
import type { Settings } from "./config.js";

export interface CallRecord {
  requestId: string;
  service: string;
  operation: string;
  principal: string;
  status: number;
  error?: string;
  reason?: string;
  message?: string;
  detail?: string;
  ms: number;
}

export class Logger {
  constructor(private readonly settings: Pick<Settings, "logFormat" | "quiet">) {}

  /** --log-format json: every line is a JSON object. */
  get json(): boolean {
    return this.settings.logFormat === "json";
  }

  /** Whether call lines are printed at all (not under --quiet): a caller need not build a record that would be dropped. */
  get logsCalls(): boolean {
    return !this.settings.quiet;
  }

  call(rec: CallRecord): void {
    if (this.settings.quiet) return;
    if (this.settings.logFormat === "json") {
      process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...rec }) + "\n");
      return;
    }
    const outcome = rec.error
      ? `${rec.reason ?? rec.error}${rec.detail ? `, ${rec.detail}` : rec.message ? `: ${rec.message}` : ""}`
      : "OK";
    process.stdout.write(`${rec.operation} by ${rec.principal} -> ${outcome} (${rec.ms.toFixed(1)} ms, ${rec.requestId})\n`);
  }

  fault(requestId: string, context: string, err: unknown): void {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (this.settings.logFormat === "json") {
      process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: "error", requestId, context, error: detail }) + "\n");
    } else {
      process.stderr.write(`orgsim: internal error in ${context} (request ${requestId}): ${detail}\n`);
    }
  }

  /**
   * A line about orgsim itself (the start banner, a seed summary) on stdout, even with --quiet.
   * With --log-format json it is `{"time", "level": "info", "msg", ...fields}`, so every line is JSON.
   */
  info(msg: string, fields: Record<string, unknown> = {}): void {
    this.line(process.stdout, "info", msg, fields);
  }

  /** Something the user should know at start (text: "orgsim: warning: ..." on stderr). */
  warn(msg: string, fields: Record<string, unknown> = {}): void {
    this.line(process.stderr, "warn", msg, fields);
  }

  /** Why orgsim could not start or stopped (text: "orgsim: ..." on stderr). */
  error(msg: string, fields: Record<string, unknown> = {}): void {
    this.line(process.stderr, "error", msg, fields);
  }

  private line(stream: NodeJS.WriteStream, level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown>): void {
    if (this.settings.logFormat === "json") {
      stream.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + "\n");
      return;
    }
    const prefix = level === "info" ? "" : level === "warn" ? "orgsim: warning: " : "orgsim: ";
    stream.write(`${prefix}${msg}\n`);
  }
}
