/** The flow's steps one by one, with explicit inputs. */
import { ImageGenError } from '@imagegen/common';
import { builtInModels, createModelRegistry, planRequest, type ProviderResult } from '@imagegen/providers';
import { createCostLedger } from '../cost/cost-ledger';
import { createMemoryLedgerPersistence } from '../cost/ledger-persistence';
import { resultFromSummary } from './cached-generation';
import { actualCost, costBounds } from './cost-bounds';
import { planGeneration } from './plan-generation';
import { expectedImageBytes, preflight } from './preflight';
import { recordFailedCall } from './record-cost';
import { providerFor, resolveModel } from './resolve-model';

const registry = createModelRegistry({ models: builtInModels });
const model = registry.resolve('gpt-image-2');
const defaults = { model: 'gpt-image-2', size: '1024x1024', quality: 'low', outputFormat: 'png' as const };

describe('resolve the model', () => {
  it('takes the default, a provider name or an id, and names the setting of a provider that is not configured', () => {
    const context = { registry, defaultModel: 'gpt-image-2', providerDefaultModels: { gemini: 'gemini-3-pro-image' } };
    expect(resolveModel(undefined, context).id).toBe('gpt-image-2');
    expect(() => providerFor(model, new Map(), { openai: 'OPENAI_API_KEY' })).toThrow(/OPENAI_API_KEY/);
    expect(() => providerFor(model, new Map(), { constructor: 'X' })).toThrow(/PROVIDERS__OPENAI__API_KEY/);
  });
});

describe('plan', () => {
  it('applies the default style and gives equal requests equal keys', async () => {
    const request = { operation: 'generate' as const, input: { prompt: 'a fox' }, inputImages: [], inputWarnings: [] };
    const plain = await planGeneration(request, model, defaults);
    const styled = await planGeneration(request, model, { ...defaults, style: 'vivid' });
    expect(plain.plan.call.prompt).toBe('a fox');
    expect(styled.plan.call.prompt).toMatch(/Style: vivid/);
    expect(styled.requestHash).not.toBe(plain.requestHash);
    expect((await planGeneration(request, model, defaults)).requestHash).toBe(plain.requestHash);
    expect(plain.parameters).toMatchObject({ n: 1, size: '1024x1024', quality: 'low', output_format: 'png' });
  });
});

describe('cost bounds', () => {
  it('bounds a request at least at its estimate, higher when the quality is left to the model', () => {
    const low = costBounds(model, planRequest(model, { prompt: 'a fox', quality: 'low' }, defaults));
    const auto = costBounds(model, planRequest(model, { prompt: 'a fox', quality: 'auto' }, defaults));
    expect(low.maxUsd).toBeGreaterThanOrEqual(low.estimatedUsd ?? Infinity);
    expect(auto.maxUsd).toBeGreaterThan(low.maxUsd ?? Infinity);
  });

  it('holds room in the budget for a few search queries of a grounded request, beyond the one the estimate counts', () => {
    const gemini = registry.resolve('gemini-nano-banana-2.1');
    const plain = costBounds(gemini, planRequest(gemini, { prompt: 'Lisbon today', size: '1024x1024' }, defaults));
    const grounded = costBounds(
      gemini,
      planRequest(gemini, { prompt: 'Lisbon today', size: '1024x1024', searchGrounding: true }, defaults),
    );
    expect((grounded.estimatedUsd ?? 0) - (plain.estimatedUsd ?? 0)).toBeCloseTo(0.014, 6);
    expect((grounded.maxUsd ?? 0) - (plain.maxUsd ?? 0)).toBeGreaterThanOrEqual(5 * 0.014);
  });

  it('takes the actual cost from usage, and none when a part is unknown', () => {
    const plan = planRequest(model, { prompt: 'a fox' }, defaults);
    const answered = (usage?: ProviderResult['usage']): ProviderResult => ({ images: [], warnings: [], ...(usage ? { usage } : {}) });
    expect(actualCost(model, plan, [answered({ outputTokens: 196, inputTextTokens: 2 })])).toBeGreaterThan(0);
    expect(actualCost(model, plan, [answered({ outputTokens: 196 }), answered()])).toBeUndefined();
  });
});

