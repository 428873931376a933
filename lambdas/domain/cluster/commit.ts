// Commit (past the point of no return) and the two ways out of it. commit breaks the
// relationships, mounts the now writable destination volumes (the SVM is `default` from setup),
// stops the source SVM, starts the destination SVM and brings its interfaces up (from here
// the destination serves), then verifies the configuration. restartSourceVserver is the way
// back while the destination does not serve yet; isDestinationServing tells which applies.

import { ConflictError, ValidationError } from '../../errors';
import type { Svm, Volume } from '../../ontap/types';
import { forEachLimited } from './concurrency';
import { compareConfiguration, compareVolumesAndInterfaces, copyConfiguration } from './configuration';
import { DEFAULT_CONCURRENCY, destinationSvmName, type OperationContext, reached, report } from './context';
import { dataVolumes, ownedDestinationSvm, requireDestinationSvm, sourceSvm } from './inventory';
import { enableSourceInterfacesCopiedTo } from './pre-commit';
import { isTransferring, relationshipsInto, volumeOf } from './relationships';

export interface CommitResult {
  /** The destination SVM runs and its interfaces are up: clients are served there. */
  serving: boolean;
}

export async function commit(ctx: OperationContext): Promise<CommitResult> {
  const { source, destination } = ctx.clusters;
  const limit = ctx.concurrency ?? DEFAULT_CONCURRENCY;
  const from = await sourceSvm(source, ctx.plan);
  const to = await requireDestinationSvm(destination, ctx.plan);

  await breakRelationships(ctx, to);
  await mountLikeSource(ctx, from, to);

  // At most one SVM serves at any moment: the source stops before the destination starts.
  if (from.state !== 'stopped') await source.svms.stop(from.uuid);
  const current = await destination.svms.get(to.uuid);
  if (current.state !== 'running') await destination.svms.start(to.uuid);
  const down = (await destination.interfaces.list({ svmName: to.name })).filter((lif) => !lif.enabled);
  for (const lif of down) await destination.interfaces.enable(lif.uuid);
  if (down.length > 0) await reached(ctx, 'destination_serving');

  // Clients are served from here on; what follows is cleanup and checks, off the cut-over window.
  await forEachLimited(await relationshipsInto(destination, to.name), limit, (rel) =>
    destination.snapmirror.deleteRelationship(rel.uuid),
  );
  await verifyConfiguration(ctx, from, to);
  return { serving: await isDestinationServing(ctx) };
}

/**
 * Quiesce (ONTAP reports `paused` once a running transfer has ended), then break: the
 * destination volumes become writable (`rw`). Each waits until the state is reached.
 */
async function breakRelationships(ctx: OperationContext, to: Svm): Promise<void> {
  const destination = ctx.clusters.destination;
  await forEachLimited(
    await relationshipsInto(destination, to.name),
    ctx.concurrency ?? DEFAULT_CONCURRENCY,
    async (rel) => {
      if (rel.state === 'broken_off') return;
      if (rel.state !== 'paused' || isTransferring(rel)) await destination.snapmirror.quiesce(rel.uuid);
      await destination.snapmirror.break(rel.uuid);
      await report(ctx, volumeOf(rel), {}, 'broken_off');
    },
  );
}

/**
 * Each destination volume mounted at its source's junction path with its source's export
 * policy; parents before children (`/a` before `/a/b`: ONTAP mounts a junction only inside a
 * path that exists), so one depth at a time.
 */
async function mountLikeSource(ctx: OperationContext, from: Svm, to: Svm): Promise<void> {
  const { source, destination } = ctx.clusters;
  const [sourceVolumes, destinationVolumes] = await Promise.all([
    dataVolumes(source, from.name),
    dataVolumes(destination, to.name),
  ]);
  const byName = new Map(sourceVolumes.map((v) => [v.name, v]));
  const depth = (volume: Volume): number =>
    (byName.get(volume.name)?.nas?.path ?? '').split('/').filter(Boolean).length;
  const depths = [...new Set(destinationVolumes.map(depth))].sort((a, b) => a - b);
  for (const level of depths)
    await mountLevel(
      ctx,
      destinationVolumes.filter((v) => depth(v) === level),
      byName,
    );
}

