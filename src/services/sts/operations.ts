/** STS's operations (awsQuery): who am I, and AssumeRole into an account of the organization. */
import { randomBytes } from "node:crypto";
import type { AssumeRoleRequest, AssumeRoleResponse, GetCallerIdentityResponse } from "@aws-sdk/client-sts";
import { op, type CallContext } from "../../context.js";
import { arns, roleId } from "../../org/ids.js";
import { getAccountRow, getOrganization } from "../../org/repo.js";
import { stsErrors } from "./errors.js";

const DEFAULT_DURATION_SECONDS = 3600;
/** IAM's default MaxSessionDuration of a role (the roles orgsim knows keep it). */
const MAX_SESSION_DURATION_SECONDS = 3600;

/** Whether the caller may assume `roleName` in `accountId`: the role must exist and trust the caller. */
async function trusts(ctx: CallContext, accountId: string, roleName: string): Promise<boolean> {
  const role = await ctx.tx
    .selectFrom("roles")
    .select("role_name")
    .where("account_id", "=", accountId)
    .where("role_name", "=", roleName)
    .executeTakeFirst();
  if (!role) return false;
  // The role CreateAccount makes trusts only the management account of the account's
  // organization (not principals of the member account itself).
  const account = await getAccountRow(ctx.tx, accountId);
  if (!account?.org_id) return false;
  const org = await getOrganization(ctx.tx, account.org_id);
  return org?.management_account_id === ctx.principal.accountId;
}

export const GetCallerIdentity = op(async (ctx): Promise<GetCallerIdentityResponse> => ({
  UserId: ctx.principal.userId,
  Account: ctx.principal.accountId,
  Arn: ctx.principal.arn,
}));

export const AssumeRole = op(async (ctx, input: AssumeRoleRequest): Promise<AssumeRoleResponse> => {
  const roleArn = input.RoleArn!;
  const m = /^arn:[\w-]+:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  if (!m) throw stsErrors.validation(`${roleArn} is invalid`);
  const [, accountId, roleName] = m as unknown as [string, string, string];
  if (!(await trusts(ctx, accountId, roleName))) throw stsErrors.accessDenied(ctx.principal.arn, roleArn);
  const duration = input.DurationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (duration > MAX_SESSION_DURATION_SECONDS) {
    throw stsErrors.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  const expires = ctx.now + duration * 1000;
  const accessKeyId = `ASIA${randomBytes(10).toString("hex").toUpperCase().slice(0, 16)}`;
  const secretAccessKey = randomBytes(30).toString("base64").slice(0, 40);
  const sessionToken = `orgsim/${randomBytes(48).toString("base64")}`;
  const assumedArn = arns.assumedRole(ctx.partition, accountId, roleName, input.RoleSessionName!);
  const userId = `${roleId(accountId, roleName)}:${input.RoleSessionName}`;
  await ctx.tx
    .insertInto("credentials")
    .values({
      access_key_id: accessKeyId,
      secret: secretAccessKey,
      session_token: sessionToken,
      account_id: accountId,
      principal_arn: assumedArn,
      user_id: userId,
      kind: "assumed-role",
      expires_at: expires,
      created_at: ctx.now,
    })
    .execute();
  return {
    Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: new Date(expires) },
    AssumedRoleUser: { AssumedRoleId: userId, Arn: assumedArn },
    PackedPolicySize: input.Policy || input.PolicyArns?.length ? 6 : undefined,
    SourceIdentity: input.SourceIdentity,
  };
});
