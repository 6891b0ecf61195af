import { decodeBase64Image } from './image-bytes';

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('rest of a png, more than four kilobytes '.repeat(200)),
]);

/** The decoded image, failing the test when there is none. */
function decoded(text: string): { data: Uint8Array; mimeType: string } {
  const image = decodeBase64Image(text);
  if (image === undefined) throw new Error('not decoded');
  return image;
}

describe('decodeBase64Image', () => {
  it('decodes well-formed base64 of a png into bytes with a buffer of their own', () => {
    const image = decoded(png.toString('base64'));
    expect(image.mimeType).toBe('image/png');
    expect(Buffer.from(image.data).equals(png)).toBe(true);
    expect(image.data.buffer.byteLength).toBe(png.length);
  });

  it('gives a small image a buffer of its own too, not a slice of a shared pool', () => {
    const small = png.subarray(0, 40);
    const image = decoded(small.toString('base64'));
    expect(Buffer.from(image.data).equals(small)).toBe(true);
    expect(image.data.buffer.byteLength).toBe(40);
  });

  it('accepts base64 broken into lines', () => {
    const lines = png.toString('base64').replace(/.{76}/g, '$&\r\n');
    expect(Buffer.from(decoded(lines).data).equals(png)).toBe(true);
  });

  it('accepts what the character check accepts even where atob refuses it (padding inside)', () => {
    const text = `${png.subarray(0, 10).toString('base64')}${png.subarray(10).toString('base64')}`;
    expect(text.slice(0, 16)).toContain('=');
    expect(decodeBase64Image(text)?.mimeType).toBe('image/png');
  });

  it.each([
    ['a space', ' '],
    ['a tab', '\t'],
    ['a stray character', '*'],
    ['URL-safe characters', '-_'],
    ['a non-ASCII character whose low byte is a base64 letter (Node would decode it as one)', '\u012b'],
    ['padding inside and a stray character', '=*'],
  ])('refuses text with %s in it', (_name, inserted) => {
    const text = png.toString('base64');
    expect(decodeBase64Image(`${text.slice(0, 100)}${inserted}${text.slice(100)}`)).toBeUndefined();
  });

  it('refuses empty text, non-strings and base64 of something that is not an image', () => {
    expect(decodeBase64Image('')).toBeUndefined();
    expect(decodeBase64Image(42)).toBeUndefined();
    expect(decodeBase64Image(Buffer.from('plain text').toString('base64'))).toBeUndefined();
  });
});

describe('decodeBase64Image against the character check, for every one-character change', () => {
  const signatureKept = (text: string) => Buffer.from(text, 'base64').subarray(0, 8).equals(png.subarray(0, 8));

  it('accepts exactly the texts made only of base64 characters and line breaks', () => {
    const text = png.subarray(0, 300).toString('base64');
    const characters = [...Array.from({ length: 256 }, (_, code) => String.fromCharCode(code)), '\u012b', '\u0141', '\uff2b'];
    for (const character of characters) {
      for (const position of [0, 40, text.length - 2, text.length - 1]) {
        for (const changed of [
          `${text.slice(0, position)}${character}${text.slice(position + 1)}`,
          `${text.slice(0, position)}${character}${text.slice(position)}`,
        ]) {
          if (!signatureKept(changed)) continue;
          expect([JSON.stringify(changed.slice(position - 2, position + 3)), decodeBase64Image(changed) !== undefined]).toEqual([
            JSON.stringify(changed.slice(position - 2, position + 3)),
            /^[A-Za-z0-9+/=\r\n]+$/.test(changed),
          ]);
        }
      }
    }
  });
});
