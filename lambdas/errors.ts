// The ways a migration step can fail. Each class sets `name`, which Lambda reports as
// the task's `Error`, so the state machine's Retry and Catch blocks match on it.

export type Side = 'source' | 'destination' | 'both';

export interface OntapErrorDetail {
  /** ONTAP's error.code (a numeric string), when the cluster answered with one. */
  code?: string;
  message?: string;
  target?: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
}

export interface MigrationErrorOptions {
  cause?: unknown;
  side?: Side;
  ontap?: OntapErrorDetail;
  /** The field a ValidationError is about (a JSON path such as `source.svm`). */
  field?: string;
  /** The node that was found unhealthy (NodeUnhealthyError). */
  node?: string;
}

export abstract class MigrationError extends Error {
  abstract override readonly name: string;
  /** Whether the state machine retries this error in place. */
  abstract readonly retryable: boolean;
  readonly side?: Side;
  readonly ontap?: OntapErrorDetail;
  readonly field?: string;
  readonly node?: string;

  constructor(message: string, options: MigrationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.side = options.side;
    this.ontap = options.ontap;
    this.field = options.field;
    this.node = options.node;
  }

  /** A JSON-safe view, for logs and the event log (never includes credentials). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      ...(this.side && { side: this.side }),
      ...(this.ontap && { ontap: this.ontap }),
      ...(this.field && { field: this.field }),
      ...(this.node && { node: this.node }),
    };
  }
}

/** A cluster answered 5xx or was briefly busy: retried in place. */
export class TransientError extends MigrationError {
  override readonly name = 'TransientError';
  readonly retryable = true;
}

/** The connection was refused, reset or timed out; `side` says which cluster. */
export class NetworkError extends MigrationError {
  override readonly name = 'NetworkError';
  readonly retryable = true;
}

/** The node that runs a step is down or taken over: relocate to a healthy node. */
export class NodeUnhealthyError extends MigrationError {
  override readonly name = 'NodeUnhealthyError';
  readonly retryable = false;
}

/** The clusters cannot reach each other (peering or inter-cluster link down). */
export class InterClusterLinkError extends MigrationError {
  override readonly name = 'InterClusterLinkError';
  readonly retryable = false;
}

/** The request or the input is wrong; retrying cannot help. */
export class ValidationError extends MigrationError {
  override readonly name = 'ValidationError';
  readonly retryable = false;
}

/** Something already exists or is held by someone else (duplicate, busy, lock held, stale owner). */
export class ConflictError extends MigrationError {
  override readonly name = 'ConflictError';
  readonly retryable = false;
}

export const ERROR_NAMES = {
  transient: 'TransientError',
  network: 'NetworkError',
  nodeUnhealthy: 'NodeUnhealthyError',
  interClusterLink: 'InterClusterLinkError',
  validation: 'ValidationError',
  conflict: 'ConflictError',
} as const;

export function isMigrationError(err: unknown): err is MigrationError {
  return err instanceof MigrationError;
}
