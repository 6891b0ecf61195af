import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/server';
import { LRUCache } from 'lru-cache';
import type { ImagePreview } from '@imagegen/imaging';
import type { ImageResult, StoredImage } from '@imagegen/core';
import type { McpServerSettings } from './server-settings';

/** Where an image can be found, as text and fields. */
export function imageLocations(image: StoredImage, settings: McpServerSettings) {
  return {
    resource_uri: image.resourceUri,
    ...(image.filePath ? { file_path: image.filePath } : {}),
    ...(settings.publicBaseUrl ? { http_url: `${settings.publicBaseUrl.replace(/\/$/, '')}/images/${image.imageId}` } : {}),
  };
}

const serializedSize = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * Previews already made, by image id and byte allowance. A stored image never changes under its id, so a repeated
 * request (a cache hit) reuses its preview instead of decoding a multi-megabyte PNG again. Bounded by bytes.
 */
const previews = new LRUCache<string, ImagePreview | 'none'>({
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: (preview) => (preview === 'none' ? 1 : preview.byteLength),
});

/**
 * The preview the engine should make while it stores `count` new images, so a result rarely waits for one: the byte
 * budget less room for the text and structured parts, shared between the images, in encoded bytes.
 */
export function previewRequestFor(
  settings: McpServerSettings,
  count: number,
): { maxBytes: number; maxDimension: number; skipUpToBytes: number } | undefined {
  // Results without inline images need no preview: the engine then never decodes the new image for one.
  if (settings.inlinePreview === false) return undefined;
  const perImage = Math.floor((settings.responseByteBudget - 16_384) / Math.max(1, count)) - 512;
  const maxBytes = Math.max(1, Math.floor((perImage * 3) / 4));
  // An image that fits whole is inlined whole: no preview needed.
  return { maxBytes, maxDimension: 768, skipUpToBytes: maxBytes };
}

async function previewOf(image: StoredImage, maxBytes: number): Promise<ImagePreview | undefined> {
  // The engine's preview (made while storing) serves whenever it fits what is left of the budget.
  if (image.preview !== undefined && image.preview.byteLength <= maxBytes) return image.preview;
  const key = `${image.imageId}:${maxBytes}`;
  const known = previews.get(key);
  if (known !== undefined) return known === 'none' ? undefined : known;
  // sharp loads with the first preview, not when the server starts.
  const { makePreview } = await import('@imagegen/imaging');
  const made = await makePreview(image.data, { maxBytes, maxDimension: 768 });
  previews.set(key, made ?? 'none');
  return made;
}

/**
 * The tool result for stored images: a text summary that always says where each image is, a `resource_link` per
 * image, and inline image blocks — the full image when it fits the byte budget, else a preview that does. With
 * `includeDataUrl`, `image_url` carries the whole image and the budget is knowingly exceeded. With
 * `settings.inlinePreview` false there are no inline image blocks at all.
 */
export async function buildImageResult(
  result: ImageResult,
  structured: Record<string, unknown>,
  settings: McpServerSettings,
  includeDataUrl: boolean,
): Promise<CallToolResult> {
  const lines = result.images.map((image, index) => {
    const where = imageLocations(image, settings);
    return [
      `Image ${index + 1}: ${image.imageId} (${image.width}x${image.height} ${image.format}, ${Math.round(image.byteLength / 1024)} KB)`,
      `  resource: ${where.resource_uri}`,
      ...(where.file_path ? [`  file: ${where.file_path}`] : []),
      ...(where.http_url ? [`  url: ${where.http_url}`] : []),
    ].join('\n');
  });
  const summary = [
    result.fromCache ? 'Served from cache (no new cost).' : `Generated with ${result.model}.`,
    ...lines,
    ...result.warnings.map((warning) => `Note: ${warning.message}`),
  ].join('\n');
  const links: ContentBlock[] = result.images.map((image) => ({
    type: 'resource_link',
    uri: image.resourceUri,
    name: image.imageId,
    mimeType: image.mimeType,
    description: `${image.width}x${image.height} ${image.format}`,
  }));
  const base: CallToolResult = { content: [{ type: 'text', text: summary }, ...links], structuredContent: structured };
  if (includeDataUrl) {
    const first = result.images[0];
    if (first) structured['image_url'] = `data:${first.mimeType};base64,${first.data.toString('base64')}`;
    return base;
  }
  if (settings.inlinePreview === false) return base;
  // Share what is left of the budget between the images; base64 grows bytes by 4/3.
  const remaining = settings.responseByteBudget - serializedSize(base) - 512 * result.images.length;
  const perImage = Math.floor(remaining / Math.max(1, result.images.length));
  const inline: ContentBlock[] = [];
  let previewed = false;
  let noRoom = false;
  for (const image of result.images) {
    if (Math.ceil(image.byteLength / 3) * 4 <= perImage) {
      inline.push({ type: 'image', data: image.data.toString('base64'), mimeType: image.mimeType });
      continue;
    }
    // The images are paid for and stored by now: a budget too small for any preview loses the preview, not the answer.
    if (perImage < 4) {
      noRoom = true;
      continue;
    }
    const preview = await previewOf(image, Math.floor((perImage * 3) / 4));
    if (preview) {
      previewed = true;
      inline.push({ type: 'image', data: preview.data.toString('base64'), mimeType: preview.mimeType });
    }
  }
  if (previewed) {
    (base.content[0] as { text: string }).text +=
      '\nThe inline image is a smaller preview; read the resource (or open the file) for the full image.';
  }
  if (noRoom) {
    (base.content[0] as { text: string }).text +=
      '\nThe byte budget (SERVER__RESPONSE_BYTE_BUDGET) leaves no room for an inline preview; read the resource (or open the file) for the image.';
  }
  base.content.splice(1, 0, ...inline);
  return base;
}
