// The SVM configuration a migration carries over (DNS, the NFS service, export policies and
// their rules): copied at setup, re-applied and compared at commit. Copying is idempotent:
// it creates what is missing and corrects what differs.

import type { OntapClient } from '../../ontap/client';
import type { ExportPolicy, ExportRule, IpInterface, Svm, Volume } from '../../ontap/types';

const ruleKey = (r: ExportRule): string =>
  JSON.stringify([
    r.clients.map((c) => c.match),
    r.protocols,
    r.ro_rule,
    r.rw_rule,
    r.superuser,
    r.anonymous_user ?? null,
  ]);
const rulesKey = (rules: ExportRule[]): string => JSON.stringify(rules.map(ruleKey));
const sameList = (a: string[], b: string[]): boolean =>
  JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
/** A rule as ONTAP takes it on create (no `index`: ONTAP numbers them). */
const ruleBody = ({ index: _index, ...rule }: ExportRule): ExportRule => rule;

export async function copyConfiguration(
  source: OntapClient,
  destination: OntapClient,
  from: Svm,
  to: Svm,
): Promise<void> {
  await copyDns(source, destination, from, to);
  await copyNfs(source, destination, from, to);
  await copyExportPolicies(source, destination, from, to);
}

async function copyDns(source: OntapClient, destination: OntapClient, from: Svm, to: Svm): Promise<void> {
  const want = await source.dns.get(from.uuid);
  if (!want) return;
  const have = await destination.dns.get(to.uuid);
  if (!have)
    await destination.dns.create({
      svm: { name: to.name, uuid: to.uuid },
      domains: want.domains,
      servers: want.servers,
    });
  else if (!sameList(have.domains, want.domains) || !sameList(have.servers, want.servers)) {
    await destination.dns.update(to.uuid, { domains: want.domains, servers: want.servers });
  }
}

async function copyNfs(source: OntapClient, destination: OntapClient, from: Svm, to: Svm): Promise<void> {
  const want = await source.nfs.get(from.uuid);
  if (!want) return;
  const have = await destination.nfs.get(to.uuid);
  if (!have)
    await destination.nfs.create({
      svm: { name: to.name, uuid: to.uuid },
      enabled: want.enabled,
      protocol: want.protocol,
    });
  else if (have.enabled !== want.enabled || JSON.stringify(have.protocol) !== JSON.stringify(want.protocol)) {
    await destination.nfs.update(to.uuid, { enabled: want.enabled, protocol: want.protocol });
  }
}

async function copyExportPolicies(
  source: OntapClient,
  destination: OntapClient,
  from: Svm,
  to: Svm,
): Promise<void> {
  const [wanted, present] = await Promise.all([
    source.exportPolicies.list({ uuid: from.uuid }),
    destination.exportPolicies.list({ uuid: to.uuid }),
  ]);
  for (const want of wanted) {
    const have = present.find((p) => p.name === want.name);
    if (!have) {
      await destination.exportPolicies.create({
        name: want.name,
        svm: { name: to.name, uuid: to.uuid },
        rules: want.rules.map(ruleBody),
      });
    } else if (rulesKey(have.rules) !== rulesKey(want.rules)) {
      // Rules are ordered; rewriting the list is simpler and safer than patching it in place.
      for (const rule of [...have.rules].reverse())
        if (rule.index !== undefined) await destination.exportPolicies.deleteRule(have.id, rule.index);
      for (const rule of want.rules) await destination.exportPolicies.addRule(have.id, ruleBody(rule));
    }
  }
}

/** Differences between the two SVMs' configuration, volumes and interfaces, as readable lines; empty when equal. */
export async function compareConfiguration(
  source: OntapClient,
  destination: OntapClient,
  from: Svm,
  to: Svm,
): Promise<string[]> {
  const [srcDns, dstDns, srcNfs, dstNfs, srcPolicies, dstPolicies] = await Promise.all([
    source.dns.get(from.uuid),
    destination.dns.get(to.uuid),
    source.nfs.get(from.uuid),
    destination.nfs.get(to.uuid),
    source.exportPolicies.list({ uuid: from.uuid }),
    destination.exportPolicies.list({ uuid: to.uuid }),
  ]);
  const diffs: string[] = [];
  if (JSON.stringify(dnsView(srcDns)) !== JSON.stringify(dnsView(dstDns)))
    diffs.push(`dns: ${JSON.stringify(dnsView(srcDns))} != ${JSON.stringify(dnsView(dstDns))}`);
  if (JSON.stringify(nfsView(srcNfs)) !== JSON.stringify(nfsView(dstNfs)))
    diffs.push(`nfs service: ${JSON.stringify(nfsView(srcNfs))} != ${JSON.stringify(nfsView(dstNfs))}`);
  diffs.push(...compareBy('export policy', policiesView(srcPolicies), policiesView(dstPolicies)));
  return diffs;
}

/** Volumes and interfaces compared by name: size, mount path and export policy; address and netmask. */
export function compareVolumesAndInterfaces(
  srcVolumes: Volume[],
  dstVolumes: Volume[],
  srcLifs: IpInterface[],
  dstLifs: IpInterface[],
): string[] {
  const volumeView = (vs: Volume[]): Map<string, string> =>
    new Map(
      vs.map((v) => [
        v.name,
        JSON.stringify({
          size: v.size,
          path: v.nas?.path ?? null,
          policy: v.nas?.export_policy?.name ?? null,
        }),
      ]),
    );
  const lifView = (ls: IpInterface[]): Map<string, string> =>
    new Map(ls.map((l) => [l.name, JSON.stringify({ address: l.ip.address, netmask: l.ip.netmask })]));
  return [
    ...compareBy('volume', volumeView(srcVolumes), volumeView(dstVolumes)),
    ...compareBy('interface', lifView(srcLifs), lifView(dstLifs)),
  ];
}

const dnsView = (d: { domains: string[]; servers: string[] } | undefined) =>
  d ? { domains: [...d.domains].sort(), servers: [...d.servers].sort() } : null;
const nfsView = (n: { enabled: boolean; protocol: object } | undefined) =>
  n ? { enabled: n.enabled, protocol: n.protocol } : null;
const policiesView = (ps: ExportPolicy[]): Map<string, string> =>
  new Map(ps.map((p) => [p.name, rulesKey(p.rules)]));

function compareBy(what: string, src: Map<string, string>, dst: Map<string, string>): string[] {
  const diffs: string[] = [];
  for (const [name, view] of src) {
    if (!dst.has(name)) diffs.push(`${what} ${name}: missing on the destination`);
    else if (dst.get(name) !== view) diffs.push(`${what} ${name}: ${view} != ${dst.get(name)}`);
  }
  for (const name of dst.keys()) if (!src.has(name)) diffs.push(`${what} ${name}: only on the destination`);
  return diffs;
}
