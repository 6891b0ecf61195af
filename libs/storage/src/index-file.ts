import { localPrincipalId } from '@imagegen/common';
import { isImageFormat } from './image-format';
import { hasImageIdShape } from './image-id';
import { compareEntries, type IndexEntry } from './image-index';
import type { CleanupSummary } from './image-store';
import { directoryOfImageId, isStoreDirectory } from './storage-paths';

/**
 * The on-disk index format: `images.index.tsv`, one tab-separated, pure-ASCII line per operation, because splitting tabs loads 100,000 entries several times faster than parsing
 * 100,000 JSON objects. The first line names the file's epoch (a random token that changes whenever the file is
 * rewritten) and generation:
 *
 *   imagegen-image-index  1  9f0c…  41
 *   +    img_…  1764081022000  1572864  812  png  =  gpt-image-1  a red fox in the snow...
 *   +  42  img_…  …                                  an append after the last rewrite carries its generation
 *   -  43  img_…                                     a tombstone
 *
 * Entry fields: id, created-at milliseconds, image bytes, sidecar bytes, format, folder (`=` for the id's own
 * `YYYY/MM/DD`, empty for flat, else the folder), model, prompt excerpt, and — only when the image belongs to a
 * principal other than `local` — the principal id (so single-user index files are unchanged). Text fields holding a backslash, a
 * control character or anything outside printable ASCII are written as the inside of a JSON string.
 *
 * `images.state.json` is rewritten (atomically) after every append: it records the generation and byte length
 * the index must have, so a crash between the two, a truncated file or a foreign edit is noticed on open.
 */

/** The state file's content. */
export interface IndexState {
  /** Format version; `1`. */
  version: 1;
  /** Epoch of the index file this state belongs to. */
  epoch: string;
  /** Generation of the last operation in the index file. */
  generation: number;
  /** Byte length of the index file after that operation. */
  indexBytes: number;
  /**
   * Modification times of the folders under `images/` (`''` is `images/` itself) when the index last matched
   * them; `null` marks a folder that must be re-listed on the next open (it was written to, or its time was too
   * recent to be trusted).
   */
  directories: Record<string, number | null>;
  /** The last cleanup that deleted for real. */
  lastCleanup: CleanupSummary | null;
}

/** An index file that cannot be used as it is. */
export class IndexFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexFormatError';
  }
}

const headerTag = 'imagegen-image-index';
const excerptLength = 80;

/** The first characters of a prompt (at most 80), cut on a character boundary, with `...` when cut. */
export function promptExcerpt(prompt: string): string {
  // 2 code units per character at most, so this head holds more than excerptLength characters whenever it is cut.
  const characters = Array.from(prompt.slice(0, excerptLength * 2 + 2));
  return characters.length <= excerptLength ? prompt : `${characters.slice(0, excerptLength - 3).join('')}...`;
}

const plainText = /^[\x20-\x5b\x5d-\x7e]*$/;

