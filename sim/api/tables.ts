// The fields of every resource the simulator serves, as ONTAP's REST reference (the
// `netapp_ontap` library's models, generated from ONTAP's OpenAPI spec) defines them: type,
// enum values, and whether POST / PATCH may set them. Fields the simulator does not act on are
// still accepted and stored (records' `extra`) and answered back, as ONTAP would.
import { EXPORT_AUTH, EXPORT_PROTOCOLS, SVM_SUBTYPES } from '../../lambdas/ontap/types';
import { expensive, type FieldTable, patch, post, Resource, req, ro, rw } from '../resource';
import { bool, int, list, obj, oneOf, ref, required, str } from '../schema';

const strs = () => list(str());
const NAME_SERVICE_SOURCES = ['files', 'dns', 'ldap', 'nis'] as const;
const svmKey = { svm: req(post(ref())) };

export const SVM = new Resource('svm', {
  uuid: ro(str()),
  name: req(rw(str())),
  // ONTAP sets the subtype at creation only; SVM-DR's break is what changes it later.
  subtype: post(oneOf(SVM_SUBTYPES)),
  // Started and stopped by PATCH; a POST cannot name it (netapp_ontap SvmSchema.postable_fields).
  state: patch(oneOf(['starting', 'running', 'stopping', 'stopped', 'deleting', 'initializing'])),
  language: rw(str()),
  comment: rw(str()),
  ipspace: post(ref()),
  aggregates: rw(list(ref())),
  snapshot_policy: rw(ref()),
  max_volumes: rw(str()),
  'nfs.enabled': rw(bool()),
  'nfs.allowed': rw(bool()),
  'cifs.enabled': post(bool()),
  'cifs.allowed': rw(bool()),
  'cifs.name': post(str()),
  'iscsi.enabled': rw(bool()),
  'iscsi.allowed': rw(bool()),
  'fcp.enabled': rw(bool()),
  'fcp.allowed': rw(bool()),
  'nvme.enabled': rw(bool()),
  'nvme.allowed': rw(bool()),
  'ndmp.allowed': rw(bool()),
  's3.enabled': post(bool()),
  's3.allowed': rw(bool()),
  dns: post(obj({ domains: required(strs()), servers: required(strs()) })),
  'nis.domain': post(str()),
  'nis.servers': post(strs()),
  'nis.enabled': post(bool()),
  'ldap.servers': post(strs()),
  'ldap.base_dn': post(str()),
  'ldap.ad_domain': post(str()),
  'ldap.enabled': post(bool()),
  ...Object.fromEntries(
    ['hosts', 'group', 'passwd', 'netgroup', 'namemap'].map((db) => [
      `nsswitch.${db}`,
      rw(list(oneOf(NAME_SERVICE_SOURCES))),
    ]),
  ),
  certificate: patch(ref()),
  qos_policy: patch(ref()),
  anti_ransomware_default_volume_state: rw(oneOf(['disabled', 'dry_run'])),
  is_space_reporting_logical: rw(bool()),
  is_space_enforcement_logical: rw(bool()),
});

