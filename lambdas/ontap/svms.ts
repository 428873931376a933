// Storage VMs (`/api/svm/svms`): find, create, start and stop through PATCH `state`, delete.
// `subtype` is set on POST only: ONTAP does not let a PATCH change it (an SVM-DR break does).

import { createdButNotListed } from './error-mapping';
import type { OntapTransport } from './transport';
import type { Ref, Svm, SvmSubtype } from './types';

const SVM_FIELDS = 'uuid,name,state,subtype,language,comment,aggregates,nfs';

export interface SvmCreate {
  name: string;
  subtype?: SvmSubtype;
  language?: string;
  comment?: string;
  aggregates?: Ref[];
  nfs?: { enabled: boolean };
}

export class SvmsApi {
  constructor(private readonly http: OntapTransport) {}

  list(query: { name?: string } = {}): Promise<Svm[]> {
    return this.http.list<Svm>('/api/svm/svms', { ...query, fields: SVM_FIELDS });
  }

  /** The SVM with this name, or undefined when the cluster has none. */
  async findByName(name: string): Promise<Svm | undefined> {
    return (await this.list({ name })).find((svm) => svm.name === name);
  }

  /** The SVM with this uuid; throws a not-found ValidationError (see isNotFound) when absent. */
  get(uuid: string): Promise<Svm> {
    return this.http.get<Svm>(`/api/svm/svms/${encodeURIComponent(uuid)}`, { fields: SVM_FIELDS });
  }

  /** Creates the SVM, waits for ONTAP's job, and returns it as the cluster now reports it. */
  async create(svm: SvmCreate): Promise<Svm> {
    await this.http.send('POST', '/api/svm/svms', { body: svm });
    return this.mustFind(svm.name);
  }

  start(uuid: string): Promise<void> {
    return this.patch(uuid, { state: 'running' });
  }

  stop(uuid: string): Promise<void> {
    return this.patch(uuid, { state: 'stopped' });
  }

  async delete(uuid: string): Promise<void> {
    await this.http.send('DELETE', `/api/svm/svms/${encodeURIComponent(uuid)}`);
  }

  private async patch(uuid: string, body: Pick<Svm, 'state'>): Promise<void> {
    await this.http.send('PATCH', `/api/svm/svms/${encodeURIComponent(uuid)}`, { body });
  }

  private async mustFind(name: string): Promise<Svm> {
    const svm = await this.findByName(name);
    if (!svm) throw createdButNotListed(this.http.side, `SVM ${name}`);
    return svm;
  }
}
