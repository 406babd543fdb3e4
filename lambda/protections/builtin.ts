/**
 * Built-in protection: resources the engine never changes, whatever the config says. Each rule is a pure
 * check that returns the reason a resource is protected; the planner applies them before any name match,
 * and `ctl-departure protections` prints this same table.
 */
import type { ResourceType } from '../engine/model';

/** What a rule can see of a resource. */
export interface ProtectionSubject {
  readonly resource: ResourceType;
  readonly name: string;
  readonly arn: string;
  readonly path: string;
}

/** What a rule can see of the run. */
export interface ProtectionContext {
  /** The role the engine runs as, if it runs as one. */
  readonly callerRoleName?: string;
  /** The user the engine runs as, if it runs as one. */
  readonly callerUserName?: string;
}

export interface ProtectionRule {
  /** Stable id, shown in reasons and docs. */
  readonly id: string;
  readonly appliesTo: readonly ResourceType[];
  /** One sentence: what is protected and why. */
  readonly description: string;
  /** Returns the reason the subject is protected, or undefined when the rule does not apply. */
  readonly check: (subject: ProtectionSubject, context: ProtectionContext) => string | undefined;
  /**
   * The same protection as IAM resource patterns (`role/cdk-*`): the cleanup stack denies its function every change
   * to them, so the rule holds in IAM too. Rules that need the run's context (the caller) or that another pattern
   * already covers have none.
   */
  readonly iamPatterns?: readonly string[];
}

const roleNamed = (name: string, why: string) => (subject: ProtectionSubject) =>
  subject.name === name ? why : undefined;

const roleStartingWith = (prefix: string, why: string) => (subject: ProtectionSubject) =>
  subject.name.startsWith(prefix) ? why : undefined;

export const PROTECTION_RULES: readonly ProtectionRule[] = [
  {
    id: 'SelfIdentity',
    appliesTo: ['iam:role', 'iam:user'],
    description: 'The role or user this run uses (from STS GetCallerIdentity): deleting it would cut the run off midway.',
    check: (subject, context) =>
      subject.name === (subject.resource === 'iam:role' ? context.callerRoleName : context.callerUserName)
        ? `the ${subject.resource === 'iam:role' ? 'role' : 'user'} this run is using (STS caller identity)`
        : undefined,
  },
  {
    id: 'ServiceLinkedRole',
    iamPatterns: ['role/aws-service-role/*'],
    appliesTo: ['iam:role'],
    description: 'Service-linked roles (path /aws-service-role/) belong to the AWS service that created them.',
    check: (subject) =>
      subject.path.startsWith('/aws-service-role/') ? 'service-linked role, owned by an AWS service' : undefined,
  },
  {
    id: 'AwsReservedPath',
    iamPatterns: ['role/aws-reserved/*'],
    appliesTo: ['iam:role'],
    description: 'Roles under /aws-reserved/ are managed by AWS (IAM Identity Center and others).',
    check: (subject) => (subject.path.startsWith('/aws-reserved/') ? 'under /aws-reserved/, managed by AWS' : undefined),
  },
  {
    id: 'OrganizationAccountAccessRole',
    iamPatterns: ['role/OrganizationAccountAccessRole'],
    appliesTo: ['iam:role'],
    description: "The AWS Organizations access role: the management account's way back into this account.",
    check: roleNamed('OrganizationAccountAccessRole', 'AWS Organizations access role'),
  },
  {
    id: 'ControlTowerExecution',
    iamPatterns: ['role/AWSControlTowerExecution'],
    appliesTo: ['iam:role'],
    description: 'The AWS Control Tower execution role.',
    check: roleNamed('AWSControlTowerExecution', 'AWS Control Tower execution role'),
  },
  {
    id: 'StackSetExecutionRole',
    iamPatterns: ['role/AWSCloudFormationStackSetExecutionRole', 'role/stacksets-exec-*'],
    appliesTo: ['iam:role'],
    description: 'CloudFormation StackSet execution roles, self-managed and service-managed: the rollout runs through them.',
    check: (subject) =>
      subject.name === 'AWSCloudFormationStackSetExecutionRole' || subject.name.startsWith('stacksets-exec-')
        ? 'CloudFormation StackSet execution role'
        : undefined,
  },
  {
    id: 'IdentityCenterRole',
    // Identity Center creates these under /aws-reserved/sso.amazonaws.com/: AwsReservedPath's pattern covers them.
    appliesTo: ['iam:role'],
    description: 'IAM Identity Center permission-set roles (AWSReservedSSO_*): managed by Identity Center.',
    check: roleStartingWith('AWSReservedSSO_', 'IAM Identity Center role'),
  },
  {
    id: 'CdkBootstrapRole',
    iamPatterns: ['role/cdk-*'],
    appliesTo: ['iam:role'],
    description: 'CDK bootstrap roles (cdk-*): deployments into this account depend on them.',
    check: roleStartingWith('cdk-', 'CDK bootstrap role'),
  },
  {
    id: 'IdentityCenterSamlProvider',
    appliesTo: ['iam:saml-provider'],
    description: 'The SAML provider IAM Identity Center keeps in each account (AWSSSO_*_DO_NOT_DELETE).',
    check: (subject) => (subject.name.startsWith('AWSSSO_') ? 'IAM Identity Center SAML provider' : undefined),
  },
  {
    id: 'AwsManagedPolicy',
    appliesTo: ['iam:policy'],
    description: 'AWS-managed policies cannot be deleted; they are only detached from roles that are deleted.',
    check: (subject) => (/^arn:[^:]+:iam::aws:policy\//.test(subject.arn) ? 'AWS-managed policy' : undefined),
  },
];

/** The first protection that applies, as "<reason> (<rule id>)", or undefined. */
export function protectionOf(subject: ProtectionSubject, context: ProtectionContext): string | undefined {
  for (const rule of PROTECTION_RULES) {
    if (!rule.appliesTo.includes(subject.resource)) continue;
    const reason = rule.check(subject, context);
    if (reason) return `protected: ${reason} (${rule.id})`;
  }
  return undefined;
}
