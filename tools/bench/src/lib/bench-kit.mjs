// Shared pieces of the benchmark scenarios: loading the built libraries, statistics over repeated rounds, the fake
// provider with realistic images, spawning the built apps, sampling a child's memory, and writing result files.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const benchSource = path.join(workspaceRoot, 'tools/bench/src');
export const stdioServerBinary = path.join(workspaceRoot, 'apps/stdio-server/dist/main.js');
export const httpServerBinary = path.join(workspaceRoot, 'apps/http-server/dist/main.js');
export const defaultResultsFolder = path.join(workspaceRoot, 'tools/bench/results');
export const quickResultsFolder = path.join(os.tmpdir(), 'imagegen-bench-quick');

const requireHere = createRequire(import.meta.url);

/** Loads a built workspace library (libs/NAME/dist), the same files the apps run. */
export function loadBuiltLibrary(name) {
  const entry = path.join(workspaceRoot, 'libs', name, 'dist', 'index.js');
  if (!fs.existsSync(entry))
    throw new Error(`${path.relative(workspaceRoot, entry)} is missing: build it first (npx nx run ${name}:build)`);
  return requireHere(entry);
}

/** Fails early with the command to run when a built app is missing. */
export function requireBuiltApp(binary, project) {
  if (!fs.existsSync(binary))
    throw new Error(`${path.relative(workspaceRoot, binary)} is missing: build it first (npx nx run ${project}:build)`);
}

// ---------------------------------------------------------------- command line

/** `--name value` (or `--name=value`) from argv, else the fallback. */
export function argument(name, fallback) {
  for (let index = 2; index < process.argv.length; index += 1) {
    const current = process.argv[index];
    if (current === undefined) continue;
    if (current === name) return process.argv[index + 1];
    if (current.startsWith(`${name}=`)) return current.slice(name.length + 1);
  }
  return fallback;
}

export const flag = (name) => process.argv.includes(name);

/** Options every scenario understands: `--quick` and `--out-dir DIR`. */
export function scenarioOptions() {
  const quick = flag('--quick');
  const outDir = path.resolve(argument('--out-dir', quick ? quickResultsFolder : defaultResultsFolder));
  return { quick, outDir };
}

// ---------------------------------------------------------------- statistics

/**
 * @param {number | undefined} value
 * @returns {number | null} null when there is no figure (no samples), which JSON keeps as null
 */
const round2 = (value) => (value !== undefined && Number.isFinite(value) ? Math.round(value * 100) / 100 : null);

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * Distribution of one set of samples (milliseconds, bytes, …). The fields are null only when there are no samples,
 * which no scenario produces; the type says number so the figures read as numbers.
 * @typedef {{ n: number, min: number, p50: number, p95: number, p99: number, max: number, mean: number, stdev: number }} Distribution
 */

/** Distribution of one set of samples (milliseconds, bytes, …). */
/**
 * @param {readonly number[]} samples
 * @returns {Distribution}
 */
export function describe(samples) {
  const sorted = [...samples].sort((left, right) => left - right);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  const variance = sorted.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, sorted.length - 1);
  return /** @type {Distribution} */ ({
    n: sorted.length,
    min: round2(sorted[0]),
    p50: round2(percentile(sorted, 0.5)),
    p95: round2(percentile(sorted, 0.95)),
    p99: round2(percentile(sorted, 0.99)),
    max: round2(sorted.at(-1)),
    mean: round2(mean),
    stdev: round2(Math.sqrt(variance)),
  });
}

export const median = (values) =>
  percentile(
    [...values].sort((left, right) => left - right),
    0.5,
  );

/**
 * One figure measured once per round: its median over the rounds and the spread (min–max, and max/min − 1 in %).
 * Rounds are whole repetitions of a scenario, each with its own baseline, so drift on a shared machine shows as spread.
 */
export function acrossRounds(values) {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return { median: null, min: null, max: null, spreadPct: null, rounds: values.map(round2) };
  const sorted = [...finite].sort((left, right) => left - right);
  const low = sorted[0];
  const high = sorted.at(-1);
  return {
    median: round2(percentile(sorted, 0.5)),
    min: round2(low),
    max: round2(high),
    spreadPct: low > 0 ? round2((high / low - 1) * 100) : null,
    rounds: values.map(round2),
  };
}

/** Milliseconds elapsed since `started` (a process.hrtime.bigint()). */
export const since = (started) => Number(process.hrtime.bigint() - started) / 1e6;

