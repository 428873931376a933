// An SVM's configuration that a migration copies to the destination: DNS, the NFS service,
// and export policies with their rules. DNS and NFS are keyed by the SVM's uuid, as in ONTAP.

import { createdButNotListed, unlessNotFound } from './error-mapping';
import type { OntapTransport } from './transport';
import type { DnsConfig, ExportPolicy, ExportRule, NfsService, Ref } from './types';

const svmPath = (base: string, svmUuid: string): string => `${base}/${encodeURIComponent(svmUuid)}`;

export class DnsApi {
  private static readonly PATH = '/api/name-services/dns';
  constructor(private readonly http: OntapTransport) {}

  /** The SVM's DNS configuration, or undefined when it has none. */
  get(svmUuid: string): Promise<DnsConfig | undefined> {
    return unlessNotFound(
      this.http.get<DnsConfig>(svmPath(DnsApi.PATH, svmUuid), { fields: 'svm,domains,servers' }),
    );
  }

  async create(dns: DnsConfig): Promise<void> {
    await this.http.send('POST', DnsApi.PATH, { body: dns });
  }

  async update(svmUuid: string, patch: Partial<Pick<DnsConfig, 'domains' | 'servers'>>): Promise<void> {
    await this.http.send('PATCH', svmPath(DnsApi.PATH, svmUuid), { body: patch });
  }

  async delete(svmUuid: string): Promise<void> {
    await this.http.send('DELETE', svmPath(DnsApi.PATH, svmUuid));
  }
}

export class NfsServicesApi {
  private static readonly PATH = '/api/protocols/nfs/services';
  constructor(private readonly http: OntapTransport) {}

  /** The SVM's NFS service, or undefined when it has none. */
  get(svmUuid: string): Promise<NfsService | undefined> {
    return unlessNotFound(
      this.http.get<NfsService>(svmPath(NfsServicesApi.PATH, svmUuid), {
        fields: 'svm,enabled,state,protocol',
      }),
    );
  }

  async create(service: Omit<NfsService, 'state'>): Promise<void> {
    await this.http.send('POST', NfsServicesApi.PATH, { body: service });
  }

  async update(svmUuid: string, patch: Partial<Pick<NfsService, 'enabled' | 'protocol'>>): Promise<void> {
    await this.http.send('PATCH', svmPath(NfsServicesApi.PATH, svmUuid), { body: patch });
  }

  async delete(svmUuid: string): Promise<void> {
    await this.http.send('DELETE', svmPath(NfsServicesApi.PATH, svmUuid));
  }
}

export interface ExportPolicyCreate {
  name: string;
  svm: Ref;
  rules?: ExportRule[];
}

export class ExportPoliciesApi {
  private static readonly PATH = '/api/protocols/nfs/export-policies';
  private static readonly FIELDS = 'id,name,svm,rules';
  constructor(private readonly http: OntapTransport) {}

  /** The SVM's export policies with their rules (ONTAP's `default` policy included). */
  list(svm: { uuid: string } | { name: string }): Promise<ExportPolicy[]> {
    const query = 'uuid' in svm ? { 'svm.uuid': svm.uuid } : { 'svm.name': svm.name };
    return this.http.list<ExportPolicy>(ExportPoliciesApi.PATH, {
      ...query,
      fields: ExportPoliciesApi.FIELDS,
    });
  }

  get(id: number): Promise<ExportPolicy> {
    return this.http.get<ExportPolicy>(`${ExportPoliciesApi.PATH}/${id}`, {
      fields: ExportPoliciesApi.FIELDS,
    });
  }

  /** Creates the policy with its rules in one call, and returns it with its ONTAP id. */
  async create(policy: ExportPolicyCreate): Promise<ExportPolicy> {
    await this.http.send('POST', ExportPoliciesApi.PATH, { body: policy });
    const svm = policy.svm.uuid ? { uuid: policy.svm.uuid } : { name: policy.svm.name };
    const created = (await this.list(svm)).find((p) => p.name === policy.name);
    if (!created) throw createdButNotListed(this.http.side, `export policy ${policy.name}`);
    return created;
  }

  async delete(id: number): Promise<void> {
    await this.http.send('DELETE', `${ExportPoliciesApi.PATH}/${id}`);
  }

  listRules(policyId: number): Promise<ExportRule[]> {
    return this.http.list<ExportRule>(`${ExportPoliciesApi.PATH}/${policyId}/rules`, {
      fields: 'index,clients,protocols,ro_rule,rw_rule,superuser,anonymous_user',
    });
  }

  async addRule(policyId: number, rule: ExportRule): Promise<void> {
    await this.http.send('POST', `${ExportPoliciesApi.PATH}/${policyId}/rules`, { body: rule });
  }

  async deleteRule(policyId: number, index: number): Promise<void> {
    await this.http.send('DELETE', `${ExportPoliciesApi.PATH}/${policyId}/rules/${index}`);
  }
}
