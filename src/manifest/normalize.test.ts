import { describe, expect, it } from 'vitest';
import type { AppDefinition, AppParameter } from '../providers/types.js';
import { createNormalizer, type NormalizerOptions } from './normalize.js';
import { fixture, readAll, tempFiles } from '../../test/fixtures/manifests/helpers.js';
import type { NormalizedRow, RawRow } from './types.js';

const files = tempFiles();

function param(p: Partial<AppParameter> & Pick<AppParameter, 'inputKey' | 'type'>): AppParameter {
  return { aliases: [p.inputKey], label: p.inputKey, required: false, options: null, default: null, ...p };
}

/** Lamina-style: inputs keyed by parameter name. */
const LAMINA_APP: AppDefinition = {
  appId: 'app-1',
  name: 'Product Shots',
  outputs: [],
  parameters: [
    param({ inputKey: 'Prompt', type: 'text', required: true }),
    param({ inputKey: 'Style', type: 'options', required: true, options: ['Photo', 'Illustration'], default: 'Photo' }),
    param({ inputKey: 'Reference Image', type: 'url' }),
    param({ inputKey: 'Steps', type: 'number' }),
  ],
};

/** Magnific-style: inputs keyed by id, columns may use the id, the key or the label. */
const MAGNIFIC_APP: AppDefinition = {
  appId: 'sqid',
  name: 'Upscaler',
  outputs: [],
  parameters: [
    param({
      inputKey: 'input-a-1',
      aliases: ['input-a-1', 'image_url', 'Image URL'],
      label: 'Image URL',
      type: 'url',
      required: true,
    }),
    param({
      inputKey: 'input-b-1',
      aliases: ['input-b-1', 'scale', 'Scale'],
      label: 'Scale',
      type: 'number',
      default: 2,
    }),
    param({
      inputKey: 'input-c-1',
      aliases: ['input-c-1', 'look', 'Look'],
      label: 'Look',
      type: 'select',
      options: ['Natural', 'Vivid'],
    }),
  ],
};

function rows(...fields: Record<string, unknown>[]): RawRow[] {
  return fields.map((f, i) => ({ row: i + 1, line: i + 2, fields: f }));
}

function normalize(input: RawRow[], options: NormalizerOptions) {
  const normalizer = createNormalizer(options);
  const accepted = input.map((r) => normalizer.accept(r));
  return { accepted, summary: normalizer.finish() };
}

const codes = (summary: { issues: { code: string }[] }): string[] => summary.issues.map((i) => i.code);

