// Test helpers for the simulator suites: temp dirs, a bare ONTAP caller (the real client is
// tested in test/ontap), job waiting, and polling with a deadline instead of sleeps.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simFetch } from '../../sim/fetch';
import type { RunningCluster } from '../../sim/server';

export const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'svm-'));

export interface Answer<T = any> {
  status: number;
  body: T;
}

export function ontap(cluster: Pick<RunningCluster, 'baseUrl' | 'username' | 'password'> & { ca?: string }) {
  const call = async <T = any>(method: string, urlPath: string, body?: unknown): Promise<Answer<T>> => {
    const res = await simFetch(`${cluster.baseUrl}${urlPath}`, {
      ca: cluster.ca,
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${cluster.username}:${cluster.password}`).toString('base64')}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const api = {
    call,
    get: <T = any>(p: string) => call<T>('GET', p),
    post: <T = any>(p: string, b: unknown) => call<T>('POST', p, b),
    patch: <T = any>(p: string, b: unknown) => call<T>('PATCH', p, b),
    delete: <T = any>(p: string) => call<T>('DELETE', p),
    /** Polls a job until it ends; returns the job. */
    async job(uuid: string, deadlineMs = 15_000): Promise<any> {
      return until(
        async () => {
          const { body } = await call('GET', `/api/cluster/jobs/${uuid}`);
          return body.state === 'success' || body.state === 'failure' ? body : undefined;
        },
        deadlineMs,
        `job ${uuid}`,
      );
    },
    /** Sends an asynchronous request, expects 202, waits for its job to succeed. */
    async done(method: string, p: string, b?: unknown): Promise<any> {
      const answer = await call(method, p, b);
      if (answer.status !== 202)
        throw new Error(`${method} ${p}: expected 202, got ${answer.status} ${JSON.stringify(answer.body)}`);
      const job = await api.job(answer.body.job.uuid);
      if (job.state !== 'success') throw new Error(`${method} ${p}: job failed: ${JSON.stringify(job)}`);
      return job;
    },
    async one(p: string): Promise<any> {
      const { body } = await call('GET', p);
      if (body.num_records !== 1) throw new Error(`${p}: expected one record, got ${JSON.stringify(body)}`);
      return body.records[0];
    },
  };
  return api;
}

/** Polls until `probe` returns something other than undefined, or fails after the deadline. */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  deadlineMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
