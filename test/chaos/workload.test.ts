// The client workload against two simulated clusters: it records what was acknowledged, finds
// the SVM again when it stops serving on one cluster, and records the interval it had none.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientWorkload } from '../../chaos/workload';
import { SimControl } from '../../sim/control';
import { DEMO_SVM, seedDemo } from '../../sim/demo';
import { type RunningPair, startClusterPair } from '../../sim/pair';

describe('client workload', () => {
  let pair: RunningPair;

  beforeAll(async () => {
    pair = await startClusterPair({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'svm-')), jobDelayMs: 2 });
    await seedDemo(pair.source, 1, { volumes: 2, fileBytes: 64 });
  });
  afterAll(() => pair.stop());

  async function until(what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('writes and reads where the SVM serves, and records the interval in which nobody served it', async () => {
    // Prepare
    const source = new SimControl(pair.source);
    const workload = new ClientWorkload({
      svm: DEMO_SVM,
      volumes: ['vol01', 'vol02'],
      clusters: [pair.source, pair.destination],
      seed: 5,
      run: 'test',
      intervalMs: 2,
    }).start();
    await until('a few operations', () => workload.successes >= 5);
    // Act: the cluster stops answering (refused connections), then answers again.
    await source.unreachable('refuse');
    await until('the client to find no cluster serving', () => workload.unavailable);
    const cutAt = workload.successes;
    await source.reachable();
    await until('operations after the outage', () => workload.successes >= cutAt + 5);
    const record = await workload.stop();
    // Assess
    expect(record.writes.length).toBeGreaterThan(0);
    expect(record.staleReads).toEqual([]);
    expect(record.unavailability.length).toBeGreaterThanOrEqual(1);
    expect(record.longestUnavailableMs).toBeGreaterThan(0);
    expect(record.lastServedBy).toBe(pair.source.name);
    for (const [key, hash] of workload.expected()) {
      const [volume, ...file] = key.split('/');
      expect((await source.listFiles(DEMO_SVM, volume)).find((f) => f.path === file.join('/'))?.hash).toBe(
        hash,
      );
    }
  });
});
