/**
 * The identity policies of the cleanup stack's Lambda role, as IAM would hold them after a deployment, and a real IAM
 * policy evaluator (@cloud-copilot/iam-simulate) run over them.
 *
 *   const policies = rolePolicies(template, { accountId: '111111111111', region: 'us-east-1', parameters: { ArchiveBucket: 'a' } });
 *   const verdict = await simulate(policies, { action: 'iam:DeleteRole', resource: 'arn:aws:iam::111111111111:role/CTLx' });
 *
 * The template is resolved the way CloudFormation would resolve it for that deployment: parameters (defaults, then
 * overrides), pseudo parameters, Fn::Sub (with and without a variable map), Ref, Fn::GetAtt of the role's Arn,
 * Fn::If/Equals/Not/And/Or and resource Conditions. Anything it cannot resolve throws: a guessed value would make the
 * authorization test pass or fail for the wrong reason.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

/** The template as `cdk synth` writes it (only what this module reads). */
export interface Template {
  readonly Parameters?: Record<string, { readonly Default?: string }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown>; readonly Condition?: string }>;
}

/** One deployment of the template: the values CloudFormation would use. */
export interface Deployment {
  readonly accountId: string;
  /** @default "aws" */
  readonly partition?: string;
  /** @default "us-east-1" */
  readonly region?: string;
  /** @default "ProviderDeparture" */
  readonly stackName?: string;
  /** Parameter values that replace the template's defaults (a parameter without default must be given). */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * The name CloudFormation generated for the Lambda's role; its ARN adds the role's `Path` (from the template, or `/`).
   * @default "ProviderDeparture-DepartureRole-ABC123"
   */
  readonly roleName?: string;
  /**
   * Physical ids (what `Ref` returns) of other resources, by logical id or, when the template has exactly one
   * resource of that type, by type (e.g. `{ 'AWS::S3::Bucket': 'customer-archive' }`).
   */
  readonly physicalIds?: Readonly<Record<string, string>>;
}

/** An identity policy attached to the role, named by its logical id. */
export interface RolePolicy {
  readonly name: string;
  readonly policy: { readonly Version: string; readonly Statement: readonly Record<string, unknown>[] };
}

/** The role's session, as the Lambda runtime assumes it. */
export interface ResolvedRole {
  readonly arn: string;
  readonly accountId: string;
  readonly policies: readonly RolePolicy[];
}

/** `Fn::GetAtt X.Arn` of a resource type, from its physical id (as the CloudFormation resource reference gives it). */
const ARN_OF_TYPE: Readonly<Record<string, (at: { partition: string; region: string; accountId: string; id: string }) => string>> = {
  'AWS::Logs::LogGroup': (at) => `arn:${at.partition}:logs:${at.region}:${at.accountId}:log-group:${at.id}:*`,
  'AWS::S3::Bucket': (at) => `arn:${at.partition}:s3:::${at.id}`,
};

/** A stack's ARN as `AWS::StackId` gives it (a fixed stack uuid: the deployments here are one stack each). */
export const stackArn = (partition: string, region: string, accountId: string, stackName: string) =>
  `arn:${partition}:cloudformation:${region}:${accountId}:stack/${stackName}/5b5c8c40-0000-11ef-0000-0a1b2c3d4e5f`;

