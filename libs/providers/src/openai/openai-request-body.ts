import type { ImageEditParamsBase, ImageGenerateParamsBase } from 'openai/resources/images';
import type { InputImage, ProviderCall } from '../contract';
import { formatSize } from '../validation/size';
import { fileExtensionFor } from '../media/image-bytes';
import { openaiSdk } from './openai-sdk';
import type { OpenAIExtraFields } from './openai-provider-options';

/**
 * The wire bodies. `model` is always sent (the API's default is a retired model); `style` and `response_format` are
 * never sent (GPT image models answer 400 "Unknown parameter"). Values were validated by `planRequest`; the SDK's
 * TypeScript unions are looser than the API anyway, hence the narrowing casts below.
 */

type SharedFields = Pick<
  ImageGenerateParamsBase,
  | 'model'
  | 'prompt'
  | 'n'
  | 'size'
  | 'quality'
  | 'background'
  | 'output_format'
  | 'output_compression'
  | 'partial_images'
  | 'complexity'
  | 'frame_count'
  | 'frame_duration_ms'
>;

function sharedFields(call: ProviderCall, stream: boolean): SharedFields {
  return {
    model: call.model.id,
    prompt: call.prompt,
    n: call.n,
    size: formatSize(call.size),
    ...(call.quality === undefined ? {} : { quality: call.quality as ImageGenerateParamsBase['quality'] }),
    ...(call.background === undefined ? {} : { background: call.background as ImageGenerateParamsBase['background'] }),
    ...(call.outputFormat === undefined ? {} : { output_format: call.outputFormat }),
    ...(call.compression === undefined ? {} : { output_compression: call.compression }),
    ...(stream ? { partial_images: call.partialImages ?? 0 } : {}),
    ...(call.complexity === undefined ? {} : { complexity: call.complexity as ImageGenerateParamsBase['complexity'] }),
    ...(call.frameCount === undefined ? {} : { frame_count: call.frameCount }),
    ...(call.frameDurationMs === undefined ? {} : { frame_duration_ms: call.frameDurationMs }),
  };
}

/** The JSON body of `POST /images/generations`; the caller adds `stream: true` when `stream` is set. */
export function generationBody(call: ProviderCall, extra: OpenAIExtraFields, stream: boolean): Omit<ImageGenerateParamsBase, 'stream'> {
  return {
    ...extra,
    ...sharedFields(call, stream),
    ...(call.moderation === undefined ? {} : { moderation: call.moderation as ImageGenerateParamsBase['moderation'] }),
  };
}

/**
 * The multipart body of `POST /images/edits`: each image as a file named `image-N.<ext>` with its real MIME type
 * (without one the API answers 400 "unsupported mimetype"); several images go out as repeated `image[]` parts; the
 * mask as `mask.png`, the markup overlay as `markup.png`. No `moderation` (edits take none). The caller adds `stream: true`
 * when `stream` is set.
 */
export async function editBody(
  call: ProviderCall,
  extra: OpenAIExtraFields,
  stream: boolean,
): Promise<Omit<ImageEditParamsBase, 'stream'>> {
  const images = call.images ?? [];
  const files = await Promise.all(images.map((image, index) => upload(image, `image-${index + 1}`)));
  const shared = sharedFields(call, stream);
  return {
    ...extra,
    ...shared,
    quality: shared.quality as ImageEditParamsBase['quality'],
    image: files.length === 1 ? (files[0] as File) : files,
    ...(call.mask === undefined ? {} : { mask: await upload(call.mask, 'mask') }),
    ...(call.markup === undefined ? {} : { markup: await upload(call.markup, 'markup') }),
    ...(call.inputFidelity === undefined ? {} : { input_fidelity: call.inputFidelity as ImageEditParamsBase['input_fidelity'] }),
  };
}

async function upload(image: InputImage, baseName: string): Promise<File> {
  const { toFile } = await openaiSdk.load();
  return toFile(image.data, `${baseName}.${fileExtensionFor(image.mimeType)}`, { type: image.mimeType });
}
