import { extensionOfFormat, isImageFormat, type ImageFormat } from './image-format';
import { isPrincipalId, localPrincipalId } from '@imagegen/common';
import { parseConversation, parseGrounding, type ImageConversation, type ImageGrounding } from './image-conversation';
import { isValidImageId } from './image-id';

/**
 * The JSON sidecar stored beside every image (`img_….json`). Keys are snake_case, as in the original design, so
 * the files stay readable by people and by tools outside TypeScript. Written once when the image is saved and
 * never rewritten.
 */
export interface ImageMetadata {
  /** Version of this document's shape; `1` today. Readers accept a missing value as `1`. */
  schema_version: 1;
  /** The image id, equal to the file names' stem. */
  image_id: string;
  /** The generation task that produced the image (several images may share one), or `null`. */
  task_id: string | null;
  /**
   * Who the image belongs to: the signed-in user's principal id, or `local` for single-user setups. Sidecars written
   * before principals existed read back as `local`.
   */
  principal_id: string;
  /** When the image was saved, ISO 8601 in UTC, from the store's clock. */
  created_at: string;
  /** The prompt as sent to the provider (after templates and style folding). */
  prompt: string;
  /** Provider id: `openai`, `gemini`, … */
  provider: string;
  /** The model id or alias the caller asked for. */
  model_requested: string;
  /** The model id that actually produced the image (after aliases and fallbacks). */
  model_used: string;
  /** The generation settings in force. */
  parameters: ImageParameters;
  /** Facts about the stored file, measured by the engine. */
  file_info: ImageFileInfo;
  /** What the image cost. */
  cost_info: ImageCostInfo;
  /** Warnings the engine returned with the image (settings dropped or translated), as sentences. */
  warnings: string[];
  /** A hash of the normalised request (the cache key), or `null`. */
  request_hash: string | null;
  /** For edits: the stored ids of the source images; empty for generations. */
  source_image_ids: string[];
  /** Content-provenance facts. */
  provenance: ImageProvenance;
  /** Open space for callers' own JSON-serialisable facts; the store never interprets it. */
  extra: Record<string, unknown>;
  /** Multi-turn editing: what a follow-up edit sends back to the model. Absent on images that cannot be continued. */
  conversation?: ImageConversation;
  /** Grounding with a web search: the queries run and the sources used. Absent on ungrounded images. */
  grounding?: ImageGrounding;
}

/** Generation settings recorded with an image. Unknown keys (background, compression, …) are kept as given. */
export interface ImageParameters {
  /** The model id used (same as `model_used`). */
  model: string;
  /** `WxH` or `auto`, as requested. */
  size?: string;
  /** Quality setting, as requested. */
  quality?: string;
  /** Style setting, as requested (folded into the prompt on current models). */
  style?: string;
  /** Any further setting. */
  [setting: string]: unknown;
}

/** Facts about the stored image file. */
export interface ImageFileInfo {
  /** The image's file name: `{image_id}.{png|jpg|webp}`. */
  filename: string;
  /** Size of the image file in bytes. */
  size_bytes: number;
  /** Encoding of the file. */
  format: ImageFormat;
  /** MIME type of the file. */
  mime_type: string;
  /** Pixel width. */
  width: number;
  /** Pixel height. */
  height: number;
  /** `WxH`, e.g. `1536x1024`. */
  dimensions: string;
}

/** Cost of producing the image, in US dollars. */
export interface ImageCostInfo {
  /** The estimate from the price tables, or `null` when none was made. */
  estimated_cost: number | null;
  /** The cost computed from the vendor's reported usage, or `null` when the vendor reported none. */
  actual_cost_usd: number | null;
  /** Token counts as the vendor reported them (e.g. `text_input`, `image_output`), or `null`. */
  tokens_used: Record<string, number> | null;
}

/** Content-provenance facts (C2PA manifests are stripped by any re-encoding). */
export interface ImageProvenance {
  /** Whether the stored bytes carry a C2PA manifest. */
  c2pa_present: boolean;
  /** Whether a manifest the provider attached was lost (e.g. by resizing or converting). */
  c2pa_removed: boolean;
}

