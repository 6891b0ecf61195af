import { lazyModule } from '@imagegen/common';
import type { ImageProcessingSettings } from '@imagegen/imaging';

let settingsOnLoad: ImageProcessingSettings | undefined;

/**
 * `@imagegen/imaging` (and with it sharp and libvips), loaded on the first image operation rather than at start-up,
 * so a server answers `initialize` without paying for it. Settings given before the load apply when it happens.
 */
const imaging = lazyModule(() =>
  import('@imagegen/imaging').then((module) => {
    if (settingsOnLoad !== undefined) module.configureImageProcessing(settingsOnLoad);
    return module;
  }),
);

/** The imaging module, loaded on first use. */
export const loadImaging = imaging.load;

/** Process-wide image settings, applied when the module loads (at once when it already has). */
export function configureImagingOnLoad(settings: ImageProcessingSettings): void {
  settingsOnLoad = settings;
  imaging.loaded()?.configureImageProcessing(settings);
}
