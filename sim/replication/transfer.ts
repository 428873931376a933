// SnapMirror transfers, run by the destination cluster: ask the source for a snapshot of
// the source volume, pull the blobs that changed since the last common snapshot over the
// inter-cluster link (paced by the link bandwidth and the relationship's throttle), and
// make the destination volume hold exactly that snapshot. Progress is checkpointed durably
// (completed blobs + fsynced offset in the current one, see checkpoint.ts), so a transfer
// resumes after an abort, a failure or a crash without pulling again what it already has.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { ONTAP_ERROR } from '../../lambdas/ontap/error-codes';
import type { Cluster } from '../cluster';
import { invalid, peerUnreachable, RequestError, transferInProgress } from '../http';
import type { FileEntry, Manifest, RelationshipRecord, TransferCheckpoint, TransferRecord } from '../model';
import { Pacer } from '../pacer';
import { CheckpointWriter } from './checkpoint';
import { peerBlob, peerJson } from './peer-link';

const WRITE_BATCH_BYTES = 1 << 20;
/** Batches written at once: the receive loop waits for the disk only past this many. */
const WRITES_IN_FLIGHT = 2;
const KEEP_TRANSFERS = 10;
/** ONTAP's SnapMirror throttle is in KB/s (relationships, transfers, policies). */
const KIB = 1024;
const throttleBytesPerSec = (rel: RelationshipRecord) => rel.throttle * KIB;

type StopReason = 'aborted' | 'hard_aborted' | 'shutdown' | RequestError;
interface ActiveTransfer {
  controller: AbortController;
  pacer: Pacer;
  reason?: StopReason;
}

export const snapshotPrefix = (rel: RelationshipRecord) => `snapmirror.${rel.uuid}_`;

export class Replicator {
  private readonly active = new Map<string, ActiveTransfer>();

  constructor(private readonly cluster: Cluster) {
    cluster.onLinkDown(() => {
      for (const entry of this.active.values())
        this.stop(entry, peerUnreachable(`inter-cluster link from ${cluster.name} is down`));
    });
  }

  current(rel: RelationshipRecord): TransferRecord | undefined {
    const last = rel.transfers.at(-1);
    return last && (last.state === 'queued' || last.state === 'transferring') ? last : undefined;
  }

  /** Starts an initialize, update or resync transfer; resumes a failed one's checkpoint. */
  start(rel: RelationshipRecord): TransferRecord {
    if (this.current(rel))
      throw transferInProgress(
        `a transfer is already in progress on relationship ${rel.uuid}`,
        'relationship',
      );
    const prev = rel.transfers.at(-1);
    const resumable =
      prev && (prev.state === 'failed' || prev.state === 'aborted') && prev.checkpoint ? prev : undefined;
    if (!resumable) rel.transferSeq++;
    const transfer: TransferRecord = {
      uuid: this.cluster.newUuid(),
      relationshipUuid: rel.uuid,
      state: 'queued',
      bytes_transferred: resumable?.checkpoint?.bytes ?? 0,
      snapshot: resumable?.snapshot ?? `${snapshotPrefix(rel)}${rel.transferSeq}`,
      ...(resumable && {
        snapshotCreateTime: resumable.snapshotCreateTime,
        manifest: resumable.manifest,
        total_bytes: resumable.total_bytes,
        checkpoint: resumable.checkpoint,
      }),
    };
    if (resumable) {
      delete resumable.checkpoint;
      delete resumable.manifest;
    }
    rel.transfers.push(transfer);
    if (rel.transfers.length > KEEP_TRANSFERS) rel.transfers.splice(0, rel.transfers.length - KEEP_TRANSFERS);
    this.cluster.save();
    void this.run(rel, transfer);
    return transfer;
  }

  /** After a restart: transfers that were in flight go on from their checkpoints. */
  resume(): void {
    for (const rel of this.cluster.state.relationships) {
      const t = this.current(rel);
      if (t) void this.run(rel, t);
    }
  }

