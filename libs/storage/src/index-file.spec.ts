import type { IndexEntry } from './image-index';
import {
  decodeAppendedOperations,
  decodeIndex,
  encodeEntry,
  encodeHeader,
  encodeTombstone,
  indexText,
  promptExcerpt,
  IndexFormatError,
} from './index-file';

const entry = (overrides: Partial<IndexEntry> = {}): IndexEntry => ({
  id: 'img_20261125143022_0123456789ab',
  createdAtMs: Date.parse('2026-11-25T14:30:22.123Z'),
  imageBytes: 1572864,
  sidecarBytes: 812,
  format: 'png',
  directory: '2026/11/25',
  promptExcerpt: 'a red fox',
  model: 'gpt-image-1',
  principalId: 'local',
  ...overrides,
});

const bytesOf = (text: string) => Buffer.from(text, 'latin1');

describe('index file lines', () => {
  it('round-trips any text in model and prompt excerpt as pure ASCII', () => {
    const tricky = entry({ promptExcerpt: 'tabs\there, "quotes", back\\slash, newline\nand 日本語 🦊', model: 'gemini\t3' });
    const text =
      encodeHeader('abcd', 1) + encodeEntry(tricky) + encodeEntry(entry({ id: 'img_20261125143023_0123456789ab', directory: '' }), 2);
    expect(/^[\x20-\x7e\n\t]*$/.test(text)).toBe(true);
    const decoded = decodeIndex(indexText(bytesOf(text)));
    expect(decoded.epoch).toBe('abcd');
    expect(decoded.generation).toBe(2);
    expect(decoded.entries).toEqual([tricky, entry({ id: 'img_20261125143023_0123456789ab', directory: '' })]);
  });

  it('writes single-user entries without a principal field and reads other principals back, both line kinds', () => {
    expect(encodeEntry(entry()).split('\t')).toHaveLength(10);
    const owned = entry({ principalId: 'auth0|user\t7 ü' });
    const appended = entry({ id: 'img_20261125143023_0123456789ab', principalId: 'user-2' });
    const decoded = decodeIndex(
      encodeHeader('ab', 1) + encodeEntry(owned) + encodeEntry(entry({ id: 'img_20261125143021_0123456789ab' })) + encodeEntry(appended, 2),
    );
    expect(decoded.entries.map((item) => item.principalId)).toEqual(['local', 'auth0|user\t7 ü', 'user-2']);
  });

  it('applies tombstones and counts dead lines', () => {
    const text = encodeHeader('ab', 5) + encodeEntry(entry(), 6) + encodeTombstone(entry().id, 7);
    const decoded = decodeIndex(text);
    expect(decoded.entries).toEqual([]);
    expect(decoded.deadLines).toBe(2);
  });

  it.each([
    ['a generation gap', encodeHeader('ab', 5) + encodeEntry(entry(), 7)],
    ['a torn last line', encodeHeader('ab', 5) + encodeEntry(entry(), 6).slice(0, 20)],
    ['a foreign folder', encodeHeader('ab', 5) + encodeEntry(entry()).replace('\t=\t', '\t../x\t')],
    ['a bad id', encodeHeader('ab', 5) + encodeEntry(entry()).replace('img_20261125143022_0123456789ab', '../../etc/passwd')],
    ['no header', encodeEntry(entry())],
    ['an extra field', encodeHeader('ab', 5) + encodeEntry(entry()).replace('\n', '\tuser-1\textra\n')],
    ['an empty principal', encodeHeader('ab', 5) + encodeEntry(entry()).replace('\n', '\t\n')],
    ['an empty principal on an appended line', encodeHeader('ab', 5) + encodeEntry(entry(), 6).replace('\n', '\t\n')],
    ['a missing field', encodeHeader('ab', 5) + encodeEntry(entry()).replace('\tgpt-image-1', '')],
    ['a bad byte count', encodeHeader('ab', 5) + encodeEntry(entry()).replace('\t1572864\t', '\t-5\t')],
    [
      'an unnumbered line after appended ones',
      encodeHeader('ab', 5) + encodeEntry(entry(), 6) + encodeEntry(entry({ id: 'img_20261125143023_0123456789ab' })),
    ],
  ])('refuses %s', (_what, text) => {
    expect(() => decodeIndex(text)).toThrow(IndexFormatError);
  });

  it('reads appended lines only when their generations follow on', () => {
    const tail = encodeEntry(entry(), 8) + encodeTombstone(entry().id, 9);
    expect(decodeAppendedOperations(tail, 7).map((operation) => operation.kind)).toEqual(['add', 'delete']);
    expect(() => decodeAppendedOperations(tail, 6)).toThrow(IndexFormatError);
  });

  it('cuts long prompts on a character boundary', () => {
    expect(promptExcerpt('short')).toBe('short');
    const excerpt = promptExcerpt('🦊'.repeat(200));
    expect(Array.from(excerpt)).toHaveLength(80);
    expect(excerpt.endsWith('🦊...')).toBe(true);
  });
});
