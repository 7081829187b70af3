/**
 * Requests meant for an AWS service orgsim does not serve (S3, IAM, DynamoDB, EC2, ...), which
 * arrive when a client points every service at orgsim (`AWS_ENDPOINT_URL`, a shared
 * `--endpoint-url`). They get an AWS-shaped error in the protocol the client speaks, so its SDK
 * shows the message, and the message names the service asked for and the ones orgsim serves.
 *
 * The service asked for comes from the SigV4 credential scope (`.../us-east-1/s3/aws4_request`,
 * in the Authorization header or a presigned query), else from the X-Amz-Target prefix.
 */
import { credentialScopeService, type HttpRequestParts } from "./auth/sigv4.js";
import type { ServiceDefinition } from "./context.js";
import { AwsError } from "./protocol/errors.js";
import { JSON_CONTENT_TYPE, matchesTarget, serializeJsonError } from "./protocol/awsJson.js";
import { xmlEscape } from "./protocol/awsQuery.js";
import { matchRestOperation } from "./protocol/restJson.js";

/** The wire protocol of the request, as the front door tells it from its headers. */
export type FrontProtocol = "json" | "query" | "rest";

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The Credential pair's value in an Authorization header (its scope is read by sigv4's own parser). */
const CREDENTIAL = /Credential=([^,\s]+)/;

/** The services orgsim serves and every name a request may sign for them with: computed once for a server, not per request. */
export class ServedSet {
  readonly names: ReadonlySet<string>;
  constructor(readonly list: readonly ServiceDefinition[]) {
    this.names = new Set(list.flatMap((s) => [s.name, s.model.metadata.endpointPrefix, s.model.metadata.signingName ?? s.name]));
  }
}

export function servedSet(services: Iterable<ServiceDefinition>): ServedSet {
  return new ServedSet([...services]);
}

/** The service a request was signed for (the credential scope's service), or undefined when unsigned or malformed. */
export function signedService(parts: Pick<HttpRequestParts, "headers" | "query">): string | undefined {
  const auth = parts.headers.authorization;
  const credential = typeof auth === "string" ? CREDENTIAL.exec(auth)?.[1] : undefined;
  const header = credential !== undefined ? credentialScopeService(credential) : undefined;
  if (header) return header;
  const query = parts.query.get("X-Amz-Credential");
  return query ? credentialScopeService(query) : undefined;
}

/**
 * The service a request asks for when orgsim does not serve it: the credential scope's service
 * when that is none of orgsim's, or (unsigned) an X-Amz-Target no service of orgsim's has.
 * Undefined for a request to a served service, however malformed: that service answers it.
 */
export function unservedService(
  services: Iterable<ServiceDefinition> | ServedSet,
  parts: Pick<HttpRequestParts, "headers" | "query" | "method" | "path" | "body">,
  protocol: FrontProtocol,
): string | undefined {
  const { list, names } = services instanceof ServedSet ? services : servedSet(services);
  const scope = signedService(parts);
  if (scope && names.has(scope)) return undefined;
  // A request that names one of orgsim's operations is that service's to answer, whatever its
  // signature says (a wrong credential scope is then that service's signature error, as on AWS).
  if (namesServedOperation(list, parts, protocol)) return undefined;
  if (scope) return scope;
  const target = parts.headers["x-amz-target"];
  if (protocol === "json" && typeof target === "string") return `the X-Amz-Target ${target.split(".")[0] ?? target}`;
  return undefined;
}

/** Whether the request names an operation of a served service: its X-Amz-Target, its Action, or its REST path. */
function namesServedOperation(
  list: readonly ServiceDefinition[],
  parts: Pick<HttpRequestParts, "headers" | "query" | "method" | "path" | "body">,
  protocol: FrontProtocol,
): boolean {
  const target = parts.headers["x-amz-target"];
  if (protocol === "json") return typeof target === "string" && list.some((s) => s.protocol === "json" && matchesTarget(s.model, target));
  if (protocol === "query") {
    const action = parts.query.get("Action") ?? new URLSearchParams(parts.body.toString("utf8")).get("Action");
    return action !== null && list.some((s) => s.protocol === "query" && Object.hasOwn(s.model.operations, action));
  }
  return list.some((s) => s.protocol === "rest-json" && matchRestOperation(s.model, parts.method, parts.path) !== undefined);
}

/** The operation a request for an unserved service names, for the request log. */
export function askedOperation(
  parts: Pick<HttpRequestParts, "headers" | "query" | "method" | "path" | "body">,
  protocol: FrontProtocol,
): string {
  const target = parts.headers["x-amz-target"];
  if (protocol === "json" && typeof target === "string") return target.split(".").pop() ?? target;
  if (protocol === "query") return parts.query.get("Action") ?? new URLSearchParams(parts.body.toString("utf8")).get("Action") ?? "-";
  return `${parts.method} ${parts.path}`;
}

/** Services whose REST protocol answers errors in XML (their SDKs can't read a JSON error). */
const REST_XML = new Set(["s3", "s3-control", "s3-outposts", "route53", "cloudfront"]);

/** The message: what was asked for, what orgsim serves, and how to send only those to orgsim. */
export function unservedMessage(asked: string, served: readonly string[]): string {
  const list = served.length > 1 ? `${served.slice(0, -1).join(", ")} and ${served[served.length - 1]}` : served.join("");
  const envs = served.map((s) => `AWS_ENDPOINT_URL_${s.toUpperCase()}`);
  return (
    `orgsim does not serve ${asked}; it serves ${list}. ` +
    `To send only those to orgsim, set ${envs.join(", ")} instead of AWS_ENDPOINT_URL (or give --endpoint-url only to those commands).`
  );
}

/**
 * The error for a request to a service orgsim does not serve, in the wire form of `protocol`
 * (and of the service, where it has its own: S3's XML, EC2's `<Response><Errors>`).
 */
export function unservedReply(
  protocol: FrontProtocol,
  asked: string,
  served: readonly string[],
  requestId: string,
): Reply & { code: string } {
  const message = unservedMessage(asked, served);
  const service = asked.toLowerCase();
  if (protocol === "json") {
    return {
      code: "UnknownOperationException",
      status: 400,
      headers: { "x-amzn-RequestId": requestId, "Content-Type": JSON_CONTENT_TYPE },
      body: serializeJsonError(new AwsError("UnknownOperationException", message)),
    };
  }
  if (protocol === "query") {
    const error = `<Code>InvalidAction</Code><Message>${xmlEscape(message)}</Message>`;
    const body =
      service === "ec2"
        ? `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>${error}</Error></Errors><RequestID>${requestId}</RequestID></Response>`
        : `<ErrorResponse><Error><Type>Sender</Type>${error}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { code: "InvalidAction", status: 400, headers: { "x-amzn-RequestId": requestId, "Content-Type": "text/xml" }, body };
  }
  if (REST_XML.has(service)) {
    return {
      code: "NotImplemented",
      status: 501,
      headers: { "x-amz-request-id": requestId, "Content-Type": "application/xml" },
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId></Error>`,
    };
  }
  return {
    code: "UnknownOperationException",
    status: 400,
    headers: { "x-amzn-RequestId": requestId, "Content-Type": "application/json", "x-amzn-ErrorType": "UnknownOperationException" },
    body: JSON.stringify({ message }),
  };
}
