/**
 * The stack deployed into a departing account. One self-contained template: no assets, no bootstrap, under
 * CloudFormation's 51,200-byte limit for a template sent inline, so it deploys with `cdk deploy`, through a
 * StackSet, or by upload in the console. The departure's settings are parameters, so a stack (or StackSet)
 * moves from plan to apply by changing `Mode`.
 */
import { CfnOutput, LegacyStackSynthesizer, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AppSettings } from './context';
import { DepartureCleanup } from './departure-cleanup';
import { BATCH_ROLE_ARN } from '../lambda/engine/config';

export interface DepartureStackProps extends StackProps {
  /** Defaults of the parameters, and the prefixes the IAM policy is written for. */
  readonly settings: AppSettings;
}

/** Report counts shown as stack outputs (custom resource attributes of the same name). */
const OUTPUTS = ['Mode', 'Delete', 'Preserve', 'Flag', 'Skip', 'Done', 'Failed', 'Report'] as const;

export class DepartureStack extends Stack {
  readonly cleanup: DepartureCleanup;

  constructor(scope: Construct, id: string, props: DepartureStackProps) {
    super(scope, id, {
      // No bootstrap: no assets to publish, no roles to assume, no bootstrap version to check.
      synthesizer: new LegacyStackSynthesizer(),
      analyticsReporting: false,
      description: 'Removes the departing provider (CTL) from this account. Plan unless Mode=apply.',
      ...props,
    });
    const { config, mode } = props.settings;
    const list = (values: readonly string[]) => values.join(',');
    const names = '^$|^[\\w+=,.@-]+$';
    const parameter = (name: string, description: string, defaultValue: string, extra: Partial<ConstructorParameters<typeof CfnParameter>[2]> = {}) =>
      new CfnParameter(this, name, { type: 'String', description, default: defaultValue, ...extra }).valueAsString;

    this.cleanup = new DepartureCleanup(this, 'Departure', {
      prefixes: config.prefixes,
      oidcUrlFragments: config.oidcUrlFragments,
      allowBroadPrefixes: config.allowBroadPrefixes,
      allowBroadOidcUrlFragments: config.allowBroadOidcUrlFragments,
      mode: parameter('Mode', 'plan: report what would change. apply: change it.', mode, { allowedValues: ['plan', 'apply'] }),
      keepCamProvider: parameter('KeepCamProvider', 'Keep the CAM provider policy and its role (untagged).', String(config.keepCamProvider), {
        allowedValues: ['true', 'false'],
      }),
      camPolicyNames: parameter('CamPolicyNames', 'CAM provider policy names, comma-separated.', list(config.camPolicyNames), { allowedPattern: names }),
      removeTagKeys: parameter('RemoveTagKeys', 'Tag keys removed from what is kept, comma-separated.', list(config.removeTagKeys)),
      // No pattern: an OIDC provider is named by its URL, which may have a path (auth.example.com/tenant); the handler
      // checks each name as the CLI does and answers FAILED with one line naming it.
      exclude: parameter('Exclude', 'Names never touched, comma-separated.', list(config.exclude)),
      providerAccountIds: parameter('ProviderAccountIds', 'Provider account ids; roles trusting them are flagged.', list(config.providerAccountIds), {
        allowedPattern: '^$|^\\d{12}(,\\d{12})*$',
      }),
      bucketNames: config.buckets.names,
      bucketMode: parameter('BucketMode', 'Provider buckets: keep, archive in place, copy to the archive bucket, delete after a verified copy.', config.buckets.mode, {
        allowedValues: ['keep', 'archive', 'copy', 'delete'],
      }),
      createArchiveBucket: props.settings.createArchiveBucket,
      ...(props.settings.createArchiveBucket
        ? {}
        : { archiveBucket: parameter('ArchiveBucket', 'Where copy writes and delete verifies; empty for none.', config.buckets.archiveBucket ?? '', { allowedPattern: '^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }) }),
      storageClass: parameter('StorageClass', 'Storage class of archived and copied objects.', config.buckets.storageClass, {
        allowedValues: ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'],
      }),
      transitionDays: parameter('TransitionDays', 'Days before archived objects move to the storage class.', String(config.buckets.transitionDays), { allowedPattern: '^\\d{1,5}$' }),
      batchRoleArn: parameter('BatchRoleArn', 'Role S3 Batch Operations assumes to copy a bucket too big for one run; empty: none.', config.buckets.batchRoleArn ?? '', {
        // One role of this account: no wildcards here, and the function's PassRole names this account's role of that name.
        allowedPattern: `^$|${BATCH_ROLE_ARN.source.replace(/\\\//g, '/')}`,
        constraintDescription: 'one IAM role ARN of this account, without wildcards, such as arn:aws:iam::123456789012:role/s3-batch-copy',
      }),
      reportBucket: parameter('ReportBucket', 'Bucket for the full report, reports/<accountId>.json (from the rollout); empty: log only.', '', {
        allowedPattern: '^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      }),
      deleteWithoutArchive: parameter('DeleteWithoutArchive', 'Delete provider buckets without a verified copy.', String(config.buckets.deleteWithoutArchive), {
        allowedValues: ['true', 'false'],
      }),
    });
    for (const name of OUTPUTS) new CfnOutput(this, `Report${name}`, { value: this.cleanup.resource.getAttString(name) });
  }
}