describe('preflight', () => {
  it('asks the store for room for the image it will produce, and checks the ledger', async () => {
    const plan = planRequest(model, { prompt: 'a fox', size: '1536x1024', n: 2 }, defaults);
    expect(expectedImageBytes(plan)).toBeGreaterThanOrEqual(2 * 1536 * 1024 * 4);
    const asked: number[] = [];
    const store = { checkCanSave: async (bytes: number) => void asked.push(bytes) } as never;
    const ledger = await createCostLedger({ persistence: createMemoryLedgerPersistence() });
    await preflight(plan, { store, ledger });
    expect(asked).toEqual([expectedImageBytes(plan)]);
    const full = { checkCanSave: async () => Promise.reject(new ImageGenError({ code: 'storage_failed', message: 'full' })) } as never;
    await expect(preflight(plan, { store: full, ledger })).rejects.toMatchObject({ code: 'storage_failed' });
  });
});

describe('record the cost of a failed call', () => {
  it('is not billed before it went out or on an error answer, possibly billed on no answer', async () => {
    const persistence = createMemoryLedgerPersistence();
    const ledger = await createCostLedger({ persistence });
    const start = { provider: 'openai', model: 'gpt-image-2', estimatedUsd: 0.01, maxUsd: 0.02 };
    const cancelled = new ImageGenError({ code: 'cancelled', message: 'The operation was cancelled.' });
    await recordFailedCall(await ledger.startCall(start), cancelled, false);
    await recordFailedCall(await ledger.startCall(start), new ImageGenError({ code: 'content_blocked', message: 'no' }), true);
    await recordFailedCall(await ledger.startCall(start), new ImageGenError({ code: 'timeout', message: 'slow' }), true);
    const outcomes = persistence.entries.flatMap((entry) => ('outcome' in entry ? [entry.outcome] : []));
    expect(outcomes).toEqual(['not_billed', 'not_billed', 'unknown']);
    expect(ledger.totals()).toMatchObject({ calls: 1, unknownOutcomeCalls: 1, allTimeUsd: 0.01 });
  });
});

describe('a result rebuilt from the cache', () => {
  const summary = {
    taskId: 'task-1',
    model: 'gpt-image-2',
    provider: 'openai',
    imageIds: ['img_20261201120000_0123456789ab'],
    warnings: [],
    prompt: 'a fox',
    parameters: {},
  };
  const facts = {
    imageId: 'img_20261201120000_0123456789ab',
    mimeType: 'image/png',
    filePath: '/images/img_20261201120000_0123456789ab.png',
    metadata: { created_at: '2026-12-01T12:00:00.000Z', file_info: { format: 'png', width: 1536, height: 1024, size_bytes: 3 } },
  };

  it('reads the image bytes only when they are asked for, once, and gives them as stored', async () => {
    const reads: string[] = [];
    const store = {
      getMetadata: async () => facts,
      get: async (imageId: string) => {
        reads.push(imageId);
        return { ...facts, bytes: new Uint8Array([1, 2, 3]) };
      },
    } as never;
    const result = await resultFromSummary(summary, store);
    expect(result?.images[0]).toMatchObject({ imageId: facts.imageId, byteLength: 3, width: 1536, height: 1024, format: 'png' });
    expect(reads).toEqual([]);
    const image = result?.images[0];
    expect([...((await image?.readData()) ?? [])]).toEqual([1, 2, 3]);
    expect([...((await image?.readData()) ?? [])]).toEqual([1, 2, 3]);
    expect(reads).toEqual([facts.imageId]);
  });

  it('is no result when an image is no longer stored', async () => {
    const store = { getMetadata: async () => Promise.reject(new ImageGenError({ code: 'not_found', message: 'gone' })) } as never;
    await expect(resultFromSummary(summary, store)).resolves.toBeUndefined();
  });
});
