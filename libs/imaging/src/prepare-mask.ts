import { ImageGenError } from '@imagegen/common';
import sharp from 'sharp';
import { mimeTypeForFormat } from './image-format';
import { createPipeline, readImageHeader, runDecoding } from './image-header';
import { resolveImageLimits, type ImageLimits } from './image-limits';
import type { ImageWarning, ValidatedImage } from './validated-image';

/** A mask ready for an OpenAI-style edit: a PNG with alpha in which fully transparent pixels mark the area to edit. */
export interface PreparedMask extends ValidatedImage {
  /** Always `png`. */
  format: 'png';
  /** Always true. */
  hasAlpha: true;
  /** Share of pixels that are fully transparent (0–1): the part of the image the model may change. */
  editableFraction: number;
  /**
   * What was done to the input: `none` (a PNG with meaningful alpha, bytes unchanged), `re-encoded` (alpha kept,
   * converted to PNG), `from-luminance` (no usable alpha: read as black-and-white, white = edit).
   */
  conversion: 'none' | 're-encoded' | 'from-luminance';
}

/** Options of {@link prepareMask}. */
export interface PrepareMaskOptions {
  /** Size limits applied while decoding the mask; missing fields take {@link defaultImageLimits}. */
  limits?: Partial<ImageLimits>;
}

// JPEG noise leaves "white" a few levels below 255 and "black" a few above 0; without this snap, such a mask would
// have no fully transparent pixel and the edit would silently do nothing.
const luminanceTolerance = 8;

/**
 * Turns a validated mask into what OpenAI's edit endpoint expects: a PNG with an alpha channel, the same size as
 * the image, where fully transparent pixels (alpha 0) mark the area to edit.
 *
 * - A mask whose alpha channel has any non-opaque pixel is used as it is (re-encoded to PNG only if it is not PNG).
 * - A mask without alpha, or whose alpha is opaque everywhere, is read as black-and-white with the convention of
 *   inpainting tools: WHITE = "edit here", black = keep. Each pixel gets alpha = 255 − luminance, except that
 *   luminance within 8 of white becomes fully transparent and within 8 of black fully opaque (compression noise);
 *   greys in between stay partly transparent, which OpenAI treats as "keep". The colour channels become black.
 *   A `mask_converted_from_luminance` warning says so.
 * - A mask that edits nothing or everything is returned with a `mask_edits_nothing` / `mask_edits_everything`
 *   warning: it is legal but rarely what the sender meant.
 *
 * Sizes are compared as stored (EXIF orientation is not applied to either).
 *
 * @throws ImageGenError `invalid_image` when the mask's size differs from the image's (both sizes are named; the
 *   mask is never resized silently) or the mask cannot be decoded.
 */
export async function prepareMask(
  mask: ValidatedImage,
  image: Pick<ValidatedImage, 'width' | 'height'>,
  options: PrepareMaskOptions = {},
): Promise<PreparedMask> {
  const limits = resolveImageLimits(options.limits);
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new ImageGenError({
      code: 'invalid_image',
      message:
        `The mask is ${mask.width}x${mask.height} pixels but the image is ${image.width}x${image.height}; ` +
        'a mask must have exactly the size of the image it edits.',
      details: { maskWidth: mask.width, maskHeight: mask.height, imageWidth: image.width, imageHeight: image.height },
    });
  }
  const alpha = mask.hasAlpha ? await extractAlpha(mask, limits) : undefined;
  if (alpha !== undefined && alpha.some((value) => value !== 255)) {
    if (mask.format === 'png') return finish(mask, mask.data, alpha, 'none', []);
    const png = await runDecoding('The mask', mask.format, () => createPipeline(mask.data, limits).png().toBuffer());
    return finish(mask, png, alpha, 're-encoded', []);
  }
  const converted = await alphaFromLuminance(mask, limits);
  const png = await sharp({ create: { width: mask.width, height: mask.height, channels: 3, background: '#000000' } })
    .joinChannel(converted, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .png()
    .toBuffer();
  const warning: ImageWarning = {
    code: 'mask_converted_from_luminance',
    message: 'The mask had no transparency, so it was read as black-and-white: white areas will be edited, black areas kept.',
  };
  return finish(mask, png, converted, 'from-luminance', [warning]);
}

/**
 * The share (0–1) of a mask's pixels that are fully transparent, i.e. that an OpenAI-style edit may change. A mask
 * without an alpha channel has no transparent pixel and yields 0: run it through {@link prepareMask} first.
 *
 * @throws ImageGenError `invalid_image` when the bytes are not a decodable image within the limits.
 */
export async function measureMaskEditableFraction(mask: Uint8Array, options: PrepareMaskOptions = {}): Promise<number> {
  const limits = resolveImageLimits(options.limits);
  const header = await readImageHeader(mask, 'The mask');
  if (!header.hasAlpha) return 0;
  const alpha = await runDecoding('The mask', header.format, () =>
    createPipeline(header.buffer, limits).extractChannel('alpha').raw().toBuffer(),
  );
  return transparentShare(alpha);
}

async function extractAlpha(mask: ValidatedImage, limits: ImageLimits): Promise<Buffer> {
  return runDecoding('The mask', mask.format, () => createPipeline(mask.data, limits).extractChannel('alpha').raw().toBuffer());
}

async function alphaFromLuminance(mask: ValidatedImage, limits: ImageLimits): Promise<Buffer> {
  const luminance = await runDecoding('The mask', mask.format, () =>
    createPipeline(mask.data, limits).removeAlpha().greyscale().raw().toBuffer(),
  );
  const alpha = Buffer.allocUnsafe(luminance.length);
  for (let index = 0; index < luminance.length; index += 1) {
    const value = luminance[index] ?? 0;
    alpha[index] = value >= 255 - luminanceTolerance ? 0 : value <= luminanceTolerance ? 255 : 255 - value;
  }
  return alpha;
}

function finish(
  mask: ValidatedImage,
  png: Buffer,
  alpha: Buffer,
  conversion: PreparedMask['conversion'],
  warnings: ImageWarning[],
): PreparedMask {
  const editableFraction = transparentShare(alpha);
  const allWarnings = [...mask.warnings, ...warnings];
  if (editableFraction === 0) {
    allWarnings.push({
      code: 'mask_edits_nothing',
      message: 'The mask has no fully transparent (editable) pixel, so the edit cannot change anything.',
    });
  } else if (editableFraction === 1) {
    allWarnings.push({
      code: 'mask_edits_everything',
      message: 'The mask is fully transparent, so the whole image may be changed, as if no mask had been given.',
    });
  }
  return {
    data: png,
    format: 'png',
    mimeType: mimeTypeForFormat('png'),
    width: mask.width,
    height: mask.height,
    hasAlpha: true,
    byteLength: png.length,
    hasC2pa: conversion === 'none' ? mask.hasC2pa : false,
    warnings: allWarnings,
    editableFraction,
    conversion,
  };
}

function transparentShare(alpha: Buffer): number {
  if (alpha.length === 0) return 0;
  let transparent = 0;
  for (const value of alpha) if (value === 0) transparent += 1;
  return transparent / alpha.length;
}
