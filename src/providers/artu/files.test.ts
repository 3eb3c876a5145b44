import { describe, expect, it } from 'vitest';
import { artuFileOutputs } from './files.js';

const completed = { text: null, status: 'completed', error: null };

describe('artuFileOutputs', () => {
  it('finds URLs under any URL-like field and types them from the MIME type', () => {
    const outputs = artuFileOutputs([
      { id: 'f1', name: 'a.png', mimeType: 'image/png', url: 'https://cdn.test/a.png' },
      { fileId: 7, filename: 'b.mp4', contentType: 'video/mp4', downloadUrl: 'https://cdn.test/b.mp4?sig=1' },
      { id: 'f3', fileName: 'c.wav', mime_type: 'AUDIO/wav', signedUrl: ' https://cdn.test/c.wav ' },
      { id: 'f4', title: 'Report', s3PresignedURL: 'http://bucket.test/r.pdf', mimeType: 'application/pdf' },
      { id: 'f5', type: 'image', public_url: 'https://cdn.test/e.jpg' },
    ]);
    expect(outputs).toEqual([
      { id: 'f1', label: 'a.png', type: 'image', url: 'https://cdn.test/a.png', ...completed },
      { id: '7', label: 'b.mp4', type: 'video', url: 'https://cdn.test/b.mp4?sig=1', ...completed },
      { id: 'f3', label: 'c.wav', type: 'audio', url: 'https://cdn.test/c.wav', ...completed },
      { id: 'f4', label: 'Report', type: 'file', url: 'http://bucket.test/r.pdf', ...completed },
      { id: 'f5', label: 'f5', type: 'image', url: 'https://cdn.test/e.jpg', ...completed },
    ]);
  });

  it('reads a URL one object deeper and bare URL strings, numbering unnamed files', () => {
    const outputs = artuFileOutputs([
      { name: 'nested.png', file: { url: 'https://cdn.test/n.png', mimeType: 'image/png' } },
      'https://cdn.test/bare.bin',
    ]);
    expect(outputs).toEqual([
      { id: null, label: 'nested.png', type: 'image', url: 'https://cdn.test/n.png', ...completed },
      { id: null, label: 'file-2', type: 'file', url: 'https://cdn.test/bare.bin', ...completed },
    ]);
  });

  it('prefers the plain url field over other URL-like fields', () => {
    const [out] = artuFileOutputs([{ thumbnailUrl: 'https://cdn.test/t.png', url: 'https://cdn.test/full.png' }]);
    expect(out?.url).toBe('https://cdn.test/full.png');
  });

  it('skips entries without an absolute http(s) URL and tolerates absent lists', () => {
    expect(
      artuFileOutputs([
        { id: 'x', name: 'no-url.png' },
        { id: 'y', url: '/relative/path.png' },
        { id: 'z', url: 'file:///etc/passwd' },
        { id: 'w', url: 42 },
        'not a url',
        null,
        [1, 2],
      ]),
    ).toEqual([]);
    expect(artuFileOutputs(undefined)).toEqual([]);
    expect(artuFileOutputs(null)).toEqual([]);
  });
});
