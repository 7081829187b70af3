/** Identifiers and ARNs in AWS's own formats (Organizations', and the IAM and STS ones its principals have). */
import { createHash, randomInt } from "node:crypto";
import { randomPoolBytes } from "./random.js";

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomChars(n: number, alphabet = LOWER_ALNUM): string {
  const bytes = randomPoolBytes(n);
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

export const newOrganizationId = (): string => `o-${randomChars(10)}`;
export const newRootId = (): string => `r-${randomChars(4)}`;
/** ou-<root suffix>-<8 chars>, as AWS builds it from the root's id. */
export const newOuId = (rootId: string): string => `ou-${rootId.slice(2)}-${randomChars(8)}`;
export const newPolicyId = (): string => `p-${randomChars(8)}`;
export const newHandshakeId = (): string => `h-${randomChars(10)}`;
export const newCreateAccountRequestId = (): string => `car-${randomChars(32)}`;
export const newResourcePolicyId = (): string => `rp-${randomChars(8)}`;
export const newAccountId = (): string => `${randomInt(1, 10)}${String(randomInt(0, 100_000_000_000)).padStart(11, "0")}`;

/** The partition of a region, as AWS names them. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-isof-")) return "aws-iso-f";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("eusc-")) return "aws-eusc";
  return "aws";
}

export const arns = {
  organization: (p: string, mgmt: string, org: string) => `arn:${p}:organizations::${mgmt}:organization/${org}`,
  account: (p: string, mgmt: string, org: string, id: string) => `arn:${p}:organizations::${mgmt}:account/${org}/${id}`,
  root: (p: string, mgmt: string, org: string, id: string) => `arn:${p}:organizations::${mgmt}:root/${org}/${id}`,
  ou: (p: string, mgmt: string, org: string, id: string) => `arn:${p}:organizations::${mgmt}:ou/${org}/${id}`,
  policy: (p: string, mgmt: string, org: string, type: string, id: string) =>
    `arn:${p}:organizations::${mgmt}:policy/${org}/${type.toLowerCase()}/${id}`,
  awsManagedPolicy: (p: string, type: string, id: string) => `arn:${p}:organizations::aws:policy/${type.toLowerCase()}/${id}`,
  handshake: (p: string, mgmt: string, org: string, action: string, id: string) =>
    `arn:${p}:organizations::${mgmt}:handshake/${org}/${action.toLowerCase()}/${id}`,
  resourcePolicy: (p: string, mgmt: string, org: string, id: string) => `arn:${p}:organizations::${mgmt}:resourcepolicy/${org}/${id}`,
  rootUser: (p: string, account: string) => `arn:${p}:iam::${account}:root`,
  role: (p: string, account: string, role: string) => `arn:${p}:iam::${account}:role/${role}`,
  assumedRole: (p: string, account: string, role: string, session: string) => `arn:${p}:sts::${account}:assumed-role/${role}/${session}`,
};

/** A stable role id (AROA...) for a role, as IAM gives every role one. */
export function roleId(accountId: string, roleName: string): string {
  const hash = createHash("sha256").update(`${accountId}/${roleName}`).digest("hex").toUpperCase();
  return `AROA${hash
    .replace(/[^A-Z2-7]/g, "")
    .padEnd(17, "Q")
    .slice(0, 17)}`;
}
