/**
 * The one schema of every imagegen setting. A setting's environment variable is its path upper-cased and joined
 * by `__` (`providers.openai.api_key` ⇔ `PROVIDERS__OPENAI__API_KEY`); the JSON config file uses the same nested
 * keys in lower case. Leaves accept typed values and the text forms the environment carries.
 */
import { z } from 'zod';
import {
  choice,
  customModelList,
  decimal,
  flag,
  folderPath,
  folderPathList,
  imageSize,
  integer,
  list,
  octalPermissions,
  optionalSetting,
  setting,
  text,
  url,
} from './setting-builders';

const httpUrl = () => url(['http', 'https'], { credentials: 'refused' });
/** The smallest tool-result budget: room for the summary text, the structured content and the resource links. */
export const minimumResponseByteBudget = 16_384;
const timeoutSeconds = (provider: string) =>
  setting(decimal({ greaterThan: 0 }), {
    default: 300,
    description: `Seconds to wait for one ${provider} request before giving up.`,
  });
const maxRetries = (provider: string) =>
  setting(integer({ min: 0, max: 10 }), {
    default: 3,
    description: `Retries of a failed ${provider} request (connection errors, 429, 5xx). A retried time-out may be billed twice.`,
  });
const maxConcurrency = (provider: string) =>
  setting(integer({ min: 1 }), { default: 4, description: `Requests sent to ${provider} at the same time; the rest wait in a queue.` });

const openaiSchema = z.object({
  api_key: optionalSetting(text(), {
    description: 'OpenAI API key. Falls back to OPENAI_API_KEY when no source sets this.',
    secret: 'whole',
  }),
  base_url: setting(httpUrl(), {
    default: 'https://api.openai.com/v1',
    description: 'Base URL of the OpenAI API (a proxy or a compatible gateway).',
  }),
  organization: optionalSetting(text(), { description: 'OpenAI organization id sent with every request.' }),
  project: optionalSetting(text(), { description: 'OpenAI project id sent with every request.' }),
  timeout: timeoutSeconds('OpenAI'),
  max_retries: maxRetries('OpenAI'),
  enabled: optionalSetting(flag(), {
    description: 'Turns the OpenAI provider on or off. Unset: enabled when a key is configured.',
  }),
  max_concurrency: maxConcurrency('OpenAI'),
  safety_identifier: optionalSetting(text(), {
    description:
      'Stable, non-identifying id of the end user sent as OpenAI safety_identifier (hash a user name; never an e-mail address). A request or the HTTP principal can set its own.',
  }),
});

const geminiSchema = z.object({
  api_key: optionalSetting(text(), {
    description: 'Google Gemini API key. Falls back to GOOGLE_API_KEY, then GEMINI_API_KEY, when no source sets this.',
    secret: 'whole',
  }),
  base_url: optionalSetting(httpUrl(), { description: 'Base URL of the Gemini API. Unset: the SDK default.' }),
  timeout: timeoutSeconds('Gemini'),
  max_retries: maxRetries('Gemini'),
  enabled: optionalSetting(flag(), {
    description: 'Turns the Gemini provider on or off. Unset: enabled when a key (or a Vertex AI project) is configured.',
  }),
  default_model: setting(text(), {
    default: 'gemini-nano-banana-2.1',
    description: 'Gemini model used when a request names only the provider.',
  }),
  vertexai: setting(flag(), { default: false, description: 'Use Vertex AI instead of the Gemini API.' }),
  project: optionalSetting(text(), { description: 'Google Cloud project for Vertex AI.' }),
  location: setting(text(), { default: 'global', description: 'Google Cloud location for Vertex AI.' }),
  max_concurrency: maxConcurrency('Gemini'),
  api_version: optionalSetting(text(), { description: 'API version passed to the Google SDK (e.g. v1). Unset: the SDK default.' }),
});

