/**
 * Tells a rollback Update from a forward one. CloudFormation's Update request carries no flag for it: during
 * `UPDATE_ROLLBACK_IN_PROGRESS` it sends the old properties as an ordinary Update. The stack's own status says which.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { Permission } from './engine/permissions';

/** Reading the status of the stack the request came from, and no other. */
export const STACK_STATUS_PERMISSIONS: readonly Permission[] = [
  { sid: 'ReadOwnStackStatus', actions: ['cloudformation:DescribeStacks'], resources: ['{stackId}'], reason: 'Its own stack only.' },
];

/** What an Update request is, and how the handler may act on it. */
export type UpdateKind =
  /** A stack update going forward: run the engine in the mode the properties give. */
  | { readonly kind: 'forward'; readonly status: string }
  /** A rollback: run nothing, answer SUCCESS. */
  | { readonly kind: 'rollback'; readonly status: string }
  /** Not known: it may be a rollback, so never apply, and never answer FAILED. */
  | { readonly kind: 'unknown'; readonly why: string };

/**
 * Every rollback status has ROLLBACK in its name (`UPDATE_ROLLBACK_IN_PROGRESS`, also after ContinueUpdateRollback,
 * and `IMPORT_ROLLBACK_IN_PROGRESS`). Any other status is taken as forward: in AWS an Update request only arrives
 * while the stack is `UPDATE_IN_PROGRESS` or rolling back. (moto marks an update `UPDATE_COMPLETE` at once, before
 * the custom resource answers; requiring `UPDATE_IN_PROGRESS` would make the rehearsals unable to apply.)
 */
export function classifyUpdate(status: string): UpdateKind {
  return /ROLLBACK/.test(status) ? { kind: 'rollback', status } : { kind: 'forward', status };
}

/** The status of the stack the request came from: `cloudformation:DescribeStacks` on that stack's ARN. */
export async function describeStackStatus(stackId: string): Promise<string> {
  // The stack's own region (the function's too: a ServiceToken must be in the stack's region).
  const region = stackId.split(':')[3] || process.env.AWS_REGION;
  // Few, short attempts: this runs before the engine, inside the same Lambda time budget.
  const cfn = new CloudFormationClient({ region, maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 } });
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0];
  if (!stack?.StackStatus) throw new Error(`DescribeStacks returned no status for ${stackId}`);
  return stack.StackStatus;
}
