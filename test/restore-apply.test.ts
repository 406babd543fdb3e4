/**
 * Restore's apply, with scripted AWS answers: phases in order, roles in waves, later passes for what IAM does not show
 * yet (a policy or principal created moments ago), none for a refusal, and nothing that names a failed create runs.
 */
import type { AwsClients } from '../lambda/engine/aws';
import { applyRestore } from '../cli/restore/apply';
import { iamStep, type RestoreItem, type RestorePhase } from '../cli/restore/model';

jest.setTimeout(30_000);

const awsError = (name: string, message = `${name} message`) => Object.assign(new Error(message), { name, $metadata: {} });

/** IAM clients answering from `script` (call name → errors to throw, in order, before succeeding). */
function scripted(script: Record<string, Error[]>) {
  const sent: string[] = [];
  const clients = {
    iam: {
      send: async (command: { input: Record<string, unknown> }) => {
        const call = command.constructor.name.replace(/Command$/, '');
        sent.push(`${call} ${command.input.RoleName ?? command.input.PolicyName ?? command.input.PolicyArn ?? ''}`);
        const error = script[call]?.shift();
        if (error) throw error;
        return {};
      },
    },
  } as unknown as AwsClients;
  return { clients, sent };
}

const item = (phase: RestorePhase, name: string, steps: RestoreItem['steps'], wave?: number): RestoreItem => ({
  phase,
  name,
  sources: [name],
  decision: 'restore',
  reason: 'test',
  notes: [],
  steps,
  status: 'planned',
  ...(wave !== undefined ? { wave } : {}),
});

const POLICY = 'arn:aws:iam::123456789012:policy/CTLPolicy';
const policy = () => item('iam:policy', 'CTLPolicy', [iamStep('CreatePolicy', { PolicyName: 'CTLPolicy', Path: '/', PolicyDocument: '{}' })]);
const role = (name: string, wave = 0) =>
  item('iam:role', name, [iamStep('CreateRole', { RoleName: name, Path: '/', AssumeRolePolicyDocument: '{}' }), iamStep('AttachRolePolicy', { RoleName: name, PolicyArn: POLICY })], wave);

test('phases run in order whatever the order given, and roles wave by wave', async () => {
  const { clients, sent } = scripted({});
  const items = [role('CTLLater', 1), role('CTLFirst'), policy()];
  await applyRestore(items, clients);
  expect(sent).toEqual(['CreatePolicy CTLPolicy', 'CreateRole CTLFirst', 'AttachRolePolicy CTLFirst', 'CreateRole CTLLater', 'AttachRolePolicy CTLLater']);
  expect(items.map((i) => i.status)).toEqual(['done', 'done', 'done']);
});

test('a policy IAM does not show yet (NoSuchEntity), or a principal (Invalid principal): later passes resume at the step', async () => {
  const { clients, sent } = scripted({
    AttachRolePolicy: [awsError('NoSuchEntityException', `Policy ${POLICY} does not exist or is not attachable.`)],
    CreateRole: [awsError('MalformedPolicyDocumentException', 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/CTLOther"')],
  });
  const items = [policy(), role('CTLRole')];
  await applyRestore(items, clients);
  expect(items[1]).toMatchObject({ status: 'done' });
  expect(items[1]!.steps.map((s) => s.note)).toEqual(['done on pass 2', 'done on pass 3']);
  expect(sent.filter((s) => s.startsWith('CreateRole'))).toHaveLength(2);
});

test('the refusals last no longer than IAM takes to show what was made: then the item fails, saying so', async () => {
  const refusals = Array.from({ length: 20 }, () => awsError('NoSuchEntityException'));
  const { clients } = scripted({ AttachRolePolicy: refusals });
  const items = [role('CTLRole')];
  await applyRestore(items, clients, { propagationMs: 1_500 });
  expect(items[0]).toMatchObject({ status: 'failed', error: 'AttachRolePolicy failed: NoSuchEntityException message; 0 later step(s) not run (still so 2 s after the first refusal: longer than IAM takes to show what was made)' });
});

test('a name taken since the plan fails its item at once, never overwritten; what names it does not run', async () => {
  const { clients, sent } = scripted({ CreatePolicy: [awsError('EntityAlreadyExistsException', 'A policy called CTLPolicy already exists.')] });
  const items = [policy(), role('CTLRole')];
  await applyRestore(items, clients);
  expect(items[0]).toMatchObject({
    status: 'failed',
    error: 'CreatePolicy failed: EntityAlreadyExistsException: A policy called CTLPolicy already exists.: made since the plan (or by an earlier attempt whose answer was lost): not overwritten; run restore again to compare; 0 later step(s) not run',
  });
  expect(items[1]).toMatchObject({ status: 'failed', error: 'AttachRolePolicy failed: not run: policy/CTLPolicy could not be created (see its own item); 0 later step(s) not run' });
  expect(sent).toEqual(['CreatePolicy CTLPolicy', 'CreateRole CTLRole']);
});

test('a denial fails its item at once, naming the policy type AWS names', async () => {
  const { clients, sent } = scripted({
    CreateRole: [awsError('AccessDenied', 'User: arn:aws:iam::123456789012:user/x is not authorized to perform: iam:CreateRole with an explicit deny in a service control policy')],
  });
  const items = [role('CTLRole')];
  await applyRestore(items, clients);
  expect(items[0]!.error).toMatch(/^CreateRole failed: denied with an explicit deny in a service control policy: iam:CreateRole: AccessDenied: /);
  expect(sent).toEqual(['CreateRole CTLRole']);
});