/** Runs `work(index)` for `count` items with at most `inFlight` at a time; returns each call's latency in ms. */
export async function runPool(count, inFlight, work) {
  const latencies = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      const started = process.hrtime.bigint();
      await work(index);
      latencies[index] = since(started);
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return { latencies, elapsedMs: since(started) };
}

/** Runs `work()` in `clients` loops until `durationMs` has passed; returns latencies and throughput. */
export async function runForDuration(durationMs, clients, work) {
  const latencies = [];
  const started = process.hrtime.bigint();
  const deadline = Date.now() + durationMs;
  await Promise.all(
    clients.map(async (client) => {
      while (Date.now() < deadline) {
        const callStarted = process.hrtime.bigint();
        await work(client);
        latencies.push(since(callStarted));
      }
    }),
  );
  const elapsedMs = since(started);
  return { latencies, elapsedMs, requestsPerSecond: (latencies.length * 1000) / elapsedMs };
}

export const sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

// ---------------------------------------------------------------- machine and results

export function machineDescription() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** Writes one scenario's result file (`<name>.json` in outDir) and returns its path. */
export function writeResult(outDir, name, body) {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}.json`);
  const report = { scenario: name, date: new Date().toISOString(), machine: machineDescription(), ...body };
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** A temp folder removed by `cleanupTempFolders()` (and at exit, as a fallback). */
const tempFolders = new Set();
export function makeTempFolder(label) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `imagegen-bench-${label}-`));
  tempFolders.add(folder);
  return folder;
}
export function removeTempFolder(folder) {
  fs.rmSync(folder, { recursive: true, force: true });
  tempFolders.delete(folder);
}
export function cleanupTempFolders() {
  for (const folder of tempFolders) fs.rmSync(folder, { recursive: true, force: true });
  tempFolders.clear();
}
process.on('exit', cleanupTempFolders);

/** Runs a scenario's main function: prints the error and exits 1 when it throws (the runner reports a crash). */
export function runScenario(name, main) {
  main().then(
    () => {
      cleanupTempFolders();
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`bench ${name} crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      cleanupTempFolders();
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------- the fake provider

export const benchImage = { size: '1536x1024', width: 1536, height: 1024, quality: 'low', model: 'gpt-image-2' };
export const benchApiKey = 'sk-bench-0000000000';

/**
 * The fake OpenAI Images API from @imagegen/testing on loopback. Its images are noisy gradients (a 1536x1024 PNG is a
 * few MB, like a real generation); it renders one of four images per prompt and keeps them, so the warm-up renders
 * all four first and no measured call pays for rendering. Returns the fake and the size of the PNGs it serves.
 */
export async function startFakeProvider() {
  const { createFakeOpenAIServer } = loadBuiltLibrary('testing');
  // Idle connections stay open for two minutes (a vendor keeps them far longer than Node's default 5 s). With 32 calls
  // in flight on a loaded machine a client can take more than 5 s between the moment the fake handed the last byte of
  // a 3 MB answer to the kernel and its next request on that connection; the fake then closed it under the request
  // and the baseline failed with ECONNRESET (seen on Node 24 at a load average near 20).
  const fake = await createFakeOpenAIServer({ apiKey: benchApiKey, keepAliveTimeoutMs: 120_000 });
  const sizes = [];
  // Prompt "a".."d": character-code sums 97..100 cover the four render seeds.
  for (const prompt of ['a', 'b', 'c', 'd']) {
    const response = await fetch(`${fake.url}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${benchApiKey}` },
      body: JSON.stringify({ model: benchImage.model, prompt, size: benchImage.size, quality: benchImage.quality }),
    });
    if (!response.ok) throw new Error(`fake provider warm-up failed: ${response.status} ${await response.text()}`);
    const body = await response.json();
    sizes.push(Buffer.from(body.data[0].b64_json, 'base64').length);
  }
  // The fake records every request; a long benchmark must not keep thousands of bodies alive in this process.
  const trim = setInterval(() => fake.requests.splice(0, fake.requests.length), 1000);
  trim.unref();
  return {
    fake,
    imageBytes: { min: Math.min(...sizes), max: Math.max(...sizes) },
    async close() {
      clearInterval(trim);
      await fake.close();
    },
  };
}

/** Unique prompts, so neither the request cache nor single-flight can serve a call. */
let promptCounter = 0;
export const freshPrompt = (label) =>
  `${label} ${process.pid}-${Date.now().toString(36)}-${(promptCounter += 1)}: a lighthouse on a cliff at dawn, watercolour`;

