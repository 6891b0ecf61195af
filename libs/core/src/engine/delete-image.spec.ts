import { createEngineHarness, type EngineHarness } from './test-support/engine-harness';

const upstreamImageCalls = (harness: EngineHarness) =>
  harness.fake.requests.filter((request) => request.path.startsWith('/v1/images/')).length;

describe('deleting an image through the engine', () => {
  let harness: EngineHarness;

  beforeEach(async () => {
    harness = await createEngineHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('removes the file, the sidecar, the index entry and the cache entry pointing at it', async () => {
    const request = { prompt: 'a lighthouse at dusk', size: '1024x1024', quality: 'low' };
    const [image] = (await harness.engine.generate(request)).images;
    const imageId = image?.imageId ?? '';
    expect(harness.imageFiles()).toHaveLength(2);

    expect(await harness.engine.deleteImage(`generated-images://${imageId}`)).toEqual({ imageId, cacheEntryRemoved: true });

    expect(harness.imageFiles()).toEqual([]);
    await expect(harness.engine.getImage(imageId)).rejects.toMatchObject({ code: 'not_found' });
    expect((await harness.engine.history({ limit: 10 })).images).toEqual([]);
    // The same request is no longer answered from the cache: it makes a new image.
    const again = await harness.engine.generate(request);
    expect(again.fromCache).toBe(false);
    expect(upstreamImageCalls(harness)).toBe(2);
  });

  it('keeps a cache entry that names other images of the same request', async () => {
    const request = { prompt: 'a paper boat', size: '1024x1024', quality: 'low' };
    const [first] = (await harness.engine.generate(request)).images;
    const [second] = (await harness.engine.generate({ ...request, fresh: true })).images;
    expect(await harness.engine.deleteImage(first?.imageId ?? '')).toMatchObject({ cacheEntryRemoved: false });
    const repeat = await harness.engine.generate(request);
    expect(repeat.fromCache).toBe(true);
    expect(repeat.images[0]?.imageId).toBe(second?.imageId);
  });

  it('refuses malformed ids without touching anything and answers not_found for unknown ones', async () => {
    await harness.engine.generate({ prompt: 'a kite', size: '1024x1024', quality: 'low' });
    for (const hostile of ['../../etc/passwd', 'img_20261125143022_0123456789ab/../x', '__proto__', '']) {
      await expect(harness.engine.deleteImage(hostile)).rejects.toMatchObject({ code: 'invalid_request' });
    }
    await expect(harness.engine.deleteImage('img_20261125143022_0123456789ab')).rejects.toMatchObject({ code: 'not_found' });
    expect(harness.imageFiles()).toHaveLength(2);
  });
});
