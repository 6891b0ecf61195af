import { ImageGenError } from '@imagegen/common';
import type { ImageSource } from '@imagegen/core';
import { fileURLToPath } from 'node:url';

const imageIdPattern = /^img_\d{14}_[0-9a-f]{12}$/;

/**
 * Reads what an assistant put in an image argument: a stored image id, a `generated-images://` URI, a data URL or
 * base64, or (when allowed) a local file path. Anything path-like that is not an allowed local path is refused
 * here with a message that lists the accepted forms.
 */
export function parseImageReference(value: string, allowLocalFiles: boolean, argument: string): ImageSource {
  const text = value.trim();
  if (text.startsWith('generated-images://') || imageIdPattern.test(text)) return { kind: 'stored', imageId: text };
  if (text.startsWith('data:')) return { kind: 'encoded', value: text };
  const looksLikePath =
    text.startsWith('/') || text.startsWith('~') || text.startsWith('file://') || /^[a-zA-Z]:[\\/]/.test(text) || text.startsWith('.');
  if (looksLikePath) {
    if (!allowLocalFiles) {
      throw new ImageGenError({
        code: 'invalid_request',
        message: `${argument} looks like a file path, and this server does not read local files. Pass a stored image id (img_…), a generated-images:// URI, a data URL or base64.`,
        details: { setting: argument },
      });
    }
    return { kind: 'file', path: text.startsWith('file://') ? filePathOfUrl(text, argument) : text };
  }
  if (text.startsWith('img_')) {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `${argument} "${text.slice(0, 40)}" is not a valid image id (img_YYYYMMDDHHmmss_<12 hex>).`,
      details: { setting: argument },
    });
  }
  return { kind: 'encoded', value: text };
}

/** The local path a `file://` URL names, percent-escapes (`%20`) decoded. */
function filePathOfUrl(text: string, argument: string): string {
  try {
    return fileURLToPath(text);
  } catch {
    throw new ImageGenError({
      code: 'invalid_request',
      message: `${argument} is not a usable file:// URL (it must name a file on this machine); give the absolute path instead.`,
      details: { setting: argument },
    });
  }
}