describe('createNormalizer with an app definition', () => {
  it('maps CSV columns to Lamina parameter names and converts numeric strings for number inputs', async () => {
    const raw = await readAll(fixture('good.csv'));
    const { accepted, summary } = normalize(raw, { keyColumn: 'sku', app: LAMINA_APP });
    expect(summary).toMatchObject({
      rowCount: 3,
      validRows: 3,
      issueCount: 0,
      columns: ['sku', 'Prompt', 'Style', 'Steps'],
    });
    expect(summary.mapping).toEqual({ Prompt: 'Prompt', Style: 'Style', Steps: 'Steps' });
    expect(accepted[0]).toEqual({
      row: 1,
      key: 'sku-1',
      id: 'sku-1',
      inputs: { Prompt: 'A red chair, studio light', Style: 'Photo', Steps: 30 },
    });
    expect(accepted[2]?.inputs).toEqual({ Prompt: 'Café crème ☕', Steps: 12 });
  });

  it('maps Magnific labels and keys to input ids, accepting a unique case-insensitive match', () => {
    const input = rows({ 'Image URL': 'https://x.test/a.png', SCALE: '4', look: 'Vivid' });
    const { accepted, summary } = normalize(input, { app: MAGNIFIC_APP });
    expect(summary.issues).toEqual([]);
    expect(summary.mapping).toEqual({ 'Image URL': 'input-a-1', SCALE: 'input-b-1', look: 'input-c-1' });
    expect(accepted[0]?.inputs).toEqual({ 'input-a-1': 'https://x.test/a.png', 'input-b-1': 4, 'input-c-1': 'Vivid' });
  });

  it('reports a column that matches no input with the inputs and both flags that fix it', () => {
    const { summary } = normalize(rows({ Prompt: 'a', Colour: 'red' }), { app: LAMINA_APP });
    expect(summary.issues).toEqual([
      {
        row: null,
        column: 'Colour',
        code: 'COLUMN_UNMATCHED',
        message:
          "column 'Colour' matches no input of app 'Product Shots'; inputs are Prompt, Style, Reference Image, Steps — " +
          'rename it with --map Colour=Input or drop it with --omit Colour',
      },
    ]);
  });

  it('writes the fix for an unmatched column as flags a shell takes, or says to edit the header', () => {
    const fixOf = (column: string) => {
      const { summary } = normalize(rows({ Prompt: 'a', [column]: 'x' }), { app: LAMINA_APP });
      return summary.issues[0]?.message.split(' — ')[1];
    };
    expect(fixOf("Bob's note")).toBe(
      `rename it with --map 'Bob'\\''s note'=Input or drop it with --omit 'Bob'\\''s note'`,
    );
    expect(fixOf('a;b')).toBe("rename it with --map 'a;b'=Input or drop it with --omit 'a;b'");
    expect(fixOf(' Colour')).toMatch(
      /^rename it with --map ' Colour'=Input, or delete it from the header \(--omit cannot/,
    );
    expect(fixOf('x,y')).toMatch(/^rename it with --map x,y=Input, or delete it from the header/);
    expect(fixOf('k=v')).toBe(
      "drop it with --omit k=v, or rename it in the header (--map cannot name a column with '=')",
    );
    expect(fixOf('k=v, w')).toBe('rename or delete it in the header');
  });

  it('reports a column that matches several inputs case-insensitively as ambiguous', () => {
    const app = {
      ...LAMINA_APP,
      parameters: [param({ inputKey: 'Mode', type: 'text' }), param({ inputKey: 'MODE', type: 'text' })],
    };
    const { summary } = normalize(rows({ mode: 'x' }), { app });
    expect(codes(summary)).toEqual(['COLUMN_AMBIGUOUS']);
    expect(summary.issues[0]?.message).toContain('--map mode=');
  });

  it('refuses a column both left out and mapped, instead of quietly leaving it out', () => {
    const { summary } = normalize(rows({ Text: 'a', notes: 'n' }), {
      app: LAMINA_APP,
      map: { Text: 'Prompt' },
      omit: ['notes', 'Text'],
    });
    expect(summary.issues[0]).toMatchObject({ row: null, column: 'Text', code: 'OMIT_MAP_CONFLICT' });
    expect(summary.issues[0]?.message).toBe(
      "column 'Text' is both left out (--omit Text) and fed to an input (--map Text=Prompt); drop one of the two",
    );
  });

  it('reports two columns that feed the same input', () => {
    const { summary } = normalize(rows({ Prompt: 'a', prompt: 'b' }), { app: LAMINA_APP });
    expect(summary.issues[0]).toMatchObject({ code: 'INPUT_DUPLICATED', column: 'prompt' });
    expect(summary.issues[0]?.message).toContain('--omit prompt');
  });

  it('reports a required input with no column and no default once, naming --map', () => {
    const { summary } = normalize(rows({ Steps: '3' }, { Steps: '4' }), { app: LAMINA_APP });
    expect(summary.issues).toHaveLength(1);
    expect(summary.issues[0]).toMatchObject({ row: null, code: 'REQUIRED_INPUT_MISSING' });
    expect(summary.issues[0]?.message).toContain('--map COLUMN=Prompt');
  });

  it('checks every row: required values, allowed options, URLs and numbers', () => {
    const input = rows(
      { Prompt: 'ok', Style: 'photo', 'Reference Image': 'ftp://x/y', Steps: 'ten' },
      { Style: 'Photo', 'Reference Image': ' https://x.test/y.png ', Steps: '1e2' },
      { Prompt: 'ok' },
    );
    const { accepted, summary } = normalize(input, { app: LAMINA_APP });
    expect(summary.issues.map((i) => [i.row, i.column, i.code])).toEqual([
      [1, 'Style', 'VALUE_NOT_ALLOWED'],
      [1, 'Reference Image', 'VALUE_NOT_URL'],
      [1, 'Steps', 'VALUE_NOT_NUMBER'],
      [2, 'Prompt', 'VALUE_REQUIRED'],
    ]);
    expect(summary.issues[0]?.message).toBe(
      "'photo' is not allowed for input 'Style'; use one of 'Photo', 'Illustration' (did you mean 'Photo'?)",
    );
    expect(accepted.map((r) => r !== null)).toEqual([false, false, true]);
    expect(accepted[2]?.inputs).toEqual({ Prompt: 'ok' });
    expect(summary).toMatchObject({ rowCount: 3, validRows: 1 });
  });

  it("blames a key or input set to null in a JSON manifest's first row on that row's cell, not on the column", async () => {
    for (const ext of ['json', 'jsonl']) {
      const first = { sku: null, Prompt: null };
      const second = { sku: 'A2', Prompt: 'y' };
      const text =
        ext === 'json' ? JSON.stringify([first, second]) : `${JSON.stringify(first)}\n${JSON.stringify(second)}\n`;
      const raw = await readAll(files.write(`first-null.${ext}`, text));
      const { summary } = normalize(raw, { keyColumn: 'sku', app: LAMINA_APP });
      expect(summary.issues.map((i) => [i.row, i.column, i.code])).toEqual([
        [1, 'sku', 'KEY_EMPTY'],
        [1, 'Prompt', 'VALUE_REQUIRED'],
      ]);
    }
  });

  it('refuses a number too large for a double, written as a numeral or read from JSON as Infinity', () => {
    const input = rows(
      { Prompt: 'a', Steps: '9'.repeat(400) },
      { Prompt: 'b', Steps: Infinity },
      { Prompt: 'c', Steps: '1e308' },
    );
    const { accepted, summary } = normalize(input, { app: LAMINA_APP });
    expect(summary.issues.map((i) => [i.row, i.column, i.code])).toEqual([
      [1, 'Steps', 'VALUE_NOT_NUMBER'],
      [2, 'Steps', 'VALUE_NOT_NUMBER'],
    ]);
    expect(summary.issues[0]?.message).toMatch(/^'9{57}\.\.\.' is too large a number to send \(it reads as Infinity\)/);
    expect(summary.issues[1]?.message).toMatch(/^'Infinity' is too large a number to send/);
    expect(accepted[2]?.inputs).toEqual({ Prompt: 'c', Steps: 1e308 });
  });

  it('refuses URL inputs on loopback, private or link-local hosts, except the hosts it is told to trust', () => {
    const urls = [
      'http://127.0.0.1:8787/a.png',
      'http://localhost/a.png',
      'http://169.254.169.254/x',
      'http://[::1]/a',
    ];
    const input = rows(
      ...[...urls, 'https://cdn.example.com/a.png'].map((u) => ({ Prompt: 'p', 'Reference Image': u })),
    );
    const { summary } = normalize(input, { app: LAMINA_APP, privateUrlHosts: ['127.0.0.1'] });
    expect(summary.issues.map((i) => [i.row, i.code])).toEqual([
      [2, 'VALUE_PRIVATE_URL'],
      [3, 'VALUE_PRIVATE_URL'],
      [4, 'VALUE_PRIVATE_URL'],
    ]);
    expect(summary.issues[0]?.message).toBe(
      "'http://localhost/a.png' points at a loopback or private address that the provider cannot reach; input " +
        "'Reference Image' takes a public link (DURABATCH_ALLOW_PRIVATE_URLS=1 allows private ones)",
    );
    expect(normalize(input, { app: LAMINA_APP, privateUrlHosts: 'any' }).summary.issueCount).toBe(0);
  });

  it('keeps JSON value types, turning numbers into strings only for text inputs', () => {
    const { accepted } = normalize(rows({ Prompt: 42, Steps: 30 }), { app: LAMINA_APP });
    expect(accepted[0]?.inputs).toEqual({ Prompt: '42', Steps: 30 });
  });

  it('checks a column first seen in a later JSON row the same way, reporting that row', () => {
    const { summary } = normalize(rows({ Prompt: 'a' }, { Prompt: 'b', Extra: 'x' }), { app: LAMINA_APP });
    expect(summary.issues).toEqual([expect.objectContaining({ row: 2, column: 'Extra', code: 'COLUMN_UNMATCHED' })]);
    expect(summary.columns).toEqual(['Prompt', 'Extra']);
  });

  it('knows every CSV column from the header even when the first row leaves cells empty', async () => {
    const path = files.write('sparse.csv', 'sku,Prompt,Steps\nsku-1,,\nsku-2,a lamp,3\n');
    const { summary } = normalize(await readAll(path), { keyColumn: 'sku', app: LAMINA_APP });
    expect(summary.issues).toEqual([expect.objectContaining({ row: 1, column: 'Prompt', code: 'VALUE_REQUIRED' })]);
  });
});

describe('createNormalizer keys, --omit and --map', () => {
  it('requires an existing key column and lists the columns that exist', () => {
    const { summary } = normalize(rows({ id: '1', Prompt: 'a' }), { keyColumn: 'sku', app: null });
    expect(summary.issues).toEqual([expect.objectContaining({ row: null, column: 'sku', code: 'KEY_COLUMN_MISSING' })]);
    expect(summary.issues[0]?.message).toContain('columns are id, Prompt');
  });

  it('reports duplicate keys with both row numbers', async () => {
    const { accepted, summary } = normalize(await readAll(fixture('dup-keys.csv')), { keyColumn: 'sku', app: null });
    expect(summary.issues).toEqual([
      {
        row: 3,
        line: 4,
        column: 'sku',
        code: 'KEY_DUPLICATE',
        message: "key 'sku-1' is already used by row 1; keys in --key-column 'sku' must be unique",
      },
    ]);
    expect(accepted[2]).toBeNull();
  });

  it('refuses keys that differ only in letter case, in either order, naming the first row', () => {
    const input = rows(
      { sku: 'SKU-1' },
      { sku: 'sku-1' },
      { sku: 'b' },
      { sku: 'B' },
      { sku: 'Café' },
      { sku: 'CAFÉ' },
    );
    const { accepted, summary } = normalize(input, { keyColumn: 'sku', app: null });
    expect(summary.issues.map((i) => [i.row, i.code])).toEqual([
      [2, 'KEY_CASE_CONFLICT'],
      [4, 'KEY_CASE_CONFLICT'],
    ]);
    expect(summary.issues[0]?.message).toBe(
      "key 'sku-1' differs from the key of row 1 only in letter case; their files would overwrite each other on " +
        "macOS and Windows — make keys in --key-column 'sku' differ in more than case",
    );
    // É and é are different bytes, so their escaped ids differ whatever the file system does with letter case.
    expect(accepted.map((r) => r?.id ?? null)).toEqual(['SKU-1', null, 'b', null, 'Caf%C3%A9', 'CAF%C3%89']);
  });

  it('refuses a key over 256 characters, and any other cell over 256 KiB, with the limit', () => {
    const big = 'é'.repeat(140_000); // 280,000 bytes
    const input = rows({ sku: 'k'.repeat(257), p: 'a' }, { sku: 'ok', p: big }, { sku: 'k'.repeat(256), p: 'b' });
    const { accepted, summary } = normalize(input, { keyColumn: 'sku', app: null });
    expect(summary.issues.map((i) => [i.row, i.column, i.code])).toEqual([
      [1, 'sku', 'KEY_TOO_LONG'],
      [2, 'p', 'VALUE_TOO_LONG'],
    ]);
    expect(summary.issues[0]?.message).toContain('257 characters long');
    expect(summary.issues[0]?.message).toContain('at most 256');
    expect(summary.issues[1]?.message).toBe(
      'the value is 280,000 bytes long; a cell may hold at most 262,144 bytes (256 KiB) — shorten it, or put the ' +
        'content in a file and give its URL',
    );
    expect(accepted.map((r) => r?.row ?? null)).toEqual([null, null, 3]);
  });

  it('gives keys that would be unsafe as file names or workflow ids safe, distinct ids', () => {
    const keys = ['../x', '/etc/passwd', 'a\u0000b', 'CON', 'con.txt', 'x'.repeat(200), '.', '..'];
    const { accepted, summary } = normalize(rows(...keys.map((sku) => ({ sku }))), { keyColumn: 'sku', app: null });
    expect(summary.issueCount).toBe(0);
    const ids = accepted.map((r) => r?.id ?? '');
    expect(ids).toEqual([
      '%2E.%2Fx',
      '%2Fetc%2Fpasswd',
      'a%00b',
      '%43ON',
      '%63on.txt',
      expect.stringMatching(/^x{64}~/),
      '%2E',
      '%2E%2E',
    ]);
    expect(accepted.map((r) => r?.key)).toEqual(keys);
  });

  it('reports an empty key', () => {
    const { summary } = normalize(rows({ sku: 'a', p: '1' }, { sku: '  ', p: '2' }), { keyColumn: 'sku', app: null });
    expect(summary.issues).toEqual([expect.objectContaining({ row: 2, column: 'sku', code: 'KEY_EMPTY' })]);
  });

  it('keys rows by row number without a key column and encodes keys into safe ids', () => {
    const byRow = normalize(rows({ p: '1' }, { p: '2' }), { app: null });
    expect(byRow.accepted.map((r) => [r?.key, r?.id])).toEqual([
      ['1', '1'],
      ['2', '2'],
    ]);
    const byKey = normalize(rows({ sku: 'a/b c' }), { keyColumn: 'sku', app: null });
    expect(byKey.accepted[0]).toMatchObject({ key: 'a/b c', id: 'a%2Fb%20c', inputs: {} });
  });

  it('passes columns through without an app definition, after --omit and --map', () => {
    const input = rows({ sku: 's1', prompt: 'a', notes: 'n', n: 3, empty: '' });
    const { accepted, summary } = normalize(input, {
      keyColumn: 'sku',
      omit: ['notes'],
      map: { prompt: 'Prompt' },
      app: null,
    });
    expect(accepted[0]).toEqual({ row: 1, key: 's1', id: 's1', inputs: { Prompt: 'a', n: 3 } });
    expect(summary.mapping).toEqual({ prompt: 'Prompt', n: 'n', empty: 'empty' });
  });

  it('renames a column with --map before matching it to an input', () => {
    const { accepted, summary } = normalize(rows({ text: 'a chair' }), { map: { text: 'Prompt' }, app: LAMINA_APP });
    expect(summary.issueCount).toBe(0);
    expect(accepted[0]?.inputs).toEqual({ Prompt: 'a chair' });
  });

  it('sends the key column as an input too when --map names it', () => {
    const { accepted } = normalize(rows({ sku: 's1' }), { keyColumn: 'sku', map: { sku: 'Prompt' }, app: LAMINA_APP });
    expect(accepted[0]).toMatchObject({ key: 's1', inputs: { Prompt: 's1' } });
  });

  it('reports --omit and --map names that match no column, naming the flag', () => {
    const { summary } = normalize(rows({ Prompt: 'a' }), { omit: ['Notes'], map: { Txt: 'Prompt' }, app: LAMINA_APP });
    expect(summary.issues.map((i) => [i.code, i.column])).toEqual([
      ['OMIT_COLUMN_MISSING', 'Notes'],
      ['MAP_COLUMN_MISSING', 'Txt'],
    ]);
    expect(summary.issues[0]?.message).toMatch(/^--omit Notes names no column/);
  });

  it('reports a --map target that matches no input', () => {
    const { summary } = normalize(rows({ Prompt: 'a', t: 'x' }), { map: { t: 'Tone' }, app: LAMINA_APP });
    expect(summary.issues[0]).toMatchObject({ code: 'COLUMN_UNMATCHED', column: 't' });
    expect(summary.issues[0]?.message).toMatch(/^--map t=Tone: 'Tone' matches no input of app 'Product Shots'/);
  });
});

describe('createNormalizer issue limits', () => {
  it('keeps at most maxIssues issues, counts the rest, and lists column problems first', () => {
    const input = rows(...Array.from({ length: 20 }, (_, i) => ({ Prompt: 'a', Steps: `x${i}`, Bogus: '1' })));
    const { summary } = normalize(input, { app: LAMINA_APP, maxIssues: 5 });
    expect(summary.issues).toHaveLength(5);
    expect(summary.issueCount).toBe(21);
    expect(summary.issues[0]?.code).toBe('COLUMN_UNMATCHED');
    expect(summary.validRows).toBe(0);
  });

  it('returns normalized rows only for rows without issues of their own', () => {
    const results: (NormalizedRow | null)[] = normalize(
      rows({ Steps: '1', Prompt: 'a' }, { Steps: 'x', Prompt: 'b' }),
      {
        app: LAMINA_APP,
      },
    ).accepted;
    expect(results.map((r) => r?.row ?? null)).toEqual([1, null]);
  });
});
