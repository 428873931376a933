// Turns what a cluster (or the network) answered into the typed errors of lambdas/errors.ts,
// so the state machine's Retry/Catch can route on `name` and nobody parses messages.

import {
  AuthenticationError,
  ConflictError,
  InterClusterLinkError,
  type MigrationError,
  NetworkError,
  NodeUnhealthyError,
  NotFoundError,
  type OntapErrorDetail,
  TransientError,
  ValidationError,
} from '../errors';
import { ONTAP_ERROR } from './error-codes';
import type { ClusterNode, Job, SnapmirrorRelationship } from './types';

export type ClusterSide = 'source' | 'destination';

/** Where a failure happened, for the message: never holds credentials or headers. */
export interface CallContext {
  side: ClusterSide;
  /** The cluster's configured name, when the connection was given one (an AuthenticationError names it). */
  cluster?: string;
  method: string;
  path: string;
}

const VALIDATION_CODES: readonly string[] = [
  ONTAP_ERROR.UNEXPECTED_ARGUMENT,
  ONTAP_ERROR.INVALID_VALUE,
  ONTAP_ERROR.INVALID_FIELD_VALUE,
  ONTAP_ERROR.NOT_SETTABLE,
  ONTAP_ERROR.SPECIFIED_TWICE,
  ONTAP_ERROR.MISSING_FIELD,
];
const CONFLICT_CODES: readonly string[] = [ONTAP_ERROR.DUPLICATE_ENTRY, ONTAP_ERROR.OBJECT_BUSY];
/**
 * ONTAP's "busy, try again" codes (Trident retries the same ones): the operation is fine, another
 * one on the same object has to end first, so the step is retried in place.
 */
const BUSY_CODES: readonly string[] = [
  ONTAP_ERROR.SNAPMIRROR_TRANSFER_IN_PROGRESS,
  ONTAP_ERROR.SNAPMIRROR_BREAK_TRANSFER_IN_PROGRESS,
  ONTAP_ERROR.SNAPMIRROR_MODIFICATION_IN_PROGRESS,
  ONTAP_ERROR.VOLUME_BUSY,
  ONTAP_ERROR.VOLUME_CREATE_IN_PROGRESS,
];

/** TLS verification failures: a wrong CA bundle or host name is configuration, not a blip. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function describe(ctx: CallContext): string {
  return `${ctx.side} cluster: ${ctx.method} ${ctx.path}`;
}

/**
 * The typed error for an ONTAP error code, or undefined when the code alone does not decide
 * (the HTTP status then does). Shared by HTTP answers and failed jobs.
 */
function errorForCode(
  message: string,
  ctx: CallContext,
  ontap: OntapErrorDetail,
): MigrationError | undefined {
  const opts = { side: ctx.side, ontap };
  switch (ontap.code) {
    case ONTAP_ERROR.NODE_UNHEALTHY:
      // `target` is a field name, not the node: the transport looks the node up (withUnhealthyNode).
      return new NodeUnhealthyError(message, opts);
    case ONTAP_ERROR.PEER_UNREACHABLE:
      return new InterClusterLinkError(message, opts);
    case ONTAP_ERROR.ENTRY_NOT_FOUND:
      return new NotFoundError(message, { ...opts, field: ontap.target });
    case ONTAP_ERROR.INTERNAL:
      return new TransientError(message, opts);
  }
  if (ontap.code !== undefined && BUSY_CODES.includes(ontap.code)) return new TransientError(message, opts);
  if (ontap.code !== undefined && CONFLICT_CODES.includes(ontap.code))
    return new ConflictError(message, opts);
  if (ontap.code !== undefined && VALIDATION_CODES.includes(ontap.code))
    return new ValidationError(message, { ...opts, field: ontap.target });
  return undefined;
}

/** An HTTP answer with a status of 400 or more. `body` is the parsed JSON, if it was JSON. */
export function errorFromResponse(ctx: CallContext, status: number, body: unknown): MigrationError {
  const err = (body as { error?: { code?: unknown; message?: unknown; target?: unknown } } | undefined)
    ?.error;
  const ontap: OntapErrorDetail = {
    status,
    ...(err?.code !== undefined && { code: String(err.code) }),
    ...(typeof err?.message === 'string' && { message: err.message }),
    ...(typeof err?.target === 'string' && { target: err.target }),
  };
  const message = `${describe(ctx)}: HTTP ${status}${ontap.code ? ` (ONTAP ${ontap.code})` : ''}${ontap.message ? `: ${ontap.message}` : ''}`;
  const byCode = errorForCode(message, ctx, ontap);
  if (byCode) return byCode;
  const opts = { side: ctx.side, ontap };
  if (status === 409) return new ConflictError(message, opts);
  if (status === 429 || status >= 500) return new TransientError(message, opts);
  // The credentials were refused: no retry or restart can change that, only a fixed configuration.
  if (status === 401) {
    const cluster = ctx.cluster ?? `the ${ctx.side} cluster`;
    return new AuthenticationError(
      `${cluster} refused the configured credentials (HTTP 401): ${describe(ctx)}`,
      { ...opts, cluster },
    );
  }
  if (status === 404) return new NotFoundError(message, { ...opts, field: ontap.target });
  // 403, other 4xx: the request itself is wrong.
  return new ValidationError(message, { ...opts, field: ontap.target });
}

