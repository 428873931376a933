// The cluster's state on disk: one JSON document, replaced atomically on every change.
// Saves are synchronous so that an acknowledged change is on disk before the answer leaves.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileDurable } from './durable';
import type { ClusterState } from './model';

export class StateFile {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'state.json');
  }

  load(): ClusterState | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    return JSON.parse(fs.readFileSync(this.file, 'utf8')) as ClusterState;
  }

  save(state: ClusterState): void {
    writeFileDurable(this.file, JSON.stringify(state));
  }
}
