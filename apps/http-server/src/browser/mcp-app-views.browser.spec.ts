/**
 * The MCP App views in a real browser (Debian's Chromium, headless, through playwright-core), driven through a host
 * built on ext-apps' AppBridge that talks to the real HTTP app over `/mcp` with its bearer token; the engine behind
 * it uses the fake OpenAI server. Screenshots go to reports/browser (test artifacts, not committed).
 */
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { createMemoryLogger } from '@imagegen/common';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createImageGenMcpServer } from '@imagegen/mcp';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { createHttpApp, type HttpApp } from '../http-app';
import { bundleTestHost, mountTestHost } from '../test-support/browser-host/serve-test-host';

jest.setTimeout(180_000);

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const token = 'browser-test-token-0123456789';
const screenshots = path.join(__dirname, '..', '..', '..', '..', 'reports', 'browser');
const appear = { timeout: 90_000 };

let fake: FakeOpenAIServer;
let engine: ImageEngine;
let http: HttpApp;
let listener: Server;
let baseUrl: string;
let storage: string;
let profile: string;
let browser: BrowserContext;

interface HostLog {
  toolCalls: Array<{ name: string; arguments: Record<string, unknown> }>;
  toolResults: Array<{ name: string; structuredContent: Record<string, unknown> | undefined; isError: boolean }>;
  messages: string[];
  modelContext: string[];
  downloads: string[];
  errors: string[];
}

