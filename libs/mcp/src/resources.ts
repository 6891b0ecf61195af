import {
  ProtocolError,
  ProtocolErrorCode,
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

/**
 * A failed read as the protocol's errors: an unknown image, or one whose files were found damaged (it is dropped
 * from the index, so for the client it is gone), is resource-not-found; a malformed id is invalid params. Anything
 * else is rethrown and reaches the client as a generic internal error (its text may name files).
 */
function readFailure(uri: string, error: unknown): never {
  if (ImageGenError.isInstance(error)) {
    if (error.code === 'not_found' || error.code === 'model_not_found') throw new ResourceNotFoundError(uri, error.message);
    if (error.code === 'invalid_request')
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message, { uri, reason: 'invalid_id' });
    const imageId = error.details['imageId'];
    if (error.code === 'storage_failed' && error.details['damaged'] === true && typeof imageId === 'string') {
      throw new ResourceNotFoundError(
        uri,
        `Image ${imageId} can no longer be served: its stored files are damaged. It is no longer listed; the server's owner can repair or remove its files.`,
      );
    }
  }
  throw error;
}

/** The bounds of one numeric query parameter of a resource URI. */
interface QueryNumberRule {
  name: string;
  fallback: number;
  /** Whole numbers only. */
  whole: boolean;
  /** Smallest accepted value (inclusive) … */
  minimum: number;
  /** … and largest. */
  maximum: number;
  /** The accepted range in words, for the refusal. */
  range: string;
}

/** A query parameter read exactly: absent gives the default, anything outside the rule is refused as invalid params. */
function queryNumber(uri: URL, rule: QueryNumberRule): number {
  const value = uri.searchParams.get(rule.name);
  if (value === null) return rule.fallback;
  const shape = rule.whole ? /^\d{1,9}$/ : /^\d{1,9}(\.\d{1,9})?$/;
  const parsed = shape.test(value) ? Number(value) : Number.NaN;
  if (parsed >= rule.minimum && parsed <= rule.maximum) return parsed;
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Query parameter ${rule.name} must be ${rule.range}; got ${shown}.`, {
    uri: uri.href,
    parameter: rule.name,
  });
}

/** The query parameters of `image-history://recent`. */
const historyLimit: QueryNumberRule = {
  name: 'limit',
  fallback: 10,
  whole: true,
  minimum: 1,
  maximum: 100,
  range: 'a whole number from 1 to 100',
};
const historyDays: QueryNumberRule = {
  name: 'days',
  fallback: 7,
  whole: false,
  minimum: 0.001,
  maximum: 36_500,
  range: 'a number of days from 0.001 to 36500',
};

/** Refuses query parameters a resource does not take (a misspelt `limt` would otherwise silently give the defaults). */
function refuseUnknownQuery(uri: URL, known: readonly string[]): void {
  for (const name of uri.searchParams.keys()) {
    if (!known.includes(name)) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown query parameter ${JSON.stringify(name.slice(0, 40))}; this resource takes ${known.join(' and ')}.`,
        { uri: uri.href, parameter: name.slice(0, 40) },
      );
    }
  }
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
      const image = await engine.getImage(imageId).catch((error: unknown) => readFailure(uri.href, error));
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
    async (uri) => {
      refuseUnknownQuery(uri, [historyLimit.name, historyDays.name]);
      return json(uri.href, await describeHistory(engine, queryNumber(uri, historyLimit), queryNumber(uri, historyDays)));
    },
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
