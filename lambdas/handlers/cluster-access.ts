// A task outside CLUSTER_TASKS gets dependencies without cluster access: on AWS its role may not
// read the clusters' credentials, so the local runner must refuse the same calls, or a task that
// starts talking to a cluster would pass every local test and fail only once deployed.
import type { Dependencies } from '../domain/migration/dependencies';
import { CLUSTER_TASKS, type TaskName } from '../tasks';

export function withClusterAccessOf(task: TaskName, deps: Dependencies): Dependencies {
  if (CLUSTER_TASKS.includes(task)) return deps;
  const refuse = (cluster: string): never => {
    throw new Error(
      `task ${task} has no access to cluster ${cluster}: add it to CLUSTER_TASKS (lambdas/tasks.ts), which grants its role the credentials`,
    );
  };
  return {
    ...deps,
    connect: async (cluster) => refuse(cluster),
    config: { tunables: () => deps.config.tunables(), cluster: async (name) => refuse(name) },
  };
}
