/**
 * Readiness: what the rest of a departure needs besides removing the provider's access, checked by the reads AWS
 * offers (the root user, the contacts, the organization, waiting invitations, what the plan still finds) and `manual`
 * where no API can tell (the payment method). Each check stands alone: a read that fails makes its own check
 * `unknown`, saying why, never the run. Details are short facts; the CLI adds what to do (cli/readiness.ts), so the
 * engine inlined in the template stays small.
 */
import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { paginateListHandshakesForAccount, type Handshake } from '@aws-sdk/client-organizations';
import { errorName, type AwsClients } from './aws';
import type { DepartureConfig } from './config';
import type { OrganizationStatus } from './inventory';
import type { Action } from './model';
import { readAccount, type Permission } from './permissions';

export type ReadinessStatus = 'ok' | 'attention' | 'unknown' | 'manual';

export interface ReadinessCheck {
  /** root-mfa, root-access-keys, alternate-contact-billing|operations|security, contact-information, organization, pending-invitations, payment-method, provider-access */
  readonly id: string;
  readonly status: ReadinessStatus;
  readonly detail: string;
}

/** The reads readiness makes: the root user's summary and invitations (authorized on "*" only), and this account's contacts. */
export const READINESS_PERMISSIONS: readonly Permission[] = [
  readAccount(['iam:GetAccountSummary', 'organizations:ListHandshakesForAccount']),
  {
    sid: 'ReadThisAccount',
    actions: ['account:GetAlternateContact', 'account:GetContactInformation'],
    resources: ['arn:{partition}:account::{account}:account'],
    reason: 'Readiness and discovery read this account only (contacts, enabled regions).',
  },
];

const check = (id: string, status: ReadinessStatus, detail: string): ReadinessCheck => ({ id, status, detail });
/** A failed read: `NotFound` answers `notFound`, anything else is `unknown` with the error. */
const failed = (id: string, notFound?: ReadinessCheck) => (error: unknown) =>
  errorName(error) === 'ResourceNotFoundException' && notFound ? notFound : check(id, 'unknown', `${errorName(error)}: ${(error as Error).message}`);

/** An organization is allowed when its id or its management account id is in `allowedOrganizations`. */
export const allowed = (config: DepartureConfig, ...ids: string[]) => ids.some((id) => config.allowedOrganizations.includes(id));

/** The provider's domain an address or text names (case-insensitive; subdomains count), if any. */
const providerDomain = (config: DepartureConfig, text: unknown) =>
  config.providerEmailDomains.find((domain) => new RegExp(`(^|[@./])${domain.replace(/\./g, '\\.')}($|[/:])`, 'i').test(String(text)));

export async function checkReadiness(clients: AwsClients, config: DepartureConfig, organization: OrganizationStatus, actions: readonly Action[]): Promise<ReadinessCheck[]> {
  const root = clients.iam.send(new GetAccountSummaryCommand({})).then(
    ({ SummaryMap: map = {} }) => [
      check('root-mfa', map.AccountMFAEnabled ? 'ok' : 'attention', map.AccountMFAEnabled ? 'enabled' : 'not enabled'),
      check('root-access-keys', map.AccountAccessKeysPresent ? 'attention' : 'ok', map.AccountAccessKeysPresent ? 'present' : 'none'),
    ],
    (error) => ['root-mfa', 'root-access-keys'].map((id) => failed(id)(error)),
  );
  const contacts = ['BILLING', 'OPERATIONS', 'SECURITY'].map((type) => {
    const id = `alternate-contact-${type.toLowerCase()}`;
    return clients.account.send('GetAlternateContact', { AlternateContactType: type }).then(({ AlternateContact: contact = {} }) => {
      const { Name, EmailAddress } = contact as Record<string, string>;
      const domain = providerDomain(config, EmailAddress);
      return check(id, domain ? 'attention' : 'ok', `${Name} <${EmailAddress}>${domain ? `: the provider (${domain})` : ''}`);
    }, failed(id, check(id, 'attention', 'not set')));
  });
  const information = clients.account.send('GetContactInformation').then(({ ContactInformation: info = {} }) => {
    const named = Object.entries(info as Record<string, string>).filter(([, value]) => providerDomain(config, value));
    return named.length
      ? check('contact-information', 'attention', `names the provider: ${named.map(([field, value]) => `${field} ${value}`).join(', ')}`)
      : check('contact-information', 'ok', 'no provider domain');
  }, failed('contact-information', check('contact-information', 'attention', 'not set')));
  const invitations = listInvitations(clients).then((handshakes) => {
    const origins = handshakes.map((handshake) => ({ handshake, ...invitationOrigin(handshake) }));
    const foreign = origins.some((o) => !allowed(config, o.organizationId, o.managementAccountId));
    const text = origins.map((o) => `${o.handshake.Id} from ${o.organizationId} (management account ${o.managementAccountId})`).join('; ');
    return check('pending-invitations', foreign ? 'attention' : 'ok', text ? `${text}${foreign ? ': not all from allowedOrganizations' : ''}` : 'none');
  }, failed('pending-invitations'));
  return [
    ...(await root),
    ...(await Promise.all(contacts)),
    await information,
    organizationCheck(organization, config),
    await invitations,
    check('payment-method', 'manual', 'no API shows it'),
    providerAccess(actions),
  ];
}

export function organizationCheck(organization: OrganizationStatus, config: DepartureConfig): ReadinessCheck {
  if (organization.status === 'standalone') return check('organization', 'ok', 'standalone');
  if (organization.status === 'unknown') return check('organization', 'unknown', organization.error);
  const ok = allowed(config, organization.id, organization.managementAccountId);
  return check('organization', ok ? 'ok' : 'attention', `member of ${organization.id} (management account ${organization.managementAccountId}), ${ok ? 'allowed' : 'not in allowedOrganizations'}`);
}

/** An invitation's organization and management account, from its ARN (`...::<management>:handshake/<o-id>/invite/<h-id>`). */
export function invitationOrigin(handshake: Handshake): { organizationId: string; managementAccountId: string } {
  const [, managementAccountId = '', organizationId = ''] = /::(\d+):handshake\/([^/]+)/.exec(handshake.Arn ?? '') ?? [];
  return { organizationId, managementAccountId };
}

/** Invitations to join an organization that this account can still accept. */
export async function listInvitations(clients: AwsClients): Promise<Handshake[]> {
  const invitations: Handshake[] = [];
  for await (const page of paginateListHandshakesForAccount({ client: clients.organizations }, { Filter: { ActionType: 'INVITE' } })) {
    invitations.push(...(page.Handshakes ?? []).filter((h) => h.State === 'OPEN' || h.State === 'REQUESTED'));
  }
  return invitations;
}

/** What the plan still finds of the provider; after apply, what did not get done. */
export function providerAccess(actions: readonly Action[]): ReadinessCheck {
  const count = (decision: Action['action']) => actions.filter((a) => a.action === decision && (decision !== 'delete' || a.status !== 'done')).length;
  const left = count('delete');
  return check('provider-access', left ? 'attention' : 'ok', `${left} to delete, ${count('preserve')} kept, ${count('flag')} flagged, ${count('skip')} skipped`);
}
