/**
 * Roles a departure deleted.
 * - Recreated by: CreateRole with its path, trust policy, description, session length, permissions boundary and tags
 *   in one call, then PutRolePolicy for each inline policy and AttachRolePolicy for each managed one. Its instance
 *   profiles come later (instance-profile.ts).
 * - The same when: a role of that name has the same path, trust policy, description, session length and boundary;
 *   then only its missing inline policies, attachments and tags are put back. An inline policy or tag that is there
 *   with another value is a conflict, never overwritten; a role that differs in any of the first is someone else's.
 * - Needs: the boundary policy, and every role and user of this account its trust policy names (IAM refuses a trust
 *   policy naming a principal that does not exist: "Invalid principal in policy"), and the federation providers it
 *   names. It cannot be created while its trust policy names a principal deleted before the departure (shown by its
 *   unique id, AROA.../AIDA...): no new policy can name it.
 */
import type { RoleBackup } from '../../lambda/engine/backup';
import type { Step } from '../../lambda/engine/model';
import { allowedPrincipals, deletedPrincipals } from '../../lambda/engine/trust';
import { availability, itemFrom, key, needsLine, settled, uniqueIdNote, type RestoreContext } from './context';
import { restorePolicies } from './principal-policies';
import { iamStep, isAwsManaged, policyNameOf, sameDocument, tagDifference, type RestoreItem } from './model';

/** IAM's default session length, used when a role was read without one. */
const DEFAULT_SESSION_SECONDS = 3600;

/** Roles and users of this account that a trust policy names by ARN, and the federation providers it names. */
export function trustDependencies(backup: RoleBackup, accountId: string): { what: string; key: string; exists: (c: RestoreContext) => boolean }[] {
  const deps: { what: string; key: string; exists: (c: RestoreContext) => boolean }[] = [];
  for (const arn of allowedPrincipals(backup.AssumeRolePolicyDocument, 'AWS')) {
    const match = /^arn:[^:]+:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (!match || match[1] !== accountId) continue;
    const name = match[3]!;
    deps.push(
      match[2] === 'role'
        ? { what: `role ${name} (its trust policy names it)`, key: key.role(name), exists: (c) => name in c.state.roles }
        : { what: `user ${name} (its trust policy names it)`, key: key.user(name), exists: (c) => name in c.state.users },
    );
  }
  for (const arn of allowedPrincipals(backup.AssumeRolePolicyDocument, 'Federated')) {
    const saml = /:saml-provider\/(.+)$/.exec(arn)?.[1];
    const oidc = /:oidc-provider\/(.+)$/.exec(arn)?.[1];
    if (saml) deps.push({ what: `SAML provider ${saml} (its trust policy names it)`, key: key.saml(saml), exists: (c) => saml in c.state.samlProviders });
    if (oidc) deps.push({ what: `OIDC provider ${oidc} (its trust policy names it)`, key: key.oidc(oidc), exists: (c) => oidc in c.state.oidcProviders });
  }
  return deps;
}

/** Roles of this account the trust policy names: restored ones must be created first (the role phase's waves). */
export function trustedRoleNames(backup: RoleBackup, accountId: string): string[] {
  return trustDependencies(backup, accountId).filter((d) => d.key.startsWith('iam:role:')).map((d) => d.key.slice('iam:role:'.length));
}

