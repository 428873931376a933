// Where each destination volume goes: the same size as its source, on the chosen aggregate
// with the most free space that fits it (largest volumes first, so big ones are not stranded).

import { NotFoundError, ValidationError } from '../../errors';
import type { Aggregate, ClusterNode } from '../../ontap/types';
import { isHealthy } from './nodes';

export interface VolumeToPlace {
  name: string;
  size: number;
}

/** The aggregates a migration may use: the named ones, or every online one on a healthy node. */
export function candidateAggregates(
  aggregates: Aggregate[],
  nodes: ClusterNode[],
  names?: string[],
): Aggregate[] {
  const healthyNodes = new Set(nodes.filter(isHealthy).map((n) => n.name));
  if (names && names.length > 0) {
    const missing = names.filter((name) => !aggregates.some((a) => a.name === name));
    if (missing.length > 0) {
      throw new NotFoundError(`destination aggregates not found: ${missing.join(', ')}`, {
        side: 'destination',
        field: 'destination.aggregates',
      });
    }
  }
  return aggregates.filter(
    (a) =>
      (names && names.length > 0 ? names.includes(a.name) : true) &&
      a.state === 'online' &&
      healthyNodes.has(a.node.name),
  );
}

/** volume name -> aggregate name; throws a ValidationError naming the first volume that does not fit. */
export function placeVolumes(volumes: VolumeToPlace[], aggregates: Aggregate[]): Map<string, string> {
  const free = new Map(aggregates.map((a) => [a.name, a.space.block_storage.available]));
  const placement = new Map<string, string>();
  for (const volume of [...volumes].sort((a, b) => b.size - a.size || a.name.localeCompare(b.name))) {
    const [best] = [...free.entries()]
      .filter(([, available]) => available >= volume.size)
      .sort((a, b) => b[1] - a[1]);
    if (!best) {
      throw new ValidationError(
        `no destination aggregate has ${volume.size} bytes free for volume ${volume.name}`,
        {
          side: 'destination',
          field: 'destination.aggregates',
        },
      );
    }
    placement.set(volume.name, best[0]);
    free.set(best[0], best[1] - volume.size);
  }
  return placement;
}
