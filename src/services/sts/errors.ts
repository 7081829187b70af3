/** STS's errors (awsQuery: each a <Code> in an XML <ErrorResponse>, with its HTTP status). */
import { AwsError } from "../../protocol/errors.js";

export const stsErrors = {
  accessDenied: (callerArn: string, roleArn: string) =>
    new AwsError("AccessDenied", `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, {
      status: 403,
    }),
  validation: (message: string) => new AwsError("ValidationError", message, { status: 400 }),
  notImplemented: (operation: string) =>
    new AwsError("InvalidAction", `orgsim does not implement ${operation} yet; it serves GetCallerIdentity and AssumeRole.`, {
      status: 400,
    }),
};
