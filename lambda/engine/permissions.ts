/**
 * The IAM permissions the engine's calls need, declared next to the code that makes them (each resource kind,
 * discovery, the report), so that the cleanup stack's policy is built from these declarations and cannot drift
 * from what the engine does. Pure data and pure functions: the stack turns the ARN templates into `Fn::Sub`, the
 * tests into concrete ARNs for a policy simulator.
 */

/** Something a deployment may switch on that brings permissions of its own (a separate, conditional policy). */
export type PermissionFeature =
  /** Copy into, or verify against, an archive bucket. */
  | 'archiveBucket'
  /** Start S3 Batch Operations copy jobs that assume one given role. */
  | 'batchRole'
  /** Save the report to the rollout's reports bucket. */
  | 'reportBucket'
  /** Delete the provider's automation outside IAM: the CLI can be configured to; the stack never is. */
  | 'deleteAutomation'
  /** Remove the provider's grants from resource policies and shares (the sweep, `resourcePolicies.remove`). */
  | 'resourcePolicyRemoval';

/**
 * One statement's worth of permissions. `resources` (and condition values) are ARN templates with placeholders:
 * `{partition}` and `{account}` of the deployment; `{prefix}`, `{bucket}`, `{oidcFragment}` for each provider name
 * prefix, provider bucket name and OIDC URL fragment (a template with several expands to every combination); and
 * `{archiveBucket}`, `{batchRoleArn}`, `{reportBucket}` for the value of the feature that needs them; `{stackId}` for
 * the stack the custom resource belongs to.
 */
export interface Permission {
  /** The statement id in the stack's policy: unique across all declarations. */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM condition block, e.g. `{ ArnLike: { 'iam:PolicyARN': ['arn:{partition}:iam::{account}:policy/{prefix}*'] } }`. */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** Why these resources are the narrowest IAM allows: shown to reviewers and used to acknowledge cdk-nag IAM5. */
  readonly reason: string;
  /** Granted only with this feature. @default granted always */
  readonly feature?: PermissionFeature;
}

/** Values for the placeholders of {@link Permission} templates. */
export interface TemplateValues {
  readonly partition: string;
  readonly account: string;
  readonly prefix: readonly string[];
  /** Provider bucket names, `{accountId}` already replaced. */
  readonly bucket: readonly string[];
  readonly oidcFragment: readonly string[];
  readonly archiveBucket?: string;
  readonly batchRoleArn?: string;
  readonly reportBucket?: string;
  /** The ARN of the stack whose custom resource runs the engine. */
  readonly stackId?: string;
}

const PLACEHOLDER = /\{(partition|account|prefix|bucket|oidcFragment|archiveBucket|batchRoleArn|reportBucket|stackId)\}/g;

/** Every string a template stands for: one per combination of its multi-valued placeholders. */
export function expandTemplate(template: string, values: TemplateValues): string[] {
  let results = [''];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const literal = template.slice(last, match.index);
    const value = values[match[1] as keyof TemplateValues];
    if (value === undefined) throw new Error(`permission template ${template} needs a value for {${match[1]}}`);
    const options = typeof value === 'string' ? [value] : value;
    results = results.flatMap((head) => options.map((option) => `${head}${literal}${option}`));
    last = match.index! + match[0].length;
  }
  return results.map((head) => `${head}${template.slice(last)}`);
}

/** IAM entities whose ARN carries a path between the type and the name. */
const PATHED = /^arn:\{partition\}:iam::\{account\}:(role|user|group|policy|instance-profile)\/(\*\/)?\{prefix\}\*$/;

/** The same ARN pattern one path segment further: what a `{prefix}*` name pattern matches in a path by mistake. */
function underProviderLikePath(template: string): string | undefined {
  return PATHED.test(template) ? `${template}/*` : undefined;
}

const DETACH = /^iam:Detach(Role|User|Group)Policy$/;
const POLICY_ARN_KEY = 'iam:PolicyARN';

/**
 * IAM ARN wildcards cannot tell a path from a name: `role/CTL*` also matches `role/CTLteam/AnyRole`, and
 * `role/*\/CTL*` matches `role/x/CTLteam/AnyRole`. These statements deny what the name patterns would otherwise let
 * through under a path with a segment that starts with a prefix (the engine flags such entities instead of planning
 * to change them, see `underProviderLikePath` in the planner): every change but a detach on such a principal, and a
 * detach unless the policy is a provider policy outside such a path.
 */
