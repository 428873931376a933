// /api/storage/volumes: create rw or dp volumes, modify, move to another aggregate (PATCH
// aggregates, progress in movement.state), delete; all jobs. Snapshots are read-only here.
import type { SimContext } from '../context';
import { duplicate, invalid, mountedVolume, readJson, sendJson } from '../http';
import { answerWithJob } from '../jobs';
import type { VolumeRecord } from '../model';
import { collection, returnTimeout, single, wantsRecords } from '../query';
import { unhandled } from '../resource';
import type { Router } from '../router';
import { VOLUME } from './tables';
import { volumeView } from './views';

const VOLUME_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,202}$/;
const DEFAULT_SIZE = 20 * 1024 * 1024;
type Ref = { name?: string; uuid?: string };
/** What the handlers act on; the rest of a body is stored and answered back. */
const HANDLED = [
  'name',
  'svm',
  'aggregates',
  'size',
  'type',
  'state',
  'language',
  'nas.path',
  'nas.export_policy',
  'movement',
];
interface CreateBody {
  [field: string]: unknown;
  name: string;
  svm: Ref;
  aggregates?: Ref[];
  size?: number;
  type?: 'rw' | 'dp';
  state?: 'online' | 'offline' | 'restricted';
  style?: 'flexvol' | 'flexgroup' | 'flexgroup_constituent';
  language?: string;
  nas?: VolumeRecord['nas'];
}
interface ModifyBody {
  [field: string]: unknown;
  name?: string;
  size?: number;
  state?: 'online' | 'offline' | 'restricted';
  type?: 'rw' | 'dp';
  nas?: VolumeRecord['nas'];
  aggregates?: Ref[];
  movement?: { destination_aggregate: Ref; cutover_action?: string };
}

