import { ImageGenError } from '@imagegen/common';
import type { ImageEditRequest, InputImage, ModelCapabilities, ModelDefinition } from '../contract';
import { geminiModels } from '../registry/gemini-models';
import { openaiModels } from '../registry/openai-models';
import { planRequest, type RequestDefaults } from './plan-request';

function model(id: string): ModelDefinition {
  const found = openaiModels.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no built-in ${id}`);
  return found;
}

function variant(id: string, capabilities: Partial<ModelCapabilities>): ModelDefinition {
  const base = model(id);
  return { ...base, id: `${id}-variant`, status: { kind: 'active' }, capabilities: { ...base.capabilities, ...capabilities } };
}

const gptImage2 = model('gpt-image-2');

function image(width: number, height: number, mimeType = 'image/png'): InputImage {
  return { data: new Uint8Array([1, 2, 3]), mimeType, width, height };
}

function edit(request: Partial<ImageEditRequest> = {}): ImageEditRequest {
  return { prompt: 'Add a hat', images: [image(1024, 1024)], ...request };
}

function refusal(action: () => unknown): ImageGenError {
  try {
    action();
  } catch (error) {
    if (ImageGenError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('planRequest with names from the prototype', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('refuses style %s as unknown and leaves the prompt alone', (name) => {
    const error = refusal(() => planRequest(gptImage2, { prompt: 'A lighthouse', style: name }));
    expect(error).toMatchObject({ code: 'invalid_request', details: { setting: 'style', allowed: ['vivid', 'natural'] } });
  });

  it.each(['__proto__', 'constructor', 'toString'])('refuses quality %s as unknown', (name) => {
    expect(refusal(() => planRequest(gptImage2, { prompt: 'p', quality: name }))).toMatchObject({
      code: 'invalid_request',
      details: { setting: 'quality' },
    });
  });

  it.each(['__proto__', 'constructor', 'toString'])('refuses background %s and output format %s as unknown', (name) => {
    expect(refusal(() => planRequest(gptImage2, { prompt: 'p', background: name }))).toMatchObject({ details: { setting: 'background' } });
    expect(refusal(() => planRequest(gptImage2, { prompt: 'p', outputFormat: name as 'png' }))).toMatchObject({
      details: { setting: 'outputFormat' },
    });
  });
});

describe('planRequest refuses, naming the setting and what is accepted', () => {
  it.each([
    ['an empty prompt', () => planRequest(gptImage2, { prompt: '   ' }), 'prompt', undefined],
    ['a prompt over 32000 characters', () => planRequest(gptImage2, { prompt: 'x'.repeat(32001) }), 'prompt', { max: 32000 }],
    ['n = 0', () => planRequest(gptImage2, { prompt: 'p', n: 0 }), 'n', { min: 1, max: 10 }],
    ['n = 11', () => planRequest(gptImage2, { prompt: 'p', n: 11 }), 'n', { min: 1, max: 10 }],
    ['a fractional n', () => planRequest(gptImage2, { prompt: 'p', n: 1.5 }), 'n', { min: 1, max: 10 }],
    ['an unknown quality', () => planRequest(gptImage2, { prompt: 'p', quality: 'ultra' }), 'quality', ['low', 'medium', 'high', 'auto']],
    ['an unknown style', () => planRequest(gptImage2, { prompt: 'p', style: 'cartoon' }), 'style', ['vivid', 'natural']],
    [
      'an unknown background',
      () => planRequest(gptImage2, { prompt: 'p', background: 'green' }),
      'background',
      ['transparent', 'opaque', 'auto'],
    ],
    [
      'a transparent background on a model without it, even in preview',
      () => planRequest(variant('gpt-image-2', { vendorFeatures: {} }), { prompt: 'p', background: 'transparent' }),
      'background',
      ['opaque', 'auto'],
    ],
    [
      'transparent with jpeg',
      () => planRequest(model('gpt-image-2.5-flare'), { prompt: 'p', background: 'transparent', outputFormat: 'jpeg' }),
      'background',
      ['png', 'webp'],
    ],
    [
      'an unknown output format',
      () => planRequest(gptImage2, { prompt: 'p', outputFormat: 'gif' as 'png' }),
      'outputFormat',
      ['png', 'jpeg', 'webp'],
    ],
    [
      'compression above 100',
      () => planRequest(gptImage2, { prompt: 'p', outputFormat: 'jpeg', compression: 101 }),
      'compression',
      { min: 0, max: 100 },
    ],
    ['an unknown moderation level', () => planRequest(gptImage2, { prompt: 'p', moderation: 'high' }), 'moderation', ['auto', 'low']],
    ['4 partial images', () => planRequest(gptImage2, { prompt: 'p', partialImages: 4 }), 'partialImages', { min: 0, max: 3 }],
    ['an edit without images', () => planRequest(gptImage2, edit({ images: [] })), 'images', { min: 1, max: 16 }],
    [
      'an edit with 17 images',
      () => planRequest(gptImage2, edit({ images: Array.from({ length: 17 }, () => image(1024, 1024)) })),
      'images',
      { min: 1, max: 16 },
    ],
    [
      'input fidelity high on gpt-image-1-mini',
      () => planRequest(model('gpt-image-1-mini'), edit({ inputFidelity: 'high' })),
      'inputFidelity',
      ['low'],
    ],
    ['a malformed size', () => planRequest(gptImage2, { prompt: 'p', size: 'big' }), 'size', expect.objectContaining({ multipleOf: 16 })],
  ])('%s', (_name, action, setting, allowed) => {
    const error = refusal(action);
    expect(error.code).toBe('invalid_request');
    expect(error.details['setting']).toBe(setting);
    if (allowed !== undefined) expect(error.details['allowed']).toEqual(allowed);
  });

  it('refuses a quality with no equivalent on the model, listing what it takes', () => {
    const lowOnly = variant('gpt-image-2', { qualities: ['low'] });
    const error = refusal(() => planRequest(lowOnly, { prompt: 'p', quality: 'hd' }));
    expect(error.details).toMatchObject({ setting: 'quality', allowed: ['low'] });
    expect(error.message).toContain('Accepted: low');
  });

  it('refuses a mask on a model without masks', () => {
    const noMask = variant('gpt-image-2', { mask: false });
    const error = refusal(() => planRequest(noMask, edit({ mask: image(1024, 1024) })));
    expect(error.details['setting']).toBe('mask');
  });

  it('refuses a mask that is not the size of the first image, as an unusable image', () => {
    const error = refusal(() => planRequest(gptImage2, edit({ mask: image(512, 512) })));
    expect(error.code).toBe('invalid_image');
    expect(error.details).toMatchObject({ setting: 'mask', expected: '1024x1024', actual: '512x512' });
  });

  it('refuses a mask that is not a PNG and an input image of an unsupported type', () => {
    expect(refusal(() => planRequest(gptImage2, edit({ mask: image(1024, 1024, 'image/jpeg') }))).details).toMatchObject({
      setting: 'mask',
      allowed: ['image/png'],
    });
    expect(refusal(() => planRequest(gptImage2, edit({ images: [image(10, 10), image(10, 10, 'image/gif')] }))).details).toMatchObject({
      setting: 'images[1]',
      allowed: ['image/png', 'image/jpeg', 'image/webp'],
    });
  });

  it('refuses operations the model cannot do', () => {
    const editOnly = variant('gpt-image-2', { generate: false });
    const generateOnly = variant('gpt-image-2', { edit: false });
    expect(refusal(() => planRequest(editOnly, { prompt: 'p' })).details['setting']).toBe('model');
    expect(refusal(() => planRequest(generateOnly, edit())).details['setting']).toBe('model');
  });

  it('refuses a retired model, naming its replacement', () => {
    const error = refusal(() => planRequest(model('dall-e-3'), { prompt: 'p' }));
    expect(error.code).toBe('model_retired');
    expect(error.details).toMatchObject({ replacement: 'gpt-image-2', retiredDate: '2026-05-12' });
  });

  it('refuses more partial images than the model streams', () => {
    const streamsOne = variant('gpt-image-2', { partialImages: 1 });
    expect(refusal(() => planRequest(streamsOne, { prompt: 'p', partialImages: 2 })).details['allowed']).toEqual({ min: 0, max: 1 });
  });
});

describe('planRequest sizes', () => {
  it('passes a size the model makes as it is', () => {
    const plan = planRequest(gptImage2, { prompt: 'p', size: '1536x864' });
    expect(plan.call.size).toEqual({ width: 1536, height: 864 });
    expect(plan.finalSize).toEqual({ width: 1536, height: 864 });
    expect(plan.warnings).toEqual([]);
  });

  it('translates an off-grid size on gpt-image-2 to the covering grid size, keeping the asked-for final size', () => {
    const plan = planRequest(gptImage2, { prompt: 'p', size: '1000x1000' });
    expect(plan.call.size).toEqual({ width: 1008, height: 1008 });
    expect(plan.finalSize).toEqual({ width: 1000, height: 1000 });
    expect(plan.warnings).toEqual([expect.objectContaining({ type: 'translated', setting: 'size' })]);
  });

  it('refuses the same size when translation is switched off, naming the rule and the nearest valid size', () => {
    const error = refusal(() => planRequest(gptImage2, { prompt: 'p', size: '1000x1000' }, {}, { allowSizeTranslation: false }));
    expect(error.message).toContain('multiples of 16');
    expect(error.message).toContain('Nearest valid size: 1008x1008');
    expect(error.details['nearest']).toBe('1008x1008');
  });

  it('refuses sizes outside the rule, suggesting the nearest valid one', () => {
    const tooWide = refusal(() => planRequest(gptImage2, { prompt: 'p', size: '3840x1000' }));
    expect(tooWide.message).toContain('aspect ratio exceeds 3:1');
    expect(tooWide.details['nearest']).toBe('3840x1280');
    const tooBig = refusal(() => planRequest(gptImage2, { prompt: 'p', size: '4096x4096' }));
    expect(tooBig.details['nearest']).toBe('2880x2880');
  });

  it('translates an unlisted size on a list model to the nearest native aspect (1200x630 Open Graph)', () => {
    const plan = planRequest(model('gpt-image-2.6-sunburst'), { prompt: 'p', size: '1200x630' });
    expect(plan.call.size).toEqual({ width: 1536, height: 1024 });
    expect(plan.finalSize).toEqual({ width: 1200, height: 630 });
    expect(plan.warnings[0]).toMatchObject({ type: 'translated', setting: 'size' });
    expect(plan.warnings[0]?.message).toContain('1536x1024');
  });

  it('refuses a list-model size that would need heavy cropping', () => {
    const error = refusal(() => planRequest(model('gpt-image-2.6-sunburst'), { prompt: 'p', size: '4000x1000' }));
    expect(error.details['allowed']).toEqual(['1024x1024', '1536x1024', '1024x1536', 'auto']);
  });

  it('uses auto when no size is given, and for edits even when a default size is configured', () => {
    expect(planRequest(gptImage2, { prompt: 'p' }).call.size).toBe('auto');
    expect(planRequest(gptImage2, { prompt: 'p' }, { size: '1024x1536' }).call.size).toEqual({ width: 1024, height: 1536 });
    expect(planRequest(gptImage2, edit(), { size: '1024x1536' }).call.size).toBe('auto');
  });

  it('falls back quietly when a configured default size does not fit the model', () => {
    const plan = planRequest(model('gpt-image-2.6-sunburst'), { prompt: 'p' }, { size: '5000x1000' });
    expect(plan.call.size).toBe('auto');
    expect(plan.warnings).toEqual([]);
  });
});

describe('planRequest translations', () => {
  it.each([
    ['hd', 'gpt-image-2', 'high'],
    ['standard', 'gpt-image-2', 'medium'],
    ['max', 'gpt-image-2', 'high'],
    ['max', 'gpt-image-2.5-flare', 'max'],
  ])('quality %s on %s becomes %s', (quality, id, expected) => {
    const plan = planRequest(model(id), { prompt: 'p', quality });
    expect(plan.call.quality).toBe(expected);
    const changed = quality !== expected;
    expect(plan.warnings.some((warning) => warning.setting === 'quality' && warning.type === 'translated')).toBe(changed);
  });

  it('folds style into the prompt and never sets it on the call', () => {
    const plan = planRequest(gptImage2, { prompt: 'A lighthouse', style: 'vivid' });
    expect(plan.call.prompt).toMatch(/^A lighthouse\n\nStyle: vivid — /);
    expect(plan.call).not.toHaveProperty('style');
    expect(plan.warnings).toEqual([expect.objectContaining({ type: 'translated', setting: 'style' })]);
  });

  it('drops compression for png, with a warning', () => {
    const plan = planRequest(gptImage2, { prompt: 'p', outputFormat: 'png', compression: 50 });
    expect(plan.call).not.toHaveProperty('compression');
    expect(plan.warnings).toEqual([expect.objectContaining({ type: 'unsupported', setting: 'compression' })]);
  });

  it('keeps compression for webp', () => {
    const plan = planRequest(gptImage2, { prompt: 'p', outputFormat: 'webp', compression: 50 });
    expect(plan.call).toMatchObject({ outputFormat: 'webp', compression: 50 });
    expect(plan).toMatchObject({ outputFormat: 'webp', compression: 50 });
  });

  it('drops moderation on edits, with a warning', () => {
    const plan = planRequest(gptImage2, edit({ moderation: 'low' }));
    expect(plan.call).not.toHaveProperty('moderation');
    expect(plan.warnings).toEqual([expect.objectContaining({ type: 'unsupported', setting: 'moderation' })]);
  });

  it('omits input fidelity on gpt-image-2, with a warning, and keeps it where accepted', () => {
    const plan = planRequest(gptImage2, edit({ inputFidelity: 'high' }));
    expect(plan.call).not.toHaveProperty('inputFidelity');
    expect(plan.warnings).toEqual([expect.objectContaining({ type: 'unsupported', setting: 'inputFidelity' })]);
    expect(planRequest(model('gpt-image-2.5-sunburst'), edit({ inputFidelity: 'high' })).call.inputFidelity).toBe('high');
  });

  it('allows a deprecated model with a warning naming the shutdown date and the replacement', () => {
    const plan = planRequest(model('gpt-image-1.5'), { prompt: 'p' });
    expect(plan.warnings).toEqual([
      expect.objectContaining({ type: 'other', setting: 'model', message: expect.stringMatching(/2026-12-01.*gpt-image-2\.6-sunburst/) }),
    ]);
  });

  it('switches a default jpeg to png when transparency is asked for explicitly', () => {
    const plan = planRequest(model('gpt-image-2.5-flare'), { prompt: 'p', background: 'transparent' }, { outputFormat: 'jpeg' });
    expect(plan.call).toMatchObject({ background: 'transparent', outputFormat: 'png' });
    expect(plan.warnings).toEqual([expect.objectContaining({ type: 'translated', setting: 'outputFormat' })]);
  });

  it('lets an explicit value win over a conflicting default without a warning', () => {
    const plan = planRequest(model('gpt-image-2.5-flare'), { prompt: 'p', outputFormat: 'jpeg' }, { background: 'transparent' });
    expect(plan.call).toMatchObject({ outputFormat: 'jpeg' });
    expect(plan.call).not.toHaveProperty('background');
    expect(plan.warnings).toEqual([]);
  });

  it('drops partial images on a model that does not stream, with a warning', () => {
    const plan = planRequest(variant('gpt-image-2', { partialImages: 0 }), { prompt: 'p', partialImages: 2 });
    expect(plan.call).not.toHaveProperty('partialImages');
    expect(plan.warnings[0]).toMatchObject({ type: 'unsupported', setting: 'partialImages' });
  });
});

describe('planRequest output', () => {
  it('applies defaults and caps n per call, leaving fan-out to the engine', () => {
    const defaults: RequestDefaults = { n: 3, quality: 'low', outputFormat: 'webp', compression: 80, moderation: 'low' };
    const plan = planRequest(variant('gpt-image-2', { maxImagesPerCall: 2 }), { prompt: 'p' }, defaults);
    expect(plan.totalImages).toBe(3);
    expect(plan.call).toMatchObject({ n: 2, quality: 'low', outputFormat: 'webp', compression: 80, moderation: 'low' });
    expect(plan.operation).toBe('generate');
  });

  it('passes on only the model provider’s own options', () => {
    const plan = planRequest(gptImage2, { prompt: 'p', providerOptions: { openai: { safety_identifier: 'u1' }, gemini: { x: 1 } } });
    expect(plan.call.providerOptions).toEqual({ safety_identifier: 'u1' });
  });

  it('plans an edit with images, mask and fidelity', () => {
    const mask = image(1024, 1024);
    const plan = planRequest(model('gpt-image-2.5-flare'), edit({ mask, inputFidelity: 'low', quality: 'xhigh' }));
    expect(plan.operation).toBe('edit');
    expect(plan.call).toMatchObject({ mask, inputFidelity: 'low', quality: 'xhigh', images: [expect.objectContaining({ width: 1024 })] });
  });
});

describe('planRequest for Gemini models', () => {
  const gemini = (id: string): ModelDefinition => {
    const found = geminiModels.find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`no built-in ${id}`);
    return found;
  };

  it('keeps a mask out of the provider call and asks the engine to composite, at the original size', () => {
    const mask = image(800, 600);
    const plan = planRequest(gemini('gemini-3-pro-image'), edit({ images: [image(800, 600)], mask }));
    expect(plan.call.mask).toBeUndefined();
    expect(plan.compositeMask?.mask).toBe(mask);
    expect(plan.finalSize).toEqual({ width: 800, height: 600 });
    expect(plan.warnings.find((warning) => warning.setting === 'mask')?.type).toBe('translated');
  });

  it('asks one image per call and converts formats locally', () => {
    const plan = planRequest(gemini('gemini-nano-banana-2.1'), { prompt: 'x', n: 4, outputFormat: 'webp', compression: 80 });
    expect([plan.call.n, plan.totalImages, plan.call.outputFormat, plan.outputFormat, plan.compression]).toEqual([1, 4, 'png', 'webp', 80]);
  });

  it('refuses a transparent background, which Gemini cannot make', () => {
    expect(refusal(() => planRequest(gemini('gemini-3-pro-image'), { prompt: 'x', background: 'transparent' }))).toMatchObject({
      code: 'invalid_request',
      details: expect.objectContaining({ setting: 'background' }),
    });
  });

  it('refuses more reference images than the model takes', () => {
    const images = Array.from({ length: 4 }, () => image(256, 256));
    expect(refusal(() => planRequest(gemini('gemini-3.1-flash-lite-image'), edit({ images })))).toMatchObject({
      details: expect.objectContaining({ setting: 'images' }),
    });
  });
});
