const path = require('path');
const os = require('os');
const fs = require('fs');
const { createFakeOpenAIServer } = require('@imagegen/testing');
const { loadConfig } = require('@imagegen/config');
const { createImageEngineFromConfig, createJsonLogger } = require('@imagegen/core');
const { createImageGenMcpServer } = require('@imagegen/mcp');
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { InMemoryTransport } = require('@modelcontextprotocol/sdk/inMemory.js');
const OpenAI = require('openai').default;
(async () => {
  const fake = await createFakeOpenAIServer();
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'prof-'));
  const cfg = loadConfig({
    env: {
      STORAGE__BASE_PATH: storage,
      OPENAI_API_KEY: 'sk-x',
      PROVIDERS__OPENAI__BASE_URL: fake.url + '/v1',
      SERVER__RATE_LIMIT_RPM: '0',
    },
    argv: [],
    cwd: storage,
    homeDirectory: storage,
    platform: 'linux',
  }).config;
  const engine = await createImageEngineFromConfig(cfg, { scheduleRetention: false });
  const server = createImageGenMcpServer({
    engine,
    settings: {
      name: 'x',
      version: '1',
      responseByteBudget: cfg.server.response_byte_budget,
      includeDataUrl: false,
      allowLocalFiles: false,
      retentionDays: 30,
    },
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(b);
  const direct = new OpenAI({ apiKey: 'sk-x', baseURL: fake.url + '/v1', maxRetries: 0 });
  // warm the fake's render cache for all 4 seeds
  for (let s = 0; s < 8; s++)
    await direct.images.generate({ model: 'gpt-image-2', prompt: 'w' + String.fromCharCode(65 + s), size: '1536x1024' });
  const mcp = [],
    sdk = [],
    eng = [],
    pv = [];
  const { makePreview } = require('@imagegen/imaging');
  for (let i = 0; i < 12; i++) {
    let t = performance.now();
    const st = {};
    const t0 = performance.now();
    const r = await engine.generate(
      { prompt: 'e' + i + Math.random(), size: '1536x1024' },
      {
        onProgress: (e) => {
          st[e.stage] = Math.round(performance.now() - t0);
        },
      },
    );
    if (i > 8) console.log(JSON.stringify(st), Math.round(performance.now() - t0));
    eng.push(performance.now() - t);
    t = performance.now();
    await makePreview(r.images[0].data, { maxBytes: 500000, maxDimension: 768 });
    pv.push(performance.now() - t);
  }
  for (let i = 0; i < 12; i++) {
    let t = performance.now();
    await client.callTool({ name: 'generate_image', arguments: { prompt: 'p' + i + '-' + Math.random(), size: '1536x1024' } });
    mcp.push(performance.now() - t);
    t = performance.now();
    const r = await direct.images.generate({ model: 'gpt-image-2', prompt: 'q' + i + Math.random(), size: '1536x1024' });
    fs.writeFileSync(path.join(storage, 'direct.png'), Buffer.from(r.data[0].b64_json, 'base64'));
    sdk.push(performance.now() - t);
  }
  const med = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)].toFixed(1);
  console.log('engine p50', med(eng), 'preview p50', med(pv));
  console.log('mcp p50', med(mcp), 'direct p50', med(sdk), 'load', os.loadavg()[0].toFixed(2));
  await client.close();
  await engine.close();
  await fake.close();
  fs.rmSync(storage, { recursive: true, force: true });
})();
