/**
 * `npm run demo`: a full rehearsal of the real artifact with no AWS account. Starts moto (strict launcher),
 * seeds the reference provider-managed account, synthesizes the app, creates the stack from the synthesized
 * template in moto's CloudFormation and drives its custom resource with the handler code exactly as inlined
 * in the template: first in plan mode, then an update to apply. Exits non-zero if anything differs from
 * what the plan promised.
 */
import { CloudFormationClient, CreateStackCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as path from 'node:path';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { formatStep } from '../cli/format';
import { main as ctlDeparture } from '../cli/main';
import type { RestoreReport } from '../cli/restore/report';
import type { Action } from '../lambda/engine/model';
import type { DepartureReport } from '../lambda/engine/report';
import { readIamState, type IamState } from '../test/support/iam-state';
import { startMoto, motoEnv } from '../test/support/moto';
import { seedReferenceAccount } from '../test/support/reference-account';
import { addChecks } from '../bin/checks';
import { synthesizeCleanup } from '../lib/cleanup-template';
import { readSettings } from '../lib/context';
import {
  answerRecorder,
  capturingLogs,
  departureResource,
  inlinedHandlerCode,
  lambdaContext,
  loadInlinedHandler,
  parameterList,
  resolveProperties,
  stackState,
} from './rehearsal';
import { ALLOW_LOOPBACK_HTTP_ENV } from '../lambda/response';
import { GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { createClients } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import { runDeparture } from '../lambda/engine/run';
import { SWEEP_CONFIG_CHECKS } from '../lambda/engine/sweep-config';
import { createSweep, SWEEP_KINDS } from '../lambda/resources/sweep';
import { PROVIDER, seedKmsKey, seedSnsTopic } from '../test/support/sweep-seed';

const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const ACCOUNT = '123456789012';
const STACK = 'ProviderDeparture';
/** The role the rehearsal's restore plan is about: its policy was deleted too, and the plan says it is not selected. */
const RESTORED_ROLE = 'CTLServiceManagmentRole';

const problems: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`  ${ok ? '✓' : '✗'} ${what}`);
  if (!ok) problems.push(what);
};

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const providerEntities = (state: IamState) =>
  [...Object.keys(state.roles).map((n) => `role   ${n}`), ...Object.keys(state.policies).map((n) => `policy ${n}`)]
    .filter((line) => / CTL/.test(line))
    .sort();

