// Conformance: every enum value the simulator answers with, after exercising every resource
// through its states, is one of ONTAP's (the lists in lambdas/ontap/types.ts, checked
// against ONTAP's REST models).
import {
  AGGREGATE_STATES,
  INTERFACE_STATES,
  JOB_STATES,
  NODE_MEMBERSHIPS,
  NODE_STATES,
  PEER_STATES,
  SNAPMIRROR_STATES,
  SVM_STATES,
  SVM_SUBTYPES,
  TAKEOVER_STATES,
  TRANSFER_STATES,
  VOLUME_MOVE_STATES,
  VOLUME_STATES,
  VOLUME_TYPES,
} from '../../lambdas/ontap/types';
import { SimControl } from '../../sim/control';
import { DEMO_SVM } from '../../sim/demo';
import { peerSvms, type RunningPair, startClusterPair } from '../../sim/pair';
import { ontap, tmpDir, until } from './helpers';

type Seen = Map<string, Set<string>>;

/** Where each enum lives in the API answers: collection, field path, ONTAP's list. */
const FIELDS: [string, string, string, readonly string[]][] = [
  ['svm.state', '/api/svm/svms', 'state', SVM_STATES],
  ['svm.subtype', '/api/svm/svms', 'subtype', SVM_SUBTYPES],
  ['volume.type', '/api/storage/volumes', 'type', VOLUME_TYPES],
  ['volume.state', '/api/storage/volumes', 'state', VOLUME_STATES],
  ['volume.movement.state', '/api/storage/volumes', 'movement.state', VOLUME_MOVE_STATES],
  ['node.state', '/api/cluster/nodes', 'state', NODE_STATES],
  ['node.membership', '/api/cluster/nodes', 'membership', NODE_MEMBERSHIPS],
  ['node.ha.takeover.state', '/api/cluster/nodes', 'ha.takeover.state', TAKEOVER_STATES],
  ['aggregate.state', '/api/storage/aggregates', 'state', AGGREGATE_STATES],
  ['relationship.state', '/api/snapmirror/relationships', 'state', SNAPMIRROR_STATES],
  ['relationship.transfer.state', '/api/snapmirror/relationships', 'transfer.state', TRANSFER_STATES],
  ['job.state', '/api/cluster/jobs', 'state', JOB_STATES],
  ['interface.state', '/api/network/ip/interfaces', 'state', INTERFACE_STATES],
  ['peer.status.state', '/api/cluster/peers', 'status.state', PEER_STATES],
];

const at = (record: unknown, path: string) =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], record);

async function sample(clusters: RunningPair['source'][], seen: Seen): Promise<void> {
  for (const cluster of clusters) {
    const api = ontap(cluster);
    for (const [name, collection, field] of FIELDS) {
      for (const record of (await api.get(collection)).body.records) {
        const value = at(record, field);
        if (value !== undefined) seen.set(name, (seen.get(name) ?? new Set()).add(String(value)));
      }
    }
    for (const rel of (await api.get('/api/snapmirror/relationships')).body.records) {
      for (const t of (await api.get(`/api/snapmirror/relationships/${rel.uuid}/transfers`)).body.records) {
        seen.set('transfer.state', (seen.get('transfer.state') ?? new Set()).add(t.state));
      }
    }
  }
}

