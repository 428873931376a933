// The data endpoint: what an NFS client would do, as HTTP. Files of an SVM's volume are read,
// written and deleted only while that SVM serves data on this cluster; a write is answered
// 200 only once its content and the volume's new file list are durable on disk.

import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import type { SimContext } from './context';
import { notFound, RequestError, sendJson } from './http';
import type { VolumeRecord } from './model';
import type { Router } from './router';

const MAX_PATH = 1024;

/** Why the SVM's volume does not serve clients right now, or undefined when it does. */
function notServing(
  ctx: SimContext,
  svmName: string,
  volumeName: string,
): { reason: string; target: string } | undefined {
  const { cluster } = ctx;
  const svm = cluster.state.svms.find((s) => s.name === svmName);
  if (!svm) return { reason: `SVM ${svmName} does not exist on ${cluster.name}`, target: 'svm' };
  if (svm.state !== 'running') return { reason: `SVM ${svmName} is ${svm.state}`, target: 'svm.state' };
  if (svm.subtype !== 'default')
    return { reason: `SVM ${svmName} is of subtype ${svm.subtype}`, target: 'svm.subtype' };
  const vol = cluster.state.volumes.find((v) => v.svmUuid === svm.uuid && v.name === volumeName);
  if (!vol) return { reason: `volume ${volumeName} does not exist in SVM ${svmName}`, target: 'volume' };
  if (vol.type !== 'rw')
    return { reason: `volume ${volumeName} is of type ${vol.type}`, target: 'volume.type' };
  if (vol.state !== 'online')
    return { reason: `volume ${volumeName} is ${vol.state}`, target: 'volume.state' };
  if (!cluster.volumeServer(vol))
    return { reason: `the node of volume ${volumeName} is down and not taken over`, target: 'node' };
  if (!cluster.state.interfaces.some((l) => l.svmUuid === svm.uuid && cluster.interfaceUp(l))) {
    return { reason: `SVM ${svmName} has no interface up on ${cluster.name}`, target: 'interfaces' };
  }
  return undefined;
}

function servingVolume(ctx: SimContext, svmName: string, volumeName: string): VolumeRecord {
  const why = notServing(ctx, svmName, volumeName);
  if (why) throw new RequestError(503, ONTAP_ERROR.INTERNAL, `not serving: ${why.reason}`, why.target);
  return ctx.cluster.volumeByName(svmName, volumeName);
}

function checkPath(path: string): string {
  const parts = path.split('/');
  if (path.length > MAX_PATH || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new RequestError(400, ONTAP_ERROR.INVALID_VALUE, `invalid file path "${path}"`, 'path');
  }
  return path;
}

export function registerDataRoutes(router: Router, ctx: SimContext): void {
  const { cluster } = ctx;

  router.on('GET', '/sim/data/:svm/:volume', ({ res, params }) => {
    const vol = servingVolume(ctx, params.svm, params.volume);
    const files = Object.entries(vol.files).map(([path, f]) => ({ path, size: f.size, hash: f.hash }));
    sendJson(res, 200, { files });
  });

  router.on('GET', '/sim/data/:svm/:volume/*path', ({ res, params }) => {
    const vol = servingVolume(ctx, params.svm, params.volume);
    const entry = vol.files[checkPath(params.path)];
    if (!entry) throw notFound(`file ${params.path}`, 'path');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': entry.size,
      etag: `"${entry.hash}"`,
    });
    cluster.blobs
      .read(entry.hash)
      .on('error', () => res.destroy())
      .pipe(res);
  });

  router.on('PUT', '/sim/data/:svm/:volume/*path', async ({ req, res, params }) => {
    const path = checkPath(params.path);
    servingVolume(ctx, params.svm, params.volume);
    const entry = await cluster.blobs.put(req);
    // The SVM may have stopped serving while the body streamed in: then the write is refused.
    const vol = servingVolume(ctx, params.svm, params.volume);
    vol.files[path] = entry;
    cluster.save();
    sendJson(res, 200, { path, size: entry.size, hash: entry.hash });
  });

  router.on('DELETE', '/sim/data/:svm/:volume/*path', ({ res, params }) => {
    const vol = servingVolume(ctx, params.svm, params.volume);
    const path = checkPath(params.path);
    if (!vol.files[path]) throw notFound(`file ${path}`, 'path');
    delete vol.files[path];
    cluster.save();
    sendJson(res, 200, {});
  });
}
