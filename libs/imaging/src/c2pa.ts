import { detectImageFormat } from './detect-image-format';

/**
 * C2PA (Content Credentials) detection by container structure: a PNG `caBX` chunk, a JPEG APP11 segment holding a
 * JUMBF `jumb` box labelled `c2pa`, or a WebP RIFF `C2PA` chunk. Only container headers are walked; the manifest
 * itself is neither parsed nor verified, and GIF (which has no standard C2PA embedding used by the providers) is
 * always reported as carrying none.
 */

// The JUMBF description box's type UUID for a C2PA manifest store starts with the ASCII bytes "c2pa".
const c2paLabel = 'c2pa';

/**
 * True when the image embeds a C2PA manifest store, found by walking its container structure (never by searching
 * the whole file for a byte string). False for anything that is not a PNG, JPEG or WebP.
 */
export function hasC2paManifest(data: Uint8Array): boolean {
  switch (detectImageFormat(data)) {
    case 'png':
      return pngHasC2pa(data);
    case 'jpeg':
      return jpegHasC2pa(data);
    case 'webp':
      return webpHasC2pa(data);
    default:
      return false;
  }
}

function pngHasC2pa(data: Uint8Array): boolean {
  const view = dataView(data);
  let offset = 8;
  // Each chunk is length (4), type (4), data (length), CRC (4).
  while (offset + 8 <= data.length) {
    const length = view.getUint32(offset);
    const type = ascii(data, offset + 4, 4);
    if (type === 'caBX') return true;
    if (type === 'IEND') return false;
    offset += 12 + length;
  }
  return false;
}

function jpegHasC2pa(data: Uint8Array): boolean {
  const view = dataView(data);
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return false;
    const marker = data[offset + 1] ?? 0;
    // Fill bytes, and markers that carry no length (TEM, RSTn, SOI).
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += 2;
      continue;
    }
    // Start of scan or end of image: metadata segments come before the entropy-coded data.
    if (marker === 0xda || marker === 0xd9) return false;
    const segmentLength = view.getUint16(offset + 2);
    if (segmentLength < 2) return false;
    const segmentStart = offset + 4;
    const segmentEnd = Math.min(offset + 2 + segmentLength, data.length);
    if (marker === 0xeb && isC2paJumbfSegment(data.subarray(segmentStart, segmentEnd))) return true;
    offset += 2 + segmentLength;
  }
  return false;
}

// An APP11 payload for JUMBF: common identifier "JP", box instance (2 bytes), packet sequence (4 bytes), then the
// superbox header. Only the first packet of a box holds the description box, which is all this needs.
function isC2paJumbfSegment(payload: Uint8Array): boolean {
  if (payload.length < 8 || ascii(payload, 0, 2) !== 'JP') return false;
  return isC2paSuperbox(payload.subarray(8));
}

/** True for a JUMBF `jumb` superbox whose description box (`jumd`) names a C2PA manifest store. */
function isC2paSuperbox(box: Uint8Array): boolean {
  if (box.length < 16 || ascii(box, 4, 4) !== 'jumb') return false;
  const view = dataView(box);
  // A superbox with LBox == 1 carries an 8-byte extended length after its type.
  const headerLength = view.getUint32(0) === 1 ? 16 : 8;
  const description = box.subarray(headerLength);
  if (description.length < 8 + 17 || ascii(description, 4, 4) !== 'jumd') return false;
  const uuidPrefix = ascii(description, 8, 4);
  const toggles = description[24] ?? 0;
  const labelPresent = (toggles & 0x02) !== 0;
  const label = labelPresent ? nullTerminatedAscii(description, 25) : '';
  return uuidPrefix === c2paLabel || label === c2paLabel;
}

function webpHasC2pa(data: Uint8Array): boolean {
  const view = dataView(data);
  let offset = 12;
  // RIFF chunks: FourCC (4), little-endian size (4), data padded to an even length.
  while (offset + 8 <= data.length) {
    const type = ascii(data, offset, 4);
    if (type === 'C2PA') return true;
    const size = view.getUint32(offset + 4, true);
    offset += 8 + size + (size % 2);
  }
  return false;
}

function nullTerminatedAscii(bytes: Uint8Array, offset: number): string {
  // Labels are short; the cap keeps a corrupt box from producing a huge string.
  const end = bytes.subarray(0, offset + 64).indexOf(0, offset);
  return ascii(bytes, offset, (end === -1 ? Math.min(bytes.length, offset + 64) : end) - offset);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
