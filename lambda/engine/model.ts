/**
 * The vocabulary shared by plan, apply and report: an action per resource, made of the API calls (steps)
 * that carry it out. A plan is a list of actions whose steps have not run yet; apply runs the same list.
 */
import type { Backup } from './backup';

/** Kinds of resource the engine decides about, as the report names them. */
export type ResourceType =
  | 'iam:role'
  | 'iam:policy'
  | 'iam:user'
  | 'iam:group'
  | 'iam:instance-profile'
  | 'iam:mfa-device'
  | 'iam:saml-provider'
  | 'iam:oidc-provider'
  | 'lambda:function'
  | 'events:rule'
  | 'config:rule'
  | 'config:recorder'
  | 'cloudtrail:trail'
  | 's3:bucket'
  // The sweep of resource-based policies and shares (lambda/resources/sweep.ts): the CLI's, not the stack's.
  | 'kms:key-policy'
  | 's3:bucket-policy'
  | 'sns:topic-policy'
  | 'sqs:queue-policy'
  | 'lambda:function-policy'
  | 'lambda:layer-policy'
  | 'secretsmanager:secret-policy'
  | 'ecr:repository-policy'
  | 'events:bus-policy'
  | 'ec2:snapshot-share'
  | 'ec2:image-share'
  | 'ram:resource-share'
  | 'accessanalyzer:finding'
  | 'account:regions';

/** The AWS services whose APIs a step may call. */
export type Service = 'iam' | 'lambda' | 'events' | 'config' | 'cloudtrail' | 's3' | 'kms' | 'sns' | 'sqs' | 'secretsmanager' | 'ecr' | 'ec2' | 'ram';

/** What happens to a resource. */
export type Decision =
  /** Removed, with everything that holds it in place. */
  | 'delete'
  /** Kept on purpose; its steps only tidy it (e.g. remove provider tags). */
  | 'preserve'
  /** Not touched: protected, excluded, or not the provider's. */
  | 'skip'
  /** Not touched, but worth a person's review (e.g. a customer-named role that trusts the provider). */
  | 'flag';

/** Where an action or step stands. `skipped` is the status of actions that have nothing to run. */
export type Status = 'planned' | 'done' | 'failed' | 'skipped';

/** One AWS API call of an action, named as the API names it, with its exact input. */
export interface Step {
  readonly service: Service;
  /** API operation, e.g. `DetachRolePolicy`. */
  readonly call: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The region whose endpoint the call goes to (the provider's automation and the sweep, in every enabled region); none for IAM and S3. */
  readonly region?: string;
  status: Status;
  /** Set when the call found its target already gone: the step counts as done. */
  note?: string;
  error?: string;
}

export interface Action {
  readonly resource: ResourceType;
  readonly name: string;
  readonly arn: string;
  readonly action: Decision;
  /** Why this decision, in words a reviewer can check. */
  readonly reason: string;
  /** Where a regional resource lives (the provider's automation, the sweep's resources); none for IAM and S3. */
  readonly region?: string;
  /** What AWS says of its use, for the review (a provider role's or user's last use); absent from skipped actions. */
  readonly evidence?: Evidence;
  status: Status;
  error?: string;
  /** Set on the provider's automation: apply removes it before changing anything else. */
  readonly runsFirst?: boolean;
  readonly steps: Step[];
  /**
   * What the action deletes or changes, as it was, recorded by apply before the first step runs (engine/backup.ts):
   * `ctl-departure restore` reads it. Absent from plans and from actions that change nothing.
   */
  backup?: Backup;
}

/** When and where a principal was last used, as IAM records it. */
export interface Evidence {
  /** A role's last use (RoleLastUsed), ISO 8601; absent when IAM saw none in its tracking period (400 days). */
  readonly lastUsed?: string;
  /** The region of that use. */
  readonly region?: string;
  /** A user's access keys, each with its last use (GetAccessKeyLastUsed). */
  readonly accessKeys?: readonly AccessKeyUse[];
  /**
   * Set when the newest use is within `recentUseDays` of discovery: how long before it and where (`1 day ago in
   * us-east-1`). The report warns: a principal the provider used yesterday is worth a second look before apply.
   */
  readonly recentUse?: string;
}

export interface AccessKeyUse {
  readonly id: string;
  /** ISO 8601; absent when the key was never used. */
  readonly lastUsed?: string;
  /** The service and region of that use (`sts`, `us-east-1`). */
  readonly service?: string;
  readonly region?: string;
}

export function step(call: string, input: Record<string, unknown>, service: Service = 'iam', region?: string): Step {
  return { service, call, input, ...(region && { region }), status: 'planned' };
}

/** Decisions that run steps. */
export function isActing(decision: Decision): boolean {
  return decision === 'delete' || decision === 'preserve';
}
