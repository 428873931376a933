// /api/svm/svms: create (a default SVM runs, a dp_destination SVM starts stopped), start and
// stop by PATCH state, delete. All are jobs. `subtype` is set on POST only: ONTAP does not
// patch it (a dp_destination SVM becomes default only when its SVM-DR relationship breaks).
import type { SimContext } from '../context';
import { duplicate, invalid, readJson, sendJson } from '../http';
import { answerWithJob } from '../jobs';
import type { SvmRecord } from '../model';
import { collection, returnTimeout, wantsRecords } from '../query';
import type { Router } from '../router';
import { bool, list, obj, oneOf, parse, ref, required, str } from '../schema';
import { svmView } from './views';

const SVM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,46}$/;

const createSchema = obj({
  name: required(str()),
  subtype: oneOf(['default', 'dp_destination']),
  language: str(),
  comment: str(),
  aggregates: list(ref()),
  ipspace: ref(),
  nfs: obj({ enabled: bool() }),
  dns: obj({ domains: required(list(str())), servers: required(list(str())) }),
});
interface CreateBody {
  name: string;
  subtype?: 'default' | 'dp_destination';
  language?: string;
  comment?: string;
  nfs?: { enabled?: boolean };
  dns?: { domains: string[]; servers: string[] };
}
const modifySchema = obj({ name: str(), state: oneOf(['running', 'stopped']), language: str(), comment: str() });
interface ModifyBody {
  name?: string;
  state?: 'running' | 'stopped';
  language?: string;
  comment?: string;
}

export function registerSvmRoutes(router: Router, { cluster, jobs }: SimContext): void {
  router.on('GET', '/api/svm/svms', ({ res, query }) => sendJson(res, 200, collection(cluster.state.svms.map((s) => svmView(cluster, s)), query)));
  router.on('GET', '/api/svm/svms/:uuid', ({ res, params }) => sendJson(res, 200, svmView(cluster, cluster.svm({ uuid: params.uuid }, 'uuid'))));

  router.on('POST', '/api/svm/svms', async ({ req, res, query }) => {
    const body = parse<CreateBody>(await readJson(req), createSchema);
    if (!SVM_NAME.test(body.name)) throw invalid(`invalid SVM name "${body.name}"`, 'name');
    if (cluster.state.svms.some((s) => s.name === body.name)) throw duplicate(`SVM ${body.name}`, 'name');
    const subtype = body.subtype ?? 'default';
    const svm: SvmRecord = {
      uuid: cluster.newUuid(),
      name: body.name,
      // A dp_destination SVM cannot serve data; ONTAP keeps it stopped.
      state: subtype === 'dp_destination' ? 'stopped' : 'running',
      subtype,
      language: body.language ?? 'c.utf_8',
      ...(body.comment !== undefined && { comment: body.comment }),
    };
    const job = jobs.submit(`POST /api/svm/svms/${svm.uuid}`, { kind: 'svm_create', svm, dns: body.dns, nfsEnabled: body.nfs?.enabled }, { name: svm.name, uuid: svm.uuid });
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 201, records: wantsRecords(query) ? [{ uuid: svm.uuid, name: svm.name }] : undefined });
  });

  router.on('PATCH', '/api/svm/svms/:uuid', async ({ req, res, params, query }) => {
    const svm = cluster.svm({ uuid: params.uuid }, 'uuid');
    const body = parse<ModifyBody>(await readJson(req), modifySchema);
    if (body.name !== undefined && body.name !== svm.name && cluster.state.svms.some((s) => s.name === body.name)) throw duplicate(`SVM ${body.name}`, 'name');
    if (body.state === 'running' && svm.subtype === 'dp_destination') throw invalid('an SVM of subtype dp_destination cannot be started', 'state');
    // The transitional state shows while the job runs, as ONTAP reports it.
    if (body.state === 'running' && svm.state !== 'running') svm.state = 'starting';
    if (body.state === 'stopped' && svm.state !== 'stopped') svm.state = 'stopping';
    const job = jobs.submit(`PATCH /api/svm/svms/${svm.uuid}`, { kind: 'svm_modify', uuid: svm.uuid, ...body }, { name: svm.name, uuid: svm.uuid });
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 200 });
  });

  router.on('DELETE', '/api/svm/svms/:uuid', async ({ res, params, query }) => {
    const svm = cluster.svm({ uuid: params.uuid }, 'uuid');
    if (cluster.state.volumes.some((v) => v.svmUuid === svm.uuid)) throw invalid(`SVM ${svm.name} still has volumes; delete them first`, 'uuid');
    svm.state = 'deleting';
    cluster.save();
    const job = jobs.submit(`DELETE /api/svm/svms/${svm.uuid}`, { kind: 'svm_delete', uuid: svm.uuid }, { name: svm.name, uuid: svm.uuid });
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 200 });
  });
}
