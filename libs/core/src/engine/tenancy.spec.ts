/**
 * One engine, several principals: each principal's view sees only its own images, jobs and spend; another's ids
 * answer exactly like ids that do not exist; the local view (single-user setups, an admin) sees everything.
 */
import { createEngineHarness, type EngineHarness } from './test-support/engine-harness';

const request = { prompt: 'a lighthouse at dawn', size: '1024x1024', quality: 'low' } as const;
const upstreamCalls = (harness: EngineHarness) => harness.fake.requests.filter((entry) => entry.path.startsWith('/v1/images/')).length;
const messageOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code: string; message: string }) => `${error.code}: ${error.message}`,
  );

describe('principals on one engine', () => {
  let harness: EngineHarness;
  afterEach(async () => {
    await harness.close();
  });

  it('keeps images, history, stats, completion, jobs and deletion to their owner', async () => {
    harness = await createEngineHarness();
    const alice = harness.engine.forPrincipal({ principalId: 'alice' });
    const bob = harness.engine.forPrincipal({ principalId: 'bob' });
    const started = await alice.startGenerate(request);
    const aliceImage = (await started.result).images[0]?.imageId as string;
    const bobImage = (await bob.generate({ ...request, prompt: 'a fox' })).images[0]?.imageId as string;

    expect((await alice.history({ limit: 50 })).images.map((image) => image.imageId)).toEqual([aliceImage]);
    expect((await bob.history({ limit: 50 })).images.map((image) => image.imageId)).toEqual([bobImage]);
    expect((await bob.stats()).imageCount).toBe(1);
    expect(await bob.completeImageIds('img_')).toEqual([bobImage]);
    expect((await harness.engine.history({ limit: 50 })).totalCount).toBe(2);

    const unknown = aliceImage.replace(/[0-9a-f]{12}$/, '000000000000');
    const sameAsUnknown = async (attempt: (id: string) => Promise<unknown>) =>
      expect(await messageOf(attempt(aliceImage))).toBe((await messageOf(attempt(unknown))).replaceAll(unknown, aliceImage));
    await sameAsUnknown((id) => bob.getImage(id));
    await sameAsUnknown((id) => bob.deleteImage(id));
    await sameAsUnknown((id) => bob.edit({ ...request, prompt: 'make it night', images: [{ kind: 'stored', imageId: id }] }));
    expect(await messageOf(bob.getImage(aliceImage))).toMatch(/^not_found: /);
    expect((await alice.getImage(aliceImage)).metadata.principal_id).toBe('alice');

    expect(await bob.getJob(started.jobId as string)).toBeUndefined();
    expect((await alice.getJob(started.jobId as string))?.status).toBe('completed');
    expect((await bob.listJobs()).map((job) => job.principalId)).toEqual(['bob']);
    expect((await harness.engine.listJobs()).length).toBe(2);

    expect(bob.costReport().calls).toBe(1);
    expect(harness.engine.costReport().calls).toBe(2);
    await expect(bob.setPrincipalBudget('alice', { dailyUsd: 0 })).rejects.toMatchObject({ code: 'permission_denied' });
    await expect(bob.cleanup()).rejects.toMatchObject({ code: 'permission_denied' });

    // The admin view reads and deletes anyone's image.
    const admin = harness.engine.forPrincipal({ principalId: 'carol', admin: true });
    expect((await admin.getImage(bobImage)).imageId).toBe(bobImage);
    await admin.deleteImage(bobImage);
    expect((await bob.history()).totalCount).toBe(0);
  });

  it("answers a repeat from each principal's own cache, and shares hits only when asked to (as copies)", async () => {
    harness = await createEngineHarness();
    const alice = harness.engine.forPrincipal({ principalId: 'alice' });
    const bob = harness.engine.forPrincipal({ principalId: 'bob' });
    await alice.generate(request);
    expect((await alice.generate(request)).fromCache).toBe(true);
    expect((await bob.generate(request)).fromCache).toBe(false);
    expect(upstreamCalls(harness)).toBe(2);
    await harness.close();

    harness = await createEngineHarness({ shareCacheAcrossPrincipals: true });
    const first = harness.engine.forPrincipal({ principalId: 'alice' });
    const second = harness.engine.forPrincipal({ principalId: 'bob' });
    const original = (await first.generate(request)).images[0]?.imageId as string;
    const shared = await second.generate(request);
    expect(shared.fromCache).toBe(true);
    expect(upstreamCalls(harness)).toBe(1);
    const copy = shared.images[0]?.imageId as string;
    expect(copy).not.toBe(original);
    expect((await second.getImage(copy)).metadata).toMatchObject({ principal_id: 'bob', extra: { shared_from_cache: true } });
    await expect(second.getImage(original)).rejects.toMatchObject({ code: 'not_found' });
  });
});
