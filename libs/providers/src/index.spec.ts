import * as providers from './index';

describe('public surface', () => {
  it('exports the registry, planning, cost, retry and OpenAI entry points by name', () => {
    expect(Object.keys(providers)).toEqual(
      expect.arrayContaining([
        'builtInModels',
        'openaiModels',
        'geminiModels',
        'createModelRegistry',
        'modelDefinitionSchema',
        'modelOverrideSchema',
        'planRequest',
        'resolveSize',
        'parseSize',
        'formatSize',
        'nearestAspectRatio',
        'imageSizeTierFor',
        'estimateCost',
        'costFromUsage',
        'withRetries',
        'isRetryable',
        'parseRetryAfter',
        'createOpenAIProvider',
        'mapOpenAIError',
      ]),
    );
  });

  it('lists OpenAI and Gemini models together in builtInModels', () => {
    expect(providers.builtInModels).toEqual([...providers.openaiModels, ...providers.geminiModels]);
  });
});