const imagesSchema = z.object({
  default_model: setting(text(), { default: 'gpt-image-2', description: 'Model used when a request names none.' }),
  default_quality: setting(choice(['auto', 'low', 'medium', 'high', 'xhigh', 'max']), {
    default: 'auto',
    description: 'Quality used when a request names none; mapped to what the model supports.',
  }),
  default_size: setting(imageSize(), { default: '1536x1024', description: 'Size used when a request names none.' }),
  default_style: optionalSetting(choice(['vivid', 'natural']), {
    description:
      'Style used when a request names none. Models without a style parameter (all current GPT image models) get it as a description added to the prompt, with a warning; unset by default.',
  }),
  default_moderation: setting(choice(['auto', 'low']), {
    default: 'auto',
    description: 'OpenAI moderation strictness used when a request names none.',
  }),
  default_output_format: setting(choice(['png', 'jpeg', 'webp']), {
    default: 'png',
    description: 'File format used when a request names none.',
  }),
  default_compression: setting(integer({ min: 0, max: 100 }), {
    default: 100,
    description: 'Compression level for jpeg and webp output (100 = best quality).',
  }),
  continue_on_cancel: setting(flag(), {
    default: true,
    description:
      'Keep a generation that reached the provider running when its client cancels or goes away: it is paid for, so it is stored and cached, and asking again returns it. false aborts it.',
  }),
  wait_seconds: setting(integer({ min: 0, max: 3600 }), {
    default: 45,
    description:
      'How long generate_image and edit_image wait before answering with a job id to fetch with get_generation (their wait_seconds default). Below 60 so hosts that cut tool calls at a minute never do.',
  }),
  base_host: optionalSetting(httpUrl(), {
    description: 'Public base URL for image links served over HTTP (e.g. https://images.example.com).',
  }),
  max_input_bytes: setting(integer({ min: 1 }), {
    default: 50 * 1024 * 1024,
    description: 'Largest input image accepted for editing, in bytes (50 MiB).',
  }),
  max_input_pixels: setting(integer({ min: 1 }), {
    default: 50_000_000,
    description: 'Largest input image accepted for editing, in pixels (guards against decompression bombs).',
  }),
  custom_models: optionalSetting(customModelList(), {
    description: 'Extra or overridden model definitions (JSON in the environment); the engine validates the details.',
  }),
});

