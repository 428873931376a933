// One cluster's HTTP(S) connection: basic auth, TLS with an optional CA bundle, keep-alive,
// a deadline on every call, JSON in and out, ONTAP's 202-with-a-job awaited, errors typed.

import * as http from 'node:http';
import * as https from 'node:https';
import { type MigrationError, NodeUnhealthyError, NotFoundError } from '../errors';
import { currentGuard } from './call-guard';
import {
  type CallContext,
  type ClusterSide,
  errorFromJob,
  errorFromJobDeadline,
  errorFromResponse,
  errorFromSocket,
  withUnhealthyNode,
} from './error-mapping';
import type { ClusterNode, Job, JobLink } from './types';

/** What a request meets on a kept-alive socket the server had closed (the message when there is no code). */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'socket hang up']);
/** Errors of a request that died on such a socket: safe to send once more. */
const staleSockets = new WeakSet<object>();

/** The subset of a structured logger (powertools Logger fits) the client writes to. */
export interface OntapLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

export interface OntapConnectionOptions {
  side: ClusterSide;
  /** The cluster's configured name: errors that must say which cluster (a refused login) name it. */
  name?: string;
  /** e.g. `https://cluster-mgmt.example.com` (any path part is ignored; `/api/...` is appended). */
  baseUrl: string;
  username: string;
  password: string;
  /** PEM bundle of the CAs that signed the cluster's certificate. */
  ca?: string;
  /** Verify the cluster's certificate (default true). */
  rejectUnauthorized?: boolean;
  /** Deadline of one HTTP call, socket idle time included (default 30 s). */
  timeoutMs?: number;
  /** Deadline for an asynchronous job to end (default 10 min). */
  jobTimeoutMs?: number;
  /** Interval between two polls of a job (default 1 s). */
  jobPollMs?: number;
  /** `return_timeout` (seconds, 0-120) sent with every POST/PATCH/DELETE: ONTAP waits that long before answering 202. */
  returnTimeoutSeconds?: number;
  logger?: OntapLogger;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Overrides the connection's `returnTimeoutSeconds` for this call. */
  returnTimeoutSeconds?: number;
}

interface CollectionPage<T> {
  records?: T[];
  num_records?: number;
  _links?: { next?: { href: string } };
}

export interface Answer<T> {
  status: number;
  body: T;
  /** The finished job, when the cluster answered 202. */
  job?: Job;
}

export const JOB_FIELDS = 'uuid,state,message,code,description,start_time,end_time';
const DEFAULTS = { timeoutMs: 30_000, jobTimeoutMs: 600_000, jobPollMs: 1_000 };

export class OntapTransport {
  readonly side: ClusterSide;
  private readonly name?: string;
  private readonly origin: URL;
  private readonly authorization: string;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly jobTimeoutMs: number;
  private readonly jobPollMs: number;
  private readonly returnTimeoutSeconds?: number;
  private readonly logger?: OntapLogger;

