// The source SVM's inventory read again while the migration transfers and before pre-commit
// stops client access, so that nothing that differs is discovered after the destination serves
// (a volume created on the source during the transfer was never mirrored, and its acknowledged
// files were stranded on the stopped source).
import { ValidationError } from '../../errors';
import * as cluster from '../cluster';
import { destinationSvmName } from '../cluster/context';
import { dataVolumes } from '../cluster/inventory';
import type { MigrationStep } from './step';

export interface SourceDrift {
  /** Source volumes with no destination copy yet. */
  added: string[];
  /** Destination copies whose source volume is gone. */
  deleted: string[];
}

export async function sourceDrift(ctx: cluster.OperationContext): Promise<SourceDrift> {
  const { source, destination } = ctx.clusters;
  const [volumes, copies] = await Promise.all([
    dataVolumes(source, ctx.plan.sourceSvm),
    dataVolumes(destination, destinationSvmName(ctx.plan)),
  ]);
  const onSource = new Set(volumes.map((v) => v.name));
  const copied = new Set(copies.map((v) => v.name));
  return {
    added: [...onSource].filter((name) => !copied.has(name)).sort(),
    deleted: [...copied].filter((name) => !onSource.has(name)).sort(),
  };
}

/**
 * While transferring: a volume created on the source joins the migration (setup creates its
 * destination volume and relationship, as it skips what exists; the transfer starts its
 * baseline), unless the migration refuses source changes. A deleted one is refused here,
 * before the point of no return and with client access untouched.
 */
export async function followSource(step: MigrationStep, ctx: cluster.OperationContext): Promise<void> {
  const drift = await sourceDrift(ctx);
  refuseDrift(step, {
    added: step.record.options.sourceChanges === 'refuse' ? drift.added : [],
    deleted: drift.deleted,
  });
  if (drift.added.length === 0) return;
  await cluster.setup(ctx);
  await cluster.startTransfer(ctx);
  await step.event('source_volumes_added', { volumes: drift.added });
}

/** Before pre-commit takes the source interfaces down: any difference fails it now, naming it. */
export async function requireSourceUnchanged(
  step: MigrationStep,
  ctx: cluster.OperationContext,
): Promise<void> {
  refuseDrift(step, await sourceDrift(ctx));
}

function refuseDrift(step: MigrationStep, drift: SourceDrift): void {
  const parts = [
    ...(drift.added.length > 0 ? [`volume(s) ${drift.added.join(', ')} created`] : []),
    ...(drift.deleted.length > 0 ? [`volume(s) ${drift.deleted.join(', ')} deleted`] : []),
  ];
  if (parts.length === 0) return;
  throw new ValidationError(
    `source SVM ${step.record.source.svm} changed during the migration: ${parts.join('; ')}; failing before the point of no return (sourceChanges: ${step.record.options.sourceChanges ?? 'follow'})`,
    { side: 'source', field: 'sourceChanges' },
  );
}
