import { parseImageResult, parseJobState, parsePartialPreview } from './image-result';

const generated = {
  task_id: 'task-1',
  image_id: 'img_20261201120000_0123456789ab',
  metadata: { size: '1536x1024', prompt: 'a fox', model: 'gpt-image-2', cost_estimate: 0.02, actual_cost: 0.011, dimensions: '1536x1024' },
  images: [
    {
      image_id: 'img_20261201120000_0123456789ab',
      resource_uri: 'generated-images://img_20261201120000_0123456789ab',
      dimensions: '1536x1024',
      format: 'png',
      file_size_bytes: 2048,
    },
  ],
  warnings: ['quality high was lowered to medium'],
  from_cache: false,
};

describe('reading a tool result in the image view', () => {
  it('reads the generate_image fields: model, size, actual cost before the estimate, prompt, warnings, images', () => {
    expect(parseImageResult(generated)).toEqual({
      taskId: 'task-1',
      model: 'gpt-image-2',
      size: '1536x1024',
      prompt: 'a fox',
      costUsd: 0.011,
      costIsEstimate: false,
      fromCache: false,
      warnings: ['quality high was lowered to medium'],
      images: [
        {
          imageId: 'img_20261201120000_0123456789ab',
          resourceUri: 'generated-images://img_20261201120000_0123456789ab',
          width: 1536,
          height: 1024,
          format: 'PNG',
          bytes: 2048,
        },
      ],
    });
    expect(parseImageResult({ images: [] })).toBeUndefined();
  });

  it('follows a job: running, failed with its reason, completed with the same image fields', () => {
    expect(parseJobState({ job_id: 'job-1', status: 'running' })).toEqual({ kind: 'running', jobId: 'job-1' });
    expect(parseJobState({ job_id: 'job-1', status: 'failed', error: { message: 'The prompt was refused.' } })).toEqual({
      kind: 'failed',
      jobId: 'job-1',
      message: 'The prompt was refused.',
    });
    expect(parseJobState({ job_id: 'job-1', status: 'completed', ...generated })).toMatchObject({
      kind: 'completed',
      jobId: 'job-1',
      result: { model: 'gpt-image-2', images: [{ width: 1536 }] },
    });
    expect(parseJobState(generated)).toMatchObject({ kind: 'completed', result: { prompt: 'a fox' } });
  });
});

describe('partial images of a running job', () => {
  it('reads the newest partial image get_generation attaches', () => {
    const running = {
      content: [
        { type: 'text', text: 'still running' },
        { type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' },
      ],
      structuredContent: {
        job_id: 'job_1',
        status: 'running',
        partial_image: { image_index: 0, partial_index: 1, received: 2, mime_type: 'image/png' },
      },
    };
    expect(parsePartialPreview(running)).toEqual({ data: 'aGVsbG8=', mimeType: 'image/png', received: 2 });
    expect(parseJobState(running.structuredContent)).toMatchObject({ kind: 'running', jobId: 'job_1' });
  });

  it('finds none when the job streams nothing', () => {
    expect(
      parsePartialPreview({ content: [{ type: 'text', text: 'x' }], structuredContent: { job_id: 'job_1', status: 'running' } }),
    ).toBeUndefined();
  });
});
