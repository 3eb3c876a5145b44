import { createHash } from 'node:crypto';
import { download, privateHostsFrom } from '../providers/download.js';
import type { CollectOutputsInput, RunSnapshotLite } from './contracts.js';
import type { OutputRecord } from '../shared/results-format.js';
import { rowStorage } from './legacy-inputs.js';
import { openStorage, outputDir, type BatchStorage } from '../storage/index.js';
import type { ActivityDeps } from './deps.js';
import { toActivityFailure } from './failures.js';
import { cancellationSignal, withHeartbeat } from './heartbeat.js';

type Output = RunSnapshotLite['outputs'][number];

export function createCollectOutputs(deps: ActivityDeps) {
  /**
   * Downloads every media output of a finished run into `outputs/<rowId>/` (atomic writes, sha256 and size) and
   * keeps text outputs as files too. A URL found expired is re-read from the provider's run once before giving up.
   * File names come from output labels as lower-case slugs, so no label can name a path outside that folder; a URL
   * that is not http(s), points at a private address other than a configured provider host, or is over the size
   * cap fails the download with nothing kept (see download.ts).
   */
  return async function collectOutputs(input: CollectOutputsInput): Promise<OutputRecord[]> {
    return collectAll(deps, input);
  };
}

/** {@link createCollectOutputs}'s work, also done by `awaitRun` with `collect` (inside a running activity). */
export async function collectAll(
  deps: ActivityDeps,
  input: CollectOutputsInput,
  heartbeatDetails?: unknown,
): Promise<OutputRecord[]> {
  const storage = openStorage(rowStorage(input));
  const names = fileNames(input.outputs);
  const records: OutputRecord[] = [];
  for (const [i, output] of input.outputs.entries()) {
    const name = names[i] ?? `output-${i + 1}`;
    try {
      records.push(
        await withHeartbeat(() => collectOne(deps, storage, input, output, i, name), 10_000, heartbeatDetails),
      );
    } catch (err) {
      throw toActivityFailure(err, deps.secrets);
    }
  }
  return records;
}

async function collectOne(
  deps: ActivityDeps,
  storage: BatchStorage,
  input: CollectOutputsInput,
  output: Output,
  index: number,
  name: string,
): Promise<OutputRecord> {
  const base = { label: output.label, type: output.type, url: output.url };
  if (output.url === null && output.text !== null) {
    const rel = `${outputDir(input.id)}/${name}.txt`;
    await storage.writeAtomic(rel, output.text);
    const sha256 = createHash('sha256').update(output.text).digest('hex');
    return { ...base, path: rel, sha256, bytes: Buffer.byteLength(output.text), text: output.text };
  }
  if (output.url === null) return { ...base, path: null, sha256: null, bytes: null };
  const rel = `${outputDir(input.id)}/${name}${extensionOf(output.url, output.type)}`;
  const fetch = (url: string) =>
    download({
      url,
      sink: () => storage.createWriter(rel),
      maxBytes: deps.maxAssetBytes,
      signal: cancellationSignal(),
      privateHosts: privateHostsFrom(),
    });
  try {
    const got = await fetch(output.url);
    return { ...base, path: rel, sha256: got.sha256, bytes: got.bytes };
  } catch (err) {
    if (!isExpired(err)) throw err;
    const fresh = await freshUrl(deps, input, output, index);
    if (!fresh) throw err;
    const got = await fetch(fresh);
    return { ...base, url: fresh, path: rel, sha256: got.sha256, bytes: got.bytes };
  }
}

/** Re-reads the run for a fresh signed URL of the same output (same position and label). */
async function freshUrl(
  deps: ActivityDeps,
  input: CollectOutputsInput,
  output: Output,
  index: number,
): Promise<string | null> {
  const adapter = deps.adapterFor(input.settings.provider);
  const run = await adapter.getRun(input.runId, { signal: cancellationSignal() });
  const same = run.outputs[index];
  const url = same && same.label === output.label ? same.url : null;
  return url && url !== output.url ? url : null;
}

function isExpired(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { expired?: unknown }).expired === true;
}

/** File names from output labels: lower-case slugs, numbered when a label repeats. */
export function fileNames(outputs: readonly { label: string }[]): string[] {
  // A label that is itself a file name ("image-1.png") loses its extension: the file gets one from its URL.
  const slugs = outputs.map((o) => slug(o.label.replace(/\.[a-z0-9]{2,5}$/i, '')) || 'output');
  const seen = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const s of slugs) totals.set(s, (totals.get(s) ?? 0) + 1);
  return slugs.map((s) => {
    const n = (seen.get(s) ?? 0) + 1;
    seen.set(s, n);
    return (totals.get(s) ?? 1) > 1 ? `${s}-${n}` : s;
  });
}

function slug(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

const TYPE_EXTENSIONS: Record<string, string> = { image: '.png', video: '.mp4', audio: '.mp3', text: '.txt' };

/** The URL path's extension when it has a short, plain one; else one from the output type. */
export function extensionOf(url: string, type: string): string {
  try {
    const m = /\.([a-z0-9]{2,5})$/i.exec(new URL(url).pathname);
    if (m?.[1]) return `.${m[1].toLowerCase()}`;
  } catch {
    // not a URL: fall through to the type's extension
  }
  return TYPE_EXTENSIONS[type] ?? '.bin';
}
