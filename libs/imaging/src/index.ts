/**
 * @imagegen/imaging — turns untrusted image input into validated bytes, and post-processes provider output
 * (conversion, exact sizes, masks, previews, C2PA detection). Built on sharp; never reads the environment, never
 * writes to stdout; every user-actionable failure is an `ImageGenError`.
 */
export { decodeImageInput } from './decode-image-input';
export type { DecodeImageInputOptions } from './decode-image-input';
export { readImageFile } from './read-image-file';
export type { ReadImageFileOptions } from './read-image-file';
export type { ImageInfo, ImageWarning, ImageWarningCode, ValidatedImage } from './validated-image';
export { inspectImage } from './inspect-image';
export { detectImageFormat } from './detect-image-format';
export { hasC2paManifest } from './c2pa';
export { defaultImageLimits } from './image-limits';
export type { ImageLimits } from './image-limits';
export { measureMaskEditableFraction, prepareMask } from './prepare-mask';
export type { PreparedMask, PrepareMaskOptions } from './prepare-mask';
export { prepareMarkup } from './prepare-markup';
export type { PreparedMarkup } from './prepare-markup';
export { convertImage } from './convert-image';
export type { ConvertImageOptions } from './convert-image';
export { compositeMaskedEdit } from './composite-masked-edit';
export { configureImageProcessing } from './process-settings';
export type { ImageProcessingSettings } from './process-settings';
export type { CompositeMaskedEditInput } from './composite-masked-edit';
export { fitToSize } from './fit-to-size';
export type { FitResizeMode, FitToSizeOptions, FittedImage } from './fit-to-size';
export type { ProcessedImage } from './processed-image';
export { makePreview, smallestPreviewDimension } from './make-preview';
export { looksLikeSvg, rasterizeSvg, sanitizeSvg } from './svg-image';
export type { SanitizedSvg } from './svg-image';
export type { ImagePreview, MakePreviewOptions } from './make-preview';
export {
  extensionForFormat,
  formatForExtension,
  formatForMimeType,
  imageFormats,
  isImageFormat,
  isOutputImageFormat,
  mimeTypeForFormat,
  outputImageFormats,
} from './image-format';
export type { ImageFormat, OutputImageFormat } from './image-format';
