// Issue 8, must-show 2: the simulator and the client against ONTAP's published REST fields
// (test/fixtures/ontap-spec.json, from the netapp_ontap library's generated models). (a) the
// simulator's field tables and its answers; (b) every request the ONTAP client sends while it
// peers SVMs and creates a SnapMirror relationship, recorded by the simulator (SIM_REQUEST_LOG);
// (c) the checker refuses what ONTAP refuses (a PATCH of subtype, a bytes-per-second throttle).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OntapClient } from '../../lambdas/ontap/client';
import { SVM } from '../../sim/api/tables';
import { DEMO_SVM, DEMO_VOLUMES } from '../../sim/demo';
import { DESTINATION_NAME, type RunningPair, SOURCE_NAME, startClusterPair } from '../../sim/pair';
import { readRequestLog } from '../../sim/request-log';
import { ontap, tmpDir } from './helpers';
import { checkAnswer, checkRequest, covered, SPEC } from './spec-check';

describe('the fixture of ONTAP facts', () => {
  it('names where each resource came from, and what is still to derive', () => {
    for (const [name, r] of Object.entries(SPEC.resources)) {
      expect({ name, source: r.source }).toEqual({
        name,
        source: expect.stringMatching(/netapp_ontap.* @ [0-9a-f]{40}/),
      });
      expect(r.get.length).toBeGreaterThan(0);
    }
    expect(SPEC.pending).not.toContain('svm');
  });
});

describe('the simulator against ONTAP: its field tables', () => {
  it("declares for the SVM only fields ONTAP has, settable only where ONTAP lets them be set, with ONTAP's enum values", () => {
    const spec = SPEC.resources.svm;
    const problems: string[] = [];
    // A table field that is an object (`ipspace`, a reference) meets ONTAP's list where its parts are listed.
    const meets = (field: string, fields: string[]) =>
      covered(field, fields) || fields.some((f) => f.startsWith(`${field}.`));
    for (const [field, f] of Object.entries(SVM.table)) {
      if (!meets(field, spec.get) && !meets(field, spec.post)) problems.push(`${field}: not a field of svm`);
      if (f.post && !meets(field, spec.post))
        problems.push(`${field}: settable on POST in the simulator, not in ONTAP`);
      if (f.patch && !meets(field, spec.patch))
        problems.push(`${field}: settable on PATCH in the simulator, not in ONTAP`);
    }
    for (const [field, values] of Object.entries(spec.enums)) {
      const sim = enumOf(SVM.table[field]?.schema);
      for (const v of sim ?? [])
        if (!values.includes(v)) problems.push(`${field}: "${v}" is not an ONTAP value`);
    }
    expect(problems).toEqual([]);
  });
});

/** The values an enum schema (`oneOf`) accepts, when the schema says. */
function enumOf(schema: unknown): string[] | undefined {
  const s = schema as { values?: readonly string[] } | undefined;
  return s?.values ? [...s.values] : undefined;
}

