/**
 * The provider buckets' settings a departure changed: the bucket policy (statements for the provider taken out),
 * and with `archive` the public access block, default encryption, tags and lifecycle rules.
 * - Put back by: the Put call with the setting as it was, or its Delete call where there was none (the backup
 *   records a setting only when the departure changed it: which ones it changed, its done steps say).
 * - The same when: the setting is as it was. Put back only while it is still what the departure set; a setting
 *   changed since is a conflict, never overwritten.
 * - Cannot: a deleted bucket. Its objects are in the archive bucket (when the departure copied them first); the
 *   bucket and its settings would have to be made again by hand, if the name is still free.
 */
import type { BucketBackup, Tag } from '../../lambda/engine/backup';
import type { Action, Step } from '../../lambda/engine/model';
import { itemFrom, settled } from './context';
import { canonical, iamStep, type BucketState, type RestoreItem, type RestoreState } from './model';

/** One setting: how to read it from a state or a backup, from the departure's own step, and how to put it back. */
interface Setting {
  readonly label: string;
  /** The departure's calls that changed it. */
  readonly calls: readonly string[];
  readonly now: (state: BucketState) => unknown;
  readonly before: (backup: BucketBackup) => unknown;
  /** What the departure set, from its step's input (undefined: it removed the setting). */
  readonly set: (step: Step) => unknown;
  /** Two values compare equal by this form. */
  readonly form: (value: unknown) => string;
  readonly putBack: (backup: BucketBackup, bucket: { Bucket: string; ExpectedBucketOwner: string }) => Step;
}

const tagForm = (tags: unknown) => canonical(((tags as Tag[] | undefined) ?? []).map((t) => `${t.Key}=${t.Value}`).sort());
const s3 = (call: string, input: Record<string, unknown>) => iamStep(call, input, 's3');

const SETTINGS: readonly Setting[] = [
  {
    label: 'bucket policy',
    calls: ['PutBucketPolicy', 'DeleteBucketPolicy'],
    now: (state) => state.Policy,
    before: (backup) => backup.Policy,
    set: (step) => (step.call === 'PutBucketPolicy' ? step.input.Policy : undefined),
    form: (policy) => (policy ? canonical(JSON.parse(policy as string)) : ''),
    putBack: (backup, bucket) => (backup.Policy ? s3('PutBucketPolicy', { ...bucket, Policy: backup.Policy }) : s3('DeleteBucketPolicy', bucket)),
  },
  {
    label: 'public access block',
    calls: ['PutPublicAccessBlock'],
    now: (state) => state.PublicAccessBlockConfiguration,
    before: (backup) => backup.PublicAccessBlockConfiguration,
    set: (step) => step.input.PublicAccessBlockConfiguration,
    form: (value) => {
      const v = (value ?? {}) as Record<string, boolean>;
      return value === undefined ? '' : canonical(['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'].map((k) => !!v[k]));
    },
    putBack: (backup, bucket) =>
      backup.PublicAccessBlockConfiguration ? s3('PutPublicAccessBlock', { ...bucket, PublicAccessBlockConfiguration: backup.PublicAccessBlockConfiguration }) : s3('DeletePublicAccessBlock', bucket),
  },
  {
    label: 'default encryption',
    calls: ['PutBucketEncryption'],
    now: (state) => state.ServerSideEncryptionConfiguration,
    before: (backup) => backup.ServerSideEncryptionConfiguration,
    set: (step) => step.input.ServerSideEncryptionConfiguration,
    form: (value) => {
      const rules = ((value as { Rules?: { ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string }; BucketKeyEnabled?: boolean }[] } | undefined)?.Rules ?? []);
      return canonical(rules.map((r) => [r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? '', r.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? '', !!r.BucketKeyEnabled]));
    },
    putBack: (backup, bucket) =>
      backup.ServerSideEncryptionConfiguration ? s3('PutBucketEncryption', { ...bucket, ServerSideEncryptionConfiguration: backup.ServerSideEncryptionConfiguration }) : s3('DeleteBucketEncryption', bucket),
  },
  {
    label: 'tags',
    calls: ['PutBucketTagging'],
    now: (state) => state.Tags,
    before: (backup) => backup.Tags,
    set: (step) => (step.input.Tagging as { TagSet?: Tag[] } | undefined)?.TagSet,
    form: tagForm,
    putBack: (backup, bucket) => (backup.Tags?.length ? s3('PutBucketTagging', { ...bucket, Tagging: { TagSet: backup.Tags } }) : s3('DeleteBucketTagging', bucket)),
  },
  {
    label: 'lifecycle rules',
    calls: ['PutBucketLifecycleConfiguration'],
    now: (state) => state.LifecycleRules,
    before: (backup) => backup.LifecycleRules,
    set: (step) => (step.input.LifecycleConfiguration as { Rules?: unknown[] } | undefined)?.Rules,
    // S3 answers a rule in its own shape (a filter spelled out, defaults filled in): rules are told apart by id and status.
    form: (rules) => canonical((((rules as { ID?: string; Status?: string }[] | undefined) ?? []).map((r) => `${r.ID}:${r.Status}`)).sort()),
    putBack: (backup, bucket) =>
      backup.LifecycleRules?.length
        ? s3('PutBucketLifecycleConfiguration', {
            ...bucket,
            ...(backup.TransitionDefaultMinimumObjectSize ? { TransitionDefaultMinimumObjectSize: backup.TransitionDefaultMinimumObjectSize } : {}),
            LifecycleConfiguration: { Rules: backup.LifecycleRules },
          })
        : s3('DeleteBucketLifecycle', bucket),
  },
];

