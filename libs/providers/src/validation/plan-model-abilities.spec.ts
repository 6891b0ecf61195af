import { ImageGenError } from '@imagegen/common';
import type { ModelDefinition } from '../contract';
import { estimateCost } from '../cost/estimate-cost';
import { geminiModels } from '../registry/gemini-models';
import { openaiModels } from '../registry/openai-models';
import { planRequest } from './plan-request';

const model = (id: string): ModelDefinition => {
  const found = [...geminiModels, ...openaiModels].find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no built-in ${id}`);
  return found;
};
const image = { data: new Uint8Array([1]), mimeType: 'image/png', width: 1024, height: 1024 };
const refusal = (run: () => unknown): ImageGenError => {
  try {
    run();
  } catch (error) {
    if (ImageGenError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('planning the abilities only some models have', () => {
  it('passes a thinking level the model takes, lowercase, and refuses one it does not', () => {
    expect(planRequest(model('gemini-nano-banana-2.1'), { prompt: 'x', thinkingLevel: 'HIGH' }).call.thinkingLevel).toBe('high');
    const wrong = refusal(() => planRequest(model('gemini-nano-banana-2.1'), { prompt: 'x', thinkingLevel: 'medium' }));
    expect(wrong).toMatchObject({ code: 'invalid_request', details: { setting: 'thinking_level', allowed: ['minimal', 'high'] } });
    const none = refusal(() => planRequest(model('gemini-3-pro-image'), { prompt: 'x', thinkingLevel: 'high' }));
    expect(none.message).toMatch(/gemini-3-pro-image has no adjustable thinking level/);
    expect(refusal(() => planRequest(model('gpt-image-2'), { prompt: 'x', thinkingLevel: 'high' })).details['setting']).toBe(
      'thinking_level',
    );
  });

  it('grounds with Google Search only where offered, and the estimate counts one query per image', () => {
    const grounded = planRequest(model('gemini-3-pro-image'), { prompt: 'x', searchGrounding: true, n: 2 });
    const plain = planRequest(model('gemini-3-pro-image'), { prompt: 'x', n: 2 });
    expect(grounded.call.searchGrounding).toBe(true);
    const difference =
      (estimateCost(model('gemini-3-pro-image'), { ...grounded.call, n: 2 }) ?? 0) -
      (estimateCost(model('gemini-3-pro-image'), { ...plain.call, n: 2 }) ?? 0);
    expect(difference).toBeCloseTo(2 * 0.014, 6);
    const refused = refusal(() => planRequest(model('gemini-3.1-flash-lite-image'), { prompt: 'x', searchGrounding: true }));
    expect(refused).toMatchObject({
      details: { setting: 'search_grounding' },
      message: expect.stringMatching(/cannot ground images with Google Search/),
    });
  });

  it('continues a conversation on edits of models with multi-turn editing, within the input-image limit', () => {
    const conversation = [
      { role: 'user' as const, parts: [{ text: 'a fox' }] },
      { role: 'model' as const, parts: [{ image, thoughtSignature: 'c2ln' }] },
    ];
    const plan = planRequest(model('gemini-nano-banana-2.1'), { prompt: 'add snow', images: [image], conversation });
    expect(plan.call.conversation).toBe(conversation);
    expect(refusal(() => planRequest(model('gpt-image-2'), { prompt: 'add snow', images: [image], conversation })).message).toMatch(
      /gpt-image-2 cannot continue a conversation/,
    );
    // The first image is the history's last one: three images are the history's one plus two new.
    const fits = planRequest(model('gemini-3.1-flash-lite-image'), { prompt: 'x', images: [image, image, image], conversation });
    expect(fits.call.conversation).toBe(conversation);
    const longer = [...conversation, { role: 'user' as const, parts: [{ text: 'more' }, { image }] }, ...conversation.slice(1)];
    const lite = refusal(() =>
      planRequest(model('gemini-3.1-flash-lite-image'), { prompt: 'x', images: [image, image, image], conversation: longer }),
    );
    expect(lite.message).toMatch(/holds 3 earlier image\(s\) and this edit adds 2; gemini-3.1-flash-lite-image takes at most 3/);
  });

  it('no longer offers the 512 tier on gemini-nano-banana-2.1 (third-party sources say it is refused)', () => {
    const sizes = model('gemini-nano-banana-2.1').capabilities.sizes;
    expect(sizes.kind === 'aspect-ratios' ? sizes.imageSizes : []).toEqual(['1K', '2K', '4K']);
  });
});
