// The tasks outside CLUSTER_TASKS get no cluster connection at run time, as their roles get no
// credentials on AWS; the cluster tasks get the dependencies as given.
import type { Dependencies } from '../../lambdas/domain/migration/dependencies';
import { withClusterAccessOf } from '../../lambdas/handlers/cluster-access';

function dependencies(): { deps: Dependencies; calls: string[] } {
  const calls: string[] = [];
  const deps = {
    connect: async (cluster: string) => {
      calls.push(`connect ${cluster}`);
      return {};
    },
    config: {
      tunables: async () => {
        calls.push('tunables');
        return {};
      },
      cluster: async (name: string) => {
        calls.push(`cluster ${name}`);
        return {};
      },
    },
  } as unknown as Dependencies;
  return { deps, calls };
}

describe('cluster access by task', () => {
  it('refuses a bookkeeping task a cluster connection and its credentials, naming the task and the fix', async () => {
    // Prepare
    const { deps, calls } = dependencies();
    // Act
    const limited = withClusterAccessOf('decideRestart', deps);
    // Assess
    await expect(limited.connect('source', 'source')).rejects.toThrow(
      'task decideRestart has no access to cluster source: add it to CLUSTER_TASKS',
    );
    await expect(limited.config.cluster('destination')).rejects.toThrow(
      'task decideRestart has no access to cluster destination',
    );
    await limited.config.tunables();
    expect(calls).toEqual(['tunables']);
  });

  it('gives a cluster task the dependencies as they are', async () => {
    const { deps, calls } = dependencies();
    const full = withClusterAccessOf('setup', deps);
    await full.connect('source', 'source');
    await full.config.cluster('destination');
    expect(calls).toEqual(['connect source', 'cluster destination']);
  });
});
