#!/usr/bin/env node
// Runs the programs the README shows, exactly as written there, against the bundled fake provider servers, so the
// README can never drift from what works. Each example is a fenced block right after an `<!-- example: NAME -->` line.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = fs.readFileSync(path.join(workspaceRoot, 'README.md'), 'utf8');
const { createFakeOpenAIServer } = await import(path.join(workspaceRoot, 'libs/testing/dist/index.mjs'));

/** What each example must print to count as working. */
const expectations = {
  'core-without-mcp': [/img_\d{14}_[0-9a-f]{12}: 1536x1024 png/, /second call served from cache: true/],
  'cli-session': [
    /All checks passed/,
    /SYNTHETIC/,
    /img_\d{14}_[0-9a-f]{12} +1536x1024 png/,
    /copied to .*lighthouse\.png/,
    /"imageCount": 1\b/,
    /today/i,
  ],
};

const examples = [...readme.matchAll(/<!-- example: ([a-z0-9-]+) -->\s*```(\w+)\n([\s\S]*?)```/g)].map((match) => ({
  name: match[1],
  language: match[2],
  code: match[3] ?? '',
}));
if (examples.length === 0) {
  console.error('No examples found in README.md');
  process.exit(1);
}

const fake = await createFakeOpenAIServer();
const scratch = fs.mkdtempSync(path.join(workspaceRoot, 'tmp-readme-'));
const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-readme-storage-'));
let failed = 0;
try {
  // Shell examples call `imagegen` as a user would: a shim on PATH runs the built command line.
  const bin = path.join(scratch, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'imagegen'),
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(workspaceRoot, 'apps/cli/dist/main.js')}" "$@"\n`,
    { mode: 0o755 },
  );
  for (const example of examples) {
    const shell = example.language === 'bash' || example.language === 'sh';
    const file = path.join(scratch, `${example.name}.${shell ? 'sh' : 'mjs'}`);
    fs.writeFileSync(file, shell ? `set -eu\n${example.code}` : example.code);
    // Asynchronous on purpose: the fake server runs in this process and must keep answering while the example runs.
    const result = await new Promise((resolve) => {
      const child = spawn(shell ? 'bash' : process.execPath, [file], {
        cwd: scratch,
        env: {
          PATH: `${bin}${path.delimiter}${process.env.PATH}`,
          HOME: storage,
          OPENAI_API_KEY: 'sk-readme-example',
          PROVIDERS__OPENAI__BASE_URL: `${fake.url}/v1`,
          STORAGE__BASE_PATH: storage,
        },
      });
      const output = { stdout: '', stderr: '', status: null, signal: null };
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.stdout.on('data', (chunk) => (output.stdout += chunk));
      child.stderr.on('data', (chunk) => (output.stderr += chunk));
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        resolve({ ...output, status, signal });
      });
    });
    const problems = [];
    if (result.status !== 0) problems.push(`exited with ${result.status}${result.signal ? ` (${result.signal})` : ''}`);
    for (const pattern of expectations[example.name] ?? []) {
      if (!pattern.test(result.stdout)) problems.push(`output lacks ${pattern}`);
    }
    if (problems.length > 0) {
      failed += 1;
      console.error(
        `README example ${example.name} failed: ${problems.join('; ')}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
      );
    } else {
      console.log(`README example ${example.name}: ok\n${result.stdout.trim()}`);
    }
  }
} finally {
  await fake.close();
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(storage, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);
