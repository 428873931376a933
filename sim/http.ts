// HTTP plumbing shared by the simulator's servers: ONTAP-style error answers, JSON bodies,
// and the basic-auth check. Every failure a handler throws is a RequestError.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import { recordRequest } from './request-log';

export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export const notFound = (what: string, target?: string) =>
  new RequestError(404, ONTAP_ERROR.ENTRY_NOT_FOUND, `entry doesn't exist: ${what}`, target);
export const duplicate = (what: string, target?: string) =>
  new RequestError(409, ONTAP_ERROR.DUPLICATE_ENTRY, `duplicate entry: ${what}`, target);
export const invalid = (message: string, target?: string) =>
  new RequestError(400, ONTAP_ERROR.INVALID_VALUE, message, target);
export const busy = (message: string, target?: string) =>
  new RequestError(409, ONTAP_ERROR.OBJECT_BUSY, message, target);
export const nodeUnhealthy = (node: string) =>
  new RequestError(
    400,
    ONTAP_ERROR.NODE_UNHEALTHY,
    `node "${node}" is down or taken over and cannot serve the request`,
    'node',
  );
/** ONTAP deletes only unmounted volumes (PATCH `nas.path: ""` first). */
export const mountedVolume = (name: string) =>
  new RequestError(
    400,
    ONTAP_ERROR.INVALID_VALUE,
    `Volume "${name}" must be unmounted before it is deleted`,
    'nas.path',
  );
/** A transfer is already running on the relationship (ONTAP 13303812). */
export const transferInProgress = (message: string, target?: string) =>
  new RequestError(400, ONTAP_ERROR.SNAPMIRROR_TRANSFER_IN_PROGRESS, message, target);
/** A break refused while a transfer runs (ONTAP 13303808). */
export const breakWhileTransferring = (message: string) =>
  new RequestError(
    400,
    ONTAP_ERROR.SNAPMIRROR_BREAK_TRANSFER_IN_PROGRESS,
    `Transition to broken_off state failed. Reason: ${message}`,
    'state',
  );
export const peerUnreachable = (message: string) =>
  new RequestError(400, ONTAP_ERROR.PEER_UNREACHABLE, message, 'cluster_peer');

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/hal+json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: RequestError): void {
  sendJson(res, err.status, {
    error: { message: err.message, code: err.code, ...(err.target && { target: err.target }) },
  });
}

/** The request body as JSON; an empty body is `{}`. Bodies are small (data goes through streams). */
export async function readJson(req: IncomingMessage, limit = 1 << 20): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw invalid('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') {
    recordRequest(req, {});
    return {};
  }
  try {
    const body: unknown = JSON.parse(text);
    recordRequest(req, body);
    return body;
  } catch {
    throw invalid('request body is not valid JSON');
  }
}

/** True when the Authorization header carries exactly these credentials. */
export function authorized(req: IncomingMessage, username: string, password: string): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded === `${username}:${password}`;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
