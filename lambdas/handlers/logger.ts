// The one structured logger of the tasks: JSON lines, the migration id appended per invocation.
import { Logger } from '@aws-lambda-powertools/logger';

export type TaskLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

/**
 * The level is the logger's initial one, which Powertools' middleware restores at every warm
 * invocation; without one, POWERTOOLS_LOG_LEVEL (Lambda's configuration) decides.
 */
export function createLogger(logLevel?: TaskLogLevel): Logger {
  return new Logger({ serviceName: 'svm-migrate', ...(logLevel && { logLevel }) });
}

/** The Lambda container's logger. */
export const logger = createLogger();
