import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, McpServer } from '@modelcontextprotocol/server';
import { createTemplateRegistry } from '@imagegen/prompt-templates';
import { registerPrompts } from './prompts';

async function promptText(suggestSizes: boolean): Promise<string> {
  const server = new McpServer({ name: 'prompts-test', version: '0.0.0' }, { capabilities: { prompts: {} } });
  registerPrompts(server, createTemplateRegistry(), suggestSizes);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  const prompt = await client.getPrompt({ name: 'og-image-prompt', arguments: { title: 'Ship faster' } });
  await client.close();
  await server.close();
  return JSON.stringify(prompt.messages);
}

describe('prompt templates as MCP prompts', () => {
  it('ask for the template size with TEMPLATES__AUTO_SIZE_OPTIMIZATION on, and for none with it off', async () => {
    expect(await promptText(true)).toContain('using size \\"1200x630\\"');
    const withoutSize = await promptText(false);
    expect(withoutSize).not.toContain('using size');
    expect(withoutSize).toContain('generate_image tool');
  });
});
