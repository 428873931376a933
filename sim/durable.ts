// Durable file writes: a file is written to a temporary name, fsynced, renamed into place,
// and its directory fsynced, so a crash (kill -9 included) leaves the old or the new file.
// All of it off the event loop (fs.promises).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** fsync of a file or a directory by its path, off the event loop. */
export async function fsyncPath(file: string): Promise<void> {
  const fh = await fs.promises.open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `file` with `data`; once this resolves, a crash leaves `data` in it. */
export async function replaceFileDurable(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await fs.promises.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, file);
  await fsyncPath(path.dirname(file));
}