async function mountLevel(
  ctx: OperationContext,
  volumes: Volume[],
  byName: Map<string, Volume>,
): Promise<void> {
  const destination = ctx.clusters.destination;
  await forEachLimited(volumes, ctx.concurrency ?? DEFAULT_CONCURRENCY, async (volume) => {
    const want = byName.get(volume.name)?.nas;
    if (volume.type !== 'rw') {
      throw new ValidationError(
        `destination volume ${volume.name} is ${volume.type} after its relationship was broken`,
        { side: 'destination' },
      );
    }
    if (
      want &&
      (want.path !== volume.nas?.path || want.export_policy?.name !== volume.nas?.export_policy?.name)
    ) {
      await destination.volumes.update(volume.uuid, {
        nas: {
          ...(want.path && { path: want.path }),
          ...(want.export_policy && { export_policy: want.export_policy }),
        },
      });
    }
    await report(ctx, volume.name, {}, 'mounted');
  });
}

/** Re-applies the configuration (idempotent) and fails when anything still differs. */
async function verifyConfiguration(ctx: OperationContext, from: Svm, to: Svm): Promise<void> {
  const { source, destination } = ctx.clusters;
  await copyConfiguration(source, destination, from, to);
  const [config, srcVolumes, dstVolumes, srcLifs, dstLifs] = await Promise.all([
    compareConfiguration(source, destination, from, to),
    dataVolumes(source, from.name),
    dataVolumes(destination, to.name),
    source.interfaces.list({ svmName: from.name }),
    destination.interfaces.list({ svmName: to.name }),
  ]);
  // Only interfaces that were up moved; those down at the source stay behind.
  const moved = new Set(dstLifs.map((l) => l.name));
  const differences = [
    ...config,
    ...compareVolumesAndInterfaces(
      srcVolumes,
      dstVolumes,
      srcLifs.filter((l) => moved.has(l.name)),
      dstLifs,
    ),
  ];
  if (differences.length > 0) {
    throw new ValidationError(
      `destination configuration differs from the source: ${differences.join('; ')}`,
      { side: 'destination' },
    );
  }
}

/** Whether clients are served by the destination: its SVM is a running `default` SVM with an interface up. */
export async function isDestinationServing(ctx: OperationContext): Promise<boolean> {
  const destination = ctx.clusters.destination;
  const svm = await destination.svms.findByName(destinationSvmName(ctx.plan));
  if (svm?.state !== 'running' || svm.subtype !== 'default') return false;
  return (await destination.interfaces.list({ svmName: svm.name })).some(
    (l) => l.enabled && l.state === 'up',
  );
}

/**
 * Whether clients may have written to the destination: its SVM is a running `default` SVM with
 * an interface enabled (up or not: a node coming back brings it up). From then on the migration
 * only rolls forward, whatever DynamoDB last recorded (a crash can fall between the first
 * interface coming up and the milestone being saved).
 */
export async function destinationTakesClients(ctx: OperationContext): Promise<boolean> {
  const destination = ctx.clusters.destination;
  const svm = await destination.svms.findByName(destinationSvmName(ctx.plan));
  if (svm?.state !== 'running' || svm.subtype !== 'default') return false;
  return (await destination.interfaces.list({ svmName: svm.name })).some((l) => l.enabled);
}

/**
 * The way back from a commit that failed before the destination served: the destination is
 * made not to serve (interfaces down, SVM stopped), the source SVM and its interfaces come back.
 * Refused once the destination takes clients: their acknowledged writes live only there.
 */
export async function restartSourceVserver(ctx: OperationContext): Promise<{ restored: string[] }> {
  const { source, destination } = ctx.clusters;
  if (await destinationTakesClients(ctx)) {
    throw new ConflictError(
      `refusing to restart source SVM ${ctx.plan.sourceSvm}: the destination SVM takes clients; the migration only rolls forward`,
      {
        side: 'destination',
      },
    );
  }
  const to = await ownedDestinationSvm(destination, ctx.plan);
  if (to) {
    for (const lif of await destination.interfaces.list({ svmName: to.name }))
      if (lif.enabled) await destination.interfaces.disable(lif.uuid);
    if (to.state === 'running' || to.state === 'starting') await destination.svms.stop(to.uuid);
  }
  const from = await sourceSvm(source, ctx.plan);
  if (from.state !== 'running') await source.svms.start(from.uuid);
  return { restored: to ? await enableSourceInterfacesCopiedTo(ctx, to) : [] };
}
