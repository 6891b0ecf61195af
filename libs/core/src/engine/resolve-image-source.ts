import { ImageGenError } from '@imagegen/common';
import type { ImageLimits, ValidatedImage } from '@imagegen/imaging';
import { loadImaging } from './imaging-module';
import type { ImageStore } from '@imagegen/storage';
import type { ImageSource } from './engine-types';

/** What resolving an input needs from the engine. */
export interface ImageSourceContext {
  /** Where stored images are read from. */
  store: ImageStore;
  /** Byte and pixel limits for untrusted input. */
  limits: ImageLimits;
  /** Folders local files may be read from; empty means local files are refused. */
  allowedFolders: readonly string[];
}

/** A validated input image and, when it came from storage, its id (recorded as a source of the edit). */
export interface ResolvedImageSource {
  image: ValidatedImage;
  storedImageId?: string;
}

const resourcePrefix = 'generated-images://';

/** Strips the `generated-images://` scheme so ids and resource URIs are accepted alike. */
export function imageIdFromReference(reference: string): string {
  return reference.startsWith(resourcePrefix) ? reference.slice(resourcePrefix.length) : reference;
}

/**
 * Turns one {@link ImageSource} into validated bytes. Stored images are validated again like any input: a
 * sidecar or file changed on disk is no more trusted than a caller's base64.
 */
export async function resolveImageSource(
  source: ImageSource,
  inputName: string,
  context: ImageSourceContext,
): Promise<ResolvedImageSource> {
  switch (source.kind) {
    case 'bytes':
      return { image: await (await loadImaging()).decodeImageInput(source.data, { limits: context.limits, inputName }) };
    case 'encoded':
      return { image: await (await loadImaging()).decodeImageInput(source.value, { limits: context.limits, inputName }) };
    case 'stored': {
      const imageId = imageIdFromReference(source.imageId);
      const stored = await context.store.get(imageId);
      const imaging = await loadImaging();
      // A stored SVG drawing is edited as its rendering (vendors take raster images only).
      const bytes =
        stored.mimeType === 'image/svg+xml' ? await imaging.rasterizeSvg(stored.bytes, { limits: context.limits }) : stored.bytes;
      return {
        image: await imaging.decodeImageInput(bytes, { limits: context.limits, inputName }),
        storedImageId: stored.imageId,
      };
    }
    case 'file':
      if (context.allowedFolders.length === 0) {
        throw new ImageGenError({
          code: 'invalid_request',
          message: `Reading local files is turned off. Pass the ${inputName} as base64 or a stored image id, or list a folder in SERVER__ALLOWED_FOLDERS.`,
          details: { setting: 'SERVER__ALLOWED_FOLDERS' },
        });
      }
      try {
        return {
          image: await (await loadImaging()).readImageFile(source.path, { allowedFolders: context.allowedFolders, limits: context.limits }),
        };
      } catch (error) {
        // The imaging library names the folders; the person also needs the setting that lists them.
        if (ImageGenError.isInstance(error) && Array.isArray(error.details['allowedFolders'])) {
          throw new ImageGenError({
            code: error.code,
            message: `${error.message} To read it, add its folder to SERVER__ALLOWED_FOLDERS.`,
            details: { ...error.details, setting: 'SERVER__ALLOWED_FOLDERS' },
            cause: error,
          });
        }
        throw error;
      }
    default:
      // Callers in plain JavaScript get a clear refusal rather than a crash for a source of no known kind.
      throw new ImageGenError({
        code: 'invalid_request',
        message: `The ${inputName} must be { kind: 'bytes' | 'encoded' | 'stored' | 'file', … }; got ${JSON.stringify(Object.keys(source ?? {}))}.`,
        details: { setting: inputName },
      });
  }
}
