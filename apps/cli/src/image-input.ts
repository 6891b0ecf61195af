import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageGenError } from '@imagegen/common';
import type { ImageSource } from '@imagegen/core';

const storedPrefix = 'generated-images://';
const imageIdShape = /^img_\d{14}_[0-9a-f]{12}$/;

/** Where the CLI reads an input image from. */
export interface ImageInputContext {
  /** Standard input, for `-`. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Largest accepted input, in bytes (IMAGES__MAX_INPUT_BYTES). */
  maxBytes: number;
  /** Folder relative paths are resolved against. */
  cwd: string;
}

function tooLarge(what: string, bytes: number, maxBytes: number): ImageGenError {
  return new ImageGenError({
    code: 'invalid_image',
    message: `The ${what} is ${bytes} bytes; at most ${maxBytes} are accepted (IMAGES__MAX_INPUT_BYTES).`,
    details: { setting: 'IMAGES__MAX_INPUT_BYTES', bytes, maxBytes },
  });
}

/** Reads all of standard input, refusing more than `maxBytes`. */
export async function readStandardInput(context: ImageInputContext, what: string): Promise<Buffer> {
  if (context.stdin.isTTY) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `"-" reads the ${what} from standard input, but nothing is piped in. Try: cat photo.png | imagegen edit - "…"`,
    });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of context.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > context.maxBytes) throw tooLarge(what, total, context.maxBytes);
    chunks.push(buffer);
  }
  if (total === 0)
    throw new ImageGenError({ code: 'invalid_image', message: `Standard input was empty; pipe the ${what} into the command.` });
  return Buffer.concat(chunks);
}

/**
 * Turns what a user typed into an image source: `-` is standard input, `generated-images://…` and stored ids
 * (`img_…`) are images in storage, anything else is a file (a file wins over an id of the same name). The user's
 * own files are read here, by the user's own command, so the MCP server's folder allow-list does not apply.
 */
export async function resolveImageInput(reference: string, what: string, context: ImageInputContext): Promise<ImageSource> {
  if (reference === '-') return { kind: 'bytes', data: await readStandardInput(context, what) };
  if (reference.startsWith(storedPrefix)) return { kind: 'stored', imageId: reference.slice(storedPrefix.length) };
  const filePath = path.resolve(context.cwd, reference);
  const facts = await fs.promises.stat(filePath).catch(() => undefined);
  if (facts?.isFile()) {
    if (facts.size > context.maxBytes) throw tooLarge(what, facts.size, context.maxBytes);
    return { kind: 'bytes', data: await fs.promises.readFile(filePath) };
  }
  if (imageIdShape.test(reference)) return { kind: 'stored', imageId: reference };
  throw new ImageGenError({
    code: 'not_found',
    message: facts?.isDirectory()
      ? `The ${what} ${reference} is a folder; name an image file, a stored image id (img_…) or - for standard input.`
      : `No file ${reference} (and it is not a stored image id like img_20260101120000_0123456789ab); name an image file, an id, or - for standard input.`,
    details: { setting: what, path: filePath },
  });
}