const serverSchema = z.object({
  name: setting(text(), { default: 'Image Gen MCP Server', description: 'Server name announced to MCP clients.' }),
  version: setting(text(), { default: '0.1.0', description: 'Server version announced to MCP clients.' }),
  port: setting(integer({ min: 0, max: 65535 }), {
    default: 3001,
    description: 'TCP port of the HTTP transport; 0 picks a free one (logged at start).',
  }),
  host: setting(text(), { default: '127.0.0.1', description: 'Interface the HTTP transport listens on.' }),
  log_level: setting(choice(['debug', 'info', 'warn', 'error']), {
    default: 'info',
    description: 'Lowest level of log lines written (to standard error).',
  }),
  rate_limit_rpm: setting(integer({ min: 0 }), {
    default: 50,
    description: 'Requests per minute sent to each provider; 0 = unlimited.',
  }),
  auth_token: optionalSetting(text(), {
    description: 'Bearer token the HTTP transport requires from clients. Unset: no authentication.',
    secret: 'whole',
  }),
  allowed_hosts: setting(list(), {
    default: [],
    description: 'Host headers the HTTP transport accepts (DNS-rebinding protection). Empty: loopback names only.',
  }),
  allowed_origins: setting(list(), {
    default: [],
    description:
      'Browser Origin headers the HTTP transport accepts besides its own loopback and allowed-host names (DNS-rebinding protection); * accepts any. Requests without Origin always pass.',
  }),
  cors_origins: setting(list(), {
    default: [],
    description:
      'Origins that get CORS headers from the HTTP transport (Mcp-Session-Id exposed); they are accepted origins too. * = any accepted origin.',
  }),
  stateless: setting(flag(), { default: false, description: 'Serve HTTP statelessly: a new MCP server per request.' }),
  session_idle_minutes: setting(decimal({ greaterThan: 0 }), {
    default: 30,
    description: 'Minutes after which an idle HTTP session is closed.',
  }),
  shutdown_grace_seconds: setting(decimal({ min: 0 }), {
    default: 30,
    description: 'Seconds a stopping HTTP server waits for running tool calls to finish before it closes the sessions.',
  }),
  max_body_mb: setting(decimal({ greaterThan: 0 }), {
    default: 72,
    description:
      'Largest HTTP request body, in MiB. The default takes an edit with one input image of IMAGES__MAX_INPUT_BYTES (50 MiB) as base64, about 67 MiB; larger bodies get 413 before they are read.',
  }),
  max_concurrent_large_bodies: setting(integer({ min: 1 }), {
    default: 2,
    description:
      'HTTP requests with a body over 1 MiB (an edit with base64 images) read and served at once; others wait their turn unread, up to 30 seconds, then get 503 with Retry-After. Bounds the memory bodies take together.',
  }),
  request_timeout_seconds: setting(decimal({ min: 1, max: 3600 }), {
    default: 120,
    description:
      'Seconds a client has to send a whole HTTP request (headers within 60 of them); a body that stalls gets 408 and the connection is closed.',
  }),
  max_sessions: setting(integer({ min: 1 }), {
    default: 200,
    description:
      'Open MCP sessions the HTTP transport keeps at once: 2025 Streamable HTTP sessions and legacy SSE streams together (each holds its own MCP server, up to about 0.8 MB). Beyond it, a new one gets 503 with Retry-After.',
  }),
  max_sessions_per_client: setting(integer({ min: 1 }), {
    default: 50,
    description:
      'Open MCP sessions (Streamable HTTP and SSE) one client may hold: its authenticated principal, else its IP address. Beyond it, a new one gets 429 with Retry-After.',
  }),
  response_byte_budget: setting(
    integer({ min: minimumResponseByteBudget, reason: 'smaller budgets leave no room for the text and structured parts of a tool result' }),
    {
      default: 700_000,
      description: `Largest tool result in bytes (at least ${minimumResponseByteBudget}); bigger images are returned as links instead of inline data.`,
    },
  ),
  inline_preview: setting(flag(), {
    default: true,
    description:
      'Put the image (or, when it is bigger than the byte budget, a small JPEG preview of it) inline in tool results. false: text, resource link and structured content only, which saves decoding every new image for its preview.',
  }),
  include_data_url: setting(flag(), {
    default: false,
    description:
      'Also return the first image as a data URL (image_url) when the result still fits the byte budget with it; otherwise it is left out and the text says so. The inline image stays (unless SERVER__INLINE_PREVIEW is false).',
  }),
  allowed_folders: setting(folderPathList(), {
    default: [],
    description: 'Local folders whose files the edit tool may read; resolved like STORAGE__BASE_PATH. Empty: none.',
  }),
  client_rate_limit_rpm: setting(integer({ min: 0 }), {
    default: 120,
    description:
      'HTTP requests per minute accepted from one client (its bearer token, else its IP address) on /mcp, /sse, /messages and /images; more get 429 with Retry-After. 0 = unlimited.',
  }),
});

const s3Schema = z.object({
  bucket: optionalSetting(text(), {
    description:
      'Bucket for images and their metadata; required when STORAGE__BACKEND is s3. Credentials come from the AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance or task role).',
  }),
  prefix: optionalSetting(text(), {
    description: 'Key prefix inside the bucket (e.g. team-a/), so several installations can share one bucket. Unset: the bucket root.',
  }),
  endpoint: optionalSetting(httpUrl(), {
    description: 'Endpoint of an S3-compatible service (MinIO, Ceph, R2, …). Unset: AWS S3 for the region.',
  }),
  region: setting(text(), { default: 'us-east-1', description: 'Region of the bucket.' }),
  force_path_style: setting(flag(), {
    default: false,
    description: 'Address the bucket as endpoint/bucket instead of bucket.endpoint (MinIO and most self-hosted services need true).',
  }),
});

