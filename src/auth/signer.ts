/**
 * Signature recomputation with @smithy/signature-v4's own canonicalisation, for exactly the
 * headers the client signed. Its own module so the signer loads only when a signature is
 * verified (issued credentials, --strict-auth), not at every start. It knows the library, not
 * SigV4's rules: sigv4.ts checks the request and hands over what to sign (one direction).
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4, getCanonicalHeaders } from "@smithy/signature-v4";

/** The request shape the signer's building blocks accept (`HttpRequest` from `@smithy/types`). */
export type SignerRequest = Parameters<typeof getCanonicalHeaders>[0];

/** Exposes the signer's canonical-request and string-to-sign steps for a fixed header set and date. */
export class SignatureRecomputer extends SignatureV4 {
  constructor(accessKeyId: string, secretAccessKey: string, region: string, service: string) {
    super({
      credentials: { accessKeyId, secretAccessKey },
      region,
      service,
      sha256: Sha256,
      uriEscapePath: true,
      applyChecksum: false,
    });
  }

  /** The signature of `request` under `algorithm` (SigV4's AWS4-HMAC-SHA256), signing exactly `signedHeaders`. */
  async signature(
    algorithm: string,
    request: SignerRequest,
    signedHeaders: readonly string[],
    payloadHash: string,
    longDate: string,
    scope: string,
    signingDate: Date,
  ): Promise<string> {
    // Every header the client listed is signable here, even the ones the SDK refuses to sign itself
    // (user-agent, ...): the client's list is authoritative.
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    const stringToSign = await this.createStringToSign(longDate, scope, canonicalRequest, algorithm);
    return this.sign(stringToSign, { signingDate });
  }
}
