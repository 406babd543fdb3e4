/**
 * Federation into the account: SAML and OIDC identity providers.
 * - Found in: ListSAMLProviders, and ListOpenIDConnectProviders with one GetOpenIDConnectProvider each (URL, tags).
 * - Protected by: the Identity Center SAML provider, `exclude`, `identities.samlProviders` / `.oidcProviders`.
 *   A SAML provider is the provider's when its name has a provider prefix; an OIDC provider (named by its URL)
 *   when its URL contains one of `oidcUrlFragments` or a tag names the provider.
 * - Removed by: DeleteSAMLProvider / DeleteOpenIDConnectProvider, after the roles: a role that trusts a provider
 *   being deleted is decided by the role rules (deleted by prefix, otherwise flagged), and listed here.
 * - Backed up: a SAML provider by GetSAMLProvider (metadata document, tags); an OIDC provider from discovery.
 */
import { GetSAMLProviderCommand } from '@aws-sdk/client-iam';
import { tagList, type OidcProviderBackup, type SamlProviderBackup, type Tag } from '../engine/backup';
import { required } from '../engine/discover';
import type { Inventory, OidcProvider, SamlProvider } from '../engine/inventory';
import { step } from '../engine/model';
import { iamArn, readAccount, type Permission } from '../engine/permissions';
import { allowedPrincipals } from '../engine/trust';
import { protectionOf } from '../protections/builtin';
import type { BackupContext, PlanContext, ResourceKind, Verdict } from './kind';
import { CLEANUP_BUNDLE } from '../engine/bundle';

/** Roles whose trust policy names the federation provider as a `Federated` principal. */
export function rolesTrusting(inventory: Inventory, providerArn: string): string[] {
  return inventory.roles.filter((role) => allowedPrincipals(role.trustPolicy, 'Federated').includes(providerArn)).map((role) => role.name);
}

const trustNote = (inventory: Inventory, arn: string) => {
  const roles = rolesTrusting(inventory, arn);
  return roles.length ? `; trusted by role ${roles.join(', ')}` : '';
};

function decideSaml(provider: SamlProvider, context: PlanContext): Verdict {
  const { config } = context;
  const protectedBecause = protectionOf({ resource: 'iam:saml-provider', ...provider, path: '/' }, context.protection);
  if (protectedBecause) return { action: 'skip', reason: protectedBecause };
  if (config.exclude.includes(provider.name)) return { action: 'skip', reason: 'excluded by config' };
  const prefix = context.prefixOf(provider.name);
  if (!prefix) return { action: 'skip', reason: 'not a provider SAML provider' };
  // The stack's properties cannot switch identity kinds off (lambda/properties.ts).
  if (!CLEANUP_BUNDLE && !config.identities.samlProviders) return { action: 'skip', reason: 'provider SAML provider, but switched off (identities.samlProviders)' };
  return { action: 'delete', reason: `name starts with provider prefix "${prefix}"${trustNote(context.inventory, provider.arn)}` };
}

/** Why an OIDC provider is the provider's: a URL fragment, or a tag key or value naming it. */
export function oidcProviderEvidence(provider: OidcProvider, context: Pick<PlanContext, 'config' | 'prefixOf'>): string | undefined {
  const url = provider.url.toLowerCase();
  const fragment = context.config.oidcUrlFragments.find((f) => url.includes(f.toLowerCase()));
  if (fragment) return `issuer URL contains "${fragment}"`;
  const tag = Object.entries(provider.tags).find(([key, value]) => context.prefixOf(key) || context.prefixOf(value));
  return tag ? `tag ${tag[0]}=${tag[1]} names the provider` : undefined;
}

function decideOidc(provider: OidcProvider, context: PlanContext): Verdict {
  const { config } = context;
  if (config.exclude.includes(provider.url)) return { action: 'skip', reason: 'excluded by config' };
  const evidence = oidcProviderEvidence(provider, context);
  if (!evidence) return { action: 'skip', reason: 'not a provider OIDC provider' };
  if (!CLEANUP_BUNDLE && !config.identities.oidcProviders) return { action: 'skip', reason: 'provider OIDC provider, but switched off (identities.oidcProviders)' };
  // A tag is anyone's to write: on its own it is a reason to look, never to delete (a customer's provider tagged
  // "CTL-reviewed" is still the customer's).
  if (!evidence.startsWith('issuer URL')) return { action: 'flag', reason: `${evidence}, but its issuer URL contains none of oidcUrlFragments: review it${trustNote(context.inventory, provider.arn)}` };
  return { action: 'delete', reason: `${evidence}${trustNote(context.inventory, provider.arn)}` };
}

async function backupSaml(provider: SamlProvider, _action: unknown, context: BackupContext): Promise<SamlProviderBackup> {
  const read = await context.clients.iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: provider.arn }));
  return { Name: provider.name, SAMLMetadataDocument: required(read, 'SAMLMetadataDocument', 'GetSAMLProvider'), Tags: (read.Tags ?? []) as Tag[] };
}

async function backupOidc(provider: OidcProvider): Promise<OidcProviderBackup> {
  // CreateOpenIDConnectProvider takes the URL with its scheme; IAM shows it without.
  return { Url: `https://${provider.url}`, ClientIDList: provider.clientIds ?? [], ThumbprintList: provider.thumbprints ?? [], Tags: tagList(provider.tags) };
}

export const IamSamlProvider: ResourceKind<SamlProvider> = {
  type: 'iam:saml-provider',
  dependsOn: ['iam:role'],
  decidedAfter: [],
  list: (inventory) => inventory.samlProviders,
  describe: (provider) => ({ name: provider.name, arn: provider.arn }),
  decide: decideSaml,
  steps: (provider) => [step('DeleteSAMLProvider', { SAMLProviderArn: provider.arn })],
  backup: backupSaml,
  permissions: [
    readAccount(['iam:ListSAMLProviders']),
    {
      sid: 'RemoveProviderSamlProviders',
      actions: ['iam:DeleteSAMLProvider'],
      resources: [iamArn('saml-provider/{prefix}*')],
      reason: "The provider's SAML providers are known only by their name prefix.",
    },
    {
      sid: 'ReadProviderSamlProvidersForBackup',
      actions: ['iam:GetSAMLProvider'],
      resources: [iamArn('saml-provider/{prefix}*')],
      reason: "A deleted SAML provider's metadata document and tags, recorded for restore.",
    },
  ] satisfies Permission[],
};

export const IamOidcProvider: ResourceKind<OidcProvider> = {
  type: 'iam:oidc-provider',
  dependsOn: ['iam:role'],
  decidedAfter: [],
  list: (inventory) => inventory.oidcProviders,
  describe: (provider) => ({ name: provider.url, arn: provider.arn }),
  decide: decideOidc,
  steps: (provider) => [step('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: provider.arn })],
  backup: backupOidc,
  permissions: [
    readAccount(['iam:ListOpenIDConnectProviders', 'iam:GetOpenIDConnectProvider']),
    {
      sid: 'RemoveProviderOidcProviders',
      actions: ['iam:DeleteOpenIDConnectProvider'],
      resources: [iamArn('oidc-provider/*{oidcFragment}*')],
      reason: 'An OIDC provider is named by its issuer URL: only URLs containing one of the provider fragments match.',
    },
  ] satisfies Permission[],
};
