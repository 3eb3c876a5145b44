import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createNormalizer, formatIssues, readRows } from '../manifest/index.js';
import type { ManifestIssue } from '../manifest/types.js';
import { privateHostsFrom } from '../providers/download.js';
import { FAILURE_TYPES } from '../shared/failures.js';
import type { LoadRowKeysInput, PrepareManifestInput, PrepareManifestOutput, RowKey } from './contracts.js';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BatchSpec } from '../shared/batch-spec.js';
import {
  LocalStorage,
  openStorage,
  PREPARED_FILE,
  readRowRange,
  RowWriter,
  type BatchStorage,
} from '../storage/index.js';
import type { ActivityDeps } from './deps.js';
import { toActivityFailure } from './failures.js';
import { cancellationSignal } from './heartbeat.js';
import { prepareInputOf } from './legacy-inputs.js';

/** How many issues travel in the failure's details (the message lists the first ones readably). */
const ISSUES_IN_DETAILS = 200;

export function createManifestActivities(deps: ActivityDeps) {
  /**
   * Reads the manifest (streamed), validates every row against the app's parameters, and writes the normalized
   * rows with their offset index to storage. Any invalid row fails the batch before anything is submitted, with
   * every problem listed; nothing is left half-written. Idempotent: a prepared batch returns what it recorded.
   */
  async function prepareManifest(input: PrepareManifestInput): Promise<PrepareManifestOutput> {
    const { spec } = prepareInputOf(input);
    const storage = openStorage(spec.storage);
    const done = await storage.readText(PREPARED_FILE);
    if (done) return JSON.parse(done) as PrepareManifestOutput;
    // What `run` left here before this batch started: only the manifest's copy, if anything.
    const untouched = async () => (await storage.list('')).every((name) => name === SOURCE_DIR);
    const created = await untouched();

    let app;
    try {
      app = await deps.adapterFor(spec.item.provider).getApp(spec.item.app, { signal: cancellationSignal() });
    } catch (err) {
      throw toActivityFailure(err, deps.secrets);
    }
    // URL inputs may name private hosts only where outputs may come from: the provider hosts (getApp just used one).
    const privateUrlHosts = privateHostsFrom();
    const normalizer = createNormalizer({ ...spec.manifest, app, privateUrlHosts });
    const writer = await RowWriter.open(storage);
    const parseIssues: ManifestIssue[] = [];
    const source = await manifestFile(storage, spec);
    try {
      let seen = 0;
      for await (const raw of readRows(source.path, spec.manifest)) {
        const row = normalizer.accept(raw);
        if (row) await writer.write(row);
        if (++seen % 1000 === 0) Context.current().heartbeat(seen);
      }
    } catch (err) {
      try {
        parseIssues.push(asIssue(err));
      } catch (unexpected) {
        await writer.abort(); // an I/O error: retried, and the next attempt starts from a clean directory
        throw unexpected;
      }
    } finally {
      await source.release();
    }
    const result = normalizer.finish();
    const issues = [...parseIssues, ...result.issues];
    if (issues.length > 0 || result.validRows !== result.rowCount) {
      await writer.abort();
      // Leave no trace of a refused batch: remove the folder this call created, if nothing else landed in it.
      if (created && (await untouched())) await storage.removeAll('');
      const count = result.issueCount + parseIssues.length;
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.manifestInvalid,
        message: `the manifest has ${count} problem(s); nothing was submitted\n${formatIssues(issues, count)}`,
        details: [issues.slice(0, ISSUES_IN_DETAILS)],
        nonRetryable: true,
      });
    }
    await writer.commit();
    const output: PrepareManifestOutput = { rowCount: writer.rowCount, mapping: result.mapping };
    await storage.writeAtomic(PREPARED_FILE, JSON.stringify({ ...output, manifestPath: spec.source.location }));
    return output;
  }

  /** The ids and keys of rows `from`..`to`, for a partition to start their item workflows. */
  async function loadRowKeys(input: LoadRowKeysInput): Promise<RowKey[]> {
    const rows = await readRowRange(openStorage(input.storage), input.from, input.to);
    return rows.map((r) => ({ row: r.row, id: r.id, key: r.key }));
  }

  return { prepareManifest, loadRowKeys };
}

function asIssue(err: unknown): ManifestIssue {
  if (err instanceof Error && err.name === 'ManifestParseError') {
    const e = err as Error & { row?: number | null; column?: string | null; code?: string };
    return { row: e.row ?? null, column: e.column ?? null, code: e.code ?? 'PARSE_ERROR', message: err.message };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'EACCES') {
    return {
      row: null,
      column: null,
      code: 'MANIFEST_UNREADABLE',
      message: `the worker cannot read the manifest: ${(err as Error).message}`,
    };
  }
  throw err;
}

/** Where `run` puts the batch's copy of the manifest (src/cli/storage-root.ts). */
const SOURCE_DIR = 'source';

/**
 * A local file of the batch's manifest for the readers: the copy in a local batch folder itself, a temporary
 * download of the copy in S3 (removed by `release`), or, for a batch of 0.1, the path it names.
 */
async function manifestFile(
  storage: BatchStorage,
  spec: BatchSpec,
): Promise<{ path: string; release: () => Promise<void> }> {
  const { key, location, name } = spec.source;
  if (key === undefined) return { path: location, release: () => Promise.resolve() };
  if (storage instanceof LocalStorage) return { path: storage.file(key), release: () => Promise.resolve() };
  const from = await storage.openRead(key);
  if (!from) throw new Error(`the manifest is missing from ${storage.urlOf(key)}`);
  const dir = await mkdtemp(join(tmpdir(), 'durabatch-manifest-'));
  const path = join(dir, basename(name) || 'manifest');
  try {
    await pipeline(from, createWriteStream(path));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { path, release: () => rm(dir, { recursive: true, force: true }) };
}
