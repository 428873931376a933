// The cluster's state on disk: one JSON document, replaced atomically, written by group
// commits. A change marks the state dirty; one save at a time writes the latest snapshot
// (serialized once), so changes made while a save runs share the next one. Whoever must not
// go on before a change is on disk (an answer that reports it) awaits `durable()`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFileDurable } from './durable';
import type { ClusterState } from './model';

interface Waiter {
  /** The changes that must be on disk: 1..upTo. */
  upTo: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class StateFile {
  readonly file: string;
  private state?: ClusterState;
  /** Changes recorded so far, and how many of them the last completed save holds. */
  private changes = 0;
  private saved = 0;
  private saving?: Promise<void>;
  private waiters: Waiter[] = [];
  private closed = false;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'state.json');
  }

  load(): ClusterState | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    return JSON.parse(fs.readFileSync(this.file, 'utf8')) as ClusterState;
  }

  /** Records a change of `state`: a save starts soon (or after the one in progress). */
  changed(state: ClusterState): void {
    this.state = state;
    this.changes++;
    this.startSaving();
  }

  /** Resolves once every change recorded so far is on disk; rejects if its save fails. */
  durable(): Promise<void> {
    if (this.saved >= this.changes) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`${this.file} is closed`));
    const done = new Promise<void>((resolve, reject) =>
      this.waiters.push({ upTo: this.changes, resolve, reject }),
    );
    this.startSaving();
    return done;
  }

  /** Saves what is left, then stops: a later change is never written (the cluster stopped). */
  async close(): Promise<void> {
    await this.durable().catch(() => undefined);
    this.closed = true;
    await this.saving;
    const left = this.waiters;
    this.waiters = [];
    for (const w of left) w.reject(new Error(`${this.file} is closed`));
  }

  private startSaving(): void {
    if (this.saving || this.closed) return;
    this.saving = this.saveLoop().then((ok) => {
      this.saving = undefined;
      // Changes may have come after the loop's last look. After a failed save, the next
      // attempt is for those who still wait (newer changes), not a loop on a failing disk.
      if (this.saved < this.changes && (ok || this.waiters.length > 0)) this.startSaving();
    });
  }

  /** Saves until nothing is left; false when a save failed. */
  private async saveLoop(): Promise<boolean> {
    // Changes made in the same turn of the event loop join this save.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.saved < this.changes && !this.closed && this.state) {
      const upTo = this.changes;
      try {
        await replaceFileDurable(this.file, JSON.stringify(this.state));
      } catch (err) {
        this.settle(upTo, err);
        return false;
      }
      this.saved = upTo;
      this.settle(upTo);
    }
    return true;
  }

  /** Tells the waiters whose changes the save of 1..upTo held whether it is on disk. */
  private settle(upTo: number, err?: unknown): void {
    const done = this.waiters.filter((w) => w.upTo <= upTo);
    this.waiters = this.waiters.filter((w) => w.upTo > upTo);
    for (const w of done) {
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
  }
}
