import { randomBytes } from 'node:crypto';
import type { ImageResult } from '@imagegen/core';
import { buildImageResult, previewRequestFor } from './image-content';
import type { McpServerSettings } from './server-settings';

const settings = (responseByteBudget: number): McpServerSettings => ({
  name: 'imagegen',
  version: '0.0.0',
  responseByteBudget,
  includeDataUrl: false,
  allowLocalFiles: false,
  retentionDays: 30,
});

function resultWithImage(byteLength: number): ImageResult {
  const data = randomBytes(byteLength);
  return {
    taskId: 'task-1',
    model: 'gpt-image-2',
    provider: 'openai',
    images: [
      {
        imageId: 'img_20261201120000_0123456789ab',
        resourceUri: 'generated-images://img_20261201120000_0123456789ab',
        readData: () => Promise.resolve(data),
        mimeType: 'image/png',
        format: 'png',
        width: 1024,
        height: 1024,
        byteLength,
        createdAt: '2026-12-01T12:00:00.000Z',
      },
    ],
    warnings: [],
    fromCache: false,
    prompt: 'a lighthouse',
    parameters: {},
  };
}

describe('buildImageResult with a budget that leaves no room for an image', () => {
  it('still answers, with the links and a note instead of an inline preview', async () => {
    // The summary and structured part alone take more than this budget: no byte is left for a preview.
    const answer = await buildImageResult(resultWithImage(50_000), { image_id: 'img_20261201120000_0123456789ab' }, settings(600), false);
    expect(answer.content.some((block) => block.type === 'image')).toBe(false);
    expect(answer.content).toContainEqual(
      expect.objectContaining({ type: 'resource_link', uri: 'generated-images://img_20261201120000_0123456789ab' }),
    );
    expect((answer.content[0] as { text: string }).text).toMatch(/SERVER__RESPONSE_BYTE_BUDGET.*no room for an inline preview/);
  });
});

describe('buildImageResult with include_data_url', () => {
  const structuredFor = () => ({ image_id: 'img_20261201120000_0123456789ab' }) as Record<string, unknown>;
  const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

  it('keeps the inline image and adds the data URL when both fit the budget (a small image)', async () => {
    const structured = structuredFor();
    const answer = await buildImageResult(resultWithImage(30_000), structured, settings(700_000), true);
    const inline = answer.content.find((block) => block.type === 'image') as { data: string } | undefined;
    expect(inline?.data.length).toBe(Math.ceil(30_000 / 3) * 4);
    expect(String(structured['image_url'])).toMatch(/^data:image\/png;base64,/);
    expect(String(structured['image_url']).length).toBe('data:image/png;base64,'.length + Math.ceil(30_000 / 3) * 4);
    expect(size(answer)).toBeLessThanOrEqual(700_000);
  });

  it('leaves the data URL out, with a note, when it would take the result past the budget; the inline image stays', async () => {
    const structured = structuredFor();
    const answer = await buildImageResult(resultWithImage(400_000), structured, settings(700_000), true);
    expect(answer.content.some((block) => block.type === 'image')).toBe(true);
    expect(structured['image_url']).toBeUndefined();
    expect((answer.content[0] as { text: string }).text).toMatch(
      /image_url \(include_data_url\) was left out.*SERVER__RESPONSE_BYTE_BUDGET/,
    );
    expect(size(answer)).toBeLessThanOrEqual(700_000);
  });
});

describe('with the inline preview switched off (SERVER__INLINE_PREVIEW=false)', () => {
  const withoutPreview = { ...settings(700_000), inlinePreview: false };

  it('answers with text, resource link and structured content only, even for an image that would fit whole', async () => {
    const answer = await buildImageResult(resultWithImage(20_000), { image_id: 'img_20261201120000_0123456789ab' }, withoutPreview, false);
    expect(answer.content.map((block) => block.type)).toEqual(['text', 'resource_link']);
    expect((answer.content[0] as { text: string }).text).toContain('resource: generated-images://img_20261201120000_0123456789ab');
    expect(answer.structuredContent).toEqual({ image_id: 'img_20261201120000_0123456789ab' });
  });

  it('asks the engine for no preview while it stores new images', () => {
    expect(previewRequestFor(withoutPreview, 1)).toBeUndefined();
    expect(previewRequestFor(settings(700_000), 1)).toEqual(expect.objectContaining({ maxDimension: 768 }));
  });

  it('still inlines whole images when the setting is left at its default', async () => {
    const answer = await buildImageResult(
      resultWithImage(20_000),
      { image_id: 'img_20261201120000_0123456789ab' },
      settings(700_000),
      false,
    );
    expect(answer.content.map((block) => block.type)).toEqual(['text', 'image', 'resource_link']);
  });
});

describe('buildImageResult for a cache hit whose image file was removed by hand since', () => {
  it('answers with the links and no inline preview instead of failing', async () => {
    const result = resultWithImage(2_000_000);
    const image = result.images[0] as ImageResult['images'][number];
    result.images[0] = { ...image, imageId: 'img_20261201120000_0fedcba98765', readData: () => Promise.reject(new Error('not found')) };
    const answer = await buildImageResult(result, { image_id: 'img_20261201120000_0fedcba98765' }, settings(200_000), false);
    expect(answer.content.some((block) => block.type === 'image')).toBe(false);
    expect(answer.content).toContainEqual(expect.objectContaining({ type: 'resource_link', uri: image.resourceUri }));
  });

  it('answers with the links when the image is small enough to inline whole, and leaves out its data URL', async () => {
    const result = resultWithImage(1_000);
    const image = result.images[0] as ImageResult['images'][number];
    result.images[0] = { ...image, readData: () => Promise.reject(new Error('not found')) };
    const structured: Record<string, unknown> = { image_id: image.imageId };
    const answer = await buildImageResult(result, structured, settings(200_000), true);
    expect(answer.content.map((block) => block.type)).toEqual(['text', 'resource_link']);
    expect(structured['image_url']).toBeUndefined();
  });
});
