// SnapMirror between two simulated clusters: real bytes over the inter-cluster link, the
// destination byte-identical to the source snapshot, incremental updates, throttling, and
// resuming an aborted transfer from its checkpoint (and pulling a blob again whose partial
// file is lost).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ONTAP_ERROR } from '../../lambdas/ontap/error-codes';
import { SimControl } from '../../sim/control';
import { DEMO_SVM, seededBytes } from '../../sim/demo';
import type { TransferRecord } from '../../sim/model';
import { clusterDir, peerSvms, type RunningPair, startClusterPair } from '../../sim/pair';
import { ontap, tmpDir, until } from './helpers';

const DST_SVM = 'svm_demo_dst';

async function destinationFor(pair: RunningPair, volume: string) {
  const dst = ontap(pair.destination);
  if ((await dst.get(`/api/svm/svms?name=${DST_SVM}`)).body.num_records === 0) {
    await dst.done('POST', '/api/svm/svms', { name: DST_SVM, subtype: 'dp_destination' });
    await peerSvms(pair.destination, pair.source, DST_SVM, DEMO_SVM);
  }
  await dst.done('POST', '/api/storage/volumes', {
    name: volume,
    svm: { name: DST_SVM },
    type: 'dp',
    size: 1 << 30,
  });
  await dst.done('POST', '/api/snapmirror/relationships', {
    source: { path: `${DEMO_SVM}:${volume}`, cluster: { name: pair.source.name } },
    destination: { path: `${DST_SVM}:${volume}` },
  });
  return dst.one(`/api/snapmirror/relationships?destination.path=${DST_SVM}:${volume}`);
}

async function transferDone(pair: RunningPair, relUuid: string) {
  const dst = ontap(pair.destination);
  const rel = await until(
    async () => {
      const { body } = await dst.get(`/api/snapmirror/relationships/${relUuid}`);
      return ['success', 'failed'].includes(body.transfer?.state) ? body : undefined;
    },
    30_000,
    'transfer end',
  );
  expect(rel.transfer.state).toBe('success');
  return rel;
}

async function expectIdentical(pair: RunningPair, volume: string) {
  const src = new SimControl(pair.source);
  const dst = new SimControl(pair.destination);
  // The destination's newest snapshot is the one the last transfer brought over.
  const destVolume = await ontap(pair.destination).one(
    `/api/storage/volumes?name=${volume}&svm.name=${DST_SVM}`,
  );
  const snapshots = (await ontap(pair.destination).get(`/api/storage/volumes/${destVolume.uuid}/snapshots`))
    .body.records;
  const sourceFiles = await src.volumeFiles(DEMO_SVM, volume, snapshots[snapshots.length - 1].name);
  const destFiles = await dst.volumeFiles(DST_SVM, volume);
  expect(destFiles).toEqual(sourceFiles);
  for (const entry of Object.values(destFiles)) {
    expect((await dst.blob(entry.hash)).equals(await src.blob(entry.hash))).toBe(true);
  }
  return { sourceFiles };
}