/** Outcome of {@link parseImageMetadata}. */
export type ImageMetadataParseResult = { ok: true; metadata: ImageMetadata } | { ok: false; problems: string[] };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNonNegativeInteger = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * A stored sidecar's bytes, as either store reads them back: JSON checked by {@link parseImageMetadata}, and naming
 * the image it was read for (a sidecar of another image is as damaged as unreadable text).
 */
export function parseSidecarBytes(bytes: Uint8Array, imageId: string): ImageMetadataParseResult {
  let parsed: ImageMetadataParseResult;
  try {
    parsed = parseImageMetadata(JSON.parse(Buffer.from(bytes).toString('utf8')));
  } catch {
    return { ok: false, problems: ['the sidecar is not valid JSON'] };
  }
  if (parsed.ok && parsed.metadata.image_id !== imageId) return { ok: false, problems: ['image_id differs'] };
  return parsed;
}

/**
 * Checks a parsed sidecar and returns it in its current shape, or the list of problems. Required: `image_id`
 * (a valid id), `created_at` (a date), `prompt`, `parameters.model`, and `file_info` with `filename` (matching the
 * id and format), `size_bytes` and `format`. Everything else is optional and takes a neutral default when
 * missing (`[]`, `{}`, `null`, `false`, or the model from `parameters`), so older or hand-written sidecars stay
 * readable; a present field of the wrong type is a problem. Unknown top-level keys are dropped.
 */