/** Environment for a spawned app: nothing inherited but PATH, storage in `storage`, limits lifted, budgets off. */
export function appEnvironment(fakeUrl, storage, extra = {}) {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: storage,
    PROVIDERS__OPENAI__API_KEY: benchApiKey,
    PROVIDERS__OPENAI__BASE_URL: `${fakeUrl}/v1`,
    // Lift the engine's own throttles: the benchmark measures the server's work, not its configured queueing.
    PROVIDERS__OPENAI__MAX_CONCURRENCY: '64',
    SERVER__RATE_LIMIT_RPM: '0',
    SERVER__CLIENT_RATE_LIMIT_RPM: '0',
    STORAGE__BASE_PATH: storage,
    SERVER__LOG_LEVEL: 'info',
    ...extra,
  };
}

// ---------------------------------------------------------------- spawned apps

/** Keeps the last lines a child wrote to stderr (for crash reports) and drains the pipe so the child never blocks. */
export function collectStderr(stream, keep = 40) {
  const lines = [];
  if (!stream) return lines;
  readline.createInterface({ input: stream }).on('line', (line) => {
    lines.push(line);
    if (lines.length > keep) lines.shift();
  });
  return lines;
}

/** Connects the SDK Client to a freshly spawned stdio server (`binary` with `args`), returning timings and handles. */
export async function connectStdio({ binary = stdioServerBinary, args = [], env }) {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const transport = new StdioClientTransport({ command: process.execPath, args: [binary, ...args], env, stderr: 'pipe' });
  const stderr = collectStderr(transport.stderr);
  const client = new Client({ name: 'imagegen-bench', version: '1.0.0' });
  const started = process.hrtime.bigint();
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(
      `could not start ${path.relative(workspaceRoot, binary)}: ${error instanceof Error ? error.message : String(error)}\n${stderr.join('\n')}`,
    );
  }
  const initializeMs = since(started);
  return { client, transport, stderr, started, initializeMs, pid: transport.pid };
}

/** Calls `generate_image` and throws (with the server's message) when the tool reports an error. */
export async function generate(client, argumentsObject) {
  const result = await client.callTool({ name: 'generate_image', arguments: argumentsObject }, undefined, { timeout: 120_000 });
  if (result.isError) throw new Error(`generate_image failed: ${JSON.stringify(result.content).slice(0, 500)}`);
  return result;
}

/** A TCP port free at this moment on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns an HTTP server (`node binary args`) and waits for its JSON "listening" log line, or until `url` answers.
 * Returns its URL, pid and a stop function.
 */
/**
 * @param {{ binary: string, args?: string[], env: Record<string, string>, port: number, readyPath?: string }} options
 */
export async function spawnHttpServer({ binary, args = [], env, port, readyPath = '/healthz' }) {
  const child = spawn(process.execPath, [binary, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = collectStderr(child.stderr);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const url = `http://127.0.0.1:${port}`;
  const started = process.hrtime.bigint();
  for (;;) {
    if (exited)
      throw new Error(`${path.relative(workspaceRoot, binary)} exited (${JSON.stringify(exited)}) before listening:\n${stderr.join('\n')}`);
    if (since(started) > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`${path.relative(workspaceRoot, binary)} did not answer within 30 s:\n${stderr.join('\n')}`);
    }
    try {
      const response = await fetch(`${url}${readyPath}`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  return {
    url,
    pid: child.pid,
    stderr,
    async stop() {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------- memory of a child

/** VmRSS and VmHWM (peak RSS) of a process, in MiB, from /proc (Linux only; null elsewhere). */
export function processMemory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) / 1024 : null;
    };
    return { rssMiB: field('VmRSS'), peakRssMiB: field('VmHWM') };
  } catch {
    return { rssMiB: null, peakRssMiB: null };
  }
}

/** Samples a child's VmRSS every `intervalMs` until stopped; returns the largest sample and the count. */
export function sampleMemory(pid, intervalMs = 5) {
  let maxRss = 0;
  let samples = 0;
  const take = () => {
    const { rssMiB } = processMemory(pid);
    if (rssMiB !== null) {
      samples += 1;
      maxRss = Math.max(maxRss, rssMiB);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { maxRssMiB: Math.round(maxRss * 10) / 10, samples };
    },
  };
}

/** The median of a few VmRSS readings over `durationMs` of idleness (a steadier figure than one reading). */
export async function settledRss(pid, durationMs = 1000, readings = 10) {
  const values = [];
  for (let index = 0; index < readings; index += 1) {
    await sleep(durationMs / readings);
    const { rssMiB } = processMemory(pid);
    if (rssMiB !== null) values.push(rssMiB);
  }
  return values.length > 0 ? Math.round(median(values) * 10) / 10 : null;
}
