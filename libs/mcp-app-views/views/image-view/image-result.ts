/** The fields of a generate_image / edit_image (or completed get_generation) result the view shows. */
export interface ImageResultView {
  taskId: string;
  model: string;
  size: string;
  prompt: string;
  costUsd?: number;
  costIsEstimate: boolean;
  fromCache: boolean;
  warnings: string[];
  images: ImageVariant[];
}

/** One image of a result. */
export interface ImageVariant {
  imageId: string;
  resourceUri: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
}

/** Where a long job stands, from a result that carries a `job_id` (the get_generation tool's shape). */
export type JobState =
  | { kind: 'running'; jobId: string; message?: string }
  | { kind: 'failed'; jobId: string; message: string }
  | { kind: 'completed'; jobId?: string; result: ImageResultView };

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function parseDimensions(value: unknown): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(text(value));
  return match ? { width: Number(match[1]), height: Number(match[2]) } : { width: 0, height: 0 };
}

/** Reads the structured image result; `undefined` when it has no images (then the view shows the text instead). */
export function parseImageResult(structured: unknown): ImageResultView | undefined {
  if (!isObject(structured) || !Array.isArray(structured['images'])) return undefined;
  const metadata = isObject(structured['metadata']) ? structured['metadata'] : {};
  const images = structured['images'].filter(isObject).map((image): ImageVariant => ({
    imageId: text(image['image_id']),
    resourceUri: text(image['resource_uri'], `generated-images://${text(image['image_id'])}`),
    ...parseDimensions(image['dimensions']),
    format: text(image['format']).toUpperCase(),
    bytes: number(image['file_size_bytes']) ?? 0,
  }));
  if (images.length === 0) return undefined;
  const actual = number(metadata['actual_cost']);
  const estimate = number(metadata['cost_estimate']);
  return {
    taskId: text(structured['task_id']),
    model: text(metadata['model'], 'unknown model'),
    size: text(metadata['size'], text(metadata['dimensions'])),
    prompt: text(metadata['prompt']),
    ...(actual !== undefined ? { costUsd: actual } : estimate !== undefined ? { costUsd: estimate } : {}),
    costIsEstimate: actual === undefined,
    fromCache: structured['from_cache'] === true,
    warnings: Array.isArray(structured['warnings']) ? structured['warnings'].filter((warning) => typeof warning === 'string') : [],
    images,
  };
}

/** The newest partial image of a running job (get_generation attaches it as an image block), for the view to show. */
export interface PartialPreview {
  /** Base64 of the partial image. */
  data: string;
  mimeType: string;
  /** How many partial images the job has streamed so far. */
  received: number;
}

/** Reads the partial image of a running job's result, when it carries one. */
export function parsePartialPreview(result: { content?: unknown; structuredContent?: unknown }): PartialPreview | undefined {
  const structured = isObject(result.structuredContent) ? result.structuredContent : {};
  const partial = isObject(structured['partial_image']) ? structured['partial_image'] : undefined;
  if (!partial || !Array.isArray(result.content)) return undefined;
  const block = result.content.find(
    (item): item is Loose => isObject(item) && item['type'] === 'image' && typeof item['data'] === 'string',
  );
  if (!block) return undefined;
  return {
    data: text(block['data']),
    mimeType: text(block['mimeType'], text(partial['mime_type'], 'image/png')),
    received: number(partial['received']) ?? 1,
  };
}

/** Reads a job result: running, failed (with the reason), or completed with the same image fields. */
export function parseJobState(structured: unknown): JobState | undefined {
  if (!isObject(structured)) return undefined;
  const jobId = text(structured['job_id']);
  const status = text(structured['status']);
  if (jobId && (status === 'running' || status === 'queued')) {
    return { kind: 'running', jobId, ...(typeof structured['message'] === 'string' ? { message: structured['message'] } : {}) };
  }
  if (jobId && status === 'failed') {
    const error = isObject(structured['error']) ? structured['error'] : {};
    return { kind: 'failed', jobId, message: text(error['message'], text(structured['message'], 'The generation failed.')) };
  }
  const result = parseImageResult(structured);
  return result ? { kind: 'completed', ...(jobId ? { jobId } : {}), result } : undefined;
}
