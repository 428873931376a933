// The deployment's settings, read from CDK context (defaults in cdk.json, `-c key=value` to
// override) and checked once here, so a bad value fails the synth naming its key and why.
import { Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { TUNABLE_LIMITS, type Tunables } from '../lambdas/tunables';

export const CONTEXT_PREFIX = 'svm-migrate:';

/** The run-time tunables (what the tasks read from SSM) plus the Retry knobs baked into the state machine. */
export interface MigrationTunables extends Tunables {
  retryIntervalSeconds: number;
  retryBackoffRate: number;
  retryMaxDelaySeconds: number;
}

/** Where the functions run when they must reach clusters inside a VPC (all three keys or none). */
export interface VpcPlacement {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
  /**
   * With `vpcEndpoints`, the stack creates the endpoints the tasks call AWS through (for subnets
   * without a NAT): DynamoDB's gateway endpoint on these route tables, interface endpoints in the
   * subnets. Left to the deployer otherwise: a second endpoint with private DNS cannot be made.
   */
  endpoints?: { routeTableIds: string[] };
}

export interface MigrationConfig {
  tunables: MigrationTunables;
  /** Each task's timeout in the state machine. */
  taskTimeoutSeconds: number;
  /** Its Lambda function's timeout: shorter by TASK_TIMEOUT_MARGIN_SECONDS, so the invocation ends first. */
  functionTimeoutSeconds: number;
  stateMachineTimeoutDays: number;
  functionMemoryMb: number;
  logRetention: RetentionDays;
  /**
   * SSM path under which the tunables (`/config/...`) and cluster connections (`/clusters/...`)
   * live: `/<stack name>` unless set, so two stacks in one account and region never share one.
   */
  ssmPrefix: string;
  /** Clusters the operator configures under `<ssmPrefix>/clusters/<name>/{endpoint,credentials}`. */
  clusters: string[];
  vpc?: VpcPlacement;
  /** The bus the tasks publish state changes on and the start rule listens on; the account's default bus when absent. */
  eventBusName?: string;
  /** An existing SNS topic the alarms notify; a topic of the stack's own when absent. */
  alarmTopicArn?: string;
}

/** Lambda's hard limit on one invocation. */
const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/**
 * How much sooner a task's Lambda invocation ends than its state times out. Step Functions times
 * the state from the invoke request, Lambda from the handler's start (after a cold start's init,
 * up to 10 s, and the invoke's own latency): without a margin the state could time out, and its
 * Catch start the undo, while the forward invocation still runs.
 */
export const TASK_TIMEOUT_MARGIN_SECONDS = 30;
/** The shortest task timeout: the margin plus a minute of work. */
const MIN_TASK_TIMEOUT_SECONDS = TASK_TIMEOUT_MARGIN_SECONDS + 60;
/** Standard workflows run for at most a year. */
const STANDARD_MAX_DAYS = 365;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';

  constructor(key: string, reason: string, value: unknown) {
    super(`Invalid context "${CONTEXT_PREFIX}${key}": ${reason} (got ${JSON.stringify(value ?? null)})`);
  }
}