const storageSchema = z
  .object({
    backend: setting(choice(['filesystem', 's3']), {
      default: 'filesystem',
      description:
        'Where images and their metadata are kept: filesystem (STORAGE__BASE_PATH) or s3 (an S3-compatible bucket, STORAGE__S3__*). Several replicas need s3 and DATABASE__URL.',
    }),
    base_path: optionalSetting(folderPath(), {
      description:
        'Folder for images and the cost ledger. A relative path is resolved against the config file folder when set there, ' +
        'else against the working directory. Default: the per-user data folder.',
      defaultLabel: 'per-user data folder',
    }),
    retention_days: setting(integer({ min: 0 }), {
      default: 30,
      description: 'Days an image is kept; 0 = keep forever.',
    }),
    max_size_gb: setting(decimal({ greaterThan: 0 }), {
      default: 10,
      description: 'Largest total size of stored images, in GB; the oldest go first.',
    }),
    cleanup_interval_hours: setting(decimal({ greaterThan: 0 }), {
      default: 24,
      description: 'Hours between retention runs.',
    }),
    create_subdirectories: setting(flag(), {
      default: true,
      description: 'Store images in YYYY/MM/DD folders instead of one flat folder.',
    }),
    file_permissions: optionalSetting(octalPermissions(), {
      description: 'Permission bits of saved image files. Unset: the storage default (644).',
    }),
    min_free_space_mb: setting(decimal({ min: 0 }), {
      default: 100,
      description:
        'Generations are refused before the provider is called (and saves refused) when less than this much disk space, in MB, would stay free after the image.',
    }),
    s3: s3Schema,
  })
  .check(
    z.superRefine(
      (storage, context) => {
        if (storage.backend === 's3' && storage.s3.bucket === undefined) {
          context.addIssue({ code: 'custom', path: ['s3', 'bucket'], message: 'not set, but required when STORAGE__BACKEND is s3' });
        }
      },
      { when: () => true },
    ),
  );

const databaseSchema = z.object({
  url: optionalSetting(url(['postgres', 'postgresql']), {
    description:
      'PostgreSQL connection URL. Set: the image index (with STORAGE__BACKEND=s3), the cost ledger and the generation jobs live in this database, shared by every replica. Unset: files beside the images.',
    secret: 'url-password',
  }),
  migrate_on_start: setting(flag(), {
    default: true,
    description:
      'Bring the database schema up to date when the server starts (safe with several replicas). false: run `imagegen db migrate` yourself.',
  }),
  max_connections: setting(integer({ min: 1 }), { default: 10, description: 'Most database connections one process opens.' }),
});

const cacheSchema = z.object({
  enabled: setting(flag(), { default: true, description: 'Reuse the result of an identical earlier request.' }),
  ttl_hours: setting(decimal({ greaterThan: 0 }), { default: 24, description: 'Hours a cached result stays valid.' }),
  backend: setting(choice(['memory', 'redis']), { default: 'memory', description: 'Where cached results are kept.' }),
  max_size_mb: setting(decimal({ greaterThan: 0 }), {
    default: 500,
    description: 'Largest size of the cache in MB (the image bytes behind its entries); least recently used entries go first.',
  }),
  redis_url: optionalSetting(url(['redis', 'rediss']), {
    description:
      'Redis connection URL of the cache; when CACHE__BACKEND is redis, this or REDIS__URL is required. Several servers sharing one Redis share its cache.',
    secret: 'url-password',
  }),
  redis_key_prefix: setting(text(), {
    default: 'imagegen:cache:',
    description: 'Prefix of every Redis key the cache writes, so several installations can share one Redis.',
  }),
  share_across_principals: setting(flag(), {
    default: false,
    description:
      "With sign-in (AUTH__MODE=oauth): answer a request from the cache when another user made the identical one (the images are copied into the caller's history, no provider call). false: each user's cache is their own.",
  }),
});

const redisSchema = z.object({
  url: optionalSetting(url(['redis', 'rediss']), {
    description:
      "Redis connection URL that several replicas coordinate through: one provider call for identical requests on different replicas, provider and per-client limits counted across all of them, jobs of a replica that died reported as interrupted. Also the cache's Redis when CACHE__BACKEND is redis and CACHE__REDIS_URL is unset. Unset: each process on its own.",
    secret: 'url-password',
  }),
  key_prefix: setting(text(), {
    default: 'imagegen:coord:',
    description: 'Prefix of every Redis key the coordination writes, so several installations can share one Redis.',
  }),
  lease_seconds: setting(decimal({ greaterThan: 0 }), {
    default: 30,
    description:
      'Seconds a replica holds a request it is generating, a provider slot or its presence without renewing it (renewed every third of it): what a replica that died held is free again, and its running jobs reported, after this long.',
  }),
});

