/** The Account API (restJson1): contact information and the rest of account-2021-02-01. */
import type { ServiceDefinition } from "../../context.js";
import { loadModel } from "../../protocol/model.js";
import { restJsonValidationError } from "../../protocol/validate.js";
import { collectHandlers } from "../organizations/index.js";

export function accountService(): ServiceDefinition {
  const model = loadModel("account-2021-02-01");
  return {
    name: "account",
    model,
    handlers: collectHandlers([], Object.keys(model.operations)),
    inputError: (violations) => restJsonValidationError(violations),
    internalErrorCode: "InternalServerException",
  };
}
