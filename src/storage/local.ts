import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { BatchStorage, StorageWriter } from './storage.js';

/** Thrown when a key would leave the batch directory. */
export class StoragePathError extends Error {
  override readonly name = 'StoragePathError';
  readonly code = 'STORAGE_PATH_ESCAPE';
}

/**
 * A part file of the same object untouched this long is a leftover of a writer that died with its process (a
 * SIGKILLed worker); a live one is written to at least every download body timeout (60 s).
 */
export const STALE_PART_MS = 15 * 60_000;
const PART_SUFFIX = /\.[0-9a-f]{12}\.part$/;

/**
 * A batch directory on the local file system (or a mount every host shares). Every write goes to a part file in the
 * same directory, is flushed, then renamed over the target, so retried activities never leave torn files and a
 * reader never sees a partial one. Keys are relative paths that must stay inside the directory.
 */
export class LocalStorage implements BatchStorage {
  readonly location: string;

  constructor(location: string) {
    this.location = resolve(location);
  }

  urlOf(key: string): string {
    return this.file(key);
  }

  /** The file behind a key (inside the batch directory, or a StoragePathError). */
  file(key: string): string {
    const full = resolve(this.location, key);
    const back = relative(this.location, full);
    if (back.startsWith('..') || isAbsolute(back))
      throw new StoragePathError(`key '${key}' escapes the batch directory`);
    return full;
  }

  async writeAtomic(key: string, data: string | Uint8Array): Promise<void> {
    const target = this.file(key);
    const tmp = await writeTemp(target, data);
    await rename(tmp, target);
  }

  async createExclusive(key: string, data: string): Promise<boolean> {
    const target = this.file(key);
    const tmp = await writeTemp(target, data);
    try {
      // link() fails with EEXIST when the target exists: create-if-absent and complete content in one step.
      await link(tmp, target);
      return true;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'EEXIST') return false;
      throw err;
    } finally {
      await unlink(tmp);
    }
  }

  async createWriter(key: string): Promise<StorageWriter> {
    const target = this.file(key);
    await mkdir(dirname(target), { recursive: true });
    // A part file of this writer's own: two writers of one key (a cancelled attempt that has not noticed yet beside
    // the row's own) never write into one file.
    const part = `${target}.${randomBytes(6).toString('hex')}.part`;
    const stream = createWriteStream(part, { flush: true });
    let done = false;
    return {
      stream,
      async commit() {
        if (!stream.writableEnded) stream.end();
        await finished(stream);
        await rename(part, target);
        done = true;
        await removeStaleParts(target);
      },
      async abort() {
        if (done) return;
        done = true;
        stream.destroy();
        await finished(stream).catch(() => undefined);
        await rm(part, { force: true });
      },
    };
  }

  async openRead(key: string): Promise<Readable | null> {
    const path = this.file(key);
    const stream = createReadStream(path);
    try {
      await new Promise<void>((ok, fail) => {
        stream.once('open', () => ok());
        stream.once('error', fail);
      });
      return stream;
    } catch (err) {
      stream.destroy();
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async list(key: string): Promise<string[]> {
    try {
      const names = await readdir(this.file(key));
      return names.filter((name) => !name.startsWith('.') && !PART_SUFFIX.test(name));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async readText(key: string): Promise<string | null> {
    try {
      return await readFile(this.file(key), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async readRange(key: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(this.file(key), 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.file(key));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async removeAll(key: string): Promise<void> {
    await rm(this.file(key), { force: true, recursive: true });
  }
}

/** Writes `data` to a flushed temporary file next to `target` and returns its path. */
async function writeTemp(target: string, data: string | Uint8Array): Promise<string> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return tmp;
}

/**
 * Once `target` is in place, deletes its part files left by writers that died with their process (their own
 * cleanup never ran). Only parts untouched for STALE_PART_MS go: another attempt may still be writing a fresh one.
 * Best effort: a failure here never fails the write.
 */
async function removeStaleParts(target: string): Promise<void> {
  const nowMs = Date.now();
  const dir = dirname(target);
  const prefix = `${basename(target)}.`;
  try {
    for (const name of await readdir(dir)) {
      if (!name.startsWith(prefix) || !/^[0-9a-f]{12}\.part$/.test(name.slice(prefix.length))) continue;
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && nowMs - info.mtimeMs > STALE_PART_MS) await rm(path, { force: true });
    }
  } catch {
    // The object is complete; a leftover part file is only untidy.
  }
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}
