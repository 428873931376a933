// The fault matrix inside `npm test`: every step times every fault kind that applies to it, each
// its own migration on the real state machine, checked against the invariants; a rollback must
// be followed by a fresh migration that completes.
import { ChaosLab } from '../../chaos/lab';
import { faultMatrix } from '../../chaos/matrix';
import { runScenario } from '../../chaos/scenario';
import { ENDPOINT_ENV } from '../support/global-setup';
import { expectKept } from './describe';

const SEED = Number(process.env.CHAOS_SEED ?? 20261130);

describe(`fault matrix (seed ${SEED})`, () => {
  const lab = new ChaosLab({ dynamoDbEndpoint: process.env[ENDPOINT_ENV] });

  afterAll(() => lab.close());

  it.each(faultMatrix().map((entry, i) => ({ ...entry, seed: SEED + i })))(
    '"$schedule" keeps every invariant',
    async ({ faults, seed }) => {
      // Act
      const result = await runScenario(lab, { faults, seed });
      // Assess
      expectKept(result);
    },
  );
});
