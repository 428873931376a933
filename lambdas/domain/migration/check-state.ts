// CheckState: the first state of every execution. It validates the input, then either
// begins a migration, takes over one whose execution is gone (continue), or refuses to
// run beside a live execution of the same SVM (ConflictError), and says where to resume.
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { type ExecutionInput, parseExecutionInput } from '../../input';
import type { MigrationRecord } from '../../state/records';
import { ALREADY_COMPLETE, PRECHECK, type ResumePoint, resumePointOf } from '../../steps';
import type { Dependencies } from './dependencies';
import { recordEvent } from './events';
import { repairUndoFailed } from './repair';
import { checkRequest } from './request-checks';

export interface MigrationPointer {
  id: string;
  generation: number;
  resumeAt: ResumePoint;
  autoCutover: boolean;
  autoSourceCleanup: boolean;
  checkOnly: boolean;
  pollSeconds: number;
}

export interface CheckStateEvent {
  input: unknown;
  executionId: string;
  startTime?: string;
}

/** Maps what DynamoDB holds to the step that continues it (the step table's lookup); every step is idempotent. */
export function resumePoint(m: MigrationRecord): ResumePoint {
  return resumePointOf(m);
}

export async function checkState(event: CheckStateEvent, deps: Dependencies): Promise<MigrationPointer> {
  const input = parseExecutionInput(event.input);
  const tunables = await deps.config.tunables();
  const pointer = (m: MigrationRecord, resumeAt: ResumePoint): MigrationPointer => ({
    id: m.id,
    generation: m.generation,
    resumeAt,
    autoCutover: m.options.autoCutover,
    autoSourceCleanup: m.options.autoSourceCleanup,
    checkOnly: false,
    pollSeconds: tunables.pollIntervalSeconds,
  });

  if (input.checkOnly) {
    return {
      id: 'precheck',
      generation: 0,
      resumeAt: PRECHECK,
      autoCutover: input.autoCutover,
      autoSourceCleanup: input.autoSourceCleanup,
      checkOnly: true,
      pollSeconds: tunables.pollIntervalSeconds,
    };
  }

  const existing = input.migrationId
    ? await deps.store.get(input.migrationId)
    : await deps.store.findActiveForSvm(input.source.cluster, input.source.svm);
  if (input.migrationId && !existing) {
    throw new NotFoundError(`migration ${input.migrationId} does not exist`, { field: 'migrationId' });
  }
  if (existing && input.migrationId) assertSameMigration(existing, input);

  if (!existing) {
    await checkRequest(input, deps);
    const created = await deps.store.begin({
      source: input.source,
      destination: input.destination,
      options: {
        autoCutover: input.autoCutover,
        autoSourceCleanup: input.autoSourceCleanup,
        throttle: input.throttle,
        sourceChanges: input.sourceChanges,
      },
      owner: event.executionId,
      leaseSeconds: tunables.leaseSeconds,
    });
    await recordEvent(deps, created, 'migration_started', { executionId: event.executionId });
    deps.logger.appendKeys({ migrationId: created.id });
    return pointer(created, resumePointOf(created));
  }

  deps.logger.appendKeys({ migrationId: existing.id });
  // A repeated start of a finished migration (an EventBridge redelivery) ends quietly.
  // Complete releases the lock in the same write that sets either of these final phases.
  if (existing.phase === 'migrate_complete' || existing.phase === 'ready_for_source_cleanup')
    return pointer(existing, ALREADY_COMPLETE);
  if (input.repair) {
    const repaired = await repairUndoFailed(existing, input.repair, event.executionId, deps);
    return pointer(repaired, input.repair.action === 'retryUndo' ? resumePoint(repaired) : ALREADY_COMPLETE);
  }
  if (existing.status === 'undo_failed') {
    throw new ConflictError(
      `migration ${existing.id} stopped with an undo that failed; repair the destination, then resolve it with ` +
        `svm-migrate repair ${existing.id} --retry-undo (or --mark-repaired) --reason "..." (see its events)`,
    );
  }

  if (existing.status === 'rolled_back' || existing.status === 'migrate_failed') {
    throw new ConflictError(
      `migration ${existing.id} has ended (${existing.status}); start a new migration without migrationId`,
      { field: 'migrationId' },
    );
  }

  let taken = await takeOver(existing, event.executionId, deps);
  const resumeAt = resumePoint(taken);
  // A paused migration runs again: its status is its phase once more (the resumed step re-enters it).
  if (taken.status === 'migrate_paused') {
    taken = await deps.store.update(
      taken.id,
      { owner: event.executionId, expectedVersion: taken.version },
      { status: taken.phase },
    );
  }
  await recordEvent(deps, taken, 'migration_resumed', {
    executionId: event.executionId,
    previousOwner: existing.owner,
    resumeAt,
  });
  return pointer(taken, resumeAt);
}

function assertSameMigration(m: MigrationRecord, input: ExecutionInput): void {
  if (m.source.cluster !== input.source.cluster || m.source.svm !== input.source.svm) {
    throw new ValidationError(
      `migration ${m.id} moves ${m.source.cluster}/${m.source.svm}, not ${input.source.cluster}/${input.source.svm}`,
      {
        field: 'migrationId',
      },
    );
  }
}

/**
 * Fencing: a live owner keeps the migration; a finished, dead or handing-off one gives it up.
 * Every takeover is conditioned on the version read here: of many executions that found the
 * same dead owner, one takes over and the others fail with ConflictError.
 */
async function takeOver(
  m: MigrationRecord,
  executionId: string,
  deps: Dependencies,
): Promise<MigrationRecord> {
  if (m.owner === executionId) return m;
  const read = { newOwner: executionId, expectedVersion: m.version };
  // Continue-as-new names its successor before starting it; the store checks `handoffTo`.
  if (m.handoffTo === executionId) return deps.store.takeOver(m.id, read);
  const running = m.owner ? await deps.executions.isRunning(m.owner) : false;
  if (running === true) {
    throw new ConflictError(
      `SVM ${m.source.cluster}/${m.source.svm} is being migrated by migration ${m.id}, run by execution ${m.owner}`,
    );
  }
  // A paused migration's execution ended on purpose; a dead one cannot write again (fencing).
  if (running === false || m.status === 'migrate_paused')
    return deps.store.takeOver(m.id, { ...read, force: true });
  return deps.store.takeOver(m.id, read);
}
