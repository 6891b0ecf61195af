import { ImageGenError } from '@imagegen/common';
import { fileSystemErrorCode } from './storage-file-system';

const reasons: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the filesystem is read-only',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EBUSY: 'a file is busy',
  EIO: 'an input/output error occurred',
  ENOENT: 'a file or folder disappeared',
  ENOTDIR: 'a file is where a folder should be',
  EISDIR: 'a folder is where a file should be',
  EEXIST: 'a file is already there',
};

const retryableCodes = new Set(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN']);

/**
 * Turns a filesystem failure into `storage_failed` with a sentence a person can act on ("Could not save the
 * image in /srv/images: the disk is full."). The original error stays as `cause` for logs; its message is not
 * shown. Family errors pass through unchanged.
 */
export function storageFailure(action: string, error: unknown): ImageGenError {
  if (ImageGenError.isInstance(error)) return error;
  const code = fileSystemErrorCode(error);
  const reason =
    (code === undefined ? undefined : reasons[code]) ??
    (code === undefined ? 'an unexpected error occurred' : `the filesystem answered ${code}`);
  return new ImageGenError({
    code: 'storage_failed',
    message: `Could not ${action}: ${reason}.`,
    retryable: code !== undefined && retryableCodes.has(code),
    cause: error,
    ...(code === undefined ? {} : { details: { fileSystemCode: code } }),
  });
}

/** `invalid_request` with the given message. */
export function invalidRequest(message: string, details?: Record<string, unknown>): ImageGenError {
  return new ImageGenError({ code: 'invalid_request', message, ...(details === undefined ? {} : { details }) });
}

/** `not_found` for an image id. */
export function imageNotFound(imageId: string): ImageGenError {
  return new ImageGenError({
    code: 'not_found',
    message: `No image with id ${imageId} is stored; it may have been deleted or removed by retention cleanup.`,
    details: { imageId },
  });
}
