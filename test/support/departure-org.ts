/**
 * Organizations for the readiness, leaving and ticket tests, in strict moto: the provider's organization (managed
 * from the default account), member accounts with their own credentials, a customer organization in another
 * account, and the account "standing" that no API sets (strict_moto.py, /strict-moto/account-standing).
 */
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { AccountClient } from '../../lambda/engine/account-api';
import type { MotoServer } from './moto';

export const PROVIDER_MANAGEMENT = '123456789012';
export const CUSTOMER_MANAGEMENT = '222233334444';

const TESTING = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** An Organizations client of the default account, or of `accountId` (moto's x-moto-account-id header). */
export function organizationsAs(server: MotoServer, accountId?: string): OrganizationsClient {
  const client = new OrganizationsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: TESTING });
  if (accountId) {
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = accountId;
        return next(args);
      },
      { step: 'build', name: 'motoAccount' },
    );
  }
  return client;
}

export interface Member {
  readonly accountId: string;
  readonly credentials: Required<Pick<AwsCredentialIdentity, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>>;
}

/** Creates an organization managed by `managementAccountId` (default the provider's) and answers its id. */
export async function createOrganization(server: MotoServer, managementAccountId?: string): Promise<string> {
  return (await organizationsAs(server, managementAccountId).send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!.Id!;
}

/** A member account created in the default account's organization, with credentials of its OrganizationAccountAccessRole. */
export async function createMember(server: MotoServer, name: string): Promise<Member> {
  const created = await organizationsAs(server).send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
  const accountId = created.CreateAccountStatus!.AccountId!;
  const sts = new STSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: TESTING });
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'departure-test' }));
  return { accountId, credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } };
}

/** What no API sets, as strict moto keeps it per account. */
export interface Standing {
  readonly rootMfa?: boolean;
  readonly rootAccessKeys?: boolean;
  readonly paymentMethod?: boolean;
  readonly phoneVerified?: boolean;
  readonly eulaAccepted?: boolean;
  /** Backdates an organization member's creation. */
  readonly createdDaysAgo?: number;
  /** Opt-in statuses of opt-in regions (`{"af-south-1": "ENABLED"}`): the default regions cannot change. */
  readonly regions?: Readonly<Record<string, 'ENABLED' | 'ENABLING' | 'DISABLING' | 'DISABLED'>>;
}

export async function setStanding(server: MotoServer, accountId: string, standing: Standing): Promise<void> {
  const response = await fetch(`${server.endpoint}/strict-moto/account-standing`, { method: 'POST', body: JSON.stringify({ accountId, ...standing }) });
  const text = await response.text();
  if (!response.ok) throw new Error(`account-standing answered ${response.status}: ${text}`);
}

/** Everything a standalone account has, for a member that should be able to leave. */
export const READY_TO_STAND_ALONE: Standing = { paymentMethod: true, phoneVerified: true, eulaAccepted: true, createdDaysAgo: 30 };

/** The Account API as `credentials` (the default account when omitted). */
export function accountApi(server: MotoServer, credentials: AwsCredentialIdentity = TESTING): AccountClient {
  const signing = new STSClient({ region: 'us-east-1', credentials });
  return new AccountClient(() => signing.config.signer(), server.endpoint);
}

/** Runs `work` with the standard AWS environment set to a member's credentials, as the CLI would have them. */
export async function asMember<T>(member: Member | undefined, work: () => Promise<T>): Promise<T> {
  if (!member) return work();
  const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
  const saved = keys.map((key) => process.env[key]);
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: member.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: member.credentials.secretAccessKey, AWS_SESSION_TOKEN: member.credentials.sessionToken });
  try {
    return await work();
  } finally {
    keys.forEach((key, i) => (saved[i] === undefined ? delete process.env[key] : (process.env[key] = saved[i])));
  }
}
