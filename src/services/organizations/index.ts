/** The Organizations service: its model, its operations, its authorization step. */
import { collectHandlers, type ServiceDefinition } from "../../context.js";
import { errors } from "./errors.js";
import { loadModel } from "../../protocol/model.js";
import { organizationsInputError } from "../../protocol/organizations-input-error.js";
import { authorizeOrganizations } from "./authorize.js";
import * as organization from "./organization.js";
import * as accounts from "./accounts.js";
import * as handshakes from "./handshakes.js";
import * as leave from "./leave.js";
import * as tags from "./tags.js";
import * as ous from "./ous.js";
import * as policies from "./policies.js";
import * as delegated from "./delegated.js";
import * as resourcePolicy from "./resource-policy.js";
import * as govcloud from "./govcloud.js";
import * as allFeatures from "./all-features.js";
import * as transfers from "./transfers.js";

export const ORGANIZATIONS_UID = "organizations-2016-11-28";

export { collectHandlers } from "../../context.js";

export function organizationsService(): ServiceDefinition {
  const model = loadModel(ORGANIZATIONS_UID);
  return {
    name: "organizations",
    model,
    handlers: collectHandlers([organization, accounts, handshakes, leave, tags, ous, policies, delegated, resourcePolicy, govcloud, allFeatures, transfers], Object.keys(model.operations)),
    inputError: (violations) => organizationsInputError(violations[0]!),
    authorize: (ctx, operation) => authorizeOrganizations(ctx, operation, model),
    internalErrorCode: "ServiceException",
    notImplemented: (operation) => errors.unsupportedApi(operation),
  };
}
