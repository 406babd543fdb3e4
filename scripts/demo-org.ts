/**
 * `npm run demo:org [N]`: the rollout rehearsed across accounts with no AWS account. moto holds a management
 * account with an organization and N member accounts (default 3), each seeded as a provider-managed account with
 * variations of its own. The rollout stack (self-managed) is synthesized and deployed by moto's CloudFormation,
 * whose StackSet resource (strict_moto.py) creates the StackSet and its instances; each member's stack instance
 * has its custom resource driven, exactly as in the single-account rehearsal, by the handler code inlined in the
 * template, with that member's credentials. First plan everywhere, then a parameter change of the rollout stack
 * to apply; then the combined report. Exits non-zero if any account ends differently from its plan.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStackSetCommand, ListStackInstancesCommand, ListStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { App } from 'aws-cdk-lib';
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
import { addRollout, readRollout } from '../lib/rollout';
import { checkRolloutSize } from '../lib/template-size';
import { inlinedCode } from '../lib/engine-pack';
import { readIamState } from '../test/support/iam-state';
import { motoEnv, startMoto } from '../test/support/moto';
import { PROVIDER_ACCOUNT, seedReferenceAccount, trustPolicy } from '../test/support/reference-account';
import { answerRecorder, capturingLogs, departureResource, lambdaContext, loadInlinedHandler, resolveProperties, stackState } from './rehearsal';
import { ALLOW_LOOPBACK_HTTP_ENV } from '../lambda/response';

const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const ROLLOUT_STACK = 'ProviderDepartureRollout';
const STACK_SET = `${ROLLOUT_STACK}-cleanup`;
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
  // The recorder listens on http://127.0.0.1: the handler answers there only because this rehearsal says so.
  Object.assign(process.env, motoEnv(moto.endpoint), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', [ALLOW_LOOPBACK_HTTP_ENV]: '1' });
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

    // 2. The rollout stack itself, synthesized as `cdk synth -c rollout=...` makes it (self-managed: moto creates
    //    self-managed instances as stacks in the members), deployed by CloudFormation: its StackSet resource
    //    creates the StackSet and an instance in every member (strict moto applies the resource handler's rules).
    const settings = readSettings(() => undefined);
    const cleanup = synthesizeCleanup(settings, addChecks);
    const handler = loadInlinedHandler(inlinedCode(cleanup.template), ROOT);
    const resource = departureResource(cleanup.template as never);
    const rolloutApp = new App();
    addChecks(rolloutApp);
    const [rolloutStack] = addRollout(rolloutApp, ROLLOUT_STACK, {
      rollout: readRollout({ permissionModel: 'SELF_MANAGED', accountIds: members.map((m) => m.accountId) }),
      templateBody: JSON.stringify(cleanup.template),
      parameters: cleanup.template.Parameters ?? {},
    });
    const rolloutTemplate = rolloutApp.synth().getStackByName(rolloutStack!.stackName).template;
    checkRolloutSize(ROLLOUT_STACK, rolloutTemplate);
    // The reports bucket the rollout stack creates (with organizationId) in the management account, passed to every member.
    const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: REPORTS_BUCKET }));
    const defaults = { ...Object.fromEntries(Object.entries(cleanup.template.Parameters ?? {}).map(([k, v]) => [k, v.Default ?? ''])), ReportBucket: REPORTS_BUCKET };
    const cfn = new CloudFormationClient({ region: 'us-east-1' });
    const rolloutParameters = (mode: string) => [
      { ParameterKey: 'Mode', ParameterValue: mode },
      { ParameterKey: 'ReportBucket', ParameterValue: REPORTS_BUCKET },
    ];
    await cfn.send(new CreateStackCommand({ StackName: ROLLOUT_STACK, TemplateBody: JSON.stringify(rolloutTemplate), Capabilities: ['CAPABILITY_IAM'], Parameters: rolloutParameters('plan') }));
    const instances = (await cfn.send(new ListStackInstancesCommand({ StackSetName: STACK_SET }))).Summaries ?? [];
    check(instances.map((i) => i.Account).sort().join() === members.map((m) => m.accountId).sort().join(), `stack ${ROLLOUT_STACK} deployed: StackSet ${STACK_SET} has an instance in each of the ${members.length} members`);
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
    await cfn.send(new UpdateStackCommand({ StackName: ROLLOUT_STACK, UsePreviousTemplate: true, Capabilities: ['CAPABILITY_IAM'], Parameters: rolloutParameters('apply') }));
    const { StackSet } = await cfn.send(new DescribeStackSetCommand({ StackSetName: STACK_SET }));
    check(StackSet?.Parameters?.find((p) => p.ParameterKey === 'Mode')?.ParameterValue === 'apply', `stack ${ROLLOUT_STACK} updated with Mode=apply: its StackSet's Mode is apply`);
    console.log(`\nUpdateStack ${ROLLOUT_STACK} Mode=apply:`);
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
