import { describe, expect, it } from 'vitest';
import { ManifestParseError } from './errors.js';
import { detectFormat } from './read.js';
import { fixture, readAll, readError, tempFiles } from '../../test/fixtures/manifests/helpers.js';

const files = tempFiles();

describe('detectFormat', () => {
  it('tells the format from the extension, ignoring letter case', () => {
    expect(detectFormat('a/b.csv')).toBe('csv');
    expect(detectFormat('B.JSON')).toBe('json');
    expect(detectFormat('c.jsonl')).toBe('jsonl');
    expect(detectFormat('d.ndjson')).toBe('jsonl');
  });

  it('names the accepted extensions and the --format flag for any other file', () => {
    expect(() => detectFormat('rows.txt')).toThrow(ManifestParseError);
    expect(() => detectFormat('rows.txt')).toThrow(/\.csv, \.json, \.jsonl or \.ndjson.*--format/);
    expect(() => detectFormat('rows')).toThrow(/has no extension/);
  });
});

describe('readRows', () => {
  it('reads a file of any extension in the format given by --format', async () => {
    const rows = await readAll(files.write('rows.txt', 'a\n1\n'), { format: 'csv' });
    expect(rows).toEqual([{ row: 1, line: 2, fields: { a: '1' } }]);
  });

  it('skips a UTF-8 BOM in every format, and reads a file that is only a BOM as empty', async () => {
    const bom = '\uFEFF';
    expect(await readAll(files.write('bom.jsonl', `${bom}{"a":1}\n`))).toEqual([{ row: 1, line: 1, fields: { a: 1 } }]);
    expect((await readAll(files.write('bom.json', `${bom}[{"a":1}]`)))[0]?.fields).toEqual({ a: 1 });
    expect((await readAll(files.write('bom.csv', `${bom}a\n1\n`)))[0]?.fields).toEqual({ a: '1' });
    expect(await readError(files.write('only-bom.csv', bom))).toMatchObject({ code: 'MANIFEST_NO_ROWS' });
  });

  it('reports a missing file as unreadable', async () => {
    const error = await readError(files.write('x.csv', '') + '.missing.csv');
    expect(error).toMatchObject({ code: 'MANIFEST_UNREADABLE' });
    expect(error.message).toContain('no such file');
  });
});

describe('JSONL manifests', () => {
  it('reads one object per line, skipping blank lines and keeping line numbers', async () => {
    const rows = await readAll(fixture('good.jsonl'));
    expect(rows).toEqual([
      { row: 1, line: 1, fields: { sku: 'sku-1', Prompt: 'A red chair', Steps: 30 } },
      { row: 2, line: 3, fields: { sku: 'sku-2', Prompt: 'A table', Upscale: false } },
      { row: 3, line: 4, fields: { sku: 'sku-3', Prompt: 'A lamp' } },
    ]);
  });

  it('reports a line that is not valid JSON with its line number and position', async () => {
    const error = await readError(fixture('bad-line.jsonl'));
    expect(error).toMatchObject({ code: 'JSON_INVALID', line: 2, row: 2 });
    expect(error.message).toMatch(/^line 2 is not valid JSON/);
  });

  it('refuses a line that holds an array and suggests the .json format', async () => {
    const error = await readError(files.write('array.jsonl', '[\n{"a": 1}\n]\n'));
    expect(error).toMatchObject({ code: 'JSON_INVALID', line: 1 });
    expect(error.message).toContain('--format json');
    const oneLine = await readError(files.write('array-line.jsonl', '[{"a": 1}, {"a": 2}]\n'));
    expect(oneLine).toMatchObject({ code: 'JSON_NOT_OBJECT', line: 1 });
    expect(oneLine.message).toContain('use a .json file or --format json');
  });

  it('refuses a line whose object names a property twice, however the name is escaped', async () => {
    const text = '{"a": 1}\n\n{"p": "{\\"b\\": 1, \\"b\\": 2}", "b": 1, "\\u0062": 2}\n';
    const error = await readError(files.write('dup-prop.jsonl', text));
    expect(error).toMatchObject({ code: 'JSON_DUPLICATE_PROPERTY', row: 2, line: 3, column: 'b' });
    expect(error.message).toContain("row 2 (line 3) names property 'b' twice");
    const fine = await readAll(files.write('no-dup.jsonl', '{"p": "{\\"b\\": 1, \\"b\\": 2}", "b": 1}\n'));
    expect(fine.map((r) => r.fields)).toEqual([{ p: '{"b": 1, "b": 2}', b: 1 }]);
  });

  it('refuses a nested value with its row, line and column', async () => {
    const error = await readError(files.write('nested.jsonl', '{"a": 1}\n\n{"a": {"b": 2}}\n'));
    expect(error).toMatchObject({ code: 'JSON_NESTED_VALUE', row: 2, line: 3, column: 'a' });
  });

  it('refuses a line that is not an object', async () => {
    const error = await readError(files.write('scalar.jsonl', '{"a": 1}\n42\n'));
    expect(error).toMatchObject({ code: 'JSON_NOT_OBJECT', row: 2, line: 2 });
  });

  it('says the manifest has no rows when every line is blank', async () => {
    const error = await readError(files.write('blank.ndjson', '\n  \r\n\n'));
    expect(error.message).toMatch(/^manifest has no rows/);
  });

  it('refuses invalid UTF-8 with its line', async () => {
    const path = files.write(
      'latin1.jsonl',
      Buffer.concat([Buffer.from('{"a": "x"}\n{"a": "'), Buffer.from([0xe9, 0x22, 0x7d])]),
    );
    expect(await readError(path)).toMatchObject({ code: 'MANIFEST_INVALID_UTF8', line: 2 });
  });
});