/** CloudFormation's `AWS::NoValue`: the property is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

class Resolver {
  private readonly partition: string;
  private readonly region: string;
  private readonly conditions = new Map<string, boolean>();

  constructor(
    private readonly template: Template,
    private readonly deployment: Deployment,
    private readonly roleLogicalId: string,
  ) {
    this.partition = deployment.partition ?? 'aws';
    this.region = deployment.region ?? 'us-east-1';
  }

  /** The value of `{Ref: name}`. */
  ref(name: string): string | typeof NO_VALUE {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': this.deployment.accountId,
      'AWS::Partition': this.partition,
      'AWS::Region': this.region,
      'AWS::URLSuffix': this.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
      'AWS::StackName': this.deployment.stackName ?? 'ProviderDeparture',
      'AWS::StackId': stackArn(this.partition, this.region, this.deployment.accountId, this.deployment.stackName ?? 'ProviderDeparture'),
    };
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name]!;
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const value = this.deployment.parameters?.[name] ?? parameter.Default;
      if (value === undefined) throw new Error(`parameter ${name} has no default and the deployment gives no value`);
      return value;
    }
    const resource = this.template.Resources[name];
    if (resource) return this.physicalId(name, resource.Type);
    throw new Error(`cannot resolve Ref ${name}: not a parameter, pseudo parameter or resource`);
  }

  private physicalId(logicalId: string, type: string): string {
    if (logicalId === this.roleLogicalId) return this.roleName();
    const byId = this.deployment.physicalIds?.[logicalId];
    if (byId !== undefined) return byId;
    const byType = this.deployment.physicalIds?.[type];
    const sameType = Object.values(this.template.Resources).filter((r) => r.Type === type).length;
    if (byType !== undefined && sameType === 1) return byType;
    throw new Error(`cannot resolve the physical id of ${logicalId} (${type}): give it in deployment.physicalIds`);
  }

  private roleName(): string {
    return this.deployment.roleName ?? 'ProviderDeparture-DepartureRole-ABC123';
  }

  /** The role's ARN includes its path, as IAM writes it. */
  roleArn(): string {
    const path = this.template.Resources[this.roleLogicalId]!.Properties?.Path;
    const resolved = path === undefined ? '/' : this.value(path);
    if (typeof resolved !== 'string' || !resolved.startsWith('/') || !resolved.endsWith('/')) throw new Error(`role path ${JSON.stringify(resolved)} is not an IAM path`);
    return `arn:${this.partition}:iam::${this.deployment.accountId}:role${resolved}${this.roleName()}`;
  }

  /** The role's Arn; another resource's Arn from its physical id, for the few types whose ARN IAM documents. */
  getAtt(logicalId: string, attribute: string): string {
    if (logicalId === this.roleLogicalId && attribute === 'Arn') return this.roleArn();
    const resource = this.template.Resources[logicalId];
    const format = resource && attribute === 'Arn' ? ARN_OF_TYPE[resource.Type] : undefined;
    if (!format) throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
    return format({ partition: this.partition, region: this.region, accountId: this.deployment.accountId, id: this.physicalId(logicalId, resource!.Type) });
  }

  condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new Error(`condition ${name} is not in the template`);
    const value = this.truth(expression);
    this.conditions.set(name, value);
    return value;
  }

  /** A condition expression (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition). */
  private truth(expression: unknown): boolean {
    const [fn, args] = this.intrinsic(expression);
    switch (fn) {
      case 'Fn::Equals': {
        const [a, b] = args as [unknown, unknown];
        return this.value(a) === this.value(b);
      }
      case 'Fn::Not':
        return !this.truth((args as unknown[])[0]);
      case 'Fn::And':
        return (args as unknown[]).every((a) => this.truth(a));
      case 'Fn::Or':
        return (args as unknown[]).some((a) => this.truth(a));
      case 'Condition':
        return this.condition(args as string);
      default:
        throw new Error(`cannot evaluate condition ${JSON.stringify(expression)}`);
    }
  }

  private intrinsic(value: unknown): [string, unknown] {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['', value];
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'))) return [keys[0]!, (value as Record<string, unknown>)[keys[0]!]];
    return ['', value];
  }

  /** Any template value, fully resolved. */
  value(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.value(v)).filter((v) => v !== NO_VALUE);
    const [fn, args] = this.intrinsic(value);
    switch (fn) {
      case '':
        return Object.fromEntries(
          Object.entries(value as Record<string, unknown>)
            .map(([k, v]) => [k, this.value(v)] as const)
            .filter(([, v]) => v !== NO_VALUE),
        );
      case 'Ref':
        return this.ref(args as string);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = typeof args === 'string' ? (args.split('.') as [string, string]) : (args as [string, string]);
        return this.getAtt(logicalId, attribute);
      }
      case 'Fn::Sub':
        return Array.isArray(args) ? this.sub(args[0] as string, args[1] as Record<string, unknown>) : this.sub(args as string, {});
      case 'Fn::Join': {
        const [separator, parts] = args as [string, unknown[]];
        return (this.value(parts) as unknown[]).map((p) => this.text(p, 'Fn::Join')).join(separator);
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = args as [string, unknown, unknown];
        return this.value(this.condition(name) ? whenTrue : whenFalse);
      }
      case 'Fn::Split': {
        const [separator, text] = args as [string, unknown];
        return this.text(this.value(text), 'Fn::Split').split(separator);
      }
      case 'Fn::Select': {
        const [index, list] = args as [number | string, unknown];
        const items = this.value(list);
        const position = Number(index);
        // CloudFormation refuses an index outside the list: so does this.
        if (!Array.isArray(items) || !Number.isInteger(position) || position < 0 || position >= items.length) throw new Error(`Fn::Select ${index} of ${JSON.stringify(items)}`);
        return items[position];
      }
      default:
        throw new Error(`cannot resolve ${fn} in ${JSON.stringify(value)}`);
    }
  }

  private text(value: unknown, where: string): string {
    if (typeof value !== 'string') throw new Error(`${where} needs a string, not ${JSON.stringify(value)}`);
    return value;
  }

  /** `${Name}`, `${Logical.Attr}`, `${!Literal}`: variables of the map first, then Ref/GetAtt names. */
  private sub(text: string, variables: Record<string, unknown>): string {
    return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables) return this.text(this.value(variables[name]), `Fn::Sub variable ${name}`);
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [logicalId, attribute] = name.split('.') as [string, string];
        return this.getAtt(logicalId, attribute);
      }
      return this.text(this.ref(name), `Fn::Sub \${${name}}`);
    });
  }
}

