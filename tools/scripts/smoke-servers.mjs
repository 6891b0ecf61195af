#!/usr/bin/env node
// Starts the BUILT servers with the Node running this script and checks that they answer: the stdio server an
// `initialize` request, the HTTP server `/healthz` and an `initialize` on /mcp. CI runs it on the oldest supported
// Node (22) after the main checks have built everything: node tools/scripts/smoke-servers.mjs
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const stdioBinary = path.join(workspaceRoot, 'apps', 'stdio-server', 'dist', 'main.js');
const httpBinary = path.join(workspaceRoot, 'apps', 'http-server', 'dist', 'main.js');
const deadlineMs = 60_000;

const initializeRequest = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'imagegen-smoke', version: '1.0.0' } },
};

/**
 * @param {string} label
 * @param {Promise<string>} work
 * @returns {Promise<string>}
 */
function withDeadline(label, work) {
  return Promise.race([
    work,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`${label}: no answer within ${deadlineMs / 1000} s`)), deadlineMs).unref(),
    ),
  ]);
}

/** @param {string} home */
function serverEnvironment(home) {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    XDG_CACHE_HOME: path.join(home, 'cache'),
    STORAGE__BASE_PATH: path.join(home, 'images'),
  };
}

/**
 * Keeps the last lines of a child's standard error, for the failure message.
 * @param {import('node:stream').Readable} stream
 * @param {(line: string) => void} [onLine]
 */
function collectLines(stream, onLine) {
  /** @type {string[]} */
  const lines = [];
  readline.createInterface({ input: stream }).on('line', (line) => {
    lines.push(line);
    if (lines.length > 20) lines.shift();
    onLine?.(line);
  });
  return lines;
}

/**
 * Ends a child and waits until it has exited, so its files are closed before the temp folder goes.
 * @param {import('node:child_process').ChildProcess} child
 */
function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve(undefined));
    child.kill();
  });
}

/** @param {string} home */
async function checkStdio(home) {
  const child = spawn(process.execPath, [stdioBinary], { env: serverEnvironment(home), stdio: ['pipe', 'pipe', 'pipe'] });
  const errors = collectLines(/** @type {import('node:stream').Readable} */ (child.stderr));
  try {
    const answer = await withDeadline(
      'stdio initialize',
      new Promise((resolve, reject) => {
        child.on('exit', (code) => reject(new Error(`stdio server ended (exit ${code}) before answering:\n${errors.join('\n')}`)));
        collectLines(/** @type {import('node:stream').Readable} */ (child.stdout), (line) => {
          const message = JSON.parse(line);
          if (message.id === 1) resolve(line);
        });
        child.stdin?.write(`${JSON.stringify(initializeRequest)}\n`);
      }),
    );
    const result = JSON.parse(answer).result;
    if (!result?.serverInfo?.name) throw new Error(`stdio initialize answered without serverInfo: ${answer}`);
    return `stdio: initialize answered by ${result.serverInfo.name} ${result.serverInfo.version} (protocol ${result.protocolVersion})`;
  } finally {
    await stop(child);
  }
}

/** @param {string} home */
async function checkHttp(home) {
  const child = spawn(process.execPath, [httpBinary, '--port', '0', '--host', '127.0.0.1'], {
    env: serverEnvironment(home),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const mcpUrl = await withDeadline(
      'http listening',
      new Promise((resolve, reject) => {
        const errors = collectLines(/** @type {import('node:stream').Readable} */ (child.stderr), (line) => {
          const url = /"url":"(http:\/\/[^"]+\/mcp)"/.exec(line)?.[1];
          if (url) resolve(url);
        });
        child.on('exit', (code) => reject(new Error(`HTTP server ended (exit ${code}) before listening:\n${errors.join('\n')}`)));
      }),
    );
    const health = await fetch(new URL('/healthz', mcpUrl));
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status}: ${await health.text()}`);
    const initialize = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(initializeRequest),
    });
    const body = await initialize.text();
    if (initialize.status !== 200 || !body.includes('"serverInfo"'))
      throw new Error(`initialize on /mcp answered ${initialize.status}: ${body}`);
    return `http: /healthz 200, initialize on /mcp 200 (${mcpUrl})`;
  } finally {
    await stop(child);
  }
}

for (const binary of [stdioBinary, httpBinary]) {
  if (!fs.existsSync(binary)) {
    process.stderr.write(`${path.relative(workspaceRoot, binary)} is missing: build first (npx nx run-many -t build)\n`);
    process.exit(1);
  }
}
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'imagegen-smoke-'));
try {
  process.stdout.write(`node ${process.version}\n`);
  process.stdout.write(`${await checkStdio(home)}\n`);
  process.stdout.write(`${await checkHttp(home)}\n`);
} catch (error) {
  process.stderr.write(`smoke check failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}
