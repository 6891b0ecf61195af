import {
  ResourceNotFoundError,
  ResourceTemplate,
  UriTemplate,
  type CacheHint,
  type McpServer,
  type Variables,
} from '@modelcontextprotocol/server';
import { ImageGenError } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import { describeModel } from './model-description';
import type { McpServerSettings } from './server-settings';
import { describeHistory, describeStats } from './storage-views';

const json = (uri: string, value: unknown) => ({ contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] });

/**
 * How long a 2026-07-28 client may reuse a read (`ttlMs`, `cacheScope` on the result; 2025 results carry none). A
 * stored image never changes under its id, so its bytes keep for a day; model facts change only with a new server
 * version; history and statistics change with every generation and are never reused.
 */
export const resourceCacheHints = {
  storedImage: { ttlMs: 24 * 60 * 60 * 1000, cacheScope: 'private' },
  modelInfo: { ttlMs: 10 * 60 * 1000, cacheScope: 'private' },
  changing: { ttlMs: 0, cacheScope: 'private' },
} as const satisfies Record<string, CacheHint>;

/** A lookup that failed because nothing is stored under the URI, as the protocol's resource-not-found error. */
function notFound(uri: string, error: unknown): never {
  if (
    ImageGenError.isInstance(error) &&
    (error.code === 'not_found' || error.code === 'invalid_request' || error.code === 'model_not_found')
  ) {
    throw new ResourceNotFoundError(uri, error.message);
  }
  throw error;
}

/** Reads a positive whole number from a query parameter, within bounds, else the default. */
function boundedNumber(value: string | null, fallback: number, minimum: number, maximum: number): number {
  const parsed = value === null ? Number.NaN : Number(value);
  return Number.isFinite(parsed) ? Math.min(maximum, Math.max(minimum, parsed)) : fallback;
}

/**
 * `base{?a,b}` that also matches the bare base and any subset of the query parameters (the SDK's matcher requires
 * every parameter, so the listed `image-history://recent` itself could not be read).
 */
class OptionalQueryTemplate extends UriTemplate {
  constructor(
    private readonly base: string,
    private readonly parameters: readonly string[],
  ) {
    super(`${base}{?${parameters.join(',')}}`);
  }

  override match(uri: string): Variables | null {
    const queryStart = uri.indexOf('?');
    if ((queryStart === -1 ? uri : uri.slice(0, queryStart)) !== this.base) return null;
    const query = new URLSearchParams(queryStart === -1 ? '' : uri.slice(queryStart + 1));
    const variables: Variables = {};
    for (const parameter of this.parameters) {
      const value = query.get(parameter);
      if (value !== null) variables[parameter] = value;
    }
    return variables;
  }
}

/** The four resources of the design: stored images as blobs, history, storage stats and model information. */
export function registerResources(
  server: McpServer,
  engine: ImageEngine,
  settings: McpServerSettings,
  access: { canList: boolean } = { canList: true },
): void {
  server.registerResource(
    'generated-image',
    new ResourceTemplate('generated-images://{image_id}', {
      list: async () => {
        // Without the read scope the caller may not see even its own images listed.
        if (!access.canList) return { resources: [] };
        const page = await engine.history({ limit: 50 });
        return {
          resources: page.images.map((image) => ({
            uri: `generated-images://${image.imageId}`,
            name: image.imageId,
            description: image.promptExcerpt,
            mimeType: image.mimeType,
            size: image.sizeBytes,
          })),
        };
      },
      complete: { image_id: async (value) => (access.canList ? engine.completeImageIds(value, 20) : []) },
    }),
    {
      title: 'Generated image',
      description: 'A stored image, as its original bytes with its real MIME type.',
      cacheHint: resourceCacheHints.storedImage,
    },
    async (uri, variables) => {
      const imageId = String(variables['image_id'] ?? '');
      const image = await engine.getImage(imageId).catch((error: unknown) => notFound(uri.href, error));
      return { contents: [{ uri: uri.href, mimeType: image.mimeType, blob: Buffer.from(image.bytes).toString('base64') }] };
    },
  );

  server.registerResource(
    'image-history',
    new ResourceTemplate(new OptionalQueryTemplate('image-history://recent', ['limit', 'days']), {
      list: async () => ({ resources: [{ uri: 'image-history://recent', name: 'Recent images', mimeType: 'application/json' }] }),
    }),
    {
      title: 'Recent images',
      description: 'Recently generated images; query parameters limit (default 10, max 100) and days (default 7).',
      mimeType: 'application/json',
      cacheHint: resourceCacheHints.changing,
    },
    async (uri) =>
      json(
        uri.href,
        await describeHistory(
          engine,
          boundedNumber(uri.searchParams.get('limit'), 10, 1, 100),
          boundedNumber(uri.searchParams.get('days'), 7, 0.001, 36500),
        ),
      ),
  );

  server.registerResource(
    'storage-stats',
    'storage-stats://overview',
    {
      title: 'Storage statistics',
      description: 'Stored images, disk usage, retention and the last cleanup.',
      mimeType: 'application/json',
      cacheHint: resourceCacheHints.changing,
    },
    async (uri) => json(uri.href, await describeStats(engine, settings)),
  );

  server.registerResource(
    'model-info',
    new ResourceTemplate('model-info://{model}', {
      list: async () => ({
        resources: engine.registry.list({ includeRetired: true }).map((definition) => ({
          uri: `model-info://${definition.id}`,
          name: definition.id,
          description: definition.displayName,
          mimeType: 'application/json',
        })),
      }),
      complete: {
        model: (value) =>
          engine.registry
            .list({ includeRetired: true })
            .map((definition) => definition.id)
            .filter((id) => id.startsWith(value)),
      },
    }),
    {
      title: 'Model information',
      description: 'A model’s capabilities, prices, limits and status.',
      mimeType: 'application/json',
      cacheHint: resourceCacheHints.modelInfo,
    },
    async (uri, variables) => {
      const requested = String(variables['model'] ?? '');
      const definition = engine.registry.get(requested);
      if (!definition) throw new ResourceNotFoundError(uri.href, `No model named ${requested}; see list_available_models.`);
      const listing = (await engine.listModels()).find((candidate) => candidate.definition.id === definition.id);
      return json(uri.href, listing ? describeModel(listing) : definition);
    },
  );
}
