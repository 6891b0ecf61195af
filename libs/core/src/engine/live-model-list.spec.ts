import type { ModelDefinition } from '@imagegen/providers';
import { builtInModels } from '@imagegen/providers';
import { createLiveModelList } from './live-model-list';

const model = (id: string) => builtInModels.find((candidate) => candidate.id === id) as ModelDefinition;

describe('live model list', () => {
  let now = new Date('2026-12-01T10:00:00Z');
  const clock = { now: () => now };

  it('says nothing until the list was read, then refuses a model the list lacks, naming the replacement', () => {
    const list = createLiveModelList({ clock });
    expect(list.isListed(model('gemini-3.1-flash-image'))).toBeUndefined();
    expect(() => list.assertListed(model('gemini-3.1-flash-image'))).not.toThrow();
    list.record('gemini', ['gemini-nano-banana-2.1', 'gemini-3-pro-image']);
    expect(list.isListed(model('gemini-3-pro-image'))).toBe(true);
    expect(() => list.assertListed(model('gemini-3.1-flash-image'), 'gemini-nano-banana-2.1')).toThrow(
      expect.objectContaining({
        code: 'model_not_found',
        message: expect.stringMatching(
          /gemini-3\.1-flash-image is not in gemini's model list for this key .* Use gemini-nano-banana-2\.1 instead/,
        ),
      }),
    );
  });

  it('matches aliases and forgets a list once it is stale', () => {
    const list = createLiveModelList({ clock, ttlMs: 60_000 });
    list.record('gemini', ['NANO-BANANA-PRO']);
    expect(list.isListed(model('gemini-3-pro-image'))).toBe(true);
    now = new Date(now.getTime() + 61_000);
    expect(list.isListed(model('gemini-3-pro-image'))).toBeUndefined();
  });
});
