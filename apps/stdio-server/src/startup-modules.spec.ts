/**
 * What start-up loads. The built server answers `initialize` with its config, the MCP layer and the SDK only: the
 * engine (@imagegen/core with its logger, providers and storage) loads once that answer is out. And the engine itself
 * loads no vendor SDK, no sharp, no Redis client, no S3 client and no PostgreSQL driver until one is needed. Together
 * that keeps spawn-to-`initialize` short (figures in BENCHMARKS.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const binary = path.join(__dirname, '..', 'dist', 'main.js');

/** Files of these packages are the heavy ones, loaded only when a feature that needs them is used. */
const heavyPackages = /node_modules[\\/](sharp|openai|@google[\\/]genai|ioredis|@aws-sdk[\\/]client-s3|pg|umzug)[\\/]/;

describe('modules loaded at start-up', () => {
  it('leaves sharp, the OpenAI and Google SDKs, ioredis, the S3 client, pg and umzug unloaded until they are needed', () => {
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
    expect(loaded.filter((file) => heavyPackages.test(file))).toEqual([]);
  });

  describe('the built server', () => {
    let folder: string;
    beforeEach(() => {
      folder = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-startup-modules-'));
    });
    afterEach(() => {
      fs.rmSync(folder, { recursive: true, force: true });
    });

    it('answers initialize before it loads the engine, and loads it right after', async () => {
      // Preloaded into the server: records every module (CommonJS and ES) it loads, and which had loaded when the
      // first answer was written to stdout (module.registerHooks: Node 22.15 and later).
      const hook = path.join(folder, 'record-modules.cjs');
      const record = path.join(folder, 'modules.json');
      fs.writeFileSync(
        hook,
        `const fs = require('node:fs');
const loaded = [];
require('node:module').registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
const write = process.stdout.write.bind(process.stdout);
let atAnswer;
process.stdout.write = (chunk, ...rest) => { atAnswer ??= [...loaded]; return write(chunk, ...rest); };
process.on('exit', () => fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ atAnswer, all: loaded })));
`,
      );
      const storage = path.join(folder, 'storage');
      const child = spawn(process.execPath, ['--require', hook, binary], {
        env: { PATH: process.env['PATH'] ?? '', HOME: folder, STORAGE__BASE_PATH: storage, OPENAI_API_KEY: 'sk-startup-modules' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.stdin.write(
        `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'startup-modules', version: '1.0.0' } } })}\n`,
      );
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      // The engine has opened once it logs `starting`; then the client goes away.
      await new Promise<void>((resolve) => {
        const check = () => (stderr.includes('"msg":"starting"') ? resolve() : child.stderr.once('data', check));
        check();
      });
      child.stdin.end();
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);

      const { atAnswer, all } = JSON.parse(fs.readFileSync(record, 'utf8')) as { atAnswer: string[]; all: string[] };
      const isPart = (part: string) => (url: string) => url.replace(/\\/g, '/').includes(part);
      expect(atAnswer.some(isPart('/libs/mcp/'))).toBe(true);
      expect(atAnswer.some(isPart('/@modelcontextprotocol/server/'))).toBe(true);
      expect(atAnswer.filter(isPart('/libs/core/'))).toEqual([]);
      expect(atAnswer.filter(isPart('/node_modules/pino/'))).toEqual([]);
      expect(atAnswer.filter((url) => heavyPackages.test(url))).toEqual([]);
      expect(all.some(isPart('/libs/core/'))).toBe(true);
      expect(all.filter((url) => heavyPackages.test(url))).toEqual([]);
    });
  });
});
