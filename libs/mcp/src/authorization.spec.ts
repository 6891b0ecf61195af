/**
 * The MCP server for a signed-in caller: listings follow the read scope and administrators get set_user_budget.
 * (The 403 insufficient_scope answers come from the HTTP transports; the HTTP app's sign-in tests cover them.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, type AuthInfo } from '@modelcontextprotocol/server';
import { loadConfig } from '@imagegen/config';
import { createImageEngineFromConfig, type ImageEngine } from '@imagegen/core';
import { createFakeOpenAIServer, type FakeOpenAIServer } from '@imagegen/testing';
import { defaultScopeNames } from './authorization';
import { createImageGenMcpServer } from './image-gen-mcp-server';

const settings = {
  name: 'imagegen-test',
  version: '0.0.0',
  responseByteBudget: 300_000,
  includeDataUrl: false,
  allowLocalFiles: false,
  retentionDays: 30,
};

let fake: FakeOpenAIServer;
let engine: ImageEngine;
let storage: string;
beforeAll(async () => {
  fake = await createFakeOpenAIServer();
  storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-mcp-auth-'));
  const { config } = loadConfig({
    env: { OPENAI_API_KEY: 'sk-mcp-auth', PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`, STORAGE__BASE_PATH: storage },
    cwd: storage,
    homeDirectory: storage,
    platform: 'linux',
  });
  engine = await createImageEngineFromConfig(config, { scheduleRetention: false });
});
afterAll(async () => {
  await engine.close();
  await fake.close();
  fs.rmSync(storage, { recursive: true, force: true });
});

async function connectAs(principalId: string, scopes: string[]): Promise<Client> {
  const authInfo: AuthInfo = { token: 't', clientId: 'c', scopes, expiresAt: Math.floor(Date.now() / 1000) + 60, extra: { principalId } };
  const server = createImageGenMcpServer({
    engine: engine.forPrincipal({ principalId, admin: scopes.includes(defaultScopeNames.admin) }),
    settings,
    authorization: { authInfo, scopes: defaultScopeNames },
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'auth-test', version: '1.0.0' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return client;
}

const imageUris = async (client: Client) =>
  (await client.listResources()).resources.map((resource) => resource.uri).filter((uri) => uri.startsWith('generated-images://'));

describe('an MCP server for a signed-in caller', () => {
  it('lists and completes images only with the read scope, and offers set_user_budget to administrators only', async () => {
    const writer = await connectAs('alice', ['images:generate']);
    const reader = await connectAs('alice', ['images:generate', 'images:read']);
    const admin = await connectAs('carol', ['images:admin']);
    try {
      const made = await writer.callTool({ name: 'generate_image', arguments: { prompt: 'a red fox', size: '1024x1024', quality: 'low' } });
      expect(made.isError).toBeFalsy();
      expect(await imageUris(writer)).toEqual([]);
      const completion = {
        ref: { type: 'ref/resource' as const, uri: 'generated-images://{image_id}' },
        argument: { name: 'image_id', value: 'img_' },
      };
      expect((await writer.complete(completion)).completion.values).toEqual([]);
      expect(await imageUris(reader)).toHaveLength(1);
      expect((await reader.complete(completion)).completion.values).toHaveLength(1);

      // Transports without HTTP scope challenges still refuse what the scopes do not allow.
      const history = await writer.callTool({ name: 'get_image_history', arguments: {} });
      expect(history.isError).toBe(true);
      expect(JSON.stringify(history.content)).toContain('This needs the images:read scope');
      await expect(writer.readResource({ uri: 'storage-stats://overview' })).rejects.toThrow(/images:read scope/);
      const readOnly = await connectAs('alice', ['images:read']);
      const generate = await readOnly.callTool({ name: 'generate_image', arguments: { prompt: 'no', size: '1024x1024' } });
      expect(JSON.stringify(generate.content)).toContain('This needs the images:generate scope');
      await readOnly.close();
      expect((await reader.listTools()).tools.map((tool) => tool.name)).not.toContain('set_user_budget');
      expect((await admin.listTools()).tools.map((tool) => tool.name)).toContain('set_user_budget');
      const set = await admin.callTool({ name: 'set_user_budget', arguments: { principal_id: 'alice', daily_usd: 0, monthly_usd: null } });
      expect(set.structuredContent).toEqual({ principal_id: 'alice', daily_usd: 0, monthly_usd: null });
      const refused = await writer.callTool({
        name: 'generate_image',
        arguments: { prompt: 'another fox', size: '1024x1024', quality: 'low' },
      });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toContain('Your daily budget');
      // The administrator sees alice's image too.
      expect(await imageUris(admin)).toHaveLength(1);
    } finally {
      await Promise.all([writer.close(), reader.close(), admin.close()]);
    }
  });
});
