/**
 * Organizations' exceptions with AWS's own messages (word for word where AWS documents or
 * returns them; see docs/research/aws-messages.md).
 */
import { AwsError } from "../protocol/errors.js";

const e = (code: string, message: string) => new AwsError(code, message);

/** Organizations' errors that carry a `Reason` member. */
export function reasonError(code: string, reason: string, message: string): AwsError {
  return new AwsError(code, message, { fields: { Reason: reason } });
}

export function invalidInput(reason: string, message: string): AwsError {
  return reasonError("InvalidInputException", reason, message);
}

export function constraintViolation(reason: string, message: string): AwsError {
  return reasonError("ConstraintViolationException", reason, message);
}

export const errors = {
  notInUse: () => e("AWSOrganizationsNotInUseException", "Your account is not a member of an organization."),
  accessDenied: (detail?: string) => e("AccessDeniedException", detail ?? "You don't have permissions to access this resource."),
  alreadyInOrganization: () => e("AlreadyInOrganizationException", "The AWS account is already a member of an organization."),
  organizationNotEmpty: () =>
    e(
      "OrganizationNotEmptyException",
      "To delete an organization you must first remove all member accounts (except the management account).",
    ),
  accountNotFound: () => e("AccountNotFoundException", "You specified an account that doesn't exist."),
  accountAlreadyClosed: () => e("AccountAlreadyClosedException", "You attempted to close an account that is already closed."),
  masterCannotLeave: () =>
    e(
      "MasterCannotLeaveOrganizationException",
      "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization.",
    ),
  createAccountStatusNotFound: () =>
    e(
      "CreateAccountStatusNotFoundException",
      "We can't find an create account request with the CreateAccountRequestId that you specified.",
    ),
  handshakeNotFound: () => e("HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified."),
  invalidHandshakeTransition: (state: string) =>
    e("InvalidHandshakeTransitionException", `You can't perform the operation on the handshake in its current state (${state}).`),
  /** The API Reference's description (B): a response the handshake already has, e.g. accepting an accepted one. */
  handshakeAlreadyInState: (state: string) =>
    e("HandshakeAlreadyInStateException", `The specified handshake is already in the requested state (${state}).`),
  duplicateHandshake: () => e("DuplicateHandshakeException", "A handshake with the same action and target already exists."),
  /** The API Reference's description of ORGANIZATION_NOT_IN_ALL_FEATURES_MODE (B). */
  notInAllFeaturesMode: () =>
    reasonError(
      "ConstraintViolationException",
      "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
      "You attempted to perform an operation that requires the organization to be configured to support all features. An organization that supports only consolidated billing features can't perform this operation.",
    ),
  handshakeConstraint: (reason: string, message: string) => reasonError("HandshakeConstraintViolationException", reason, message),
  targetNotFound: () => e("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified."),
  rootNotFound: () => e("RootNotFoundException", "We can't find a root with the RootId that you specified."),
  parentNotFound: () => e("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified."),
  childNotFound: () =>
    e("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."),
  ouNotFound: () => e("OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified."),
  ouNotEmpty: () =>
    e(
      "OrganizationalUnitNotEmptyException",
      "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.",
    ),
  duplicateOu: () => e("DuplicateOrganizationalUnitException", "An OU with the same name already exists."),
  duplicateAccount: () => e("DuplicateAccountException", "That account is already present in the specified destination."),
  sourceParentNotFound: () => e("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified."),
  destinationParentNotFound: () =>
    e("DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId that you specified."),
  policyNotFound: () => e("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified."),
  duplicatePolicy: () => e("DuplicatePolicyException", "A policy with the same name already exists."),
  duplicatePolicyAttachment: () =>
    e("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target."),
  policyNotAttached: () => e("PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root."),
  policyInUse: () =>
    e(
      "PolicyInUseException",
      "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
    ),
  policyTypeNotEnabled: () =>
    e(
      "PolicyTypeNotEnabledException",
      "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.",
    ),
  policyTypeAlreadyEnabled: () => e("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled."),
  policyTypeNotAvailable: () =>
    e(
      "PolicyTypeNotAvailableForOrganizationException",
      "You can't use the specified policy type with the feature set currently enabled for this organization. For example, you can enable SCPs only after you enable all features in the organization.",
    ),
  policyChangesInProgress: () =>
    e(
      "PolicyChangesInProgressException",
      "Changes to the effective policy are in progress, and its contents can't be returned. Try the operation again later.",
    ),
  effectivePolicyNotFound: () =>
    e("EffectivePolicyNotFoundException", "We can't find an effective policy of the PolicyType that you specified."),
  accountAlreadyRegistered: () =>
    e("AccountAlreadyRegisteredException", "The provided account is already a delegated administrator for your organization."),
  accountNotRegistered: () =>
    e("AccountNotRegisteredException", "The provided account is not a registered delegated administrator for your organization."),
  resourcePolicyNotFound: () =>
    e("ResourcePolicyNotFoundException", "We can't find a resource policy request with the parameter that you specified."),
  finalizingOrganization: () =>
    e(
      "FinalizingOrganizationException",
      "AWS Organizations could not perform the operation because your organization hasn't finished initializing. This can take up to an hour. Try again later. If after one hour you continue to receive this error, contact AWS Support.",
    ),
  tooManyRequests: () =>
    new AwsError("TooManyRequestsException", "You have sent too many requests in too short a period of time. Try again later."),
  invalidNextToken: () => invalidInput("INVALID_NEXT_TOKEN", "The specified NextToken is not valid."),
  unsupportedApi: (operation: string) =>
    e("UnsupportedAPIEndpointException", `orgsim does not implement ${operation} yet; see README's operation table.`),
};