function encodeText(value: string): string {
  if (plainText.test(value)) return value;
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function decodeText(value: string): string {
  if (!value.includes('\\')) return value;
  return JSON.parse(`"${value}"`) as string;
}

const directoryText = (entry: IndexEntry) =>
  entry.directory !== '' && entry.directory === directoryOfImageId(entry.id, true) ? '=' : entry.directory;

/** The header line (with newline). */
export function encodeHeader(epoch: string, generation: number): string {
  return `${headerTag}\t1\t${epoch}\t${generation}\n`;
}

/** An entry line (with newline); `generation` is set on appended lines and left out when rewriting. */
export function encodeEntry(entry: IndexEntry, generation?: number): string {
  return (
    `+\t${generation ?? ''}\t${entry.id}\t${entry.createdAtMs}\t${entry.imageBytes}\t${entry.sidecarBytes}\t${entry.format}\t` +
    `${directoryText(entry)}\t${encodeText(entry.model)}\t${encodeText(entry.promptExcerpt)}` +
    `${entry.principalId === localPrincipalId ? '' : `\t${encodeText(entry.principalId)}`}\n`
  );
}

/** A tombstone line (with newline). */
export function encodeTombstone(id: string, generation: number): string {
  return `-\t${generation}\t${id}\n`;
}

/** One decoded operation line. */
export type IndexOperation =
  { kind: 'add'; entry: IndexEntry; generation: number | undefined } | { kind: 'delete'; id: string; generation: number };

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const explicitDirectory = /^\d{4}\/\d{2}\/\d{2}$/;

function decodeOperation(line: string, lineNumber: number): IndexOperation {
  const fields = line.split('\t');
  const generationText = fields[1];
  const generation = generationText === '' || generationText === undefined ? undefined : Number(generationText);
  if (generation !== undefined && !isCount(generation)) throw new IndexFormatError(`line ${lineNumber} has a bad generation`);
  const id = fields[2] as string;
  // Only the id's shape is checked here (it keeps path characters out); calendar checks are too slow for bulk loads.
  if (fields[0] === '-') {
    if (fields.length !== 3 || generation === undefined || !hasImageIdShape(id))
      throw new IndexFormatError(`line ${lineNumber} is a bad tombstone`);
    return { kind: 'delete', id, generation };
  }
  if (fields[0] !== '+' || (fields.length !== 10 && fields.length !== 11) || !hasImageIdShape(id))
    throw new IndexFormatError(`line ${lineNumber} is not a valid entry`);
  const createdAtMs = Number(fields[3]);
  const imageBytes = Number(fields[4]);
  const sidecarBytes = Number(fields[5]);
  const format = fields[6];
  const folder = fields[7] as string;
  // The folder is joined into a path later, so only the shapes the store creates are accepted.
  const directory = folder === '=' ? directoryOfImageId(id, true) : folder;
  if (
    !Number.isSafeInteger(createdAtMs) ||
    !isCount(imageBytes) ||
    !isCount(sidecarBytes) ||
    !isImageFormat(format) ||
    (directory !== '' && folder !== '=' && !explicitDirectory.test(directory))
  ) {
    throw new IndexFormatError(`line ${lineNumber} is not a valid entry`);
  }
  let model: string;
  let excerpt: string;
  let principalId = localPrincipalId;
  try {
    model = decodeText(fields[8] as string);
    excerpt = decodeText(fields[9] as string);
    if (fields[10] !== undefined) principalId = decodeText(fields[10]);
  } catch {
    throw new IndexFormatError(`line ${lineNumber} has badly escaped text`);
  }
  if (principalId === '') throw new IndexFormatError(`line ${lineNumber} has an empty principal`);
  return {
    kind: 'add',
    entry: { id, createdAtMs, imageBytes, sidecarBytes, format, directory, promptExcerpt: excerpt, model, principalId },
    generation,
  };
}

/** A decoded index file. */
export interface DecodedIndex {
  /** The file's epoch. */
  epoch: string;
  /** The generation of its last operation. */
  generation: number;
  /** Live entries (tombstones applied), sorted by id when the file was written by the store. */
  entries: IndexEntry[];
  /** Lines that no longer describe a live entry (tombstones and what they removed or replaced). */
  deadLines: number;
}

/**
 * The index as text. It is pure ASCII when written by the store, and Latin-1 decoding of ASCII is the fastest
 * decoding there is; a foreign non-ASCII byte only garbles a text field, never the structure.
 */
export function indexText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  if (!text.endsWith('\n')) throw new IndexFormatError('the last line is incomplete');
  return text.slice(0, -1).split('\n');
}

/**
 * Decodes a whole index file; throws {@link IndexFormatError} on any malformed line or generation gap. The lines
 * of the last rewrite (no generation) are taken as they are; appended lines after them are applied in order.
 */
