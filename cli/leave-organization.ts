/**
 * `ctl-departure leave-organization [--accept-invitation ID] [--yes]`: the member account leaves its organization
 * (organizations:LeaveOrganization, which only the member itself can call), after the readiness checks leaving
 * depends on, and with `--accept-invitation` then joins the customer's own organization (AcceptHandshake, only from
 * one in allowedOrganizations). Everything that can be refused before a change is refused first; AWS's own refusals
 * each get one line saying what to do. CLI only: the stack's role may neither leave nor accept.
 */
import { AcceptHandshakeCommand, LeaveOrganizationCommand, type Handshake } from '@aws-sdk/client-organizations';
import { describeError } from '../lambda/engine/apply';
import { errorName, type AwsClients } from '../lambda/engine/aws';
import type { DepartureConfig } from '../lambda/engine/config';
import { callerIdentity, organizationStatus } from '../lambda/engine/discover';
import { allowed, checkReadiness, invitationOrigin, listInvitations } from '../lambda/engine/readiness';
import { adviceFor } from './readiness';

export interface LeaveOptions {
  /** A pending invitation (handshake id) to accept once the account is standalone. */
  readonly acceptInvitation?: string;
  /** Skip the typed confirmation. */
  readonly yes: boolean;
}

/** Where the confirmation is asked: a terminal, or nothing to ask on. */
export interface Terminal {
  readonly isTTY: boolean;
  /** Shows the question and answers the line typed. */
  ask(question: string): Promise<string>;
}

export interface LeaveIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** What to do for each reason AWS gives when it refuses LeaveOrganization (botocore ConstraintViolationExceptionReason). */
const LEAVE_REASONS: Readonly<Record<string, string>> = {
  MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED: 'the account has no payment method: sign in as root, add one (Billing > Payment preferences), then run leave-organization again',
  INVALID_PAYMENT_INSTRUMENT: 'the payment method of the account is not one AWS supports: sign in as root, add a supported one, then run leave-organization again',
  ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION: 'the account needs phone verification to stand alone: sign in as root, verify the phone number (Account > Contact information), then run leave-organization again',
  ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA: 'the account has not accepted the AWS Customer Agreement: sign in as root, complete the standalone sign-up steps (agreement, support plan, contact information, payment method), then run leave-organization again',
  ACCOUNT_CANNOT_LEAVE_ORGANIZATION: 'this is the management account: it cannot leave; remove the member accounts, then delete the organization',
  WAIT_PERIOD_ACTIVE: 'the account was created in the organization too recently (AWS: at least four days; invited accounts do not wait): run leave-organization again later',
  CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG: 'the account is a delegated administrator of the organization: have its management account deregister it, then run leave-organization again',
};

/** What to do for each reason AWS gives when it refuses AcceptHandshake (HandshakeConstraintViolationExceptionReason). */
const ACCEPT_REASONS: Readonly<Record<string, string>> = {
  ALREADY_IN_AN_ORGANIZATION: 'the account is still in an organization: leave it first',
  PAYMENT_INSTRUMENT_REQUIRED: 'the account needs a payment method to join: sign in as root and add one, then accept again',
  ACCOUNT_NUMBER_LIMIT_EXCEEDED: 'the inviting organization has no room for another account: ask its management account to raise the limit',
  ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED: 'too many membership changes recently: accept again later',
  ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD: 'the inviting organization has another AWS seller of record: it cannot hold this account',
  HANDSHAKE_RATE_LIMIT_EXCEEDED: 'too many invitations recently: accept again later',
};

/** One line for a refused LeaveOrganization. */
export function leaveRefusal(error: unknown, accountId: string): string {
  const name = errorName(error);
  const reason = (error as { Reason?: string }).Reason;
  const prefix = `LeaveOrganization refused for account ${accountId}`;
  if (name === 'ConstraintViolationException' && reason && LEAVE_REASONS[reason]) return `${prefix} (${reason}): ${LEAVE_REASONS[reason]}`;
  if (name === 'MasterCannotLeaveOrganizationException') return `${prefix} (${name}): ${LEAVE_REASONS.ACCOUNT_CANNOT_LEAVE_ORGANIZATION}`;
  if (name === 'AWSOrganizationsNotInUseException') return `${prefix} (${name}): the account is in no organization; nothing to leave`;
  if (/AccessDenied/.test(name)) {
    return `${prefix} (${name}): denied, most likely by the provider (a service control policy of its organization, or CTLCustomerPolicy, denies organizations:LeaveOrganization); ask the provider to remove the account from its management account (RemoveAccountFromOrganization), or to lift the deny for the IAM users named in the ticket`;
  }
  if (name === 'ConcurrentModificationException' || name === 'TooManyRequestsException') return `${prefix} (${name}): AWS is busy with this account or organization; run leave-organization again in a minute`;
  return `${prefix}: ${describeError(error)}${reason ? ` (reason ${reason})` : ''}`;
}

