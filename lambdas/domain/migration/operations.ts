// Binds a migration step to the cluster operations: the two clients, the plan from the
// migration record, and per-volume checkpoints written to DynamoDB as the operations go.
import type { OperationContext, VolumeCheckpointPatch } from '../cluster';
import type { MigrationStep } from './step';

export async function operationContext(step: MigrationStep): Promise<OperationContext> {
  const m = step.record;
  const known = new Set((await step.volumes()).map((v) => v.name));
  return {
    clusters: await step.clusters(),
    plan: {
      migrationId: m.id,
      sourceSvm: m.source.svm,
      ...(m.destination.aggregates && { aggregates: m.destination.aggregates }),
      throttleKBps: m.options.throttle,
    },
    concurrency: step.tunables.volumeConcurrency,
    now: () => step.deps.now(),
    // The cut-over window is measured at the clusters: source interfaces down -> destination's up.
    milestone: async (name, at) => {
      await step.save(
        name === 'client_access_stopped'
          ? { times: { cutoverStart: at } }
          : { times: { cutoverComplete: at }, destinationServing: true },
      );
    },
    // Setup meets each volume first; later steps only update the items it created.
    checkpoint: async (volume: string, patch: VolumeCheckpointPatch) => {
      if (known.has(volume)) return step.updateVolume(volume, patch);
      await step.deps.store.putVolumes(m.id, step.payload.executionId, [{ name: volume, ...patch }]);
      known.add(volume);
    },
  };
}
