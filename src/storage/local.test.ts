import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageContract } from '../../test/helpers/storage-contract.js';
import { LocalStorage } from './local.js';

describeStorageContract('a local folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'durabatch-storage-'));
  return { storage: new LocalStorage(dir), close: () => rm(dir, { recursive: true, force: true }) };
});
