import { describe, expect, it } from 'vitest';
import { outputDir } from '../storage/layout.js';
import { extensionOf, fileNames } from './outputs.js';

describe('output file names', () => {
  it('turns any label into a plain slug that cannot leave the output folder', () => {
    const labels = ['../../etc/passwd', '/etc/shadow', '..', '.', 'C:\\Windows\\x', 'a\u0000b', '', '~/.ssh/id_rsa'];
    const names = fileNames(labels.map((label) => ({ label })));
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    expect(names).toEqual([
      'etc-passwd',
      'etc-shadow',
      'output-1',
      'output-2',
      'c-windows-x',
      'a-b',
      'output-3',
      'ssh-id-rsa',
    ]);
  });

  it('takes the extension from the URL path only when it is short and plain', () => {
    expect(extensionOf('https://cdn.test/x/a.PNG?sig=1', 'image')).toBe('.png');
    expect(extensionOf('https://cdn.test/x/..%2F..%2Fa', 'image')).toBe('.png');
    expect(extensionOf('https://cdn.test/a.png/../../b', 'video')).toBe('.mp4');
    expect(extensionOf('not a url', 'other')).toBe('.bin');
  });

  it('builds output folders only from safe row ids', () => {
    expect(outputDir('sku-1')).toBe('outputs/sku-1');
    for (const id of ['../x', 'a/b', '.hidden', '', 'a\u0000b', 'x'.repeat(256)]) {
      expect(() => outputDir(id), JSON.stringify(id)).toThrow(RangeError);
    }
  });
});
