/** Who is calling: the principal orgsim resolved from the request's credentials. */
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
