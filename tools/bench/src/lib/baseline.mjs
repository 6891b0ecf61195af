// Drives fixtures/baseline-client.mjs: a spawned process that calls the fake provider with the openai SDK directly.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { benchApiKey, benchImage, benchSource, collectStderr } from './bench-kit.mjs';

export function startBaselineClient(fakeUrl, folder) {
  const child = spawn(process.execPath, [path.join(benchSource, 'fixtures/baseline-client.mjs'), `${fakeUrl}/v1`, benchApiKey, folder], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr = collectStderr(child.stderr);
  const pending = new Map();
  let nextId = 0;
  let exited = false;
  child.on('exit', (code) => {
    exited = true;
    for (const { reject } of pending.values()) reject(new Error(`baseline client exited with ${code}: ${stderr.join('\n')}`));
    pending.clear();
  });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const answer = JSON.parse(line);
    const waiter = pending.get(answer.id);
    if (!waiter) return;
    pending.delete(answer.id);
    if (answer.error) waiter.reject(new Error(`baseline generation failed: ${answer.error}`));
    else waiter.resolve(answer);
  });
  return {
    pid: child.pid,
    /** One generation, resolved once the file is written. */
    generate(prompt) {
      if (exited) return Promise.reject(new Error('baseline client is not running'));
      nextId += 1;
      const id = `b${nextId}`;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.stdin.write(
          `${JSON.stringify({ id, prompt, model: benchImage.model, size: benchImage.size, quality: benchImage.quality })}\n`,
        );
      });
    },
    async close() {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(timer);
    },
  };
}