export function planRole(backup: RoleBackup, sources: readonly string[], context: RestoreContext, wave: number): RestoreItem {
  const { state } = context;
  const RoleName = backup.RoleName;
  const current = state.roles[RoleName];
  const settle = (decision: 'conflict' | 'needs' | 'cannot', reason: string, notes: string[] = []) => {
    context.planned.set(key.role(RoleName), decision === 'conflict' ? 'conflict' : 'missing');
    return settled('iam:role', RoleName, sources, decision, reason, notes);
  };

  if (current) {
    const differences = [
      current.Path !== backup.Path && `path ${current.Path} (backed up: ${backup.Path})`,
      !sameDocument(current.AssumeRolePolicyDocument, backup.AssumeRolePolicyDocument) && 'trust policy',
      (current.Description ?? '') !== (backup.Description ?? '') && 'description',
      (current.MaxSessionDuration ?? DEFAULT_SESSION_SECONDS) !== (backup.MaxSessionDuration ?? DEFAULT_SESSION_SECONDS) && 'maximum session duration',
      current.PermissionsBoundary !== backup.PermissionsBoundary && 'permissions boundary',
    ].filter((d): d is string => !!d);
    if (differences.length) return settle('conflict', `the name is taken by a role with another ${differences.join(', ')}: not overwritten`);
  } else {
    const deleted = deletedPrincipals(backup.AssumeRolePolicyDocument);
    if (deleted.length) {
      return settle('cannot', `its trust policy names ${deleted.join(', ')}, a principal deleted before the departure (IAM shows its unique id): no new trust policy can name it; recreate the role by hand with the principal it should trust`);
    }
    const missing: string[] = [];
    if (backup.PermissionsBoundary && !isAwsManaged(backup.PermissionsBoundary)) {
      const there = availability(context, key.policy(backup.PermissionsBoundary), backup.PermissionsBoundary in state.policies);
      if (there === 'missing' || there === 'conflict') missing.push(needsLine(context, `permissions boundary ${policyNameOf(backup.PermissionsBoundary)}`, key.policy(backup.PermissionsBoundary)));
    }
    for (const dep of trustDependencies(backup, state.accountId)) {
      const there = availability(context, dep.key, dep.exists(context));
      if (there === 'missing' || there === 'conflict') missing.push(needsLine(context, dep.what, dep.key));
    }
    if (missing.length) return settle('needs', `cannot be created: ${missing.map((line) => line.replace(/^(needs|conflict): /, '')).join('; ')}`, missing);
  }

  context.planned.set(key.role(RoleName), 'ours');
  const steps: Step[] = [];
  const notes: string[] = [];
  const done: string[] = [];
  if (!current) {
    steps.push(
      iamStep('CreateRole', {
        RoleName,
        Path: backup.Path,
        AssumeRolePolicyDocument: JSON.stringify(backup.AssumeRolePolicyDocument),
        ...(backup.Description ? { Description: backup.Description } : {}),
        ...(backup.MaxSessionDuration ? { MaxSessionDuration: backup.MaxSessionDuration } : {}),
        ...(backup.PermissionsBoundary ? { PermissionsBoundary: backup.PermissionsBoundary } : {}),
        ...(backup.Tags.length ? { Tags: backup.Tags } : {}),
      }),
    );
    done.push(`recreated (path ${backup.Path}${backup.PermissionsBoundary ? `, boundary ${policyNameOf(backup.PermissionsBoundary)}` : ''}${backup.Tags.length ? `, ${backup.Tags.length} tag(s)` : ''})`);
    notes.push(uniqueIdNote(state, 'role', backup.RoleId));
  } else {
    const tags = tagDifference(backup.Tags, current.Tags);
    if (tags.missing.length) {
      steps.push(iamStep('TagRole', { RoleName, Tags: tags.missing }));
      done.push(`${tags.missing.length} tag(s)`);
    }
    for (const tagKey of tags.differing) notes.push(`conflict: tag ${tagKey} has another value now: not overwritten`);
  }
  restorePolicies('Role', RoleName, backup, current, context, { steps, notes, done });
  return itemFrom({
    phase: 'iam:role',
    name: RoleName,
    sources,
    steps,
    notes,
    wave,
    reasons: {
      restore: current ? `there with the same definition; put back: ${done.join(', ')}` : `deleted by the departure: ${done.join(', ')}`,
      same: 'there with the same definition, inline and attached policies and tags',
    },
  });
}
