import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface BatchIdParts {
  manifestPath: string;
  provider: string;
  app: string;
  keyColumn?: string | undefined;
  omit: string[];
  map: Record<string, string>;
}

/**
 * The default batch id: a hash of the manifest's bytes and of everything that decides what each row submits
 * (provider, app, key column, omitted and renamed columns). Re-running an unchanged command resumes the same
 * batch instead of paying again; any change that alters a submission gives a new id.
 */
export async function deriveBatchId(parts: BatchIdParts): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(parts.manifestPath)) hash.update(chunk as Buffer);
  hash.update('\0');
  hash.update(
    JSON.stringify({
      provider: parts.provider,
      app: parts.app,
      keyColumn: parts.keyColumn ?? null,
      omit: [...parts.omit].sort(),
      map: Object.entries(parts.map).sort(([a], [b]) => a.localeCompare(b)),
    }),
  );
  return `${parts.provider}-${hash.digest('hex').slice(0, 16)}`;
}
