// A task of a stopped execution keeps running (a Lambda outlives StopExecution and the
// orchestrator's crash alike): its DynamoDB writes are fenced, its cluster calls are not. Found
// by the matrix ("setup:crash"): the stale Setup created a volume while the fresh execution's
// UndoSetup was deleting the SVM, the SVM delete was refused, and the undo ended UndoFailed with
// the destination not cleaned up. The undo must delete what appears meanwhile and finish.
import { ChaosLab, LAB_SVM } from '../../chaos/lab';
import { runScenario } from '../../chaos/scenario';
import { parseSchedule } from '../../chaos/schedule';
import type { Dependencies } from '../../lambdas/domain/migration/dependencies';
import { undoSetup } from '../../lambdas/domain/migration/phases';
import { parseTaskPayload } from '../../lambdas/handlers/payloads';
import { taskHandler } from '../../lambdas/handlers/task';
import { SimControl } from '../../sim/control';
import { ENDPOINT_ENV } from '../support/global-setup';

/** How long the destination holds the SVM delete: the stale task creates its volume meanwhile. */
const HOLD_SVM_DELETE_MS = 300;

describe('an undo racing a stale task', () => {
  const lab = new ChaosLab({ dynamoDbEndpoint: process.env[ENDPOINT_ENV] });

  afterAll(() => lab.close());

  it('deletes the volume a stale setup created while the SVM was being deleted, and rolls back clean', async () => {
    // Prepare: UndoSetup runs beside a stale setup that creates one more volume once the undo
    // has deleted the others, while the SVM delete is held.
    let staleCreated = false;
    const undoSetupBesideStaleSetup = taskHandler(
      'undoSetup',
      parseTaskPayload,
      async (payload, deps: Dependencies) => {
        const record = await deps.store.get(payload.migrationId);
        if (!record || staleCreated) return undoSetup(payload, deps);
        const destination = await deps.connect(record.destination.cluster, 'destination');
        const sim = new SimControl(
          lab.environment.clusters[
            record.destination.cluster === lab.environment.clusters.source.name ? 'source' : 'destination'
          ],
        );
        const hold = await sim.addLatency(HOLD_SVM_DELETE_MS, '/api/svm/svms/*');
        const stale = (async () => {
          const svm = await destination.svms.findByName(LAB_SVM);
          const [aggregate] = await destination.aggregates.list();
          const deadline = Date.now() + 10_000;
          while ((await destination.volumes.list({ svmName: LAB_SVM })).length > 0) {
            if (Date.now() > deadline) throw new Error('the undo never deleted the volumes');
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          await destination.volumes.create({
            name: 'vol_stale',
            svm: { name: LAB_SVM, uuid: svm?.uuid ?? '' },
            size: 1024 ** 2,
            type: 'dp',
            aggregates: [{ name: aggregate.name }],
          });
          staleCreated = true;
        })();
        try {
          return await undoSetup(payload, deps);
        } finally {
          await stale.catch(() => undefined);
          await sim.removeFault(hold);
        }
      },
    );
    // Act: an abort while transferring runs UndoTransfer, then that UndoSetup.
    const result = await runScenario(lab, {
      faults: parseSchedule('transfer:abort'),
      seed: 11,
      replace: { undoSetup: undoSetupBesideStaleSetup },
    });
    // Assess
    expect(staleCreated).toBe(true);
    expect(result.violations).toEqual([]);
    expect(result.run).toMatchObject({ ending: 'rolled_back', endState: 'Aborted' });
    expect(result.remigration?.ending).toBe('migrated');
  });
});
