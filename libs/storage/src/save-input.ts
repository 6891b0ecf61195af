import { ImageGenError, isPrincipalId, localPrincipalId } from '@imagegen/common';
import { extensionOfFormat, imageFormats, isImageFormat, mimeTypeOfFormat } from './image-format';
import { assertValidImageId, isValidImageId } from './image-id';
import { parseImageMetadata, type ImageMetadata } from './image-metadata';
import type { SaveImageInput } from './image-store';
import { invalidRequest } from './storage-errors';

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;
const isUsd = (value: unknown) => value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0);

/**
 * Checks a save request before anything touches the disk: the bytes, the measured facts, the ids it mentions
 * and that everything can be written as JSON and read back. Throws `invalid_image` for empty bytes and
 * `invalid_request` for anything else.
 */
export function validateSaveInput(input: SaveImageInput): void {
  if (typeof input !== 'object' || input === null) throw invalidRequest('save() needs an object describing the image.');
  if (!(input.bytes instanceof Uint8Array)) throw invalidRequest('bytes must be a Uint8Array (or Buffer) holding the encoded image.');
  if (input.bytes.length === 0)
    throw new ImageGenError({ code: 'invalid_image', message: 'The image is empty (0 bytes); nothing was stored.' });
  if (!isImageFormat(input.format)) {
    throw invalidRequest(`format must be one of ${imageFormats.join(', ')}, not ${JSON.stringify(input.format)}.`, {
      allowed: [...imageFormats],
    });
  }
  for (const [name, value] of [
    ['width', input.width],
    ['height', input.height],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) throw invalidRequest(`${name} must be a positive whole number of pixels.`);
  }
  if (typeof input.prompt !== 'string') throw invalidRequest('prompt must be a string.');
  for (const [name, value] of [
    ['provider', input.provider],
    ['modelRequested', input.modelRequested],
    ['modelUsed', input.modelUsed],
  ] as const) {
    if (!isNonEmptyString(value)) throw invalidRequest(`${name} must be a non-empty string.`);
  }
  if (input.imageId !== undefined) assertValidImageId(input.imageId);
  if (input.principalId !== undefined && !isPrincipalId(input.principalId)) {
    throw invalidRequest('principalId must be 1 to 256 characters without control characters.');
  }
  for (const sourceId of input.sourceImageIds ?? []) assertValidImageId(sourceId, 'source image id');
  if (input.warnings !== undefined && !input.warnings.every((warning) => typeof warning === 'string')) {
    throw invalidRequest('warnings must be a list of sentences (strings).');
  }
  if (input.cost !== undefined && (!isUsd(input.cost.estimatedUsd) || !isUsd(input.cost.actualUsd))) {
    throw invalidRequest('cost amounts must be non-negative numbers of US dollars.');
  }
  const tokens = input.cost?.tokensUsed;
  if (tokens !== undefined && !Object.values(tokens).every((count) => typeof count === 'number' && Number.isFinite(count))) {
    throw invalidRequest('cost.tokensUsed must map token kinds to numbers.');
  }
  for (const [name, value] of [
    ['parameters', input.parameters],
    ['extra', input.extra],
  ] as const) {
    try {
      JSON.stringify(value);
    } catch {
      throw invalidRequest(`${name} must be JSON-serialisable (no BigInt values or circular references).`);
    }
  }
}

/** Builds the sidecar document for a validated input. */
export function buildMetadata(input: SaveImageInput, imageId: string, createdAt: Date): ImageMetadata {
  const cost = input.cost ?? {};
  return {
    schema_version: 1,
    image_id: imageId,
    task_id: input.taskId ?? null,
    principal_id: input.principalId ?? localPrincipalId,
    created_at: createdAt.toISOString(),
    prompt: input.prompt,
    provider: input.provider,
    model_requested: input.modelRequested,
    model_used: input.modelUsed,
    parameters: { ...input.parameters, model: input.parameters?.model ?? input.modelUsed },
    file_info: {
      filename: `${imageId}.${extensionOfFormat(input.format)}`,
      size_bytes: input.bytes.length,
      format: input.format,
      mime_type: mimeTypeOfFormat(input.format),
      width: input.width,
      height: input.height,
      dimensions: `${input.width}x${input.height}`,
    },
    cost_info: {
      estimated_cost: cost.estimatedUsd ?? null,
      actual_cost_usd: cost.actualUsd ?? null,
      tokens_used: cost.tokensUsed === undefined ? null : { ...cost.tokensUsed },
    },
    warnings: [...(input.warnings ?? [])],
    request_hash: input.requestHash ?? null,
    source_image_ids: [...(input.sourceImageIds ?? [])],
    provenance: { c2pa_present: input.provenance?.c2paPresent ?? false, c2pa_removed: input.provenance?.c2paRemoved ?? false },
    extra: { ...input.extra },
    ...(input.conversation === undefined ? {} : { conversation: input.conversation }),
    ...(input.grounding === undefined ? {} : { grounding: input.grounding }),
  };
}

/**
 * Serialises the sidecar and proves it reads back, so a value JSON cannot carry (a BigInt or a cycle in `extra`,
 * `NaN` token counts) is refused now rather than producing a sidecar that a rebuild would skip.
 */
export function encodeMetadata(metadata: ImageMetadata): Uint8Array {
  let text: string;
  try {
    text = `${JSON.stringify(metadata, null, 2)}\n`;
  } catch {
    throw invalidRequest('parameters and extra must be JSON-serialisable (no BigInt values or circular references).');
  }
  const parsed = parseImageMetadata(JSON.parse(text));
  if (!parsed.ok) throw invalidRequest(`The image metadata would not read back: ${parsed.problems.join('; ')}.`);
  if (!isValidImageId(parsed.metadata.image_id)) throw invalidRequest('The image id is not valid.');
  return Buffer.from(text, 'utf8');
}
