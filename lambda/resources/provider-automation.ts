/**
 * The provider's automation outside IAM, in every region read: Lambda functions, EventBridge rules, AWS Config
 * rules, each region's Config recorder with its delivery channel, CloudTrail trails. Each item and each of its steps
 * names its region: apply calls that region's endpoint.
 * - Found in: see engine/discover-automation.ts.
 * - The provider's when: the name has a provider prefix; a function runs as a provider role; a rule triggers a
 *   provider function; the recorder or a trail still writes to a provider bucket (config-bucket-<id>, ctlaudit-<id>).
 * - Flagged for review by default (the customer may want Config and CloudTrail to keep running); each kind is
 *   deleted instead when its `deleteAutomation` switch is on.
 */
import type { Automation, Regional } from '../engine/inventory';
import { bucketNames } from '../engine/discover-buckets';
import type { ResourceType, Step } from '../engine/model';
import { step } from '../engine/model';
import type { AutomationKinds } from '../engine/config';
import { readAccount, type Permission } from '../engine/permissions';
import type { PlanContext, ResourceKind, Verdict } from './kind';
import { CLEANUP_BUNDLE } from '../engine/bundle';

type Item<K extends keyof Automation> = (Automation[K] extends readonly (infer T)[] ? T : never) & Regional;

/** One kind of automation: what makes an item the provider's, and how it is removed. */
function automationKind<K extends 'lambdaFunctions' | 'eventRules' | 'configRules' | 'configRecorders' | 'trails'>(options: {
  type: ResourceType;
  items: K;
  optIn: keyof AutomationKinds;
  dependsOn?: ResourceType[];
  name: (item: Item<K>) => string;
  arn: (item: Item<K>) => string;
  evidence: (item: Item<K>, context: PlanContext) => string | undefined;
  /** The AWS service that alone may delete it, if one does: flagged whatever `deleteAutomation` says. */
  owner?: (item: Item<K>) => string | undefined;
  /** The steps, in the item's region (set on each by the kind). */
  steps: (item: Item<K>) => Step[];
  /** IAM actions of discovery's reads (see discover-automation.ts). */
  reads: string[];
  /** IAM actions of the steps. */
  removes: string[];
}): ResourceKind<Item<K>> {
  const decide = (item: Item<K>, context: PlanContext): Verdict => {
    const name = options.name(item);
    if (context.config.exclude.includes(name)) return { action: 'skip', reason: 'excluded by config' };
    const evidence = options.evidence(item, context);
    if (!evidence) return { action: 'skip', reason: "not the provider's" };
    const owner = options.owner?.(item);
    if (owner) return { action: 'flag', reason: `${evidence}, but only ${owner} may remove it` };
    // The stack never deletes automation (its properties cannot set deleteAutomation, its policy cannot delete).
    if (!CLEANUP_BUNDLE && context.config.deleteAutomation[options.optIn]) return { action: 'delete', reason: `${evidence} (deleteAutomation.${options.optIn})` };
    return { action: 'flag', reason: `${evidence}; set deleteAutomation.${options.optIn} to delete it` };
  };
  return {
    type: options.type,
    dependsOn: options.dependsOn ?? [],
    list: (inventory) => inventory.automation[options.items] as unknown as readonly Item<K>[],
    describe: (item) => ({ name: options.name(item), arn: options.arn(item), region: item.region }),
    decide,
    steps: (item) => options.steps(item).map((planned) => ({ ...planned, region: item.region })),
    permissions: [
      readAccount(options.reads),
      {
        sid: `Delete${options.type.replace(/(^|[:-])(\w)/g, (_, __, c: string) => c.toUpperCase())}`,
        actions: options.removes,
        resources: ['*'],
        reason: 'Found by evidence, not by name, so no name pattern can scope it.',
        // Flag-only where a name pattern cannot say what is the provider's: the stack never deletes automation.
        feature: 'deleteAutomation',
      },
    ] satisfies Permission[],
  };
}

const prefixed = (name: string, context: PlanContext) => {
  const prefix = context.prefixOf(name);
  return prefix ? `name starts with provider prefix "${prefix}"` : undefined;
};

/** A role ARN whose name (after any path) has a provider prefix. */
const providerRole = (roleArn: string, context: PlanContext) => {
  const name = roleArn.split('/').pop() ?? '';
  return context.prefixOf(name) ? name : undefined;
};

const functionEvidence = (fn: Item<'lambdaFunctions'>, context: PlanContext) => {
  const role = providerRole(fn.role, context);
  return prefixed(fn.name, context) ?? (role ? `runs as provider role ${role}` : undefined);
};

