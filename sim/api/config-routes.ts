// SVM configuration that a migration copies: DNS (/api/name-services/dns), the NFS service
// (/api/protocols/nfs/services) and export policies with their rules. These are synchronous
// in ONTAP: 201/200 straight away.
import { EXPORT_AUTH, EXPORT_PROTOCOLS, type ExportRule } from '../../lambdas/ontap/types';
import type { SimContext } from '../context';
import { busy, duplicate, notFound, readJson, sendJson } from '../http';
import type { ExportPolicyRecord } from '../model';
import { collection, wantsRecords } from '../query';
import type { Router } from '../router';
import { bool, int, list, obj, oneOf, parse, ref, required, str } from '../schema';
import { dnsView, nfsView, policyView } from './views';

const dnsCreate = obj({ svm: required(ref()), domains: required(list(str())), servers: required(list(str())) });
const dnsModify = obj({ domains: list(str()), servers: list(str()) });
const protocolSchema = obj({ v3_enabled: bool(), v4_enabled: bool(), v41_enabled: bool() });
const nfsCreate = obj({ svm: required(ref()), enabled: bool(), protocol: protocolSchema });
const nfsModify = obj({ enabled: bool(), protocol: protocolSchema });
const ruleFields = {
  index: int(1),
  clients: list(obj({ match: required(str()) })),
  protocols: list(oneOf(EXPORT_PROTOCOLS)),
  ro_rule: list(oneOf(EXPORT_AUTH)),
  rw_rule: list(oneOf(EXPORT_AUTH)),
  superuser: list(oneOf(EXPORT_AUTH)),
  anonymous_user: str(),
};
const ruleCreate = obj({ ...ruleFields, clients: required(list(obj({ match: required(str()) }))), ro_rule: required(list(oneOf(EXPORT_AUTH))), rw_rule: required(list(oneOf(EXPORT_AUTH))) });
const ruleModify = obj(ruleFields);
const policyCreate = obj({ name: required(str()), svm: required(ref()), rules: list(ruleCreate) });
const policyModify = obj({ name: str(), rules: list(ruleCreate) });

type Ref = { name?: string; uuid?: string };
type Protocol = { v3_enabled?: boolean; v4_enabled?: boolean; v41_enabled?: boolean };

function normalizeRule(rule: Partial<ExportRule>, index: number): ExportRule {
  return {
    index,
    clients: rule.clients ?? [],
    protocols: rule.protocols ?? ['any'],
    ro_rule: rule.ro_rule ?? ['any'],
    rw_rule: rule.rw_rule ?? ['none'],
    superuser: rule.superuser ?? ['none'],
    anonymous_user: rule.anonymous_user ?? '65534',
  };
}

