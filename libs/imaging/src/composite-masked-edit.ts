import { ImageGenError } from '@imagegen/common';
import sharp from 'sharp';
import { processedImage, type ProcessedImage } from './processed-image';

/** The three images {@link compositeMaskedEdit} combines. */
export interface CompositeMaskedEditInput {
  /** The image the caller asked to edit (any format sharp reads). */
  original: Uint8Array;
  /** What the model returned for the whole image; resized to the original's size when it differs. */
  edited: Uint8Array;
  /**
   * The mask, the original's size, as `prepareMask` produces it: a PNG with alpha in which transparent pixels mark
   * the area to edit (OpenAI's convention). Partly transparent pixels blend the two images.
   */
  mask: Uint8Array;
}

/**
 * Honours a mask for a model that has no mask parameter (Gemini): the result is the model's edit inside the masked
 * area and the untouched original everywhere else, so a masked edit means the same on every provider. Returns a PNG
 * the original's size. Throws `invalid_image` when the mask's size differs from the original's.
 */
export async function compositeMaskedEdit(input: CompositeMaskedEditInput): Promise<ProcessedImage> {
  const original = sharp(input.original).rotate();
  const [originalInfo, maskInfo] = await Promise.all([original.metadata(), sharp(input.mask).metadata()]);
  const width = originalInfo.autoOrient?.width ?? originalInfo.width;
  const height = originalInfo.autoOrient?.height ?? originalInfo.height;
  if (width === undefined || height === undefined || maskInfo.width !== width || maskInfo.height !== height) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: `The mask is ${maskInfo.width}x${maskInfo.height} but the image is ${width}x${height}; they must be the same size.`,
      details: { setting: 'mask' },
    });
  }
  // Where the mask is transparent the edit shows through: its weight is the mask's inverted alpha.
  const editWeight = await sharp(input.mask).ensureAlpha().extractChannel('alpha').negate().raw().toBuffer();
  // Two steps: sharp applies removeAlpha late in a pipeline, after joinChannel, which would drop the weight again.
  const editedColour = await sharp(input.edited).resize(width, height, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  const editedPixels = await sharp(editedColour, { raw: { width, height, channels: 3 } })
    .joinChannel(editWeight, { raw: { width, height, channels: 1 } })
    .raw()
    .toBuffer();
  const { data, info } = await original
    .composite([{ input: editedPixels, raw: { width, height, channels: 4 }, blend: 'over' }])
    .png()
    .toBuffer({ resolveWithObject: true });
  return processedImage(data, info, 'png', false);
}