export function pathGuards(permissions: readonly Permission[]): Permission[] {
  const guarded = new Map<string, Set<string>>();
  for (const permission of permissions) {
    for (const resource of permission.resources) {
      const pattern = underProviderLikePath(resource);
      if (!pattern) continue;
      const actions = guarded.get(pattern) ?? new Set<string>();
      permission.actions.forEach((action) => actions.add(action));
      guarded.set(pattern, actions);
    }
  }
  const patterns = [...guarded.keys()];
  const actions = [...new Set([...guarded.values()].flatMap((set) => [...set]))].sort();
  const detaches = actions.filter((action) => DETACH.test(action));
  // Whole verbs (iam:Delete*), which is shorter and denies more. Not Remove*: those calls only end a membership
  // (a provider user leaving a customer group under such a path must still be able to). Not reads (a backup's Get*):
  // they change nothing.
  const changes = [...new Set(actions.filter((action) => !DETACH.test(action) && !/^iam:(Remove|Get|List)/.test(action)).map((action) => action.replace(/^(\w+:[A-Z][a-z]+).*$/, '$1*')))];
  const principals = patterns.filter((pattern) => /:(role|user|group)\//.test(pattern));
  const providerPolicies = permissions.flatMap((p) => p.resources).filter((r) => /:policy\//.test(r) && PATHED.test(r));
  const policiesUnderProviderLikePaths = providerPolicies.map((r) => underProviderLikePath(r)!);
  const reason = 'A name prefix pattern also matches a path segment: these are the paths, denied.';
  const guards: Permission[] = [
    { sid: 'NeverChangeUnderProviderLikePaths', actions: changes, resources: patterns, reason },
    {
      sid: 'DetachFromProviderLikePathsOnlyProviderPolicies',
      actions: detaches,
      resources: principals,
      conditions: { ArnNotLike: { [POLICY_ARN_KEY]: unique(providerPolicies) } },
      reason,
    },
    {
      sid: 'NeverDetachPoliciesUnderProviderLikePaths',
      actions: detaches,
      resources: principals,
      conditions: { ArnLike: { [POLICY_ARN_KEY]: unique(policiesUnderProviderLikePaths) } },
      reason,
    },
  ];
  return guards.filter((guard) => guard.actions.length && guard.resources.length);
}

/** The given name patterns one path segment further (see {@link pathGuards}): for conditions that exclude them. */
export function pathedVariants(templates: readonly string[]): string[] {
  return templates.map((template) => {
    const pattern = underProviderLikePath(template);
    if (!pattern) throw new Error(`${template} is not an IAM name prefix pattern`);
    return pattern;
  });
}

/**
 * One statement per distinct (feature, resources, conditions): the kinds declare what they need each on its own,
 * the policy says it once. Statements that stay apart must have distinct ids.
 */
export function mergePermissions(permissions: readonly Permission[]): Permission[] {
  const merged = new Map<string, Permission>();
  for (const permission of permissions) {
    const key = JSON.stringify([permission.feature ?? '', permission.resources, permission.conditions ?? {}]);
    const earlier = merged.get(key);
    merged.set(key, earlier ? { ...earlier, actions: unique([...earlier.actions, ...permission.actions]) } : { ...permission, actions: unique(permission.actions) });
  }
  const statements = [...merged.values()];
  const sids = statements.map((statement) => statement.sid);
  const repeated = sids.find((sid, i) => sids.indexOf(sid) !== i);
  if (repeated) throw new Error(`permission ${repeated} is declared twice with different resources or conditions: give each its own sid`);
  return statements;
}

const unique = (values: readonly string[]) => [...new Set(values)];

/** IAM name patterns for an entity named with a provider prefix, at the root path or under any path. */
export function prefixNamed(type: 'role' | 'user' | 'group' | 'policy' | 'instance-profile'): string[] {
  return [`arn:{partition}:iam::{account}:${type}/{prefix}*`, `arn:{partition}:iam::{account}:${type}/*/{prefix}*`];
}

/**
 * Reads of discovery that IAM authorizes on "*" only (GetAccountAuthorizationDetails, DescribeOrganization, the
 * List calls) or that read every candidate: one statement for all kinds.
 */
export function readAccount(actions: readonly string[]): Permission {
  return {
    sid: 'ReadAccount',
    actions,
    resources: ['*'],
    reason: 'Discovery reads the whole account: these reads are authorized on "*" only (GetAccountAuthorizationDetails, DescribeOrganization, List calls) or read every candidate.',
  };
}

/** An IAM ARN template in this account. */
export const iamArn = (resource: string) => `arn:{partition}:iam::{account}:${resource}`;

/** An S3 ARN template. */
export const s3Arn = (resource: string) => `arn:{partition}:s3:::${resource}`;
