// The middy wrapper every task shares: validate the payload at the edge, log with the
// migration id on every line, flush the invocation's metrics, and let typed errors reach
// Step Functions by their name.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Dependencies } from '../domain/migration/dependencies';
import { isMigrationError } from '../errors';
import { runGuarded } from '../ontap/call-guard';
import type { TaskName } from '../tasks';
import type { Validator } from '../validation';
import { withClusterAccessOf } from './cluster-access';
import { invocationGuard } from './invocation-guard';

export type TaskHandler<P, R> = (event: P, context: Context) => Promise<R>;

/**
 * What a task's handler is built from: in Lambda the AWS services and the container's metrics
 * (lambdas/handlers/index.ts), in the local runner DynamoDB Local and the simulator.
 */
export interface HandlerContext {
  dependencies: Dependencies;
  /** Flushed after every invocation; the notifier of `dependencies` may add to it. */
  metrics: Metrics;
}

/** A task's handler, once given what it runs on. */
export type HandlerFactory<R = unknown> = (context: HandlerContext) => TaskHandler<unknown, R>;

/**
 * middy answers TimeoutError this long before Lambda's deadline and aborts the invocation's
 * signal, so the cluster calls stop and the error still reaches Step Functions by its name.
 */
const TIMEOUT_EARLY_MS = 1_000;

export function taskHandler<P, R>(
  task: TaskName,
  parse: Validator<P>,
  run: (payload: P, deps: Dependencies) => Promise<R>,
): HandlerFactory<R> {
  return ({ dependencies, metrics }) => {
    const { logger } = dependencies;
    const deps = withClusterAccessOf(task, dependencies);
    return (
      middy<P, R>({ timeoutEarlyInMillis: TIMEOUT_EARLY_MS })
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
        .handler(async (event: P, _context, { signal }) =>
          runGuarded(invocationGuard(event, signal, deps), () => run(event, deps)),
        ) as unknown as TaskHandler<unknown, R>
    );
  };
}
