/**
 * The warning `orgsim start` prints when it listens beyond loopback (or with the Host check
 * off): what anyone who can reach the port can now do, and the flag that closes each door.
 */
import type { Settings } from "../config.js";
import { isLoopback, isWildcardAddress } from "./hosts.js";

export interface Exposure {
  /** One line: where orgsim listens and that this is beyond loopback. */
  headline: string;
  /** What is reachable, each with the flag that limits it. */
  reachable: string[];
  /** Notes that follow the list (browser protections, the Host check, docs). */
  notes: string[];
}

type ExposureSettings = Pick<Settings, "host" | "strictAuth" | "controlApi" | "controlToken" | "allowHosts" | "corsOrigins">;

/** What a start with these settings exposes, or undefined when orgsim stays on loopback with every check on. */
export function exposureOf(settings: ExposureSettings, port: number): Exposure | undefined {
  const hostOff = settings.allowHosts.includes("*");
  const beyond = !isLoopback(settings.host);
  if (!beyond && !hostOff) return undefined;
  const where = isWildcardAddress(settings.host) ? `${settings.host} (every network interface)` : settings.host;
  const reachable: string[] = [];
  const notes: string[] = [];
  if (beyond) {
    reachable.push(
      settings.strictAuth
        ? "the AWS APIs (Organizations, STS, Account, CloudTrail) with credentials orgsim issued (--strict-auth verifies every signature)"
        : "the AWS APIs (Organizations, STS, Account, CloudTrail) as any account, without authentication (--strict-auth requires issued keys and valid signatures)",
    );
    if (!settings.controlApi) {
      notes.push("The control API and the console are off (--no-control-api).");
    } else if (settings.controlToken !== undefined) {
      reachable.push(
        "the control API (/_orgsim/: reset, clock, faults, credentials) and the console (/_orgsim/console), with the control token only (/_orgsim/health answers its status to anyone)",
      );
    } else {
      reachable.push(
        "the control API (/_orgsim/): reset the state, move the clock, inject faults, issue credentials, without a token (--control-token requires one; --no-control-api turns it off)",
      );
      reachable.push("the console (/_orgsim/console): every organization, account and policy (--control-token or --no-control-api)");
    }
  }
  notes.push(
    hostOff
      ? "The Host check is off (--allow-host *): a web page you visit can reach orgsim through your browser by DNS rebinding."
      : `Requests naming orgsim by a host name other than localhost${isWildcardAddress(settings.host) ? ", this machine's name" : isLoopback(settings.host) ? "" : `, ${settings.host}`}${settings.allowHosts.length > 0 ? `, ${settings.allowHosts.join(", ")}` : ""} or an IP address are refused (--allow-host adds names).`,
  );
  notes.push(
    `Requests from web pages are refused unless they come from orgsim's own console${settings.corsOrigins.length > 0 ? ` or ${settings.corsOrigins.join(", ")} (--cors-origin)` : ""}. See docs/security.md.`,
  );
  const headline = beyond
    ? `listening on ${where}, port ${port}, not only on this machine's loopback; whoever can reach that port can use:`
    : `listening on ${settings.host}, port ${port}, with the Host check off.`;
  return { headline, reachable, notes };
}

/** The warning as text (several lines) for people. */
export function exposureText(e: Exposure): string {
  return [`orgsim: WARNING: ${e.headline}`, ...e.reachable.map((r) => `  - ${r}`), ...e.notes.map((n) => `  ${n}`)].join("\n");
}

/** Writes the warning, if any, to stderr: text, or one JSON line with --log-format json. */
export function warnAboutExposure(
  settings: ExposureSettings & Pick<Settings, "logFormat">,
  port: number,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Exposure | undefined {
  const e = exposureOf(settings, port);
  if (!e) return undefined;
  if (settings.logFormat === "json") {
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: "warn",
        msg: `orgsim: ${e.headline}`,
        reachable: e.reachable,
        notes: e.notes,
      }) + "\n",
    );
  } else {
    write(exposureText(e) + "\n");
  }
  return e;
}
