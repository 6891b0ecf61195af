/**
 * `imagegen` with Gemini's late-2026 abilities — Google Search grounding, multi-turn editing, thinking level, live
 * availability — run as the built binary against the fake provider server's Gemini routes.
 */
import type { FakeOpenAIServer } from '@imagegen/testing';
import { createCliHarness, type CliHarness } from './test-support/cli-harness';

interface ImageJson {
  parameters: Record<string, unknown>;
  images: Array<{
    image_id: string;
    grounding?: { search_queries: string[]; sources: Array<{ uri: string }> };
    conversation_turns?: number;
  }>;
}

describe('imagegen with Gemini grounding, multi-turn editing and thinking level', () => {
  let fake: FakeOpenAIServer;
  let cli: CliHarness;
  const lastGeminiBody = () => fake.requests.filter((request) => request.path.endsWith(':generateContent')).at(-1)?.body ?? {};

  beforeAll(async () => {
    const { createFakeProviderServer } = await import('@imagegen/testing');
    fake = await createFakeProviderServer();
    cli = createCliHarness(fake.url, {
      PROVIDERS__GEMINI__API_KEY: 'AIzaCliGeminiKey0123',
      PROVIDERS__GEMINI__BASE_URL: fake.url,
      IMAGES__DEFAULT_MODEL: 'gemini-nano-banana-2.1',
      IMAGES__DEFAULT_SIZE: '1024x1024',
    });
  });
  afterAll(async () => {
    await fake.close();
    cli.cleanup();
  });

  it('grounds with --search-grounding and prints the sources; refuses it on a model without it', async () => {
    const json = cli.json<ImageJson>(await cli.run(['--json', 'generate', 'the harbour of Porto today', '--search-grounding']));
    expect(json.images[0]?.grounding?.search_queries).toEqual(['the harbour of Porto today']);
    expect(json.images[0]?.grounding?.sources).toHaveLength(2);
    const person = await cli.run(['generate', 'the harbour of Porto today', '--search-grounding', '--fresh']);
    expect(person.status).toBe(0);
    expect(person.stdout).toMatch(/grounded with Google Search: "the harbour of Porto today"\n\s+example\.com: https:\/\//);
    const refused = await cli.run(['generate', 'x', '-m', 'gemini-3.1-flash-lite-image', '--search-grounding']);
    expect(refused.status).toBe(7);
    expect(refused.stderr).toMatch(/cannot ground images with Google Search/);
  });

  it('continues an image’s conversation with --continue-conversation, on its own model only', async () => {
    const first = cli.json<ImageJson>(await cli.run(['--json', 'generate', 'a windmill in a field']));
    const imageId = first.images[0]?.image_id ?? '';
    expect(first.images[0]?.conversation_turns).toBe(2);
    const followUp = cli.json<ImageJson>(await cli.run(['--json', 'edit', imageId, 'now at night', '--continue-conversation']));
    expect(followUp.parameters).toMatchObject({ continue_conversation: true, conversation_turns: 2 });
    expect((lastGeminiBody()['contents'] as unknown[]).length).toBe(3);
    const elsewhere = await cli.run(['edit', imageId, 'x', '-m', 'gemini-3-pro-image', '--continue-conversation']);
    expect(elsewhere.status).toBe(7);
    expect(elsewhere.stderr).toMatch(/a follow-up turn must use that model/);
  });

  it('sends --thinking-level where the model has one, and shows each ability in `models show`', async () => {
    const result = await cli.run(['--json', 'generate', 'a clockwork bird', '--thinking-level', 'minimal']);
    expect(result.status).toBe(0);
    expect(lastGeminiBody()['generationConfig']).toMatchObject({ thinkingConfig: { thinkingLevel: 'MINIMAL' } });
    const refused = await cli.run(['generate', 'x', '-m', 'gemini-3-pro-image', '--thinking-level', 'high']);
    expect(refused.status).toBe(7);
    expect(refused.stderr).toMatch(/no adjustable thinking level/);
    const show = await cli.run(['models', 'show', 'gemini-nano-banana-2.1']);
    expect(show.stdout).toMatch(/thinking level: minimal, high/);
    expect(show.stdout).toMatch(/grounding: +Google Search \(--search-grounding\), \$0\.0140 per search query \(unverified\)/);
    expect(show.stdout).toMatch(/multi-turn: +edits can continue/);
  });

  it('shows a model absent from Google’s list as not available for the key', async () => {
    const listing = await cli.run(['models', '--check-availability']);
    expect(listing.stdout).toMatch(
      /gemini-3\.1-flash-image .*not available for your key \(absent from the provider’s list; requests refused\)/,
    );
  });
});