/** Where a deleted bucket's objects went, from the departure's copy steps. */
function archiveOf(action: Action): string | undefined {
  const copy = action.steps.find((s) => ['CopyObjects', 'VerifyCopy', 'StartBatchCopy'].includes(s.call) && s.status === 'done');
  return copy ? `s3://${copy.input.DestinationBucket}/${copy.input.DestinationPrefix ?? ''}` : undefined;
}

export function planBucket(action: Action, backup: BucketBackup, state: RestoreState): RestoreItem {
  const name = backup.Bucket;
  const sources = [action.name];
  const current = state.buckets[name];
  const archive = archiveOf(action);
  const deleted = backup.deleted || action.steps.some((s) => s.call === 'DeleteBucket' && s.status === 'done');
  if (deleted) {
    const where = archive ? `its objects are in ${archive}` : 'it was deleted without an archive: its objects are gone';
    return settled('s3:bucket', name, sources, 'cannot', `deleted by the departure: a bucket cannot be recreated from the report; ${where}. Create it again by hand${current?.exists ? ' (a bucket of that name exists now: not the one deleted)' : ', if the name is still free,'} and copy the objects back`);
  }
  if (!current?.exists) return settled('s3:bucket', name, sources, 'needs', 'the bucket, which the departure kept, is gone now: nothing to put back', [`needs: bucket ${name} (deleted since the departure)`]);
  const bucket = { Bucket: name, ExpectedBucketOwner: state.accountId };
  const steps: Step[] = [];
  const notes: string[] = [];
  const putBack: string[] = [];
  for (const setting of SETTINGS) {
    const changed = action.steps.filter((s) => setting.calls.includes(s.call) && s.status === 'done').at(-1);
    if (!changed) continue;
    const now = setting.form(setting.now(current));
    if (now === setting.form(setting.before(backup))) continue;
    if (now !== setting.form(setting.set(changed))) {
      notes.push(`conflict: the ${setting.label} changed since the departure: not overwritten`);
      continue;
    }
    steps.push(setting.putBack(backup, bucket));
    putBack.push(setting.label);
  }
  if (archive) notes.push(`note: the copies in ${archive} stay: restore deletes nothing`);
  return itemFrom({
    phase: 's3:bucket',
    name,
    sources,
    steps,
    notes,
    reasons: { restore: `changed by the departure: ${putBack.join(', ')} put back as before`, same: 'its settings are as before the departure' },
  });
}
