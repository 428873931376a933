// The CLI's exit codes and the one-line error each failure becomes: scripts branch on the
// code, people read the line.
import { CommanderError } from 'commander';
import { AuthenticationError, ConflictError, NotFoundError, ValidationError } from '../lambdas/errors';
import { LocalServicesUnavailableError } from '../local/services';

export const EXIT = {
  ok: 0,
  /** The operation ran and failed (a migration that failed or rolled back, a failed precheck). */
  failed: 1,
  /** A bad flag, argument or input. */
  usage: 2,
  /** No such migration or execution. */
  notFound: 3,
  /** Refused: abort past the point of no return, a migration already running, a request that does not apply now. */
  conflict: 4,
  /** The target cannot be reached: AWS credentials or region missing, local services down, a cluster refused the login. */
  unavailable: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
export const notFound = (message: string) => new CliError(message, EXIT.notFound);
export const refused = (message: string) => new CliError(message, EXIT.conflict);
export const unavailable = (message: string) => new CliError(message, EXIT.unavailable);

/** SDK error names (Step Functions, DynamoDB, credentials) that mean the same as ours. */
const AWS_EXIT_CODES: Record<string, ExitCode> = {
  ExecutionDoesNotExist: EXIT.notFound,
  ExecutionAlreadyExists: EXIT.conflict,
  ExecutionNotRedrivable: EXIT.conflict,
  ExecutionLimitExceeded: EXIT.conflict,
  InvalidExecutionInput: EXIT.usage,
  InvalidName: EXIT.usage,
  InvalidArn: EXIT.usage,
  ValidationException: EXIT.usage,
  StateMachineDoesNotExist: EXIT.unavailable,
  StateMachineDeleting: EXIT.unavailable,
  ResourceNotFoundException: EXIT.unavailable,
  CredentialsProviderError: EXIT.unavailable,
  UnrecognizedClientException: EXIT.unavailable,
  InvalidSignatureException: EXIT.unavailable,
  ExpiredTokenException: EXIT.unavailable,
  AccessDeniedException: EXIT.unavailable,
  TimeoutError: EXIT.unavailable,
};

/** The exit code and the one line an error is reported with. */
export function describeFailure(err: unknown): { exitCode: ExitCode; message: string } {
  const error = err instanceof Error ? err : new Error(String(err));
  const message = oneLine(error.message);
  if (error instanceof CliError) return { exitCode: error.exitCode, message };
  if (error instanceof CommanderError)
    return { exitCode: EXIT.usage, message: message.replace(/^error: /, '') };
  if (error instanceof ValidationError) return { exitCode: EXIT.usage, message };
  if (error instanceof NotFoundError) return { exitCode: EXIT.notFound, message };
  if (error instanceof ConflictError) return { exitCode: EXIT.conflict, message };
  if (error instanceof AuthenticationError) return { exitCode: EXIT.unavailable, message };
  if (error instanceof LocalServicesUnavailableError) return { exitCode: EXIT.unavailable, message };
  const code = AWS_EXIT_CODES[error.name];
  if (code !== undefined) return { exitCode: code, message: `${error.name}: ${message}` };
  // The SDK's own words when no region is configured anywhere.
  if (/region is missing/i.test(message))
    return {
      exitCode: EXIT.unavailable,
      message: `${message} (set AWS_REGION, a profile's region, or --region)`,
    };
  const errno = (error as NodeJS.ErrnoException).code;
  if (errno === 'ECONNREFUSED' || errno === 'ENOTFOUND' || errno === 'EAI_AGAIN')
    return {
      exitCode: EXIT.unavailable,
      message: `${message} (is the target up? locally: svm-migrate local up)`,
    };
  return { exitCode: EXIT.failed, message };
}

/** Errors from below (the JVM's output, the SDK) can span lines: the CLI prints one. */
const MAX_MESSAGE = 400;
function oneLine(text: string): string {
  const line = text.replace(/\s*\n\s*/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 3)}...` : line;
}
