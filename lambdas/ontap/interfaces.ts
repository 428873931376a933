// Data interfaces (`/api/network/ip/interfaces`): the addresses clients mount from. A
// migration recreates them on the destination with the same names and addresses.

import { createdButNotListed } from './error-mapping';
import type { OntapTransport } from './transport';
import type { IpInterface, Ref } from './types';

const INTERFACE_FIELDS = 'uuid,name,svm,ip,enabled,state,location,service_policy,scope';

export interface IpInterfaceCreate {
  name: string;
  svm: Ref;
  ip: { address: string; netmask: string };
  location: { home_node: Ref };
  enabled: boolean;
  service_policy?: { name: string };
}

export class IpInterfacesApi {
  private static readonly PATH = '/api/network/ip/interfaces';
  constructor(private readonly http: OntapTransport) {}

  list(query: { svmName?: string; svmUuid?: string; name?: string } = {}): Promise<IpInterface[]> {
    return this.http.list<IpInterface>(IpInterfacesApi.PATH, {
      'svm.name': query.svmName,
      'svm.uuid': query.svmUuid,
      name: query.name,
      fields: INTERFACE_FIELDS,
    });
  }

  async findByName(svmName: string, name: string): Promise<IpInterface | undefined> {
    return (await this.list({ svmName, name })).find((i) => i.name === name && i.svm.name === svmName);
  }

  get(uuid: string): Promise<IpInterface> {
    return this.http.get<IpInterface>(this.path(uuid), { fields: INTERFACE_FIELDS });
  }

  async create(lif: IpInterfaceCreate): Promise<IpInterface> {
    await this.http.send('POST', IpInterfacesApi.PATH, { body: lif });
    const created = await this.findByName(lif.svm.name, lif.name);
    if (!created) throw createdButNotListed(this.http.side, `interface ${lif.svm.name}:${lif.name}`);
    return created;
  }

  enable(uuid: string): Promise<void> {
    return this.setEnabled(uuid, true);
  }

  disable(uuid: string): Promise<void> {
    return this.setEnabled(uuid, false);
  }

  async delete(uuid: string): Promise<void> {
    await this.http.send('DELETE', this.path(uuid));
  }

  private async setEnabled(uuid: string, enabled: boolean): Promise<void> {
    await this.http.send('PATCH', this.path(uuid), { body: { enabled } });
  }

  private path(uuid: string): string {
    return `${IpInterfacesApi.PATH}/${encodeURIComponent(uuid)}`;
  }
}
