// The fault matrix inside `npm test`: every step times every fault kind that applies to it, each
// its own migration on the real state machine, checked against the invariants; a rollback must
// be followed by a fresh migration that completes. It is split into shards, one test file each,
// so that jest's workers run them side by side (each shard has its own lab); row i keeps the
// seed SEED + i whichever shard runs it.
import { ChaosLab } from '../../chaos/lab';
import { faultMatrix } from '../../chaos/matrix';
import { runScenario } from '../../chaos/scenario';
import { ENDPOINT_ENV } from '../support/global-setup';
import { expectKept } from './describe';

const SEED = Number(process.env.CHAOS_SEED ?? 20261130);
export const MATRIX_SHARDS = 3;

export function describeMatrixShard(shard: number): void {
  describe(`fault matrix, shard ${shard + 1} of ${MATRIX_SHARDS} (seed ${SEED})`, () => {
    const lab = new ChaosLab({ dynamoDbEndpoint: process.env[ENDPOINT_ENV] });

    afterAll(() => lab.close());

    const rows = faultMatrix()
      .map((entry, i) => ({ ...entry, seed: SEED + i, row: i }))
      .filter(({ row }) => row % MATRIX_SHARDS === shard);
    it.each(rows)('"$schedule" keeps every invariant', async ({ faults, seed }) => {
      // Act
      const result = await runScenario(lab, { faults, seed });
      // Assess
      expectKept(result);
    });
  });
}