/** Reads and validates every setting from the construct tree's context. */
export function readConfig(scope: Construct): MigrationConfig {
  const context = (key: string): unknown => scope.node.tryGetContext(CONTEXT_PREFIX + key);

  const runtime = {} as Tunables;
  for (const key of Object.keys(TUNABLE_LIMITS) as (keyof Tunables)[]) {
    // The same bounds the tasks apply when they read SSM, so a deployed value is never rejected at run time.
    runtime[key] = integer(key, context(key), TUNABLE_LIMITS[key].min, TUNABLE_LIMITS[key].max);
  }
  const retryIntervalSeconds = integer('retryIntervalSeconds', context('retryIntervalSeconds'), 1, 3600);
  const retryMaxDelaySeconds = integer('retryMaxDelaySeconds', context('retryMaxDelaySeconds'), 1, 86_400);
  if (retryMaxDelaySeconds < retryIntervalSeconds) {
    throw new ConfigurationError(
      'retryMaxDelaySeconds',
      `must be at least retryIntervalSeconds (${retryIntervalSeconds})`,
      retryMaxDelaySeconds,
    );
  }
  const tunables: MigrationTunables = {
    ...runtime,
    retryIntervalSeconds,
    // Step Functions rejects a BackoffRate below 1.
    retryBackoffRate: number('retryBackoffRate', context('retryBackoffRate'), 1, 10),
    retryMaxDelaySeconds,
  };

  const taskTimeoutSeconds = integer(
    'taskTimeoutSeconds',
    context('taskTimeoutSeconds'),
    MIN_TASK_TIMEOUT_SECONDS,
    LAMBDA_MAX_TIMEOUT_SECONDS,
  );
  if (tunables.leaseSeconds < taskTimeoutSeconds) {
    throw new ConfigurationError(
      'leaseSeconds',
      `must be at least taskTimeoutSeconds (${taskTimeoutSeconds}): a shorter lease lets another execution take over while a step still runs`,
      tunables.leaseSeconds,
    );
  }

  return {
    tunables,
    taskTimeoutSeconds,
    functionTimeoutSeconds: taskTimeoutSeconds - TASK_TIMEOUT_MARGIN_SECONDS,
    stateMachineTimeoutDays: integer(
      'stateMachineTimeoutDays',
      context('stateMachineTimeoutDays'),
      1,
      STANDARD_MAX_DAYS,
    ),
    functionMemoryMb: integer('functionMemoryMb', context('functionMemoryMb'), 128, 10_240),
    logRetention: retention('logRetentionDays', context('logRetentionDays')),
    ssmPrefix: ssmPrefix('ssmPrefix', context('ssmPrefix') ?? `/${Stack.of(scope).stackName}`),
    clusters: clusterNames('clusters', context('clusters')),
    vpc: vpcPlacement(
      context('vpcId'),
      context('subnetIds'),
      context('securityGroupId'),
      context('vpcEndpoints'),
      context('routeTableIds'),
    ),
    eventBusName: eventBusName('eventBusName', context('eventBusName')),
    alarmTopicArn: alarmTopicArn('alarmTopicArn', context('alarmTopicArn')),
  };
}

const absent = (value: unknown): boolean => value === undefined || value === null || value === '';

function required(key: string, value: unknown): unknown {
  if (absent(value)) {
    throw new ConfigurationError(key, 'is required (cdk.json carries the defaults)', value);
  }
  return value;
}

/** Context given with `-c key=value` arrives as a string; cdk.json gives numbers. */
function number(key: string, value: unknown, min: number, max: number): number {
  const raw = required(key, value);
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigurationError(key, `must be a number from ${min} to ${max}`, value);
  }
  return n;
}

function integer(key: string, value: unknown, min: number, max: number): number {
  const n = number(key, value, min, max);
  if (!Number.isInteger(n))
    throw new ConfigurationError(key, `must be an integer from ${min} to ${max}`, value);
  return n;
}

function retention(key: string, value: unknown): RetentionDays {
  const days = integer(key, value, 1, 3653);
  const allowed = Object.values(RetentionDays).filter(
    (v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE,
  );
  if (!allowed.includes(days)) {
    throw new ConfigurationError(
      key,
      `must be one of CloudWatch Logs' retention periods: ${allowed.join(', ')}`,
      value,
    );
  }
  return days as RetentionDays;
}

function ssmPrefix(key: string, value: unknown): string {
  const prefix = required(key, value);
  if (typeof prefix !== 'string' || !/^(\/[A-Za-z0-9_.-]+)+$/.test(prefix)) {
    throw new ConfigurationError(
      key,
      'must be an SSM path such as /svm-migrate (leading slash, no trailing slash)',
      value,
    );
  }
  if (/^\/(aws|ssm)(\/|$)/i.test(prefix)) {
    throw new ConfigurationError(key, 'must not start with /aws or /ssm (reserved by SSM)', value);
  }
  return prefix;
}

/** A list, from cdk.json, or a comma-separated string, from `-c`. */
function stringList(key: string, value: unknown): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  if (typeof value === 'string')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  throw new ConfigurationError(key, 'must be a list of strings', value);
}

