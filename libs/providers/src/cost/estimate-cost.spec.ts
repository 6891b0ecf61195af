import type { ModelDefinition } from '../contract';
import { openaiModels } from '../registry/openai-models';
import { costFromUsage } from './cost-from-usage';
import { estimateCost } from './estimate-cost';

function model(id: string): ModelDefinition {
  const found = openaiModels.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no built-in ${id}`);
  return found;
}

const perImageModel: ModelDefinition = {
  id: 'tiered-image',
  provider: 'gemini',
  displayName: 'Tiered',
  aliases: [],
  status: { kind: 'active' },
  capabilities: {
    ...model('gpt-image-2').capabilities,
    sizes: {
      kind: 'aspect-ratios',
      ratios: ['1:1', '16:9'],
      imageSizes: ['1K', '2K', '4K'],
      longEdgeByImageSize: { '1K': 1024, '2K': 2048, '4K': 4096 },
    },
  },
  pricing: { kind: 'per-image', perImageBySize: { '1K': 0.134, '2K': 0.134, '4K': 0.24 }, textInputPerMillion: 2, imageInputPerMillion: 2 },
};

describe('estimateCost', () => {
  it('prices gpt-image-1.5 output tokens from the published table (4160 high tokens at $32/M, plus the prompt)', () => {
    const usd = estimateCost(model('gpt-image-1.5'), {
      prompt: 'abcd'.repeat(10),
      n: 2,
      size: { width: 1024, height: 1024 },
      quality: 'high',
    });
    // 10 prompt tokens × $5/M + 2 × 4160 × $32/M
    expect(usd).toBeCloseTo(0.00005 + 0.26624, 6);
  });

  it('uses the dearest size for auto and high quality when quality is auto or unset', () => {
    const auto = estimateCost(model('gpt-image-1.5'), { prompt: '', n: 1, size: 'auto' });
    expect(auto).toBeCloseTo((6240 * 32) / 1e6, 6);
  });

  it('scales the nearest listed size by pixel count for custom gpt-image-2 sizes', () => {
    const square = estimateCost(model('gpt-image-2'), { prompt: '', n: 1, size: { width: 1024, height: 1024 }, quality: 'medium' }) ?? 0;
    const double = estimateCost(model('gpt-image-2'), { prompt: '', n: 1, size: { width: 2048, height: 2048 }, quality: 'medium' }) ?? 0;
    expect(square).toBeCloseTo((439 * 30) / 1e6, 6);
    expect(double).toBeCloseTo(square * 4, 5);
  });

  it('adds about 100 output tokens per partial image', () => {
    const plain = estimateCost(model('gpt-image-2'), { prompt: '', n: 1, size: { width: 1024, height: 1024 }, quality: 'low' }) ?? 0;
    const streamed =
      estimateCost(model('gpt-image-2'), { prompt: '', n: 1, size: { width: 1024, height: 1024 }, quality: 'low', partialImages: 2 }) ?? 0;
    expect(streamed - plain).toBeCloseTo((200 * 30) / 1e6, 6);
  });

  it('reports unknown cost as undefined instead of guessing', () => {
    expect(estimateCost(model('gpt-image-2.6-flare'), { prompt: 'p', n: 1, size: 'auto' })).toBeUndefined();
  });

  it('prices per-image models by the tier covering the size', () => {
    expect(estimateCost(perImageModel, { prompt: '', n: 2, size: { width: 3840, height: 2160 } })).toBeCloseTo(0.48, 6);
    expect(estimateCost(perImageModel, { prompt: '', n: 1, size: 'auto' })).toBeCloseTo(0.134, 6);
  });
});

describe('costFromUsage', () => {
  it('charges text, input-image and output tokens at their own rates', () => {
    const usd = costFromUsage(model('gpt-image-1-mini'), { inputTextTokens: 1000, inputImageTokens: 2000, outputTokens: 4000 });
    expect(usd).toBeCloseTo((1000 * 2 + 2000 * 2.5 + 4000 * 8) / 1e6, 9);
  });

  it('is undefined without pricing or without token counts', () => {
    expect(costFromUsage(model('chatgpt-image-latest'), { outputTokens: 10 })).toBeUndefined();
    expect(costFromUsage(model('gpt-image-2'), {})).toBeUndefined();
    expect(costFromUsage(model('gpt-image-2'), undefined)).toBeUndefined();
  });

  it('charges per-image models per image returned', () => {
    expect(costFromUsage(perImageModel, { inputTextTokens: 500 }, { images: 1, size: { width: 1024, height: 1024 } })).toBeCloseTo(
      0.134 + 0.001,
      6,
    );
    expect(costFromUsage(perImageModel, { inputTextTokens: 500 })).toBeUndefined();
  });
});
