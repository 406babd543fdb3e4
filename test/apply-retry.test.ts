/**
 * Apply's later passes, with scripted AWS answers: which failures get another pass (and resume at the failed
 * step), which do not, and that the deadline and the abort signal end them.
 */
import type { AwsClients } from '../lambda/engine/aws';
import { applyActions, isTransient } from '../lambda/engine/apply';
import { step, type Action } from '../lambda/engine/model';

jest.setTimeout(30_000);

const awsError = (name: string, extra: object = {}) => Object.assign(new Error(`${name} message`), { name, $metadata: {}, ...extra });

/** IAM clients whose calls answer from `script` (call name → errors to throw, in order, before succeeding). */
function scripted(script: Record<string, Error[]>) {
  const sent: string[] = [];
  const clients = {
    iam: {
      send: async (command: object) => {
        const call = command.constructor.name.replace(/Command$/, '');
        sent.push(call);
        const error = script[call]?.shift();
        if (error) throw error;
        return {};
      },
    },
  } as unknown as AwsClients;
  return { clients, sent };
}

const roleAction = (): Action => ({
  resource: 'iam:role',
  name: 'CTLRole',
  arn: 'arn:aws:iam::123456789012:role/CTLRole',
  action: 'delete',
  reason: 'provider prefix',
  status: 'planned',
  steps: [
    step('DetachRolePolicy', { RoleName: 'CTLRole', PolicyArn: 'arn:aws:iam::123456789012:policy/CTLPolicy' }),
    step('DeleteRole', { RoleName: 'CTLRole' }),
  ],
});

test('a transient failure gets later passes that resume at the failed step', async () => {
  const { clients, sent } = scripted({ DeleteRole: [awsError('ServiceFailureException', { $metadata: { httpStatusCode: 500 } }), Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })] });
  const action = roleAction();
  await applyActions([action], ['iam:role'], clients);
  expect(action).toMatchObject({ status: 'done' });
  expect(action.error).toBeUndefined();
  expect(action.steps[1]).toMatchObject({ status: 'done', note: 'done on pass 3' });
  expect(sent).toEqual(['DetachRolePolicy', 'DeleteRole', 'DeleteRole', 'DeleteRole']);
});

test('DeleteConflict gets later passes on a final delete after its detaches, never on another step', async () => {
  const final = scripted({ DeleteRole: [awsError('DeleteConflictException')] });
  const action = roleAction();
  await applyActions([action], ['iam:role'], final.clients);
  expect(action.status).toBe('done');
  expect(final.sent).toEqual(['DetachRolePolicy', 'DeleteRole', 'DeleteRole']);

  const detach = scripted({ DetachRolePolicy: [awsError('DeleteConflictException')] });
  const other = roleAction();
  await applyActions([other], ['iam:role'], detach.clients);
  expect(other).toMatchObject({ status: 'failed', error: expect.stringMatching(/^DetachRolePolicy failed: DeleteConflictException/) });
  expect(detach.sent).toEqual(['DetachRolePolicy']);
});

test('DeletePolicy gets no later pass while a principal whose action failed still holds the policy', async () => {
  const { clients, sent } = scripted({ DetachRolePolicy: [awsError('AccessDenied')], DeletePolicy: [awsError('DeleteConflictException')] });
  const role = roleAction();
  const policy: Action = {
    resource: 'iam:policy',
    name: 'CTLPolicy',
    arn: 'arn:aws:iam::123456789012:policy/CTLPolicy',
    action: 'delete',
    reason: 'provider prefix',
    status: 'planned',
    steps: [step('DeletePolicy', { PolicyArn: 'arn:aws:iam::123456789012:policy/CTLPolicy' })],
  };
  await applyActions([role, policy], ['iam:role', 'iam:policy'], clients);
  expect(role.status).toBe('failed');
  expect(policy).toMatchObject({ status: 'failed', error: expect.stringMatching(/^DeletePolicy failed: DeleteConflictException/) });
  expect(sent).toEqual(['DetachRolePolicy', 'DeletePolicy']);
});

test('a denial, an unknown error and a crash fail the action at once', async () => {
  for (const error of [awsError('AccessDenied'), awsError('ValidationError'), awsError('SimulatedCrash')]) {
    const { clients, sent } = scripted({ DeleteRole: [error] });
    const action = roleAction();
    await applyActions([action], ['iam:role'], clients);
    expect(action.status).toBe('failed');
    expect(sent).toEqual(['DetachRolePolicy', 'DeleteRole']);
  }
});

test('no later pass starts past the deadline, and the action says why it stopped', async () => {
  const { clients, sent } = scripted({ DeleteRole: [awsError('Throttling')] });
  const action = roleAction();
  await applyActions([action], ['iam:role'], clients, { deadline: Date.now() + 500 });
  expect(action).toMatchObject({ status: 'failed', error: expect.stringMatching(/Throttling.*\(1 passes, no time for more\)$/) });
  expect(sent).toEqual(['DetachRolePolicy', 'DeleteRole']);
});

test('an abort during the pause between passes ends apply at once, the action left failed', async () => {
  const { clients } = scripted({ DeleteRole: [awsError('Throttling')] });
  const abort = new AbortController();
  const action = roleAction();
  const started = Date.now();
  setTimeout(() => abort.abort(), 100);
  await applyActions([action], ['iam:role'], clients, { signal: abort.signal });
  expect(Date.now() - started).toBeLessThan(900);
  expect(action.status).toBe('failed');
});

test('transient: throttling, 5xx, connection errors and ConcurrentModification; not a client error', () => {
  expect(isTransient(awsError('Throttling'))).toBe(true);
  expect(isTransient(awsError('ConcurrentModificationException'))).toBe(true);
  expect(isTransient(awsError('Whatever', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
  expect(isTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
  expect(isTransient(awsError('NoSuchEntityException', { $metadata: { httpStatusCode: 404 } }))).toBe(false);
  expect(isTransient(awsError('DeleteConflictException', { $metadata: { httpStatusCode: 409 } }))).toBe(false);
});
