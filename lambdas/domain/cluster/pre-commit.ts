// Cut-over pre-commit and its undo. preCommit prepares the destination interfaces (same names
// and addresses, down), stops client access at the source by taking its data interfaces
// down, runs a final update of every volume and verifies it. The destination interfaces are
// created first on purpose: they record which source interfaces were up, so undo (and a
// re-run) knows exactly which ones to bring back without any other state.

import { ValidationError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import { unlessNotFound } from '../../ontap/client';
import type { IpInterface, Svm } from '../../ontap/types';
import { forEachLimited } from './concurrency';
import { DEFAULT_CONCURRENCY, type OperationContext, reached, report } from './context';
import { ownedDestinationSvm, requireDestinationSvm, sourceSvm } from './inventory';
import { isHealthy } from './nodes';
import { relationshipsInto, updateAndWait, volumeOf } from './relationships';

export interface PreCommitResult {
  /** Source interfaces taken down (and prepared, down, on the destination). */
  interfaces: string[];
  volumes: { volume: string; bytesTransferred: number }[];
}

export async function preCommit(ctx: OperationContext): Promise<PreCommitResult> {
  const { source, destination } = ctx.clusters;
  const from = await sourceSvm(source, ctx.plan);
  const to = await requireDestinationSvm(destination, ctx.plan);

  const prepared = await prepareDestinationInterfaces(source, destination, from, to);
  const sourceLifs = await source.interfaces.list({ svmName: from.name });
  const stopping = sourceLifs.filter((lif) => prepared.has(lif.name) && lif.enabled);
  for (const lif of stopping) await source.interfaces.disable(lif.uuid);
  if (stopping.length > 0) await reached(ctx, 'client_access_stopped');

  const relationships = await relationshipsInto(destination, to.name);
  const volumes = await forEachLimited(relationships, ctx.concurrency ?? DEFAULT_CONCURRENCY, async (rel) => {
    const done = await updateAndWait(destination, rel);
    const bytes = done.transfer?.bytes_transferred ?? 0;
    await report(
      ctx,
      volumeOf(done),
      { transferState: done.transfer?.state, bytesTransferred: bytes },
      'final_update',
    );
    return { volume: volumeOf(done), bytesTransferred: bytes };
  });
  await verifyMirrored(destination, to);
  return { interfaces: [...prepared].sort(), volumes };
}

/**
 * Creates, down, a destination copy of every source interface that is up and not yet copied;
 * returns the names of all copies. Home nodes are spread over the destination's healthy nodes.
 */
async function prepareDestinationInterfaces(
  source: OntapClient,
  destination: OntapClient,
  from: Svm,
  to: Svm,
): Promise<Set<string>> {
  const [sourceLifs, present, nodes] = await Promise.all([
    source.interfaces.list({ svmName: from.name }),
    destination.interfaces.list({ svmName: to.name }),
    destination.nodes.list(),
  ]);
  const copies = new Set(present.map((l) => l.name));
  const homes = nodes
    .filter(isHealthy)
    .map((n) => n.name)
    .sort();
  if (homes.length === 0)
    throw new ValidationError('destination cluster has no healthy node to home the interfaces on', {
      side: 'destination',
    });
  const missing = sourceLifs
    .filter((l) => l.enabled && !copies.has(l.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const [i, lif] of missing.entries()) {
    await destination.interfaces.create(copyOf(lif, to, homes[i % homes.length]));
    copies.add(lif.name);
  }
  return copies;
}

const copyOf = (lif: IpInterface, to: Svm, homeNode: string) => ({
  name: lif.name,
  svm: { name: to.name, uuid: to.uuid },
  ip: { address: lif.ip.address, netmask: lif.ip.netmask },
  location: { home_node: { name: homeNode } },
  enabled: false,
  ...(lif.service_policy && { service_policy: lif.service_policy }),
});

/** Every relationship mirrored, healthy and its last transfer successful: nothing written at the source is missing. */
async function verifyMirrored(destination: OntapClient, to: Svm): Promise<void> {
  const bad = (await relationshipsInto(destination, to.name)).filter(
    (r) => r.state !== 'snapmirrored' || !r.healthy || r.transfer?.state !== 'success',
  );
  if (bad.length > 0) {
    throw new ValidationError(
      `volumes not fully mirrored after the final update: ${bad.map((r) => `${volumeOf(r)} (${r.state}, ${r.transfer?.state ?? 'no transfer'})`).join(', ')}`,
      {
        side: 'destination',
      },
    );
  }
}

/** Brings back every source interface that preCommit took down, then deletes the destination copies. */
export async function undoPreCommit(ctx: OperationContext): Promise<{ restored: string[] }> {
  const destination = ctx.clusters.destination;
  const to = await ownedDestinationSvm(destination, ctx.plan);
  if (!to) return { restored: [] };
  const restored = await enableSourceInterfacesCopiedTo(ctx, to);
  for (const lif of await destination.interfaces.list({ svmName: to.name }))
    await unlessNotFound(destination.interfaces.delete(lif.uuid));
  return { restored };
}

/** Enables each source interface that has a copy on the destination (the ones preCommit took down). */
export async function enableSourceInterfacesCopiedTo(ctx: OperationContext, to: Svm): Promise<string[]> {
  const { source, destination } = ctx.clusters;
  const copies = new Set((await destination.interfaces.list({ svmName: to.name })).map((l) => l.name));
  const sourceLifs = await source.interfaces.list({ svmName: ctx.plan.sourceSvm });
  const restored: string[] = [];
  for (const lif of sourceLifs.filter((l) => copies.has(l.name))) {
    if (!lif.enabled) await source.interfaces.enable(lif.uuid);
    restored.push(lif.name);
  }
  return restored.sort();
}