export function decodeIndex(text: string): DecodedIndex {
  if (!text.endsWith('\n')) throw new IndexFormatError(text.length === 0 ? 'the file is empty' : 'the last line is incomplete');
  const headerEnd = text.indexOf('\n');
  const header = text.slice(0, headerEnd).split('\t');
  if (header.length !== 4 || header[0] !== headerTag || header[1] !== '1')
    throw new IndexFormatError('the header is not an imagegen index header');
  const epoch = header[2] as string;
  const generation = Number(header[3]);
  if (!/^[0-9a-f]+$/.test(epoch) || !isCount(generation)) throw new IndexFormatError('the header is not an imagegen index header');

  const entries: IndexEntry[] = [];
  // Appended operations, applied after the rewritten block: id -> entry, or null for a tombstone.
  let appended: Map<string, IndexEntry | null> | undefined;
  let deadLines = 0;
  let current = generation;
  let lineNumber = 1;
  const directories = new Map<string, string>();
  for (let position = headerEnd + 1; position < text.length;) {
    const end = text.indexOf('\n', position);
    lineNumber += 1;
    if (appended === undefined && text.startsWith('+\t\t', position)) {
      entries.push(decodeRewrittenEntry(text, position, end, lineNumber, directories));
      position = end + 1;
      continue;
    }
    const line = text.slice(position, end);
    position = end + 1;
    const operation = decodeOperation(line, lineNumber);
    if (operation.generation === undefined) {
      if (appended !== undefined || operation.kind !== 'add') throw new IndexFormatError(`line ${lineNumber} is out of place`);
      entries.push(operation.entry);
      continue;
    }
    if (operation.generation !== current + 1) throw new IndexFormatError(`line ${lineNumber} breaks the generation sequence`);
    current = operation.generation;
    appended ??= new Map();
    const id = operation.kind === 'add' ? operation.entry.id : operation.id;
    const previous = appended.has(id) ? appended.get(id) : findById(entries, id);
    if (operation.kind === 'delete') deadLines += previous ? 2 : 1;
    else if (previous) deadLines += 1;
    appended.set(id, operation.kind === 'add' ? operation.entry : null);
  }
  if (appended === undefined) return { epoch, generation: current, entries, deadLines };
  const changed = appended;
  const merged = entries.filter((entry) => !changed.has(entry.id));
  for (const entry of changed.values()) if (entry !== null) merged.push(entry);
  merged.sort(compareEntries);
  return { epoch, generation: current, entries: merged, deadLines };
}

/**
 * The bulk-load path for the unnumbered entry lines of the last rewrite: reads the fields straight out of the
 * file's text (no per-line split), with the same checks as {@link decodeOperation}.
 */