export function registerConfigRoutes(router: Router, { cluster }: SimContext): void {
  const created = (res: Parameters<typeof sendJson>[0], query: URLSearchParams, record: unknown) =>
    sendJson(res, 201, wantsRecords(query) ? { num_records: 1, records: [record] } : {});

  // ---- DNS ----
  const dnsOf = (svmUuid: string) => {
    const rec = cluster.state.dns.find((d) => d.svmUuid === svmUuid);
    if (!rec) throw notFound(`DNS configuration of SVM ${svmUuid}`, 'svm.uuid');
    return rec;
  };
  router.on('GET', '/api/name-services/dns', ({ res, query }) => sendJson(res, 200, collection(cluster.state.dns.map((d) => dnsView(cluster, d)), query)));
  router.on('GET', '/api/name-services/dns/:svm', ({ res, params }) => sendJson(res, 200, dnsView(cluster, dnsOf(params.svm))));
  router.on('POST', '/api/name-services/dns', async ({ req, res, query }) => {
    const body = parse<{ svm: Ref; domains: string[]; servers: string[] }>(await readJson(req), dnsCreate);
    const svm = cluster.svm(body.svm);
    if (cluster.state.dns.some((d) => d.svmUuid === svm.uuid)) throw duplicate(`DNS configuration of SVM ${svm.name}`, 'svm');
    const rec = { svmUuid: svm.uuid, domains: body.domains, servers: body.servers };
    cluster.state.dns.push(rec);
    cluster.save();
    created(res, query, dnsView(cluster, rec));
  });
  router.on('PATCH', '/api/name-services/dns/:svm', async ({ req, res, params }) => {
    const rec = dnsOf(params.svm);
    const body = parse<{ domains?: string[]; servers?: string[] }>(await readJson(req), dnsModify);
    Object.assign(rec, body);
    cluster.save();
    sendJson(res, 200, {});
  });
  router.on('DELETE', '/api/name-services/dns/:svm', ({ res, params }) => {
    dnsOf(params.svm);
    cluster.state.dns = cluster.state.dns.filter((d) => d.svmUuid !== params.svm);
    cluster.save();
    sendJson(res, 200, {});
  });

  // ---- NFS service ----
  const nfsOf = (svmUuid: string) => {
    const rec = cluster.state.nfs.find((n) => n.svmUuid === svmUuid);
    if (!rec) throw notFound(`NFS service of SVM ${svmUuid}`, 'svm.uuid');
    return rec;
  };
  router.on('GET', '/api/protocols/nfs/services', ({ res, query }) => sendJson(res, 200, collection(cluster.state.nfs.map((n) => nfsView(cluster, n)), query)));
  router.on('GET', '/api/protocols/nfs/services/:svm', ({ res, params }) => sendJson(res, 200, nfsView(cluster, nfsOf(params.svm))));
  router.on('POST', '/api/protocols/nfs/services', async ({ req, res, query }) => {
    const body = parse<{ svm: Ref; enabled?: boolean; protocol?: Protocol }>(await readJson(req), nfsCreate);
    const svm = cluster.svm(body.svm);
    if (cluster.state.nfs.some((n) => n.svmUuid === svm.uuid)) throw duplicate(`NFS service of SVM ${svm.name}`, 'svm');
    const rec = {
      svmUuid: svm.uuid,
      enabled: body.enabled ?? true,
      protocol: { v3_enabled: true, v4_enabled: false, v41_enabled: false, ...body.protocol },
    };
    cluster.state.nfs.push(rec);
    cluster.save();
    created(res, query, nfsView(cluster, rec));
  });
  router.on('PATCH', '/api/protocols/nfs/services/:svm', async ({ req, res, params }) => {
    const rec = nfsOf(params.svm);
    const body = parse<{ enabled?: boolean; protocol?: Protocol }>(await readJson(req), nfsModify);
    if (body.enabled !== undefined) rec.enabled = body.enabled;
    if (body.protocol) rec.protocol = { ...rec.protocol, ...body.protocol };
    cluster.save();
    sendJson(res, 200, {});
  });
  router.on('DELETE', '/api/protocols/nfs/services/:svm', ({ res, params }) => {
    nfsOf(params.svm);
    cluster.state.nfs = cluster.state.nfs.filter((n) => n.svmUuid !== params.svm);
    cluster.save();
    sendJson(res, 200, {});
  });

  // ---- export policies and rules ----
  const policyOf = (id: string): ExportPolicyRecord => {
    const policy = cluster.state.exportPolicies.find((p) => String(p.id) === id);
    if (!policy) throw notFound(`export policy ${id}`, 'id');
    return policy;
  };
  const ruleOf = (policy: ExportPolicyRecord, index: string): ExportRule => {
    const rule = policy.rules.find((r) => String(r.index) === index);
    if (!rule) throw notFound(`rule ${index} of export policy ${policy.name}`, 'index');
    return rule;
  };
  const nextIndex = (policy: ExportPolicyRecord) => policy.rules.reduce((max, r) => Math.max(max, r.index ?? 0), 0) + 1;

  router.on('GET', '/api/protocols/nfs/export-policies', ({ res, query }) =>
    sendJson(res, 200, collection(cluster.state.exportPolicies.map((p) => policyView(cluster, p)), query)));
  router.on('GET', '/api/protocols/nfs/export-policies/:id', ({ res, params }) => sendJson(res, 200, policyView(cluster, policyOf(params.id))));
  router.on('POST', '/api/protocols/nfs/export-policies', async ({ req, res, query }) => {
    const body = parse<{ name: string; svm: Ref; rules?: Partial<ExportRule>[] }>(await readJson(req), policyCreate);
    const svm = cluster.svm(body.svm);
    if (cluster.state.exportPolicies.some((p) => p.svmUuid === svm.uuid && p.name === body.name)) throw duplicate(`export policy ${body.name}`, 'name');
    const policy: ExportPolicyRecord = {
      id: cluster.state.nextPolicyId++,
      name: body.name,
      svmUuid: svm.uuid,
      rules: (body.rules ?? []).map((r, i) => normalizeRule(r, i + 1)),
    };
    cluster.state.exportPolicies.push(policy);
    cluster.save();
    created(res, query, policyView(cluster, policy));
  });
  router.on('PATCH', '/api/protocols/nfs/export-policies/:id', async ({ req, res, params }) => {
    const policy = policyOf(params.id);
    const body = parse<{ name?: string; rules?: Partial<ExportRule>[] }>(await readJson(req), policyModify);
    if (body.name !== undefined && body.name !== policy.name) {
      if (cluster.state.exportPolicies.some((p) => p.svmUuid === policy.svmUuid && p.name === body.name)) throw duplicate(`export policy ${body.name}`, 'name');
      policy.name = body.name;
    }
    if (body.rules) policy.rules = body.rules.map((r, i) => normalizeRule(r, i + 1));
    cluster.save();
    sendJson(res, 200, {});
  });
  router.on('DELETE', '/api/protocols/nfs/export-policies/:id', ({ res, params }) => {
    const policy = policyOf(params.id);
    const user = cluster.state.volumes.find((v) => v.svmUuid === policy.svmUuid && v.nas.export_policy?.name === policy.name);
    if (user) throw busy(`export policy ${policy.name} is used by volume ${user.name}`, 'id');
    if (policy.name === 'default') throw busy('the default export policy cannot be deleted', 'id');
    cluster.state.exportPolicies = cluster.state.exportPolicies.filter((p) => p !== policy);
    cluster.save();
    sendJson(res, 200, {});
  });

  router.on('GET', '/api/protocols/nfs/export-policies/:id/rules', ({ res, params, query }) =>
    sendJson(res, 200, collection(policyOf(params.id).rules, query)));
  router.on('GET', '/api/protocols/nfs/export-policies/:id/rules/:index', ({ res, params }) =>
    sendJson(res, 200, ruleOf(policyOf(params.id), params.index)));
  router.on('POST', '/api/protocols/nfs/export-policies/:id/rules', async ({ req, res, params, query }) => {
    const policy = policyOf(params.id);
    const body = parse<Partial<ExportRule>>(await readJson(req), ruleCreate);
    if (body.index !== undefined && policy.rules.some((r) => r.index === body.index)) throw duplicate(`rule index ${body.index}`, 'index');
    const rule = normalizeRule(body, body.index ?? nextIndex(policy));
    policy.rules.push(rule);
    policy.rules.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    cluster.save();
    created(res, query, rule);
  });
  router.on('PATCH', '/api/protocols/nfs/export-policies/:id/rules/:index', async ({ req, res, params }) => {
    const policy = policyOf(params.id);
    const rule = ruleOf(policy, params.index);
    const body = parse<Partial<ExportRule>>(await readJson(req), ruleModify);
    Object.assign(rule, body, { index: rule.index });
    cluster.save();
    sendJson(res, 200, {});
  });
  router.on('DELETE', '/api/protocols/nfs/export-policies/:id/rules/:index', ({ res, params }) => {
    const policy = policyOf(params.id);
    const rule = ruleOf(policy, params.index);
    policy.rules = policy.rules.filter((r) => r !== rule);
    cluster.save();
    sendJson(res, 200, {});
  });
}
