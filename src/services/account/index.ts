/** The Account API (restJson1): contact information and the rest of account-2021-02-01. */
import { collectHandlers, type ServiceDefinition } from "../../context.js";
import { loadModel } from "../../protocol/model.js";
import { restJsonValidationError } from "../../protocol/violations.js";

import { authorizeAccount } from "./access.js";
import * as contact from "./contact.js";
import * as alternateContacts from "./alternate-contacts.js";
import * as regions from "./regions.js";
import * as primaryEmail from "./primary-email.js";
import * as info from "./info.js";

export { pendingPrimaryEmailCode } from "./primary-email.js";

export function accountService(): ServiceDefinition {
  const model = loadModel("account-2021-02-01");
  return {
    name: "account",
    model,
    handlers: collectHandlers([contact, alternateContacts, regions, primaryEmail, info], Object.keys(model.operations)),
    inputError: (violations) => restJsonValidationError(violations),
    // Service control policies; who may act on which account is each operation's resolveTarget.
    authorize: (ctx, operation) => authorizeAccount(ctx, operation),
    internalErrorCode: "InternalServerException",
  };
}