export const VOLUME = new Resource('volume', {
  uuid: ro(str()),
  name: req(rw(str())),
  ...svmKey,
  aggregates: rw(list(ref())),
  size: rw(int(1)),
  type: rw(oneOf(['rw', 'dp', 'ls'])),
  state: rw(oneOf(['online', 'offline', 'restricted', 'error', 'mixed'])),
  style: post(oneOf(['flexvol', 'flexgroup', 'flexgroup_constituent'])),
  language: post(str()),
  comment: rw(str()),
  create_time: ro(str()),
  'nas.path': rw(str()),
  'nas.export_policy': rw(obj({ name: str(), id: int() })),
  'nas.security_style': rw(oneOf(['mixed', 'ntfs', 'unified', 'unix'])),
  'nas.uid': rw(int(0)),
  'nas.gid': rw(int(0)),
  'nas.unix_permissions': rw(int(0)),
  snapshot_policy: rw(ref()),
  'space.size': ro(int()),
  'space.used': ro(int()),
  'space.available': ro(int()),
  'space.snapshot.reserve_percent': rw(int(0, 90)),
  'space.logical_space.enforcement': rw(bool()),
  'space.logical_space.reporting': rw(bool()),
  'guarantee.type': rw(oneOf(['volume', 'none'])),
  'tiering.policy': rw(oneOf(['all', 'auto', 'backup', 'none', 'snapshot_only'])),
  'tiering.min_cooling_days': rw(int(0)),
  'encryption.enabled': rw(bool()),
  'efficiency.compression': rw(oneOf(['inline', 'background', 'both', 'none', 'mixed'])),
  'efficiency.dedupe': rw(oneOf(['inline', 'background', 'both', 'none', 'mixed'])),
  'efficiency.policy': rw(ref()),
  qos: rw(obj({ policy: ref() })),
  'snaplock.type': post(oneOf(['compliance', 'enterprise', 'non_snaplock'])),
  'files.maximum': rw(int(0)),
  'quota.enabled': patch(bool()),
  'quota.state': ro(str()),
  'autosize.mode': rw(oneOf(['grow', 'grow_shrink', 'off'])),
  'analytics.state': rw(oneOf(['on', 'off', 'unknown'])),
  'snapmirror.is_protected': ro(bool()),
  // The SVM's root volume: expensive in ONTAP, answered only when named.
  is_svm_root: expensive(ro(bool())),
  'movement.state': ro(str()),
  'movement.percent_complete': ro(int()),
  'movement.destination_aggregate': patch(ref()),
  'movement.cutover_action': patch(
    oneOf(['abort_on_failure', 'defer_on_failure', 'force', 'retry_on_failure', 'wait']),
  ),
});

export const INTERFACE = new Resource('ip_interface', {
  uuid: ro(str()),
  name: req(rw(str())),
  ...svmKey,
  'ip.address': req(rw(str())),
  'ip.netmask': rw(str()),
  'ip.family': ro(oneOf(['ipv4', 'ipv6'])),
  'location.home_node': rw(ref()),
  'location.home_port': rw(obj({ name: str(), uuid: str(), node: ref() })),
  'location.broadcast_domain': post(ref()),
  'location.auto_revert': rw(bool()),
  'location.failover': rw(
    oneOf(['home_port_only', 'default', 'home_node_only', 'sfo_partners_only', 'broadcast_domain_only']),
  ),
  'location.node': ro(ref()),
  'location.port': ro(ref()),
  enabled: rw(bool()),
  state: ro(oneOf(['up', 'down'])),
  service_policy: rw(ref()),
  scope: post(oneOf(['svm', 'cluster'])),
  ipspace: post(ref()),
  dns_zone: rw(str()),
  ddns_enabled: rw(bool()),
  probe_port: post(int(0)),
  subnet: post(ref()),
  vip: post(bool()),
});

export const DNS = new Resource(
  'dns',
  {
    ...svmKey,
    domains: req(rw(strs())),
    servers: req(rw(strs())),
    // Write-only in ONTAP: accepted, never answered.
    skip_config_validation: rw(bool()),
    timeout: rw(int(1, 5)),
    attempts: rw(int(1, 4)),
    'dynamic_dns.enabled': rw(bool()),
    'dynamic_dns.fqdn': rw(str()),
    'dynamic_dns.use_secure': rw(bool()),
    'dynamic_dns.time_to_live': rw(str()),
    scope: ro(oneOf(['svm', 'cluster'])),
  },
  ['svm'],
);

