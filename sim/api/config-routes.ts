// SVM configuration that a migration copies: DNS (/api/name-services/dns), the NFS service
// (/api/protocols/nfs/services) and export policies with their rules. These are synchronous
// in ONTAP: 201/200 straight away.
import type { ExportRule } from '../../lambdas/ontap/types';
import { newNfsService } from '../actions';
import type { SimContext } from '../context';
import { busy, duplicate, notFound, readJson, sendJson } from '../http';
import type { ExportPolicyRecord } from '../model';
import { collection, single, wantsRecords } from '../query';
import { deepMerge, unhandled } from '../resource';
import type { Router } from '../router';
import { DNS, EXPORT_POLICY, EXPORT_RULE, NFS } from './tables';
import { dnsView, nfsView, policyView } from './views';

type Ref = { name?: string; uuid?: string };
type Body = Record<string, unknown>;

const RULE_DEFAULTS = {
  protocols: ['any'],
  superuser: ['none'],
  anonymous_user: '65534',
  allow_device_creation: true,
  allow_suid: true,
  chown_mode: 'restricted',
  ntfs_unix_security: 'fail',
};

function normalizeRule(rule: Partial<ExportRule>, index: number): ExportRule {
  return {
    ...RULE_DEFAULTS,
    ...rule,
    clients: rule.clients ?? [],
    ro_rule: rule.ro_rule ?? ['any'],
    rw_rule: rule.rw_rule ?? ['none'],
    index,
  } as ExportRule;
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
  router.on('GET', '/api/name-services/dns', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.dns.map((d) => dnsView(cluster, d)),
        query,
        DNS,
      ),
    ),
  );
  router.on('GET', '/api/name-services/dns/:svm', ({ res, params, query }) =>
    sendJson(res, 200, single(dnsView(cluster, dnsOf(params.svm)), query, DNS)),
  );
  router.on('POST', '/api/name-services/dns', async ({ req, res, query }) => {
    const body = DNS.parseCreate<{ svm: Ref; domains: string[]; servers: string[] } & Body>(
      await readJson(req),
    );
    const svm = cluster.svm(body.svm);
    if (cluster.state.dns.some((d) => d.svmUuid === svm.uuid))
      throw duplicate(`DNS configuration of SVM ${svm.name}`, 'svm');
    const rec = {
      svmUuid: svm.uuid,
      domains: body.domains,
      servers: body.servers,
      extra: unhandled(body, ['svm', 'domains', 'servers']),
    };
    cluster.state.dns.push(rec);
    cluster.save();
    created(res, query, dnsView(cluster, rec));
  });
  router.on('PATCH', '/api/name-services/dns/:svm', async ({ req, res, params }) => {
    const rec = dnsOf(params.svm);
    const body = DNS.parseModify<{ domains?: string[]; servers?: string[] } & Body>(await readJson(req));
    if (body.domains) rec.domains = body.domains;
    if (body.servers) rec.servers = body.servers;
    rec.extra = deepMerge(rec.extra ?? {}, unhandled(body, ['domains', 'servers']));
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
  router.on('GET', '/api/protocols/nfs/services', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.nfs.map((n) => nfsView(cluster, n)),
        query,
        NFS,
      ),
    ),
  );
  router.on('GET', '/api/protocols/nfs/services/:svm', ({ res, params, query }) =>
    sendJson(res, 200, single(nfsView(cluster, nfsOf(params.svm)), query, NFS)),
  );
  router.on('POST', '/api/protocols/nfs/services', async ({ req, res, query }) => {
    const body = NFS.parseCreate<{ svm: Ref; enabled?: boolean } & Body>(await readJson(req));
    const svm = cluster.svm(body.svm);
    if (cluster.state.nfs.some((n) => n.svmUuid === svm.uuid))
      throw duplicate(`NFS service of SVM ${svm.name}`, 'svm');
    const rec = newNfsService(svm.uuid, body.enabled ?? true, unhandled(body, ['svm', 'enabled']));
    cluster.state.nfs.push(rec);
    cluster.save();
    created(res, query, nfsView(cluster, rec));
  });
  router.on('PATCH', '/api/protocols/nfs/services/:svm', async ({ req, res, params }) => {
    const rec = nfsOf(params.svm);
    const body = NFS.parseModify<{ enabled?: boolean } & Body>(await readJson(req));
    if (body.enabled !== undefined) rec.enabled = body.enabled;
    rec.settings = deepMerge(rec.settings, unhandled(body, ['enabled']));
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
  const ruleView = (policy: ExportPolicyRecord, rule: ExportRule) => ({
    ...rule,
    policy: { id: policy.id, name: policy.name },
    _links: { self: { href: `/api/protocols/nfs/export-policies/${policy.id}/rules/${rule.index}` } },
  });
  const nextIndex = (policy: ExportPolicyRecord) =>
    policy.rules.reduce((max, r) => Math.max(max, r.index ?? 0), 0) + 1;

  router.on('GET', '/api/protocols/nfs/export-policies', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.exportPolicies.map((p) => policyView(cluster, p)),
        query,
        EXPORT_POLICY,
      ),
    ),
  );
  router.on('GET', '/api/protocols/nfs/export-policies/:id', ({ res, params, query }) =>
    sendJson(res, 200, single(policyView(cluster, policyOf(params.id)), query, EXPORT_POLICY)),
  );
  router.on('POST', '/api/protocols/nfs/export-policies', async ({ req, res, query }) => {
    const body = EXPORT_POLICY.parseCreate<{ name: string; svm: Ref; rules?: Partial<ExportRule>[] }>(
      await readJson(req),
    );
    const svm = cluster.svm(body.svm);
    if (cluster.state.exportPolicies.some((p) => p.svmUuid === svm.uuid && p.name === body.name))
      throw duplicate(`export policy ${body.name}`, 'name');
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
    const body = EXPORT_POLICY.parseModify<{ name?: string; rules?: Partial<ExportRule>[] }>(
      await readJson(req),
    );
    if (body.name !== undefined && body.name !== policy.name) {
      if (cluster.state.exportPolicies.some((p) => p.svmUuid === policy.svmUuid && p.name === body.name))
        throw duplicate(`export policy ${body.name}`, 'name');
      policy.name = body.name;
    }
    if (body.rules) policy.rules = body.rules.map((r, i) => normalizeRule(r, i + 1));
    cluster.save();
    sendJson(res, 200, {});
  });
  router.on('DELETE', '/api/protocols/nfs/export-policies/:id', ({ res, params }) => {
    const policy = policyOf(params.id);
    const user = cluster.state.volumes.find(
      (v) => v.svmUuid === policy.svmUuid && v.nas.export_policy?.name === policy.name,
    );
    if (user) throw busy(`export policy ${policy.name} is used by volume ${user.name}`, 'id');
    if (policy.name === 'default') throw busy('the default export policy cannot be deleted', 'id');
    cluster.state.exportPolicies = cluster.state.exportPolicies.filter((p) => p !== policy);
    cluster.save();
    sendJson(res, 200, {});
  });

  router.on('GET', '/api/protocols/nfs/export-policies/:id/rules', ({ res, params, query }) =>
    sendJson(
      res,
      200,
      collection(
        policyOf(params.id).rules.map((r) => ruleView(policyOf(params.id), r)),
        query,
        EXPORT_RULE,
      ),
    ),
  );
  router.on('GET', '/api/protocols/nfs/export-policies/:id/rules/:index', ({ res, params, query }) =>
    sendJson(
      res,
      200,
      single(ruleView(policyOf(params.id), ruleOf(policyOf(params.id), params.index)), query, EXPORT_RULE),
    ),
  );
  router.on('POST', '/api/protocols/nfs/export-policies/:id/rules', async ({ req, res, params, query }) => {
    const policy = policyOf(params.id);
    const body = EXPORT_RULE.parseCreate<Partial<ExportRule>>(await readJson(req));
    if (body.index !== undefined && policy.rules.some((r) => r.index === body.index))
      throw duplicate(`rule index ${body.index}`, 'index');
    const rule = normalizeRule(body, body.index ?? nextIndex(policy));
    policy.rules.push(rule);
    policy.rules.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    cluster.save();
    created(res, query, rule);
  });
  router.on('PATCH', '/api/protocols/nfs/export-policies/:id/rules/:index', async ({ req, res, params }) => {
    const policy = policyOf(params.id);
    const rule = ruleOf(policy, params.index);
    const body = EXPORT_RULE.parseModify<Partial<ExportRule>>(await readJson(req));
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