  abort(transferUuid: string, hard: boolean): void {
    const entry = this.active.get(transferUuid);
    if (!entry) throw invalid(`transfer ${transferUuid} is not in progress`, 'state');
    this.stop(entry, hard ? 'hard_aborted' : 'aborted');
  }

  setThrottle(rel: RelationshipRecord): void {
    const t = this.current(rel);
    const entry = t && this.active.get(t.uuid);
    if (entry) entry.pacer.bytesPerSec = throttleBytesPerSec(rel);
  }

  /** Process shutdown: in-flight transfers stay `transferring` and resume on restart. */
  shutdown(): void {
    for (const entry of this.active.values()) this.stop(entry, 'shutdown');
  }

  private stop(entry: ActiveTransfer, reason: StopReason): void {
    entry.reason ??= reason;
    entry.controller.abort();
  }

  private async run(rel: RelationshipRecord, t: TransferRecord): Promise<void> {
    const entry: ActiveTransfer = {
      controller: new AbortController(),
      pacer: new Pacer(throttleBytesPerSec(rel)),
    };
    this.active.set(t.uuid, entry);
    const { cluster } = this;
    let checkpoint: CheckpointWriter | undefined;
    try {
      // Not saved on its own: a restart resumes `queued` and `transferring` transfers alike.
      t.state = 'transferring';
      cluster.requireServed(cluster.volume(rel.destination.volumeUuid));
      const peer = cluster.peer(rel.source.cluster);
      if (!t.manifest || !t.checkpoint) {
        const snap = await peerJson<{ create_time: string; manifest: Manifest }>(
          cluster,
          peer,
          'POST',
          '/sim/replication/snapshots',
          {
            svm: rel.source.svm,
            volume: rel.source.volume,
            name: t.snapshot,
          },
        );
        t.manifest = snap.manifest;
        t.snapshotCreateTime = snap.create_time;
        t.checkpoint = {
          needed: this.changedBlobs(rel, snap.manifest),
          index: 0,
          offset: 0,
          bytes: t.bytes_transferred,
        };
        t.total_bytes = t.checkpoint.needed.reduce((sum, e) => sum + e.size, 0);
        cluster.save();
      }
      const cp = t.checkpoint;
      checkpoint = new CheckpointWriter(cluster, cp);
      // The next missing blob is asked for while the current one streams, so that its first
      // bytes are on their way (read from the source's disk) when the current one ends.
      const missing = (from: number) => {
        let i = from;
        while (i < cp.needed.length && cluster.blobs.has(cp.needed[i].hash)) i++;
        return i;
      };
      let ahead: { index: number; res: Promise<IncomingMessage> } | undefined;
      try {
        for (let i = missing(cp.index); i < cp.needed.length; i = missing(i + 1)) {
          const prefetched = ahead?.index === i ? ahead.res : undefined;
          if (!prefetched) cancel(ahead?.res);
          ahead = undefined;
          await this.pull(peer, t, i, i === cp.index ? cp.offset : 0, entry, checkpoint, prefetched, () => {
            const next = missing(i + 1);
            if (next < cp.needed.length)
              ahead = {
                index: next,
                res: quiet(peerBlob(cluster, peer, cp.needed[next].hash, 0, entry.controller.signal)),
              };
          });
        }
      } finally {
        cancel(ahead?.res);
      }
      checkpoint.advance(cp.needed.length, 0, t.bytes_transferred);
      await checkpoint.seal();
      this.finish(rel, t);
      void peerJson(cluster, peer, 'POST', '/sim/replication/release', {
        svm: rel.source.svm,
        volume: rel.source.volume,
        prefix: snapshotPrefix(rel),
        keep: t.snapshot,
      }).catch(() => undefined);
    } catch (err) {
      await checkpoint?.settle();
      if (entry.reason === 'shutdown') return;
      if (entry.reason === 'hard_aborted') {
        for (const hash of checkpoint?.partials() ?? []) cluster.blobs.removePartial(hash);
      } else {
        // What arrived whole or in part stays: the next transfer resumes after it.
        await checkpoint?.flush().catch(() => undefined);
      }
      this.fail(rel, t, entry.reason, err);
    } finally {
      this.active.delete(t.uuid);
    }
  }

