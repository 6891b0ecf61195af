/**
 * Real images for the tests, made with sharp at test time (gradients with deterministic noise, so encoders have
 * real work to do), plus byte-level helpers that craft container structures sharp never writes: a decompression
 * bomb header and C2PA chunks. Nothing here is committed as a binary file.
 */
import sharp from 'sharp';
import { crc32, deflateSync } from 'node:zlib';
import type { OutputImageFormat } from '../image-format';

/** Raw interleaved pixels: a diagonal colour gradient with deterministic noise. */
export function gradientPixels(width: number, height: number, channels: 3 | 4): Buffer {
  const pixels = Buffer.alloc(width * height * channels);
  let seed = 12345;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) % 24;
      const offset = (y * width + x) * channels;
      pixels[offset] = Math.min(255, Math.floor((x / width) * 230) + noise);
      pixels[offset + 1] = Math.min(255, Math.floor((y / height) * 230) + noise);
      pixels[offset + 2] = Math.min(255, Math.floor(((x + y) / (width + height)) * 230) + noise);
      if (channels === 4) pixels[offset + 3] = Math.floor((x / Math.max(1, width - 1)) * 255);
    }
  }
  return pixels;
}

/** Encodes a gradient image; `alpha` adds a left-to-right transparency ramp. */
export async function makeImage(options: {
  width: number;
  height: number;
  format: OutputImageFormat | 'gif';
  alpha?: boolean;
}): Promise<Buffer> {
  const channels = options.alpha ? 4 : 3;
  const pipeline = sharp(gradientPixels(options.width, options.height, channels), {
    raw: { width: options.width, height: options.height, channels },
  });
  return pipeline.toFormat(options.format).toBuffer();
}

/** A black image with one white rectangle, without alpha: the mask convention of inpainting tools. */
export async function makeBlackAndWhiteMask(options: {
  width: number;
  height: number;
  white: { left: number; top: number; width: number; height: number };
  format: OutputImageFormat;
}): Promise<Buffer> {
  const grey = Buffer.alloc(options.width * options.height);
  for (let y = options.white.top; y < options.white.top + options.white.height; y += 1) {
    grey.fill(255, y * options.width + options.white.left, y * options.width + options.white.left + options.white.width);
  }
  return sharp(grey, { raw: { width: options.width, height: options.height, channels: 1 } })
    .toColourspace('srgb')
    .toFormat(options.format)
    .toBuffer();
}

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, checksum]);
}

/** A valid-looking PNG of a few hundred bytes whose header declares `width`×`height` RGB pixels. */
export function craftPngBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Inserts a chunk right after a PNG's IHDR chunk. */
export function insertPngChunk(png: Buffer, type: string, data: Uint8Array): Buffer {
  const afterHeader = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, afterHeader), pngChunk(type, data), png.subarray(afterHeader)]);
}

/** A minimal JUMBF superbox (`jumb` with a `jumd` description) labelled `label`, as C2PA manifest stores are. */
export function jumbfSuperbox(label: string): Buffer {
  const uuid = Buffer.from(label === 'c2pa' ? '6332706100110010800000aa00389b71' : '0000000000110010800000aa00389b71', 'hex');
  const description = Buffer.concat([uuid, Buffer.from([0x03]), Buffer.from(`${label}\u0000`, 'latin1')]);
  const descriptionBox = box('jumd', description);
  const content = box('json', Buffer.from('{"claim":"test"}'));
  return box('jumb', Buffer.concat([descriptionBox, content]));
}

/** Inserts a JPEG APP11 segment carrying `jumbf` (JPEG XT box packet 1) right after the SOI marker. */
export function insertJpegApp11(jpeg: Buffer, jumbf: Buffer): Buffer {
  const packetHeader = Buffer.alloc(8);
  packetHeader.write('JP', 0, 'latin1');
  packetHeader.writeUInt16BE(1, 2); // box instance
  packetHeader.writeUInt32BE(1, 4); // packet sequence number
  const payload = Buffer.concat([packetHeader, jumbf]);
  const marker = Buffer.alloc(4);
  marker[0] = 0xff;
  marker[1] = 0xeb;
  marker.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), marker, payload, jpeg.subarray(2)]);
}

/** Appends a RIFF chunk to a WebP file and fixes the RIFF size. */
export function appendWebpChunk(webp: Buffer, fourCc: string, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.write(fourCc, 0, 'latin1');
  header.writeUInt32LE(data.length, 4);
  const padding = Buffer.alloc(data.length % 2);
  const result = Buffer.concat([webp, header, data, padding]);
  result.writeUInt32LE(result.length - 8, 4);
  return result;
}

/** The alpha value of one pixel of a PNG. */
export async function alphaAt(png: Buffer, x: number, y: number): Promise<number> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return data[(y * info.width + x) * info.channels + info.channels - 1] ?? -1;
}

function box(type: string, content: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(content.length + 8, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, content]);
}
