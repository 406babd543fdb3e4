/**
 * Pieces of a local rehearsal: synthesize the app, deploy its template to moto's CloudFormation, and drive
 * the custom resource with the handler code exactly as inlined in the template, as CloudFormation would.
 */
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand, type Parameter } from '@aws-sdk/client-cloudformation';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { inlinedCode } from '../lib/engine-pack';

export interface CfnTemplate {
  readonly Parameters?: Record<string, { Default?: string }>;
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
}

/** The one custom resource of the cleanup template. */
export function departureResource(template: CfnTemplate): { logicalId: string; type: string; properties: Record<string, unknown> } {
  const [logicalId, resource] = Object.entries(template.Resources).find(([, r]) => r.Type.startsWith('Custom::'))!;
  return { logicalId, type: resource.Type, properties: resource.Properties ?? {} };
}

/** The Lambda code as CloudFormation writes it to index.js. */
export function inlinedHandlerCode(template: CfnTemplate): string {
  return inlinedCode(template as never);
}

type Handler = (event: CloudFormationCustomResourceEvent, context: Context) => Promise<void>;

/**
 * Loads the inlined code as Lambda would: written to index.js and required. It is placed under the project
 * so that its `require("@aws-sdk/...")` finds the SDK, as the runtime's copy is found in Lambda.
 */
export function loadInlinedHandler(code: string, projectRoot: string): Handler {
  const dir = path.join(projectRoot, '.rehearsal', randomUUID());
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'index.js');
  writeFileSync(file, code);
  return require(file).handler as Handler;
}

/**
 * Resolves Ref, Fn::GetAtt ...Arn, Fn::Join and Fn::If in resource properties the way CloudFormation would before
 * invoking. The stack's only Fn::If picks a conditional resource or "": CloudFormation creates such a resource exactly
 * when its condition holds, so whether the referenced resource exists tells the condition.
 */
export function resolveProperties(properties: Record<string, unknown>, parameters: Record<string, string>, physicalIds: Record<string, string>): Record<string, string> {
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return parameters[object.Ref as string] ?? physicalIds[object.Ref as string]!;
    if ('Fn::GetAtt' in object) return physicalIds[(object['Fn::GetAtt'] as string[])[0]!]!;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if ('Fn::If' in object) {
      const [, whenTrue, whenFalse] = object['Fn::If'] as [string, unknown, unknown];
      const ref = (whenTrue as { Ref?: string }).Ref;
      if (ref === undefined || ref in parameters) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
      return resolve(ref in physicalIds ? whenTrue : whenFalse);
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  };
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, resolve(value)]));
}

/**
 * A loopback proxy in front of moto's custom-resource response endpoint that keeps every answer it forwards.
 * moto finds the stack in the account of the request's access key: `accessKeyFor` names the key to present for
 * a stack in another account (a member of the organization).
 */
export async function answerRecorder(motoEndpoint: string, accessKeyFor: (accountId: string) => string | undefined = () => undefined) {
  const answers: Record<string, unknown>[] = [];
  const server = createServer((incoming, outgoing) => {
    let body = '';
    incoming.on('data', (chunk) => (body += chunk));
    incoming.on('end', () => {
      const answer = JSON.parse(body);
      answers.push(answer);
      const target = new URL(incoming.url!, motoEndpoint);
      const key = accessKeyFor(String(answer.StackId).split(':')[4] ?? '');
      const headers = { 'content-length': Buffer.byteLength(body), ...(key ? { authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261123/us-east-1/cloudformation/aws4_request` } : {}) };
      const forward = httpRequest(target, { method: 'PUT', headers }, (reply) => {
        reply.resume();
        outgoing.writeHead(reply.statusCode ?? 500).end();
      });
      forward.on('error', (error) => outgoing.writeHead(502).end(String(error)));
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    /** The ResponseURL moto would give the function, on the recorder's port. */
    responseUrl: (stackId: string) => `http://127.0.0.1:${port}/cloudformation_us-east-1/cfnresponse?stack=${encodeURIComponent(stackId)}`,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function lambdaContext(timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'rehearsal',
    logGroupName: '/aws/lambda/rehearsal',
    logStreamName: 'local',
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as unknown as Context;
}

/** Runs `work` with the handler's JSON log lines captured instead of printed. */
export async function capturingLogs<T>(work: () => Promise<T>): Promise<{ result: T; records: Record<string, unknown>[] }> {
  const records: Record<string, unknown>[] = [];
  const original = console.log;
  console.log = (line: unknown) => {
    try {
      records.push(JSON.parse(String(line)));
    } catch {
      records.push({ message: String(line) });
    }
  };
  try {
    return { result: await work(), records };
  } finally {
    console.log = original;
  }
}

export async function stackState(cfn: CloudFormationClient, stackName: string) {
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0]!;
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
  return {
    stack,
    physicalIds: Object.fromEntries(resources.map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!])),
    outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!])),
  };
}

export const parameterList = (values: Record<string, string>): Parameter[] =>
  Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

