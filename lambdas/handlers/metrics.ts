// The one Metrics instance of every task (namespace SvmMigrate, dimension service): the
// notifier adds to it, the middy wrapper flushes it once per invocation.
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../migration-metrics';
import { logger } from './logger';

/** Powertools' notice when an invocation flushes nothing. */
const EMPTY_FLUSH = 'No application metrics to publish';

export function createMetrics(logger: Logger): Metrics {
  return new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: METRICS_SERVICE,
    // Its own warnings go through the tasks' structured logger (and its level, which the local
    // runner silences). Most invocations (polls, undo steps) record no event and so no metric:
    // the empty flush is routine here, not a warning.
    logger: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.info(message),
      warn: (message: string) =>
        message.startsWith(EMPTY_FLUSH) ? logger.debug(message) : logger.warn(message),
      error: (message: string) => logger.error(message),
    },
  });
}

/** The Lambda container's metrics. */
export const metrics = createMetrics(logger);
