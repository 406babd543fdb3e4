/** The shared policy rewrite (provider buckets and the sweep) is pure: the provider's grants go, everything else stays as it was. */
import { providerAccounts, rewritePolicy } from '../lambda/engine/policy-rewrite';

const PROVIDER = '589942003651';
const rewriteBucketPolicy = (text: string | undefined, accounts: string[]) => rewritePolicy(text, providerAccounts(accounts));
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Id: 'kept-id', Statement });
const providerRead = { Sid: 'ProviderRead', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PROVIDER}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const configDelivery = { Sid: 'ConfigWrite', Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/AWSLogs/*', Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } };
const denyInsecure = { Sid: 'DenyInsecure', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };

test('a statement for the provider goes; the others stay exactly as they were, in order', () => {
  const rewrite = rewriteBucketPolicy(policy(configDelivery, providerRead, denyInsecure), [PROVIDER]);
  expect(rewrite.removed).toEqual([`statement ProviderRead for arn:aws:iam::${PROVIDER}:root`]);
  expect(JSON.parse(rewrite.policy!)).toEqual({ Version: '2012-10-17', Id: 'kept-id', Statement: [configDelivery, denyInsecure] });
  expect(rewrite.deliveries).toEqual(['config.amazonaws.com (s3:PutObject)']);
});

test('a statement shared with another account keeps the other account', () => {
  const shared = { ...providerRead, Sid: 'Shared', Principal: { AWS: [PROVIDER, 'arn:aws:iam::444455556666:role/auditor'] } };
  const rewrite = rewriteBucketPolicy(policy(shared), [PROVIDER]);
  expect(rewrite.removed).toEqual([`${PROVIDER} from statement Shared`]);
  expect(JSON.parse(rewrite.policy!).Statement).toEqual([{ ...shared, Principal: { AWS: 'arn:aws:iam::444455556666:role/auditor' } }]);
});

test('nothing left means the policy is deleted; nothing to remove means no change', () => {
  expect(rewriteBucketPolicy(policy(providerRead), [PROVIDER]).policy).toBeNull();
  expect(rewriteBucketPolicy(policy(configDelivery, denyInsecure), [PROVIDER])).toEqual({ removed: [], changes: [], deliveries: ['config.amazonaws.com (s3:PutObject)'] });
  expect(rewriteBucketPolicy(undefined, [PROVIDER])).toEqual({ removed: [], changes: [], deliveries: [] });
  // A Deny naming the provider only narrows access: it stays.
  const denyProvider = { ...providerRead, Effect: 'Deny' };
  expect(rewriteBucketPolicy(policy(denyProvider), [PROVIDER]).policy).toBeUndefined();
});

test('a deleted principal (a unique id, no account) is dropped from an Allow statement like the provider', () => {
  const deleted = { ...providerRead, Sid: 'Old', Principal: { AWS: ['AROADBQP57FF2AEXAMPLE', 'arn:aws:iam::444455556666:role/auditor'] } };
  const rewrite = rewriteBucketPolicy(policy(deleted, { ...providerRead, Sid: 'Gone', Principal: { AWS: 'AIDACKCEVSQ6C2EXAMPLE' } }), [PROVIDER]);
  expect(rewrite.removed).toEqual(['AROADBQP57FF2AEXAMPLE from statement Old', 'statement Gone for AIDACKCEVSQ6C2EXAMPLE']);
  expect(JSON.parse(rewrite.policy!).Statement).toEqual([{ ...deleted, Principal: { AWS: 'arn:aws:iam::444455556666:role/auditor' } }]);
});
