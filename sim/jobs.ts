// ONTAP's job model: an asynchronous change answers 202 with a job, which runs in the
// background (queued -> running -> success | failure). The job's action is stored with it,
// so after a restart a job that had not finished runs again (actions are idempotent).
import type { ServerResponse } from 'node:http';
import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import type { Cluster } from './cluster';
import { RequestError, sendError, sendJson } from './http';
import type { JobAction, JobRecord } from './model';

const KEEP_JOBS = 500;
export type ActionRunner = (action: JobAction) => Promise<void>;

export class JobRunner {
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly runAction: ActionRunner,
  ) {}

  submit(description: string, action: JobAction, svm?: { name: string; uuid: string }): JobRecord {
    const job: JobRecord = {
      uuid: this.cluster.newUuid(),
      description,
      state: 'queued',
      start_time: new Date().toISOString(),
      ...(svm && { svm }),
      action,
    };
    const jobs = this.cluster.state.jobs;
    jobs.push(job);
    if (jobs.length > KEEP_JOBS) jobs.splice(0, jobs.length - KEEP_JOBS);
    this.cluster.save();
    this.schedule(job);
    return job;
  }

  /** Runs again the jobs a stopped process left queued or running. */
  resume(): void {
    for (const job of this.cluster.state.jobs)
      if (job.state === 'queued' || job.state === 'running') this.schedule(job);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Resolves when the job ends or after `ms`, whichever is first. */
  wait(job: JobRecord, ms: number): Promise<void> {
    if (job.state === 'success' || job.state === 'failure') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const list = this.waiters.get(job.uuid) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.waiters.set(job.uuid, list);
    });
  }

  private schedule(job: JobRecord): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.run(job);
    }, this.cluster.settings.jobDelayMs);
    this.timers.add(timer);
  }

  private async run(job: JobRecord): Promise<void> {
    if (this.stopped) return;
    job.state = 'running';
    this.cluster.save();
    try {
      await this.runAction(job.action);
      job.state = 'success';
      job.message = 'success';
    } catch (err) {
      const e =
        err instanceof RequestError
          ? err
          : new RequestError(500, ONTAP_ERROR.INTERNAL, String((err as Error)?.message ?? err));
      job.state = 'failure';
      job.message = e.message;
      job.code = Number(e.code);
    }
    if (this.stopped) return;
    job.end_time = new Date().toISOString();
    this.cluster.save();
    for (const notify of this.waiters.get(job.uuid) ?? []) notify();
    this.waiters.delete(job.uuid);
  }
}

export function jobView(job: JobRecord) {
  return {
    uuid: job.uuid,
    description: job.description,
    state: job.state,
    ...(job.message !== undefined && { message: job.message }),
    ...(job.code !== undefined && { code: job.code }),
    start_time: job.start_time,
    ...(job.end_time && { end_time: job.end_time }),
    ...(job.svm && { svm: job.svm }),
    _links: { self: { href: `/api/cluster/jobs/${job.uuid}` } },
  };
}

/**
 * Answers an asynchronous request as ONTAP does: 202 with the job, or, with
 * `return_timeout`, waits for it and answers its outcome (201/200, or the job's error).
 */
export async function answerWithJob(
  res: ServerResponse,
  runner: JobRunner,
  job: JobRecord,
  options: { returnTimeout?: number; doneStatus: number; records?: unknown[] },
): Promise<void> {
  const body = {
    ...(options.records && { num_records: options.records.length, records: options.records }),
    job: { uuid: job.uuid, _links: { self: { href: `/api/cluster/jobs/${job.uuid}` } } },
  };
  if (options.returnTimeout) {
    await runner.wait(job, options.returnTimeout * 1000);
    if (job.state === 'failure') {
      const status =
        job.code === Number(ONTAP_ERROR.ENTRY_NOT_FOUND)
          ? 404
          : job.code === Number(ONTAP_ERROR.DUPLICATE_ENTRY)
            ? 409
            : 400;
      sendError(
        res,
        new RequestError(status, String(job.code ?? ONTAP_ERROR.INTERNAL), job.message ?? 'job failed'),
      );
      return;
    }
    if (job.state === 'success') {
      sendJson(res, options.doneStatus, body);
      return;
    }
  }
  sendJson(res, 202, body);
}
