/**
 * `ctl-departure ticket`: the support ticket the provider's departure runbook asks for, as text ready to paste.
 * Every field the reports and their readiness checks can answer is filled in (the departing account ids, root MFA,
 * the organization of each account, whether CAM stays, what is flagged, failed or needs attention); the fields only
 * the customer knows come from the config's `ticket` object, so a rerun keeps them, and are otherwise left as
 * clear blanks.
 */
import { ConfigError, type DepartureConfig, type TicketSettings } from '../lambda/engine/config';
import type { DepartureReport } from '../lambda/engine/report';

const BLANK = '________';

/** A real calendar date, YYYY-MM-DD. */
export function isDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

const TEXT_KEYS = ['goal', 'representative', 'rootCredentialDelivery', 'specialConsiderations'];
const LIST_KEYS: Readonly<Record<string, RegExp>> = { accountsWithoutRootAccess: /^\d{12}$/, iamUsersNeedingPermission: /^[\w+=,.@-]{1,64}$/ };

/**
 * The config's `ticket` object, checked key by key (the engine only checks that it is an object).
 * @throws ConfigError naming the field and what to write instead.
 */
export function checkTicket(ticket: TicketSettings): TicketSettings {
  for (const [key, value] of Object.entries(ticket)) {
    const field = `ticket.${key}`;
    if (TEXT_KEYS.includes(key)) {
      if (typeof value !== 'string' || value.length > 2000) throw new ConfigError(field, 'must be text of at most 2000 characters');
    } else if (key === 'targetDate') {
      if (typeof value !== 'string' || !isDate(value)) throw new ConfigError(field, `must be a date such as "2027-01-31", not ${JSON.stringify(value)}`);
    } else if (key === 'removedBy') {
      if (value !== 'provider' && value !== 'customer') throw new ConfigError(field, `must be "provider" or "customer", not ${JSON.stringify(value)}`);
    } else if (key in LIST_KEYS) {
      if (!Array.isArray(value)) throw new ConfigError(field, 'must be a JSON array of strings');
      const bad = value.find((entry) => typeof entry !== 'string' || !LIST_KEYS[key]!.test(entry));
      if (bad !== undefined) throw new ConfigError(field, `${JSON.stringify(bad)} is not ${key === 'accountsWithoutRootAccess' ? 'a 12-digit account id' : 'an IAM user name'}`);
    } else {
      throw new ConfigError(field, `unknown key; the known keys are ${[...TEXT_KEYS, 'targetDate', 'removedBy', ...Object.keys(LIST_KEYS)].join(', ')}`);
    }
  }
  return ticket;
}

const status = (report: DepartureReport, id: string) => report.readiness?.find((check) => check.id === id);

/** The ticket's text for the accounts whose reports are given (one report per account). */
export function buildTicket(reports: readonly DepartureReport[], config: DepartureConfig, targetDate?: string): string {
  const ticket = config.ticket;
  const accounts = [...reports].sort((a, b) => a.accountId.localeCompare(b.accountId));
  const ids = accounts.map((r) => r.accountId);
  const noMfa = accounts.filter((r) => status(r, 'root-mfa')?.status === 'attention').map((r) => r.accountId);
  const organizations = accounts.map((r) =>
    r.organization.status === 'member' ? `${r.accountId} is in ${r.organization.id} (management account ${r.organization.managementAccountId})` : `${r.accountId} is ${r.organization.status}`,
  );
  const removedBy = ticket.removedBy ?? BLANK;
  const considerations = accounts.flatMap((r) => {
    const open = (r.readiness ?? []).filter((c) => c.status === 'attention').map((c) => c.id);
    const parts = [
      r.summary.failed ? `${r.summary.failed} failed` : '',
      r.summary.flag ? `${r.summary.flag} flagged for review` : '',
      open.length ? `needs attention: ${open.join(', ')}` : '',
    ].filter(Boolean);
    return parts.length ? [`   - ${r.accountId} (${r.mode}): ${parts.join('; ')}`] : [];
  });
  const camNames = config.camPolicyNames.join(', ');
  const lines = [
    'To: the CAM cloud integration group (CAM_CloudIntegration)',
    `Subject: Departure of ${ids.length} AWS account${ids.length === 1 ? '' : 's'} from CenturyLink/Lumen Cloud Application Manager`,
    '',
    `1. Goal: ${ticket.goal ?? 'leave the managed service: the provider access is removed from the accounts below, their root accounts come back to us, and they leave the provider organization'}`,
    `2. Target date: ${targetDate ?? ticket.targetDate ?? `${BLANK} (YYYY-MM-DD)`}`,
    `3. Account representative: ${ticket.representative ?? BLANK}`,
    `4. Departing AWS account ids: ${ids.join(', ')}`,
    `5. Account ids without root access: ${ticket.accountsWithoutRootAccess?.join(', ') ?? BLANK}${noMfa.length ? ` (root MFA is off in ${noMfa.join(', ')})` : ''}`,
    `6. Secure method to deliver the root credentials: ${ticket.rootCredentialDelivery ?? BLANK}`,
    `7. Who removes the member accounts from the provider organization: ${removedBy}`,
    ...(ticket.removedBy === 'provider' ? [] : [`   If we do: IAM users who need the permission to leave: ${ticket.iamUsersNeedingPermission?.join(', ') ?? BLANK}`]),
    ...organizations.map((line) => `   - ${line}`),
    `8. We keep using CAM for application lifecycle management: ${config.keepCamProvider ? `yes (the CAM provider policy ${camNames} and its roles stay; their Optimization tags go)` : 'no (the CAM provider is removed too)'}`,
    `9. Special considerations: ${ticket.specialConsiderations ?? (considerations.length ? '' : 'none')}`,
    ...considerations,
  ];
  return lines.join('\n');
}
