import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { BatchStorage } from './storage.js';

/** Thrown when a relative storage path would leave the batch directory. */
export class StoragePathError extends Error {
  override readonly name = 'StoragePathError';
  readonly code = 'STORAGE_PATH_ESCAPE';
}

/**
 * A batch directory on the local file system (or a shared mount). Every write goes to a temporary file in the
 * same directory, is flushed, then renamed over the target, so retried activities never leave torn files.
 */
export class LocalStorage implements BatchStorage {
  readonly location: string;

  constructor(location: string) {
    this.location = resolve(location);
  }

  path(rel: string): string {
    const full = resolve(this.location, rel);
    const back = relative(this.location, full);
    if (back.startsWith('..') || isAbsolute(back))
      throw new StoragePathError(`path '${rel}' escapes the batch directory`);
    return full;
  }

  async writeAtomic(rel: string, data: string | Uint8Array): Promise<void> {
    const target = this.path(rel);
    const tmp = await writeTemp(target, data);
    await rename(tmp, target);
  }

  async createExclusive(rel: string, data: string): Promise<boolean> {
    const target = this.path(rel);
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

  async list(rel: string): Promise<string[]> {
    try {
      const names = await readdir(this.path(rel));
      return names.filter((name) => !name.startsWith('.'));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async readText(rel: string): Promise<string | null> {
    try {
      return await readFile(this.path(rel), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async readRange(rel: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(this.path(rel), 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async exists(rel: string): Promise<boolean> {
    try {
      await stat(this.path(rel));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async remove(rel: string): Promise<void> {
    await rm(this.path(rel), { force: true, recursive: true });
  }

  async ensureDir(rel: string): Promise<void> {
    await mkdir(this.path(rel), { recursive: true });
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

/** Opens the storage a batch recorded. Only local directories exist for now. */
export function openStorage(location: string): BatchStorage {
  return new LocalStorage(location);
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}