async function main(): Promise<number> {
  console.log('Starting moto (strict launcher)...');
  const moto = await startMoto();
  // The recorder listens on http://127.0.0.1: the handler answers there only because this rehearsal says so.
  Object.assign(process.env, motoEnv(moto.endpoint), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', [ALLOW_LOOPBACK_HTTP_ENV]: '1' });
  const recorder = await answerRecorder(moto.endpoint);
  try {
    const iam = new IAMClient({ region: 'us-east-1' });
    const cfn = new CloudFormationClient({ region: 'us-east-1' });
    await seedReferenceAccount(iam, ACCOUNT);
    // Access no name gives away: a KMS key and an SNS topic whose resource policies let the provider's account in.
    const key = await seedKmsKey('us-east-1');
    const topic = await seedSnsTopic('us-east-1');
    let before = await readIamState(iam);
    console.log(`Seeded the reference provider-managed account ${ACCOUNT}: ${providerEntities(before).length} provider roles and policies, a KMS key and an SNS topic granting the provider.`);

    const { text, template } = synthesizeCleanup(readSettings(() => undefined), addChecks);
    console.log(`Synthesized ${STACK}: ${Buffer.byteLength(text)} bytes, ${Object.keys(template.Resources).length} resources, no assets.`);
    const handler = loadInlinedHandler(inlinedHandlerCode(template), ROOT);
    const resource = departureResource(template);

    const invoke = async (event: CloudFormationCustomResourceEvent) => {
      const answered = recorder.answers.length;
      const { records } = await capturingLogs(() => handler(event, lambdaContext(600_000)));
      const actions = records.filter((r) => r.message === 'action').map(({ message: _m, ...action }) => action) as unknown as Action[];
      // The function's log holds the whole report: its header record and one record per action.
      const { message: _m, ...header } = records.find((r) => r.message === 'report') ?? {};
      return { answer: recorder.answers[answered] as Record<string, any>, actions, report: { ...header, actions } as unknown as DepartureReport };
    };

    // 1. Create in plan mode.
    const planParameters = { Mode: 'plan' };
    const created = await cfn.send(new CreateStackCommand({ StackName: STACK, TemplateBody: text, Parameters: parameterList(planParameters), Capabilities: ['CAPABILITY_IAM'] }));
    const stackId = created.StackId!;
    let state = await stackState(cfn, STACK);
    // The stack's own role is now in IAM too: from here on, nothing may change.
    before = await readIamState(iam);
    console.log(`\nCreateStack (Mode=plan): ${state.stack.StackStatus}; the custom resource is invoked with the inlined handler...`);
    const defaults = Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([k, v]) => [k, v.Default ?? '']));
    const planProperties = resolveProperties(resource.properties, { ...defaults, ...planParameters }, state.physicalIds);
    const plan = await invoke({
      RequestType: 'Create',
      ServiceToken: planProperties.ServiceToken!,
      ResponseURL: recorder.responseUrl(stackId),
      StackId: stackId,
      RequestId: `create-${Date.now()}`,
      LogicalResourceId: resource.logicalId,
      ResourceType: resource.type,
      ResourceProperties: planProperties as never,
    });
    await waitFor('CREATE_COMPLETE', async () => (await stackState(cfn, STACK)).stack.StackStatus === 'CREATE_COMPLETE');
    state = await stackState(cfn, STACK);
    console.log(`Stack ${state.stack.StackStatus}; outputs: ${JSON.stringify(state.outputs)}\n`);
    console.log('The plan:');
    for (const action of plan.actions.filter((a) => a.action !== 'skip')) {
      console.log(`  ${action.action.padEnd(8)} ${action.resource.padEnd(10)} ${action.name.padEnd(30)} ${action.reason}`);
      for (const step of action.steps) console.log(`      ${formatStep(step)}`);
    }
    const skipped = plan.actions.filter((a) => a.action === 'skip');
    console.log(`  skip     ${skipped.length} others (${skipped.filter((a) => a.reason.startsWith('protected')).length} protected, the rest not the provider's)\n`);
    check(plan.answer?.Status === 'SUCCESS', `plan answered SUCCESS (${plan.answer?.Reason ?? 'no reason'})`);
    check(JSON.stringify(await readIamState(iam)) === JSON.stringify(before), 'plan changed nothing in IAM');

    // 2. Update to apply.
    const applyParameters = { Mode: 'apply' };
    await cfn.send(new UpdateStackCommand({ StackName: STACK, TemplateBody: text, Parameters: parameterList(applyParameters), Capabilities: ['CAPABILITY_IAM'] }));
    state = await stackState(cfn, STACK);
    const applyProperties = resolveProperties(resource.properties, { ...defaults, ...applyParameters }, state.physicalIds);
    console.log('UpdateStack (Mode=apply): the custom resource is invoked with the inlined handler...');
    const applied = await invoke({
      RequestType: 'Update',
      ServiceToken: applyProperties.ServiceToken!,
      ResponseURL: recorder.responseUrl(stackId),
      StackId: stackId,
      RequestId: `update-${Date.now()}`,
      LogicalResourceId: resource.logicalId,
      ResourceType: resource.type,
      PhysicalResourceId: plan.answer?.PhysicalResourceId,
      ResourceProperties: applyProperties as never,
      OldResourceProperties: planProperties as never,
    });
    await waitFor('UPDATE_COMPLETE', async () => (await stackState(cfn, STACK)).stack.StackStatus === 'UPDATE_COMPLETE');
    state = await stackState(cfn, STACK);
    console.log(`Stack ${state.stack.StackStatus}; the custom resource answered: ${JSON.stringify(applied.answer?.Data)}\n`);

    const after = await readIamState(iam);
    console.log('Provider IAM entities, before → after:');
    const kept = new Set(providerEntities(after));
    for (const line of providerEntities(before)) console.log(`  ${kept.has(line) ? 'kept   ' : 'removed'}  ${line}`);
    console.log();

    const steps = (actions: Action[]) => actions.flatMap((a) => a.steps.map((s) => `${s.call} ${JSON.stringify(s.input)}`)).sort();
    check(applied.answer?.Status === 'SUCCESS', `apply answered SUCCESS (${applied.answer?.Reason ?? 'no reason'})`);
    check(applied.answer?.PhysicalResourceId === plan.answer?.PhysicalResourceId, 'the physical id stayed the same');
    check(JSON.stringify(steps(applied.actions)) === JSON.stringify(steps(plan.actions)), `apply made exactly the ${steps(plan.actions).length} calls the plan listed`);
    check(applied.actions.every((a) => a.status !== 'failed' && a.status !== 'planned'), 'every planned action is done');
    check(JSON.stringify(providerEntities(after)) === JSON.stringify(['policy CTLCAMPolicy', 'role   CTLCAMRole']), 'only the CAM provider is left');
    const untouched = Object.keys(before.roles).filter((name) => !name.startsWith('CTL'));
    check(untouched.every((name) => JSON.stringify(after.roles[name]) === JSON.stringify(before.roles[name])), `the ${untouched.length} other roles are untouched`);
    // Each group exactly as before, less CTLCustomerPolicy, which every customer group carried.
    const withoutProvider = Object.fromEntries(
      Object.entries(before.groups as Record<string, { name: string; attached: string[] }>).map(([name, group]) => [name, { ...group, attached: group.attached.filter((p) => p !== 'CTLCustomerPolicy') }]),
    );
    const carried = Object.values(before.groups as Record<string, { attached: string[] }>).every((group) => group.attached.includes('CTLCustomerPolicy'));
    check(carried && JSON.stringify(after.groups) === JSON.stringify(withoutProvider), 'every customer group is still there, exactly as before less CTLCustomerPolicy');

    // 3. The CLI's sweep of resource policies: IAM stays as the apply left it.
    await sweepResourcePolicies(key, topic);

    // 4. Undo, planned, last: the apply's report (from the function's log) records what each action deleted; restore shows
    //    what it would put back of one role, and changes nothing.
    const rehearsal = path.join(ROOT, '.rehearsal');
    mkdirSync(rehearsal, { recursive: true });
    const reportFile = path.join(rehearsal, `${ACCOUNT}.json`);
    const restorePlanFile = path.join(rehearsal, 'restore-plan.json');
    writeFileSync(reportFile, JSON.stringify(applied.report, null, 2));
    console.log(`\nctl-departure restore --from ${path.relative(process.cwd(), reportFile)} --only ${RESTORED_ROLE}:\n`);
    const lines: string[] = [];
    const code = await ctlDeparture(['restore', '--from', path.relative(process.cwd(), reportFile), '--only', RESTORED_ROLE, '--report', restorePlanFile], {
      out: (text) => lines.push(text),
      err: (text) => lines.push(text),
      colour: false,
    });
    for (const line of lines.join('\n').split('\n')) console.log(`  ${line}`);
    console.log();
    const restorePlan = code === 0 ? (JSON.parse(readFileSync(restorePlanFile, 'utf8')) as RestoreReport) : undefined;
    check(code === 0, `restore planned from the apply's backups (exit ${code}${code === 2 ? ': the report has none; apply records them once backup capture is in' : ''})`);
    check(
      restorePlan?.items.length === 1 && restorePlan.items[0]!.phase === 'iam:role' && restorePlan.items[0]!.decision === 'restore' && restorePlan.items[0]!.steps[0]?.call === 'CreateRole',
      `the restore plan recreates one role, ${RESTORED_ROLE}`,
    );
    check(JSON.stringify(await readIamState(iam)) === JSON.stringify(after), 'the restore plan changed nothing in IAM');
  } finally {
    await recorder.close();
    await moto.stop();
    rmSync(path.join(ROOT, '.rehearsal'), { recursive: true, force: true });
  }
  console.log(problems.length ? `\nRehearsal FAILED: ${problems.length} check(s) did not hold.` : '\nRehearsal passed: the stack planned, applied, and did exactly what it planned; restore can put back what it deleted.');
  return problems.length ? 1 : 0;
}

