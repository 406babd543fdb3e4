/**
 * `npm run demo:org [N]`: the rollout rehearsed across accounts with no AWS account. moto holds a management
 * account with an organization and N member accounts (default 3), each seeded as a provider-managed account with
 * variations of its own. The rollout stack's StackSet (self-managed, the model moto implements) is created from
 * the synthesized rollout template; each member's stack instance has its custom resource driven, exactly as in the
 * single-account rehearsal, by the handler code inlined in the template, with that member's credentials. First
 * plan everywhere, then a StackSet parameter change to apply; then the combined report. Exits non-zero if any
 * account ends differently from its plan.
 */
import { CloudFormationClient, CreateStackInstancesCommand, CreateStackSetCommand, ListStacksCommand, UpdateStackSetCommand } from '@aws-sdk/client-cloudformation';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { addChecks } from '../bin/checks';
import { formatCombined, reportsFromBucket } from '../cli/combined-report';
import type { Action } from '../lambda/engine/model';
import type { DepartureReport } from '../lambda/engine/report';
import { synthesizeCleanup } from '../lib/cleanup-template';
import { readSettings } from '../lib/context';
import { inlinedCode } from '../lib/engine-pack';
import { readIamState } from '../test/support/iam-state';
import { motoEnv, startMoto } from '../test/support/moto';
import { PROVIDER_ACCOUNT, seedReferenceAccount, trustPolicy } from '../test/support/reference-account';
import { answerRecorder, capturingLogs, departureResource, lambdaContext, loadInlinedHandler, resolveProperties, stackState } from './rehearsal';

const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const STACK_SET = 'ProviderDepartureRollout-cleanup';
const REPORTS_BUCKET = 'departure-reports-123456789012';

interface Member {
  readonly accountId: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

const problems: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`  ${ok ? '✓' : '✗'} ${what}`);
  if (!ok) problems.push(what);
};