export function registerVolumeRoutes(router: Router, { cluster, jobs }: SimContext): void {
  const checkPolicy = (svmUuid: string, nas?: VolumeRecord['nas']) => {
    const name = nas?.export_policy?.name;
    if (name && !cluster.state.exportPolicies.some((p) => p.svmUuid === svmUuid && p.name === name)) {
      throw invalid(`export policy "${name}" does not exist on the SVM`, 'nas.export_policy.name');
    }
  };

  /** A junction goes inside a path that exists: `/` (the root volume) or another mounted volume's junction. */
  const checkJunction = (svmUuid: string, self: string | undefined, nas?: VolumeRecord['nas']) => {
    const path = nas?.path;
    if (!path) return;
    if (!path.startsWith('/')) throw invalid(`junction path "${path}" must start with /`, 'nas.path');
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const mounted = cluster.state.volumes.filter(
      (v) => v.svmUuid === svmUuid && v.uuid !== self && v.nas.path,
    );
    if (mounted.some((v) => v.nas.path === path)) throw duplicate(`junction path ${path}`, 'nas.path');
    if (parent !== '/' && !mounted.some((v) => v.nas.path === parent)) {
      throw invalid(
        `junction path "${path}": its parent "${parent}" is not the junction of a mounted volume; mount that first`,
        'nas.path',
      );
    }
  };

  router.on('GET', '/api/storage/volumes', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.volumes.map((v) => volumeView(cluster, v)),
        query,
        VOLUME,
      ),
    ),
  );
  router.on('GET', '/api/storage/volumes/:uuid', ({ res, params, query }) =>
    sendJson(res, 200, single(volumeView(cluster, cluster.volume(params.uuid)), query, VOLUME)),
  );
  router.on('GET', '/api/storage/volumes/:uuid/snapshots', ({ res, params, query }) => {
    const vol = cluster.volume(params.uuid);
    const records = vol.snapshots.map((s) => ({
      uuid: s.uuid,
      name: s.name,
      create_time: s.create_time,
      volume: { name: vol.name, uuid: vol.uuid },
    }));
    sendJson(res, 200, collection(records, query));
  });

  router.on('POST', '/api/storage/volumes', async ({ req, res, query }) => {
    const body = VOLUME.parseCreate<CreateBody>(await readJson(req));
    // A FlexGroup is one record here (its constituents are not modelled): a precheck can find it.
    if (body.style === 'flexgroup_constituent')
      throw invalid('a FlexGroup constituent is not created on its own', 'style');
    if ((body.state as string) === 'error' || (body.state as string) === 'mixed')
      throw invalid(`a volume cannot be created in state ${body.state}`, 'state');
    if (!VOLUME_NAME.test(body.name)) throw invalid(`invalid volume name "${body.name}"`, 'name');
    const svm = cluster.svm(body.svm);
    if (cluster.state.volumes.some((v) => v.svmUuid === svm.uuid && v.name === body.name))
      throw duplicate(`volume ${body.name}`, 'name');
    const type = body.type ?? 'rw';
    if (svm.subtype === 'dp_destination' && type !== 'dp')
      throw invalid('an SVM of subtype dp_destination holds only volumes of type dp', 'type');
    if (type === 'dp' && body.nas?.path)
      throw invalid('a volume of type dp cannot be mounted at creation', 'nas.path');
    if (body.style !== 'flexgroup' && body.aggregates && body.aggregates.length !== 1)
      throw invalid('a FlexVol volume lives on exactly one aggregate', 'aggregates');
    checkPolicy(svm.uuid, body.nas);
    checkJunction(svm.uuid, undefined, body.nas);
    const aggr = body.aggregates ? cluster.aggregate(body.aggregates[0]) : cluster.state.aggregates[0];
    const volume: VolumeRecord = {
      uuid: cluster.newUuid(),
      name: body.name,
      svmUuid: svm.uuid,
      type,
      state: body.state ?? 'online',
      size: body.size ?? DEFAULT_SIZE,
      aggregateUuid: aggr.uuid,
      nas: {
        ...(body.nas?.path !== undefined && { path: body.nas.path }),
        ...(body.nas?.export_policy && { export_policy: body.nas.export_policy }),
      },
      ...(body.style === 'flexgroup' && { style: 'flexgroup' as const }),
      files: {},
      snapshots: [],
      ...(body.language !== undefined && { language: body.language }),
      extra: unhandled(body, [...HANDLED, 'style']),
    };
    const job = jobs.submit(
      `POST /api/storage/volumes/${volume.uuid}`,
      { kind: 'volume_create', volume },
      { name: svm.name, uuid: svm.uuid },
    );
    await answerWithJob(res, jobs, job, {
      returnTimeout: returnTimeout(query),
      doneStatus: 201,
      records: wantsRecords(query) ? [{ uuid: volume.uuid, name: volume.name }] : undefined,
    });
  });

  router.on('PATCH', '/api/storage/volumes/:uuid', async ({ req, res, params, query }) => {
    const vol = cluster.volume(params.uuid);
    const body = VOLUME.parseModify<ModifyBody>(await readJson(req));
    if ((body.state as string) === 'error' || (body.state as string) === 'mixed')
      throw invalid(`state ${body.state} cannot be requested`, 'state');
    cluster.requireServed(vol);
    const svm = cluster.svmByUuid(vol.svmUuid);
    const svmRef = { name: svm.name, uuid: svm.uuid };
    const done = { returnTimeout: returnTimeout(query), doneStatus: 200 };
    // A move is asked either way ONTAP accepts: `aggregates: [{name}]` or `movement.destination_aggregate`.
    const moveTo = body.movement?.destination_aggregate ?? body.aggregates?.[0];
    if (moveTo) {
      if (body.aggregates && body.aggregates.length !== 1)
        throw invalid('a FlexVol volume moves to exactly one aggregate', 'aggregates');
      const target = cluster.aggregate(
        moveTo,
        body.movement ? 'movement.destination_aggregate' : 'aggregates',
      );
      if (target.uuid !== vol.aggregateUuid) {
        const { aggregates: _moved, movement: _movement, ...rest } = body;
        if (Object.keys(rest).length > 0)
          throw invalid('a volume move cannot be combined with other changes', 'aggregates');
        if (
          vol.movement &&
          vol.movement.state !== 'success' &&
          vol.movement.state !== 'failed' &&
          vol.movement.state !== 'aborted'
        ) {
          throw invalid(`volume ${vol.name} is already moving`, 'aggregates');
        }
        const job = jobs.submit(
          `PATCH /api/storage/volumes/${vol.uuid} (move)`,
          { kind: 'volume_move', uuid: vol.uuid, aggregateUuid: target.uuid },
          svmRef,
        );
        await answerWithJob(res, jobs, job, done);
        return;
      }
    }
    if (body.name !== undefined && body.name !== vol.name) {
      if (!VOLUME_NAME.test(body.name)) throw invalid(`invalid volume name "${body.name}"`, 'name');
      if (cluster.state.volumes.some((v) => v.svmUuid === vol.svmUuid && v.name === body.name))
        throw duplicate(`volume ${body.name}`, 'name');
    }
    checkPolicy(vol.svmUuid, body.nas);
    checkJunction(vol.svmUuid, vol.uuid, body.nas);
    const nas = body.nas && {
      ...(body.nas.path !== undefined && { path: body.nas.path }),
      ...(body.nas.export_policy && { export_policy: body.nas.export_policy }),
    };
    const changes = {
      name: body.name,
      size: body.size,
      state: body.state,
      type: body.type,
      nas,
      extra: unhandled(body, HANDLED),
    };
    const job = jobs.submit(
      `PATCH /api/storage/volumes/${vol.uuid}`,
      { kind: 'volume_modify', uuid: vol.uuid, ...changes },
      svmRef,
    );
    await answerWithJob(res, jobs, job, done);
  });

  router.on('DELETE', '/api/storage/volumes/:uuid', async ({ res, params, query }) => {
    const vol = cluster.volume(params.uuid);
    cluster.requireServed(vol);
    if (vol.nas.path) throw mountedVolume(vol.name);
    const svm = cluster.svmByUuid(vol.svmUuid);
    const job = jobs.submit(
      `DELETE /api/storage/volumes/${vol.uuid}`,
      { kind: 'volume_delete', uuid: vol.uuid },
      { name: svm.name, uuid: svm.uuid },
    );
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 200 });
  });
}
