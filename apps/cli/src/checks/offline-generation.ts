import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImageGenConfig } from '@imagegen/config';
import type { Logger } from '@imagegen/core';

/** What the offline generation produced. */
export interface OfflineGenerationReport {
  model: string;
  imageId: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
  /** Requests the bundled fake provider received (proves the HTTP path was used). */
  providerRequests: number;
}

/**
 * One full generation (request planning, the OpenAI provider over HTTP, image processing, atomic storage, the cost
 * ledger) against the bundled fake OpenAI server on loopback, into a temporary storage folder that is removed
 * afterwards. The image is synthetic: a noise gradient from the fake server. Nothing reaches a vendor and nothing
 * is spent; the user's storage, cache and ledger are not touched.
 */
export async function runOfflineGeneration(
  config: ImageGenConfig,
  options: { logger: Logger; signal?: AbortSignal },
): Promise<OfflineGenerationReport> {
  const { createFakeOpenAIServer } = await import('@imagegen/testing');
  const { createImageEngineFromConfig, ImageGenError } = await import('@imagegen/core');
  const fake = await createFakeOpenAIServer();
  const storage = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'imagegen-doctor-'));
  try {
    const offline: ImageGenConfig = {
      ...config,
      providers: {
        ...config.providers,
        openai: {
          ...config.providers.openai,
          api_key: 'sk-imagegen-doctor-offline',
          base_url: `${fake.url}/v1`,
          enabled: true,
          max_retries: 0,
          organization: undefined,
          project: undefined,
        },
        gemini: { ...config.providers.gemini, api_key: undefined, vertexai: false },
      },
      storage: { ...config.storage, base_path: storage },
      cache: { ...config.cache, enabled: false },
      cost: {},
    };
    const engine = await createImageEngineFromConfig(offline, { logger: options.logger, scheduleRetention: false });
    try {
      const configured = engine.registry.get(config.images.default_model);
      const model =
        configured?.provider === 'openai' && configured.status.kind !== 'retired'
          ? configured.id
          : engine.registry.defaultModelFor('openai').id;
      const result = await engine.generate(
        { prompt: 'imagegen doctor: offline self-test', model, size: '1024x1024', quality: 'low', outputFormat: 'png', fresh: true },
        { ...(options.signal ? { signal: options.signal } : {}) },
      );
      const image = result.images[0];
      if (!image) throw new ImageGenError({ code: 'internal', message: 'The offline generation returned no image.' });
      // Read it back the way `imagegen show` would: the file and its metadata must both be in the store.
      const stored = await engine.getImage(image.imageId);
      if (stored.metadata.file_info.width !== image.width || !stored.filePath || !fs.existsSync(stored.filePath)) {
        throw new ImageGenError({ code: 'storage_failed', message: 'The offline image was not stored as reported.' });
      }
      return {
        model: result.model,
        imageId: image.imageId,
        width: image.width,
        height: image.height,
        format: image.format,
        bytes: image.byteLength,
        providerRequests: fake.requests.filter((request) => request.path.startsWith('/v1/images/')).length,
      };
    } finally {
      await engine.close();
    }
  } finally {
    await fake.close();
    await fs.promises.rm(storage, { recursive: true, force: true });
  }
}