const features = (v: string, pnfs = false) => ({
  [`protocol.${v}_features.acl_enabled`]: rw(bool()),
  [`protocol.${v}_features.read_delegation_enabled`]: rw(bool()),
  [`protocol.${v}_features.write_delegation_enabled`]: rw(bool()),
  ...(pnfs && { [`protocol.${v}_features.pnfs_enabled`]: rw(bool()) }),
});
export const NFS = new Resource(
  'nfs_service',
  {
    ...svmKey,
    enabled: rw(bool()),
    state: ro(oneOf(['online', 'offline'])),
    'protocol.v3_enabled': rw(bool()),
    'protocol.v40_enabled': rw(bool()),
    'protocol.v41_enabled': rw(bool()),
    'protocol.v4_id_domain': rw(str()),
    'protocol.v3_64bit_identifiers_enabled': rw(bool()),
    'protocol.v4_64bit_identifiers_enabled': rw(bool()),
    'protocol.v3_features.connection_drop': rw(bool()),
    'protocol.v3_features.fsid_change': rw(bool()),
    'protocol.v3_features.mount_root_only': rw(bool()),
    ...features('v40'),
    ...features('v41', true),
    'transport.tcp_enabled': rw(bool()),
    'transport.udp_enabled': rw(bool()),
    'transport.rdma_enabled': rw(bool()),
    'transport.tcp_max_transfer_size': rw(int(8192, 1048576)),
    vstorage_enabled: rw(bool()),
    rquota_enabled: rw(bool()),
    showmount_enabled: rw(bool()),
    auth_sys_extended_groups_enabled: rw(bool()),
    extended_groups_limit: rw(int(32, 1024)),
    'root.ignore_nt_acl': rw(bool()),
    'root.skip_write_permission_check': rw(bool()),
    'security.chown_mode': rw(oneOf(['restricted', 'unrestricted', 'use_export_policy'])),
    'security.nt_acl_display_permission': rw(bool()),
    'security.ntfs_unix_security': rw(oneOf(['fail', 'ignore', 'use_export_policy'])),
    'security.permitted_encryption_types': rw(list(oneOf(['des', 'des3', 'aes_128', 'aes_256']))),
    'security.rpcsec_context_idle': rw(int(0)),
    'windows.default_user': rw(str()),
    'windows.map_unknown_uid_to_default_user': rw(bool()),
    'windows.v3_ms_dos_client_enabled': rw(bool()),
  },
  ['svm'],
);

const RULE_FIELDS: FieldTable = {
  index: post(int(1)),
  clients: req(rw(list(obj({ match: required(str()) })))),
  protocols: rw(list(oneOf([...EXPORT_PROTOCOLS, 'flexcache']))),
  ro_rule: req(rw(list(oneOf(EXPORT_AUTH)))),
  rw_rule: req(rw(list(oneOf(EXPORT_AUTH)))),
  superuser: rw(list(oneOf(EXPORT_AUTH))),
  anonymous_user: rw(str()),
  allow_device_creation: rw(bool()),
  allow_suid: rw(bool()),
  chown_mode: rw(oneOf(['restricted', 'unrestricted'])),
  ntfs_unix_security: rw(oneOf(['fail', 'ignore'])),
  policy: ro(obj({ id: int(), name: str() })),
};
export const EXPORT_RULE = new Resource('export_rule', RULE_FIELDS, ['index']);

export const EXPORT_POLICY = new Resource(
  'export_policy',
  {
    id: ro(int()),
    name: req(rw(str())),
    ...svmKey,
    rules: rw(list(EXPORT_RULE.create)),
  },
  ['id', 'name'],
);

// ---- resources the simulator only stores (generic-routes.ts) ----

const svmRef = { svm: req(post(ref())) };
export const UNIX_USER = new Resource(
  'unix_user',
  {
    ...svmRef,
    name: req(post(str())),
    id: req(rw(int(0))),
    primary_gid: req(rw(int(0))),
    full_name: rw(str()),
    skip_name_validation: post(bool()),
  },
  ['svm', 'name'],
);

export const UNIX_GROUP = new Resource(
  'unix_group',
  {
    ...svmRef,
    name: req(post(str())),
    id: req(rw(int(0))),
    users: ro(list(obj({ name: str() }))),
    skip_name_validation: post(bool()),
  },
  ['svm', 'name'],
);

export const NIS = new Resource(
  'nis',
  {
    ...svmRef,
    domain: req(rw(str())),
    servers: rw(strs()),
    bound_servers: ro(strs()),
  },
  ['svm'],
);

