import * as imaging from './index';

describe('public surface', () => {
  it('exports exactly the documented functions and constants', () => {
    expect(Object.keys(imaging).sort()).toEqual([
      'compositeMaskedEdit',
      'configureImageProcessing',
      'convertImage',
      'decodeImageInput',
      'defaultImageLimits',
      'detectImageFormat',
      'extensionForFormat',
      'fitToSize',
      'formatForExtension',
      'formatForMimeType',
      'hasC2paManifest',
      'imageFormats',
      'inspectImage',
      'isImageFormat',
      'isOutputImageFormat',
      'looksLikeSvg',
      'makePreview',
      'measureMaskEditableFraction',
      'mimeTypeForFormat',
      'outputImageFormats',
      'prepareMarkup',
      'prepareMask',
      'rasterizeSvg',
      'readImageFile',
      'sanitizeSvg',
      'smallestPreviewDimension',
    ]);
  });
});
