/**
 * Which names a request may use for orgsim in its Host header: the defence against DNS
 * rebinding, where a page on `attacker.example` re-points its own name at 127.0.0.1 and so
 * talks to orgsim as a same-origin page of its own. Such a request carries the attacker's name
 * in Host; a name orgsim does not know is refused.
 *
 * Allowed: loopback names (`localhost`, `*.localhost`), any IP address (a rebinding page always
 * uses a name: an address literal is its own origin, which an attacker can't serve pages from),
 * the name orgsim was told to listen on, the machine's host name when listening on every
 * interface, and what `--allow-host` adds.
 */
import { isIP, isIPv4 } from "node:net";
import { hostname } from "node:os";

export interface HostPolicy {
  /** `--allow-host *`: no check. */
  any: boolean;
  /** Exact names, lower case, without a trailing dot. */
  names: Set<string>;
  /** `.corp.example`: that name and every name under it. */
  suffixes: string[];
}

/** A Host header split into its name (lower case, IPv6 in brackets, no trailing dot) and port. */
export function parseHostHeader(value: string): { name: string; port: string | undefined } | undefined {
  const v = value.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.%a-z]+)\](?::(\d{1,5}))?$/.exec(v);
  if (bracketed) return isIP(bracketed[1]!) === 6 ? { name: `[${bracketed[1]!}]`, port: bracketed[2] } : undefined;
  const m = /^([a-z0-9_.-]+?)\.?(?::(\d{1,5}))?$/.exec(v);
  if (!m || m[1] === "" || m[1]!.startsWith(".")) return undefined;
  return { name: m[1]!, port: m[2] };
}

/** Whether a listen address or host name stays on this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIPv4(h)) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || /^(0{0,4}:){7}0{0,3}1$/.test(h) || /^::ffff:127\./.test(h);
  return false;
}

/** Listening on every interface (0.0.0.0, ::). */
export function isWildcardAddress(host: string): boolean {
  const h = host.trim().replace(/^\[(.*)\]$/, "$1");
  return h === "0.0.0.0" || h === "::" || /^(0{1,4}:){7}0{1,4}$/.test(h);
}

/** The host policy for a server listening on `listenHost`, with the user's `--allow-host` values. */
export function hostPolicy(listenHost: string, allowHosts: readonly string[], machineName: string = hostname()): HostPolicy {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const listen = listenHost.trim().toLowerCase().replace(/\.$/, "");
  if (isIP(listen) === 0 && listen !== "") names.add(listen);
  if (isWildcardAddress(listenHost) && machineName) {
    // Reached by the machine's own name (e.g. a container by its host name): that name resolves
    // through the machine's resolver, not an attacker's, so it can't be rebound by a web page.
    const m = machineName.toLowerCase();
    names.add(m);
    names.add(m.split(".")[0]!);
  }
  let any = false;
  for (const entry of allowHosts) {
    if (entry === "*") any = true;
    else if (entry.startsWith(".")) suffixes.push(entry.slice(1));
    else names.add(entry.replace(/^\[(.*)\]$/, "[$1]"));
  }
  return { any, names, suffixes };
}

/** Whether the Host header's name is one orgsim answers to. */
export function hostAllowed(policy: HostPolicy, name: string): boolean {
  if (policy.any) return true;
  const bare = name.replace(/^\[(.*)\]$/, "$1");
  if (isIP(bare) !== 0) return true;
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (policy.names.has(name)) return true;
  return policy.suffixes.some((s) => name === s || name.endsWith(`.${s}`));
}
