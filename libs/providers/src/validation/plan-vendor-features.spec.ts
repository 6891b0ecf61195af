import { ImageGenError } from '@imagegen/common';
import type { ImageEditRequest, ImageGenerationRequest, InputImage, ModelDefinition } from '../contract';
import { estimateCost } from '../cost/estimate-cost';
import { openaiModels } from '../registry/openai-models';
import { planRequest } from './plan-request';

function model(id: string): ModelDefinition {
  const found = openaiModels.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no built-in ${id}`);
  return found;
}

const sunburst = model('gpt-image-2.6-sunburst');
const image = (width = 1024, height = 1024, mimeType = 'image/png'): InputImage => ({ data: new Uint8Array([1]), mimeType, width, height });

function refusal(request: ImageGenerationRequest | ImageEditRequest, on: ModelDefinition = sunburst): ImageGenError {
  try {
    planRequest(on, request);
  } catch (error) {
    if (ImageGenError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('complexity', () => {
  it('is sent on the 2.6 models and refused, naming the setting, on models without it', () => {
    expect(planRequest(sunburst, { prompt: 'p', complexity: 'Low' }).call.complexity).toBe('low');
    expect(refusal({ prompt: 'p', complexity: 'low' }, model('gpt-image-2'))).toMatchObject({
      code: 'invalid_request',
      details: { setting: 'complexity' },
      message: expect.stringContaining('gpt-image-2 takes no complexity'),
    });
    expect(refusal({ prompt: 'p', complexity: 'extreme' })).toMatchObject({
      details: { setting: 'complexity', allowed: ['low', 'medium', 'high'] },
    });
  });
});

describe('GIF and SVG output', () => {
  it('plans a GIF with its frames, never converted or cropped by the engine', () => {
    const plan = planRequest(sunburst, { prompt: 'p', outputFormat: 'gif', frameCount: 6, frameDurationMs: 150, size: '1024x1024' });
    expect(plan.outputFormat).toBe('gif');
    expect(plan.call).toMatchObject({ outputFormat: 'gif', frameCount: 6, frameDurationMs: 150 });
    expect(plan.call.compression).toBeUndefined();
  });

  it.each<[string, ImageGenerationRequest | ImageEditRequest, string]>([
    ['GIF on a model without it', { prompt: 'p', outputFormat: 'gif' }, 'outputFormat'],
    ['frames out of range', { prompt: 'p', outputFormat: 'gif', frameCount: 17 }, 'frameCount'],
    ['a delay below 10 ms', { prompt: 'p', outputFormat: 'gif', frameDurationMs: 5 }, 'frameDurationMs'],
    ['frames without GIF output', { prompt: 'p', frameCount: 4 }, 'frameCount'],
    ['a streamed GIF', { prompt: 'p', outputFormat: 'gif', partialImages: 2 }, 'partialImages'],
    ['a GIF with a mask', { prompt: 'p', outputFormat: 'gif', images: [image()], mask: image() }, 'mask'],
    ['GIF compression', { prompt: 'p', outputFormat: 'gif', compression: 50 }, 'compression'],
    ['two SVGs', { prompt: 'p', outputFormat: 'svg', n: 2 }, 'n'],
    ['a streamed SVG', { prompt: 'p', outputFormat: 'svg', partialImages: 1 }, 'partialImages'],
    ['an SVG at a size needing a crop', { prompt: 'p', outputFormat: 'svg', size: '1200x630' }, 'size'],
  ])('refuses %s before anything is paid', (name, request, setting) => {
    const on = name.startsWith('GIF on a model') ? model('gpt-image-2.5-flare') : sunburst;
    expect(refusal(request, on)).toMatchObject({ code: 'invalid_request', details: { setting } });
  });

  it('falls back to png quietly when a configured default format is one the model cannot make', () => {
    const plan = planRequest(model('gpt-image-2'), { prompt: 'p' }, { outputFormat: 'gif' as never, partialImages: 2 });
    expect(plan.outputFormat).toBe('png');
    expect(plan.warnings).toEqual([]);
  });

  it('estimates every GIF frame and the SVG author’s allowance, and partial images on top', () => {
    const square = { prompt: '', n: 1, size: { width: 1024, height: 1024 }, quality: 'low' } as const;
    const still = estimateCost(sunburst, square) ?? 0;
    expect(estimateCost(sunburst, { ...square, outputFormat: 'gif', frameCount: 4 })).toBeCloseTo(still * 4, 6);
    expect(estimateCost(sunburst, { ...square, outputFormat: 'svg' })).toBeGreaterThan(still);
    expect(estimateCost(sunburst, { ...square, partialImages: 3 })).toBeCloseTo(still + (300 * 30) / 1e6, 6);
  });
});

describe('markup edits', () => {
  it('sends the markup on models with markup edits', () => {
    const markup = image();
    expect(planRequest(sunburst, { prompt: 'p', images: [image()], markup }).call.markup).toBe(markup);
    expect(planRequest(model('gpt-image-2.5-flare'), { prompt: 'p', images: [image()], markup }).call.markup).toBe(markup);
  });

  it.each<[string, ImageEditRequest, ModelDefinition, string]>([
    ['on a model without markup', { prompt: 'p', images: [image()], markup: image() }, model('gpt-image-2'), 'does not take markup'],
    ['with a mask', { prompt: 'p', images: [image()], markup: image(), mask: image() }, sunburst, 'cannot be combined with a mask'],
    ['of another size', { prompt: 'p', images: [image()], markup: image(512, 512) }, sunburst, 'same size'],
    ['as a JPEG', { prompt: 'p', images: [image()], markup: image(1024, 1024, 'image/jpeg') }, sunburst, 'transparent PNG'],
  ])('refuses markup %s', (_name, request, on, message) => {
    expect(refusal(request, on)).toMatchObject({ details: { setting: 'markup' }, message: expect.stringContaining(message) });
  });
});

describe('preview backgrounds and the safety identifier', () => {
  it('sends gpt-image-2 transparency with a preview warning', () => {
    const plan = planRequest(model('gpt-image-2'), { prompt: 'p', background: 'transparent' });
    expect(plan.call.background).toBe('transparent');
    expect(plan.warnings).toEqual([expect.objectContaining({ setting: 'background', message: expect.stringContaining('preview') })]);
  });

  it('takes the request’s safety identifier over the configured one', () => {
    expect(planRequest(sunburst, { prompt: 'p' }, { safetyIdentifier: 'team-7' }).call.safetyIdentifier).toBe('team-7');
    expect(planRequest(sunburst, { prompt: 'p', safetyIdentifier: 'user-1' }, { safetyIdentifier: 'team-7' }).call.safetyIdentifier).toBe(
      'user-1',
    );
    expect(planRequest(sunburst, { prompt: 'p', safetyIdentifier: '  ' }).call.safetyIdentifier).toBeUndefined();
  });
});
