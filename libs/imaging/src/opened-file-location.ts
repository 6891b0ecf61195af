import type { Stats } from 'node:fs';
import { readlink, realpath, stat, type FileHandle } from 'node:fs/promises';

/**
 * Where the file behind an open descriptor really is, so a path check can be made on what was opened rather than on
 * a name that may have changed since it was checked (a folder swapped for a symbolic link between the check and the
 * open).
 *
 * On Linux the kernel answers exactly: `/proc/self/fd/N` names the opened file. Elsewhere the path is resolved again
 * after opening and accepted only when the file found there is the opened one (same device and inode); `undefined`
 * means the name no longer leads to the opened file, which the caller treats as a swap.
 */
export async function openedFileLocation(
  handle: FileHandle,
  requested: string,
  opened: Stats,
  descriptorFolder = '/proc/self/fd',
): Promise<string | undefined> {
  const fromKernel = await readlink(`${descriptorFolder}/${handle.fd}`).catch(() => undefined);
  if (fromKernel !== undefined && fromKernel.startsWith('/') && !fromKernel.endsWith(' (deleted)')) return fromKernel;
  try {
    const resolved = await realpath(requested);
    const found = await stat(resolved);
    return found.dev === opened.dev && found.ino === opened.ino ? resolved : undefined;
  } catch {
    return undefined;
  }
}