const writesToProviderBucket = (bucket: string | undefined, context: PlanContext) =>
  bucket && bucketNames(context.config.buckets, context.inventory.accountId).includes(bucket) ? `writes to provider bucket ${bucket}` : undefined;

export const LambdaFunction = automationKind({
  type: 'lambda:function',
  items: 'lambdaFunctions',
  optIn: 'lambdaFunctions',
  dependsOn: ['events:rule'],
  name: (fn) => fn.name,
  arn: (fn) => fn.arn,
  evidence: functionEvidence,
  steps: (fn) => [step('DeleteFunction', { FunctionName: fn.name }, 'lambda')],
  reads: ['lambda:ListFunctions'],
  removes: ['lambda:DeleteFunction'],
});

export const EventRule = automationKind({
  type: 'events:rule',
  items: 'eventRules',
  optIn: 'eventRules',
  name: (rule) => rule.name,
  arn: (rule) => rule.arn,
  // A rule a service manages (e.g. one a Security Hub or GuardDuty setup made) is deleted only with Force, by that
  // service's owner: never forced here.
  owner: (rule) => rule.managedBy,
  evidence: (rule, context) => {
    const target = context.inventory.automation.lambdaFunctions.find(
      (fn) => rule.targets.some((t) => t.arn === fn.arn) && functionEvidence(fn, context),
    );
    return prefixed(rule.name, context) ?? (target ? `triggers provider function ${target.name}` : undefined);
  },
  steps: (rule) => [
    ...(rule.targets.length ? [step('RemoveTargets', { Rule: rule.name, Ids: rule.targets.map((t) => t.id) }, 'events')] : []),
    step('DeleteRule', { Name: rule.name }, 'events'),
  ],
  reads: ['events:ListRules', 'events:ListTargetsByRule'],
  removes: ['events:RemoveTargets', 'events:DeleteRule'],
});

export const ConfigRule = automationKind({
  type: 'config:rule',
  items: 'configRules',
  optIn: 'configRules',
  name: (rule) => rule.name,
  arn: (rule) => rule.arn,
  evidence: (rule, context) => prefixed(rule.name, context),
  // A service-linked rule (CreatedBy: a service, or config-conforms.amazonaws.com for a conformance pack's) is
  // removed through what created it; DeleteConfigRule is refused for it.
  owner: (rule) => rule.createdBy,
  // AWS refuses DeleteConfigRule while a remediation is associated with the rule (ResourceInUseException).
  steps: (rule) => [
    ...(rule.remediation ? [step('DeleteRemediationConfiguration', { ConfigRuleName: rule.name }, 'config')] : []),
    step('DeleteConfigRule', { ConfigRuleName: rule.name }, 'config'),
  ],
  reads: ['config:DescribeConfigRules', 'config:DescribeRemediationConfigurations'],
  removes: ['config:DeleteRemediationConfiguration', 'config:DeleteConfigRule'],
});

export const ConfigRecorder = automationKind({
  type: 'config:recorder',
  items: 'configRecorders',
  optIn: 'configRecorder',
  name: (recorder) => recorder.name,
  arn: () => '',
  evidence: (recorder, context) => writesToProviderBucket(recorder.bucket, context) ?? prefixed(recorder.name, context),
  // A delivery channel can only be deleted while the recorder is stopped.
  steps: (recorder) => [
    step('StopConfigurationRecorder', { ConfigurationRecorderName: recorder.name }, 'config'),
    ...(recorder.channelName ? [step('DeleteDeliveryChannel', { DeliveryChannelName: recorder.channelName }, 'config')] : []),
    step('DeleteConfigurationRecorder', { ConfigurationRecorderName: recorder.name }, 'config'),
  ],
  reads: ['config:DescribeConfigurationRecorders', 'config:DescribeDeliveryChannels'],
  removes: ['config:StopConfigurationRecorder', 'config:DeleteDeliveryChannel', 'config:DeleteConfigurationRecorder'],
});

export const CloudTrailTrail = automationKind({
  type: 'cloudtrail:trail',
  items: 'trails',
  optIn: 'trails',
  name: (trail) => trail.name,
  arn: (trail) => trail.arn,
  evidence: (trail, context) => writesToProviderBucket(trail.bucket, context) ?? prefixed(trail.name, context),
  // Each region lists only the trails whose home it is (no shadow trails): the name identifies it there.
  steps: (trail) => [step('DeleteTrail', { Name: trail.name }, 'cloudtrail')],
  reads: ['cloudtrail:DescribeTrails'],
  removes: ['cloudtrail:DeleteTrail'],
});
