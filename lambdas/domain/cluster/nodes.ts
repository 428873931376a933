// Node health for relocation: when the node that runs a step is unhealthy, the step moves to
// a healthy node of the same cluster, its HA partner first (it already serves the node's disks).

import { NodeUnhealthyError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import type { ClusterNode } from '../../ontap/types';

export const isHealthy = (node: ClusterNode): boolean => node.state === 'up';

/** A healthy node other than `unhealthyNode`: its HA partner when up, else the first up node. */
export async function pickHealthyNode(client: OntapClient, unhealthyNode: string): Promise<ClusterNode> {
  const nodes = await client.nodes.list();
  const bad = nodes.find((n) => n.name === unhealthyNode);
  const partnerNames = new Set((bad?.ha?.partners ?? []).map((p) => p.name));
  const healthy = nodes.filter((n) => n.name !== unhealthyNode && isHealthy(n));
  const pick = healthy.find((n) => partnerNames.has(n.name)) ?? healthy[0];
  if (!pick) {
    throw new NodeUnhealthyError(
      `${client.side} cluster: no healthy node to relocate to from ${unhealthyNode}`,
      { side: client.side, node: unhealthyNode },
    );
  }
  return pick;
}
