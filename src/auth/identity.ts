/**
 * From a request's SigV4 credentials to the calling principal. A key orgsim issued (STS or the
 * control API) is verified with its secret; otherwise a 12-digit key id is the root user of that
 * account and any other key the root user of the account the request's `x-moto-account-id`
 * header names (moto server mode's way to pick an account), else of the default account. Under
 * --strict-auth only issued keys are accepted and the header is never read.
 */
import type { Store } from "../store/store.js";
import type { Settings } from "../config.js";
import { AwsError } from "../protocol/errors.js";
import { partitionOf } from "../org/ids.js";
import { readClockOffset } from "../clock.js";
import type { ServiceModel } from "../protocol/model.js";
import type { Principal } from "../context.js";
import { rootPrincipal } from "./principal.js";
import { parseSigV4, verifySigV4, type HttpRequestParts, type SigV4Request } from "./sigv4.js";

export type AuthStyle = "json" | "query" | "rest";

export interface Authenticated {
  principal: Principal;
  region: string;
  partition: string;
}

/**
 * Each protocol's codes. A signature mismatch is 400 on awsJson services (InvalidSignatureException
 * from ECS, EMR and SageMaker arrives with status 400), 403 for STS and the REST Account API.
 */
const CODES: Record<
  AuthStyle,
  { unknownKey: string; mismatch: string; mismatchStatus: number; expired: string; expiredToken: string; status: number }
> = {
  json: {
    unknownKey: "UnrecognizedClientException",
    mismatch: "InvalidSignatureException",
    mismatchStatus: 400,
    expired: "InvalidSignatureException",
    expiredToken: "ExpiredTokenException",
    status: 400,
  },
  query: {
    unknownKey: "InvalidClientTokenId",
    mismatch: "SignatureDoesNotMatch",
    mismatchStatus: 403,
    expired: "RequestExpired",
    expiredToken: "ExpiredToken",
    status: 403,
  },
  rest: {
    unknownKey: "UnrecognizedClientException",
    mismatch: "InvalidSignatureException",
    mismatchStatus: 403,
    expired: "InvalidSignatureException",
    expiredToken: "ExpiredTokenException",
    status: 403,
  },
};

/** The protocol of a service's model, as the authentication step names it. */
function styleOf(model: ServiceModel): AuthStyle {
  const protocol = model.metadata.protocol;
  return protocol === "json" ? "json" : protocol === "query" ? "query" : "rest";
}

/** The name a client signs requests to this service with (the credential scope's service). */
export function signingNameOf(model: ServiceModel): string {
  return model.metadata.signingName ?? model.metadata.endpointPrefix;
}

/** The header moto's server mode reads to pick the calling account (docs.getmoto.org, "Multi-Account support"). */
export const MOTO_ACCOUNT_HEADER = "x-moto-account-id";

/**
 * The account a request's x-moto-account-id header names, for a key that names none. moto takes
 * any value; orgsim wants an account id, and says so rather than fall back to another account.
 */
function motoAccount(parts: HttpRequestParts, codes: (typeof CODES)[AuthStyle]): string | undefined {
  const raw = parts.headers[MOTO_ACCOUNT_HEADER];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? (raw[0] ?? "") : raw).trim();
  if (!/^\d{12}$/.test(value)) {
    throw new AwsError(codes.unknownKey, `The ${MOTO_ACCOUNT_HEADER} header must be a 12-digit account id; got "${value.slice(0, 64)}".`, {
      status: codes.status,
    });
  }
  return value;
}

/**
 * The caller of a request to the service of `model`. Whenever a signature is verified (issued
 * credentials, and every call under --strict-auth), AWS's rules apply in full: the scope names
 * this service (any region of its partition), host, the date and, for JSON protocols,
 * X-Amz-Target are signed, and the payload is the body's own hash.
 */
export function authenticate(
  store: Store,
  settings: Settings,
  parts: HttpRequestParts,
  model: ServiceModel,
): Authenticated | Promise<Authenticated> {
  const sig = parseSigV4(parts);
  const partition = partitionOf(sig.region);
  // orgsim never issues a 12-digit key id, so outside strict mode such a key is a root user
  // without a look-up (the common case, and one transaction less per call): answered at once, no promise.
  if (!settings.strictAuth && !sig.sessionToken && isAccountId(sig.accessKeyId)) {
    return { principal: rootPrincipal(sig.accessKeyId, partition, sig.accessKeyId), region: sig.region, partition };
  }
  return lookUp(store, settings, parts, model, sig, partition);
}

/** Twelve ASCII digits. */
function isAccountId(value: string): boolean {
  if (value.length !== 12) return false;
  for (let i = 0; i < 12; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The caller of a key that is looked up in the store (issued keys, and every key under --strict-auth), its signature verified. */
async function lookUp(
  store: Store,
  settings: Settings,
  parts: HttpRequestParts,
  model: ServiceModel,
  sig: SigV4Request,
  partition: string,
): Promise<Authenticated> {
  const style = styleOf(model);
  const codes = CODES[style];
  const { row, offset } = await store.transaction(async (tx) => ({
    row: await tx.selectFrom("credentials").selectAll().where("access_key_id", "=", sig.accessKeyId).executeTakeFirst(),
    offset: await readClockOffset(tx),
  }));
  if (!row) {
    if (settings.strictAuth || sig.sessionToken) {
      throw new AwsError(codes.unknownKey, "The security token included in the request is invalid.", { status: codes.status });
    }
    // A key that names no account: the account moto's header names, else the default account.
    const accountId = isAccountId(sig.accessKeyId) ? sig.accessKeyId : (motoAccount(parts, codes) ?? settings.defaultAccount);
    return { principal: rootPrincipal(accountId, partition, sig.accessKeyId), region: sig.region, partition };
  }
  if (row.session_token !== null && row.session_token !== sig.sessionToken) {
    throw new AwsError(codes.unknownKey, "The security token included in the request is invalid.", { status: codes.status });
  }
  await verifySigV4(parts, sig, row.secret, new Date(), {
    errorCodes: { mismatch: codes.mismatch, mismatchStatus: codes.mismatchStatus, expired: codes.expired },
    service: signingNameOf(model),
    requiredSignedHeaders: style === "json" ? ["x-amz-target"] : [],
  });
  // Expiry of issued credentials follows the virtual clock.
  if (row.expires_at !== null && Date.now() + offset >= row.expires_at) {
    throw new AwsError(codes.expiredToken, "The security token included in the request is expired", { status: 400 });
  }
  const principal: Principal = {
    accountId: row.account_id,
    arn: row.principal_arn,
    userId: row.user_id,
    type: row.kind === "assumed-role" ? "AssumedRole" : "Root",
    accessKeyId: row.access_key_id,
  };
  if (principal.type === "AssumedRole") principal.roleName = row.principal_arn.split("/")[1];
  return { principal, region: sig.region, partition };
}
