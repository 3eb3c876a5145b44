import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ItemSettings, ManifestSpec } from '../shared/batch-spec.js';

/**
 * The default batch id: a hash of the manifest's bytes and of everything that decides what each row submits
 * (provider, app, key column, omitted and renamed columns). Re-running an unchanged command resumes the same
 * batch instead of paying again; any change that alters a submission gives a new id.
 */
export async function deriveBatchId(
  manifestPath: string,
  item: Pick<ItemSettings, 'provider' | 'app'>,
  spec: ManifestSpec,
): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(manifestPath)) hash.update(chunk as Buffer);
  hash.update('\0');
  hash.update(
    JSON.stringify({
      provider: item.provider,
      app: item.app,
      keyColumn: spec.keyColumn ?? null,
      omit: [...spec.omit].sort(),
      map: Object.entries(spec.map).sort(([a], [b]) => a.localeCompare(b)),
    }),
  );
  return `${item.provider}-${hash.digest('hex').slice(0, 16)}`;
}