/** Runs `work` with the standard AWS environment set to a member's credentials, as its Lambda would have them. */
async function asMember<T>(member: Member, work: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: member.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: member.credentials.secretAccessKey, AWS_SESSION_TOKEN: member.credentials.sessionToken });
  try {
    return await work();
  } finally {
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

async function main(): Promise<number> {
  const n = Number(process.argv[2] ?? 3);
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`usage: npm run demo:org [N], N members from 1 to 20 (got ${process.argv[2]})`);
  const moto = await startMoto();
  Object.assign(process.env, motoEnv(moto.endpoint), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const members: Member[] = [];
  const recorder = await answerRecorder(moto.endpoint, (account) => members.find((m) => m.accountId === account)?.credentials.accessKeyId);
  try {
    // 1. The organization: a management account (moto's default) and N members, each seeded with variations.
    const organizations = new OrganizationsClient({ region: 'us-east-1' });
    const { Organization } = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const sts = new STSClient({ region: 'us-east-1' });
    for (let i = 1; i <= n; i++) {
      const created = await organizations.send(new CreateAccountCommand({ AccountName: `customer-${i}`, Email: `aws+customer-${i}@example.com` }));
      const accountId = created.CreateAccountStatus!.AccountId!;
      const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'rehearsal' }));
      const member: Member = { accountId, credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } };
      members.push(member);
      await asMember(member, async () => {
        const iam = new IAMClient({ region: 'us-east-1' });
        await seedReferenceAccount(iam, accountId);
        // Variations: member i has i - 1 extra provider roles, and the second a customer role trusting the provider.
        for (let extra = 1; extra < i; extra++) await iam.send(new CreateRoleCommand({ RoleName: `CTLExtraRole${extra}`, AssumeRolePolicyDocument: trustPolicy({ AWS: PROVIDER_ACCOUNT }) }));
        if (i === 2) await iam.send(new CreateRoleCommand({ RoleName: 'legacy-support', AssumeRolePolicyDocument: trustPolicy({ AWS: `arn:aws:iam::${PROVIDER_ACCOUNT}:root` }) }));
      });
    }
    console.log(`Organization ${Organization!.Id}: management account ${Organization!.MasterAccountId}, members ${members.map((m) => m.accountId).join(', ')}, each seeded as provider-managed.`);

    // 2. The StackSet, as the rollout stack defines it (self-managed: the model moto implements).
    const settings = readSettings(() => undefined);
    const cleanup = synthesizeCleanup(settings, addChecks);
    const templateBody = JSON.stringify(cleanup.template);
    const handler = loadInlinedHandler(inlinedCode(cleanup.template), ROOT);
    const resource = departureResource(cleanup.template as never);
    // The reports bucket the rollout stack creates in the management account, passed to every member.
    const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: REPORTS_BUCKET }));
    const defaults = { ...Object.fromEntries(Object.entries(cleanup.template.Parameters ?? {}).map(([k, v]) => [k, v.Default ?? ''])), ReportBucket: REPORTS_BUCKET };
    const cfn = new CloudFormationClient({ region: 'us-east-1' });
    const stackSetParameters = (mode: string) => [
      { ParameterKey: 'Mode', ParameterValue: mode },
      { ParameterKey: 'ReportBucket', ParameterValue: REPORTS_BUCKET },
    ];
    await cfn.send(new CreateStackSetCommand({ StackSetName: STACK_SET, TemplateBody: templateBody, PermissionModel: 'SELF_MANAGED', Capabilities: ['CAPABILITY_IAM'], Parameters: stackSetParameters('plan') }));
    await cfn.send(new CreateStackInstancesCommand({ StackSetName: STACK_SET, Accounts: members.map((m) => m.accountId), Regions: ['us-east-1'] }));
    console.log(`StackSet ${STACK_SET}: ${members.length} stack instances in us-east-1, Mode=plan.\n`);

    // 3. Each instance's custom resource, driven with that member's credentials.
    const drive = async (member: Member, type: 'Create' | 'Update', mode: 'plan' | 'apply', previous?: Record<string, string>) =>
      asMember(member, async () => {
        const memberCfn = new CloudFormationClient({ region: 'us-east-1' });
        const stacks = (await memberCfn.send(new ListStacksCommand({}))).StackSummaries ?? [];
        const stack = stacks.find((s) => s.StackName?.startsWith(`StackSet-${STACK_SET}-`) && s.StackStatus !== 'DELETE_COMPLETE')!;
        const state = await stackState(memberCfn, stack.StackId!);
        const properties = resolveProperties(resource.properties, { ...defaults, Mode: mode }, state.physicalIds);
        const event = {
          RequestType: type,
          ServiceToken: properties.ServiceToken!,
          ResponseURL: recorder.responseUrl(stack.StackId!),
          StackId: stack.StackId!,
          RequestId: `${type}-${member.accountId}`,
          LogicalResourceId: resource.logicalId,
          ResourceType: resource.type,
          ResourceProperties: properties,
          ...(type === 'Update' ? { PhysicalResourceId: `ctl-departure-${member.accountId}`, OldResourceProperties: previous } : {}),
        } as unknown as CloudFormationCustomResourceEvent;
        const answered = recorder.answers.length;
        const { records } = await capturingLogs(() => handler(event, lambdaContext(600_000)));
        const header = records.find((r) => r.message === 'report') as Omit<DepartureReport, 'actions'>;
        const report = { ...header, actions: records.filter((r) => r.message === 'action').map(({ message: _m, ...a }) => a) } as unknown as DepartureReport;
        const status = (await stackState(memberCfn, stack.StackId!)).stack.StackStatus;
        return { answer: recorder.answers[answered] as Record<string, any>, report, properties, status, state: await readIamState(new IAMClient({ region: 'us-east-1' })) };
      });

    const plans = new Map<string, Awaited<ReturnType<typeof drive>>>();
    for (const member of members) {
      const before = await asMember(member, () => readIamState(new IAMClient({ region: 'us-east-1' })));
      const planned = await drive(member, 'Create', 'plan');
      plans.set(member.accountId, planned);
      check(planned.answer?.Status === 'SUCCESS', `${member.accountId}: plan answered SUCCESS (${planned.report.summary.delete} to delete, ${planned.report.summary.flag} flagged)`);
      check(planned.status === 'CREATE_COMPLETE', `${member.accountId}: its stack instance completed (${planned.status})`);
      check(JSON.stringify(planned.state) === JSON.stringify(before), `${member.accountId}: plan changed nothing`);
    }

    // 4. Plan → apply by one StackSet parameter change, then every instance's Update.
    await cfn.send(new UpdateStackSetCommand({ StackSetName: STACK_SET, UsePreviousTemplate: true, Capabilities: ['CAPABILITY_IAM'], Parameters: stackSetParameters('apply') }));
    console.log('\nUpdateStackSet Mode=apply:');
    const steps = (actions: readonly Action[]) => actions.flatMap((a) => a.steps.map((s) => `${s.call} ${JSON.stringify(s.input)}`)).sort();
    for (const member of members) {
      const planned = plans.get(member.accountId)!;
      const applied = await drive(member, 'Update', 'apply', planned.properties);
      check(applied.answer?.Data?.Report === `s3://${REPORTS_BUCKET}/reports/${member.accountId}.json`, `${member.accountId}: its report is in s3://${REPORTS_BUCKET}/reports/${member.accountId}.json`);
      const left = Object.keys(applied.state.roles).concat(Object.keys(applied.state.policies)).filter((name) => name.startsWith('CTL')).sort();
      check(applied.answer?.Status === 'SUCCESS', `${member.accountId}: apply answered SUCCESS`);
      check(JSON.stringify(steps(applied.report.actions)) === JSON.stringify(steps(planned.report.actions)), `${member.accountId}: apply made exactly the ${steps(planned.report.actions).length} calls its plan listed`);
      check(JSON.stringify(left) === JSON.stringify(['CTLCAMPolicy', 'CTLCAMRole']), `${member.accountId}: only the CAM provider is left`);
      check(Object.keys(applied.state.roles).some((name) => name.startsWith('stacksets-exec-') || name === 'AWSCloudFormationStackSetExecutionRole'), `${member.accountId}: the StackSet execution roles are still there`);
    }

    // 5. One report over every account, from the reports bucket.
    const reports = await reportsFromBucket(s3, REPORTS_BUCKET);
    check(reports.length === members.length, `the reports bucket holds one report per member (${reports.length})`);
    check(reports.every((r) => r.invalid === undefined), 'every report is well formed and stored under its own account id');
    console.log(`\nCombined report (ctl-departure report --bucket ${REPORTS_BUCKET}):\n`);
    console.log(formatCombined(reports, 'table'));
  } finally {
    await recorder.close();
    await moto.stop();
    rmSync(path.join(ROOT, '.rehearsal'), { recursive: true, force: true });
  }
  console.log(problems.length ? `\nOrganization rehearsal FAILED: ${problems.length} check(s) did not hold.` : `\nOrganization rehearsal passed: every account planned, applied, and did exactly what it planned.`);
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`demo:org: ${error instanceof Error ? error.stack : error}`);
    process.exit(1);
  },
);
