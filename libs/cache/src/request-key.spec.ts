import { computeRequestKey, hashBytes } from './request-key';

describe('computeRequestKey', () => {
  const base = {
    model: 'gpt-image-2',
    prompt: 'a fox',
    parameters: { size: '1024x1024', quality: 'low' },
    images: [hashBytes(Buffer.from('a'))],
  };

  it('ignores property order and unset options', () => {
    const reordered = {
      parameters: { quality: 'low', size: '1024x1024', style: undefined },
      images: base.images,
      prompt: 'a fox',
      model: 'gpt-image-2',
    };
    expect(computeRequestKey(reordered)).toBe(computeRequestKey(base));
  });

  it.each([
    ['model', { ...base, model: 'gpt-image-2.5-flare' }],
    ['prompt (even one space)', { ...base, prompt: 'a fox ' }],
    ['a parameter', { ...base, parameters: { ...base.parameters, quality: 'high' } }],
    ['an input image', { ...base, images: [hashBytes(Buffer.from('b'))] }],
    ['a mask', { ...base, mask: hashBytes(Buffer.from('m')) }],
  ])('changes when the %s changes', (_name, changed) => {
    expect(computeRequestKey(changed)).not.toBe(computeRequestKey(base));
  });

  it('is a SHA-256 hex digest', () => {
    expect(computeRequestKey(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});
