// ONTAP's asynchronous jobs (`/api/cluster/jobs`): most writes answer 202 with one.
// The transport already waits for those; this group is for callers holding a job uuid.

import { JOB_FIELDS, type OntapTransport } from './transport';
import type { Job } from './types';

export class JobsApi {
  constructor(private readonly http: OntapTransport) {}

  get(uuid: string): Promise<Job> {
    return this.http.get<Job>(`/api/cluster/jobs/${encodeURIComponent(uuid)}`, { fields: JOB_FIELDS });
  }

  /** Polls until `success` (returned) or `failure` (thrown as its typed error), within the deadline. */
  wait(uuid: string, opts: { timeoutMs?: number } = {}): Promise<Job> {
    return this.http.waitForJob(uuid, undefined, opts.timeoutMs);
  }
}
