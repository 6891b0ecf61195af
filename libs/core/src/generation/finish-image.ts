import { ImageGenError } from '@imagegen/common';
import type { RequestPlan, RequestWarning } from '@imagegen/providers';
import { loadImaging } from '../engine/imaging-module';

/** An image ready to store: in the format and size asked for, with its provenance facts. */
export interface FinishedImage {
  data: Buffer;
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'svg';
  width: number;
  height: number;
  hasC2pa: boolean;
  provenanceRemoved: boolean;
}

/**
 * Step: turns what the provider returned into what was asked for — the masked area composited onto the original,
 * the exact final size, the output format — and notes when re-encoding removed the provider's provenance data.
 */
export async function finishImage(data: Uint8Array, plan: RequestPlan, warnings: RequestWarning[]): Promise<FinishedImage> {
  const imaging = await loadImaging();
  if (plan.outputFormat === 'svg') return finishSvg(data, warnings);
  if (plan.outputFormat === 'gif') return finishAsReturned(data, 'gif', warnings);
  const info = await imaging.inspectImage(data);
  let current = {
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    format: info.format,
    width: info.width,
    height: info.height,
    hasC2pa: info.hasC2pa,
    provenanceRemoved: false,
  };
  if (plan.compositeMask) {
    // The model edited the whole image: keep its pixels only where the mask says, the original everywhere else.
    const { original, mask } = plan.compositeMask;
    const composed = await imaging.compositeMaskedEdit({ original: original.data, edited: current.data, mask: mask.data });
    current = {
      data: composed.data,
      format: composed.format,
      width: composed.width,
      height: composed.height,
      hasC2pa: false,
      provenanceRemoved: current.hasC2pa,
    };
  }
  const wanted = plan.finalSize;
  if (wanted !== 'auto' && (wanted.width !== current.width || wanted.height !== current.height)) {
    const fitted = await imaging.fitToSize(current.data, {
      width: wanted.width,
      height: wanted.height,
      format: plan.outputFormat,
      ...(plan.compression === undefined ? {} : { compression: plan.compression }),
    });
    current = {
      data: fitted.data,
      format: fitted.format,
      width: fitted.width,
      height: fitted.height,
      hasC2pa: false,
      provenanceRemoved: current.hasC2pa || fitted.provenanceRemoved,
    };
  }
  if (current.format !== plan.outputFormat) {
    const converted = await imaging.convertImage(current.data, {
      format: plan.outputFormat,
      ...(plan.compression === undefined ? {} : { compression: plan.compression }),
    });
    current = {
      data: converted.data,
      format: converted.format,
      width: converted.width,
      height: converted.height,
      hasC2pa: false,
      provenanceRemoved: current.provenanceRemoved || converted.provenanceRemoved,
    };
  }
  if (current.provenanceRemoved && !warnings.some((warning) => warning.setting === 'provenance')) {
    warnings.push({
      type: 'other',
      setting: 'provenance',
      message: 'Resizing or converting the image removed the provider’s C2PA provenance data; this is recorded in its metadata.',
    });
  }
  if (current.format === 'gif') {
    throw new ImageGenError({
      code: 'upstream_error',
      message: 'The provider returned a GIF where a still image was asked for; it was not stored.',
    });
  }
  return { ...current, format: current.format };
}

/**
 * An SVG is stored only as rebuilt by the sanitizer (no scripts, external references, foreignObject or entities), so a
 * client that renders the stored file is as safe as the preview; what was removed is said in a warning.
 */
async function finishSvg(data: Uint8Array, warnings: RequestWarning[]): Promise<FinishedImage> {
  const imaging = await loadImaging();
  if (!imaging.looksLikeSvg(data)) return finishAsReturned(data, 'svg', warnings);
  const safe = await imaging.sanitizeSvg(data);
  if (safe.removed.length > 0) {
    warnings.push({
      type: 'other',
      setting: 'outputFormat',
      message: `The SVG was made safe to store and show: removed ${safe.removed.join(', ')}.`,
    });
  }
  return { data: safe.data, format: 'svg', width: safe.width, height: safe.height, hasC2pa: false, provenanceRemoved: false };
}

/**
 * An animated GIF is stored as the vendor made it: cropping or converting would lose the animation. A still raster
 * image where a GIF or SVG was asked for is kept as it came rather than thrown away (it was paid for), with a warning.
 */
async function finishAsReturned(data: Uint8Array, asked: 'gif' | 'svg', warnings: RequestWarning[]): Promise<FinishedImage> {
  const info = await (await loadImaging()).inspectImage(data).catch(() => undefined);
  if (info === undefined) throw unexpectedAnswer(asked.toUpperCase(), data);
  if (info.format !== asked) {
    warnings.push({
      type: 'other',
      setting: 'outputFormat',
      message: `${asked.toUpperCase()} output was asked for, but the provider returned a ${info.format} image; it was stored as it came.`,
    });
  }
  return {
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    format: info.format,
    width: info.width,
    height: info.height,
    hasC2pa: info.hasC2pa,
    provenanceRemoved: false,
  };
}

function unexpectedAnswer(expected: string, data: Uint8Array): ImageGenError {
  return new ImageGenError({
    code: 'upstream_error',
    message: `The provider was asked for ${expected} output but returned something else (${data.byteLength} bytes); it was not stored.`,
  });
}
