import { describe, expect, it } from 'vitest';
import { readRows } from './read.js';
import { fixture, readAll, readError, tempFiles } from '../../test/fixtures/manifests/helpers.js';

const files = tempFiles();

describe('CSV manifests', () => {
  it('reads quoted cells, embedded CRLF newlines, doubled quotes, a BOM and UTF-8 text', async () => {
    const columns: string[][] = [];
    const rows = await readAll(fixture('good.csv'), { onColumns: (c) => columns.push(c) });
    expect(columns).toEqual([['sku', 'Prompt', 'Style', 'Steps']]);
    expect(rows).toEqual([
      {
        row: 1,
        line: 2,
        fields: { sku: 'sku-1', Prompt: 'A red chair, studio light', Style: 'Photo', Steps: '30' },
      },
      { row: 2, line: 3, fields: { sku: 'sku-2', Prompt: 'Two lines:\r\nfirst and "second"', Style: 'Illustration' } },
      { row: 3, line: 6, fields: { sku: 'sku-3', Prompt: 'Café crème ☕', Steps: '12' } },
    ]);
  });

  it('leaves empty cells out of the fields and skips rows whose cells are all empty', async () => {
    const path = files.write('sparse.csv', 'a,b,c\n1,,3\n,,\n\n4,5,\n');
    const rows = await readAll(path);
    expect(rows.map((r) => [r.row, r.line, r.fields])).toEqual([
      [1, 2, { a: '1', c: '3' }],
      [2, 5, { a: '4', b: '5' }],
    ]);
  });

  it('keeps a header named __proto__ as an ordinary column', async () => {
    const rows = await readAll(files.write('proto.csv', '__proto__,b\nx,y\n'));
    expect(Object.keys(rows[0]?.fields ?? {})).toEqual(['__proto__', 'b']);
  });

  it('reports a row with the wrong number of cells with its row and line', async () => {
    const error = await readError(fixture('ragged.csv'));
    expect(error).toMatchObject({ name: 'ManifestParseError', code: 'CSV_RAGGED_ROW', row: 2, line: 3 });
    expect(error.message).toContain('has 2 cells but the header has 3 columns');
  });

  it('reports an unclosed quote with the line where the quoted cell opens', async () => {
    const error = await readError(fixture('unbalanced-quotes.csv'));
    expect(error).toMatchObject({ code: 'CSV_UNCLOSED_QUOTE', line: 3 });
    expect(error.message).toContain('never closed');
  });

  it('reports a stray quote inside an unquoted cell with its line', async () => {
    const error = await readError(files.write('stray.csv', 'a,b\n1,2\n3,5" tall\n'));
    expect(error).toMatchObject({ code: 'CSV_STRAY_QUOTE', line: 3 });
    expect(error.message).toContain('double quotes');
  });

  it('names the row and line of a stray quote far into a large file, past the rows already handed on', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => (i === 3999 ? 'K4000,a "cat"' : `K${i + 1},p${i + 1}`));
    const error = await readError(files.write('stray-far.csv', ['sku,Prompt', ...body].join('\n') + '\n'));
    expect(error).toMatchObject({ code: 'CSV_STRAY_QUOTE', row: 4000, line: 4001 });
    expect(error.message).toMatch(/^row 4000 \(line 4001\): a " appears inside a cell that is not quoted/);
  });

  it('counts a CRLF inside a quoted cell as one line when it names the line of a later stray quote', async () => {
    const text = 'a,b\r\n1,"x\r\ny"\r\n2,"p\r\nq"\r\n,,\r\n3,5" tall\r\n';
    const error = await readError(files.write('stray-crlf.csv', text));
    expect(error).toMatchObject({ code: 'CSV_STRAY_QUOTE', row: 3, line: 7 });
  });

  it('points at the opening line when a quote left open makes a cell run on to a later quote', async () => {
    const body = Array.from({ length: 30 }, (_, i) => (i === 9 ? 'K10,"open' : `K${i + 1},p${i + 1}`));
    const error = await readError(files.write('runs-on.csv', ['sku,Prompt', ...body, 'K31,"closed" late'].join('\n')));
    expect(error).toMatchObject({ code: 'CSV_STRAY_QUOTE', row: 10, line: 11 });
    expect(error.message).toContain('a cell quoted from line 11 to line 32');
    expect(error.message).toContain('a quote on line 11 is never closed');
  });

  it('refuses bytes that are not UTF-8 and names their line', async () => {
    const error = await readError(fixture('latin1.csv'));
    expect(error).toMatchObject({ code: 'MANIFEST_INVALID_UTF8', line: 3 });
    expect(error.message).toContain('save the manifest as UTF-8');
  });

  it('says a UTF-16 file is UTF-16 rather than Latin-1', async () => {
    const error = await readError(files.write('utf16.csv', Buffer.from('\ufeffsku,Prompt\nA1,x\n', 'utf16le')));
    expect(error).toMatchObject({ code: 'MANIFEST_INVALID_UTF8', line: 1 });
    expect(error.message).toMatch(/^the file is UTF-16 .*save the manifest as UTF-8/);
  });

  it('refuses an empty column name in the header', async () => {
    const error = await readError(files.write('empty-header.csv', 'a,,c\n1,2,3\n'));
    expect(error).toMatchObject({ code: 'CSV_EMPTY_HEADER', line: 1 });
    expect(error.message).toContain('column 2');
  });

  it('says a file whose header is one column holding semicolons or tabs is not comma-separated', async () => {
    const semi = await readError(files.write('semi.csv', 'sku;Prompt;Style\nA1;x;Photoreal\n'));
    expect(semi).toMatchObject({ code: 'CSV_NOT_COMMA_SEPARATED', line: 1 });
    expect(semi.message).toContain("'sku;Prompt;Style', which looks semicolon-separated");
    const tab = await readError(files.write('tab.csv', 'sku\tPrompt\nA1\tx\n'));
    expect(tab.message).toContain('tab-separated');
    const rows = await readAll(files.write('one.csv', 'Prompt\na cat\n'));
    expect(rows.map((r) => r.fields)).toEqual([{ Prompt: 'a cat' }]);
  });

  it('refuses a column name used twice in the header', async () => {
    const error = await readError(files.write('dup-header.csv', 'a,b,a\n1,2,3\n'));
    expect(error).toMatchObject({ code: 'CSV_DUPLICATE_HEADER', column: 'a' });
    expect(error.message).toContain('columns 1 and 3');
  });

  it('says the manifest has no rows for an empty file and for a header without data', async () => {
    expect(await readError(fixture('empty.csv'))).toMatchObject({ code: 'MANIFEST_NO_ROWS' });
    const headerOnly = await readError(files.write('header-only.csv', 'a,b\r\n\r\n'));
    expect(headerOnly.message).toMatch(/^manifest has no rows/);
  });

  it('reads a cell longer than the read buffer with multi-byte characters across chunk edges', async () => {
    const long = 'é'.repeat(700_000) + '☕';
    const rows = await readAll(files.write('long.csv', `a,b\n"${long}",x\n1,2\n`));
    expect(rows.map((r) => r.fields['a'])).toEqual([long, '1']);
    expect(rows[1]?.line).toBe(3);
  });

  it('stops reading cleanly when the caller breaks out early', async () => {
    const path = files.write('many.csv', 'a\n' + Array.from({ length: 50_000 }, (_, i) => `v${i}`).join('\n'));
    let seen = 0;
    for await (const _row of readRows(path)) if (++seen === 3) break;
    expect(seen).toBe(3);
  });
});
