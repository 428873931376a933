// The state machine exactly as CDK synthesizes it, resolved to plain ASL JSON for the local
// runner and `svm-migrate asl`: the stack is built in-process (nothing bundled) and each
// function's ARN in the definition is replaced with a fake but well-formed one.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TASK_ENV, TASK_NAMES, type TaskName } from '../lambdas/tasks';
import { CONTEXT_PREFIX, type MigrationTunables, readConfig } from '../lib/config';
import { SvmMigrateStack } from '../lib/svm-migrate-stack';

const CDK_JSON = path.join(__dirname, '..', 'cdk.json');

export interface SynthesizeOptions {
  /** Context overrides by key without the `svm-migrate:` prefix, e.g. `{ retryMaxAttempts: 2 }`. */
  context?: Record<string, unknown>;
  region?: string;
  account?: string;
  stackName?: string;
  /** Run CDK's built-in template validation at synth, as `cdk synth` does (seconds slower). */
  validateTemplate?: boolean;
  /** Bundle the functions into this cloud-assembly folder, as `cdk synth` does (the bundle test). */
  outdir?: string;
}

export interface ResolvedDefinition {
  /** The ASL document, plain JSON: no Fn::*, no Ref. */
  definition: AslDefinition;
  /** Each fake function ARN in the definition -> the task it runs. */
  functions: Record<string, TaskName>;
  tunables: MigrationTunables;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  Comment?: string;
  [field: string]: unknown;
}

export interface AslState {
  Type: string;
  [field: string]: unknown;
}

/** Builds the app with cdk.json's context (the same defaults `cdk synth` uses) plus the overrides. */
export function buildStack(options: SynthesizeOptions = {}): { app: App; stack: SvmMigrateStack } {
  const cdkJson = JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> };
  const overrides = Object.fromEntries(
    Object.entries(options.context ?? {}).map(([key, value]) => [CONTEXT_PREFIX + key, value]),
  );
  const app = new App({
    // `cdk synth` validates the template already; in-process it mostly costs seconds.
    builtinCloudFormationValidation: options.validateTemplate ?? false,
    // No stack bundles unless asked: the assets are never deployed from here, and bundling is slow.
    context: {
      ...cdkJson.context,
      ...overrides,
      ...(options.outdir === undefined && { 'aws:cdk:bundling-stacks': [] }),
    },
    ...(options.outdir !== undefined && { outdir: options.outdir }),
  });
  const stack = new SvmMigrateStack(app, options.stackName ?? 'SvmMigrate', {
    env: { account: options.account ?? '123456789012', region: options.region ?? 'us-east-1' },
  });
  return { app, stack };
}

export function synthesizeDefinition(options: SynthesizeOptions = {}): ResolvedDefinition {
  const { stack } = buildStack(options);
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, CfnResource> };
  const resources = template.Resources;

  const functionArns = new Map<string, string>();
  const functions: Record<string, TaskName> = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const task = resource.Properties?.Environment?.Variables?.[TASK_ENV];
    if (!isTaskName(task))
      throw new Error(`Function ${logicalId} has no valid ${TASK_ENV} (got ${JSON.stringify(task)})`);
    const arn = `arn:aws:lambda:${stack.region}:${stack.account}:function:svm-migrate-${task}`;
    functionArns.set(logicalId, arn);
    functions[arn] = task;
  }

  const machines = Object.values(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1)
    throw new Error(`Expected one state machine in the stack, found ${machines.length}`);
  const pseudo: Record<string, string> = {
    'AWS::Region': stack.region,
    'AWS::AccountId': stack.account,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const text = resolve(machines[0].Properties?.DefinitionString, functionArns, pseudo);
  return { definition: JSON.parse(text) as AslDefinition, functions, tunables: readConfig(stack).tunables };
}

interface CfnResource {
  Type: string;
  Properties?: {
    Environment?: { Variables?: Record<string, unknown> };
    DefinitionString?: unknown;
  };
}

/** Resolves the intrinsics CDK puts in a definition string; anything else is a bug to surface. */
function resolve(value: unknown, functionArns: Map<string, string>, pseudo: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolve(part, functionArns, pseudo)).join(separator);
  }
  if (isObject(value) && Array.isArray(value['Fn::GetAtt'])) {
    const [logicalId, attribute] = value['Fn::GetAtt'] as [string, string];
    const arn = functionArns.get(logicalId);
    if (arn !== undefined && attribute === 'Arn') return arn;
  }
  if (isObject(value) && typeof value.Ref === 'string') {
    const ref = functionArns.get(value.Ref) ?? pseudo[value.Ref];
    if (ref !== undefined) return ref;
  }
  throw new Error(`Cannot resolve ${JSON.stringify(value)} in the state machine definition`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTaskName(value: unknown): value is TaskName {
  return typeof value === 'string' && (TASK_NAMES as readonly string[]).includes(value);
}