  /** The blobs of `manifest` that differ from the last common snapshot and are not here yet. */
  private changedBlobs(rel: RelationshipRecord, manifest: Manifest): FileEntry[] {
    const dest = this.cluster.volume(rel.destination.volumeUuid);
    const base = (rel.common && dest.snapshots.find((s) => s.name === rel.common?.name)?.manifest) || {};
    const seen = new Set<string>();
    const needed: FileEntry[] = [];
    for (const [file, entry] of Object.entries(manifest)) {
      if (base[file]?.hash === entry.hash || seen.has(entry.hash) || this.cluster.blobs.has(entry.hash))
        continue;
      seen.add(entry.hash);
      needed.push(entry);
    }
    return needed;
  }

  /** Pulls needed[index] from `offset` into its partial file, hashing and writing as it arrives. */
  private async pull(
    peer: ReturnType<Cluster['peer']>,
    t: TransferRecord,
    index: number,
    offset: number,
    entry: ActiveTransfer,
    checkpoint: CheckpointWriter,
    prefetched: Promise<IncomingMessage> | undefined,
    streaming: () => void,
  ): Promise<void> {
    const { cluster } = this;
    const blob = (t.checkpoint as TransferCheckpoint).needed[index];
    const file = cluster.blobs.partialPath(blob.hash);
    let start = offset;
    if (
      start > 0 &&
      (await fs.promises.stat(file).then(
        (st) => st.size,
        () => 0,
      )) < start
    ) {
      // The checkpointed bytes are not there (their file was lost): pull the blob again.
      t.bytes_transferred -= start;
      start = 0;
    }
    const base = t.bytes_transferred - start;
    const hasher = crypto.createHash('sha256');
    const fh = await fs.promises.open(file, start > 0 ? 'r+' : 'w');
    // The writes in flight, and a promise that settles once every write so far is done.
    const writes: Promise<void>[] = [];
    let written: Promise<void> = Promise.resolve();
    try {
      if (start > 0) {
        // Bytes written after the last checkpoint were never acknowledged as durable.
        await fh.truncate(start);
        for await (const chunk of fs.createReadStream(file, {
          start: 0,
          end: start - 1,
          highWaterMark: 1 << 20,
        }))
          hasher.update(chunk as Buffer);
      }
      checkpoint.advance(index, start, base + start);
      // Chunks are gathered into batches, each written with one writev (no copy) while the
      // next ones arrive, so the network and the disk overlap instead of taking turns.
      let pos = start;
      let writePos = start;
      let batch: Buffer[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (batchBytes === 0) return;
        const write = writeAll(fh, batch, writePos);
        writePos += batchBytes;
        const end = writePos;
        batch = [];
        batchBytes = 0;
        written = quiet(Promise.all([written, write]).then(() => checkpoint.advance(index, end, base + end)));
        writes.push(quiet(write));
        if (writes.length > WRITES_IN_FLIGHT) await writes.shift();
      };
      const res = await (start === 0 && prefetched
        ? prefetched
        : peerBlob(cluster, peer, blob.hash, start, entry.controller.signal));
      streaming();
      for await (const chunk of res as AsyncIterable<Buffer>) {
        const wait = Math.max(entry.pacer.reserve(chunk.length), cluster.linkPacer.reserve(chunk.length));
        if (wait >= 1) await delay(wait, undefined, { signal: entry.controller.signal });
        hasher.update(chunk);
        batch.push(chunk);
        batchBytes += chunk.length;
        pos += chunk.length;
        t.bytes_transferred += chunk.length;
        cluster.state.counters.replicationBytesReceived += chunk.length;
        if (batchBytes >= WRITE_BATCH_BYTES) await flush();
        if (checkpoint.due()) {
          // A checkpoint covers written bytes only: what has arrived so far is written first.
          await flush();
          await written;
          checkpoint.start();
        }
      }
      await flush();
      await written;
      if (pos !== blob.size)
        throw peerUnreachable(`the stream of blob ${blob.hash} from ${peer.name} ended early`);
      if (hasher.digest('hex') !== blob.hash) {
        await checkpoint.settle();
        checkpoint.advance(index, 0, base);
        cluster.blobs.removePartial(blob.hash);
        throw new RequestError(500, ONTAP_ERROR.INTERNAL, `checksum mismatch on blob ${blob.hash}`);
      }
    } finally {
      // An abort can leave writes in flight: let them settle before the file closes.
      await Promise.allSettled(writes);
      await fh.close();
    }
    checkpoint.complete(index, base + blob.size);
    if (checkpoint.due()) checkpoint.start();
  }