/** A job that ended in `failure`: its code decides; an unknown code is retried as transient. */
export function errorFromJob(ctx: CallContext, job: Job): MigrationError {
  const ontap: OntapErrorDetail = {
    ...(job.code !== undefined && { code: String(job.code) }),
    ...(job.message !== undefined && { message: job.message }),
  };
  const message = `${describe(ctx)}: job ${job.uuid} failed${ontap.code ? ` (ONTAP ${ontap.code})` : ''}${job.message ? `: ${job.message}` : ''}`;
  return errorForCode(message, ctx, ontap) ?? new TransientError(message, { side: ctx.side, ontap });
}

/** A job that did not end before its deadline. The step is idempotent, so retrying is safe. */
export function errorFromJobDeadline(
  ctx: CallContext,
  uuid: string,
  state: string | undefined,
  timeoutMs: number,
): MigrationError {
  return new TransientError(
    `${describe(ctx)}: job ${uuid} still ${state ?? 'unknown'} after ${timeoutMs} ms`,
    { side: ctx.side },
  );
}

/** No HTTP answer: refused, reset, timed out, unreachable, or TLS verification failed. */
export function errorFromSocket(ctx: CallContext, cause: unknown): MigrationError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const text = cause instanceof Error ? cause.message : '';
  // Node's own messages already name the code ("connect ECONNREFUSED ..."); an AggregateError has none.
  const reason =
    typeof code === 'string' && !text.includes(code)
      ? `${code}${text ? `: ${text}` : ''}`
      : text || 'unknown socket error';
  if (typeof code === 'string' && TLS_CODES.has(code)) {
    return new ValidationError(`${describe(ctx)}: TLS verification failed (${code}); check the CA bundle`, {
      side: ctx.side,
      field: `${ctx.side}.ca`,
      cause,
    });
  }
  // Everything else without an answer (ECONNREFUSED, ECONNRESET, EHOSTUNREACH, our own
  // timeouts, ...) means the cluster could not be reached: retried in place.
  return new NetworkError(`${describe(ctx)}: ${reason}`, { side: ctx.side, cause });
}

/** Whether a cluster said the object does not exist (ONTAP code 4, or a 404). */
export function isNotFound(err: unknown): boolean {
  return (
    err instanceof NotFoundError &&
    (err.ontap?.code === ONTAP_ERROR.ENTRY_NOT_FOUND || err.ontap?.status === 404)
  );
}

/**
 * The typed error behind an unhealthy relationship, when ONTAP's reason code says why
 * (a failed transfer because the peer is unreachable becomes InterClusterLinkError).
 */
export function errorFromRelationship(
  side: ClusterSide,
  rel: SnapmirrorRelationship,
): MigrationError | undefined {
  if (rel.healthy) return undefined;
  const ctx: CallContext = { side, method: 'GET', path: `/api/snapmirror/relationships/${rel.uuid}` };
  for (const reason of rel.unhealthy_reason ?? []) {
    if (reason.code === undefined) continue;
    const ontap: OntapErrorDetail = { code: String(reason.code), message: reason.message };
    const err = errorForCode(
      `${describe(ctx)}: relationship unhealthy (ONTAP ${ontap.code}): ${reason.message}`,
      ctx,
      ontap,
    );
    if (err) return err;
  }
  return undefined;
}

/** ONTAP reported a creation done but a lookup misses the object: a lagging view, so the step is retried. */
export function createdButNotListed(side: ClusterSide, what: string): MigrationError {
  return new TransientError(`${side} cluster: ${what} not listed after its creation succeeded`, { side });
}

/** The call's result, or undefined when the object does not exist (for lookups and undo). */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The same NodeUnhealthyError, naming the node when exactly one of the cluster's nodes is not
 * `up` (ONTAP's error body does not name it in a field). Other errors pass through.
 */
export function withUnhealthyNode(err: MigrationError, nodes: ClusterNode[]): MigrationError {
  if (!(err instanceof NodeUnhealthyError) || err.node) return err;
  const down = nodes.filter((n) => n.state !== 'up');
  if (down.length !== 1) return err;
  return new NodeUnhealthyError(err.message, {
    side: err.side,
    ontap: err.ontap,
    node: down[0].name,
    cause: err.cause,
  });
}
