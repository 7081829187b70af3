/**
 * Requests shaped as a browser (or a DNS-rebinding page) would send them, for the web-security
 * suites: any Host, Origin, Sec-Fetch-* or Referer, over node:http (fetch would not let a test
 * set Host); and an AWS SDK client whose requests carry extra headers.
 */
import { request } from "node:http";
import type { Answer } from "./fuzz-support.js";

export interface WebRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Connect here instead of the endpoint's own address (e.g. "::1"). */
  connectTo?: string;
}

/** One request over node:http; the Host header is whatever `headers.host` says (else the endpoint's). */
export function web(endpoint: string, req: WebRequest): Promise<Answer> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: req.connectTo ?? url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: Number(url.port),
        method: req.method ?? "GET",
        path: req.path,
        headers: { ...(req.body !== undefined ? { "content-length": String(Buffer.byteLength(req.body)) } : {}), ...req.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}

/** A SigV4 presigned query string (unverified signature: any works for a 12-digit key outside --strict-auth). */
export function presignedQuery(accessKeyId: string, service: string, date: string): string {
  const scope = `${accessKeyId}/${date.slice(0, 8)}/us-east-1/${service}/aws4_request`;
  return `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(scope)}&X-Amz-Date=${date}&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=${"0".repeat(64)}`;
}

interface WithMiddleware {
  middlewareStack: { add(mw: unknown, options: { step: string; name: string; priority?: string }): void };
}

/** Makes every request of an AWS SDK client carry these headers (Host, Origin, Sec-Fetch-Site, ...), set after signing. */
export function withHeaders<C extends object>(client: C, headers: Record<string, string>): C {
  const mw = (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
    const req = args.request as { headers?: Record<string, string> };
    if (req.headers) Object.assign(req.headers, headers);
    return next(args);
  };
  (client as unknown as WithMiddleware).middlewareStack.add(mw, { step: "finalizeRequest", name: "orgsimTestHeaders", priority: "low" });
  return client;
}

export function parseJson(text: string): Record<string, unknown> {
  const v: unknown = JSON.parse(text);
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`not a JSON object: ${text.slice(0, 200)}`);
  return v as Record<string, unknown>;
}