const costSchema = z.object({
  daily_budget_usd: optionalSetting(decimal({ min: 0 }), {
    description: 'Spending cap per day in USD; requests are refused once reached. Unset: no cap.',
  }),
  monthly_budget_usd: optionalSetting(decimal({ min: 0 }), {
    description: 'Spending cap per calendar month in USD. Unset: no cap.',
  }),
  principal_daily_budget_usd: optionalSetting(decimal({ min: 0 }), {
    description:
      "Each signed-in user's own spending cap per day in USD, beside the global one; an administrator can set another for one user (set_user_budget). Unset: no per-user cap.",
  }),
  principal_monthly_budget_usd: optionalSetting(decimal({ min: 0 }), {
    description: "Each signed-in user's own spending cap per calendar month in USD, beside the global one. Unset: no per-user cap.",
  }),
});

const authSchema = z
  .object({
    mode: optionalSetting(choice(['none', 'token', 'oauth']), {
      description:
        'How HTTP clients authenticate: none, token (the shared SERVER__AUTH_TOKEN) or oauth (sign-in through the identity provider AUTH__ISSUER; one history, budget and rate limit per user). Unset: token when SERVER__AUTH_TOKEN is set, else none.',
    }),
    issuer: optionalSetting(httpUrl(), {
      description:
        "The identity provider (OAuth 2.1 authorization server) whose access tokens are accepted with AUTH__MODE=oauth: its issuer URL, named in the server's protected resource metadata; its JWKS gives the signing keys.",
    }),
    audience: optionalSetting(httpUrl(), {
      description:
        "The audience access tokens must be issued for (RFC 8707 resource indicator). Unset: the server's own /mcp URL (IMAGES__BASE_HOST, else the listening address, plus /mcp).",
    }),
    tenant_claim: setting(text(), {
      default: 'sub',
      description: 'The access-token claim that names the user (their history, budget and rate limit).',
    }),
    admin_scope: setting(text(), {
      default: 'images:admin',
      description: "The scope that sees every user's images, jobs and spend and may set per-user budgets.",
    }),
  })
  .check(
    z.superRefine(
      (auth, context) => {
        if (auth.mode === 'oauth' && auth.issuer === undefined) {
          context.addIssue({ code: 'custom', path: ['issuer'], message: 'not set, but required when AUTH__MODE is oauth' });
        }
      },
      { when: () => true },
    ),
  );

const templatesSchema = z.object({
  enable_custom: setting(flag(), { default: true, description: 'Load custom prompt templates from TEMPLATES__DIRECTORY.' }),
  directory: optionalSetting(folderPath(), {
    description: 'Folder of custom prompt templates; resolved like STORAGE__BASE_PATH.',
  }),
  auto_size_optimization: setting(flag(), {
    default: true,
    description:
      'Let templates pick the image size that suits them (e.g. 1200x630 for Open Graph): the CLI uses it when --size is not given and MCP prompts ask for it. false: the default size applies.',
  }),
});

/** The schema of the whole configuration. Parse the nested object built from all sources with it. */
export const imageGenConfigSchema = z
  .object({
    providers: z.object({ openai: openaiSchema, gemini: geminiSchema }),
    images: imagesSchema,
    server: serverSchema,
    storage: storageSchema,
    database: databaseSchema,
    cache: cacheSchema,
    redis: redisSchema,
    auth: authSchema,
    cost: costSchema,
    templates: templatesSchema,
  })
  .check(
    // `when` keeps this check running while other settings are invalid, so every problem is reported at once.
    z.superRefine(
      (config, context) => {
        const cache = config.cache as Partial<z.output<typeof cacheSchema>> | undefined;
        const redis = config.redis as Partial<z.output<typeof redisSchema>> | undefined;
        if (cache?.backend === 'redis' && cache.redis_url === undefined && redis?.url === undefined) {
          context.addIssue({
            code: 'custom',
            path: ['cache', 'redis_url'],
            message: 'not set, but required when CACHE__BACKEND is redis (or set REDIS__URL)',
          });
        }
      },
      { when: () => true },
    ),
  );

/**
 * The validated configuration. Keys are snake_case exactly as the environment variable names lower-cased.
 * `storage.base_path` is always set (an absolute path) in a configuration returned by `loadConfig`.
 */
export type ImageGenConfig = z.output<typeof imageGenConfigSchema> & {
  storage: z.output<typeof storageSchema> & { base_path: string };
};