/**
 * 3. The CLI's sweep of resource policies (the cleanup stack's function does not sweep): its plan shows the key and the topic
 * (flagged), then an apply with resourcePolicies.remove takes the provider out of both and keeps the customer's grants.
 */
async function sweepResourcePolicies(key: string, topic: string): Promise<void> {
  console.log("\nThe CLI's sweep of resource policies (ctl-departure plan):");
  const sweepRun = (mode: 'plan' | 'apply', config: object) => runDeparture({ mode, config: resolveConfig(config, SWEEP_CONFIG_CHECKS), clients: createClients(), sweep: createSweep() });
  const planned = await sweepRun('plan', {});
  const found = planned.actions.filter((a) => SWEEP_KINDS.some((k) => k.type === a.resource) && a.action !== 'skip');
  for (const action of found) console.log(`  ${action.action.padEnd(8)} ${action.resource.padEnd(18)} ${`${action.name} (${action.region})`.padEnd(50)} ${action.reason}`);
  const flagged = (arn: string) => found.some((a) => a.arn === arn && a.action === 'flag' && a.reason.includes(PROVIDER));
  check(flagged(key) && flagged(topic), 'the plan shows the KMS key and the SNS topic that grant the provider');
  console.log('\nctl-departure apply with {"resourcePolicies": {"remove": true}}:');
  const applied = await sweepRun('apply', { resourcePolicies: { remove: true } });
  for (const action of applied.actions.filter((a) => a.arn === key || a.arn === topic)) {
    console.log(`  ${action.action.padEnd(8)} ${action.resource.padEnd(18)} ${action.name} [${action.status}]`);
    for (const step of action.steps) console.log(`      ${formatStep(step).slice(0, 160)}`);
  }
  const keyPolicy = (await new KMSClient({ region: 'us-east-1' }).send(new GetKeyPolicyCommand({ KeyId: key, PolicyName: 'default' }))).Policy ?? '';
  const topicPolicy = (await new SNSClient({ region: 'us-east-1' }).send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes?.Policy ?? '';
  const sids = (policy: string) => (JSON.parse(policy).Statement as { Sid: string }[]).map((s) => s.Sid).join(',');
  check(!keyPolicy.includes(PROVIDER) && sids(keyPolicy) === 'EnableRoot', "the key policy lost the provider's statement and kept the account's own");
  check(!topicPolicy.includes(PROVIDER) && sids(topicPolicy) === '__default_statement_ID', "the topic policy lost the provider's statement and kept the owner's");
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`demo: ${error instanceof Error ? error.stack : error}`);
    process.exit(1);
  },
);
