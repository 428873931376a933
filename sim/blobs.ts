// Content-addressed file contents: `blobs/<sha256>`. A blob is written under a temporary
// name while it is hashed, fsynced, then renamed to its hash, so a present blob is complete.
// Partial blobs of SnapMirror transfers live in `partial/<sha256>` until verified.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncPath } from './durable';
import type { FileEntry } from './model';

export class BlobStore {
  private readonly blobDir: string;
  private readonly partialDir: string;
  private readonly tmpDir: string;
  private seq = 0;

  constructor(dataDir: string) {
    this.blobDir = path.join(dataDir, 'blobs');
    this.partialDir = path.join(dataDir, 'partial');
    this.tmpDir = path.join(dataDir, 'tmp');
    for (const dir of [this.blobDir, this.partialDir, this.tmpDir]) fs.mkdirSync(dir, { recursive: true });
    // Leftovers of writes that were never acknowledged.
    for (const f of fs.readdirSync(this.tmpDir)) fs.rmSync(path.join(this.tmpDir, f), { force: true });
  }

  pathOf(hash: string): string {
    return path.join(this.blobDir, hash);
  }

  has(hash: string): boolean {
    return fs.existsSync(this.pathOf(hash));
  }

  read(hash: string, start = 0): Readable {
    return fs.createReadStream(this.pathOf(hash), { start, highWaterMark: 1 << 20 });
  }

  /** Stores a stream durably; resolves with its hash and size once it is on disk. */
  async put(input: Readable): Promise<FileEntry> {
    const tmp = path.join(this.tmpDir, `${process.pid}-${++this.seq}`);
    const hasher = crypto.createHash('sha256');
    let size = 0;
    const out = fs.createWriteStream(tmp);
    await pipeline(
      input,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hasher.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      out,
    );
    const hash = hasher.digest('hex');
    await this.sealFile(tmp, hash);
    return { hash, size };
  }

  partialPath(hash: string): string {
    return path.join(this.partialDir, hash);
  }

  /**
   * Moves partial blobs, verified and fsynced by their writer, into the store, with one
   * fsync of the store's directory for all of them: once this resolves, they are durable.
   */
  async adoptPartials(hashes: string[]): Promise<void> {
    if (hashes.length === 0) return;
    for (const hash of hashes) {
      if (this.has(hash)) await fs.promises.rm(this.partialPath(hash), { force: true });
      else await fs.promises.rename(this.partialPath(hash), this.pathOf(hash));
    }
    await fsyncPath(this.blobDir);
  }

  /** Makes the directory entries of new partial files durable. */
  async syncPartialDir(): Promise<void> {
    await fsyncPath(this.partialDir);
  }

  removePartial(hash: string): void {
    fs.rmSync(this.partialPath(hash), { force: true });
  }

  private async sealFile(file: string, hash: string): Promise<void> {
    const fd = await fs.promises.open(file, 'r+');
    try {
      await fd.sync();
    } finally {
      await fd.close();
    }
    if (this.has(hash)) {
      await fs.promises.rm(file, { force: true });
      return;
    }
    await fs.promises.rename(file, this.pathOf(hash));
    await fsyncPath(this.blobDir);
  }
}
