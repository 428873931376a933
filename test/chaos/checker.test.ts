// The checker can fail: an undo that leaves one destination volume behind (a test double of the
// undoSetup task, swapped in through the handler registry) and says it succeeded is caught by
// invariant 3, although the migration itself ends "rolled back" as if nothing were wrong.
import { ChaosLab } from '../../chaos/lab';
import { runScenario } from '../../chaos/scenario';
import { parseSchedule } from '../../chaos/schedule';
import type { Dependencies } from '../../lambdas/domain/migration/dependencies';
import { undoSetup } from '../../lambdas/domain/migration/phases';
import { parseTaskPayload } from '../../lambdas/handlers/payloads';
import { taskHandler } from '../../lambdas/handlers/task';
import type { OntapClient } from '../../lambdas/ontap/client';
import { ENDPOINT_ENV } from '../support/global-setup';

/** undoSetup as it should run, but the destination forgets to delete its first volume and, then, the SVM that holds it. */
const undoSetupLeavingOneVolume = taskHandler(
  'undoSetup',
  parseTaskPayload,
  async (payload, deps: Dependencies) => {
    let spared: string | undefined;
    const connect: Dependencies['connect'] = async (cluster, side) => {
      const client = await deps.connect(cluster, side);
      if (side !== 'destination') return client;
      const volumes = Object.assign(Object.create(client.volumes) as OntapClient['volumes'], {
        delete: async (uuid: string) => {
          spared ??= uuid;
          if (spared !== uuid) await client.volumes.delete(uuid);
        },
      });
      const svms = Object.assign(Object.create(client.svms) as OntapClient['svms'], {
        delete: async (uuid: string) => {
          if (!spared) await client.svms.delete(uuid);
        },
      });
      return Object.assign(Object.create(client) as OntapClient, { volumes, svms });
    };
    return undoSetup(payload, { ...deps, connect });
  },
);

describe('the invariant checker', () => {
  const lab = new ChaosLab({ dynamoDbEndpoint: process.env[ENDPOINT_ENV] });

  afterAll(() => lab.close());

  it('reports the destination volume an undo left behind', async () => {
    // Prepare: an abort while transferring runs UndoTransfer, then the broken UndoSetup.
    const faults = parseSchedule('transfer:abort');
    // Act
    const result = await runScenario(lab, {
      faults,
      seed: 3,
      replace: { undoSetup: undoSetupLeavingOneVolume },
      remigrate: false,
    });
    // Assess: the run looks fine from the state machine's side...
    expect(result.run).toMatchObject({ ending: 'rolled_back', endState: 'Aborted' });
    // ...and the checker says what is wrong.
    expect(result.passed).toBe(false);
    const invariant3 = result.violations.filter((v) => v.invariant === 3).map((v) => v.message);
    expect(invariant3).toEqual([
      expect.stringMatching(
        /after the undo the destination cluster-dst still holds SVM svm_demo .*volume vol0\d \(dp\)/,
      ),
      expect.stringMatching(/destination volume vol0\d .* that the migration created is still there/),
    ]);
    expect(result.writesLost).toBe(0);
  });

  it('reports an undo whose intermittent failures outlast its retries (the design ends it UndoFailed, for an operator)', async () => {
    // Prepare: one 503 more than the undo's retries absorb.
    const faults = parseSchedule(`transfer:abort,undo-setup:transient*${lab.retryMaxAttempts + 1}`);
    // Act
    const result = await runScenario(lab, { faults, seed: 5 });
    // Assess
    expect(result.run).toMatchObject({ ending: 'failed', endState: 'UndoFailed' });
    expect(result.remigration).toBeUndefined();
    expect(result.violations.map((v) => v.invariant)).toContain(3);
    expect(result.violations.find((v) => v.invariant === 3)?.message).toContain('an undo failed');
    expect(result.writesLost).toBe(0);
  });

  it('passes the same run with the real undo', async () => {
    // Act
    const result = await runScenario(lab, { faults: parseSchedule('transfer:abort'), seed: 3 });
    // Assess
    expect(result.violations).toEqual([]);
    expect(result.run.ending).toBe('rolled_back');
    expect(result.remigration?.ending).toBe('migrated');
  });
});
