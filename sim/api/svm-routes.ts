// /api/svm/svms: create (a default SVM runs, a dp_destination SVM starts stopped; each gets a
// root volume), start and stop by PATCH state, delete. All are jobs. `subtype` is set at
// creation only, as in ONTAP (a PATCH of it is refused with 262196).
import type { SimContext } from '../context';
import { duplicate, invalid, notFound, readJson, sendJson } from '../http';
import { answerWithJob } from '../jobs';
import type { SvmRecord } from '../model';
import { collection, returnTimeout, single, wantsRecords } from '../query';
import { unhandled } from '../resource';
import type { Router } from '../router';
import { SVM } from './tables';
import { IPSPACE_DEFAULT, svmView } from './views';

const SVM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,46}$/;

interface CreateBody {
  name: string;
  subtype?: 'default' | 'dp_destination';
  state?: string;
  language?: string;
  comment?: string;
  ipspace?: { name?: string; uuid?: string };
  nfs?: { enabled?: boolean };
  dns?: { domains: string[]; servers: string[] };
  [field: string]: unknown;
}
interface ModifyBody {
  name?: string;
  state?: 'running' | 'stopped' | string;
  language?: string;
  comment?: string;
  [field: string]: unknown;
}
/** What the handlers act on; the rest of a body is stored and answered back. */
const HANDLED = ['name', 'subtype', 'state', 'language', 'comment', 'ipspace', 'dns', 'nfs.enabled'];
export function registerSvmRoutes(router: Router, { cluster, jobs }: SimContext): void {
  router.on('GET', '/api/svm/svms', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.svms.map((s) => svmView(cluster, s)),
        query,
        SVM,
      ),
    ),
  );
  router.on('GET', '/api/svm/svms/:uuid', ({ res, params, query }) =>
    sendJson(res, 200, single(svmView(cluster, cluster.svm({ uuid: params.uuid }, 'uuid')), query, SVM)),
  );

  router.on('POST', '/api/svm/svms', async ({ req, res, query }) => {
    const body = SVM.parseCreate<CreateBody>(await readJson(req));
    if (body.ipspace && (body.ipspace.name ?? IPSPACE_DEFAULT) !== IPSPACE_DEFAULT)
      throw notFound(`IPspace ${body.ipspace.name ?? body.ipspace.uuid}`, 'ipspace');
    if (body.state !== undefined && body.state !== 'running' && body.state !== 'stopped')
      throw invalid(`an SVM cannot be created in state ${body.state}`, 'state');
    if (!SVM_NAME.test(body.name)) throw invalid(`invalid SVM name "${body.name}"`, 'name');
    if (cluster.state.svms.some((s) => s.name === body.name)) throw duplicate(`SVM ${body.name}`, 'name');
    const subtype = body.subtype ?? 'default';
    const svm: SvmRecord = {
      uuid: cluster.newUuid(),
      name: body.name,
      // A dp_destination SVM cannot serve data; ONTAP keeps it stopped.
      state: subtype === 'dp_destination' || body.state === 'stopped' ? 'stopped' : 'running',
      subtype,
      language: body.language ?? 'c.utf_8',
      ...(body.comment !== undefined && { comment: body.comment }),
      extra: unhandled(body, HANDLED),
    };
    const job = jobs.submit(
      `POST /api/svm/svms/${svm.uuid}`,
      {
        kind: 'svm_create',
        svm,
        dns: body.dns,
        nfsEnabled: body.nfs?.enabled,
        rootVolumeUuid: cluster.newUuid(),
      },
      { name: svm.name, uuid: svm.uuid },
    );
    await answerWithJob(res, jobs, job, {
      returnTimeout: returnTimeout(query),
      doneStatus: 201,
      records: wantsRecords(query) ? [{ uuid: svm.uuid, name: svm.name }] : undefined,
    });
  });

  router.on('PATCH', '/api/svm/svms/:uuid', async ({ req, res, params, query }) => {
    const svm = cluster.svm({ uuid: params.uuid }, 'uuid');
    // `subtype` is not patchable: the schema refuses it with ONTAP's 262196.
    const body = SVM.parseModify<ModifyBody>(await readJson(req));
    if (
      body.name !== undefined &&
      body.name !== svm.name &&
      cluster.state.svms.some((s) => s.name === body.name)
    )
      throw duplicate(`SVM ${body.name}`, 'name');
    if (body.state !== undefined && body.state !== 'running' && body.state !== 'stopped')
      throw invalid(`state ${body.state} cannot be requested`, 'state');
    if (body.state === 'running' && svm.subtype === 'dp_destination')
      throw invalid('an SVM of subtype dp_destination cannot be started', 'state');
    // The transitional state shows while the job runs, as ONTAP reports it.
    if (body.state === 'running' && svm.state !== 'running') svm.state = 'starting';
    if (body.state === 'stopped' && svm.state !== 'stopped') svm.state = 'stopping';
    const job = jobs.submit(
      `PATCH /api/svm/svms/${svm.uuid}`,
      {
        kind: 'svm_modify',
        uuid: svm.uuid,
        name: body.name,
        language: body.language,
        comment: body.comment,
        state: body.state as 'running' | 'stopped' | undefined,
        extra: unhandled(body, HANDLED),
      },
      { name: svm.name, uuid: svm.uuid },
    );
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 200 });
  });

  router.on('DELETE', '/api/svm/svms/:uuid', async ({ res, params, query }) => {
    const svm = cluster.svm({ uuid: params.uuid }, 'uuid');
    if (cluster.state.volumes.some((v) => v.svmUuid === svm.uuid && !v.isSvmRoot))
      throw invalid(`SVM ${svm.name} still has volumes; delete them first`, 'uuid');
    svm.state = 'deleting';
    cluster.save();
    const job = jobs.submit(
      `DELETE /api/svm/svms/${svm.uuid}`,
      { kind: 'svm_delete', uuid: svm.uuid },
      { name: svm.name, uuid: svm.uuid },
    );
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 200 });
  });
}
