import { describe, expect, it } from 'vitest';
import { csvRecord, CSV_COLUMNS, formulaSafe } from './csv.js';
import { extensionOf, fileNames } from './outputs.js';

describe('results.csv', () => {
  it('prefixes every cell a spreadsheet would run as a formula', () => {
    for (const cell of ['=SUM(A1)', '+1', '-2', '@cmd', '\tx', '\rx']) expect(formulaSafe(cell)).toBe(`'${cell}`);
    for (const cell of ['plain', '1', 'a=b', '']) expect(formulaSafe(cell)).toBe(cell);
  });

  it('flattens a result line into one cell per column, outputs joined', () => {
    const record = csvRecord({
      row: 3,
      key: '=HYPERLINK("x")',
      status: 'succeeded',
      provider: 'lamina',
      runId: 'r1',
      attempts: 1,
      error: null,
      outputs: [
        { label: 'A', type: 'image', url: 'http://x/a.png', path: 'outputs/k/a.png', sha256: 'aa', bytes: 1 },
        { label: 'B', type: 'image', url: 'http://x/b.png', path: 'outputs/k/b.png', sha256: 'bb', bytes: 2 },
      ],
      inputs: { Prompt: '-rm' },
      submittedAt: null,
      finishedAt: null,
    });
    expect(record).toHaveLength(CSV_COLUMNS.length);
    expect(record[1]).toBe(`'=HYPERLINK("x")`);
    expect(record[8]).toBe('outputs/k/a.png | outputs/k/b.png');
    expect(record[10]).toBe('aa | bb');
  });
});

describe('output file names', () => {
  it('slugs labels and numbers repeated ones', () => {
    expect(
      fileNames([{ label: 'AI Designer' }, { label: 'AI Designer' }, { label: 'Ünïque / Ok' }, { label: '***' }]),
    ).toEqual(['ai-designer-1', 'ai-designer-2', 'unique-ok', 'output']);
  });

  it('drops a file extension carried by the label itself', () => {
    expect(fileNames([{ label: 'image-1.png' }, { label: 'Render.WEBP' }])).toEqual(['image-1', 'render']);
  });

  it('takes the extension from the URL path, else from the output type', () => {
    expect(extensionOf('https://cdn.example/x/render.webp?token=abc', 'image')).toBe('.webp');
    expect(extensionOf('https://cdn.example/x/render?token=abc', 'video')).toBe('.mp4');
    expect(extensionOf('not a url', 'mystery')).toBe('.bin');
  });
});
