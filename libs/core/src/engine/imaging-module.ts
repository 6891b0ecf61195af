import type * as Imaging from '@imagegen/imaging';

/** The `@imagegen/imaging` module. */
export type ImagingModule = typeof Imaging;

let loading: Promise<ImagingModule> | undefined;
let settingsOnLoad: Imaging.ImageProcessingSettings | undefined;

/**
 * Loads `@imagegen/imaging` (and with it sharp and libvips) on the first image operation rather than at start-up, so a
 * server answers `initialize` without paying for it.
 */
export function loadImaging(): Promise<ImagingModule> {
  loading ??= import('@imagegen/imaging').then((module) => {
    if (settingsOnLoad !== undefined) module.configureImageProcessing(settingsOnLoad);
    return module;
  });
  return loading;
}

/** Process-wide image settings, applied when the module loads (at once when it already has). */
export function configureImagingOnLoad(settings: Imaging.ImageProcessingSettings): void {
  settingsOnLoad = settings;
  void loading?.then((module) => module.configureImageProcessing(settings));
}