describe('SnapMirror between simulated clusters', () => {
  let pair: RunningPair;
  const dataDir = tmpDir();
  beforeAll(async () => {
    pair = await startClusterPair({ dataDir, demo: true, seed: 7 });
  });
  afterAll(() => pair.stop());

  it('copies a baseline, then an update after more writes, byte-identical', async () => {
    // Prepare
    const rel = await destinationFor(pair, 'vol01');
    expect(rel.state).toBe('uninitialized');
    // Act: initialize
    await ontap(pair.destination).done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, {
      state: 'snapmirrored',
    });
    const afterBaseline = await transferDone(pair, rel.uuid);
    // Assess
    expect(afterBaseline.state).toBe('snapmirrored');
    expect(afterBaseline.healthy).toBe(true);
    expect(afterBaseline.lag_time).toMatch(/^PT/);
    const baseline = await expectIdentical(pair, 'vol01');
    const baselineBytes = afterBaseline.transfer.bytes_transferred;
    expect(baselineBytes).toBe(Object.values(baseline.sourceFiles).reduce((s, f) => s + f.size, 0));

    // Act: more writes on the source, then an update
    const client = new SimControl(pair.source);
    await client.writeFile(DEMO_SVM, 'vol01', 'new/after-baseline.txt', 'written after the baseline');
    await client.writeFile(DEMO_SVM, 'vol01', 'README.txt', 'README rewritten');
    const post = await ontap(pair.destination).post(
      `/api/snapmirror/relationships/${rel.uuid}/transfers?return_records=true`,
      {},
    );
    expect(post.status).toBe(201);
    const update = await transferDone(pair, rel.uuid);
    // Assess: only the changed bytes crossed the link, and the copy is identical
    expect(update.transfer.uuid).toBe(post.body.records[0].uuid);
    expect(update.transfer.bytes_transferred).toBe(
      'written after the baseline'.length + 'README rewritten'.length,
    );
    const { sourceFiles } = await expectIdentical(pair, 'vol01');
    expect(sourceFiles['new/after-baseline.txt']).toBeDefined();
  });

  it('takes at least bytes / throttle on a throttled relationship', async () => {
    // Prepare: 256 KiB more on vol02, throttled to 512 KiB/s
    const rel = await destinationFor(pair, 'vol02');
    const throttle = 512; // KB/s, ONTAP's unit
    await ontap(pair.destination).done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { throttle });
    // Act
    const started = performance.now();
    await ontap(pair.destination).done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, {
      state: 'snapmirrored',
    });
    const done = await transferDone(pair, rel.uuid);
    const elapsed = (performance.now() - started) / 1000;
    // Assess
    const bytes = done.transfer.bytes_transferred;
    expect(bytes).toBeGreaterThan(100 * 1024);
    expect(elapsed).toBeGreaterThanOrEqual(bytes / (throttle * 1024));
    await expectIdentical(pair, 'vol02');
  });

  it('resumes an aborted transfer from its checkpoint', async () => {
    // Prepare: a slow baseline
    const rel = await destinationFor(pair, 'vol03');
    const dst = ontap(pair.destination);
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { throttle: 256 });
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { state: 'snapmirrored' });
    const running = await until(async () => {
      const { body } = await dst.get(`/api/snapmirror/relationships/${rel.uuid}`);
      return body.transfer?.bytes_transferred > 100 * 1024 ? body.transfer : undefined;
    });
    // Act: abort, then update again at full speed
    expect(
      (
        await dst.patch(`/api/snapmirror/relationships/${rel.uuid}/transfers/${running.uuid}`, {
          state: 'aborted',
        })
      ).status,
    ).toBe(200);
    const aborted = await until(async () => {
      const { body } = await dst.get(`/api/snapmirror/relationships/${rel.uuid}/transfers/${running.uuid}`);
      return body.state === 'aborted' ? body : undefined;
    });
    const served = (await new SimControl(pair.source).state()).counters.replicationBytesServed;
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { throttle: 0 });
    expect((await dst.post(`/api/snapmirror/relationships/${rel.uuid}/transfers`, {})).status).toBe(201);
    const done = await transferDone(pair, rel.uuid);
    // Assess: the second transfer did not pull again what the checkpoint held
    const servedAfter = (await new SimControl(pair.source).state()).counters.replicationBytesServed;
    expect(aborted.checkpoint_size).toBeGreaterThan(0);
    expect(servedAfter - served).toBeLessThanOrEqual(
      done.transfer.bytes_transferred - aborted.checkpoint_size + 1,
    );
    await expectIdentical(pair, 'vol03');
  });

  it('pulls a blob again when the partial file its checkpoint points into is gone', async () => {
    // Prepare: a 1 MiB file on vol04, a slow baseline aborted once the checkpoint is inside it
    const big = seededBytes(99, 1 << 20);
    await new SimControl(pair.source).writeFile(DEMO_SVM, 'vol04', 'big.bin', big);
    const rel = await destinationFor(pair, 'vol04');
    const dst = ontap(pair.destination);
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { throttle: 512 });
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { state: 'snapmirrored' });
    const inBig = async () => {
      const state = await new SimControl(pair.destination).state();
      const t: TransferRecord | undefined = state.relationships
        .find((r) => r.uuid === rel.uuid)
        ?.transfers.at(-1);
      const cp = t?.checkpoint;
      return cp && cp.offset > 0 && cp.needed[cp.index].size === big.length ? t : undefined;
    };
    const running = await until(inBig, 15_000, 'a checkpoint inside big.bin');
    expect(
      (
        await dst.patch(`/api/snapmirror/relationships/${rel.uuid}/transfers/${running.uuid}`, {
          state: 'aborted',
        })
      ).status,
    ).toBe(200);
    await until(
      async () =>
        (await dst.get(`/api/snapmirror/relationships/${rel.uuid}/transfers/${running.uuid}`)).body.state ===
          'aborted' || undefined,
    );
    const aborted = await inBig();
    expect(aborted).toBeDefined();
    // Act: the partial file is lost, then the transfer resumes at full speed
    const cp = aborted?.checkpoint;
    fs.rmSync(
      path.join(clusterDir(dataDir, pair.destination.name), 'partial', cp?.needed[cp.index].hash ?? ''),
    );
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { throttle: 0 });
    expect((await dst.post(`/api/snapmirror/relationships/${rel.uuid}/transfers`, {})).status).toBe(201);
    const done = await transferDone(pair, rel.uuid);
    // Assess: the blob came over again, whole, and the destination is identical
    const transfer = (
      await dst.get(`/api/snapmirror/relationships/${rel.uuid}/transfers/${done.transfer.uuid}`)
    ).body;
    expect(transfer.bytes_transferred).toBe(transfer.total_bytes);
    const { sourceFiles } = await expectIdentical(pair, 'vol04');
    expect((await new SimControl(pair.destination).blob(sourceFiles['big.bin'].hash)).equals(big)).toBe(true);
  });

  it('quiesces only when the running transfer ends, and refuses a second transfer and a break meanwhile', async () => {
    // Prepare: a slow baseline of vol05 (1 MiB more at 64 KB/s), running
    await new SimControl(pair.source).writeFile(DEMO_SVM, 'vol05', 'big.bin', seededBytes(5, 1 << 20));
    const rel = await destinationFor(pair, 'vol05');
    const dst = ontap(pair.destination);
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { throttle: 64 });
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { state: 'snapmirrored' });
    await until(async () =>
      (await dst.get(`/api/snapmirror/relationships/${rel.uuid}`)).body.transfer?.bytes_transferred > 0
        ? true
        : undefined,
    );

    // Act + assess: refusals with ONTAP's codes while the transfer runs
    const second = await dst.post(`/api/snapmirror/relationships/${rel.uuid}/transfers`, {});
    expect(second.status).toBe(400);
    expect(second.body.error.code).toBe(ONTAP_ERROR.SNAPMIRROR_TRANSFER_IN_PROGRESS);
    const brk = await dst.patch(`/api/snapmirror/relationships/${rel.uuid}`, { state: 'broken_off' });
    expect(brk.status).toBe(400);
    expect(brk.body.error).toMatchObject({
      code: ONTAP_ERROR.SNAPMIRROR_BREAK_TRANSFER_IN_PROGRESS,
      target: 'state',
    });
    // the quiesce is accepted, but the state is not paused while the transfer runs
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { state: 'paused' });
    const quiescing = (await dst.get(`/api/snapmirror/relationships/${rel.uuid}`)).body;
    expect(quiescing.state).toBe('uninitialized');
    expect(quiescing.transfer.state).toBe('transferring');
    // the transfer ends (throttle lifted): the quiesce completes, and no new transfer starts
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { throttle: 0 });
    const paused = await until(async () => {
      const { body } = await dst.get(`/api/snapmirror/relationships/${rel.uuid}`);
      return body.state === 'paused' ? body : undefined;
    });
    expect(paused.transfer.state).toBe('success');
    expect(
      (await dst.post(`/api/snapmirror/relationships/${rel.uuid}/transfers`, {})).body.error.target,
    ).toBe('state');
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { state: 'broken_off' });
    expect((await dst.get(`/api/snapmirror/relationships/${rel.uuid}`)).body.state).toBe('broken_off');
  });

  it('serves the built-in SnapMirror policies; a relationship gets Asynchronous unless told, and an unknown policy is refused', async () => {
    const dst = ontap(pair.destination);
    const policies = (await dst.get('/api/snapmirror/policies')).body.records;
    expect(policies.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['Asynchronous', 'MirrorAllSnapshots']),
    );
    const mirrorAll = policies.find((p: { name: string }) => p.name === 'MirrorAllSnapshots');
    expect(mirrorAll).toMatchObject({ type: 'async', scope: 'cluster' });
    expect((await dst.get(`/api/snapmirror/policies/${mirrorAll.uuid}`)).body.name).toBe(
      'MirrorAllSnapshots',
    );
    // vol01's relationship was created without a policy
    expect(
      (await dst.one(`/api/snapmirror/relationships?destination.path=${DST_SVM}:vol01`)).policy.name,
    ).toBe('Asynchronous');
    await dst.done('POST', '/api/storage/volumes', { name: 'vol06', svm: { name: DST_SVM }, type: 'dp' });
    const unknown = await dst.post('/api/snapmirror/relationships', {
      source: { path: `${DEMO_SVM}:vol06`, cluster: { name: pair.source.name } },
      destination: { path: `${DST_SVM}:vol06` },
      policy: { name: 'MirrorEverythingTwice' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.target).toBe('policy.name');
  });
});
