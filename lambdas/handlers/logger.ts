// The one structured logger of every task: JSON lines, the migration id appended per invocation.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'svm-migrate' });
