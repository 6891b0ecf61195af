/**
 * The mask the engine accepts (libs/imaging prepareMask, OpenAI's convention): a PNG with alpha, the image's size,
 * in which transparent pixels mark the area to edit. Painted pixels become fully transparent, everything else opaque
 * black. The brush's soft edge is cut at half coverage, so the region sent is exactly the region shown, with no
 * half-transparent rim that would blend the edit into what the person left unpainted.
 */
export function maskPixelsFromPaint(paint: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  const mask = new Uint8ClampedArray(paint.length);
  for (let offset = 0; offset < paint.length; offset += 4) {
    const painted = (paint[offset + 3] ?? 0) >= 128;
    mask[offset + 3] = painted ? 0 : 255;
  }
  return mask;
}

/** How many pixels of a painted layer count as painted (same cut as {@link maskPixelsFromPaint}). */
export function paintedPixelCount(paint: Uint8ClampedArray): number {
  let count = 0;
  for (let offset = 3; offset < paint.length; offset += 4) if ((paint[offset] ?? 0) >= 128) count += 1;
  return count;
}

/** Inverts a painted layer in place: painted becomes unpainted and the other way round, in the paint colour. */
export function invertPaint(paint: Uint8ClampedArray, colour: readonly [number, number, number]): void {
  for (let offset = 0; offset < paint.length; offset += 4) {
    const painted = (paint[offset + 3] ?? 0) >= 128;
    paint[offset] = colour[0];
    paint[offset + 1] = colour[1];
    paint[offset + 2] = colour[2];
    paint[offset + 3] = painted ? 0 : 255;
  }
}

/**
 * The markup overlay sent with a markup edit (OpenAI `markup`: "a transparent PNG overlaid on the first image"): what
 * was drawn stays, opaque in the paint colour, and everything else is fully transparent. The same half-coverage cut as
 * the mask, so the drawing sent is the drawing shown.
 */
export function markupPixelsFromPaint(paint: Uint8ClampedArray, colour: readonly [number, number, number]): Uint8ClampedArray<ArrayBuffer> {
  const markup = new Uint8ClampedArray(paint.length);
  for (let offset = 0; offset < paint.length; offset += 4) {
    if ((paint[offset + 3] ?? 0) < 128) continue;
    markup[offset] = colour[0];
    markup[offset + 1] = colour[1];
    markup[offset + 2] = colour[2];
    markup[offset + 3] = 255;
  }
  return markup;
}
