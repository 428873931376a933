// The task dependencies in Lambda: DynamoDB, SSM, Step Functions and EventBridge from the
// environment the stack sets, and the shared metrics. Built once per container; the clients
// keep their connections warm.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SsmConfigSource } from '../config';
import type { Dependencies, ExecutionControl } from '../domain/migration/dependencies';
import { ValidationError } from '../errors';
import { MetricsNotifier } from '../metrics';
import { CompositeNotifier, EventBridgeNotifier } from '../notifications';
import { MigrationStore } from '../state/migration-store';
import { ClusterConnections } from './cluster-connections';
import { logger } from './logger';
import { metrics } from './metrics';

/** A variable the stack sets: missing, the deployment is broken, which no route of a migration's failures covers. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the stack sets it: redeploy)`);
  return value;
}

export class StepFunctionsExecutions implements ExecutionControl {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
    /** A stopped execution's last task may run on this long (Lambda is not stopped with it). */
    private readonly taskTimeoutSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Running: true. Stopped long enough ago that none of its tasks can still act on the clusters:
   * false. Stopped more recently, or unknown: undefined, so the migration's lease decides (every
   * task write renews it, and it outlasts a task's timeout).
   */
  async isRunning(executionId: string): Promise<boolean | undefined> {
    try {
      const out = await this.sfn.send(new DescribeExecutionCommand({ executionArn: executionId }));
      if (out.status === 'RUNNING') return true;
      const stopped = out.stopDate?.getTime();
      if (stopped === undefined || this.now().getTime() - stopped < this.taskTimeoutSeconds * 1000)
        return undefined;
      return false;
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return false;
      return undefined;
    }
  }

  async start(name: string, input: object): Promise<string> {
    const out = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
    if (!out.executionArn) throw new ValidationError(`StartExecution of ${name} returned no executionArn`);
    return out.executionArn;
  }
}

export function awsDependencies(): Dependencies {
  const config = new SsmConfigSource(new SSMClient({}), required('SVM_MIGRATE_SSM_PREFIX'));
  const store = new MigrationStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    required('TABLE_NAME'),
  );
  return {
    store,
    config,
    connect: new ClusterConnections(config, logger).connect,
    executions: new StepFunctionsExecutions(
      new SFNClient({}),
      required('SVM_MIGRATE_STATE_MACHINE_ARN'),
      Number(process.env.SVM_MIGRATE_TASK_TIMEOUT_SECONDS ?? 900),
    ),
    // Metrics first: adding one cannot fail and the wrapper flushes it even when the task then
    // fails, so an EventBridge outage never loses the count an alarm watches (UndoFailures).
    notifier: new CompositeNotifier(
      new MetricsNotifier(metrics),
      new EventBridgeNotifier(new EventBridgeClient({}), process.env.SVM_MIGRATE_EVENT_BUS ?? 'default'),
    ),
    now: () => new Date(),
    logger,
  };
}
