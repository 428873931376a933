// The middy wrapper every task shares: validate the payload at the edge, log with the
// migration id on every line, flush the invocation's metrics, and let typed errors reach
// Step Functions by their name.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { Dependencies } from '../domain/migration/dependencies';
import { isMigrationError } from '../errors';
import { runGuarded } from '../ontap/call-guard';
import type { TaskName } from '../tasks';
import type { Validator } from '../validation';
import { awsDependencies } from './aws-dependencies';
import { withClusterAccessOf } from './cluster-access';
import { invocationGuard } from './invocation-guard';
import { logger } from './logger';
import { metrics } from './metrics';

let provide: () => Dependencies = () => {
  const built = awsDependencies();
  provide = () => built;
  return built;
};

/** The local runner (and tests) run the same handlers over DynamoDB Local and the simulator. */
export function useDependencies(deps: Dependencies): void {
  provide = () => deps;
}

export type TaskHandler<P, R> = (event: P, context: Context) => Promise<R>;

/**
 * middy answers TimeoutError this long before Lambda's deadline and aborts the invocation's
 * signal, so the cluster calls stop and the error still reaches Step Functions by its name.
 */
const TIMEOUT_EARLY_MS = 1_000;

export function taskHandler<P, R>(task: TaskName, parse: Validator<P>, run: (payload: P, deps: Dependencies) => Promise<R>): TaskHandler<unknown, R> {
  return middy<P, R>({ timeoutEarlyInMillis: TIMEOUT_EARLY_MS })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    // Flushes the invocation's metrics after it returns or throws (a failed undo still counts).
    .use(logMetrics(metrics))
    .use({
      before: (request) => {
        logger.appendKeys({ task });
        request.event = parse(request.event);
        const migrationId = (request.event as { migrationId?: unknown }).migrationId;
        if (typeof migrationId === 'string') logger.appendKeys({ migrationId });
      },
      onError: (request) => {
        const err = request.error;
        // Typed errors are expected routing (Retry/Catch); anything else is a bug worth the stack.
        if (isMigrationError(err)) logger.warn('task failed', { error: err.toJSON() });
        else logger.error('task failed with an unexpected error', err as Error);
      },
    })
    .handler(async (event: P, _context, { signal }) => {
      const deps = withClusterAccessOf(task, provide());
      return runGuarded(invocationGuard(event, signal, deps), () => run(event, deps));
    }) as unknown as TaskHandler<unknown, R>;
}
