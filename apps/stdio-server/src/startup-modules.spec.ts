/**
 * What start-up loads: the engine and the MCP layer, but no vendor SDK, no sharp and no Redis client. Those load on
 * first use, which keeps spawn-to-`initialize` short (figures in BENCHMARKS.md).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

describe('modules loaded at start-up', () => {
  it('leaves sharp, the OpenAI and Google SDKs and ioredis unloaded until they are needed', () => {
    // No server runs in this process, so a synchronous child cannot deadlock anything.
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        "require('@imagegen/config'); require('@imagegen/core'); require('@imagegen/mcp'); console.log(JSON.stringify(Object.keys(require.cache)))",
      ],
      { cwd: path.join(__dirname, '..'), encoding: 'utf8' },
    );
    expect(probe.status).toBe(0);
    const loaded = JSON.parse(probe.stdout) as string[];
    expect(
      loaded.some((file) => file.includes(`${path.sep}@imagegen${path.sep}`) || file.includes(`${path.sep}libs${path.sep}core${path.sep}`)),
    ).toBe(true);
    const heavy = loaded.filter((file) => /node_modules[\\/](sharp|openai|@google[\\/]genai|ioredis)[\\/]/.test(file));
    expect(heavy).toEqual([]);
  });
});
