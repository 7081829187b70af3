/**
 * Service principals that AWS Organizations accepts for trusted access
 * (EnableAWSServiceAccess / DisableAWSServiceAccess) and for delegated administration
 * (RegisterDelegatedAdministrator / DeregisterDelegatedAdministrator), as plain data.
 *
 * Where the facts come from (names of pages, nothing copied from them):
 *  - AWS Organizations User Guide: "AWS services that you can use with AWS Organizations"
 *    (orgs_integrate_services_list; the archived awsdocs/aws-organizations-docs copy and the
 *    current per-service pages "<Service> and AWS Organizations" / services-that-can-integrate-*,
 *    whose "Service principals used by the service-linked roles", "Enabling trusted access" and
 *    "Registering/Enabling a delegated administrator" sections name each principal).
 *  - Per-service guides for the delegated-administrator limits: AWS CloudFormation User Guide
 *    (StackSets with Organizations), AWS CloudTrail (organization trails / CloudTrail Lake FAQ),
 *    AWS Trusted Advisor User Guide (organizational view / Priority), AWS User Notifications
 *    User Guide (Organizations settings), AWS Health User Guide (organizational view).
 *  - Cross-checks: getmoto/moto moto/organizations/models.py (TRUSTED_SERVICES list),
 *    hashicorp/terraform-provider-aws acceptance tests (PreCheckOrganizationsEnabledServicePrincipal),
 *    and public Terraform organization modules that enumerate aws_service_access_principals.
 *
 * Notes on principals deliberately NOT listed:
 *  - stacksets.cloudformation.amazonaws.com is the StackSets service-linked-role principal;
 *    trusted access uses member.org.stacksets.cloudformation.amazonaws.com.
 *  - networkflowmonitor.amazonaws.com / topology.networkflowmonitor.amazonaws.com are CloudWatch
 *    service-linked-role principals; CloudWatch's trusted access uses observabilityadmin.amazonaws.com.
 *  - triage.security-ir.amazonaws.com is a Security Incident Response SLR principal only.
 *  - Some third-party lists spell User Notifications as "notifications.amazon.com"; the service's
 *    own SLR documentation uses notifications.amazonaws.com, which is what is listed here.
 */

/** How sure we are that the principal is accepted (see header for sources). */
type Confidence = "documented" | "corroborated";

interface PrincipalFacts {
  /** The AWS service, for humans. */
  readonly service: string;
  /** Supports RegisterDelegatedAdministrator. */
  readonly delegatedAdmin: boolean;
  /** Maximum delegated administrators when a service documents a limit other than one. */
  readonly maxDelegatedAdmins?: number;
  readonly confidence: Confidence;
}