beforeAll(async () => {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  // Partial images a moment apart, so the view's polling sees them arrive while the edit runs.
  fake = await createFakeOpenAIServer({ partialDelayMs: 250 });
  storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-browser-'));
  const { config } = loadConfig({
    env: { OPENAI_API_KEY: 'sk-browser-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage },
    cwd: storage,
    homeDirectory: storage,
    platform: 'linux',
  });
  const logger = createMemoryLogger();
  const testHostScript = await bundleTestHost();
  engine = await createImageEngineFromConfig(config, { logger, scheduleRetention: false });
  http = createHttpApp({
    engine,
    createServer: (serverEngine) =>
      createImageGenMcpServer({
        engine: serverEngine,
        logger,
        settings: {
          name: 'test',
          version: '0.0.0',
          responseByteBudget: 500_000,
          includeDataUrl: false,
          allowLocalFiles: false,
          retentionDays: 30,
        },
      }),
    host: '127.0.0.1',
    allowedHosts: [],
    authToken: token,
    stateless: false,
    sessionIdleMs: 600_000,
    maxBodyBytes: 20 * 1024 * 1024,
    processMetrics: false,
    logger,
    additionalRoutes: (app) => mountTestHost(app, testHostScript),
  });
  listener = await new Promise<Server>((resolve) => {
    const server = http.app.listen(0, '127.0.0.1', () => resolve(server));
  });
  baseUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1700, height: 1200 },
  });
  fs.mkdirSync(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await http?.closeSessions();
  listener?.closeAllConnections();
  await new Promise((resolve) => (listener ? listener.close(resolve) : resolve(undefined)));
  await engine?.close();
  await fake?.close();
  for (const folder of [storage, profile]) if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

async function openHost(tool: string, toolArguments: Record<string, unknown>, theme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${baseUrl}/test-host`);
  await page.evaluate((options) => (window as unknown as { startHost(options: unknown): Promise<void> }).startHost(options), {
    token,
    tool,
    arguments: toolArguments,
    theme,
  });
  return page;
}

const hostLog = (page: Page) => page.evaluate(() => (window as unknown as { hostLog: HostLog }).hostLog);

/** Waits until `read` gives `expected` (the page updates asynchronously), then asserts it. */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = appear.timeout): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  expect(last).toEqual(expected);
}

/** Raw RGB pixels of an encoded image. */
const rgb = async (bytes: Uint8Array) => sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });

describe('the image view in a host', () => {
  it('shows a generated image at full size, and a painted mask edits exactly the painted area', async () => {
    const page = await openHost('generate_image', { prompt: 'a lighthouse on a cliff', size: '1536x1024', quality: 'low' }, 'dark');
    const view = page.frameLocator('iframe');
    const shown = view.locator('figure.variant img');
    await shown.waitFor(appear);
    // The full-resolution original (not the 768 px preview), drawn at its real width.
    expect(await shown.evaluate((image: HTMLImageElement) => [image.naturalWidth, image.naturalHeight, image.clientWidth])).toEqual([
      1536, 1024, 1536,
    ]);
    expect(await view.locator('html').getAttribute('data-theme')).toBe('dark');
    await expect(view.locator('#details').textContent()).resolves.toMatch(/gpt-image-2[\s\S]*1536x1024[\s\S]*a lighthouse on a cliff/);
    await page.screenshot({ path: path.join(screenshots, 'image-view-dark.png') });

    await view.getByRole('button', { name: 'Edit a region…' }).click();
    const canvas = view.getByTestId('mask-canvas');
    await canvas.waitFor();
    // Room for the image and the editor below it, so the pointer reaches the whole canvas without scrolling.
    await page.setViewportSize({ width: 1700, height: 3000 });
    await canvas.scrollIntoViewIfNeeded();
    // By keyboard: Space paints at the brush, Shift+arrows paint while moving, I inverts, Ctrl+Z undoes.
    const paintedPixels = () =>
      canvas.evaluate((element: HTMLCanvasElement) => {
        const data = element.getContext('2d')?.getImageData(0, 0, element.width, element.height).data ?? [];
        let count = 0;
        for (let offset = 3; offset < data.length; offset += 4) if ((data[offset] ?? 0) >= 128) count += 1;
        return count;
      });
    await canvas.focus();
    await page.keyboard.press(' ');
    const dab = await paintedPixels();
    expect(dab).toBeGreaterThan(100);
    await page.keyboard.press('Shift+ArrowRight');
    expect(await paintedPixels()).toBeGreaterThan(dab);
    await page.keyboard.press('i');
    expect(await paintedPixels()).toBeGreaterThan(1536 * 1024 * 0.9);
    for (let undo = 0; undo < 3; undo += 1) await page.keyboard.press('Control+z');
    expect(await paintedPixels()).toBe(0);

    const box = await canvas.boundingBox();
    if (!box) throw new Error('the mask canvas is not on screen');
    const at = (x: number, y: number) => [box.x + box.width * x, box.y + box.height * y] as const;
    await page.mouse.move(...at(0.2, 0.3));
    await page.mouse.down();
    await page.mouse.move(...at(0.5, 0.3), { steps: 12 });
    await page.mouse.move(...at(0.5, 0.6), { steps: 12 });
    await page.mouse.up();
    await view.getByLabel('Edit instruction').fill('turn this area into a red door');
    await view.getByRole('button', { name: 'Apply edit' }).click();
    const edited = view.locator('figure.variant', { hasText: 'Edit of' }).locator('img');
    await Promise.race([
      edited.waitFor(appear),
      view
        .locator('#error:not(:empty)')
        .first()
        .waitFor(appear)
        .then(async () => {
          throw new Error(`the view reported: ${await view.locator('#error').textContent()}`);
        }),
    ]);
    await page.screenshot({ path: path.join(screenshots, 'image-view-masked-edit.png') });
    // Beside the old one: the source image is still shown.
    await expect(view.locator('figure.variant img').count()).resolves.toBe(2);

    const log = await hostLog(page);
    const editCall = log.toolCalls.find((call) => call.name === 'edit_image');
    const editResult = log.toolResults.find((result) => result.name === 'edit_image');
    expect(editResult?.isError).toBe(false);
    // The view's edit starts as a job (wait_seconds 0) and streams partial images, which its polls receive.
    expect(editCall?.arguments).toMatchObject({ wait_seconds: 0, partial_images: 2 });
    const polls = log.toolResults.filter((result) => result.name === 'get_generation');
    expect(polls.some((result) => result.structuredContent?.['partial_image'] !== undefined)).toBe(true);
    const finished = [editResult, ...polls].find((result) => typeof result?.structuredContent?.['image_id'] === 'string');
    const sourceId = String(editCall?.arguments['image']);
    const editedId = String(finished?.structuredContent?.['image_id']);
    const maskUrl = String(editCall?.arguments['mask']);
    expect(maskUrl).toMatch(/^data:image\/png;base64,/);

    const mask = await sharp(Buffer.from(maskUrl.split(',')[1] ?? '', 'base64'))
      .extractChannel('alpha')
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([mask.info.width, mask.info.height]).toEqual([1536, 1024]);
    const before = await rgb((await engine.getImage(sourceId)).bytes);
    const after = await rgb((await engine.getImage(editedId)).bytes);
    expect([after.info.width, after.info.height]).toEqual([1536, 1024]);
    let masked = 0;
    let changedInside = 0;
    let changedOutside = 0;
    for (let pixel = 0; pixel < 1536 * 1024; pixel += 1) {
      const offset = pixel * 3;
      const changed =
        before.data[offset] !== after.data[offset] ||
        before.data[offset + 1] !== after.data[offset + 1] ||
        before.data[offset + 2] !== after.data[offset + 2];
      if (mask.data[pixel] === 0) {
        masked += 1;
        if (changed) changedInside += 1;
      } else if (changed) {
        changedOutside += 1;
      }
    }
    // The region sent is where the pointer painted (an L from 20–50 % across at 30 % down, then down to 60 %).
    const alphaAt = (x: number, y: number) => mask.data[Math.round(y * 1023) * 1536 + Math.round(x * 1535)];
    expect([alphaAt(0.35, 0.3), alphaAt(0.5, 0.45), alphaAt(0.9, 0.9), alphaAt(0.1, 0.1), alphaAt(0.3, 0.55)]).toEqual([
      0, 0, 255, 255, 255,
    ]);
    expect(masked).toBeGreaterThan(10_000);
    expect(changedOutside).toBe(0);
    expect(changedInside / masked).toBeGreaterThan(0.95);
    expect(log.errors).toEqual([]);
    await page.close();
  });

  it('draws a markup overlay on a model with markup edits and sends it as markup, not as a mask', async () => {
    const page = await openHost('generate_image', {
      prompt: 'a poster',
      model: 'gpt-image-2.6-sunburst',
      size: '1024x1024',
      quality: 'low',
    });
    const view = page.frameLocator('iframe');
    await view.locator('figure.variant img').waitFor(appear);
    await view.getByRole('button', { name: 'Edit a region…' }).click();
    const canvas = view.getByTestId('mask-canvas');
    await canvas.waitFor();
    await view.getByLabel('Draw on the image (markup)').check();
    await canvas.focus();
    await page.keyboard.press(' ');
    await page.keyboard.press('Shift+ArrowRight');
    await view.getByLabel('Edit instruction').fill('put a hat where the line is');
    await view.getByRole('button', { name: 'Apply edit' }).click();
    await view.locator('figure.variant', { hasText: 'Edit of' }).locator('img').waitFor(appear);
    const log = await hostLog(page);
    const editCall = log.toolCalls.find((call) => call.name === 'edit_image');
    expect(editCall?.arguments).not.toHaveProperty('mask');
    const markup = await sharp(Buffer.from(String(editCall?.arguments['markup']).split(',')[1] ?? '', 'base64'))
      .extractChannel('alpha')
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([markup.info.width, markup.info.height]).toEqual([1024, 1024]);
    // The drawing is opaque, the rest fully transparent: a markup overlay, not a mask (whose unpainted part is opaque).
    const opaque = markup.data.filter((alpha) => alpha === 255).length;
    expect(opaque).toBeGreaterThan(100);
    expect(opaque).toBeLessThan(1024 * 1024 * 0.2);
    expect(
      fake.requests
        .filter((request) => request.path === '/v1/images/edits')
        .at(-1)
        ?.files?.map((file) => file.field),
    ).toContain('markup');
    expect(log.errors).toEqual([]);
    await page.close();
  });

  it('shows variants side by side and passes the chosen one to the host, by keyboard, at a narrow width', async () => {
    const page = await openHost('generate_image', { prompt: 'three paper boats', size: '1024x1024', quality: 'low', n: 3 });
    const view = page.frameLocator('iframe');
    const images = view.locator('figure.variant img');
    await images.nth(2).waitFor(appear);
    await expect(images.count()).resolves.toBe(3);
    const tops = await images.evaluateAll((all: HTMLImageElement[]) => all.map((image) => Math.round(image.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    const ids = await view.locator('figure.variant').evaluateAll((all: HTMLElement[]) => all.map((figure) => figure.dataset['imageId']));

    await view.getByRole('button', { name: 'Use this one' }).nth(1).focus();
    await page.keyboard.press('Enter');
    await view.locator('figure.variant.chosen').waitFor();
    const log = await hostLog(page);
    expect(log.messages).toEqual([`Use image ${ids[1]}.`]);
    expect(log.modelContext[0]).toContain(String(ids[1]));

    await view.getByRole('button', { name: 'Download original' }).first().click();
    await eventually(async () => (await hostLog(page)).downloads, [`generated-images://${ids[0]}`]);

    await page.setViewportSize({ width: 360, height: 900 });
    await eventually(
      () => view.locator('html').evaluate((root) => root.scrollWidth <= root.clientWidth && root.ownerDocument.body.scrollWidth <= 360),
      true,
    );
    await page.screenshot({ path: path.join(screenshots, 'image-view-variants-narrow.png'), fullPage: true });
    await page.close();
  });

  it('opens the gallery through the host and filters it', async () => {
    const page = await openHost('open_gallery', {});
    const view = page.frameLocator('iframe');
    const total = (await engine.history({ limit: 100 })).totalCount;
    await eventually(() => view.locator('#grid li').count(), total);
    await view.getByLabel('Prompt contains').fill('paper boats');
    await eventually(() => view.locator('#grid li').count(), 3);
    await page.close();
  });
});

