// /api/network/ip/interfaces: data interfaces with a given name, address and home node;
// enabled by PATCH. Synchronous in ONTAP. An interface is up when it is enabled, its SVM
// runs and its home node (or the HA partner that took it over) is up.
import type { SimContext } from '../context';
import { duplicate, invalid, notFound, readJson, sendJson } from '../http';
import type { InterfaceRecord } from '../model';
import { collection, single, wantsRecords } from '../query';
import { deepMerge, unhandled } from '../resource';
import type { Router } from '../router';
import { INTERFACE } from './tables';
import { IPSPACE_DEFAULT, interfaceView, netmaskLength } from './views';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/** What the handlers act on; the rest of a body is stored and answered back. */
const HANDLED = [
  'name',
  'svm',
  'ip.address',
  'ip.netmask',
  'location.home_node',
  'location.home_port',
  'enabled',
  'service_policy',
  'scope',
  'ipspace',
];
const NETMASK = /^(\d{1,2}|\d{1,3}(\.\d{1,3}){3})$/;
type Ref = { name?: string; uuid?: string };
interface Location {
  home_node?: Ref;
  home_port?: { name?: string; node?: Ref };
}
interface CreateBody {
  [field: string]: unknown;
  name: string;
  svm: Ref;
  ip: { address: string; netmask?: string };
  location?: Location;
  enabled?: boolean;
  service_policy?: { name?: string };
}
interface ModifyBody {
  [field: string]: unknown;
  name?: string;
  ip?: { address: string; netmask?: string };
  location?: Location;
  enabled?: boolean;
  service_policy?: { name?: string };
}

export function registerInterfaceRoutes(router: Router, { cluster }: SimContext): void {
  const lifOf = (uuid: string): InterfaceRecord => {
    const lif = cluster.state.interfaces.find((l) => l.uuid === uuid);
    if (!lif) throw notFound(`interface ${uuid}`, 'uuid');
    return lif;
  };
  const checkAddress = (address: string, except?: InterfaceRecord) => {
    if (!IPV4.test(address)) throw invalid(`"${address}" is not an IPv4 address`, 'ip.address');
    if (cluster.state.interfaces.some((l) => l !== except && l.address === address))
      throw duplicate(`interface address ${address}`, 'ip.address');
  };
  const checkNetmask = (netmask: string | undefined) => {
    if (netmask !== undefined && (!NETMASK.test(netmask) || Number(netmaskLength(netmask)) > 32))
      throw invalid(`"${netmask}" is not a netmask or a netmask length`, 'ip.netmask');
  };
  const homeNode = (location: Location | undefined) => {
    const node = location?.home_node ?? location?.home_port?.node;
    return node ? cluster.node(node, 'location.home_node') : undefined;
  };

  router.on('GET', '/api/network/ip/interfaces', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.interfaces.map((l) => interfaceView(cluster, l)),
        query,
        INTERFACE,
      ),
    ),
  );
  router.on('GET', '/api/network/ip/interfaces/:uuid', ({ res, params, query }) =>
    sendJson(res, 200, single(interfaceView(cluster, lifOf(params.uuid)), query, INTERFACE)),
  );

  router.on('POST', '/api/network/ip/interfaces', async ({ req, res, query }) => {
    const body = INTERFACE.parseCreate<CreateBody & { scope?: string; ipspace?: Ref }>(await readJson(req));
    if (body.scope === 'cluster')
      throw invalid('the simulator serves SVM-scoped data interfaces only', 'scope');
    if (body.ipspace && (body.ipspace.name ?? IPSPACE_DEFAULT) !== IPSPACE_DEFAULT)
      throw notFound(`IPspace ${body.ipspace.name ?? body.ipspace.uuid}`, 'ipspace');
    checkNetmask(body.ip.netmask);
    const svm = cluster.svm(body.svm);
    if (cluster.state.interfaces.some((l) => l.svmUuid === svm.uuid && l.name === body.name))
      throw duplicate(`interface ${body.name}`, 'name');
    checkAddress(body.ip.address);
    const lif: InterfaceRecord = {
      uuid: cluster.newUuid(),
      name: body.name,
      svmUuid: svm.uuid,
      address: body.ip.address,
      netmask: netmaskLength(body.ip.netmask ?? '24'),
      enabled: body.enabled ?? true,
      homeNodeUuid: (homeNode(body.location) ?? cluster.state.nodes[0]).uuid,
      ...(body.location?.home_port?.name && { homePort: body.location.home_port.name }),
      ...(body.service_policy?.name && { servicePolicy: body.service_policy.name }),
      extra: unhandled(body, HANDLED),
    };
    cluster.state.interfaces.push(lif);
    cluster.save();
    sendJson(
      res,
      201,
      wantsRecords(query) ? { num_records: 1, records: [interfaceView(cluster, lif)] } : {},
      { location: `/api/network/ip/interfaces/${lif.uuid}` },
    );
  });

  router.on('PATCH', '/api/network/ip/interfaces/:uuid', async ({ req, res, params }) => {
    const lif = lifOf(params.uuid);
    const body = INTERFACE.parseModify<ModifyBody>(await readJson(req));
    checkNetmask(body.ip?.netmask);
    if (body.name !== undefined && body.name !== lif.name) {
      if (cluster.state.interfaces.some((l) => l.svmUuid === lif.svmUuid && l.name === body.name))
        throw duplicate(`interface ${body.name}`, 'name');
    }
    if (body.ip?.address) checkAddress(body.ip.address, lif);
    const node = homeNode(body.location);
    if (body.name !== undefined) lif.name = body.name;
    if (body.ip) {
      if (body.ip.address) lif.address = body.ip.address;
      if (body.ip.netmask) lif.netmask = netmaskLength(body.ip.netmask);
    }
    if (node) lif.homeNodeUuid = node.uuid;
    if (body.location?.home_port?.name) lif.homePort = body.location.home_port.name;
    if (body.enabled !== undefined) lif.enabled = body.enabled;
    if (body.service_policy?.name) lif.servicePolicy = body.service_policy.name;
    lif.extra = deepMerge(lif.extra ?? {}, unhandled(body, HANDLED));
    cluster.save();
    sendJson(res, 200, {});
  });

  router.on('DELETE', '/api/network/ip/interfaces/:uuid', ({ res, params }) => {
    const lif = lifOf(params.uuid);
    cluster.state.interfaces = cluster.state.interfaces.filter((l) => l !== lif);
    cluster.save();
    sendJson(res, 200, {});
  });
}
