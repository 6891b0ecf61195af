import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '@imagegen/common';

/** How one JSON-lines file is read back: which lines count, and what the warnings call them. */
export interface JsonLinesReading<Record> {
  /** Keeps a parsed line only when it has the record's shape. */
  isRecord: (value: unknown) => value is Record;
  /** The warning for a line that is not JSON (a torn write after a crash). */
  unreadableMessage: string;
  /** The warning for JSON of another shape; without it such lines are skipped silently. */
  unknownShapeMessage?: string;
  logger: Logger;
}

/**
 * Every record of a JSON-lines file, oldest first; a missing file has none. A bad line is skipped with a warning, so
 * one torn write never costs the rest of the file.
 */
export async function readJsonLinesFile<Record>(filePath: string, reading: JsonLinesReading<Record>): Promise<Record[]> {
  let text: string;
  try {
    text = await fs.promises.readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: Record[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      reading.logger.warn(reading.unreadableMessage, { filePath });
      continue;
    }
    if (reading.isRecord(parsed)) records.push(parsed);
    else if (reading.unknownShapeMessage) reading.logger.warn(reading.unknownShapeMessage, { filePath });
  }
  return records;
}

/**
 * Appends `line` to the file (created with mode 0600), creating its folder only when it is missing: the folder
 * almost always exists, and checking it first cost every line one more file-system round trip.
 */
export async function appendLine(filePath: string, line: string): Promise<void> {
  try {
    await fs.promises.appendFile(filePath, line, { mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fs.promises.mkdir(path.dirname(filePath), { recursive: true });
    await fs.promises.appendFile(filePath, line, { mode: 0o600 });
  }
}