function decodeRewrittenEntry(text: string, start: number, end: number, lineNumber: number, directories: Map<string, string>): IndexEntry {
  const tabs: number[] = [];
  // After "+\t\t" come eight fields, so seven tabs, then optionally a ninth (the principal) and no further tab.
  let from = start + 3;
  let principalStart: number | undefined;
  for (let field = 0; field < 8; field += 1) {
    const tab = text.indexOf('\t', from);
    const isLast = field === 7;
    if (isLast) {
      if (tab !== -1 && tab < end) {
        const further = text.indexOf('\t', tab + 1);
        if (further !== -1 && further < end) throw new IndexFormatError(`line ${lineNumber} is not a valid entry`);
        principalStart = tab + 1;
      }
    } else if (tab === -1 || tab > end) throw new IndexFormatError(`line ${lineNumber} is not a valid entry`);
    if (!isLast) tabs.push(tab);
    from = tab + 1;
  }
  const [idEnd, timeEnd, imageEnd, sidecarEnd, formatEnd, folderEnd, modelEnd] = tabs as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const id = text.slice(start + 3, idEnd);
  const createdAtMs = Number(text.slice(idEnd + 1, timeEnd));
  const imageBytes = Number(text.slice(timeEnd + 1, imageEnd));
  const sidecarBytes = Number(text.slice(imageEnd + 1, sidecarEnd));
  const format = text.slice(sidecarEnd + 1, formatEnd);
  const folder = text.slice(formatEnd + 1, folderEnd);
  if (
    !hasImageIdShape(id) ||
    !Number.isSafeInteger(createdAtMs) ||
    !isCount(imageBytes) ||
    !isCount(sidecarBytes) ||
    !isImageFormat(format)
  ) {
    throw new IndexFormatError(`line ${lineNumber} is not a valid entry`);
  }
  let directory = folder;
  if (folder === '=') {
    // Entries of one day share one folder string.
    const day = id.slice(4, 12);
    directory = directories.get(day) ?? directoryOfImageId(id, true);
    directories.set(day, directory);
  } else if (folder !== '' && !explicitDirectory.test(folder)) {
    throw new IndexFormatError(`line ${lineNumber} is not a valid entry`);
  }
  let model: string;
  let promptExcerpt: string;
  let principalId = localPrincipalId;
  try {
    model = decodeText(text.slice(folderEnd + 1, modelEnd));
    promptExcerpt = decodeText(text.slice(modelEnd + 1, principalStart === undefined ? end : principalStart - 1));
    if (principalStart !== undefined) principalId = decodeText(text.slice(principalStart, end));
  } catch {
    throw new IndexFormatError(`line ${lineNumber} has badly escaped text`);
  }
  if (principalId === '') throw new IndexFormatError(`line ${lineNumber} has an empty principal`);
  return { id, createdAtMs, imageBytes, sidecarBytes, format, directory, promptExcerpt, model, principalId };
}

function findById(sorted: readonly IndexEntry[], id: string): IndexEntry | undefined {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as IndexEntry).id < id) low = middle + 1;
    else high = middle;
  }
  const found = sorted[low];
  return found?.id === id ? found : undefined;
}

/**
 * Decodes lines appended after generation `afterGeneration` (a tail read from a known offset); every line must
 * carry the next generation. Throws {@link IndexFormatError} otherwise.
 */
export function decodeAppendedOperations(text: string, afterGeneration: number): IndexOperation[] {
  const operations: IndexOperation[] = [];
  let current = afterGeneration;
  for (const [lineIndex, line] of splitLines(text).entries()) {
    const operation = decodeOperation(line, lineIndex + 1);
    if (operation.generation !== current + 1) throw new IndexFormatError('appended lines break the generation sequence');
    current = operation.generation;
    operations.push(operation);
  }
  return operations;
}

const isCleanupSummary = (value: unknown): value is CleanupSummary => {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record['at'] === 'string' &&
    isCount(record['removedImages']) &&
    isCount(record['removedFiles']) &&
    isCount(record['removedBytes'])
  );
};

/** Decodes a state file, or returns `undefined` when it is not a valid one. */
export function decodeState(text: string): IndexState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { version, epoch, generation, indexBytes, directories, lastCleanup } = value as Record<string, unknown>;
  if (version !== 1 || typeof epoch !== 'string' || !isCount(generation) || !isCount(indexBytes)) return undefined;
  if (typeof directories !== 'object' || directories === null) return undefined;
  const folders: Record<string, number | null> = {};
  for (const [directory, mtime] of Object.entries(directories)) {
    if (!isStoreDirectory(directory) || (mtime !== null && typeof mtime !== 'number')) return undefined;
    folders[directory] = mtime as number | null;
  }
  if (lastCleanup !== null && lastCleanup !== undefined && !isCleanupSummary(lastCleanup)) return undefined;
  return { version: 1, epoch, generation, indexBytes, directories: folders, lastCleanup: lastCleanup ?? null };
}

/** Encodes a state file. */
export function encodeState(state: IndexState): string {
  return `${JSON.stringify(state)}\n`;
}
