/**
 * AWS answers that fail in ways the SDK does not throw for, or throws without saying why. A denied step names the policy type that denied it, read from AWS's message. The messages below follow the
 * formats of the IAM User Guide, "Troubleshoot access denied error messages" (explicit deny: "with an explicit
 * deny in a <policy type>"; implicit: "because no <policy type> allows the <action> action").
 */
import { applyActions, deniedBy } from '../lambda/engine/apply';
import type { AwsClients } from '../lambda/engine/aws';
import { step, type Action } from '../lambda/engine/model';

const USER = 'User: arn:aws:sts::123456789012:assumed-role/Cleanup/run is not authorized to perform: iam:DeleteRole on resource: arn:aws:iam::123456789012:role/CTLX';

test.each([
  [`${USER} with an explicit deny in a service control policy`, 'denied with an explicit deny in a service control policy'],
  [`${USER} with an explicit deny in a resource control policy`, 'denied with an explicit deny in a resource control policy'],
  [`${USER} with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/Guard`, 'denied with an explicit deny in an identity-based policy'],
  [`${USER} with an explicit deny in a permissions boundary`, 'denied with an explicit deny in a permissions boundary'],
  [`${USER} with an explicit deny in a session policy`, 'denied with an explicit deny in a session policy'],
  [`${USER} because no identity-based policy allows the iam:DeleteRole action`, 'denied because no identity-based policy allows'],
  [`${USER} because no permissions boundary allows the iam:DeleteRole action`, 'denied because no permissions boundary allows'],
  [`${USER} because no service control policy allows the iam:DeleteRole action`, 'denied because no service control policy allows'],
  [`${USER} because no session policy allows the iam:DeleteRole action`, 'denied because no session policy allows'],
  [`${USER} because no resource-based policy allows the iam:DeleteRole action`, 'denied because no resource-based policy allows'],
  [`${USER} with an explicit deny in a VPC endpoint policy`, 'denied with an explicit deny in a VPC endpoint policy'],
  [USER, 'denied (service control policy or permissions boundary?)'],
])('%s → %s', (message, expected) => {
  expect(deniedBy(message)).toBe(expected);
});

test('the failed step and its action say which policy type denied the call, and the call and input', async () => {
  const denied = Object.assign(new Error(`${USER} with an explicit deny in a service control policy`), { name: 'AccessDenied' });
  const clients = { iam: { send: async () => Promise.reject(denied) } } as unknown as AwsClients;
  const action: Action = { resource: 'iam:role', name: 'CTLX', arn: '', action: 'delete', reason: '', status: 'planned', steps: [step('DeleteRole', { RoleName: 'CTLX' })] };
  await applyActions([action], ['iam:role'], clients);
  expect(action.steps[0]!.error).toBe(`denied with an explicit deny in a service control policy: iam:DeleteRole RoleName=CTLX: AccessDenied: ${denied.message}`);
  expect(action).toMatchObject({ status: 'failed', error: expect.stringMatching(/^DeleteRole failed: denied with an explicit deny in a service control policy/) });
});

test('RemoveTargets that answers with failed entries (no exception) fails its step with the entries\' errors, and DeleteRule does not run', async () => {
  const answer = { FailedEntryCount: 1, FailedEntries: [{ TargetId: 'controls', ErrorCode: 'ConcurrentModificationException', ErrorMessage: 'try again' }] };
  const sent: string[] = [];
  const clients = { events: { send: async (command: { constructor: { name: string } }) => (sent.push(command.constructor.name), answer) } } as unknown as AwsClients;
  const action: Action = {
    resource: 'events:rule', name: 'CTLRule', arn: '', action: 'delete', reason: '', status: 'planned',
    steps: [step('RemoveTargets', { Rule: 'CTLRule', Ids: ['controls'] }, 'events'), step('DeleteRule', { Name: 'CTLRule' }, 'events')],
  };
  await applyActions([action], ['events:rule'], clients);
  expect(sent).toEqual(['RemoveTargetsCommand']);
  expect(action.steps[0]).toMatchObject({ status: 'failed', error: `RemoveTargets failed for 1 of its entries: ${JSON.stringify(answer.FailedEntries)}` });
  expect(action.steps[1]!.status).toBe('planned');
  expect(action.status).toBe('failed');
});