function clusterNames(key: string, value: unknown): string[] {
  const names = stringList(key, required(key, value));
  // The same pattern as clusterName in schema/execution-input.schema.json.
  const bad = names.find((n) => !/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(n));
  if (names.length === 0 || bad !== undefined) {
    throw new ConfigurationError(
      key,
      'must name at least one cluster, each a letter then up to 63 letters, digits, _ . -',
      value,
    );
  }
  if (new Set(names).size !== names.length)
    throw new ConfigurationError(key, 'must not repeat a cluster', value);
  return names;
}

function vpcPlacement(
  vpcId: unknown,
  subnetIds: unknown,
  securityGroupId: unknown,
  vpcEndpoints: unknown,
  routeTableIds: unknown,
): VpcPlacement | undefined {
  const given = [vpcId, subnetIds, securityGroupId].filter((v) => v !== undefined && v !== null && v !== '');
  const endpoints = flag('vpcEndpoints', vpcEndpoints);
  if (given.length === 0) {
    if (endpoints)
      throw new ConfigurationError(
        'vpcEndpoints',
        'needs the functions in a VPC (vpcId, subnetIds, securityGroupId)',
        vpcEndpoints,
      );
    return undefined;
  }
  if (typeof vpcId !== 'string' || !/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/.test(vpcId)) {
    throw new ConfigurationError(
      'vpcId',
      'must be a VPC id (vpc-...) when subnetIds or securityGroupId is set',
      vpcId,
    );
  }
  const subnets = subnetIds === undefined ? [] : stringList('subnetIds', subnetIds);
  if (subnets.length === 0 || subnets.some((s) => !/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/.test(s))) {
    throw new ConfigurationError(
      'subnetIds',
      'must list at least one subnet id (subnet-...) when vpcId is set',
      subnetIds,
    );
  }
  if (typeof securityGroupId !== 'string' || !/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/.test(securityGroupId)) {
    throw new ConfigurationError(
      'securityGroupId',
      'must be a security group id (sg-...) when vpcId is set',
      securityGroupId,
    );
  }
  if (!endpoints) return { vpcId, subnetIds: subnets, securityGroupId };
  const routeTables = absent(routeTableIds) ? [] : stringList('routeTableIds', routeTableIds);
  if (routeTables.length === 0 || routeTables.some((r) => !/^rtb-([0-9a-f]{8}|[0-9a-f]{17})$/.test(r))) {
    throw new ConfigurationError(
      'routeTableIds',
      "must list the subnets' route table ids (rtb-...) for DynamoDB's gateway endpoint when vpcEndpoints is true",
      routeTableIds,
    );
  }
  return { vpcId, subnetIds: subnets, securityGroupId, endpoints: { routeTableIds: routeTables } };
}

/** A boolean from cdk.json, or the string `-c key=true` gives; absent is false. */
function flag(key: string, value: unknown): boolean {
  if (absent(value) || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new ConfigurationError(key, 'must be true or false', value);
}

/** A bus of this account and region, by name: the tasks' PutEvents and the start rule both use it. */
function eventBusName(key: string, value: unknown): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9._\-/]{1,256}$/.test(value) || value.startsWith('arn:')) {
    throw new ConfigurationError(
      key,
      'must be an event bus name (letters, digits, . _ - /, up to 256), not an ARN',
      value,
    );
  }
  return value;
}

function alarmTopicArn(key: string, value: unknown): string | undefined {
  if (absent(value)) return undefined;
  if (
    typeof value !== 'string' ||
    !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(value)
  ) {
    // FIFO topics (.fifo) are refused too: CloudWatch alarms notify standard topics only.
    throw new ConfigurationError(
      key,
      'must be the ARN of a standard SNS topic (arn:aws:sns:<region>:<account>:<name>)',
      value,
    );
  }
  return value;
}
