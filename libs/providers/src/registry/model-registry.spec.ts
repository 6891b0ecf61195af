import { createManualClock, ImageGenError } from '@imagegen/common';
import { builtInModels } from './built-in-models';
import { modelDefinitionSchema } from './model-definition-schema';
import { createModelRegistry } from './model-registry';
import { openaiModels } from './openai-models';

const today = createManualClock(new Date('2026-11-25T12:00:00Z'));

function registry(overrides: readonly unknown[] = []) {
  return createModelRegistry({ models: builtInModels, overrides, clock: today });
}

function thrown(action: () => unknown): ImageGenError {
  try {
    action();
  } catch (error) {
    if (ImageGenError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an ImageGenError');
}

describe('built-in OpenAI models', () => {
  it('all pass the schema a user definition must pass', () => {
    for (const model of openaiModels) {
      expect(modelDefinitionSchema.safeParse(model).success).toBe(true);
    }
  });

  it('make gpt-image-2 the OpenAI default', () => {
    expect(registry().defaultModelFor('openai').id).toBe('gpt-image-2');
  });

  it('record the openai 7.x capabilities as data, apart from what requests may use', () => {
    const models = registry();
    const gptImage2 = models.resolve('gpt-image-2').capabilities;
    expect(gptImage2.backgrounds).not.toContain('transparent');
    expect(gptImage2.vendorFeatures?.previewBackgrounds).toEqual(['transparent']);
    const sunburst = models.resolve('gpt-image-2.6-sunburst').capabilities;
    expect(sunburst.outputFormats).toEqual(['png', 'jpeg', 'webp']);
    expect(sunburst.vendorFeatures).toEqual({
      complexities: ['low', 'medium', 'high'],
      outputFormats: ['gif', 'svg'],
      gif: { minFrames: 2, maxFrames: 16, defaultFrames: 9, defaultFrameDurationMs: 200, preview: true },
      markupEdits: true,
    });
    expect(models.resolve('gpt-image-2.5-flare').capabilities.vendorFeatures).toEqual({ markupEdits: true });
  });
});

describe('resolve', () => {
  it('finds ids and aliases regardless of case and spacing', () => {
    const models = registry();
    expect(models.resolve('gpt-image-2').id).toBe('gpt-image-2');
    expect(models.resolve('GPT-Image-2-2026-04-21').id).toBe('gpt-image-2');
    expect(models.resolve('  gpt-image-2.5-FLARE-2026-09-08 ').id).toBe('gpt-image-2.5-flare');
  });

  it('refuses a retired model, naming the date and the replacement', () => {
    const error = thrown(() => registry().resolve('gpt-image-1'));
    expect(error.code).toBe('model_retired');
    expect(error.message).toContain('2026-10-23');
    expect(error.message).toContain('gpt-image-2.5-sunburst');
    expect(error.details).toMatchObject({ replacement: 'gpt-image-2.5-sunburst', retiredDate: '2026-10-23' });
    expect(thrown(() => registry().resolve('dall-e-3')).details).toMatchObject({ replacement: 'gpt-image-2', retiredDate: '2026-05-12' });
  });

  it('resolves a deprecated model before its shutdown date and refuses it from that date on', () => {
    expect(registry().resolve('gpt-image-1.5').status.kind).toBe('deprecated');
    const later = createModelRegistry({ models: builtInModels, clock: createManualClock(new Date('2026-12-01T00:00:01Z')) });
    const error = thrown(() => later.resolve('gpt-image-1.5'));
    expect(error.code).toBe('model_retired');
    expect(error.details).toMatchObject({ replacement: 'gpt-image-2.6-sunburst', retiredDate: '2026-12-01' });
  });

  it('suggests close names for an unknown model', () => {
    const error = thrown(() => registry().resolve('gpt-image-22'));
    expect(error.code).toBe('model_not_found');
    expect(error.details['suggestions']).toContain('gpt-image-2');
    expect(error.message).toContain('Did you mean gpt-image-2');
    const retired = thrown(() => registry().resolve('dalle3'));
    expect(retired.details['suggestions']).toContain('dall-e-3');
    expect(retired.message).toContain('dall-e-3 (shut down; use gpt-image-2)');
    expect(retired.details['available']).not.toContain('dall-e-3');
  });
});

describe('list and get', () => {
  it('lists usable models unless retired ones are asked for', () => {
    const ids = registry()
      .list()
      .map((model) => model.id);
    expect(ids).toContain('gpt-image-2.6-flare');
    expect(ids).toContain('gpt-image-1-mini');
    expect(ids).not.toContain('dall-e-2');
    expect(
      registry()
        .list({ includeRetired: true })
        .map((model) => model.id),
    ).toContain('dall-e-2');
    expect(registry().list({ provider: 'nobody' })).toEqual([]);
  });

  it('gets any model by name without throwing', () => {
    expect(registry().get('DALL-E-2')?.status.kind).toBe('retired');
    expect(registry().get('no-such-model')).toBeUndefined();
  });

  it('hands out frozen copies that cannot corrupt the registry', () => {
    const model = registry().resolve('gpt-image-2');
    expect(() => {
      (model.capabilities as { maxImagesPerCall: number }).maxImagesPerCall = 99;
    }).toThrow(TypeError);
    expect(openaiModels[0]?.capabilities.maxImagesPerCall).toBe(10);
  });
});

describe('user definitions', () => {
  it('add a model the registry does not know yet, based on a known one', () => {
    const models = registry([{ id: 'gpt-image-3', basedOn: 'gpt-image-2', capabilities: { maxImagesPerCall: 4 } }]);
    const added = models.resolve('GPT-IMAGE-3');
    expect(added.provider).toBe('openai');
    expect(added.capabilities.maxImagesPerCall).toBe(4);
    expect(added.capabilities.sizes.kind).toBe('rule');
    expect(added.status).toEqual({ kind: 'active' });
    expect(added.providerDefault).toBeUndefined();
  });

  it('add a complete new model from scratch', () => {
    const complete = {
      ...structuredClone(openaiModels[0]),
      id: 'acme-image',
      provider: 'acme',
      aliases: ['acme'],
      providerDefault: undefined,
    };
    delete (complete as { providerDefault?: boolean }).providerDefault;
    const models = registry([complete]);
    expect(models.resolve('acme').id).toBe('acme-image');
    expect(models.defaultModelFor('acme').id).toBe('acme-image');
  });

  it('override fields of a known model, matched by alias, keeping the rest', () => {
    const models = registry([
      { id: 'gpt-image-2-2026-04-21', capabilities: { backgrounds: ['transparent', 'opaque', 'auto'] }, notes: 'verified' },
    ]);
    const model = models.resolve('gpt-image-2');
    expect(model.capabilities.backgrounds).toContain('transparent');
    expect(model.capabilities.maxImagesPerCall).toBe(10);
    expect(model.notes).toBe('verified');
    expect(model.aliases).toEqual(['gpt-image-2-2026-04-21']);
  });

  it('can move the provider default', () => {
    const models = registry([{ id: 'gpt-image-2.6-sunburst', providerDefault: true }]);
    expect(models.defaultModelFor('openai').id).toBe('gpt-image-2.6-sunburst');
  });

  it('refuse a wrong type, naming the field', () => {
    const error = thrown(() => registry([{ id: 'gpt-image-2', capabilities: { maxImagesPerCall: 'ten' } }]));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('capabilities.maxImagesPerCall');
    expect(error.details['issues']).toEqual([expect.objectContaining({ field: 'capabilities.maxImagesPerCall' })]);
  });

  it('refuse a vendor feature outside the known values, naming the field', () => {
    const error = thrown(() => registry([{ id: 'gpt-image-2', capabilities: { vendorFeatures: { outputFormats: ['bmp'] } } }]));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('capabilities.vendorFeatures.outputFormats');
  });

  it('refuse a misspelt field instead of ignoring it', () => {
    const error = thrown(() => registry([{ id: 'gpt-image-2', capabilities: { maxImagesPerCal: 4 } }]));
    expect(error.message).toContain('maxImagesPerCal');
  });

  it('refuse an incomplete new model, naming what is missing', () => {
    const error = thrown(() => registry([{ id: 'mystery-model', provider: 'acme' }]));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('capabilities');
    expect(error.message).toContain("'mystery-model'");
  });

  it('refuse a basedOn that names nothing', () => {
    expect(thrown(() => registry([{ id: 'x', basedOn: 'gpt-image-9' }])).message).toContain('basedOn');
  });

  it('refuse an alias already used by another model', () => {
    const error = thrown(() => registry([{ id: 'gpt-image-2.6-flare', aliases: ['gpt-image-2'] }]));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain("'gpt-image-2'");
  });

  it('refuse a default model of the wrong provider', () => {
    expect(() => createModelRegistry({ models: builtInModels, defaultModels: { gemini: 'gpt-image-2' } })).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });
});

describe('a deprecated model past its shutdown date', () => {
  const afterShutdown = () => createModelRegistry({ models: builtInModels, clock: createManualClock(new Date('2026-12-01T09:00:00Z')) });

  it.each(['gpt-image-1.5', 'gpt-image-1-mini', 'chatgpt-image-latest', 'gemini-2.5-flash-image'])(
    '%s is listed, looked up and refused alike: retired on its shutdown date',
    (id) => {
      const models = afterShutdown();
      const listed = models.list({ includeRetired: true }).find((model) => model.id === id);
      expect(listed?.status).toMatchObject({ kind: 'retired', retiredDate: expect.stringMatching(/^2026-/) });
      expect(models.get(id)?.status).toEqual(listed?.status);
      const refusal = thrown(() => models.resolve(id));
      expect(refusal).toMatchObject({
        code: 'model_retired',
        details: { retiredDate: (listed?.status as { retiredDate: string }).retiredDate },
      });
      expect(refusal.details['replacement']).toBe((listed?.status as { replacement?: string }).replacement);
      expect(models.list().map((model) => model.id)).not.toContain(id);
    },
  );

  it('is still deprecated the day before', () => {
    const dayBefore = createModelRegistry({ models: builtInModels, clock: createManualClock(new Date('2026-11-30T23:59:00Z')) });
    expect(dayBefore.get('gpt-image-1.5')?.status).toMatchObject({ kind: 'deprecated', shutdownDate: '2026-12-01' });
  });

  it('follows the clock of a long-running process', () => {
    const clock = createManualClock(new Date('2026-11-30T12:00:00Z'));
    const models = createModelRegistry({ models: builtInModels, clock });
    expect(models.get('gpt-image-1.5')?.status.kind).toBe('deprecated');
    clock.advance(24 * 3_600_000);
    expect(models.get('gpt-image-1.5')?.status.kind).toBe('retired');
  });
});