export const LDAP = new Resource(
  'ldap',
  {
    ...svmRef,
    servers: rw(strs()),
    ad_domain: rw(str()),
    preferred_ad_servers: rw(strs()),
    schema: rw(str()),
    base_dn: rw(str()),
    base_scope: rw(oneOf(['base', 'onelevel', 'subtree'])),
    bind_dn: rw(str()),
    bind_password: rw(str()),
    port: rw(int(1, 65535)),
    min_bind_level: rw(oneOf(['anonymous', 'simple', 'sasl'])),
    session_security: rw(oneOf(['none', 'sign', 'seal'])),
    use_start_tls: rw(bool()),
    skip_config_validation: rw(bool()),
  },
  ['svm'],
);

export const SNAPSHOT_POLICY = new Resource('snapshot_policy', {
  uuid: ro(str()),
  name: req(post(str())),
  svm: post(ref()),
  enabled: rw(bool()),
  comment: rw(str()),
  copies: rw(list(obj({ count: int(0), prefix: str(), snapmirror_label: str(), schedule: ref() }))),
  scope: ro(oneOf(['svm', 'cluster'])),
});

export const QTREE = new Resource(
  'qtree',
  {
    ...svmRef,
    volume: req(post(ref())),
    id: ro(int()),
    name: req(rw(str())),
    path: ro(str()),
    security_style: rw(oneOf(['unix', 'ntfs', 'mixed'])),
    unix_permissions: rw(int(0)),
    export_policy: rw(obj({ name: str(), id: int() })),
    user: rw(obj({ name: str(), id: int() })),
    group: rw(obj({ name: str(), id: int() })),
  },
  ['volume', 'id', 'name'],
);

const limits = obj({ hard_limit: int(0), soft_limit: int(0) });
export const QUOTA_RULE = new Resource(
  'quota_rule',
  {
    uuid: ro(str()),
    ...svmRef,
    volume: req(post(ref())),
    qtree: post(obj({ name: str(), id: int() })),
    type: req(post(oneOf(['tree', 'user', 'group']))),
    users: post(list(obj({ name: str(), id: str() }))),
    group: post(obj({ name: str(), id: str() })),
    space: rw(limits),
    files: rw(limits),
    user_mapping: rw(bool()),
  },
  ['uuid'],
);

export const ROUTE = new Resource(
  'route',
  {
    uuid: ro(str()),
    svm: post(ref()),
    ipspace: post(ref()),
    destination: req(
      post(obj({ address: required(str()), netmask: str(), family: oneOf(['ipv4', 'ipv6']) })),
    ),
    gateway: req(post(str())),
    metric: post(int(0)),
    scope: ro(oneOf(['svm', 'cluster'])),
  },
  ['uuid'],
);

export const SMB_SHARE = new Resource(
  'smb_share',
  {
    ...svmRef,
    name: req(post(str())),
    path: req(rw(str())),
    comment: rw(str()),
    volume: ro(ref()),
    oplocks: rw(bool()),
    continuously_available: rw(bool()),
    acls: rw(
      list(
        obj({
          user_or_group: str(),
          type: oneOf(['windows', 'unix_user', 'unix_group']),
          permission: oneOf(['no_access', 'read', 'change', 'full_control']),
        }),
      ),
    ),
  },
  ['svm', 'name'],
);

export const LUN = new Resource(
  'lun',
  {
    uuid: ro(str()),
    ...svmRef,
    name: req(post(str())),
    'location.volume': post(ref()),
    'location.logical_unit': post(str()),
    os_type: post(
      oneOf([
        'aix',
        'hpux',
        'hyper_v',
        'linux',
        'netware',
        'openvms',
        'solaris',
        'solaris_efi',
        'vmware',
        'windows',
        'windows_2008',
        'windows_gpt',
        'xen',
      ]),
    ),
    'space.size': req(rw(int(1))),
    enabled: rw(bool()),
    comment: rw(str()),
    serial_number: ro(str()),
  },
  ['uuid', 'name'],
);

export const IPSPACE = new Resource('ipspace', { uuid: ro(str()), name: ro(str()) });