const PRINCIPALS: Readonly<Record<string, PrincipalFacts>> = {
  "access-analyzer.amazonaws.com": { service: "IAM Access Analyzer", delegatedAdmin: true, confidence: "documented" },
  "account.amazonaws.com": { service: "AWS Account Management", delegatedAdmin: true, confidence: "documented" },
  "auditmanager.amazonaws.com": { service: "AWS Audit Manager", delegatedAdmin: true, confidence: "documented" },
  "aws-artifact-account-sync.amazonaws.com": { service: "AWS Artifact", delegatedAdmin: false, confidence: "documented" },
  "backup.amazonaws.com": { service: "AWS Backup", delegatedAdmin: true, confidence: "documented" },
  "billing-cost-management.amazonaws.com": {
    service: "AWS Billing and Cost Management",
    delegatedAdmin: false,
    confidence: "documented",
  },
  "member.org.stacksets.cloudformation.amazonaws.com": {
    service: "AWS CloudFormation StackSets",
    delegatedAdmin: true,
    maxDelegatedAdmins: 5,
    confidence: "documented",
  },
  "cloudtrail.amazonaws.com": {
    service: "AWS CloudTrail",
    delegatedAdmin: true,
    maxDelegatedAdmins: 3,
    confidence: "documented",
  },
  "observabilityadmin.amazonaws.com": { service: "Amazon CloudWatch", delegatedAdmin: true, confidence: "documented" },
  "compute-optimizer.amazonaws.com": { service: "AWS Compute Optimizer", delegatedAdmin: true, confidence: "documented" },
  "config.amazonaws.com": { service: "AWS Config", delegatedAdmin: true, confidence: "documented" },
  "config-multiaccountsetup.amazonaws.com": {
    service: "AWS Config (rules and conformance packs)",
    delegatedAdmin: true,
    confidence: "documented",
  },
  "controltower.amazonaws.com": { service: "AWS Control Tower", delegatedAdmin: false, confidence: "documented" },
  "cost-optimization-hub.bcm.amazonaws.com": {
    service: "Cost Optimization Hub",
    delegatedAdmin: true,
    confidence: "corroborated",
  },
  "detective.amazonaws.com": { service: "Amazon Detective", delegatedAdmin: true, confidence: "documented" },
  "devops-guru.amazonaws.com": { service: "Amazon DevOps Guru", delegatedAdmin: true, confidence: "documented" },
  "ds.amazonaws.com": { service: "AWS Directory Service", delegatedAdmin: false, confidence: "documented" },
  "ec2.amazonaws.com": {
    service: "Amazon EC2 (declarative policies account status report)",
    delegatedAdmin: false,
    confidence: "documented",
  },
  "ec2.capacitymanager.amazonaws.com": {
    service: "Amazon EC2 Capacity Manager",
    delegatedAdmin: true,
    confidence: "documented",
  },
  // The Organizations guide names dashboard.eks.amazonaws.com; the EKS guide's CLI example
  // enables eks.amazonaws.com. Both are accepted here.
  "dashboard.eks.amazonaws.com": { service: "Amazon EKS (dashboard)", delegatedAdmin: false, confidence: "documented" },
  "eks.amazonaws.com": { service: "Amazon EKS (dashboard)", delegatedAdmin: false, confidence: "corroborated" },
  "fms.amazonaws.com": { service: "AWS Firewall Manager", delegatedAdmin: true, confidence: "documented" },
  "guardduty.amazonaws.com": { service: "Amazon GuardDuty", delegatedAdmin: true, confidence: "documented" },
  "malware-protection.guardduty.amazonaws.com": {
    service: "Amazon GuardDuty Malware Protection",
    delegatedAdmin: false,
    confidence: "corroborated",
  },
  // Limit of five: AWS Health's organizational-view guide; seen here only second-hand (medium confidence).
  "health.amazonaws.com": {
    service: "AWS Health",
    delegatedAdmin: true,
    maxDelegatedAdmins: 5,
    confidence: "documented",
  },
  "iam.amazonaws.com": { service: "AWS IAM (centralized root access)", delegatedAdmin: true, confidence: "documented" },
  "inspector2.amazonaws.com": { service: "Amazon Inspector", delegatedAdmin: true, confidence: "documented" },
  "ipam.amazonaws.com": { service: "Amazon VPC IP Address Manager", delegatedAdmin: true, confidence: "documented" },
  "license-manager.amazonaws.com": { service: "AWS License Manager", delegatedAdmin: true, confidence: "documented" },
  "license-manager.member-account.amazonaws.com": {
    service: "AWS License Manager (member accounts)",
    delegatedAdmin: false,
    confidence: "documented",
  },
  "license-manager-linux-subscriptions.amazonaws.com": {
    service: "AWS License Manager Linux subscriptions",
    delegatedAdmin: false,
    confidence: "corroborated",
  },
  "macie.amazonaws.com": { service: "Amazon Macie", delegatedAdmin: true, confidence: "documented" },
  "license-management.marketplace.amazonaws.com": {
    service: "AWS Marketplace license management",
    delegatedAdmin: false,
    confidence: "documented",
  },
  "private-marketplace.marketplace.amazonaws.com": {
    service: "AWS Marketplace Private Marketplace",
    delegatedAdmin: true,
    confidence: "documented",
  },
  "procurement-insights.marketplace.amazonaws.com": {
    service: "AWS Marketplace procurement insights",
    delegatedAdmin: true,
    confidence: "documented",
  },
  "mgn.amazonaws.com": { service: "AWS Application Migration Service", delegatedAdmin: true, confidence: "documented" },
  "networkmanager.amazonaws.com": { service: "AWS Network Manager", delegatedAdmin: true, confidence: "corroborated" },
  "notifications.amazonaws.com": {
    service: "AWS User Notifications",
    delegatedAdmin: true,
    maxDelegatedAdmins: 5,
    confidence: "documented",
  },
  "q.amazonaws.com": { service: "Amazon Q Developer", delegatedAdmin: false, confidence: "documented" },
  "ram.amazonaws.com": { service: "AWS Resource Access Manager", delegatedAdmin: false, confidence: "documented" },
  "reachabilityanalyzer.networkinsights.amazonaws.com": {
    service: "VPC Reachability Analyzer",
    delegatedAdmin: true,
    confidence: "documented",
  },
  "reporting.trustedadvisor.amazonaws.com": {
    service: "AWS Trusted Advisor",
    delegatedAdmin: true,
    maxDelegatedAdmins: 5,
    confidence: "documented",
  },
  "resource-explorer-2.amazonaws.com": { service: "AWS Resource Explorer", delegatedAdmin: true, confidence: "documented" },
  "securityhub.amazonaws.com": { service: "AWS Security Hub (CSPM)", delegatedAdmin: true, confidence: "documented" },
  "security-ir.amazonaws.com": {
    service: "AWS Security Incident Response",
    delegatedAdmin: true,
    confidence: "documented",
  },
  "securitylake.amazonaws.com": { service: "Amazon Security Lake", delegatedAdmin: true, confidence: "documented" },
  "servicecatalog.amazonaws.com": { service: "AWS Service Catalog", delegatedAdmin: true, confidence: "documented" },
  "servicequotas.amazonaws.com": { service: "Service Quotas", delegatedAdmin: false, confidence: "documented" },
  "ssm.amazonaws.com": { service: "AWS Systems Manager", delegatedAdmin: true, confidence: "documented" },
  "ssm-quicksetup.amazonaws.com": {
    service: "AWS Systems Manager Quick Setup",
    delegatedAdmin: false,
    confidence: "corroborated",
  },
  "sso.amazonaws.com": { service: "AWS IAM Identity Center", delegatedAdmin: true, confidence: "documented" },
  "storage-lens.s3.amazonaws.com": { service: "Amazon S3 Storage Lens", delegatedAdmin: true, confidence: "documented" },
  "tagpolicies.tag.amazonaws.com": { service: "Tag policies", delegatedAdmin: false, confidence: "documented" },
  "wellarchitected.amazonaws.com": { service: "AWS Well-Architected Tool", delegatedAdmin: true, confidence: "documented" },
};

