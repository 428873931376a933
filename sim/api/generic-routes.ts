// Resources a migration must read (and a precheck find) that the simulator only stores: local
// UNIX users and groups, NIS and LDAP, snapshot policies, qtrees and quota rules, routes, SMB
// shares and LUNs. Each is its field table (tables.ts) plus its identity: CRUD with ONTAP's
// paths, its references (`svm`, `volume`) resolved and answered with name and uuid.
import type { Cluster } from '../cluster';
import type { SimContext } from '../context';
import { duplicate, notFound, readJson, sendJson } from '../http';
import { collection, single, wantsRecords } from '../query';
import { deepMerge, type Resource } from '../resource';
import type { Router } from '../router';
import * as T from './tables';
import { defaultIpspace, svmRefOf } from './views';

type Rec = Record<string, unknown> & {
  svm?: { name: string; uuid: string };
  volume?: { name: string; uuid: string };
};

interface GenericSpec {
  path: string;
  resource: Resource;
  /** The path parameters that name one record: `svm.uuid` + `name`, `uuid`, `volume.uuid` + `id`. */
  identity: string[];
  /** What a new record holds when the body does not say. */
  defaults?: Record<string, unknown>;
  /** Further checks or derived fields on create. */
  created?: (cluster: Cluster, rec: Rec) => void;
}

const at = (rec: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], rec);

export const GENERIC: GenericSpec[] = [
  { path: '/api/name-services/unix-users', resource: T.UNIX_USER, identity: ['svm.uuid', 'name'] },
  {
    path: '/api/name-services/unix-groups',
    resource: T.UNIX_GROUP,
    identity: ['svm.uuid', 'name'],
    defaults: { users: [] },
  },
  { path: '/api/name-services/nis', resource: T.NIS, identity: ['svm.uuid'] },
  {
    path: '/api/name-services/ldap',
    resource: T.LDAP,
    identity: ['svm.uuid'],
    defaults: { schema: 'RFC-2307', port: 389 },
  },
  {
    path: '/api/storage/snapshot-policies',
    resource: T.SNAPSHOT_POLICY,
    identity: ['uuid'],
    defaults: { enabled: true, scope: 'svm' },
  },
  {
    path: '/api/storage/qtrees',
    resource: T.QTREE,
    identity: ['volume.uuid', 'id'],
    defaults: { security_style: 'unix', export_policy: { name: 'default' } },
    created: (_cluster, rec) => {
      rec.path = `/vol/${rec.volume?.name}/${String(rec.name)}`;
    },
  },
  { path: '/api/storage/quota/rules', resource: T.QUOTA_RULE, identity: ['uuid'] },
  {
    path: '/api/network/ip/routes',
    resource: T.ROUTE,
    identity: ['uuid'],
    defaults: { metric: 20, scope: 'svm', ipspace: { name: 'Default' } },
  },
  { path: '/api/protocols/cifs/shares', resource: T.SMB_SHARE, identity: ['svm.uuid', 'name'] },
  {
    path: '/api/storage/luns',
    resource: T.LUN,
    identity: ['uuid'],
    defaults: { os_type: 'linux', enabled: true },
  },
];

export function registerGenericRoutes(router: Router, { cluster }: SimContext): void {
  for (const spec of GENERIC) {
    const records = (): Rec[] => {
      cluster.state.resources ??= {};
      cluster.state.resources[spec.path] ??= [];
      return cluster.state.resources[spec.path] as Rec[];
    };
    const itemPath = `${spec.path}/${spec.identity.map((_, i) => `:k${i}`).join('/')}`;
    const find = (params: Record<string, string>): Rec => {
      const rec = records().find((r) => spec.identity.every((k, i) => String(at(r, k)) === params[`k${i}`]));
      if (!rec)
        throw notFound(
          `${spec.resource.name} ${spec.identity.map((_, i) => params[`k${i}`]).join('/')}`,
          spec.identity.at(-1),
        );
      return rec;
    };
    const view = (rec: Rec): Rec => ({
      ...rec,
      ...(rec.svm && { svm: svmRefOf(cluster, rec.svm.uuid) }),
      _links: {
        self: {
          href: `${spec.path}/${spec.identity.map((k) => encodeURIComponent(String(at(rec, k)))).join('/')}`,
        },
      },
    });

    router.on('GET', spec.path, ({ res, query }) =>
      sendJson(res, 200, collection(records().map(view), query, spec.resource)),
    );
    router.on('GET', itemPath, ({ res, params, query }) =>
      sendJson(res, 200, single(view(find(params)), query, spec.resource)),
    );
    router.on('POST', spec.path, async ({ req, res, query }) => {
      const body = spec.resource.parseCreate<Rec>(await readJson(req));
      const rec: Rec = deepMerge(spec.defaults ?? {}, body);
      if (body.svm) {
        const svm = cluster.svm(body.svm);
        rec.svm = { name: svm.name, uuid: svm.uuid };
      }
      if (body.volume) {
        const ref = body.volume as { name?: string; uuid?: string };
        const vol = ref.uuid
          ? cluster.volume(ref.uuid)
          : cluster.volumeByName(rec.svm?.name ?? '', ref.name ?? '', 'volume.name');
        rec.volume = { name: vol.name, uuid: vol.uuid };
        rec.svm ??= svmRefOf(cluster, vol.svmUuid);
      }
      if (spec.identity.includes('uuid')) rec.uuid = cluster.newUuid();
      if (spec.identity.includes('id'))
        rec.id =
          1 +
          records()
            .filter((r) => r.volume?.uuid === rec.volume?.uuid)
            .reduce((max, r) => Math.max(max, Number(r.id)), 0);
      const same = (r: Rec) =>
        String(at(r, 'svm.uuid')) === String(at(rec, 'svm.uuid')) &&
        (rec.name === undefined || r.name === rec.name) &&
        String(at(r, 'volume.uuid')) === String(at(rec, 'volume.uuid'));
      if (!spec.identity.includes('uuid') && records().some(same))
        throw duplicate(`${spec.resource.name} ${String(rec.name ?? rec.svm?.name)}`, 'name');
      spec.created?.(cluster, rec);
      records().push(rec);
      cluster.save();
      sendJson(res, 201, wantsRecords(query) ? { num_records: 1, records: [view(rec)] } : {});
    });
    router.on('PATCH', itemPath, async ({ req, res, params }) => {
      const rec = find(params);
      Object.assign(rec, deepMerge(rec, spec.resource.parseModify<Rec>(await readJson(req))));
      cluster.save();
      sendJson(res, 200, {});
    });
    router.on('DELETE', itemPath, ({ res, params }) => {
      const rec = find(params);
      cluster.state.resources = {
        ...cluster.state.resources,
        [spec.path]: records().filter((r) => r !== rec),
      };
      cluster.save();
      sendJson(res, 200, {});
    });
  }

  router.on('GET', '/api/network/ipspaces', ({ res, query }) =>
    sendJson(res, 200, collection([defaultIpspaceView(cluster)], query, T.IPSPACE)),
  );
  router.on('GET', '/api/network/ipspaces/:uuid', ({ res, params, query }) => {
    const ipspace = defaultIpspaceView(cluster);
    if (ipspace.uuid !== params.uuid) throw notFound(`IPspace ${params.uuid}`, 'uuid');
    sendJson(res, 200, single(ipspace, query, T.IPSPACE));
  });
}

function defaultIpspaceView(cluster: Cluster) {
  const ipspace = defaultIpspace(cluster);
  return { ...ipspace, _links: { self: { href: `/api/network/ipspaces/${ipspace.uuid}` } } };
}
