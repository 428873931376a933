// Acknowledging cdk-nag findings by the exact name cdk-nag gives them: a wildcard finding is
// named after the resource as the template writes it, with references flattened the way
// cdk-nag flattens them (<Logical.Arn>, <AWS::Region>), so the name depends on the stack's env.
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledges AwsSolutions-IAM5 for one wildcard resource (an ARN string, tokens allowed) on `scope`. */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flattened = flatten(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flattened}]`, reason });
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  if (isObject(node) && Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  if (isObject(node) && Array.isArray(node['Fn::GetAtt'])) {
    const [logicalId, attribute] = node['Fn::GetAtt'] as [string, string];
    return `<${logicalId}.${attribute}>`;
  }
  if (isObject(node) && typeof node.Ref === 'string') return `<${node.Ref}>`;
  return JSON.stringify(node);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