/** The logical id of the role the cleanup Lambda runs as (its `Role` is a GetAtt of the role's Arn). */
function lambdaRoleLogicalId(template: Template): string {
  const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  if (functions.length !== 1) throw new Error(`expected one Lambda function in the template, found ${functions.length}`);
  const role = functions[0]![1].Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const getAtt = role?.['Fn::GetAtt'];
  if (!getAtt || getAtt[1] !== 'Arn' || template.Resources[getAtt[0]]?.Type !== 'AWS::IAM::Role') {
    throw new Error(`the Lambda's Role is not a GetAtt of a role's Arn: ${JSON.stringify(role)}`);
  }
  return getAtt[0];
}

/** The role's ARN and every identity policy attached to it in this deployment (a policy whose Condition is false is absent). */
export function rolePolicies(template: Template, deployment: Deployment): ResolvedRole {
  const roleId = lambdaRoleLogicalId(template);
  const resolver = new Resolver(template, deployment, roleId);
  const role = template.Resources[roleId]!;
  if (role.Properties?.ManagedPolicyArns !== undefined) throw new Error(`role ${roleId} has managed policies, whose contents this module cannot know`);
  if (role.Properties?.PermissionsBoundary !== undefined) throw new Error(`role ${roleId} has a permissions boundary, which this module does not evaluate`);
  const policies: RolePolicy[] = [];
  for (const inline of (role.Properties?.Policies as { PolicyName: unknown; PolicyDocument: unknown }[] | undefined) ?? []) {
    policies.push({ name: `${roleId}/${String(resolver.value(inline.PolicyName))}`, policy: resolver.value(inline.PolicyDocument) as RolePolicy['policy'] });
  }
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    // A customer-managed policy of the template attached by its Roles is the same to IAM as an inline one.
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const roles = resource.Properties?.Roles as unknown[] | undefined;
    if (!roles?.some((r) => (r as { Ref?: string }).Ref === roleId)) {
      // A policy attached to the role by anything but a Ref (a literal name, say) would be missed: refuse it.
      if (JSON.stringify(roles ?? []).includes(roleId)) throw new Error(`policy ${logicalId} names the role in a form this module does not read`);
      continue;
    }
    if (resource.Condition !== undefined && !resolver.condition(resource.Condition)) continue;
    policies.push({ name: logicalId, policy: resolver.value(resource.Properties!.PolicyDocument) as RolePolicy['policy'] });
  }
  return { arn: resolver.roleArn(), accountId: deployment.accountId, policies };
}

