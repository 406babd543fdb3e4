/**
 * Lambda function policies (the permissions AddPermission gave: who may invoke) and layer version policies.
 * - Found by: ListFunctions, GetPolicy (the unqualified function's; aliases and versions have policies of their own,
 *   not read); ListLayers, ListLayerVersions, GetLayerVersionPolicy.
 * - Removed by: RemovePermission / RemoveLayerVersionPermission of each provider statement, by its Sid (Lambda
 *   changes its policies one whole statement at a time). A statement that also lets in others is flagged instead.
 */
import {
  GetLayerVersionPolicyCommand,
  GetPolicyCommand,
  LambdaClient,
  paginateListFunctions,
  paginateListLayers,
  paginateListLayerVersions,
} from '@aws-sdk/client-lambda';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../engine/concurrency';
import type { PolicyHolder } from '../engine/inventory';
import { bySid, policyReview, readPolicy, regionalStep, sweepKind, unreadable } from './resource-policy';

const NO_POLICY = /^ResourceNotFoundException$/;

export const LambdaFunctionPolicy = sweepKind({
  type: 'lambda:function-policy',
  service: 'lambda',
  async find(clients, region) {
    const lambda = clients.clientFor(LambdaClient, region);
    const functions: { name: string; arn: string }[] = [];
    for await (const page of paginateListFunctions({ client: lambda }, {})) functions.push(...(page.Functions ?? []).map((f) => ({ name: f.FunctionName!, arn: f.FunctionArn! })));
    const holders = await mapBounded(functions, DISCOVERY_CONCURRENCY, async ({ name, arn }): Promise<PolicyHolder | undefined> => {
      const { policy, error } = await readPolicy(async () => (await lambda.send(new GetPolicyCommand({ FunctionName: arn }))).Policy, NO_POLICY);
      if (error) return unreadable('lambda:function-policy', region, name, arn, error);
      return policy ? { type: 'lambda:function-policy', region, name, arn, policy } : undefined;
    });
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees) =>
    policyReview(holder, grantees, (rewrite) => bySid(rewrite, (StatementId) => regionalStep('RemovePermission', { FunctionName: holder.arn, StatementId }, 'lambda', holder.region))),
  permissions: [
    { sid: 'SweepListFunctions', actions: ['lambda:ListFunctions'], resources: ['*'], reason: 'ListFunctions is authorized on "*" only.' },
    { sid: 'SweepReadFunctionPolicies', actions: ['lambda:GetPolicy'], resources: ['arn:{partition}:lambda:*:{account}:function:*'], reason: 'Every function of this account, in every region, is reviewed.' },
    {
      sid: 'SweepRemoveFunctionPermissions',
      actions: ['lambda:RemovePermission'],
      resources: ['arn:{partition}:lambda:*:{account}:function:*'],
      reason: 'A function granting the provider is found by its policy, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});

export const LambdaLayerPolicy = sweepKind({
  type: 'lambda:layer-policy',
  service: 'lambda',
  async find(clients, region) {
    const lambda = clients.clientFor(LambdaClient, region);
    const layers: string[] = [];
    for await (const page of paginateListLayers({ client: lambda }, {})) layers.push(...(page.Layers ?? []).map((l) => l.LayerName!));
    const versions: { layer: string; version: number; arn: string }[] = [];
    for (const layer of layers) {
      for await (const page of paginateListLayerVersions({ client: lambda }, { LayerName: layer })) {
        versions.push(...(page.LayerVersions ?? []).map((v) => ({ layer, version: v.Version!, arn: v.LayerVersionArn! })));
      }
    }
    const holders = await mapBounded(versions, DISCOVERY_CONCURRENCY, async ({ layer, version, arn }): Promise<PolicyHolder | undefined> => {
      const name = `${layer}:${version}`;
      const { policy, error } = await readPolicy(async () => (await lambda.send(new GetLayerVersionPolicyCommand({ LayerName: layer, VersionNumber: version }))).Policy, NO_POLICY);
      if (error) return unreadable('lambda:layer-policy', region, name, arn, error);
      return policy ? { type: 'lambda:layer-policy', region, name, arn, policy, ref: { LayerName: layer, VersionNumber: version } } : undefined;
    });
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees) =>
    policyReview(holder, grantees, (rewrite) =>
      bySid(rewrite, (StatementId) => regionalStep('RemoveLayerVersionPermission', { LayerName: holder.ref!.LayerName, VersionNumber: holder.ref!.VersionNumber, StatementId }, 'lambda', holder.region)),
    ),
  permissions: [
    { sid: 'SweepListLayers', actions: ['lambda:ListLayers', 'lambda:ListLayerVersions'], resources: ['*'], reason: 'ListLayers and ListLayerVersions are authorized on "*" only.' },
    { sid: 'SweepReadLayerPolicies', actions: ['lambda:GetLayerVersionPolicy'], resources: ['arn:{partition}:lambda:*:{account}:layer:*:*'], reason: 'Every layer version of this account, in every region, is reviewed.' },
    {
      sid: 'SweepRemoveLayerPermissions',
      actions: ['lambda:RemoveLayerVersionPermission'],
      resources: ['arn:{partition}:lambda:*:{account}:layer:*:*'],
      reason: 'A layer granting the provider is found by its policy, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
