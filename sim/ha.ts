// HA pairs as ONTAP reports them: a node that is down serves nothing until its partner takes
// it over (after a delay); then the partner serves the down node's aggregates and interfaces.
import type { NodeState, TakeoverState } from '../lambdas/ontap/types';
import type { ClusterState, NodeRecord } from './model';

export function nodeState(node: NodeRecord): NodeState {
  if (!node.down) return 'up';
  return node.takenOver ? 'taken_over' : 'down';
}

export function takeoverState(state: ClusterState, node: NodeRecord): TakeoverState {
  const partner = state.nodes.find((n) => n.uuid === node.partnerUuid);
  if (partner?.down && partner.takenOver && !node.down) return 'in_takeover';
  if (node.down && !node.takenOver && partner?.down) return 'not_possible';
  return 'not_attempted';
}

/** The node that currently serves what `nodeUuid` owns, or undefined while nobody does. */
export function servingNode(state: ClusterState, nodeUuid: string): NodeRecord | undefined {
  const node = state.nodes.find((n) => n.uuid === nodeUuid);
  if (!node) return undefined;
  if (!node.down) return node;
  if (!node.takenOver) return undefined;
  const partner = state.nodes.find((n) => n.uuid === node.partnerUuid);
  return partner && !partner.down ? partner : undefined;
}
