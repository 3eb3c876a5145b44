/** "1 row", "2 rows": a count with its noun, plural when the count is not 1 (nouns that take an s). */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
