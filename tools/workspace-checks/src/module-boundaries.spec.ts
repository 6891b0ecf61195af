/**
 * Proves that the lint configuration turns a forbidden import into an error. Each case lints a small fixture
 * text as if it were a file inside a library, with the workspace's real ESLint configuration and Nx project graph.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { workspaceRoot } from './workspace-root';

interface LintOutcome {
  ruleIds: string[];
  messages: string[];
}

/**
 * Lints in a child Node process: ESLint loads the flat configuration (eslint.config.mjs, which reads the rules from
 * .eslintrc.json) with a dynamic import, which Jest's module sandbox does not allow.
 */
const lintProgram = `
import { ESLint } from 'eslint';
const [filePath, code] = JSON.parse(process.argv[1]);
const [result] = await new ESLint({ cwd: process.cwd() }).lintText(code, { filePath });
process.stdout.write(JSON.stringify(result?.messages ?? []));
`;

function lintAs(relativeFilePath: string, code: string): Promise<LintOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', lintProgram, JSON.stringify([path.join(workspaceRoot, relativeFilePath), code])],
      { cwd: workspaceRoot, encoding: 'utf8', maxBuffer: 10_000_000, env: { ...process.env, NX_DAEMON: 'false' } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`eslint failed: ${stderr || error.message}`));
        const messages = JSON.parse(stdout) as Array<{ ruleId: string | null; severity: number; message: string }>;
        resolve({
          ruleIds: messages.filter((message) => message.severity === 2).map((message) => message.ruleId ?? 'fatal'),
          messages: messages.map((message) => message.message),
        });
      },
    );
  });
}

// Each case starts ESLint with typescript-eslint and the Nx project graph: seconds on a busy machine.
jest.setTimeout(180_000);

const useIt = '\nexport const used = [imported];\n';

describe('layer boundaries', () => {
  beforeAll(() => {
    // The Nx rule reads the cached project graph; computing it here makes the test independent of what ran before.
    execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], {
      cwd: workspaceRoot,
      stdio: 'ignore',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
  }, 120000);

  it.each([
    ['libs/core/src/boundary-fixture.ts', "import { McpServer as imported } from '@modelcontextprotocol/sdk/server/mcp.js';"],
    ['libs/storage/src/boundary-fixture.ts', "import imported from 'express';"],
    ['libs/config/src/boundary-fixture.ts', "import { Command as imported } from 'commander';"],
    ['libs/providers/src/boundary-fixture.ts', "import { createImageGenMcpServer as imported } from '@imagegen/mcp';"],
  ])('refuses a forbidden import in %s', async (filePath, importLine) => {
    const outcome = await lintAs(filePath, importLine + useIt);
    expect(outcome.ruleIds).toContain('@nx/enforce-module-boundaries');
  });

  it('lets the MCP library import the MCP SDK and the engine', async () => {
    const outcome = await lintAs(
      'libs/mcp/src/boundary-fixture.ts',
      "import { McpServer as imported } from '@modelcontextprotocol/sdk/server/mcp.js';\nimport { ImageGenError } from '@imagegen/common';\nexport const used = [imported, ImageGenError];\n",
    );
    expect(outcome.ruleIds).toEqual([]);
  });

  it('refuses an engine library that reads the environment or writes to stdout', async () => {
    const outcome = await lintAs(
      'libs/cache/src/boundary-fixture.ts',
      "export const key = process.env['KEY'];\nprocess.stdout.write('x');\nconsole.log('x');\n",
    );
    expect(outcome.ruleIds).toEqual(['no-restricted-properties', 'no-restricted-properties', 'no-console']);
  });

  it('lets an app read the environment', async () => {
    const outcome = await lintAs('apps/cli/src/boundary-fixture.ts', "export const key = process.env['KEY'];\n");
    expect(outcome.ruleIds).toEqual([]);
  });
});
