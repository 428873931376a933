// The source side of the inter-cluster link: the destination asks for a snapshot of a
// volume (its file manifest) and pulls the blobs it lacks. While the link is down, every
// such connection is cut, as a real inter-cluster network failure would.
import type { ServerResponse } from 'node:http';
import type { Cluster } from '../cluster';
import { invalid, notFound, readJson, sendJson } from '../http';
import type { RouteContext, Router } from '../router';
import { obj, parse, required, str } from '../schema';

const snapshotSchema = obj({ svm: required(str()), volume: required(str()), name: required(str()) });
const releaseSchema = obj({
  svm: required(str()),
  volume: required(str()),
  prefix: required(str()),
  keep: required(str()),
});

export function registerSourceRoutes(router: Router, cluster: Cluster): void {
  const serving = new Set<ServerResponse>();
  cluster.onLinkDown(() => {
    for (const res of serving) res.destroy();
    serving.clear();
  });
  const linkUp = ({ res }: RouteContext): boolean => {
    if (cluster.state.link.up) return true;
    res.socket?.destroy();
    return false;
  };

  router.on('GET', '/sim/replication/ping', (ctx) => {
    if (linkUp(ctx)) sendJson(ctx.res, 200, { name: cluster.name });
  });

  router.on('GET', '/sim/replication/volumes/:svm/:volume', (ctx) => {
    if (!linkUp(ctx)) return;
    const vol = cluster.volumeByName(ctx.params.svm, ctx.params.volume, 'source.path');
    sendJson(ctx.res, 200, { uuid: vol.uuid, type: vol.type });
  });

  router.on('POST', '/sim/replication/snapshots', async (ctx) => {
    if (!linkUp(ctx)) return;
    const body = parse<{ svm: string; volume: string; name: string }>(
      await readJson(ctx.req),
      snapshotSchema,
    );
    const vol = cluster.volumeByName(body.svm, body.volume, 'source.path');
    cluster.requireServed(vol);
    // Idempotent: a transfer that resumes asks again for the snapshot it started with.
    let snap = vol.snapshots.find((s) => s.name === body.name);
    if (!snap) {
      snap = {
        uuid: cluster.newUuid(),
        name: body.name,
        create_time: new Date().toISOString(),
        manifest: { ...vol.files },
      };
      vol.snapshots.push(snap);
      cluster.save();
    }
    sendJson(ctx.res, 200, { name: snap.name, create_time: snap.create_time, manifest: snap.manifest });
  });

  router.on('POST', '/sim/replication/release', async (ctx) => {
    if (!linkUp(ctx)) return;
    const body = parse<{ svm: string; volume: string; prefix: string; keep: string }>(
      await readJson(ctx.req),
      releaseSchema,
    );
    const vol = cluster.volumeByName(body.svm, body.volume, 'source.path');
    vol.snapshots = vol.snapshots.filter((s) => !s.name.startsWith(body.prefix) || s.name === body.keep);
    cluster.save();
    sendJson(ctx.res, 200, {});
  });

  router.on('GET', '/sim/replication/blobs/:hash', (ctx) => {
    if (!linkUp(ctx)) return;
    const { hash } = ctx.params;
    if (!/^[0-9a-f]{64}$/.test(hash)) throw invalid('not a blob hash', 'hash');
    if (!cluster.blobs.has(hash)) throw notFound(`blob ${hash}`, 'hash');
    const range = /^bytes=(\d+)-$/.exec(ctx.req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const res = ctx.res;
    res.writeHead(range ? 206 : 200, { 'content-type': 'application/octet-stream' });
    serving.add(res);
    const stream = cluster.blobs.read(hash, start);
    stream.on('data', (chunk) => (cluster.state.counters.replicationBytesServed += chunk.length));
    stream.on('error', () => res.destroy());
    res.on('close', () => {
      serving.delete(res);
      stream.destroy();
    });
    stream.pipe(res);
  });
}
