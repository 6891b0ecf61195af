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
  // A cache hit reads the file only now; one removed by hand since goes out without a preview, like a failed one.
  const data = await image.readData().catch(() => undefined);
  if (data === undefined) return undefined;
  const made = await makePreview(data, { maxBytes, maxDimension: 768 });
  previews.set(key, made ?? 'none');
  return made;
}

/**
 * The tool result for stored images: a text summary that always says where each image is, a `resource_link` per
 * image, and inline image blocks — the full image when it fits the byte budget, else a preview that does. With
 * `includeDataUrl`, `image_url` also carries the whole first image as a data URL when that fits what the inline
 * images leave of the budget; otherwise it is left out and the text says so. The inline image is always kept.
 * With `settings.inlinePreview` false there are no inline image blocks (the data URL still follows the rule above).
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
      ...groundingLines(image),
      ...(image.conversationTurns === undefined
        ? []
        : [`  continue editing it in conversation: edit_image with image ${image.imageId} and continue_conversation true`]),
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
  if (settings.inlinePreview === false) {
    if (includeDataUrl) await addDataUrlWithinBudget(base, structured, result.images[0], settings.responseByteBudget);
    return base;
  }
  // Share what is left of the budget between the images; base64 grows bytes by 4/3.
  const remaining = settings.responseByteBudget - serializedSize(base) - 512 * result.images.length;
  const perImage = Math.floor(remaining / Math.max(1, result.images.length));
  const inline: ContentBlock[] = [];
  let previewed = false;
  let noRoom = false;
  for (const image of result.images) {
    // An SVG is shown through its raster preview: image blocks are for pixels, and hosts differ on rendering SVG.
    if (image.format !== 'svg' && Math.ceil(image.byteLength / 3) * 4 <= perImage) {
      // A cache hit whose file was removed by hand since has no bytes to inline: the links still answer.
      const data = await image.readData().catch(() => undefined);
      if (data) inline.push({ type: 'image', data: data.toString('base64'), mimeType: image.mimeType });
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
  if (includeDataUrl) await addDataUrlWithinBudget(base, structured, result.images[0], settings.responseByteBudget);
  return base;
}

/**
 * Adds `image_url` (the first image as a data URL) when the result stays within the budget with it; else leaves it
 * out with a note. Clients such as Claude Desktop refuse results over about 1 MB, so the budget is never exceeded.
 */
async function addDataUrlWithinBudget(
  base: CallToolResult,
  structured: Record<string, unknown>,
  image: StoredImage | undefined,
  budget: number,
): Promise<void> {
  if (!image) return;
  const prefix = `data:${image.mimeType};base64,`;
  // The data URL's own bytes plus its key and quotes in the structured content.
  const cost = prefix.length + Math.ceil(image.byteLength / 3) * 4 + '"image_url":"",'.length;
  if (serializedSize(base) + cost <= budget) {
    const data = await image.readData().catch(() => undefined);
    if (data) structured['image_url'] = `${prefix}${data.toString('base64')}`;
    return;
  }
  (base.content[0] as { text: string }).text +=
    `\nimage_url (include_data_url) was left out: the full image (${Math.round(image.byteLength / 1024)} KB) as a data URL does not fit the byte budget (SERVER__RESPONSE_BYTE_BUDGET, ${budget} bytes) next to the inline image; read the resource or open the file instead.`;
}

/** Most grounding sources listed in the text; all of them are in the image's metadata. */
const maxListedSources = 5;

/** What a grounded image's search looked for and drew on, for the person to check its facts. */
function groundingLines(image: StoredImage): string[] {
  const grounding = image.grounding;
  if (grounding === undefined) return [];
  const queries =
    grounding.searchQueries.length === 0 ? 'no search was run' : grounding.searchQueries.map((query) => `"${query}"`).join(', ');
  const sources = grounding.sources
    .slice(0, maxListedSources)
    .map((source) => `    - ${source.title ? `${source.title}: ` : ''}${source.uri}`);
  const more =
    grounding.sources.length > maxListedSources
      ? [`    (${grounding.sources.length - maxListedSources} more in the image's metadata)`]
      : [];
  return [`  grounded with Google Search: ${queries}`, ...(sources.length > 0 ? ['  sources:', ...sources, ...more] : [])];
}
