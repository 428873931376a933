// The guard of one task invocation (lambdas/ontap/call-guard.ts): cancelled with middy's signal,
// which aborts ahead of Lambda's deadline, and fenced by the migration's owner for every call
// that changes a cluster.
import type { Dependencies } from '../domain/migration/dependencies';
import { ConflictError, TransientError } from '../errors';
import type { CallGuard } from '../ontap/call-guard';

export function invocationGuard(
  event: unknown,
  signal: AbortSignal,
  deps: Pick<Dependencies, 'store'>,
): CallGuard {
  const { migrationId, executionId } = (event ?? {}) as { migrationId?: unknown; executionId?: unknown };
  return {
    signal,
    async check(method, path) {
      // Retried if it ever reached Step Functions; it does not: the invocation has already answered.
      if (signal.aborted)
        throw new TransientError(
          `invocation cancelled before ${method} ${path}: no cluster call after its deadline`,
        );
      // Reads change nothing; a check-only run (Precheck) has no migration to own.
      if (method === 'GET' || typeof migrationId !== 'string' || typeof executionId !== 'string') return;
      const migration = await deps.store.get(migrationId);
      if (migration?.owner !== executionId) {
        throw new ConflictError(
          `execution ${executionId} no longer owns migration ${migrationId} (owner: ${migration?.owner ?? 'none'}): ${method} ${path} not sent`,
        );
      }
    },
  };
}
