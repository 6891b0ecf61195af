import { ImageGenError } from '@imagegen/common';
import { constants as fsConstants } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatForExtension } from './image-format';
import { openedFileLocation } from './opened-file-location';
import { assertWithinByteLimit, resolveImageLimits, type ImageLimits } from './image-limits';
import { validateImageBytes, type DeclaredType, type ValidatedImage } from './validated-image';

/** Where {@link readImageFile} may read from, and how much. */
export interface ReadImageFileOptions {
  /**
   * Absolute paths of the folders whose files may be read (subfolders included). Empty means reading local files is
   * disabled. Symbolic links are followed, and the file's real location must be inside one of these folders; it is
   * checked again on the opened file, so swapping a folder for a link while the file is opened reads nothing outside.
   * A hard link inside a folder is a file of that folder (the same file under another name, as a copy would be):
   * whoever may write into an allowed folder can put there any file they can read, so it is read.
   */
  allowedFolders: readonly string[];
  /** Size limits; missing fields take {@link defaultImageLimits}. */
  limits?: Partial<ImageLimits>;
  /** What the input is called in messages, e.g. `mask`; default `image`. */
  inputName?: string;
}

/**
 * Reads and validates a local image file, but only one whose real path (symbolic links and `..` resolved) lies
 * inside one of `allowedFolders`. The path must be absolute (or a `file://` URL): a relative path would depend on
 * the server's working directory, which the user does not know. The file size is checked before the file is read,
 * and the bytes then go through the same checks as {@link decodeImageInput}. A file extension that disagrees with
 * the bytes yields a `declared_type_mismatch` warning; the bytes win.
 *
 * @throws ImageGenError `invalid_request` when file reading is disabled, the path is relative, or it (or the target
 *   of a symbolic link) lies outside the allowed folders — the message names the allowed folders; also when the
 *   path is a folder or cannot be read.
 * @throws ImageGenError `not_found` when no file exists at an allowed path.
 * @throws ImageGenError `invalid_image` when the file is too large or not a valid image.
 * @throws ImageGenError `invalid_config` when an allowed folder is not an absolute path.
 */
export async function readImageFile(filePath: string, options: ReadImageFileOptions): Promise<ValidatedImage> {
  const limits = resolveImageLimits(options.limits);
  const inputName = options.inputName ?? 'image';
  const allowedFolders = options.allowedFolders.map(checkAllowedFolder);
  if (allowedFolders.length === 0) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `Reading local files is disabled: no folders are allowed. Pass the ${inputName} as base64 or a data URL instead.`,
    });
  }
  const requested = toAbsolutePath(filePath, allowedFolders);
  const realFolders = await realFolderPaths(allowedFolders);
  // Refused before touching the file system, so that paths outside the folders reveal nothing about what exists.
  if (!isInsideAny([...allowedFolders, ...realFolders], requested)) {
    throw outsideAllowedFolders(filePath, allowedFolders, false);
  }
  const realFile = await resolveRealPath(requested, filePath);
  if (!isInsideAny(realFolders, realFile)) {
    throw outsideAllowedFolders(filePath, allowedFolders, true);
  }
  const subject = `The ${inputName} file ${filePath}`;
  const bytes = await readWithinLimit(realFile, filePath, limits, subject, { allowedFolders, realFolders });
  return validateImageBytes(bytes, limits, subject, declaredByExtension(filePath));
}

function checkAllowedFolder(folder: string): string {
  if (!path.isAbsolute(folder)) {
    throw new ImageGenError({
      code: 'invalid_config',
      message: `Allowed image folders must be absolute paths; "${folder}" is not.`,
      details: { setting: 'allowedFolders' },
    });
  }
  return path.resolve(folder);
}

