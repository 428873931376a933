// What the invariant checker and the injector read off a cluster's state dump: whether an SVM
// serves clients there, what of it exists there, and which nodes host its volumes.
import type { StateDump } from '../sim/control-routes';

type Node = StateDump['nodes'][number];

/** Whether a node's work is served: it is up, or its partner took it over and is up. */
function nodeServes(dump: StateDump, nodeUuid: string): boolean {
  const node = dump.nodes.find((n) => n.uuid === nodeUuid);
  if (!node) return false;
  if (!node.down) return true;
  const partner = dump.nodes.find((n) => n.uuid === node.partnerUuid);
  return node.takenOver && partner !== undefined && !partner.down;
}

/** As the data endpoint decides it: the SVM runs as a `default` SVM and one of its interfaces is up. */
export function serves(dump: StateDump, svmName: string): boolean {
  const svm = dump.svms.find((s) => s.name === svmName);
  if (svm?.state !== 'running' || svm.subtype !== 'default') return false;
  return dump.interfaces.some((l) => l.svmUuid === svm.uuid && l.enabled && nodeServes(dump, l.homeNodeUuid));
}

/** Everything of an SVM (by name) that a cluster holds, in words, for violation messages. */
export function footprint(dump: StateDump, svmName: string): string[] {
  const svm = dump.svms.find((s) => s.name === svmName);
  const held: string[] = [];
  if (svm)
    held.push(`SVM ${svm.name} (${svm.state}, ${svm.subtype}${svm.comment ? `, "${svm.comment}"` : ''})`);
  const svmUuids = new Set(dump.svms.map((s) => s.uuid));
  for (const v of dump.volumes) {
    if (svm && v.svmUuid === svm.uuid) held.push(`volume ${v.name} (${v.type})`);
    else if (!svmUuids.has(v.svmUuid)) held.push(`volume ${v.name} of a deleted SVM`);
  }
  for (const l of dump.interfaces) {
    if ((svm && l.svmUuid === svm.uuid) || !svmUuids.has(l.svmUuid)) held.push(`interface ${l.name}`);
  }
  for (const r of dump.relationships)
    if (r.destination.path.startsWith(`${svmName}:`)) held.push(`relationship into ${r.destination.path}`);
  return held;
}

/** Each node of the cluster that hosts one of the SVM's volumes, by node name (most volumes first). */
export function nodesHosting(dump: StateDump, svmName: string): Node[] {
  const svm = dump.svms.find((s) => s.name === svmName);
  if (!svm) return [];
  const counts = new Map<string, number>();
  for (const v of dump.volumes.filter((vol) => vol.svmUuid === svm.uuid)) {
    const nodeUuid = dump.aggregates.find((a) => a.uuid === v.aggregateUuid)?.nodeUuid;
    if (nodeUuid) counts.set(nodeUuid, (counts.get(nodeUuid) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .flatMap(([uuid]) => dump.nodes.filter((n) => n.uuid === uuid));
}