describe('the simulator and the client against ONTAP: a peering and a relationship', () => {
  let pair: RunningPair;
  let log: string;
  const previous = process.env.SIM_REQUEST_LOG;
  beforeAll(async () => {
    const dir = tmpDir();
    log = path.join(dir, 'requests.jsonl');
    process.env.SIM_REQUEST_LOG = log;
    pair = await startClusterPair({ dataDir: path.join(dir, 'clusters'), demo: true });
    const client = (c: typeof pair.source, side: 'source' | 'destination') =>
      new OntapClient({
        side,
        baseUrl: c.baseUrl,
        username: c.username,
        password: c.password,
        ca: c.ca,
        jobPollMs: 5,
      });
    const src = client(pair.source, 'source');
    const dst = client(pair.destination, 'destination');
    // What a migration does before its first transfer, with the client's own calls.
    await ontap(pair.destination).done('POST', '/api/svm/svms', { name: 'svm_dst', language: 'c.utf_8' });
    await dst.svmPeers.create({
      svm: { name: 'svm_dst' },
      peer: { svm: { name: DEMO_SVM }, cluster: { name: SOURCE_NAME } },
      applications: ['snapmirror'],
    });
    const [pending] = await src.svmPeers.list({ svmName: DEMO_SVM, peerSvmName: 'svm_dst' });
    await src.svmPeers.accept(pending.uuid);
    const volume = DEMO_VOLUMES[0];
    await ontap(pair.destination).done('POST', '/api/storage/volumes', {
      name: volume,
      svm: { name: 'svm_dst' },
      size: 1 << 26,
      type: 'dp',
    });
    await dst.snapmirror.createRelationship({
      source: { path: `${DEMO_SVM}:${volume}`, cluster: { name: SOURCE_NAME } },
      destination: { path: `svm_dst:${volume}` },
      policy: { name: 'MirrorAllSnapshots' },
      throttle: 10_240,
    });
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env.SIM_REQUEST_LOG;
    else process.env.SIM_REQUEST_LOG = previous;
    await pair?.stop();
  });

  it('answers SVMs, SVM peers and relationships with fields and enum values ONTAP has', async () => {
    const problems: string[] = [];
    for (const cluster of [pair.source, pair.destination]) {
      const api = ontap(cluster);
      for (const [name, p] of [
        ['svm', '/api/svm/svms?fields=*'],
        ['svm_peer', '/api/svm/peers?fields=*'],
        ['snapmirror_relationship', '/api/snapmirror/relationships?fields=*'],
      ] as const) {
        const { body } = await api.get(p);
        for (const record of body.records) problems.push(...checkAnswer(name, record));
      }
    }
    expect(problems).toEqual([]);
    const rels = (await ontap(pair.destination).get('/api/snapmirror/relationships?fields=*')).body.records;
    expect(rels).toHaveLength(1);
    expect(
      (await ontap(pair.destination).get('/api/svm/peers?fields=*')).body.records[0].peer.cluster.name,
    ).toBe(SOURCE_NAME);
    expect(DESTINATION_NAME).not.toBe(SOURCE_NAME);
  });

  it('received only requests whose fields ONTAP knows and lets that method set', () => {
    const requests = readRequestLog(log);
    const checked = requests.filter((r) => r.method === 'POST' || r.method === 'PATCH');
    // The SVM creates (demo and destination), the peering on both sides, the relationship.
    expect(checked.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, '{uuid}')}`)).toEqual(
      expect.arrayContaining([
        'POST /api/svm/svms',
        'POST /api/svm/peers',
        'PATCH /api/svm/peers/{uuid}',
        'POST /api/snapmirror/relationships',
      ]),
    );
    expect(checked.flatMap((r) => checkRequest(r.method, r.path, r.body))).toEqual([]);
    expect(fs.statSync(log).size).toBeGreaterThan(0);
  });
});

describe('the checker refuses what ONTAP refuses', () => {
  it('a PATCH of the SVM subtype, and a throttle in bytes per second', () => {
    expect(
      checkRequest('PATCH', '/api/svm/svms/0e4f8d4c-0000-4000-8000-000000000001', { subtype: 'default' }),
    ).toEqual(['PATCH svm: subtype cannot be set by PATCH']);
    const throttle = checkRequest('POST', '/api/snapmirror/relationships', {
      source: { path: 'svm_demo:vol01', cluster: { name: 'cluster-src' } },
      destination: { path: 'svm_dst:vol01' },
      throttle: 100 * 1024 * 1024,
    });
    expect(throttle).toEqual([
      expect.stringMatching(/^snapmirror_relationship: throttle 104857600 is not plausible in KB\/s/),
    ]);
    expect(checkRequest('PATCH', '/api/svm/svms/x', { colour: 'blue', state: 'Running' })).toEqual([
      'PATCH svm: colour is not a field of svm',
    ]);
    expect(checkRequest('PATCH', '/api/snapmirror/relationships/x', { state: 'quiesced' })).toEqual([
      expect.stringContaining('state "quiesced" is not one of'),
    ]);
    expect(
      checkRequest('POST', '/api/svm/peers', { svm: { name: 'a' }, applications: ['snapmirror'] }),
    ).toEqual([
      'POST svm_peer: peer.svm.name or peer.svm.uuid is required',
      'POST svm_peer: peer.cluster.name or peer.cluster.uuid is required',
    ]);
  });
});