function toAbsolutePath(filePath: string, allowedFolders: readonly string[]): string {
  const allowedList = allowedFolders.join(', ');
  let candidate = filePath.trim();
  if (candidate.includes('\u0000')) {
    throw new ImageGenError({ code: 'invalid_request', message: 'The file path contains a NUL character.' });
  }
  if (/^file:/i.test(candidate)) {
    try {
      candidate = fileURLToPath(candidate);
    } catch {
      throw new ImageGenError({
        code: 'invalid_request',
        message: `"${filePath}" is not a usable file:// URL; give an absolute path inside one of: ${allowedList}.`,
      });
    }
  }
  if (!path.isAbsolute(candidate)) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `"${filePath}" is not an absolute path; give the full path of a file inside one of: ${allowedList}.`,
      details: { allowedFolders },
    });
  }
  return path.resolve(candidate);
}

// Folders that do not exist are skipped: they cannot contain the file, and one missing folder must not disable
// the others.
async function realFolderPaths(folders: readonly string[]): Promise<string[]> {
  const resolved = await Promise.all(folders.map((folder) => realpath(folder).catch(() => undefined)));
  return resolved.filter((folder): folder is string => folder !== undefined);
}

async function resolveRealPath(requested: string, filePath: string): Promise<string> {
  try {
    return await realpath(requested);
  } catch (error) {
    throw fileSystemError(error, filePath);
  }
}

async function readWithinLimit(
  realFile: string,
  filePath: string,
  limits: ImageLimits,
  subject: string,
  folders: { allowedFolders: readonly string[]; realFolders: readonly string[] },
): Promise<Buffer> {
  const before = await stat(realFile).catch((error: unknown) => {
    throw fileSystemError(error, filePath);
  });
  // Checked before opening: opening a FIFO or a device for reading can block or never end.
  if (!before.isFile()) throw notAFile(filePath);
  assertWithinByteLimit(before.size, limits, subject);
  let handle: FileHandle | undefined;
  try {
    // O_NOFOLLOW: the real path was resolved above, so a link appearing here now is a swap to refuse.
    handle = await open(realFile, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0));
    const opened = await handle.stat();
    if (!opened.isFile()) throw notAFile(filePath);
    // O_NOFOLLOW guards only the last name: a folder on the way may have become a link since the check above, so the
    // location of what was actually opened is checked again.
    const location = await openedFileLocation(handle, realFile, opened);
    if (location === undefined || !isInsideAny(folders.realFolders, location)) {
      throw outsideAllowedFolders(filePath, folders.allowedFolders, true);
    }
    assertWithinByteLimit(opened.size, limits, subject);
    // One byte more than the limit is requested so that a file growing after the size check is still refused.
    const buffer = Buffer.alloc(Math.min(opened.size, limits.maxBytes) + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    assertWithinByteLimit(filled, limits, subject);
    return buffer.subarray(0, filled);
  } catch (error) {
    if (ImageGenError.isInstance(error)) throw error;
    throw fileSystemError(error, filePath);
  } finally {
    await handle?.close();
  }
}

function isInsideAny(folders: readonly string[], target: string): boolean {
  return folders.some((folder) => {
    const relative = path.relative(folder, target);
    return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
  });
}

function declaredByExtension(filePath: string): DeclaredType | undefined {
  const extension = path.extname(filePath);
  if (extension === '') return undefined;
  return { format: formatForExtension(extension), text: extension.toLowerCase(), source: 'The file name' };
}

function outsideAllowedFolders(filePath: string, allowedFolders: readonly string[], throughLink: boolean): ImageGenError {
  const where = throughLink ? 'resolves (through a symbolic link) to a location outside' : 'is outside';
  return new ImageGenError({
    code: 'invalid_request',
    message: `"${filePath}" ${where} the folders images may be read from: ${allowedFolders.join(', ')}.`,
    details: { allowedFolders },
  });
}

function notAFile(filePath: string): ImageGenError {
  return new ImageGenError({ code: 'invalid_request', message: `"${filePath}" is not a regular file.` });
}

function fileSystemError(error: unknown, filePath: string): ImageGenError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ImageGenError({ code: 'not_found', message: `No file exists at "${filePath}".`, cause: error });
  }
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ELOOP'
        ? 'too many symbolic links'
        : code === 'EISDIR'
          ? 'it is a folder'
          : 'the file system refused';
  return new ImageGenError({ code: 'invalid_request', message: `"${filePath}" could not be read: ${reason}.`, cause: error });
}
