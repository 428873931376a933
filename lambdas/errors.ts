// The ways a migration step can fail, grouped by the route the state machine takes for them
// (docs/architecture.md, "Errors"). Each class's `name` is what Lambda reports as the task's
// `Error`, so Retry and Catch match on it; the name is a static of the class (the Lambda bundle
// is minified, so the constructor's own name cannot be it) and ERROR_NAMES is read from those.

export type Side = 'source' | 'destination' | 'both';

export interface OntapErrorDetail {
  /** ONTAP's error.code (a numeric string), when the cluster answered with one. */
  code?: string;
  message?: string;
  target?: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
}

/** What every failure may say about where it came from: a cluster's answer, and which cluster. */
export interface MigrationErrorOptions {
  cause?: unknown;
  side?: Side;
  ontap?: OntapErrorDetail;
}

/** Options of the errors about one field of the request or the configuration (a JSON path such as `source.svm`). */
export interface FieldErrorOptions extends MigrationErrorOptions {
  field?: string;
}

export abstract class MigrationError extends Error {
  abstract override readonly name: string;
  readonly side?: Side;
  readonly ontap?: OntapErrorDetail;

  constructor(message: string, options: MigrationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.side = options.side;
    this.ontap = options.ontap;
  }

  /** A JSON-safe view, for logs and the event log (never includes credentials). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      ...(this.side && { side: this.side }),
      ...(this.ontap && { ontap: this.ontap }),
      ...this.details(),
    };
  }

  /** The subclass's own fields, for toJSON. */
  protected details(): Record<string, unknown> {
    return {};
  }
}

abstract class FieldError extends MigrationError {
  readonly field?: string;

  constructor(message: string, options: FieldErrorOptions = {}) {
    super(message, options);
    this.field = options.field;
  }

  protected override details(): Record<string, unknown> {
    return this.field ? { field: this.field } : {};
  }
}

// ---- retried in place (Retry) -------------------------------------------------------------

/** A service answered 5xx, throttled, or was briefly busy. */
export class TransientError extends MigrationError {
  static readonly errorName = 'TransientError' as const;
  override readonly name = TransientError.errorName;
  /** The node whose takeover is awaited, when that is what is transient. */
  readonly node?: string;

  constructor(message: string, options: MigrationErrorOptions & { node?: string } = {}) {
    super(message, options);
    this.node = options.node;
  }

  protected override details(): Record<string, unknown> {
    return this.node ? { node: this.node } : {};
  }
}

/** The connection was refused, reset or timed out; `side` says which cluster. */
export class NetworkError extends MigrationError {
  static readonly errorName = 'NetworkError' as const;
  override readonly name = NetworkError.errorName;
}

// ---- relocated to a healthy node ----------------------------------------------------------

/** The node that runs a step is down or taken over. */
export class NodeUnhealthyError extends MigrationError {
  static readonly errorName = 'NodeUnhealthyError' as const;
  override readonly name = NodeUnhealthyError.errorName;
  /** The node found unhealthy, when known. */
  readonly node?: string;

  constructor(message: string, options: MigrationErrorOptions & { node?: string } = {}) {
    super(message, options);
    this.node = options.node;
  }

  protected override details(): Record<string, unknown> {
    return this.node ? { node: this.node } : {};
  }
}

// ---- the point-of-no-return handling ------------------------------------------------------

/** The clusters cannot reach each other (peering or inter-cluster link down). */
export class InterClusterLinkError extends MigrationError {
  static readonly errorName = 'InterClusterLinkError' as const;
  override readonly name = InterClusterLinkError.errorName;
}

// ---- undone, never restarted: a restart cannot change them --------------------------------

/** The request, the input or the configuration is wrong. */
export class ValidationError extends FieldError {
  static readonly errorName = 'ValidationError' as const;
  override readonly name = ValidationError.errorName;
}

/** Something the request names does not exist (a migration, an SVM, an aggregate, a cluster's object). */
export class NotFoundError extends FieldError {
  static readonly errorName = 'NotFoundError' as const;
  override readonly name = NotFoundError.errorName;
}

/** A check found the clusters not as they must be (versions, peering, an SVM's state, what cannot be migrated). */
export class ClusterStateError extends FieldError {
  static readonly errorName = 'ClusterStateError' as const;
  override readonly name = ClusterStateError.errorName;
}

/** A cluster refused the credentials (HTTP 401); `cluster` names it. */
export class AuthenticationError extends MigrationError {
  static readonly errorName = 'AuthenticationError' as const;
  override readonly name = AuthenticationError.errorName;
  readonly cluster: string;

  constructor(message: string, options: MigrationErrorOptions & { cluster: string }) {
    super(message, options);
    this.cluster = options.cluster;
  }

  protected override details(): Record<string, unknown> {
    return { cluster: this.cluster };
  }
}

// ---- someone else holds it ----------------------------------------------------------------

/** Something already exists or is held by someone else (duplicate, busy, lock held, stale owner). */
export class ConflictError extends FieldError {
  static readonly errorName = 'ConflictError' as const;
  override readonly name = ConflictError.errorName;
}

// ---- asked for by the operator ------------------------------------------------------------

/**
 * An abort read by a step that has no abort route of its own: the step's failure route (its undo
 * chain) runs, and DecideRestart ends the migration Aborted because the request is on the record.
 */
export class AbortRequested extends MigrationError {
  static readonly errorName = 'AbortRequested' as const;
  override readonly name = AbortRequested.errorName;
}

const ERROR_CLASSES = [
  TransientError,
  NetworkError,
  NodeUnhealthyError,
  InterClusterLinkError,
  ValidationError,
  NotFoundError,
  ClusterStateError,
  AuthenticationError,
  ConflictError,
  AbortRequested,
] as const;

export type ErrorName = (typeof ERROR_CLASSES)[number]['errorName'];

/** Every error's name (what Retry and Catch match), read from its class. */
export const ERROR_NAMES = Object.fromEntries(ERROR_CLASSES.map((c) => [c.errorName, c.errorName])) as {
  readonly [N in ErrorName]: N;
};

/** The errors Retry runs the step again for. */
export const RETRIED_ERRORS: readonly string[] = [ERROR_NAMES.TransientError, ERROR_NAMES.NetworkError];

/** The errors that the same request would meet again after a restart: DecideRestart does not restart after them. */
export const NOT_RESTARTABLE_ERRORS: readonly string[] = [
  ERROR_NAMES.ValidationError,
  ERROR_NAMES.NotFoundError,
  ERROR_NAMES.ClusterStateError,
  ERROR_NAMES.AuthenticationError,
];

export function isMigrationError(err: unknown): err is MigrationError {
  return err instanceof MigrationError;
}
