// /api/network/ip/interfaces: data interfaces with a given name, address and home node;
// enabled by PATCH. Synchronous in ONTAP. An interface is up when it is enabled, its SVM
// runs and its home node (or the HA partner that took it over) is up.
import type { SimContext } from '../context';
import { duplicate, invalid, notFound, readJson, sendJson } from '../http';
import type { InterfaceRecord } from '../model';
import { collection, wantsRecords } from '../query';
import type { Router } from '../router';
import { bool, obj, oneOf, parse, ref, required, str } from '../schema';
import { interfaceView } from './views';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const ipSchema = obj({ address: required(str()), netmask: str() });
const locationSchema = obj({ home_node: ref(), home_port: obj({ name: str(), node: ref() }), auto_revert: bool() });
const createSchema = obj({
  name: required(str()),
  svm: required(ref()),
  ip: required(ipSchema),
  location: locationSchema,
  enabled: bool(),
  service_policy: obj({ name: str() }),
  scope: oneOf(['svm']),
});
const modifySchema = obj({ name: str(), ip: ipSchema, location: locationSchema, enabled: bool(), service_policy: obj({ name: str() }) });

type Ref = { name?: string; uuid?: string };
interface Location {
  home_node?: Ref;
  home_port?: { name?: string; node?: Ref };
}
interface CreateBody {
  name: string;
  svm: Ref;
  ip: { address: string; netmask?: string };
  location?: Location;
  enabled?: boolean;
  service_policy?: { name?: string };
}
type ModifyBody = Partial<Omit<CreateBody, 'svm'>>;

export function registerInterfaceRoutes(router: Router, { cluster }: SimContext): void {
  const lifOf = (uuid: string): InterfaceRecord => {
    const lif = cluster.state.interfaces.find((l) => l.uuid === uuid);
    if (!lif) throw notFound(`interface ${uuid}`, 'uuid');
    return lif;
  };
  const checkAddress = (address: string, except?: InterfaceRecord) => {
    if (!IPV4.test(address)) throw invalid(`"${address}" is not an IPv4 address`, 'ip.address');
    if (cluster.state.interfaces.some((l) => l !== except && l.address === address)) throw duplicate(`interface address ${address}`, 'ip.address');
  };
  const homeNode = (location: Location | undefined) => {
    const node = location?.home_node ?? location?.home_port?.node;
    return node ? cluster.node(node, 'location.home_node') : undefined;
  };

  router.on('GET', '/api/network/ip/interfaces', ({ res, query }) =>
    sendJson(res, 200, collection(cluster.state.interfaces.map((l) => interfaceView(cluster, l)), query)));
  router.on('GET', '/api/network/ip/interfaces/:uuid', ({ res, params }) => sendJson(res, 200, interfaceView(cluster, lifOf(params.uuid))));

  router.on('POST', '/api/network/ip/interfaces', async ({ req, res, query }) => {
    const body = parse<CreateBody>(await readJson(req), createSchema);
    const svm = cluster.svm(body.svm);
    if (cluster.state.interfaces.some((l) => l.svmUuid === svm.uuid && l.name === body.name)) throw duplicate(`interface ${body.name}`, 'name');
    checkAddress(body.ip.address);
    const lif: InterfaceRecord = {
      uuid: cluster.newUuid(),
      name: body.name,
      svmUuid: svm.uuid,
      address: body.ip.address,
      netmask: body.ip.netmask ?? '255.255.255.0',
      enabled: body.enabled ?? true,
      homeNodeUuid: (homeNode(body.location) ?? cluster.state.nodes[0]).uuid,
      ...(body.location?.home_port?.name && { homePort: body.location.home_port.name }),
      ...(body.service_policy?.name && { servicePolicy: body.service_policy.name }),
    };
    cluster.state.interfaces.push(lif);
    cluster.save();
    sendJson(res, 201, wantsRecords(query) ? { num_records: 1, records: [interfaceView(cluster, lif)] } : {}, { location: `/api/network/ip/interfaces/${lif.uuid}` });
  });

  router.on('PATCH', '/api/network/ip/interfaces/:uuid', async ({ req, res, params }) => {
    const lif = lifOf(params.uuid);
    const body = parse<ModifyBody>(await readJson(req), modifySchema);
    if (body.name !== undefined && body.name !== lif.name) {
      if (cluster.state.interfaces.some((l) => l.svmUuid === lif.svmUuid && l.name === body.name)) throw duplicate(`interface ${body.name}`, 'name');
    }
    if (body.ip) checkAddress(body.ip.address, lif);
    const node = homeNode(body.location);
    if (body.name !== undefined) lif.name = body.name;
    if (body.ip) {
      lif.address = body.ip.address;
      if (body.ip.netmask) lif.netmask = body.ip.netmask;
    }
    if (node) lif.homeNodeUuid = node.uuid;
    if (body.location?.home_port?.name) lif.homePort = body.location.home_port.name;
    if (body.enabled !== undefined) lif.enabled = body.enabled;
    if (body.service_policy?.name) lif.servicePolicy = body.service_policy.name;
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