/** One request to authorize, as IAM sees it. */
export interface IamRequest {
  /** e.g. `iam:DeleteRole` */
  readonly action: string;
  /** The resource ARN, or `*` for actions without a resource type. */
  readonly resource: string;
  /** Condition context keys of the request (`iam:PolicyARN`, `iam:PassedToService`, ...). */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** The account that owns the resource. @default the role's account */
  readonly resourceAccount?: string;
}

export interface Verdict {
  readonly allowed: boolean;
  /** `Allowed`, `ExplicitlyDenied` or `ImplicitlyDenied`. */
  readonly result: string;
  /** Which statements decided, e.g. `allowed by RemoveProviderRoles` or `explicitly denied by NeverTouchProtectedRoles`. */
  readonly explanation: string;
}

/** A statement in iam-simulate's analysis; its Sid is read through the parsed statement's `sid()`. */
type Analysis = { policyId?: string; statement?: { sid?: () => string | undefined }; explain?: { identifier?: string } };
const statementNames = (statements: readonly Analysis[] | undefined) =>
  [...new Set((statements ?? []).map((s) => `${s.statement?.sid?.() ?? s.explain?.identifier ?? '?'} in ${s.policyId ?? '?'}`))].join(', ');

/**
 * Evaluates one request against the role's identity policies (same-account: no resource policy, SCP or RCP is
 * involved). A request the evaluator refuses as malformed (an unknown action, a resource of the wrong type, a context
 * key the action does not have) throws: it would otherwise read as a silent denial.
 */
export async function simulate(role: ResolvedRole, request: IamRequest, resourcePolicy?: object): Promise<Verdict> {
  const simulation: Simulation = {
    // A resource policy where the service needs one besides the caller's (a KMS key policy: IAM policies count only
    // where it lets the account's IAM policies in).
    ...(resourcePolicy ? { resourcePolicy } : {}),
    request: {
      principal: role.arn,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? role.accountId },
      contextVariables: { ...request.context },
    },
    identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') throw new Error(`iam-simulate refused ${request.action} on ${request.resource}: ${JSON.stringify(response.errors)}`);
  // A wildcard resource (`*` for an action that has resource types) stands for every resource of the type: the
  // overall result is allowed only when every pattern's is.
  if (response.resultType === 'wildcard' && request.resource !== '*') throw new Error(`iam-simulate answered wildcard for ${request.action} on ${request.resource}: give a concrete resource`);
  const analyses = response.resultType === 'single' ? [response.result] : response.results;
  const identities = analyses.map((r) => r.analysis?.identityAnalysis as { allowStatements?: Analysis[]; denyStatements?: Analysis[] } | undefined);
  const identity = { allowStatements: identities.flatMap((i) => i?.allowStatements ?? []), denyStatements: identities.flatMap((i) => i?.denyStatements ?? []) };
  const result = response.overallResult;
  const explanation =
    result === 'Allowed' ? `allowed by ${statementNames(identity?.allowStatements)}`
    : result === 'ExplicitlyDenied' ? `explicitly denied by ${statementNames(identity?.denyStatements)}`
    : 'implicitly denied: no statement allows it';
  return { allowed: result === 'Allowed', result, explanation };
}

/** `iam:DeleteRole arn:... {iam:PolicyARN=...}`: one line per request, for failure messages. */
export function describeRequest(request: IamRequest): string {
  const context = Object.entries(request.context ?? {}).map(([k, v]) => `${k}=${[v].flat().join('|')}`);
  return `${request.action} ${request.resource}${context.length ? ` {${context.join(', ')}}` : ''}`;
}
