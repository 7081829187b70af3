/**
 * CloudTrail (awsJson1.1, cloudtrail-2013-11-01): LookupEvents over the organization's event
 * history. The other operations answer CloudTrail's own UnsupportedOperationException.
 */
import { collectHandlers, type ServiceDefinition } from "../../context.js";
import { AwsError } from "../../protocol/errors.js";
import { loadModel } from "../../protocol/model.js";
import { enforceScps } from "../../policy/enforce.js";
import { cloudtrailInputError } from "./errors.js";
import * as lookupEvents from "./lookup-events.js";

export const CLOUDTRAIL_UID = "cloudtrail-2013-11-01";

export function cloudtrailService(): ServiceDefinition {
  const model = loadModel(CLOUDTRAIL_UID);
  return {
    name: "cloudtrail",
    model,
    handlers: collectHandlers([lookupEvents], Object.keys(model.operations)),
    inputError: (violations) => cloudtrailInputError(violations),
    // Service control policies of the caller's path (the management account is exempt); no IAM.
    authorize: (ctx, operation) => enforceScps(ctx, `cloudtrail:${operation}`, "*"),
    // The model declares no internal-error shape; InternalFailure (HTTP 500) is the error common to all AWS APIs.
    internalErrorCode: "InternalFailure",
    notImplemented: (operation) => new AwsError("UnsupportedOperationException", `orgsim does not implement ${operation} of CloudTrail; it serves LookupEvents.`),
  };
}
