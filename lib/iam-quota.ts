/**
 * IAM's size quota for the function's role, checked at synth: AWS refuses a role whose inline policies together
 * exceed 10,240 characters (whitespace not counted), and moto does not. The template only has `Fn::Sub` and
 * references, so the size is taken with every value at its longest (IAM quotas:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */

/** "Role policy size cannot exceed 10,240 characters" (aggregate of the role's inline policies). */
export const ROLE_INLINE_POLICY_CHARACTERS = 10_240;
/** "Managed policy size cannot exceed 6,144 characters." */
export const MANAGED_POLICY_CHARACTERS = 6_144;

/** The longest each value can be. */
const LONGEST = {
  partition: 'aws-us-gov'.length,
  account: 12,
  stackId: 'arn:aws-us-gov:cloudformation:ap-southeast-7:123456789012:stack//'.length + 128 + 36,
  bucket: 63,
  /** A Lambda role ARN, log group ARN or policy name CloudFormation generates. */
  generated: 256,
};

/** Characters of a policy document as IAM counts them, with every reference and variable at its longest. */
export function policyCharacters(document: unknown): number {
  return JSON.stringify(longest(document)).length;
}

function longest(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(longest);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Fn::Sub' in object) {
    const [text, variables] = Array.isArray(object['Fn::Sub']) ? (object['Fn::Sub'] as [string, Record<string, unknown>]) : [object['Fn::Sub'] as string, {}];
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (name === 'AWS::Partition') return 'x'.repeat(LONGEST.partition);
      if (name === 'AWS::AccountId') return 'x'.repeat(LONGEST.account);
      // arn:<partition>:cloudformation:<region>:<account>:stack/<name, 128 at most>/<uuid>
      if (name === 'AWS::StackId') return 'x'.repeat(LONGEST.stackId);
      // `${Name}` without a variable map: the Ref of a parameter or resource of that logical id.
      const bound = variables[name] ?? (/^[A-Za-z0-9]+$/.test(name) ? { Ref: name } : undefined);
      if (bound === undefined) throw new Error(`policy size: unknown variable \${${name}}`);
      return 'x'.repeat(variableLength(bound));
    });
  }
  if ('Ref' in object || 'Fn::GetAtt' in object || 'Fn::Select' in object || 'Fn::Join' in object) return 'x'.repeat(variableLength(object));
  return Object.fromEntries(Object.entries(object).map(([key, entry]) => [key, longest(entry)]));
}

/** The longest a referenced value can be: a bucket name parameter, a role ARN, or something CloudFormation names. */
function variableLength(value: unknown): number {
  const object = value as Record<string, unknown>;
  if (typeof value === 'string') return value.length;
  if ('Ref' in object) return /Bucket$/.test(String(object.Ref)) ? LONGEST.bucket : LONGEST.generated;
  if ('Fn::Sub' in object) return String(longest(object)).length;
  // The batch role's name (and path) out of its ARN parameter.
  if ('Fn::Select' in object) return 128;
  return LONGEST.generated;
}
