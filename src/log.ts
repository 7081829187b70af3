/** One readable line per call (or JSON with --log-format json); --quiet silences calls, never faults. */
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

  info(line: string): void {
    if (this.settings.logFormat === "json") process.stdout.write(JSON.stringify({ time: new Date().toISOString(), msg: line }) + "\n");
    else process.stdout.write(`${line}\n`);
  }
}
