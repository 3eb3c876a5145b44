import { describe, expect, it } from 'vitest';
import { formatIssues } from './format-issues.js';
import { listNames } from './issues.js';

describe('formatIssues', () => {
  it('prints one line per issue with its row and column', () => {
    const text = formatIssues(
      [
        { row: null, column: null, code: 'REQUIRED_INPUT_MISSING', message: 'app needs Prompt' },
        { row: null, column: 'Colour', code: 'COLUMN_UNMATCHED', message: 'no such input' },
        { row: 12, column: 'Style', code: 'VALUE_NOT_ALLOWED', message: "'photo' is not allowed" },
        { row: 13, column: null, code: 'X', message: 'bad row' },
      ],
      4,
    );
    expect(text).toBe(
      [
        'manifest: app needs Prompt',
        "column 'Colour': no such input",
        "row 12, column 'Style': 'photo' is not allowed",
        'row 13: bad row',
      ].join('\n'),
    );
  });

  it("adds the row's line when known, and no second place to a message that starts with its own", () => {
    const text = formatIssues(
      [
        { row: 3, line: 7, column: 'Style', code: 'VALUE_NOT_ALLOWED', message: "'Bad' is not allowed" },
        { row: 4000, column: null, code: 'CSV_STRAY_QUOTE', message: 'row 4000 (line 4001): a " appears' },
        { row: null, column: 'a', code: 'CSV_DUPLICATE_HEADER', message: "line 1: the header names column 'a' twice" },
      ],
      3,
    );
    expect(text).toBe(
      [
        "row 3 (line 7), column 'Style': 'Bad' is not allowed",
        'row 4000 (line 4001): a " appears',
        "line 1: the header names column 'a' twice",
      ].join('\n'),
    );
  });

  it('spells out invisible characters in a column name', () => {
    const issue = { row: null, column: 'Prompt\u00a0', code: 'COLUMN_UNMATCHED', message: 'm' };
    expect(formatIssues([issue], 1)).toBe("column 'Prompt\\u{a0}': m");
    expect(listNames(['\ufeffsku', 'a\tb', 'Café'])).toBe('\\u{feff}sku, a\\u{9}b, Café');
  });

  it('ends with how many more problems were not shown', () => {
    const issue = { row: 1, column: 'a', code: 'X', message: 'm' };
    expect(formatIssues([issue], 989).split('\n').at(-1)).toBe(
      '… and 988 more problems not shown; fix these and validate again',
    );
    expect(formatIssues([issue], 2)).toContain('1 more problem not shown');
  });

  it('returns an empty string when there is nothing to report', () => {
    expect(formatIssues([], 0)).toBe('');
  });
});