const entries = Object.entries(PRINCIPALS);

/** Service principals of the AWS services that integrate with AWS Organizations (trusted access), as data. */
export const INTEGRATED_SERVICE_PRINCIPALS: ReadonlySet<string> = new Set<string>(entries.map(([principal]) => principal));

/** The subset that supports a delegated administrator (RegisterDelegatedAdministrator). */
export const DELEGATED_ADMIN_SERVICE_PRINCIPALS: ReadonlySet<string> = new Set<string>(
  entries.filter(([, facts]) => facts.delegatedAdmin).map(([principal]) => principal),
);

/** Maximum delegated administrators per service where AWS documents a limit other than the default (e.g. most services allow 1). */
export const MAX_DELEGATED_ADMINS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    entries.flatMap(([principal, facts]): Array<[string, number]> =>
      facts.delegatedAdmin && facts.maxDelegatedAdmins !== undefined ? [[principal, facts.maxDelegatedAdmins]] : [],
    ),
  ),
);

export const DEFAULT_MAX_DELEGATED_ADMINS: number = 1;

/**
 * Policy types that belong to one integrated service: the type can be enabled in a root only while
 * that service has trusted access (SERVICE_ACCESS_NOT_ENABLED), and the service's trusted access
 * can't be disabled while the type is enabled (POLICY_TYPE_ENABLED_FOR_THIS_SERVICE). Sources: the
 * two reasons' descriptions in the API Reference (which name SECURITYHUB_POLICY), and
 * hashicorp/terraform-provider-aws#45135 (the order AWS requires for securityhub.amazonaws.com).
 */
export const POLICY_TYPE_SERVICE_PRINCIPALS: Readonly<Record<string, string>> = Object.freeze({
  SECURITYHUB_POLICY: "securityhub.amazonaws.com",
});

/** The policy types that need the trusted access of `principal`. */
export function policyTypesOfService(principal: string): string[] {
  return Object.entries(POLICY_TYPE_SERVICE_PRINCIPALS)
    .filter(([, p]) => p === principal)
    .map(([type]) => type);
}
