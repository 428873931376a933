// The one place an AWS SDK failure (DynamoDB, SSM, EventBridge) becomes one of our errors: what
// the SDK gave up on after its own retries but may pass (throttling, timeouts, 5xx, no connection)
// is a TransientError, which the state machine retries in place instead of undoing the phase.
// Everything else is left as it is, for the caller that knows what it means (a refused condition
// is the store's to name).
import { TransientError } from './errors';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottledException',
  'LimitExceededException',
  'TransactionInProgressException',
]);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/** Node's codes for a connection that could not be made or was lost. */
const NO_CONNECTION = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

interface SdkFailure extends Error {
  /** Set by the SDK: the service's HTTP status when it answered, the attempts its retries made. */
  $metadata?: { httpStatusCode?: number; attempts?: number };
  code?: string;
  errors?: unknown[];
  $retryable?: { throttling?: boolean };
}

/** Why the failure may pass, or undefined when it will not. */
function transientReason(err: SdkFailure): string | undefined {
  if (THROTTLING.has(err.name) || err.$retryable?.throttling || err.$metadata?.httpStatusCode === 429)
    return 'throttled';
  if (TIMEOUTS.has(err.name)) return 'timed out';
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return `answered HTTP ${status}`;
  if (err.code !== undefined && NO_CONNECTION.has(err.code)) return `could not be reached (${err.code})`;
  // An unreachable endpoint can also surface as an AggregateError of one such error per address.
  if (
    Array.isArray(err.errors) &&
    err.errors.some(
      (e) => typeof e === 'object' && e !== null && transientReason(e as SdkFailure) !== undefined,
    )
  )
    return 'could not be reached';
  // The SDK sent the request (it counted the attempts) and no answer came back. Its code is lost
  // when the SDK could keep the socket's error only as text (a plain "AWS SDK error wrapper for
  // ..." Error: so it keeps an error from another realm, as under jest).
  if (err.$metadata?.attempts !== undefined && status === undefined) return 'could not be reached';
  return undefined;
}

/** The TransientError for an intermittent failure of `service`; any other error unchanged. */
export function fromAwsError(service: string, err: unknown): unknown {
  // Not `instanceof Error`: a socket's error can come from another realm (jest's sandbox).
  if (typeof err !== 'object' || err === null || err instanceof TransientError) return err;
  const failure = err as SdkFailure;
  const reason = transientReason(failure);
  if (reason === undefined) return err;
  return new TransientError(`${service} ${reason}: ${failure.name}: ${failure.message}`, { cause: err });
}

const MIDDLEWARE_NAME = 'svmMigrateAwsErrors';

/**
 * Maps every failure of the client's calls with fromAwsError, outside the SDK's own retries
 * (the initialize step is the outermost). A document client shares its client's stack, so
 * either may be given; installing twice replaces the first.
 */
// Each client's handlers are typed with its own commands; only the error path is touched here.
// biome-ignore lint/suspicious/noExplicitAny: the SDK's handler types differ per command; this middleware passes them through untouched
type Handler = (args: any) => Promise<any>;

/** What mapAwsErrors needs of an SDK client (every v3 client, and a DynamoDB document client). */
interface SdkClient {
  middlewareStack: {
    add(
      middleware: (next: Handler) => Handler,
      options: { step: 'initialize'; name: string; override: boolean },
    ): void;
  };
}

export function mapAwsErrors<C extends SdkClient>(client: C, service: string): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        throw fromAwsError(service, err);
      }
    },
    { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
  );
  return client;
}