  private finish(rel: RelationshipRecord, t: TransferRecord): void {
    const { cluster } = this;
    const dest = cluster.volume(rel.destination.volumeUuid);
    cluster.requireServed(dest);
    const manifest = t.manifest ?? {};
    const createTime = t.snapshotCreateTime ?? new Date().toISOString();
    dest.files = { ...manifest };
    dest.snapshots = dest.snapshots.filter((s) => !s.name.startsWith(snapshotPrefix(rel)));
    dest.snapshots.push({ uuid: cluster.newUuid(), name: t.snapshot, create_time: createTime, manifest });
    rel.common = { name: t.snapshot, create_time: createTime };
    if (rel.state === 'uninitialized' || rel.state === 'broken_off') rel.state = 'snapmirrored';
    this.endQuiesce(rel);
    rel.healthy = true;
    delete rel.unhealthyReason;
    t.state = 'success';
    t.end_time = new Date().toISOString();
    delete t.checkpoint;
    delete t.manifest;
    cluster.save();
  }

  /** A quiesce asked while this transfer ran completes now that it ended. */
  private endQuiesce(rel: RelationshipRecord): void {
    if (!rel.quiescing) return;
    delete rel.quiescing;
    if (rel.state !== 'broken_off') rel.state = 'paused';
  }

  private fail(
    rel: RelationshipRecord,
    t: TransferRecord,
    reason: StopReason | undefined,
    err: unknown,
  ): void {
    t.end_time = new Date().toISOString();
    this.endQuiesce(rel);
    if (reason === 'aborted' || reason === 'hard_aborted') {
      t.state = reason;
      if (reason === 'hard_aborted') {
        const blob = t.checkpoint?.needed[t.checkpoint.index];
        if (blob) this.cluster.blobs.removePartial(blob.hash);
        delete t.checkpoint;
        delete t.manifest;
      }
    } else {
      const e = reason instanceof RequestError ? reason : classify(rel, err);
      t.state = 'failed';
      t.error = { code: e.code, message: e.message };
      rel.healthy = false;
      rel.unhealthyReason = { code: e.code, message: e.message };
    }
    this.cluster.save();
  }
}

/** A request that may never be awaited must not become an unhandled rejection. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Lets go of a blob stream asked for and not wanted after all. */
function cancel(res: Promise<IncomingMessage> | undefined): void {
  res?.then(
    (r) => r.destroy(),
    () => undefined,
  );
}

/** Writes all of `buffers` at `position` (a writev may write less than asked). */
async function writeAll(fh: fs.promises.FileHandle, buffers: Buffer[], position: number): Promise<void> {
  const total = buffers.reduce((sum, b) => sum + b.length, 0);
  let done = (await fh.writev(buffers, position)).bytesWritten;
  if (done === total) return;
  const rest = Buffer.concat(buffers, total);
  while (done < total) done += (await fh.write(rest, done, total - done, position + done)).bytesWritten;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** A connection cut in the middle of a stream is the link failing; anything else is internal. */
function classify(rel: RelationshipRecord, err: unknown): RequestError {
  if (err instanceof RequestError) return err;
  const e = err as NodeJS.ErrnoException;
  if ((e?.code && NETWORK_CODES.has(e.code)) || e?.message === 'aborted') {
    return peerUnreachable(`cluster peer ${rel.source.cluster} is unreachable: ${e.message}`);
  }
  return new RequestError(500, ONTAP_ERROR.INTERNAL, String(e?.message ?? err));
}
