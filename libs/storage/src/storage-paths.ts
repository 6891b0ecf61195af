import * as path from 'node:path';
import { extensionOfFormat, type ImageFormat } from './image-format';

/** The absolute paths a filesystem image store uses, for display and diagnostics. */
export interface StoragePaths {
  /** The storage folder itself. */
  basePath: string;
  /** Where images and sidecars go: `{base}/images`. */
  imagesPath: string;
  /** The append-only index: `{base}/images.index.tsv`. */
  indexPath: string;
  /** The index state (generation, folder fingerprints, last cleanup): `{base}/images.state.json`. */
  statePath: string;
  /** The short-lived writer lock: `{base}/images.lock`. */
  lockPath: string;
}

/**
 * Resolves the absolute paths of a storage folder. A relative `basePath` is resolved against the process's
 * working directory, which is rarely what a server launched by an MCP client wants: prefer absolute paths.
 */
export function resolveStoragePaths(basePath: string): StoragePaths {
  const base = path.resolve(basePath);
  return {
    basePath: base,
    imagesPath: path.join(base, 'images'),
    indexPath: path.join(base, 'images.index.tsv'),
    statePath: path.join(base, 'images.state.json'),
    lockPath: path.join(base, 'images.lock'),
  };
}

/** Prefix of every temporary file the store writes before renaming it into place. */
export const temporaryFilePrefix = '.tmp-';

/** The folder (relative to `images/`, `/`-separated, `''` for flat) an id's files go to: `YYYY/MM/DD` from the id. */
export function directoryOfImageId(imageId: string, createSubdirectories: boolean): string {
  if (!createSubdirectories) return '';
  return `${imageId.slice(4, 8)}/${imageId.slice(8, 10)}/${imageId.slice(10, 12)}`;
}

/** True for the folder names the store itself creates (`''`, `YYYY`, `YYYY/MM`, `YYYY/MM/DD`). */
export function isStoreDirectory(directory: string): boolean {
  return /^(?:\d{4}(?:\/\d{2}(?:\/\d{2})?)?)?$/.test(directory);
}

/** The absolute path of a folder under `images/`. */
export function absoluteDirectory(imagesPath: string, directory: string): string {
  return directory === '' ? imagesPath : path.join(imagesPath, ...directory.split('/'));
}

/** The image file name of an id: `img_….png|jpg|webp`. */
export function imageFileName(imageId: string, format: ImageFormat): string {
  return `${imageId}.${extensionOfFormat(format)}`;
}

/** The sidecar file name of an id: `img_….json`. */
export function sidecarFileName(imageId: string): string {
  return `${imageId}.json`;
}

/** A `/`-separated path relative to the storage folder, for reports. */
export function relativeToBase(directory: string, fileName: string): string {
  return directory === '' ? `images/${fileName}` : `images/${directory}/${fileName}`;
}