/** One line for a refused AcceptHandshake. */
export function acceptRefusal(error: unknown, handshakeId: string): string {
  const name = errorName(error);
  const reason = (error as { Reason?: string }).Reason;
  const prefix = `AcceptHandshake ${handshakeId} refused`;
  if (name === 'HandshakeConstraintViolationException' && reason) return `${prefix} (${reason}): ${ACCEPT_REASONS[reason] ?? 'see the Organizations API reference for this reason'}`;
  if (name === 'HandshakeNotFoundException') return `${prefix} (${name}): no such invitation for this account; ctl-departure readiness lists the pending ones`;
  if (name === 'HandshakeAlreadyInStateException') return `${prefix} (${name}): it was accepted already`;
  if (name === 'InvalidHandshakeTransitionException') return `${prefix} (${name}): it is no longer open (canceled, declined or expired); ask the organization for a new invitation`;
  return `${prefix}: ${describeError(error)}`;
}

/** Runs the command; answers its exit code (0 done or nothing to do, 1 refused or failed, 2 bad usage). */
export async function leaveOrganization(clients: AwsClients, config: DepartureConfig, options: LeaveOptions, io: LeaveIo, terminal: Terminal): Promise<number> {
  const { accountId } = await callerIdentity(clients.sts);
  const organization = await organizationStatus(clients.organizations);
  if (organization.status === 'unknown') {
    io.err(`ctl-departure: cannot tell whether account ${accountId} is in an organization (${organization.error}); nothing changed`);
    return 1;
  }

  // The invitation is checked before anything changes: leaving and then failing to join would strand the account.
  let invitation: Handshake | undefined;
  if (options.acceptInvitation) {
    invitation = (await listInvitations(clients)).find((h) => h.Id === options.acceptInvitation);
    if (!invitation) {
      io.err(`ctl-departure: invitation ${options.acceptInvitation} is not pending for account ${accountId} (ctl-departure readiness lists the pending ones); nothing changed`);
      return 1;
    }
    const origin = invitationOrigin(invitation);
    if (!allowed(config, origin.organizationId, origin.managementAccountId)) {
      io.err(`ctl-departure: invitation ${invitation.Id} is from ${origin.organizationId} (management account ${origin.managementAccountId}), which allowedOrganizations does not list: add it to the config to accept it; nothing changed`);
      return 2;
    }
  }

  if (organization.status === 'member') {
    const which = `organization ${organization.id} (management account ${organization.managementAccountId})`;
    if (organization.managementAccountId === accountId) {
      io.err(`ctl-departure: account ${accountId} is the management account of ${which}: ${LEAVE_REASONS.ACCOUNT_CANNOT_LEAVE_ORGANIZATION}; nothing changed`);
      return 1;
    }
    if (allowed(config, organization.id, organization.managementAccountId)) {
      io.out(`account ${accountId} is in ${which}, which allowedOrganizations lists: not leaving it`);
      return 0;
    }
    // What leaving depends on: the root user the account falls back on, its contact information, its payment method.
    const checks = (await checkReadiness(clients, config, organization, [])).filter((c) => ['root-mfa', 'contact-information', 'payment-method'].includes(c.id));
    for (const check of checks.filter((c) => c.status !== 'ok')) io.out(`before leaving: ${check.id} ${check.status}: ${check.detail} -> ${adviceFor(check) ?? ''}`);

    if (!options.yes) {
      if (!terminal.isTTY) {
        io.err('ctl-departure: leave-organization asks for the account id on a terminal; run it on one, or pass --yes');
        return 2;
      }
      const typed = (await terminal.ask(`Account ${accountId} leaves ${which}. Type the account id to confirm: `)).trim();
      if (typed !== accountId) {
        io.err(`ctl-departure: "${typed}" is not ${accountId}: not confirmed; nothing changed`);
        return 1;
      }
    }
    try {
      await clients.organizations.send(new LeaveOrganizationCommand({}));
    } catch (error) {
      io.err(`ctl-departure: ${leaveRefusal(error, accountId)}`);
      return 1;
    }
    io.out(`account ${accountId} left ${which}: it is standalone now, and pays AWS for its own usage from now on`);
  } else {
    io.out(`account ${accountId} is standalone: nothing to leave`);
  }

  if (!invitation) return 0;
  try {
    await clients.organizations.send(new AcceptHandshakeCommand({ HandshakeId: invitation.Id }));
  } catch (error) {
    io.err(`ctl-departure: ${acceptRefusal(error, invitation.Id!)}`);
    return 1;
  }
  const origin = invitationOrigin(invitation);
  io.out(`account ${accountId} joined organization ${origin.organizationId} (management account ${origin.managementAccountId})`);
  return 0;
}
