/**
 * Runs one planned step: the API call it names, with its exact input. Only the calls listed here can run,
 * so a plan can never make the engine do something this file does not name.
 */
import * as cloudtrail from '@aws-sdk/client-cloudtrail';
import * as config from '@aws-sdk/client-config-service';
import * as events from '@aws-sdk/client-eventbridge';
import * as iam from '@aws-sdk/client-iam';
import * as lambda from '@aws-sdk/client-lambda';
import * as s3 from '@aws-sdk/client-s3';
import { copyObjects, emptyBucket, verifyCopy } from './s3-copy';
import { startBatchCopy } from './s3-batch';
import type { AwsClients } from './aws';
import type { Service, Step } from './model';

type CommandClass = new (input: never) => unknown;

const CALLS: { readonly [S in Service]?: Readonly<Record<string, CommandClass>> } = {
  iam: {
    DeactivateMFADevice: iam.DeactivateMFADeviceCommand,
    DeleteAccessKey: iam.DeleteAccessKeyCommand,
    DeleteGroup: iam.DeleteGroupCommand,
    DeleteGroupPolicy: iam.DeleteGroupPolicyCommand,
    DeleteInstanceProfile: iam.DeleteInstanceProfileCommand,
    DeleteLoginProfile: iam.DeleteLoginProfileCommand,
    DeleteOpenIDConnectProvider: iam.DeleteOpenIDConnectProviderCommand,
    DeletePolicy: iam.DeletePolicyCommand,
    DeletePolicyVersion: iam.DeletePolicyVersionCommand,
    DeleteRole: iam.DeleteRoleCommand,
    DeleteRolePolicy: iam.DeleteRolePolicyCommand,
    DeleteSAMLProvider: iam.DeleteSAMLProviderCommand,
    DeleteServiceSpecificCredential: iam.DeleteServiceSpecificCredentialCommand,
    DeleteSigningCertificate: iam.DeleteSigningCertificateCommand,
    DeleteSSHPublicKey: iam.DeleteSSHPublicKeyCommand,
    DeleteUser: iam.DeleteUserCommand,
    DeleteUserPermissionsBoundary: iam.DeleteUserPermissionsBoundaryCommand,
    DeleteUserPolicy: iam.DeleteUserPolicyCommand,
    DeleteVirtualMFADevice: iam.DeleteVirtualMFADeviceCommand,
    DetachGroupPolicy: iam.DetachGroupPolicyCommand,
    DetachRolePolicy: iam.DetachRolePolicyCommand,
    DetachUserPolicy: iam.DetachUserPolicyCommand,
    RemoveRoleFromInstanceProfile: iam.RemoveRoleFromInstanceProfileCommand,
    RemoveUserFromGroup: iam.RemoveUserFromGroupCommand,
    UntagPolicy: iam.UntagPolicyCommand,
    UntagRole: iam.UntagRoleCommand,
    UntagUser: iam.UntagUserCommand,
  },
  lambda: { DeleteFunction: lambda.DeleteFunctionCommand },
  events: { RemoveTargets: events.RemoveTargetsCommand, DeleteRule: events.DeleteRuleCommand },
  config: {
    DeleteRemediationConfiguration: config.DeleteRemediationConfigurationCommand,
    DeleteConfigRule: config.DeleteConfigRuleCommand,
    StopConfigurationRecorder: config.StopConfigurationRecorderCommand,
    DeleteDeliveryChannel: config.DeleteDeliveryChannelCommand,
    DeleteConfigurationRecorder: config.DeleteConfigurationRecorderCommand,
  },
  cloudtrail: { DeleteTrail: cloudtrail.DeleteTrailCommand },
  s3: {
    PutBucketPolicy: s3.PutBucketPolicyCommand,
    DeleteBucketPolicy: s3.DeleteBucketPolicyCommand,
    PutPublicAccessBlock: s3.PutPublicAccessBlockCommand,
    PutBucketEncryption: s3.PutBucketEncryptionCommand,
    PutBucketTagging: s3.PutBucketTaggingCommand,
    PutBucketLifecycleConfiguration: s3.PutBucketLifecycleConfigurationCommand,
    DeleteBucket: s3.DeleteBucketCommand,
  },
} as unknown as { readonly [S in Service]?: Readonly<Record<string, CommandClass>> };

/**
 * Steps that are many S3 calls each (listing, then one call per object or per thousand): named as operations of
 * ours, so the plan stays one line per bucket; each returns a note of what it did.
 */
const COMPOSITE: Readonly<Record<string, (clients: AwsClients, input: never) => Promise<string>>> = {
  's3:CopyObjects': (clients, input) => copyObjects(clients.s3, input),
  's3:VerifyCopy': (clients, input) => verifyCopy(clients.s3, input),
  's3:EmptyBucket': (clients, input) => emptyBucket(clients.s3, input),
  's3:StartBatchCopy': (clients, input) => startBatchCopy(clients, input),
};

/** How apply runs a step: {@link runStep}, or a driver's own that knows more calls (the sweep's, in any region). */
export type StepRunner = (clients: AwsClients, planned: Step) => Promise<string | void>;

/** Runs the step; a composite step returns a note of what it did. */
export async function runStep(clients: AwsClients, planned: Step): Promise<string | void> {
  const composite = COMPOSITE[`${planned.service}:${planned.call}`];
  if (composite) return composite(clients, planned.input as never);
  const Command = CALLS[planned.service]?.[planned.call];
  if (!Command) throw new Error(`the engine has no ${planned.service}:${planned.call} call`);
  // A regional step goes to its region's endpoint, signed for it (the client of the run's region otherwise).
  const client = (planned.region ? clients.inRegion(planned.region) : clients)[planned.service as 'lambda'] as unknown as { send(command: unknown): Promise<unknown> };
  const output = (await client.send(new Command(planned.input as never))) as PartialAnswer | undefined;
  // Some batch calls answer 200 and report entries they could not process (EventBridge RemoveTargets): the step
  // failed, and says which entries and why.
  if (output?.FailedEntryCount) throw new Error(`${planned.call} failed for ${output.FailedEntryCount} of its entries: ${JSON.stringify(output.FailedEntries)}`);
}

type PartialAnswer = { FailedEntryCount?: number; FailedEntries?: unknown[] };
