/** Who is calling: the principal orgsim resolved from the request's credentials. */
import { arns } from "../org/ids.js";

export interface Principal {
  /** The 12-digit account the principal belongs to. */
  accountId: string;
  /** arn:<partition>:iam::<id>:root, or arn:<partition>:sts::<id>:assumed-role/<role>/<session>. */
  arn: string;
  /** As GetCallerIdentity reports it: the account id for a root user, "<role id>:<session>" for a role session. */
  userId: string;
  type: "Root" | "AssumedRole";
  /** Set for an assumed role. */
  roleName?: string;
  accessKeyId: string;
}

/** The root user of `accountId` (in `partition`), calling with `accessKeyId`. */
export function rootPrincipal(accountId: string, partition: string, accessKeyId: string): Principal {
  return { accountId, arn: arns.rootUser(partition, accountId), userId: accountId, type: "Root", accessKeyId };
}
