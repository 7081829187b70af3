/**
 * The composition root: every AWS service orgsim serves, one row each, and the one place that
 * lists them. App builds each row's definition at start (its model, its operations by name); the
 * server routes a request by a row's protocol; the landing page and the answer to a call for a
 * service orgsim does not serve name them in this order.
 */
import { collectHandlers, type CallContext, type Protocol, type ServiceDefinition } from "../context.js";
import type { Cached } from "../store/store.js";
import type { AwsError } from "../protocol/errors.js";
import { loadModel, type ServiceModel } from "../protocol/model.js";
import type { Violation } from "../protocol/validate.js";
import { organizationsInputError } from "../protocol/organizations-input-error.js";
import { queryValidationError, restJsonValidationError } from "../protocol/violations.js";
import { errors as organizationsErrors } from "../org/errors.js";
import { authorizeOrganizations } from "./organizations/authorize.js";
import * as organization from "./organizations/organization.js";
import * as accounts from "./organizations/accounts.js";
import * as handshakes from "./organizations/handshakes.js";
import * as invitations from "./organizations/invitations.js";
import * as leave from "./organizations/leave.js";
import * as tags from "./organizations/tags.js";
import * as ous from "./organizations/ous.js";
import * as policies from "./organizations/policies.js";
import * as delegated from "./organizations/delegated.js";
import * as resourcePolicy from "./organizations/resource-policy.js";
import * as govcloud from "./organizations/govcloud.js";
import * as allFeatures from "./organizations/all-features.js";
import * as transfers from "./organizations/transfers.js";
import * as sts from "./sts/operations.js";
import { authorizeSts } from "./sts/authorize.js";
import { stsErrors } from "./sts/errors.js";
import * as contact from "./account/contact.js";
import * as alternateContacts from "./account/alternate-contacts.js";
import * as regions from "./account/regions.js";
import * as primaryEmail from "./account/primary-email.js";
import * as info from "./account/info.js";
import { authorizeAccount } from "./account/access.js";
import * as lookupEvents from "./cloudtrail/lookup-events.js";
import { authorizeCloudTrail } from "./cloudtrail/authorize.js";
import { cloudtrailErrors, cloudtrailInputError } from "./cloudtrail/errors.js";

export interface ServiceRow {
  /** The IAM action prefix and SigV4 signing name. */
  name: string;
  /** As people name it (the landing page). */
  title: string;
  /** The wire protocol: the model's own (checked when the service is built). */
  protocol: Protocol;
  /** The facts-only service model in model/: operations, shapes, errors. */
  model: string;
  /** Modules whose exports named like an operation of the model are that operation. */
  operations: readonly Record<string, unknown>[];
  /** Who may call: runs before the operation, inside its transaction. */
  authorize?: (ctx: CallContext, operation: string, model: ServiceModel) => Cached<void>;
  /** The service's answer to input its model refuses. */
  inputError: (violations: Violation[]) => AwsError;
  /** The error code of an internal fault (ServiceException, InternalFailure, ...). */
  internalErrorCode: string;
  /** The answer for an operation of the model orgsim has not built (default: UnknownOperationException). */
  notImplemented?: (operation: string) => AwsError;
}

export const SERVICES: readonly ServiceRow[] = [
  {
    name: "organizations",
    title: "AWS Organizations",
    protocol: "json",
    model: "organizations-2016-11-28",
    operations: [
      organization,
      accounts,
      handshakes,
      invitations,
      leave,
      tags,
      ous,
      policies,
      delegated,
      resourcePolicy,
      govcloud,
      allFeatures,
      transfers,
    ],
    // Membership, service control policies, then the operation's access rule (access.ts).
    authorize: authorizeOrganizations,
    inputError: (violations) => organizationsInputError(violations[0]!),
    internalErrorCode: "ServiceException",
    notImplemented: organizationsErrors.unsupportedApi,
  },
  {
    name: "sts",
    title: "STS",
    protocol: "query",
    model: "sts-2011-06-15",
    operations: [sts],
    authorize: authorizeSts,
    inputError: queryValidationError,
    internalErrorCode: "InternalFailure",
    notImplemented: stsErrors.notImplemented,
  },
  {
    name: "account",
    title: "Account",
    protocol: "rest-json",
    model: "account-2021-02-01",
    operations: [contact, alternateContacts, regions, primaryEmail, info],
    // Service control policies; who may act on which account is each operation's resolveTarget.
    authorize: authorizeAccount,
    inputError: restJsonValidationError,
    internalErrorCode: "InternalServerException",
  },
  {
    name: "cloudtrail",
    title: "CloudTrail",
    protocol: "json",
    model: "cloudtrail-2013-11-01",
    operations: [lookupEvents],
    authorize: authorizeCloudTrail,
    inputError: cloudtrailInputError,
    // The model declares no internal-error shape; InternalFailure (HTTP 500) is the error common to all AWS APIs.
    internalErrorCode: "InternalFailure",
    notImplemented: cloudtrailErrors.unsupportedOperation,
  },
];

/** A row's service as the app runs it: its model loaded, its operations by name. */
export function defineService(row: ServiceRow): ServiceDefinition {
  const model = loadModel(row.model);
  if (model.metadata.protocol !== row.protocol)
    throw new Error(`service ${row.name}: the model ${row.model} speaks ${model.metadata.protocol}, not ${row.protocol}`);
  const { operations: modules, model: _uid, ...rest } = row;
  return { ...rest, model, handlers: collectHandlers([...modules], Object.keys(model.operations)) };
}

/** Every service of the table, built. */
export function defineServices(rows: readonly ServiceRow[] = SERVICES): ServiceDefinition[] {
  return rows.map(defineService);
}
