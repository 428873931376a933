// What every route of a simulated cluster works with.
import type { Cluster } from './cluster';
import type { JobRunner } from './jobs';
import type { Replicator } from './replication/transfer';

export interface SimContext {
  cluster: Cluster;
  jobs: JobRunner;
  replicator: Replicator;
}
