import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageGenError } from '@imagegen/common';

/** An image to copy out of storage. */
export interface CopyableImage {
  imageId: string;
  /** The encoded image (read from storage when it is not in memory). */
  readData(): Promise<Uint8Array>;
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'svg';
}

/** Where the images went, and anything the user should know. */
export interface CopyOutcome {
  paths: string[];
  warnings: string[];
}

const extensionOf = (format: CopyableImage['format']) => (format === 'jpeg' ? '.jpg' : `.${format}`);
const extensionsOf: Record<CopyableImage['format'], string[]> = {
  png: ['.png'],
  jpeg: ['.jpg', '.jpeg'],
  webp: ['.webp'],
  gif: ['.gif'],
  svg: ['.svg'],
};

/**
 * Where each image goes for `--out`: into a folder (an existing one, or any path ending in a slash) under its stored
 * file name; or to the file named, with `-1`, `-2`, … before the extension when there are several images.
 */
export async function plannedOutPaths(images: readonly CopyableImage[], out: string, cwd: string): Promise<string[]> {
  const target = path.resolve(cwd, out);
  const isFolder = /[\\/]$/.test(out) || (await fs.promises.stat(target).catch(() => undefined))?.isDirectory() === true;
  if (isFolder) return images.map((image) => path.join(target, `${image.imageId}${extensionOf(image.format)}`));
  if (images.length === 1) return [target];
  const extension = path.extname(target);
  const stem = target.slice(0, target.length - extension.length);
  return images.map((_image, index) => `${stem}-${index + 1}${extension}`);
}

/**
 * Copies the images where the user wants them (the stored copies stay in storage). Each file is written to a
 * temporary name and renamed into place, so an interruption never leaves a partial file at the destination.
 */
export async function copyOut(
  images: readonly CopyableImage[],
  out: string,
  options: { cwd: string; signal?: AbortSignal },
): Promise<CopyOutcome> {
  const paths = await plannedOutPaths(images, out, options.cwd);
  const warnings: string[] = [];
  const written: string[] = [];
  try {
    for (const [index, image] of images.entries()) {
      const destination = paths[index] as string;
      const extension = path.extname(destination).toLowerCase();
      if (extension !== '' && !extensionsOf[image.format].includes(extension)) {
        warnings.push(
          `${path.basename(destination)} holds a ${image.format.toUpperCase()} image; its name ends in ${extension}. Use --format or rename it.`,
        );
      }
      await fs.promises.mkdir(path.dirname(destination), { recursive: true });
      const temporary = path.join(path.dirname(destination), `.${path.basename(destination)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        if (options.signal?.aborted) throw new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.' });
        await fs.promises.writeFile(temporary, await image.readData(), { signal: options.signal });
        await fs.promises.rename(temporary, destination);
        written.push(destination);
      } finally {
        await fs.promises.rm(temporary, { force: true });
      }
    }
  } catch (error) {
    // All or nothing: a failed or cancelled copy removes the copies already made by this command.
    await Promise.all(written.map((file) => fs.promises.rm(file, { force: true })));
    if (options.signal?.aborted) throw new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.', cause: error });
    if (ImageGenError.isInstance(error)) throw error;
    throw new ImageGenError({
      code: 'storage_failed',
      message: `Could not write the image to ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      details: { setting: '--out' },
      cause: error,
    });
  }
  return { paths, warnings };
}
