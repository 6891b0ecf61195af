import sharp from 'sharp';

/**
 * An image provider that lives in memory: no HTTP, no SDK. It has the shape of `ImageProvider` from
 * `@imagegen/providers` (structurally, so this package does not depend on the providers), answers after a delay you
 * choose, honours the call's abort signal the way a real provider does, and records every call. Engine tests use it to
 * check the flow (cost, cancellation, sharing, jobs) without a server; end-to-end tests keep using the fake servers.
 */
export interface InMemoryImageProvider {
  readonly id: string;
  generate(call: InMemoryProviderCall): Promise<InMemoryProviderResult>;
  edit(call: InMemoryProviderCall): Promise<InMemoryProviderResult>;
  listAvailableModels(signal?: AbortSignal): Promise<string[]>;
  /** Every call received, in order (also the ones that failed or were aborted). */
  readonly calls: ReceivedProviderCall[];
  /** Calls running now. */
  inFlight(): number;
  /** Changes the answer delay for later calls. */
  setDelayMs(delayMs: number): void;
}

/** The parts of a provider call this fake looks at. */
export interface InMemoryProviderCall {
  model: { id: string };
  prompt: string;
  n: number;
  size: 'auto' | { width: number; height: number };
  quality?: string;
  outputFormat?: 'png' | 'jpeg' | 'webp';
  images?: readonly unknown[];
  signal?: AbortSignal;
}

/** What the fake answers. */
export interface InMemoryProviderResult {
  images: Array<{ data: Uint8Array; mimeType: string }>;
  usage?: { inputTextTokens?: number; inputImageTokens?: number; outputTokens?: number; totalTokens?: number };
  costUsd?: number;
  warnings: never[];
  modelUsed: string;
}

/** One recorded call. */
export interface ReceivedProviderCall {
  operation: 'generate' | 'edit';
  model: string;
  prompt: string;
  n: number;
  size: string;
  quality?: string;
  /** How the call ended so far: `running`, `answered`, `aborted` or `failed`. */
  outcome: 'running' | 'answered' | 'aborted' | 'failed';
}

/** Options of {@link createInMemoryImageProvider}. */
export interface InMemoryImageProviderOptions {
  /** Provider id; default `openai`. */
  id?: string;
  /** Milliseconds before each call answers; default 0. */
  delayMs?: number;
  /** Size of the image answered for `size: auto`; default 1024x1024. */
  autoSize?: { width: number; height: number };
  /**
   * Output tokens reported per image (the cost then comes from the model's prices); default 196, what the registry
   * lists for gpt-image-2 at low quality and 1024x1024.
   */
  outputTokensPerImage?: number;
  /** Report this cost in USD per call instead of token usage. */
  costUsdPerCall?: number;
  /** Return an error to fail a call with it (the index counts calls from 0). */
  failWith?: (call: InMemoryProviderCall, callIndex: number) => Error | undefined;
  /** Model ids listed as available; default: none. */
  availableModels?: string[];
}

const imageCache = new Map<string, Promise<Buffer>>();

/** A flat-colour image of the size asked for, encoded once per size and format. */
function imageOf(width: number, height: number, format: 'png' | 'jpeg' | 'webp'): Promise<Buffer> {
  const key = `${width}x${height}.${format}`;
  let image = imageCache.get(key);
  if (!image) {
    image = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } })
      .toFormat(format)
      .toBuffer();
    imageCache.set(key, image);
  }
  return image;
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
}

/** Waits `milliseconds`, rejecting with an `AbortError` as soon as `signal` fires. */
function wait(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Creates an {@link InMemoryImageProvider}. */
export function createInMemoryImageProvider(options: InMemoryImageProviderOptions = {}): InMemoryImageProvider {
  const calls: ReceivedProviderCall[] = [];
  let delayMs = options.delayMs ?? 0;
  let running = 0;

  const answer = async (operation: 'generate' | 'edit', call: InMemoryProviderCall): Promise<InMemoryProviderResult> => {
    const { width, height } = call.size === 'auto' ? (options.autoSize ?? { width: 1024, height: 1024 }) : call.size;
    const record: ReceivedProviderCall = {
      operation,
      model: call.model.id,
      prompt: call.prompt,
      n: call.n,
      size: `${width}x${height}`,
      ...(call.quality === undefined ? {} : { quality: call.quality }),
      outcome: 'running',
    };
    const callIndex = calls.length;
    calls.push(record);
    running += 1;
    try {
      await wait(delayMs, call.signal);
      const failure = options.failWith?.(call, callIndex);
      if (failure) throw failure;
      const format = call.outputFormat ?? 'png';
      const data = await imageOf(width, height, format);
      record.outcome = 'answered';
      const outputTokens = (options.outputTokensPerImage ?? 196) * call.n;
      const inputTextTokens = Math.ceil(call.prompt.length / 4);
      return {
        images: Array.from({ length: call.n }, () => ({ data: new Uint8Array(data), mimeType: `image/${format}` })),
        ...(options.costUsdPerCall === undefined
          ? { usage: { inputTextTokens, outputTokens, totalTokens: inputTextTokens + outputTokens } }
          : { costUsd: options.costUsdPerCall }),
        warnings: [],
        modelUsed: call.model.id,
      };
    } catch (error) {
      record.outcome = (error as { name?: unknown }).name === 'AbortError' ? 'aborted' : 'failed';
      throw error;
    } finally {
      running -= 1;
    }
  };

  return {
    id: options.id ?? 'openai',
    generate: (call) => answer('generate', call),
    edit: (call) => answer('edit', call),
    listAvailableModels: async () => [...(options.availableModels ?? [])],
    calls,
    inFlight: () => running,
    setDelayMs(value) {
      delayMs = value;
    },
  };
}
