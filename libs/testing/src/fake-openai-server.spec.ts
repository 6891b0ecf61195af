/** The fake through the real `openai` SDK, as other teams will use it. */
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { createFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server';
import { createTestImage, createTestMask } from './test-images';

describe('fake OpenAI server', () => {
  let fake: FakeOpenAIServer;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await createFakeOpenAIServer();
    client = new OpenAI({ apiKey: 'sk-fake', baseURL: `${fake.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => fake.clearFaults());

  it.each([
    ['gpt-image-2', '1536x1024', 1536, 1024],
    ['gpt-image-2', '1024x1536', 1024, 1536],
    ['gpt-image-2', '1200x640', 1200, 640],
    ['gpt-image-2.6-sunburst', 'auto', 1024, 1024],
  ])('generates a real %s image at %s', async (model, size, width, height) => {
    const response = await client.images.generate({ model, prompt: 'a fox', size: size as '1024x1024', quality: 'low' });
    const bytes = Buffer.from(response.data?.[0]?.b64_json ?? '', 'base64');
    const facts = await sharp(bytes).metadata();
    expect([facts.width, facts.height, facts.format]).toEqual([width, height, 'png']);
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('answers realistic sizes, not flat colours', async () => {
    const response = await client.images.generate({ model: 'gpt-image-2', prompt: 'noise', size: '1536x1024' });
    expect(Buffer.from(response.data?.[0]?.b64_json ?? '', 'base64').length).toBeGreaterThan(1_000_000);
  });

  it('keeps transparency on a transparent webp', async () => {
    const response = await client.images.generate({
      model: 'gpt-image-2.5-flare',
      prompt: 'icon',
      background: 'transparent',
      output_format: 'webp',
    });
    const facts = await sharp(Buffer.from(response.data?.[0]?.b64_json ?? '', 'base64')).metadata();
    expect([facts.format, facts.hasAlpha]).toEqual(['webp', true]);
  });

  it.each([
    [{ model: 'gpt-image-2', prompt: 'x', style: 'vivid' }, 400, /Unknown parameter: 'style'/],
    [{ model: 'gpt-image-2', prompt: 'x', response_format: 'b64_json' }, 400, /Unknown parameter: 'response_format'/],
    [{ model: 'gpt-image-2', prompt: 'x', size: '1000x1000' }, 400, /multiples of 16/],
    [{ model: 'gpt-image-2.6-flare', prompt: 'x', size: '1200x640' }, 400, /Supported values/],
    [{ model: 'gpt-image-2', prompt: 'x', quality: 'max' }, 400, /quality|Supported/],
    [{ model: 'gpt-image-2.5-flare', prompt: 'x', background: 'transparent', output_format: 'jpeg' }, 400, /png or webp/],
    [{ model: 'gpt-image-2', prompt: 'x', output_compression: 50 }, 400, /jpeg' and 'webp/],
    [{ model: 'gpt-image-2', prompt: 'x', n: 11 }, 400, /between 1 and 10/],
    [{ model: 'dall-e-3', prompt: 'x' }, 404, /shut down/],
    [{ model: 'no-such-model', prompt: 'x' }, 404, /does not exist/],
  ])('refuses %j like the real API', async (body, status, message) => {
    const failure = client.images.generate(body as unknown as OpenAI.ImageGenerateParams);
    await expect(failure).rejects.toMatchObject({ status });
    await expect(failure).rejects.toThrow(message);
  });

  it.each([
    [{ model: 'gpt-image-2', prompt: 'x', complexity: 'low' }, /Unsupported parameter: 'complexity'/],
    [{ model: 'gpt-image-2.6-flare', prompt: 'x', complexity: 'extreme' }, /Supported values are: 'low', 'medium', and 'high'/],
    [{ model: 'gpt-image-2.5-flare', prompt: 'x', output_format: 'gif' }, /Invalid value: 'gif'/],
    [{ model: 'gpt-image-2.6-flare', prompt: 'x', output_format: 'gif', frame_count: 17 }, /between 2 and 16/],
    [{ model: 'gpt-image-2.6-flare', prompt: 'x', frame_count: 4 }, /only supported with output_format=gif/],
    [{ model: 'gpt-image-2.6-flare', prompt: 'x', output_format: 'gif', stream: true }, /not supported with output_format=gif/],
    [{ model: 'gpt-image-2.6-flare', prompt: 'x', output_format: 'svg', n: 2 }, /n=1/],
    [{ model: 'gpt-image-2.6-flare', prompt: 'x', output_format: 'svg', output_compression: 50 }, /output_compression/],
    [{ model: 'gpt-image-2.6-flare', prompt: 'x', svg: { model: 'author' } }, /only supported with output_format=svg/],
  ])('refuses the late-2026 parameter misuse %j with a 400 like the real API', async (body, message) => {
    const failure = client.images.generate(body as unknown as OpenAI.ImageGenerateParams);
    await expect(failure).rejects.toMatchObject({ status: 400, error: expect.objectContaining({ type: 'invalid_request_error' }) });
    await expect(failure).rejects.toThrow(message);
  });

  it('answers GIF requests with a real animation and SVG requests with a real drawing and svg_usage', async () => {
    const gif = await client.images.generate({ model: 'gpt-image-2.6-sunburst', prompt: 'x', output_format: 'gif', frame_count: 3 });
    const gifFacts = await sharp(Buffer.from(gif.data?.[0]?.b64_json ?? '', 'base64')).metadata();
    expect([gifFacts.format, gifFacts.pages, gifFacts.width]).toEqual(['gif', 3, 1024]);
    const svg = await client.images.generate({ model: 'gpt-image-2.6-sunburst', prompt: 'x', output_format: 'svg', size: '1536x1024' });
    const svgFacts = await sharp(Buffer.from(svg.data?.[0]?.b64_json ?? '', 'base64')).metadata();
    expect([svgFacts.format, svgFacts.width, svgFacts.height]).toEqual(['svg', 1536, 1024]);
    expect(svg.svg_usage?.output_tokens).toBeGreaterThan(0);
  });

  it('takes a markup overlay on 2.6 edits and refuses it with a mask or without transparency', async () => {
    const image = await createTestImage({ width: 1024, height: 1024 });
    const overlay = await createTestImage({ width: 1024, height: 1024, alpha: true });
    const mask = await createTestMask({ width: 1024, height: 1024, editRegion: { left: 0, top: 0, width: 10, height: 10 } });
    const upload = (bytes: Buffer, name: string) => toFile(bytes, name, { type: 'image/png' });
    await expect(
      client.images.edit({
        model: 'gpt-image-2.6-sunburst',
        prompt: 'x',
        image: await upload(image, 'a.png'),
        markup: await upload(overlay, 'm.png'),
      }),
    ).resolves.toBeDefined();
    await expect(
      client.images.edit({
        model: 'gpt-image-2',
        prompt: 'x',
        image: await upload(image, 'a.png'),
        markup: await upload(overlay, 'm.png'),
      }),
    ).rejects.toThrow(/Unknown parameter: 'markup'/);
    await expect(
      client.images.edit({
        model: 'gpt-image-2.6-sunburst',
        prompt: 'x',
        image: await upload(image, 'a.png'),
        markup: await upload(overlay, 'm.png'),
        mask: await upload(mask, 'k.png'),
      }),
    ).rejects.toThrow(/cannot be combined/);
    await expect(
      client.images.edit({
        model: 'gpt-image-2.6-sunburst',
        prompt: 'x',
        image: await upload(image, 'a.png'),
        markup: await upload(image, 'm.png'),
      }),
    ).rejects.toThrow(/transparent pixels/);
  });

  it('refuses a wrong key with 401', async () => {
    const stranger = new OpenAI({ apiKey: 'wrong', baseURL: `${fake.url}/v1`, maxRetries: 0 });
    await expect(stranger.images.generate({ model: 'gpt-image-2', prompt: 'x' })).rejects.toMatchObject({ status: 401 });
  });

  it('edits several images with a mask, changing only the masked area, and logs each part with its content type', async () => {
    const first = await createTestImage({ width: 1024, height: 1024 });
    const second = await createTestImage({ width: 512, height: 512, format: 'jpeg' });
    const mask = await createTestMask({ width: 1024, height: 1024, editRegion: { left: 10, top: 10, width: 100, height: 100 } });
    const response = await client.images.edit({
      model: 'gpt-image-2',
      prompt: 'add a hat',
      image: [await toFile(first, 'one.png', { type: 'image/png' }), await toFile(second, 'two.jpg', { type: 'image/jpeg' })],
      mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
    });
    const logged = fake.requests.at(-1);
    // The SDK picks the order of the parts (openai 7 sends the mask first); images keep their order among themselves.
    const partsOf = (field: string) => logged?.files?.filter((file) => file.field === field).map((file) => file.contentType);
    expect(partsOf('image[]')).toEqual(['image/png', 'image/jpeg']);
    expect(partsOf('mask')).toEqual(['image/png']);
    // Like an inpainting model: the first image, redrawn only where the mask is transparent.
    const pixels = async (bytes: Buffer) => sharp(bytes).removeAlpha().raw().toBuffer();
    const [before, after] = await Promise.all([pixels(first), pixels(Buffer.from(response.data?.[0]?.b64_json ?? '', 'base64'))]);
    const changedAt = (x: number, y: number) =>
      [0, 1, 2].some((channel) => before[(y * 1024 + x) * 3 + channel] !== after[(y * 1024 + x) * 3 + channel]);
    expect([changedAt(50, 50), changedAt(109, 109), changedAt(110, 110), changedAt(5, 5), changedAt(900, 900)]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('refuses uploads without an image MIME type and masks of the wrong size', async () => {
    const image = await createTestImage({ width: 1024, height: 1024 });
    await expect(client.images.edit({ model: 'gpt-image-2', prompt: 'x', image: await toFile(image, 'a.png') })).rejects.toThrow(
      /unsupported mimetype/,
    );
    const mask = await createTestMask({ width: 512, height: 512, editRegion: { left: 0, top: 0, width: 10, height: 10 } });
    await expect(
      client.images.edit({
        model: 'gpt-image-2',
        prompt: 'x',
        image: await toFile(image, 'a.png', { type: 'image/png' }),
        mask: await toFile(mask, 'm.png', { type: 'image/png' }),
      }),
    ).rejects.toThrow(/does not match/);
  });

  it('streams partial images then the completed image', async () => {
    const stream = await client.images.generate({ model: 'gpt-image-2', prompt: 'stream', stream: true, partial_images: 2 });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
  });

  it('injects a 429 with Retry-After that the SDK sees', async () => {
    fake.injectFault({ kind: 'rate_limit', retryAfterSeconds: 7 });
    const failure = await client.images
      .generate({ model: 'gpt-image-2', prompt: 'x' })
      .catch((error: InstanceType<typeof OpenAI.APIError>) => error);
    expect(failure).toMatchObject({ status: 429 });
    expect((failure as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('7');
    await expect(client.images.generate({ model: 'gpt-image-2', prompt: 'x' })).resolves.toBeDefined();
  });

  it.each([
    [{ kind: 'server_error', status: 503 } as const, { status: 503 }],
    [{ kind: 'moderation_blocked' } as const, { status: 400, code: 'moderation_blocked' }],
  ])('injects %j', async (fault, expected) => {
    fake.injectFault(fault);
    await expect(client.images.generate({ model: 'gpt-image-2', prompt: 'x' })).rejects.toMatchObject(expected);
  });

  it('injects a malformed body and a dropped connection', async () => {
    fake.injectFault({ kind: 'malformed' });
    await expect(client.images.generate({ model: 'gpt-image-2', prompt: 'x' })).rejects.toThrow();
    fake.injectFault({ kind: 'disconnect' });
    await expect(client.images.generate({ model: 'gpt-image-2', prompt: 'x' })).rejects.toThrow(/Connection error/);
  });

  it('stops a delayed answer when the client aborts', async () => {
    fake.injectFault({ kind: 'delay', delayMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(client.images.generate({ model: 'gpt-image-2', prompt: 'x' }, { signal: controller.signal })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('lists the models a key can use', async () => {
    const limited = await createFakeOpenAIServer({ availableModels: ['gpt-image-2'] });
    const limitedClient = new OpenAI({ apiKey: 'sk-x', baseURL: `${limited.url}/v1`, maxRetries: 0 });
    const ids = [];
    for await (const model of limitedClient.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-image-2']);
    await limited.close();
  });
});
