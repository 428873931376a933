// Invariant 1 as the prober samples it: it stays quiet while one cluster serves the SVM and
// reports the probe at which both do.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServingProber } from '../../chaos/invariants';
import { DEMO_SVM, seedDemo } from '../../sim/demo';
import { type RunningPair, startClusterPair } from '../../sim/pair';

describe('serving prober', () => {
  let pair: RunningPair;

  beforeAll(async () => {
    pair = await startClusterPair({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'svm-')), jobDelayMs: 2 });
    await seedDemo(pair.source, 1, { volumes: 1, fileBytes: 16 });
  });
  afterAll(() => pair.stop());

  async function probesUntil(prober: ServingProber, count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (prober.probes < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} probes`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  it('reports the SVM serving on both clusters', async () => {
    // Prepare: one cluster serves.
    const prober = new ServingProber(DEMO_SVM, [pair.source, pair.destination], 1).start();
    await probesUntil(prober, 3);
    // Act: the same SVM starts serving on the other cluster too.
    await seedDemo(pair.destination, 1, { volumes: 1, fileBytes: 16 });
    await probesUntil(prober, prober.probes + 3);
    const { violations } = await prober.stop();
    // Assess
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]).toMatchObject({
      invariant: 1,
      message: expect.stringContaining(`SVM ${DEMO_SVM} serves on cluster-src and cluster-dst`),
    });
  });
});