export function parseImageMetadata(value: unknown): ImageMetadataParseResult {
  const problems: string[] = [];
  if (!isObject(value)) return { ok: false, problems: ['the document is not a JSON object'] };

  const optionalString = (key: string, source: Json, fallback: string | null, where = key): string | null => {
    const field = source[key];
    if (field === undefined || field === null) return fallback;
    if (typeof field !== 'string') {
      problems.push(`${where} must be a string`);
      return fallback;
    }
    return field;
  };
  const stringList = (key: string): string[] => {
    const field = value[key];
    if (field === undefined || field === null) return [];
    if (!Array.isArray(field) || !field.every((item) => typeof item === 'string')) {
      problems.push(`${key} must be a list of strings`);
      return [];
    }
    return field as string[];
  };
  const optionalNumber = (source: Json, key: string, where: string): number | null => {
    const field = source[key];
    if (field === undefined || field === null) return null;
    if (!isFiniteNumber(field)) {
      problems.push(`${where} must be a number`);
      return null;
    }
    return field;
  };

  const version = value['schema_version'];
  if (version !== undefined && version !== 1) problems.push('schema_version must be 1');

  const imageId = value['image_id'];
  if (!isValidImageId(imageId)) problems.push('image_id is not a valid image id');

  const createdAt = value['created_at'];
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) problems.push('created_at must be an ISO 8601 date');

  const prompt = value['prompt'];
  if (typeof prompt !== 'string') problems.push('prompt must be a string');

  const parametersValue = value['parameters'];
  let parameters: ImageParameters = { model: '' };
  if (!isObject(parametersValue) || typeof parametersValue['model'] !== 'string') {
    problems.push('parameters.model must be a string');
  } else {
    parameters = { ...parametersValue, model: parametersValue['model'] };
  }

  const fileInfoValue = value['file_info'];
  let fileInfo: ImageFileInfo | undefined;
  if (!isObject(fileInfoValue)) {
    problems.push('file_info must be an object');
  } else {
    const format = fileInfoValue['format'];
    const filename = fileInfoValue['filename'];
    const sizeBytes = fileInfoValue['size_bytes'];
    if (!isImageFormat(format)) problems.push('file_info.format must be png, jpeg, webp, gif or svg');
    if (!isNonNegativeInteger(sizeBytes)) problems.push('file_info.size_bytes must be a whole number of bytes');
    if (typeof filename !== 'string') problems.push('file_info.filename must be a string');
    else if (isImageFormat(format) && isValidImageId(imageId) && filename !== `${imageId}.${extensionOfFormat(format)}`) {
      problems.push('file_info.filename does not match image_id and format');
    }
    const width = fileInfoValue['width'] ?? 0;
    const height = fileInfoValue['height'] ?? 0;
    if (!isNonNegativeInteger(width) || !isNonNegativeInteger(height)) problems.push('file_info.width and height must be whole numbers');
    const dimensions = optionalString('dimensions', fileInfoValue, `${String(width)}x${String(height)}`, 'file_info.dimensions');
    const mimeType = optionalString('mime_type', fileInfoValue, null, 'file_info.mime_type');
    if (isImageFormat(format) && typeof filename === 'string' && isNonNegativeInteger(sizeBytes)) {
      fileInfo = {
        filename,
        size_bytes: sizeBytes,
        format,
        mime_type: mimeType ?? (format === 'jpeg' ? 'image/jpeg' : `image/${format}`),
        width: width as number,
        height: height as number,
        dimensions: dimensions ?? '',
      };
    }
  }

  const costValue = value['cost_info'] ?? {};
  const cost: ImageCostInfo = { estimated_cost: null, actual_cost_usd: null, tokens_used: null };
  if (!isObject(costValue)) {
    problems.push('cost_info must be an object');
  } else {
    cost.estimated_cost = optionalNumber(costValue, 'estimated_cost', 'cost_info.estimated_cost');
    cost.actual_cost_usd = optionalNumber(costValue, 'actual_cost_usd', 'cost_info.actual_cost_usd');
    const tokens = costValue['tokens_used'];
    if (tokens !== undefined && tokens !== null) {
      if (!isObject(tokens) || !Object.values(tokens).every(isFiniteNumber))
        problems.push('cost_info.tokens_used must map names to numbers');
      else cost.tokens_used = tokens as Record<string, number>;
    }
  }

  const provenanceValue = value['provenance'] ?? {};
  const provenance: ImageProvenance = { c2pa_present: false, c2pa_removed: false };
  if (!isObject(provenanceValue)) {
    problems.push('provenance must be an object');
  } else {
    for (const key of ['c2pa_present', 'c2pa_removed'] as const) {
      const flag = provenanceValue[key];
      if (flag === undefined || flag === null) continue;
      if (typeof flag !== 'boolean') problems.push(`provenance.${key} must be true or false`);
      else provenance[key] = flag;
    }
  }

  const extra = value['extra'] ?? {};
  if (!isObject(extra)) problems.push('extra must be an object');

  const sourceImageIds = stringList('source_image_ids');
  if (!sourceImageIds.every(isValidImageId)) problems.push('source_image_ids must hold image ids');
  const warnings = stringList('warnings');
  const taskId = optionalString('task_id', value, null);
  const requestHash = optionalString('request_hash', value, null);
  const principalId = optionalString('principal_id', value, localPrincipalId) ?? localPrincipalId;
  if (!isPrincipalId(principalId)) problems.push('principal_id must be a principal id (1 to 256 characters, no control characters)');
  const provider = optionalString('provider', value, 'unknown') ?? 'unknown';
  const modelUsed = optionalString('model_used', value, parameters.model) ?? parameters.model;
  const modelRequested = optionalString('model_requested', value, modelUsed) ?? modelUsed;

  const conversation = parseConversation(value['conversation'], problems);
  const grounding = parseGrounding(value['grounding'], problems);

  if (problems.length > 0 || fileInfo === undefined) return { ok: false, problems };
  return {
    ok: true,
    metadata: {
      schema_version: 1,
      image_id: imageId as string,
      task_id: taskId,
      principal_id: principalId,
      created_at: createdAt as string,
      prompt: prompt as string,
      provider,
      model_requested: modelRequested,
      model_used: modelUsed,
      parameters,
      file_info: fileInfo,
      cost_info: cost,
      warnings,
      request_hash: requestHash,
      source_image_ids: sourceImageIds,
      provenance,
      extra: extra as Record<string, unknown>,
      ...(conversation === null ? {} : { conversation }),
      ...(grounding === null ? {} : { grounding }),
    },
  };
}
