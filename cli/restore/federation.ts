/**
 * SAML and OIDC identity providers a departure deleted.
 * - Recreated by: CreateSAMLProvider (name, metadata document, tags) and CreateOpenIDConnectProvider (URL, client
 *   ids, thumbprints when there were any: IAM no longer needs them for most issuers, and tags). A provider's ARN is
 *   made of its name or URL alone, so the roles whose trust policies name it trust it again once it is back: a
 *   federated principal is not stored by a unique id.
 * - The same when: a SAML provider of that name has the same metadata document; an OIDC provider of that URL has
 *   the same client ids and thumbprints (in any order). Otherwise a conflict: never overwritten.
 * - Not restorable: a SAML provider's private keys for encrypted assertions (the backup holds no secret).
 */
import type { OidcProviderBackup, SamlProviderBackup } from '../../lambda/engine/backup';
import type { Step } from '../../lambda/engine/model';
import { itemFrom, key, settled, type RestoreContext } from './context';
import { iamStep, oidcKey, tagDifference, type RestoreItem } from './model';

export function planSamlProvider(backup: SamlProviderBackup, sources: readonly string[], context: RestoreContext): RestoreItem {
  const { state } = context;
  const current = state.samlProviders[backup.Name];
  const arn = `arn:${state.partition}:iam::${state.accountId}:saml-provider/${backup.Name}`;
  if (current && current.SAMLMetadataDocument.trim() !== backup.SAMLMetadataDocument.trim()) {
    context.planned.set(key.saml(backup.Name), 'conflict');
    return settled('iam:saml-provider', backup.Name, sources, 'conflict', 'the name is taken by a SAML provider with another metadata document: not overwritten');
  }
  context.planned.set(key.saml(backup.Name), 'ours');
  const steps: Step[] = [];
  const notes: string[] = [];
  if (!current) {
    steps.push(iamStep('CreateSAMLProvider', { Name: backup.Name, SAMLMetadataDocument: backup.SAMLMetadataDocument, ...(backup.Tags.length ? { Tags: backup.Tags } : {}) }));
  } else {
    const tags = tagDifference(backup.Tags, current.Tags);
    if (tags.missing.length) steps.push(iamStep('TagSAMLProvider', { SAMLProviderArn: arn, Tags: tags.missing }));
    for (const tagKey of tags.differing) notes.push(`conflict: tag ${tagKey} has another value now: not overwritten`);
  }
  return itemFrom({
    phase: 'iam:saml-provider',
    name: backup.Name,
    sources,
    steps,
    notes,
    reasons: {
      restore: current ? 'there with the same metadata; its tags put back' : `deleted by the departure: recreated from its metadata document${backup.Tags.length ? ` with ${backup.Tags.length} tag(s)` : ''}; roles that trust it by ARN trust it again`,
      same: 'there with the same metadata document and tags',
    },
  });
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

export function planOidcProvider(backup: OidcProviderBackup, sources: readonly string[], context: RestoreContext): RestoreItem {
  const { state } = context;
  const url = oidcKey(backup.Url);
  const current = state.oidcProviders[url];
  const arn = `arn:${state.partition}:iam::${state.accountId}:oidc-provider/${url}`;
  if (current && (!sameSet(current.ClientIDList, backup.ClientIDList) || !sameSet(current.ThumbprintList.map((t) => t.toLowerCase()), backup.ThumbprintList.map((t) => t.toLowerCase())))) {
    context.planned.set(key.oidc(url), 'conflict');
    return settled('iam:oidc-provider', url, sources, 'conflict', 'the URL is taken by an OIDC provider with other client ids or thumbprints: not overwritten');
  }
  context.planned.set(key.oidc(url), 'ours');
  const steps: Step[] = [];
  const notes: string[] = [];
  if (!current) {
    steps.push(
      iamStep('CreateOpenIDConnectProvider', {
        Url: `https://${url}`,
        ClientIDList: backup.ClientIDList,
        ...(backup.ThumbprintList.length ? { ThumbprintList: backup.ThumbprintList } : {}),
        ...(backup.Tags.length ? { Tags: backup.Tags } : {}),
      }),
    );
  } else {
    const tags = tagDifference(backup.Tags, current.Tags);
    if (tags.missing.length) steps.push(iamStep('TagOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, Tags: tags.missing }));
    for (const tagKey of tags.differing) notes.push(`conflict: tag ${tagKey} has another value now: not overwritten`);
  }
  return itemFrom({
    phase: 'iam:oidc-provider',
    name: url,
    sources,
    steps,
    notes,
    reasons: {
      restore: current ? 'there with the same client ids and thumbprints; its tags put back' : `deleted by the departure: recreated with ${backup.ClientIDList.length} client id(s)${backup.Tags.length ? ` and ${backup.Tags.length} tag(s)` : ''}; roles that trust it by ARN trust it again`,
      same: 'there with the same client ids, thumbprints and tags',
    },
  });
}
