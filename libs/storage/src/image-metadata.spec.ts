import { parseImageMetadata } from './image-metadata';

const seedExample = {
  image_id: 'img_20250630143022_abc123def456',
  task_id: 'task_uuid_here',
  created_at: '2025-06-30T14:30:22Z',
  prompt: 'Original generation prompt',
  parameters: { model: 'gpt-image-1', size: '1536x1024', quality: 'auto', style: 'vivid' },
  file_info: { filename: 'img_20250630143022_abc123def456.png', size_bytes: 1572864, format: 'png', dimensions: '1536x1024' },
  cost_info: { estimated_cost: 0.07, tokens_used: { text_input: 15, image_output: 1750 } },
};

describe('parseImageMetadata', () => {
  it('reads a sidecar in the original design’s shape, filling the newer fields with neutral defaults', () => {
    const result = parseImageMetadata(seedExample);
    expect(result).toEqual({
      ok: true,
      metadata: expect.objectContaining({
        schema_version: 1,
        principal_id: 'local',
        provider: 'unknown',
        model_requested: 'gpt-image-1',
        model_used: 'gpt-image-1',
        warnings: [],
        source_image_ids: [],
        request_hash: null,
        provenance: { c2pa_present: false, c2pa_removed: false },
        extra: {},
        cost_info: { estimated_cost: 0.07, actual_cost_usd: null, tokens_used: { text_input: 15, image_output: 1750 } },
        parameters: { model: 'gpt-image-1', size: '1536x1024', quality: 'auto', style: 'vivid' },
      }),
    });
  });

  it.each([
    ['not an object', []],
    ['a bad id', { ...seedExample, image_id: '../x' }],
    ['a file name that does not match the id', { ...seedExample, file_info: { ...seedExample.file_info, filename: '../../x.png' } }],
    ['an unknown format', { ...seedExample, file_info: { ...seedExample.file_info, format: 'gif' } }],
    ['a negative size', { ...seedExample, file_info: { ...seedExample.file_info, size_bytes: -1 } }],
    ['a bad date', { ...seedExample, created_at: 'yesterday' }],
    ['warnings that are not strings', { ...seedExample, warnings: [1] }],
    ['a wrong provenance flag', { ...seedExample, provenance: { c2pa_present: 'yes' } }],
    ['extra that is not an object', { ...seedExample, extra: 'x' }],
  ])('refuses %s and says why', (_what, value) => {
    const result = parseImageMetadata(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
  });

  it('keeps the owner of an image and refuses an owner that is not a principal id', () => {
    expect(parseImageMetadata({ ...seedExample, principal_id: 'auth0|alice' })).toMatchObject({
      ok: true,
      metadata: { principal_id: 'auth0|alice' },
    });
    for (const principalId of ['', 7, 'line\nbreak']) {
      expect(parseImageMetadata({ ...seedExample, principal_id: principalId })).toMatchObject({ ok: false });
    }
  });
});
