// Relocation after NodeUnhealthyError: the destination volumes on the unhealthy node move to
// an aggregate of a healthy node (its HA partner first), so the step can run again there.

import { forEachLimited } from './concurrency';
import type { OperationContext } from './context';
import { DEFAULT_CONCURRENCY, report } from './context';
import { dataVolumes, requireDestinationSvm } from './inventory';
import { pickHealthyNode } from './nodes';

export interface RelocationResult {
  node: string;
  moved: string[];
}

export async function relocateDestinationVolumes(
  ctx: OperationContext,
  unhealthyNode: string,
): Promise<RelocationResult> {
  const destination = ctx.clusters.destination;
  const target = await pickHealthyNode(destination, unhealthyNode);
  const svm = await requireDestinationSvm(destination, ctx.plan);
  const aggregates = await destination.aggregates.list();
  const onNode = new Set(aggregates.filter((a) => a.node.name === unhealthyNode).map((a) => a.name));
  const [best] = aggregates
    .filter((a) => a.node.name === target.name && a.state === 'online')
    .sort((a, b) => b.space.block_storage.available - a.space.block_storage.available);
  const stranded = (await dataVolumes(destination, svm.name)).filter((v) =>
    v.aggregates.some((a) => onNode.has(a.name)),
  );
  if (!best) return { node: target.name, moved: [] };
  await forEachLimited(stranded, ctx.concurrency ?? DEFAULT_CONCURRENCY, async (volume) => {
    await destination.volumes.move(volume.uuid, best.name);
    await report(ctx, volume.name, { node: target.name }, 'relocated');
  });
  return { node: target.name, moved: stranded.map((v) => v.name) };
}
