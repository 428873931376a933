// What a migration task needs from the outside world, passed in so that the same task code
// runs in Lambda (SSM, DynamoDB, Step Functions) and in the local runner.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ConfigSource } from '../../config';
import type { ClusterSide, OntapClient } from '../../ontap/client';
import type { MigrationStore } from '../../state/migration-store';
import type { MigrationNotifier } from './events';

export interface ExecutionControl {
  /** Whether the execution still runs; undefined when this environment cannot tell (the lease decides). */
  isRunning(executionId: string): Promise<boolean | undefined>;
  /** Starts a fresh execution of this state machine, named `name`; returns its id (ARN). */
  start(name: string, input: object): Promise<string>;
}

export interface Dependencies {
  store: MigrationStore;
  config: ConfigSource;
  /** A client of the named cluster, acting as `side` (errors name the side). */
  connect(cluster: string, side: ClusterSide): Promise<OntapClient>;
  executions: ExecutionControl;
  notifier: MigrationNotifier;
  now(): Date;
  logger: Logger;
}
