// Records the ONTAP requests a simulated cluster receives (method, path, body), one JSON line
// each, to the file SIM_REQUEST_LOG names; nothing when it is unset. The spec-conformance test
// holds the recorded requests against ONTAP's published fields (test/fixtures/ontap-spec.json).
import * as fs from 'node:fs';
import type { IncomingMessage } from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export function recordRequest(req: IncomingMessage, body: unknown): void {
  const file = process.env.SIM_REQUEST_LOG;
  const url = req.url ?? '';
  if (!file || !url.startsWith('/api/')) return;
  const entry: RecordedRequest = { method: req.method ?? '', path: url.split('?')[0], body };
  fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

export function readRequestLog(file: string): RecordedRequest[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RecordedRequest);
}
