import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An RGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number];

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * Encodes a solid-colour truecolour PNG (8 bits per channel, no alpha). Small and deterministic: the same size and
 * colour always give the same bytes, so tests can compare checksums of downloaded outputs.
 */
export function encodeSolidPng(width: number, height: number, [r, g, b]: Rgb): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, no filter, no interlace
  const row = Buffer.alloc(1 + width * 3); // filter byte 0, then pixels
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const idat = deflateSync(raw, { level: 9 });
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** The colour of a simulated output: derived from its run id and output index. */
export function outputColour(runId: string, index: number): Rgb {
  const digest = createHash('sha256').update(`${runId}:${index}`).digest();
  return [digest[0] ?? 0, digest[1] ?? 0, digest[2] ?? 0];
}

/** The 64×64 PNG the simulator serves for output `index` of run `runId`. */
export function outputPng(runId: string, index: number): Buffer {
  return encodeSolidPng(64, 64, outputColour(runId, index));
}
