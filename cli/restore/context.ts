/**
 * What every restore kind reads while planning: the account now, and what the kinds planned before it will leave
 * there. Pure: the planner fills `planned` phase by phase, so a role sees whether the policy it attaches is there,
 * recreated by this restore, someone else's (a conflict), or missing.
 */
import type { Step } from '../../lambda/engine/model';
import type { RestoreDecision, RestoreItem, RestorePhase, RestoreState } from './model';

/** Whether an entity a restore item names will be there when its step runs. */
export type Availability =
  /** Restored by this run, or there already with the backed-up definition. */
  | 'ours'
  /** There, and not in the report's backups (a customer's principal, an AWS-managed policy). */
  | 'present'
  /** The report backed it up, but the name is taken now by something different. */
  | 'conflict'
  /** Neither there nor restored. */
  | 'missing';

export interface RestoreContext {
  readonly state: RestoreState;
  /** Entities the report backed up and this run selected, by {@link key}: will each be there, as backed up? */
  readonly planned: Map<string, 'ours' | 'conflict' | 'missing'>;
  /** Entities the report backed up that `--only` left out, by key: the name to give `--only` for them. */
  readonly unselected: ReadonlyMap<string, string>;
}

/** Keys of entities in `planned` and `unselected`. */
export const key = {
  role: (name: string) => `iam:role:${name}`,
  user: (name: string) => `iam:user:${name}`,
  group: (name: string) => `iam:group:${name}`,
  policy: (arn: string) => `iam:policy:${arn}`,
  profile: (name: string) => `iam:instance-profile:${name}`,
  saml: (name: string) => `iam:saml-provider:${name}`,
  oidc: (url: string) => `iam:oidc-provider:${url}`,
};

export function availability(context: RestoreContext, entityKey: string, existsNow: boolean): Availability {
  const planned = context.planned.get(entityKey);
  if (planned) return planned;
  return existsNow ? 'present' : 'missing';
}

/** `needs: policy CTLX, neither there nor restored by this run (restore it too: --only CTLX)`. */
export function needsLine(context: RestoreContext, what: string, entityKey: string): string {
  const planned = context.planned.get(entityKey);
  const only = context.unselected.get(entityKey);
  if (planned === 'conflict') return `conflict: ${what} is not the one backed up (its name is taken by something different): not used`;
  if (planned === 'missing') return `needs: ${what}, which this run cannot restore (see its own line)`;
  return `needs: ${what}, neither there nor restored by this run${only ? ` (restore it too: --only ${only})` : ' (not in the report: it was not deleted by the departure, or deleted since)'}`;
}

export interface ItemParts {
  readonly phase: RestorePhase;
  readonly name: string;
  readonly sources: readonly string[];
  /** The calls that put back what is missing, in order. */
  readonly steps: Step[];
  /** `conflict: ...` and `needs: ...` lines of parts left out, and `not restorable: ...` lines. */
  readonly notes: readonly string[];
  /** Why, for each outcome: the planner picks the one that holds. */
  readonly reasons: { readonly restore: string; readonly same: string; readonly needs?: string };
  readonly wave?: number;
}

/**
 * One decision from the parts: a conflict anywhere is reported as one (the other parts are still put back), then
 * steps to run, then what is missing, else it is all there.
 */
export function itemFrom(parts: ItemParts): RestoreItem {
  const conflict = parts.notes.find((line) => line.startsWith('conflict:'));
  const needs = parts.notes.find((line) => line.startsWith('needs:'));
  const decision: RestoreDecision = conflict ? 'conflict' : parts.steps.length ? 'restore' : needs ? 'needs' : 'same';
  const reason =
    decision === 'conflict'
      ? `${conflict!.replace(/^conflict: /, '')}${parts.steps.length ? `; the rest is put back (${parts.reasons.restore})` : ''}`
      : decision === 'restore'
        ? parts.reasons.restore
        : decision === 'needs'
          ? (parts.reasons.needs ?? needs!.replace(/^needs: /, 'needs '))
          : parts.reasons.same;
  return {
    phase: parts.phase,
    name: parts.name,
    sources: parts.sources,
    decision,
    reason,
    notes: parts.notes,
    steps: parts.steps,
    ...(parts.wave !== undefined ? { wave: parts.wave } : {}),
    status: parts.steps.length ? 'planned' : 'skipped',
  };
}

/** An item that runs nothing: a conflict of the whole entity, something it needs, or what no API can do. */
export function settled(phase: RestorePhase, name: string, sources: readonly string[], decision: Exclude<RestoreDecision, 'restore'>, reason: string, notes: readonly string[] = []): RestoreItem {
  return { phase, name, sources, decision, reason, notes, steps: [], status: 'skipped' };
}

/**
 * The line every recreated role and user carries: IAM stores a role or user named in a policy's Principal by its
 * unique id, so once it is deleted "the relationship is broken ... even if you recreate the user or role", and each
 * such policy must be edited to name the ARN again (IAM User Guide, IAM JSON policy elements: Principal, and the
 * cross-account role example). Where the account still shows the old id, those places are named.
 */
export function uniqueIdNote(state: RestoreState, kind: 'role' | 'user', oldId: string | undefined): string {
  const where = oldId ? placesNaming(state, oldId) : [];
  return (
    `not restorable: the old unique id${oldId ? ` ${oldId}` : ''}: the recreated ${kind} gets a new one, and a policy elsewhere that named the old ${kind} by ARN shows ${oldId ?? 'its unique id'} now and stays broken until edited` +
    (where.length ? `; still naming it: ${where.join(', ')}` : '')
  );
}

/** Trust policies, managed policy versions and bucket policies that name a unique id. */
function placesNaming(state: RestoreState, id: string): string[] {
  const names = (text: string) => new RegExp(`\\b${id}\\b`).test(text);
  return [
    ...Object.values(state.roles).filter((role) => names(JSON.stringify(role.AssumeRolePolicyDocument))).map((role) => `role ${role.RoleName}'s trust policy`),
    ...Object.values(state.roles).flatMap((role) => role.InlinePolicies.filter((p) => names(JSON.stringify(p.PolicyDocument))).map((p) => `role ${role.RoleName}'s inline policy ${p.PolicyName}`)),
    ...Object.values(state.policies).filter((policy) => policy.Versions.some((v) => names(JSON.stringify(v.Document)))).map((policy) => `policy ${policy.PolicyName}`),
    ...Object.entries(state.buckets).filter(([, bucket]) => bucket.Policy && names(bucket.Policy)).map(([name]) => `bucket ${name}'s policy`),
  ];
}
