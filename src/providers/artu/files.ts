import type { RunOutput } from '../types.js';

/**
 * Artu's `producedFiles` entries have no documented shape (providers.md: "keep them as returned, download any file
 * entry that carries a URL"), so they are read liberally: any entry with an absolute http(s) URL under a URL-like
 * field — top level or one object deeper — or a bare URL string becomes an output; anything else is
 * skipped and never fails the run.
 */

/** Field names tried first, in this order; after them any field whose name mentions url, uri, href or link. */
const URL_FIELDS = [
  'url',
  'downloadUrl',
  'download_url',
  'signedUrl',
  'signed_url',
  'publicUrl',
  'public_url',
  'fileUrl',
  'file_url',
  'presignedUrl',
  'presigned_url',
  'href',
  'uri',
  'link',
];
const URL_LIKE_FIELD = /url|uri|href|link/i;
const LABEL_FIELDS = ['name', 'filename', 'fileName', 'file_name', 'originalName', 'title', 'id'];
const ID_FIELDS = ['id', 'fileId', 'file_id'];
const TYPE_FIELDS = ['mimeType', 'mime_type', 'mimetype', 'contentType', 'content_type', 'type', 'kind'];
const MEDIA = ['image', 'video', 'audio'] as const;

type Entry = Record<string, unknown>;

/** The outputs found in `producedFiles`, in order; entries without a usable URL are skipped. */
export function artuFileOutputs(files: readonly unknown[] | null | undefined): RunOutput[] {
  const outputs: RunOutput[] = [];
  (files ?? []).forEach((file, index) => {
    const output = toOutput(file, index + 1);
    if (output) outputs.push(output);
  });
  return outputs;
}

function toOutput(file: unknown, n: number): RunOutput | null {
  if (typeof file === 'string') {
    const url = httpUrl(file);
    return url === null ? null : output(null, `file-${n}`, 'file', url);
  }
  if (!isEntry(file)) return null;
  const url = findUrl(file) ?? firstNested(file, findUrl);
  if (url === null) return null;
  const label = pick(file, LABEL_FIELDS) ?? `file-${n}`;
  return output(pick(file, ID_FIELDS), label, mediaType(file) ?? firstNested(file, mediaType) ?? 'file', url);
}

function output(id: string | null, label: string, type: string, url: string): RunOutput {
  return { id, label, type, url, text: null, status: 'completed', error: null };
}

function findUrl(entry: Entry): string | null {
  for (const field of URL_FIELDS) {
    const url = httpUrl(entry[field]);
    if (url !== null) return url;
  }
  for (const [field, value] of Object.entries(entry)) {
    const url = URL_LIKE_FIELD.test(field) ? httpUrl(value) : null;
    if (url !== null) return url;
  }
  return null;
}

/** `image`, `video` or `audio` from a MIME type (`image/png`) or a bare kind (`type: "video"`). */
function mediaType(entry: Entry): string | null {
  for (const field of TYPE_FIELDS) {
    const value = entry[field];
    if (typeof value !== 'string') continue;
    const kind = value.trim().toLowerCase().split('/')[0];
    const media = MEDIA.find((m) => m === kind);
    if (media) return media;
  }
  return null;
}

/** The first non-null result of `read` over the entry's object-valued fields (e.g. `{file: {url, mimeType}}`). */
function firstNested<T>(entry: Entry, read: (e: Entry) => T | null): T | null {
  for (const value of Object.values(entry)) {
    if (!isEntry(value)) continue;
    const found = read(value);
    if (found !== null) return found;
  }
  return null;
}

function pick(entry: Entry, fields: readonly string[]): string | null {
  for (const field of fields) {
    const value = entry[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return null;
}

/** The value, trimmed, when it is an absolute http(s) URL; else null. */
function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? text : null;
  } catch {
    return null;
  }
}

function isEntry(value: unknown): value is Entry {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
