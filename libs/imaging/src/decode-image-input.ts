import { ImageGenError } from '@imagegen/common';
import { assertWithinByteLimit, resolveImageLimits, type ImageLimits } from './image-limits';
import { declaredMimeType, validateImageBytes, type DeclaredType, type ValidatedImage } from './validated-image';

/** How {@link decodeImageInput} treats one input. */
export interface DecodeImageInputOptions {
  /** Size limits; missing fields take {@link defaultImageLimits}. */
  limits?: Partial<ImageLimits>;
  /**
   * A MIME type the sender declared next to the data (e.g. an MCP image block's `mimeType`). It never decides the
   * format; when it disagrees with the bytes the result carries a `declared_type_mismatch` warning. A data URL's
   * own type takes precedence over this one.
   */
  declaredMimeType?: string;
  /** What the input is called in messages, e.g. `mask` or `image 2`; default `image`. */
  inputName?: string;
}

/**
 * Turns untrusted input into validated image bytes.
 *
 * Accepts raw bytes, a base64 string (whitespace and line breaks ignored, standard or URL-safe alphabet, padding
 * optional) or a base64 data URL (`data:image/png;base64,…`). The format always comes from the bytes; a declared
 * type that disagrees yields a warning, not a failure. Checks, in order: encoded size against `maxBytes` (before
 * base64 is decoded), the magic number, the pixel count declared in the header against `maxPixels` (before any
 * pixel is decoded), then a full decode.
 *
 * @throws ImageGenError `invalid_image` for invalid base64, bytes that are not an accepted image (the message names
 *   what they are), damaged or truncated data, and inputs over the limits (the message gives size and limit).
 * @throws ImageGenError `invalid_request` when `limits` are not positive integers.
 */
export async function decodeImageInput(input: string | Uint8Array, options: DecodeImageInputOptions = {}): Promise<ValidatedImage> {
  const limits = resolveImageLimits(options.limits);
  const subject = `The ${options.inputName ?? 'image'}`;
  if (typeof input === 'string') {
    const parsed = parseTextInput(input, limits, subject);
    const declared = parsed.declared ?? declaredMimeType(options.declaredMimeType, 'The declared MIME type');
    return validateImageBytes(parsed.bytes, limits, subject, declared);
  }
  if (!(input instanceof Uint8Array)) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: `${subject} must be bytes, a base64 string or a data URL.`,
    });
  }
  assertWithinByteLimit(input.byteLength, limits, subject);
  // Copied so that the validated bytes cannot change after validation if the caller reuses its buffer.
  const bytes = Buffer.from(input);
  return validateImageBytes(bytes, limits, subject, declaredMimeType(options.declaredMimeType, 'The declared MIME type'));
}

interface ParsedTextInput {
  bytes: Buffer;
  declared: DeclaredType | undefined;
}

const dataUrlPrefix = /^data:/i;
const urlScheme = /^([a-z][a-z0-9+.-]*):\/\//i;
const outsideBase64Alphabet = /[^A-Za-z0-9+/_-]/;
const whitespace = /\s+/g;

function parseTextInput(text: string, limits: ImageLimits, subject: string): ParsedTextInput {
  // Checked before any copy of the text is made: no valid input can be this long, even with generous line breaks.
  const longestAcceptable = Math.ceil(limits.maxBytes / 3) * 4 * 2 + 1024;
  if (text.length > longestAcceptable) {
    assertWithinByteLimit(Math.floor((text.length * 3) / 4), limits, subject, true);
  }
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new ImageGenError({ code: 'invalid_image', message: `${subject} is empty.` });
  }
  if (dataUrlPrefix.test(trimmed)) return parseDataUrl(trimmed, limits, subject);
  return { bytes: decodeBase64(trimmed, limits, subject, describeNonBase64Text(trimmed)), declared: undefined };
}

function parseDataUrl(text: string, limits: ImageLimits, subject: string): ParsedTextInput {
  const comma = text.indexOf(',');
  if (comma === -1) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: `${subject} is a malformed data URL (no comma before the data); expected data:image/png;base64,….`,
    });
  }
  const parameters = text
    .slice('data:'.length, comma)
    .split(';')
    .map((part) => part.trim());
  const mediaType = parameters[0] ?? '';
  if (!parameters.slice(1).some((part) => part.toLowerCase() === 'base64')) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: `${subject} is a data URL without ";base64"; only base64 data URLs are accepted (data:image/png;base64,…).`,
    });
  }
  const bytes = decodeBase64(text.slice(comma + 1), limits, subject, 'the data URL payload is not valid base64');
  return { bytes, declared: declaredMimeType(mediaType, 'The data URL') };
}

/**
 * Decodes standard or URL-safe base64, ignoring whitespace and tolerating missing padding. Node's decoder silently
 * skips characters outside the alphabet, so the text is checked first: a typo must not become garbage bytes.
 */
function decodeBase64(text: string, limits: ImageLimits, subject: string, problem: string): Buffer {
  const compact = text.replace(whitespace, '').replace(/=+$/, '');
  if (compact === '') {
    throw new ImageGenError({ code: 'invalid_image', message: `${subject} is empty: the base64 text holds no data.` });
  }
  const badIndex = compact.search(outsideBase64Alphabet);
  if (badIndex !== -1) {
    const badCharacter = String.fromCodePoint(compact.codePointAt(badIndex) ?? 0);
    throw new ImageGenError({
      code: 'invalid_image',
      message: `${subject} is not valid base64: ${problem} (${describeCharacter(badCharacter)} is not a base64 character).`,
    });
  }
  if (compact.length % 4 === 1) {
    throw new ImageGenError({
      code: 'invalid_image',
      message: `${subject} is not valid base64: its length is impossible for base64, so it is probably cut off.`,
    });
  }
  assertWithinByteLimit(Math.floor((compact.length * 3) / 4), limits, subject);
  return Buffer.from(compact, 'base64');
}

// Explains the most common ways a string that should be base64 is something else; never echoes the string itself,
// which may hold a URL with a token in it.
function describeNonBase64Text(text: string): string {
  const scheme = urlScheme.exec(text)?.[1];
  if (scheme !== undefined) {
    return `it looks like a ${scheme.toLowerCase()}:// URL, and URLs are not downloaded; pass the image itself as base64 or a data URL`;
  }
  if (/^(\/|\.{1,2}[\\/]|~|[A-Za-z]:[\\/]|\\\\)/.test(text) && /[.\\]/.test(text)) {
    return 'it looks like a file path; pass the image itself as base64 or a data URL, or use a file input where one is offered';
  }
  return 'expected base64 text or a data URL (data:image/png;base64,…)';
}

function describeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `the control character U+${code.toString(16).padStart(4, '0').toUpperCase()}` : `"${character}"`;
}
