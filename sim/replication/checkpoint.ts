// The durable checkpoint of one SnapMirror transfer, written by group commits: the receive
// loop reports how far it is (blobs complete and verified, bytes written of the current one)
// and a commit, in the background while bytes keep arriving, makes all of that durable at
// once (complete blobs renamed into the store with one directory fsync, the current file
// fsynced, the state's group commit awaited) every CHECKPOINT_MS or CHECKPOINT_BYTES, instead of per blob.
// A complete blob's fsync starts at once, so the disk works while the next blob arrives.
// The transfer's checkpoint only ever holds what a commit made durable, so a save of the
// state by anyone at any time is one a restart can resume from.
import type { Cluster } from '../cluster';
import { fsyncPath } from '../durable';
import type { TransferCheckpoint } from '../model';

/** What a crash can cost: the link time or the bytes since the last commit. */
const CHECKPOINT_MS = 200;
const CHECKPOINT_BYTES = 64 << 20;
/** Complete blobs a commit is due for, however soon: many small files, one commit. */
const MAX_PENDING_BLOBS = 256;
/** fsyncs of complete blobs at a time: the thread pool (4 threads) also does the writes. */
const PARALLEL_FSYNCS = 2;

interface Position {
  /** needed[0..index) are complete (durable, or pending for the next commit). */
  index: number;
  /** Bytes of needed[index] written to its partial file. */
  offset: number;
  /** bytes_transferred as of this position. */
  bytes: number;
}

export class CheckpointWriter {
  private position: Position;
  /** Complete, verified blobs not yet durable in the store, in order. */
  private pending: string[] = [];
  /** Their fsyncs: queued, running or done. */
  private readonly synced = new Map<string, Promise<void>>();
  private readonly fsyncQueue: (() => void)[] = [];
  private fsyncsRunning = 0;
  private running?: Promise<void>;
  private failure?: unknown;
  private committedAt = performance.now();
  /** The partial file whose directory entry is known durable. */
  private entrySynced?: string;

  constructor(
    private readonly cluster: Cluster,
    private readonly cp: TransferCheckpoint,
  ) {
    this.position = { index: cp.index, offset: cp.offset, bytes: cp.bytes };
    if (cp.offset > 0) this.entrySynced = cp.needed[cp.index]?.hash;
  }

  /** needed[index] holds `offset` written bytes; `bytes` is bytes_transferred as of them. */
  advance(index: number, offset: number, bytes: number): void {
    this.position = { index, offset, bytes };
  }

  /** needed[index] arrived whole, verified, its partial file written and closed. */
  complete(index: number, bytes: number): void {
    const hash = this.cp.needed[index].hash;
    this.pending.push(hash);
    const synced = this.fsyncSoon(this.cluster.blobs.partialPath(hash));
    // A transfer that stops before its next commit never waits for this one.
    synced.catch(() => undefined);
    this.synced.set(hash, synced);
    this.position = { index: index + 1, offset: 0, bytes };
  }

  /** Whether a commit should start now; throws what an earlier one failed with. */
  due(): boolean {
    if (this.failure) throw this.failure;
    if (this.running) return false;
    return (
      performance.now() - this.committedAt >= CHECKPOINT_MS ||
      this.position.bytes - this.cp.bytes >= CHECKPOINT_BYTES ||
      this.pending.length >= MAX_PENDING_BLOBS
    );
  }

  /** Starts a commit of the position reported so far, in the background. */
  start(): void {
    if (this.running) return;
    this.running = this.commit()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Commits everything reported so far: once this resolves, the checkpoint holds it. */
  async flush(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
    await this.commit();
  }

  /** As flush, but leaves the state's save to the caller, whose own save follows at once. */
  async seal(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
    await this.commit(false);
  }

  /** Waits for a commit in progress, whatever its outcome. */
  async settle(): Promise<void> {
    await this.running;
  }

  /** The partial files this transfer may have written and not committed into the store. */
  partials(): string[] {
    const current = this.cp.needed[this.position.index]?.hash;
    return current ? [...this.pending, current] : [...this.pending];
  }

  /** fsync of `file`, after those queued before it, PARALLEL_FSYNCS at a time. */
  private async fsyncSoon(file: string): Promise<void> {
    if (this.fsyncsRunning < PARALLEL_FSYNCS) this.fsyncsRunning++;
    else await new Promise<void>((resolve) => this.fsyncQueue.push(resolve));
    try {
      await fsyncPath(file);
    } finally {
      // The slot goes to the next in line, or is given back.
      const next = this.fsyncQueue.shift();
      if (next) next();
      else this.fsyncsRunning--;
    }
  }

  private async commit(save = true): Promise<void> {
    const at = this.position;
    const blobs = [...this.pending];
    const { blobs: store } = this.cluster;
    const current = at.offset > 0 ? this.cp.needed[at.index].hash : undefined;
    await Promise.all([
      ...blobs.map((hash) => this.synced.get(hash)),
      current && fsyncPath(store.partialPath(current)),
    ]);
    if (current && current !== this.entrySynced) {
      await store.syncPartialDir();
      this.entrySynced = current;
    }
    await store.adoptPartials(blobs);
    // Blobs completed while this commit ran stay pending for the next one.
    this.pending.splice(0, blobs.length);
    for (const hash of blobs) this.synced.delete(hash);
    this.cp.index = at.index;
    this.cp.offset = at.offset;
    this.cp.bytes = at.bytes;
    if (save) {
      this.cluster.save();
      await this.cluster.durable();
    }
    this.committedAt = performance.now();
  }
}
