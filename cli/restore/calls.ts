/**
 * The calls a restore may make, each with the IAM actions it needs: only these can run, so a restore plan can never
 * make the CLI do anything this file does not name. Kept apart from the engine's table (lambda/engine/calls.ts),
 * which the Lambda carries: the stack never creates anything.
 */
import * as iam from '@aws-sdk/client-iam';
import * as s3 from '@aws-sdk/client-s3';
import type { AwsClients } from '../../lambda/engine/aws';
import type { Service, Step } from '../../lambda/engine/model';

type CommandClass = new (input: never) => unknown;

interface Call {
  readonly command: CommandClass;
  /** What IAM authorizes it as (a tagged create needs the tag action too; AddRoleToInstanceProfile passes the role). */
  readonly actions: readonly string[];
}

const call = (command: unknown, ...actions: string[]): Call => ({ command: command as CommandClass, actions });

export const RESTORE_CALLS: { readonly [S in 'iam' | 's3']: Readonly<Record<string, Call>> } = {
  iam: {
    CreateSAMLProvider: call(iam.CreateSAMLProviderCommand, 'iam:CreateSAMLProvider', 'iam:TagSAMLProvider'),
    TagSAMLProvider: call(iam.TagSAMLProviderCommand, 'iam:TagSAMLProvider'),
    CreateOpenIDConnectProvider: call(iam.CreateOpenIDConnectProviderCommand, 'iam:CreateOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider'),
    TagOpenIDConnectProvider: call(iam.TagOpenIDConnectProviderCommand, 'iam:TagOpenIDConnectProvider'),
    CreatePolicy: call(iam.CreatePolicyCommand, 'iam:CreatePolicy', 'iam:TagPolicy'),
    CreatePolicyVersion: call(iam.CreatePolicyVersionCommand, 'iam:CreatePolicyVersion'),
    SetDefaultPolicyVersion: call(iam.SetDefaultPolicyVersionCommand, 'iam:SetDefaultPolicyVersion'),
    TagPolicy: call(iam.TagPolicyCommand, 'iam:TagPolicy'),
    CreateGroup: call(iam.CreateGroupCommand, 'iam:CreateGroup'),
    PutGroupPolicy: call(iam.PutGroupPolicyCommand, 'iam:PutGroupPolicy'),
    AttachGroupPolicy: call(iam.AttachGroupPolicyCommand, 'iam:AttachGroupPolicy'),
    CreateUser: call(iam.CreateUserCommand, 'iam:CreateUser', 'iam:TagUser', 'iam:PutUserPermissionsBoundary'),
    PutUserPolicy: call(iam.PutUserPolicyCommand, 'iam:PutUserPolicy'),
    AttachUserPolicy: call(iam.AttachUserPolicyCommand, 'iam:AttachUserPolicy'),
    TagUser: call(iam.TagUserCommand, 'iam:TagUser'),
    AddUserToGroup: call(iam.AddUserToGroupCommand, 'iam:AddUserToGroup'),
    CreateRole: call(iam.CreateRoleCommand, 'iam:CreateRole', 'iam:TagRole', 'iam:PutRolePermissionsBoundary'),
    PutRolePolicy: call(iam.PutRolePolicyCommand, 'iam:PutRolePolicy'),
    AttachRolePolicy: call(iam.AttachRolePolicyCommand, 'iam:AttachRolePolicy'),
    TagRole: call(iam.TagRoleCommand, 'iam:TagRole'),
    CreateInstanceProfile: call(iam.CreateInstanceProfileCommand, 'iam:CreateInstanceProfile', 'iam:TagInstanceProfile'),
    TagInstanceProfile: call(iam.TagInstanceProfileCommand, 'iam:TagInstanceProfile'),
    AddRoleToInstanceProfile: call(iam.AddRoleToInstanceProfileCommand, 'iam:AddRoleToInstanceProfile', 'iam:PassRole'),
  },
  s3: {
    PutBucketPolicy: call(s3.PutBucketPolicyCommand, 's3:PutBucketPolicy'),
    DeleteBucketPolicy: call(s3.DeleteBucketPolicyCommand, 's3:DeleteBucketPolicy'),
    PutPublicAccessBlock: call(s3.PutPublicAccessBlockCommand, 's3:PutBucketPublicAccessBlock'),
    DeletePublicAccessBlock: call(s3.DeletePublicAccessBlockCommand, 's3:PutBucketPublicAccessBlock'),
    PutBucketEncryption: call(s3.PutBucketEncryptionCommand, 's3:PutEncryptionConfiguration'),
    DeleteBucketEncryption: call(s3.DeleteBucketEncryptionCommand, 's3:PutEncryptionConfiguration'),
    PutBucketTagging: call(s3.PutBucketTaggingCommand, 's3:PutBucketTagging'),
    DeleteBucketTagging: call(s3.DeleteBucketTaggingCommand, 's3:PutBucketTagging'),
    PutBucketLifecycleConfiguration: call(s3.PutBucketLifecycleConfigurationCommand, 's3:PutLifecycleConfiguration'),
    DeleteBucketLifecycle: call(s3.DeleteBucketLifecycleCommand, 's3:PutLifecycleConfiguration'),
  },
};

/** The reads restore makes before planning (state.ts), as IAM authorizes them. */
export const RESTORE_READS: readonly string[] = [
  'sts:GetCallerIdentity',
  'iam:GetAccountAuthorizationDetails',
  'iam:GetRole',
  'iam:ListPolicyTags',
  'iam:ListInstanceProfiles',
  'iam:GetInstanceProfile',
  'iam:ListSAMLProviders',
  'iam:GetSAMLProvider',
  'iam:ListOpenIDConnectProviders',
  'iam:GetOpenIDConnectProvider',
  's3:ListBucket',
  's3:GetBucketPolicy',
  's3:GetLifecycleConfiguration',
  's3:GetBucketTagging',
  's3:GetBucketPublicAccessBlock',
  's3:GetEncryptionConfiguration',
];

/** Every IAM action a restore may need, reads and calls, once each: what the README lists for the caller. */
export function restorePermissions(): string[] {
  return [...new Set([...RESTORE_READS, ...Object.values(RESTORE_CALLS).flatMap((calls) => Object.values(calls).flatMap((c) => c.actions))])];
}

export async function runRestoreStep(clients: AwsClients, planned: Step): Promise<void> {
  const found = (RESTORE_CALLS as Partial<Record<Service, Readonly<Record<string, Call>>>>)[planned.service]?.[planned.call];
  if (!found) throw new Error(`restore has no ${planned.service}:${planned.call} call`);
  const client = clients[planned.service as 'iam' | 's3'] as unknown as { send(command: unknown): Promise<unknown> };
  await client.send(new found.command(planned.input as never));
}
