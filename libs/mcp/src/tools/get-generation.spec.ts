/**
 * The asynchronous path for hosts that cut tool calls short: the real SDK Client against the real server, a real
 * engine and the fake OpenAI server answering slowly.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig } from '@imagegen/core';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { createImageGenMcpServer } from '../image-gen-mcp-server';

const settings = {
  name: 'imagegen-test',
  version: '0.0.0',
  responseByteBudget: 300_000,
  includeDataUrl: false,
  allowLocalFiles: false,
  retentionDays: 30,
};

describe('generate_image with wait_seconds and get_generation', () => {
  let fake: FakeOpenAIServer;
  let storage: string;
  let client: Client;
  let close: () => Promise<void>;

  beforeAll(async () => {
    fake = await createFakeOpenAIServer({ latencyMs: 5_000 });
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-jobs-mcp-'));
    const { config } = loadConfig({
      env: { OPENAI_API_KEY: 'sk-mcp-test', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage },
      cwd: storage,
      homeDirectory: storage,
      platform: 'linux',
    });
    const engine = await createImageEngineFromConfig(config, { scheduleRetention: false });
    const server = createImageGenMcpServer({ engine, settings });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    client = new Client({ name: 'test-client', version: '1.0.0' });
    await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
    close = async () => {
      await client.close();
      await server.close();
      await engine.close();
      await fake.close();
      fs.rmSync(storage, { recursive: true, force: true });
    };
  });
  afterAll(() => close());

  it('answers a slow generation with a job id within its wait, and get_generation with the image: one provider call', async () => {
    const started = Date.now();
    const first = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a slow lighthouse', size: '1024x1024', quality: 'low', wait_seconds: 1 },
    });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(first.isError).toBeFalsy();
    const running = first.structuredContent as { job_id: string; status: string };
    expect(running).toEqual({ job_id: expect.stringMatching(/^job_/), status: 'running' });
    expect(JSON.stringify(first.content)).toContain('get_generation');

    const still = await client.callTool({ name: 'get_generation', arguments: { job_id: running.job_id, wait_seconds: 0 } });
    expect(still.structuredContent).toMatchObject({ status: 'running' });

    const done = await client.callTool({ name: 'get_generation', arguments: { job_id: running.job_id, wait_seconds: 30 } });
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent).toMatchObject({
      job_id: running.job_id,
      status: 'completed',
      image_id: expect.stringMatching(/^img_/),
      metadata: { dimensions: '1024x1024' },
    });
    expect((done.content as Array<{ type: string }>).some((block) => block.type === 'image')).toBe(true);
    expect(fake.requests.filter((request) => request.path.includes('/images/'))).toHaveLength(1);
  }, 30_000);

  it('says so for an unknown job id, as an error result naming the fix', async () => {
    const unknown = await client.callTool({ name: 'get_generation', arguments: { job_id: 'job_00000000-0000-0000-0000-000000000000' } });
    expect(unknown.isError).toBe(true);
    expect(JSON.stringify(unknown.content)).toMatch(/no generation job/);
  });
});
