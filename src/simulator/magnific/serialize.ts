import { createHash } from 'node:crypto';
import type { AssetSigner } from '../assets.js';
import type { MagnificRun } from './runs.js';

/** What a status response needs besides the run: the signer and Magnific's URL lifetime. */
export interface MagnificView {
  signer: AssetSigner;
  assetTtlMs: number;
}

/** Width and height of the simulated PNGs (png.ts). */
const SIZE = 64;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function assetId(runId: string, index: number): string {
  return createHash('sha256').update(`${runId}:asset:${index}`).digest('base64url').slice(0, 10);
}

/** The delivered images, each with a URL signed afresh on every read (so an expired URL is renewed by a read). */
function images(run: MagnificRun, view: MagnificView): Record<string, unknown>[] {
  return Array.from({ length: run.delivered }, (_, index) => ({
    id: assetId(run.runId, index),
    url: view.signer.signedUrl(run.runId, index, view.assetTtlMs),
    tool: 'text-to-image',
    width: SIZE,
    height: SIZE,
    duration: 0,
    created_at: iso(run.completedAt),
  }));
}

/** The body's `data` of GET /v1/ai/apps/runs/{runId}. */
export function runJson(run: MagnificRun, view: MagnificView): Record<string, unknown> {
  return {
    run_id: run.runId,
    app_id: run.appId,
    status: run.status,
    started_at: iso(run.startedAt),
    completed_at: iso(run.completedAt),
    error_message: run.errorMessage,
    result: { images: images(run, view), videos: [], audios: [] },
  };
}
