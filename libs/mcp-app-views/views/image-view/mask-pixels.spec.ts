import { invertPaint, markupPixelsFromPaint, maskPixelsFromPaint, paintedPixelCount } from './mask-pixels';

const pixels = (...alphas: number[]) => new Uint8ClampedArray(alphas.flatMap((alpha) => [255, 0, 80, alpha]));
const alphasOf = (data: Uint8ClampedArray) => [...data].filter((_, index) => index % 4 === 3);

describe('the mask sent with an edit', () => {
  it('makes painted pixels transparent (edit here) and the rest opaque, cutting soft edges at half coverage', () => {
    expect(alphasOf(maskPixelsFromPaint(pixels(0, 127, 128, 255)))).toEqual([255, 255, 0, 0]);
    expect(paintedPixelCount(pixels(0, 127, 128, 255))).toBe(2);
  });

  it('sends a markup overlay: the drawing opaque in the paint colour, the rest fully transparent', () => {
    const markup = markupPixelsFromPaint(pixels(0, 127, 128, 255), [255, 0, 80]);
    expect(alphasOf(markup)).toEqual([0, 0, 255, 255]);
    expect([...markup.subarray(8, 12)]).toEqual([255, 0, 80, 255]);
    expect([...markup.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
  });

  it('inverts what is painted', () => {
    const paint = pixels(0, 255, 200);
    invertPaint(paint, [255, 0, 80]);
    expect(alphasOf(paint)).toEqual([255, 0, 0]);
    expect(alphasOf(maskPixelsFromPaint(paint))).toEqual([0, 255, 255]);
  });
});