  constructor(opts: OntapConnectionOptions) {
    this.side = opts.side;
    this.name = opts.name;
    const url = new URL(opts.baseUrl);
    // Credentials only ever travel in the Authorization header, never in the URL we log.
    this.origin = new URL(url.origin);
    this.authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    this.agent =
      url.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ca: opts.ca,
            rejectUnauthorized: opts.rejectUnauthorized ?? true,
          })
        : new http.Agent({ keepAlive: true });
    this.timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
    this.jobTimeoutMs = opts.jobTimeoutMs ?? DEFAULTS.jobTimeoutMs;
    this.jobPollMs = opts.jobPollMs ?? DEFAULTS.jobPollMs;
    this.returnTimeoutSeconds = opts.returnTimeoutSeconds;
    this.logger = opts.logger;
  }

  /** Sends one call; a 202 with a job is awaited. Throws the typed error for any failure. */
  async send<T>(method: string, path: string, opts: RequestOptions = {}): Promise<Answer<T>> {
    const query = { ...opts.query };
    const returnTimeout = opts.returnTimeoutSeconds ?? this.returnTimeoutSeconds;
    if (method !== 'GET' && returnTimeout !== undefined) query.return_timeout = returnTimeout;
    const guard = currentGuard();
    await guard?.check(method, path);
    try {
      const answer = await this.exchange<T>(method, path, query, opts.body, guard?.signal);
      const jobUuid =
        answer.status === 202 ? (answer.body as Partial<JobLink> | undefined)?.job?.uuid : undefined;
      if (!jobUuid) return answer;
      const job = await this.waitForJob(jobUuid, { side: this.side, cluster: this.name, method, path });
      return { ...answer, job };
    } catch (err) {
      throw err instanceof NodeUnhealthyError && !err.node ? await this.nameUnhealthyNode(err) : err;
    }
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.send<T>('GET', path, { query })).body;
  }

  /** Every record of a collection, following `_links.next` when ONTAP pages the answer. */
  async list<T>(path: string, query?: Query): Promise<T[]> {
    const records: T[] = [];
    let page = await this.get<CollectionPage<T>>(path, query);
    for (;;) {
      records.push(...(page.records ?? []));
      const next = page._links?.next?.href;
      if (!next) return records;
      // `next` carries the whole query (including the cursor) already.
      page = await this.get<CollectionPage<T>>(next);
    }
  }

  /** Polls `/api/cluster/jobs/{uuid}` until the job ends; a failed job becomes its typed error. */
  waitForJob(
    uuid: string,
    ctx: CallContext = {
      side: this.side,
      cluster: this.name,
      method: 'GET',
      path: `/api/cluster/jobs/${uuid}`,
    },
    timeoutMs = this.jobTimeoutMs,
  ): Promise<Job> {
    let last: Job | undefined;
    return this.poll(
      async () => {
        last = await this.get<Job>(`/api/cluster/jobs/${encodeURIComponent(uuid)}`, { fields: JOB_FIELDS });
        if (last.state === 'failure') throw errorFromJob(ctx, last);
        return last.state === 'success' ? last : undefined;
      },
      () => errorFromJobDeadline(ctx, uuid, last?.state, timeoutMs),
      timeoutMs,
    );
  }

  /**
   * Calls `check` every `jobPollMs` until it returns a value, within `timeoutMs` (default: the
   * job deadline); past it throws `onDeadline()`. For anything ONTAP finishes in the background.
   */
  async poll<T>(
    check: () => Promise<T | undefined>,
    onDeadline: () => Error,
    timeoutMs = this.jobTimeoutMs,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() + this.jobPollMs > deadline) throw onDeadline();
      await new Promise((resolve) => setTimeout(resolve, this.jobPollMs));
    }
  }

  /** Relocation needs the node's name; ask the cluster which node is not up. */
  private async nameUnhealthyNode(err: NodeUnhealthyError): Promise<MigrationError> {
    try {
      // `exchange`, not `send`: a lookup failing the same way must not recurse.
      const answer = await this.exchange<{ records?: ClusterNode[] }>(
        'GET',
        '/api/cluster/nodes',
        { fields: 'name,state' },
        undefined,
      );
      return withUnhealthyNode(err, answer.body?.records ?? []);
    } catch {
      return err; // the original failure matters more than the lookup's
    }
  }

  /** Closes idle keep-alive sockets (tests and short-lived callers). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One call. A kept-alive socket the cluster closed while it was idle fails the next request
   * sent on it before the cluster read any of it (ECONNRESET, EPIPE or "socket hang up" on a
   * reused socket, no answer begun): that request is sent once more on a fresh connection, as
   * Node's documentation advises, rather than cost the task a retry.
   */
  private async exchange<T>(
    method: string,
    path: string,
    query: Query,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<Answer<T>> {
    try {
      return await this.exchangeOnce<T>(method, path, query, body, signal);
    } catch (err) {
      if (!staleSockets.has(err as object) || signal?.aborted) throw err;
      return this.exchangeOnce<T>(method, path, query, body, signal);
    }
  }

  private exchangeOnce<T>(
    method: string,
    path: string,
    query: Query,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<Answer<T>> {
    const url = new URL(path, this.origin); // `path` may carry a query (ONTAP's `_links.next`)
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const ctx: CallContext = { side: this.side, cluster: this.name, method, path: url.pathname };
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const started = Date.now();
    const transport = url.protocol === 'https:' ? https : http;

    return new Promise<Answer<T>>((resolve, reject) => {
      let settled = false;
      const finish = (err: MigrationError | undefined, answer?: Answer<T>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(overall);
        // Path and outcome only: never headers, bodies or the query (which may name objects).
        const line = { side: this.side, method, path: url.pathname, ms: Date.now() - started };
        // A lookup of what may not exist (the destination's copy before setup made it) answers
        // 404 as a matter of course: the caller decides; only other failures are warnings.
        if (err) {
          const failure = { ...line, error: err.name, status: err.ontap?.status, code: err.ontap?.code };
          if (err instanceof NotFoundError) this.logger?.debug('ontap call: not found', failure);
          else this.logger?.warn('ontap call failed', failure);
        } else this.logger?.debug('ontap call', { ...line, status: answer?.status });
        if (err) reject(err);
        else resolve(answer as Answer<T>);
      };

      const req = transport.request(url, {
        method,
        agent: this.agent,
        // A cancelled invocation cuts its call in flight rather than wait for the answer.
        signal,
        headers: {
          authorization: this.authorization,
          accept: 'application/hal+json, application/json',
          ...(payload && { 'content-type': 'application/json', 'content-length': payload.length }),
        },
      });
      // The socket timeout catches a silent server; the overall one a server that trickles.
      const timedOut = (): void => {
        const err = Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' });
        req.destroy(err);
      };
      req.setTimeout(this.timeoutMs, timedOut);
      const overall = setTimeout(timedOut, this.timeoutMs);

      let answered = false;
      req.on('error', (cause: NodeJS.ErrnoException) => {
        const err = errorFromSocket(ctx, cause);
        const stale = req.reusedSocket && !answered && STALE_SOCKET_CODES.has(cause.code ?? cause.message);
        if (stale) staleSockets.add(err);
        finish(err);
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (cause) => finish(errorFromSocket(ctx, cause)));
        // A connection cut mid-body ends in 'close' without 'end'.
        res.on('close', () => {
          if (!res.complete)
            finish(
              errorFromSocket(
                ctx,
                Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' }),
              ),
            );
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined; // an HTML error page from a proxy: the status decides
          }
          if (status >= 400) finish(errorFromResponse(ctx, status, parsed));
          else finish(undefined, { status, body: parsed as T });
        });
      });
      if (payload) req.write(payload);
      req.end();
    });
  }
}
