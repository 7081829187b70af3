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
import { arns, partitionOf } from "../services/organizations/ids.js";
import { readClockOffset } from "../clock.js";
import type { Principal } from "./principal.js";
import { parseSigV4, verifySigV4, type HttpRequestParts } from "./sigv4.js";

export type AuthStyle = "json" | "query" | "rest";

export interface Authenticated {
  principal: Principal;
  region: string;
  partition: string;
}

const CODES: Record<AuthStyle, { unknownKey: string; mismatch: string; expired: string; expiredToken: string; status: number }> = {
  json: { unknownKey: "UnrecognizedClientException", mismatch: "InvalidSignatureException", expired: "InvalidSignatureException", expiredToken: "ExpiredTokenException", status: 400 },
  query: { unknownKey: "InvalidClientTokenId", mismatch: "SignatureDoesNotMatch", expired: "RequestExpired", expiredToken: "ExpiredToken", status: 403 },
  rest: { unknownKey: "UnrecognizedClientException", mismatch: "InvalidSignatureException", expired: "InvalidSignatureException", expiredToken: "ExpiredTokenException", status: 403 },
};

/** The header moto's server mode reads to pick the calling account (docs.getmoto.org, "Multi-Account support"). */
export const MOTO_ACCOUNT_HEADER = "x-moto-account-id";

/**
 * The account a request's x-moto-account-id header names, for a key that names none. moto takes
 * any value; orgsim wants an account id, and says so rather than fall back to another account.
 */
function motoAccount(parts: HttpRequestParts, codes: (typeof CODES)[AuthStyle]): string | undefined {
  const raw = parts.headers[MOTO_ACCOUNT_HEADER];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw[0] ?? "" : raw).trim();
  if (!/^\d{12}$/.test(value)) {
    throw new AwsError(codes.unknownKey, `The ${MOTO_ACCOUNT_HEADER} header must be a 12-digit account id; got "${value.slice(0, 64)}".`, {
      status: codes.status,
    });
  }
  return value;
}

export function rootPrincipal(accountId: string, partition: string, accessKeyId: string): Principal {
  return { accountId, arn: arns.rootUser(partition, accountId), userId: accountId, type: "Root", accessKeyId };
}

export async function authenticate(store: Store, settings: Settings, parts: HttpRequestParts, style: AuthStyle): Promise<Authenticated> {
  const codes = CODES[style];
  const sig = parseSigV4(parts);
  const partition = partitionOf(sig.region);
  // orgsim never issues a 12-digit key id, so outside strict mode such a key is a root user
  // without a look-up (the common case, and one transaction less per call).
  if (!settings.strictAuth && !sig.sessionToken && /^\d{12}$/.test(sig.accessKeyId)) {
    return { principal: rootPrincipal(sig.accessKeyId, partition, sig.accessKeyId), region: sig.region, partition };
  }
  const { row, offset } = await store.transaction(async (tx) => ({
    row: await tx.selectFrom("credentials").selectAll().where("access_key_id", "=", sig.accessKeyId).executeTakeFirst(),
    offset: await readClockOffset(tx),
  }));
  if (!row) {
    if (settings.strictAuth || sig.sessionToken) {
      throw new AwsError(codes.unknownKey, "The security token included in the request is invalid.", { status: codes.status });
    }
    // A key that names no account: the account moto's header names, else the default account.
    const accountId = /^\d{12}$/.test(sig.accessKeyId) ? sig.accessKeyId : (motoAccount(parts, codes) ?? settings.defaultAccount);
    return { principal: rootPrincipal(accountId, partition, sig.accessKeyId), region: sig.region, partition };
  }
  if (row.session_token !== null && row.session_token !== sig.sessionToken) {
    throw new AwsError(codes.unknownKey, "The security token included in the request is invalid.", { status: codes.status });
  }
  await verifySigV4(parts, sig, row.secret, new Date(), { errorCodes: { mismatch: codes.mismatch, expired: codes.expired } });
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