describe('enum conformance', () => {
  let pair: RunningPair;
  afterAll(() => pair?.stop());

  it('answers only ONTAP enum values while every resource goes through its states', async () => {
    const seen: Seen = new Map();
    pair = await startClusterPair({ dataDir: tmpDir(), demo: true, takeoverDelayMs: 200, movePhaseMs: 50 });
    const src = ontap(pair.source);
    const dst = ontap(pair.destination);
    const control = new SimControl(pair.source);
    const step = () => sample([pair.source, pair.destination], seen);
    await step();

    // SnapMirror: uninitialized -> (transferring) -> snapmirrored -> paused -> snapmirrored -> broken_off
    await dst.done('POST', '/api/svm/svms', { name: 'svm_dr', subtype: 'dp_destination' });
    await peerSvms(pair.destination, pair.source, 'svm_dr', DEMO_SVM);
    for (const v of ['vol01', 'vol02']) {
      await dst.done('POST', '/api/storage/volumes', { name: v, svm: { name: 'svm_dr' }, type: 'dp' });
      await dst.done('POST', '/api/snapmirror/relationships', {
        source: { path: `${DEMO_SVM}:${v}` },
        destination: { path: `svm_dr:${v}` },
        throttle: 256,
      });
    }
    const [rel1, rel2] = (await dst.get('/api/snapmirror/relationships')).body.records;
    await step();
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel1.uuid}`, { state: 'snapmirrored' });
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel2.uuid}`, { state: 'snapmirrored' });
    const running = await until(async () => {
      const { body } = await dst.get(`/api/snapmirror/relationships/${rel2.uuid}`);
      return body.transfer?.state === 'transferring' ? body.transfer : undefined;
    });
    await step();
    await dst.patch(`/api/snapmirror/relationships/${rel2.uuid}/transfers/${running.uuid}`, {
      state: 'aborted',
    });
    await until(async () =>
      (await dst.get(`/api/snapmirror/relationships/${rel1.uuid}`)).body.state === 'snapmirrored'
        ? true
        : undefined,
    );
    await step();
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel1.uuid}`, { state: 'paused' });
    await step();
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel1.uuid}`, { state: 'snapmirrored' });
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel1.uuid}`, { state: 'broken_off' });
    // a failed transfer and a failed job: link down
    await control.linkDown();
    await dst.done('POST', '/api/storage/volumes', { name: 'vol04', svm: { name: 'svm_dr' }, type: 'dp' });
    const failing = await dst.post('/api/snapmirror/relationships', {
      source: { path: `${DEMO_SVM}:vol04` },
      destination: { path: 'svm_dr:vol04' },
    });
    expect((await dst.job(failing.body.job.uuid)).state).toBe('failure');
    await dst.post(`/api/snapmirror/relationships/${rel2.uuid}/transfers`, {});
    await until(async () =>
      (await dst.get(`/api/snapmirror/relationships/${rel2.uuid}`)).body.transfer?.state === 'failed'
        ? true
        : undefined,
    );
    await step();
    await control.linkUp();

    // Nodes: down, taken over, giveback; a volume moving; interfaces down; SVM stopping/stopped; a failed job
    const node = (await src.get('/api/cluster/nodes')).body.records[0].name;
    await control.nodeDown(node);
    await step();
    await until(async () =>
      (await src.one(`/api/cluster/nodes?name=${node}`)).state === 'taken_over' ? true : undefined,
    );
    await step();
    await control.nodeUp(node);
    const vol = await src.one('/api/storage/volumes?name=vol03');
    const other = (await src.get('/api/storage/aggregates')).body.records.find(
      (a: { name: string }) => a.name !== vol.aggregates[0].name,
    );
    const move = await src.patch(`/api/storage/volumes/${vol.uuid}`, { aggregates: [{ name: other.name }] });
    await until(async () =>
      (await src.get(`/api/storage/volumes/${vol.uuid}`)).body.movement ? true : undefined,
    );
    await step();
    await src.job(move.body.job.uuid);
    const svm = await src.one(`/api/svm/svms?name=${DEMO_SVM}`);
    await src.patch(`/api/svm/svms/${svm.uuid}`, { state: 'stopped' });
    await step();
    await until(async () =>
      (await src.get(`/api/svm/svms/${svm.uuid}`)).body.state === 'stopped' ? true : undefined,
    );
    await control.unreachable();
    await sample([pair.destination], seen);
    await control.reachable();

    // Assess: nothing outside ONTAP's lists, and the walk did cover the interesting states
    for (const [name, , , allowed] of FIELDS) {
      for (const value of seen.get(name) ?? [])
        expect({ field: name, value, ok: allowed.includes(value) }).toEqual({ field: name, value, ok: true });
    }
    for (const value of seen.get('transfer.state') ?? []) expect(TRANSFER_STATES).toContain(value);
    expect([...(seen.get('relationship.state') ?? [])].sort()).toEqual([
      'broken_off',
      'paused',
      'snapmirrored',
      'uninitialized',
    ]);
    expect([...(seen.get('transfer.state') ?? [])].sort()).toEqual(
      expect.arrayContaining(['aborted', 'failed', 'success', 'transferring']),
    );
    expect([...(seen.get('node.state') ?? [])].sort()).toEqual(['down', 'taken_over', 'up']);
    expect([...(seen.get('svm.state') ?? [])]).toEqual(expect.arrayContaining(['running', 'stopped']));
    expect([...(seen.get('interface.state') ?? [])].sort()).toEqual(['down', 'up']);
    expect([...(seen.get('peer.status.state') ?? [])].sort()).toEqual(['available', 'unavailable']);
    expect([...(seen.get('job.state') ?? [])]).toEqual(expect.arrayContaining(['success', 'failure']));
    expect([...(seen.get('volume.type') ?? [])].sort()).toEqual(['dp', 'rw']);
  });
});
