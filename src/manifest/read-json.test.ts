import { describe, expect, it } from 'vitest';
import { readRows } from './read.js';
import { fixture, readAll, readError, tempFiles } from '../../test/fixtures/manifests/helpers.js';

const files = tempFiles();

describe('JSON manifests', () => {
  it('streams an array of flat objects, keeping value types and dropping nulls', async () => {
    const rows = await readAll(fixture('good.json'));
    expect(rows).toEqual([
      { row: 1, line: null, fields: { sku: 'sku-1', Prompt: 'A red chair', Steps: 30, Upscale: true } },
      { row: 2, line: null, fields: { sku: 'sku-2', Prompt: 'Línea\nnueva' } },
      { row: 3, line: null, fields: { sku: 'sku-3', Prompt: 'A lamp', Extra: 'x' } },
    ]);
  });

  it('refuses a nested object in a field and names the row and column', async () => {
    const error = await readError(fixture('nested.json'));
    expect(error).toMatchObject({ code: 'JSON_NESTED_VALUE', row: 2, column: 'Prompt' });
    expect(error.message).toContain('flatten it');
  });

  it('refuses an array in a field', async () => {
    const error = await readError(files.write('array-field.json', '[{"a": [1, 2]}]'));
    expect(error).toMatchObject({ code: 'JSON_NESTED_VALUE', row: 1, column: 'a' });
  });

  it('reports a truncated file with the line where it ends', async () => {
    const error = await readError(fixture('truncated.json'));
    expect(error).toMatchObject({ code: 'JSON_TRUNCATED', line: 3 });
    expect(error.message).toContain('truncated');
  });

  it('reports a file cut after a comma or a key as truncated too, not as a syntax error', async () => {
    for (const text of ['[{"sku":"A"},\n{"sku":"B",', '[{"sku":"A"},\n{"sku":', '[{"sku":"A"},\n{"sku":"B']) {
      const error = await readError(files.write('cut.json', text));
      expect(error, text).toMatchObject({ code: 'JSON_TRUNCATED', line: 2 });
    }
  });

  it('reports invalid JSON with the line of the error', async () => {
    const path = files.write('invalid.json', '[\n  {"a": 1},\n  {"a": 2},\n  {"a": nope}\n]\n');
    const error = await readError(path);
    expect(error).toMatchObject({ code: 'JSON_INVALID', line: 4 });
    expect(error.message).toContain('near "nope}');
  });

  it('locates an invalid token that is followed by enough text to be detected at once', async () => {
    const path = files.write(
      'invalid-early.json',
      '[\n  {"a": 1},\n  {"a": 2 "b": 3},\n  {"a": 4, "padding": "xxxxxxxxxxxxxxxxxxxx"}\n]\n',
    );
    const error = await readError(path);
    expect(error).toMatchObject({ code: 'JSON_INVALID', line: 3 });
  });

  it('refuses a top-level object and points to JSONL for one object per line', async () => {
    const error = await readError(files.write('object.json', '\n  {"a": 1}\n'));
    expect(error).toMatchObject({ code: 'JSON_NOT_ARRAY', line: 2 });
    expect(error.message).toContain('--format jsonl');
  });

  it('says a string left open at the end of its line is missing its closing quote', async () => {
    const rows = Array.from(
      { length: 300 },
      (_, i) => `  {"sku": "K${i + 1}", "Prompt": "p${i + 1}${i === 249 ? '' : '"'}}`,
    );
    const error = await readError(files.write('open-string.json', `[\n${rows.join(',\n')}\n]\n`));
    expect(error).toMatchObject({ code: 'JSON_INVALID' });
    expect(error.line === 251 || error.line === 252).toBe(true);
    expect(error.message).toContain('a closing quote is missing here or on the line before');
  });

  it('refuses a row object that names a property twice, instead of keeping the last value', async () => {
    const text = '[{"sku": "A1", "Prompt": "x", "n": {"k": 1, "k": 2}}, {"sku": "A2", "Prompt": "x", "Prompt": "y"}]';
    const error = await readError(files.write('dup-prop.json', text));
    expect(error).toMatchObject({ code: 'JSON_DUPLICATE_PROPERTY', row: 2, column: 'Prompt' });
    expect(error.message).toBe(
      "row 2 names property 'Prompt' twice; JSON would keep only the last value, so remove one of them",
    );
    const fine = await readAll(files.write('no-dup.json', '[{"a": "{\\"a\\": 1}", "b": 1}, {"a": 2}]'));
    expect(fine.map((r) => r.fields)).toEqual([{ a: '{"a": 1}', b: 1 }, { a: 2 }]);
  });

  it('says a CSV read as JSON looks like a CSV', async () => {
    const error = await readError(files.write('csv.json', 'sku,Prompt\nA1,x\n'));
    expect(error).toMatchObject({ code: 'JSON_NOT_ARRAY', line: 1 });
    expect(error.message).toBe(
      "line 1: the file starts with 'sku,Prompt', not a JSON array; a .json manifest must be an array of row " +
        'objects ([{…}, {…}]) — if it is a CSV, name the file .csv or pass --format csv',
    );
  });

  it('refuses an array element that is not an object', async () => {
    const error = await readError(files.write('scalar.json', '[{"a": 1}, "b"]'));
    expect(error).toMatchObject({ code: 'JSON_NOT_OBJECT', row: 2 });
  });

  it('says the manifest has no rows for an empty array and for an empty file', async () => {
    expect(await readError(files.write('empty-array.json', ' [ ] '))).toMatchObject({ code: 'MANIFEST_NO_ROWS' });
    expect(await readError(files.write('empty.json', '\n'))).toMatchObject({ code: 'MANIFEST_NO_ROWS' });
  });

  it('reads a one-line minified array fed in pieces that split multi-byte characters', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ k: `k${i}`, text: `çà☕${'é'.repeat(i % 7)}` }));
    const read = await readAll(files.write('minified.json', JSON.stringify(rows)));
    expect(read.map((r) => r.fields)).toEqual(rows);
  });

  it('quotes the text near the error when a minified one-line file is invalid far from its start', async () => {
    const body = JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ k: `k${i}` })));
    const error = await readError(files.write('minified-bad.json', body.slice(0, -30) + 'oops' + body.slice(-26)));
    expect(error).toMatchObject({ code: 'JSON_INVALID', line: 1 });
    expect(error.message).toContain('oops');
  });

  it('stops reading cleanly when the caller breaks out early', async () => {
    const path = files.write('many.json', JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i }))));
    let seen = 0;
    for await (const _row of readRows(path)) if (++seen === 3) break;
    expect(seen).toBe(3);
  });
});
