import { parseImageMetadata } from './image-metadata';

const sidecar = {
  image_id: 'img_20261201101500_abc123def456',
  created_at: '2026-12-01T10:15:00Z',
  prompt: 'now make it stormy',
  parameters: { model: 'gemini-nano-banana-2.1' },
  file_info: { filename: 'img_20261201101500_abc123def456.png', size_bytes: 10, format: 'png' },
};
const conversation = {
  provider: 'gemini',
  model: 'gemini-nano-banana-2.1',
  turns: [
    { role: 'user', parts: [{ text: 'a lighthouse' }] },
    {
      role: 'model',
      parts: [
        { text: 'Here it is.', thought_signature: 'c2ln' },
        { image_id: 'img_20261201101000_0123456789ab', thought_signature: 'c2lnMg==' },
      ],
    },
    { role: 'user', parts: [{ text: 'now make it stormy' }, { inline_image: { mime_type: 'image/png', data_base64: 'iVBO' } }] },
    { role: 'model', parts: [{ this_image: true, thought_signature: 'c2lnMw==' }] },
  ],
};

describe('conversation and grounding in the sidecar', () => {
  it('reads back a conversation with its signatures and image references, and the grounding sources', () => {
    const grounding = { search_queries: ['lisbon weather'], sources: [{ uri: 'https://example.com/a', title: 'example.com' }] };
    const result = parseImageMetadata({ ...sidecar, conversation, grounding });
    expect(result.ok && result.metadata.conversation).toEqual(conversation);
    expect(result.ok && result.metadata.grounding).toEqual(grounding);
  });

  it('leaves both out of sidecars that have none', () => {
    const result = parseImageMetadata(sidecar);
    expect(result.ok && 'conversation' in result.metadata).toBe(false);
    expect(result.ok && 'grounding' in result.metadata).toBe(false);
  });

  it.each([
    [{ ...conversation, turns: [{ role: 'system', parts: [] }] }, /role/],
    [
      { ...conversation, turns: [{ role: 'user', parts: [{ text: 'a', image_id: 'img_20261201101000_0123456789ab' }] }] },
      /neither text nor an image/,
    ],
    [{ provider: 'gemini', turns: [] }, /provider, model and turns/],
  ])('refuses a malformed conversation %#', (value, problem) => {
    const result = parseImageMetadata({ ...sidecar, conversation: value });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problems.join('; ')).toMatch(problem);
  });
});
