import sharp from 'sharp';

/** Process-wide image-processing settings; the composition root sets them once. */
export interface ImageProcessingSettings {
  /**
   * Keep libvips' cache of recent operations (up to 50 MB and 100 operations by default). Every generated image is
   * new, so the cache only holds memory; a server turns it off to keep its resident size low under load.
   */
  operationCache: boolean;
  /** Threads libvips uses per image operation; default: the number of CPU cores. */
  threadsPerOperation?: number;
}

/** Applies {@link ImageProcessingSettings} to the process's sharp/libvips. */
export function configureImageProcessing(settings: ImageProcessingSettings): void {
  if (settings.operationCache) sharp.cache(true);
  else sharp.cache(false);
  if (settings.threadsPerOperation !== undefined) sharp.concurrency(settings.threadsPerOperation);
}
