// The way out of `undo_failed` (issue 13): an undo that failed keeps the SVM locked until an
// operator looks. After the repair, an execution started with `repair` (`svm-migrate repair`)
// either runs the undo chain again, which ends the migration rolled back as an abort does, or
// records that the operator removed what the migration created, and releases the lock.
import { ConflictError } from '../../errors';
import type { UndoRepair } from '../../input';
import type { MigrationRecord } from '../../state/records';
import type { Dependencies } from './dependencies';
import { recordEvent } from './events';

/** The migration after the repair was recorded: rolling back (retryUndo) or released (markRepaired). */
export async function repairUndoFailed(
  m: MigrationRecord,
  repair: UndoRepair,
  executionId: string,
  deps: Dependencies,
): Promise<MigrationRecord> {
  if (m.status !== 'undo_failed') {
    throw new ConflictError(`repair of migration ${m.id} refused: it is ${m.status}, not undo_failed`, {
      field: 'repair',
    });
  }
  if (repair.action === 'retryUndo' && m.pointOfNoReturn) {
    throw new ConflictError(
      `repair of migration ${m.id} refused: it passed the point of no return, so its undo cannot end it; check the clusters and use markRepaired`,
      { field: 'repair.action' },
    );
  }
  // The execution that recorded undo_failed has ended (in Fail), so nothing else can write.
  const taken = await deps.store.takeOver(m.id, { newOwner: executionId, force: true });
  const fence = { owner: executionId, expectedVersion: taken.version };
  if (repair.action === 'markRepaired') {
    const released = await deps.store.release(m.id, fence, {
      status: 'rolled_back',
      times: { end: deps.now().toISOString() },
      message: `marked repaired by the operator (${repair.reason}); the SVM's lock is released`,
    });
    await recordEvent(deps, released, 'undo_repaired', { reason: repair.reason, executionId });
    return released;
  }
  // DecideRestart ends an aborted migration rolled back instead of restarting it, and releases the lock.
  await deps.store.request(m.id, 'abort', deps.now().toISOString());
  const rolling = await deps.store.update(m.id, fence, {
    status: 'rolling_back',
    message: `undo retried by the operator (${repair.reason})`,
  });
  await recordEvent(deps, rolling, 'undo_retried', { reason: repair.reason, executionId });
  return rolling;
}