describe('the /gallery page over HTTP', () => {
  it('refuses its data without the token', async () => {
    expect((await fetch(`${baseUrl}/gallery/api/images`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/gallery/api/images/img_20261125143022_0123456789ab`, { method: 'DELETE' })).status).toBe(401);
    const listing = await fetch(`${baseUrl}/gallery/api/images?text=lighthouse`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await listing.json()) as { total_count: number }).total_count).toBe(1);
  });

  it('asks for the token, lists, filters and deletes with confirmation', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/gallery`);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Open the gallery' }).click();
    const total = (await engine.history({ limit: 100 })).totalCount;
    await eventually(() => page.locator('#grid li').count(), total);

    await page.getByLabel('Prompt contains').fill('lighthouse');
    await eventually(() => page.locator('#grid li').count(), 1);
    const imageId = String(await page.locator('#grid li').getAttribute('data-image-id'));
    await page.screenshot({ path: path.join(screenshots, 'gallery-filtered.png') });

    await page.locator('#grid li button').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete…' }).click();
    await expect(page.getByRole('alertdialog').textContent()).resolves.toContain(imageId);
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await eventually(() => page.locator('#grid li').count(), 0);
    await expect(page.locator('#status').textContent()).resolves.toContain(`Deleted ${imageId}`);
    await expect(engine.getImage(imageId)).rejects.toMatchObject({ code: 'not_found' });
    expect((await engine.history({ limit: 100 })).totalCount).toBe(total - 1);
    await page.close();
  });
});
