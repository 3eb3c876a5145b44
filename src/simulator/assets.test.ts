import { inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, outputUrl, startRun, waitRun } from '../../test/fixtures/simulator/lamina-client.js';
import { DEMO_LAMINA_APP_ID, encodeSolidPng, startSimulator } from './index.js';
import type { SimulatorHandle } from './index.js';

let sim: SimulatorHandle;

beforeEach(async () => {
  sim = await startSimulator({ port: 0, runDurationMs: 20 });
});
afterEach(async () => {
  await sim.close();
});

async function completedOutputUrl(): Promise<string> {
  const { runId } = (await startRun(sim.url, DEMO_LAMINA_APP_ID, { Prompt: 'x' })).json.data;
  return outputUrl((await waitRun(sim.url, runId)).json.data);
}

describe('signed asset URLs', () => {
  it('answers 403 "Request has expired" once the URL has expired, and a fresh read signs a new one', async () => {
    sim.configure({ assetTtlMs: 1 });
    const url = await completedOutputUrl();
    await new Promise((r) => setTimeout(r, 10));
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('xml');
    expect(await res.text()).toContain('<Message>Request has expired</Message>');
    sim.configure({ assetTtlMs: 60_000 });
    const runId = new URL(url).pathname.split('/')[3] ?? '';
    const fresh = outputUrl((await call(sim.url, `/v1/runs/${runId}`)).json.data);
    expect((await fetch(fresh)).status).toBe(200);
  });

  it('answers 403 for a tampered signature or expiry', async () => {
    const url = new URL(await completedOutputUrl());
    const badSig = new URL(url);
    badSig.searchParams.set('sig', '0'.repeat(64));
    expect((await fetch(badSig)).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 1));
    const res = await fetch(longer);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('SignatureDoesNotMatch');
    expect((await fetch(`${sim.url}${url.pathname}`)).status).toBe(403);
  });
});

describe('PNG encoder', () => {
  it('writes a valid solid-colour PNG whose pixels all have the colour', () => {
    const png = encodeSolidPng(4, 3, [10, 20, 30]);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([4, 3]);
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('latin1')).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(raw).toHaveLength(3 * (1 + 4 * 3));
    const row = Buffer.from([0, 10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30]);
    expect(raw).toEqual(Buffer.concat([row, row, row]));
    expect(png.subarray(png.length - 8, png.length - 4).toString('latin1')).toBe('IEND');
    expect(encodeSolidPng(4, 3, [10, 20, 30])).toEqual(png);
  });
});
