import { Writable } from 'node:stream';
import { createJsonLogger } from './json-logger';

function captureStream() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return {
    stream,
    raw: () => chunks.join('').trim().split('\n'),
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line with level, message, bindings and fields', async () => {
    const capture = captureStream();
    const logger = createJsonLogger({ level: 'info', destination: capture.stream, base: { service: 'imagegen' } });
    logger.child({ correlationId: 'c-1' }).info('image stored', { imageId: 'img_1' });
    logger.debug('not written at info level');
    await new Promise((resolve) => setImmediate(resolve));
    expect(capture.lines()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'image stored', service: 'imagegen', correlationId: 'c-1', imageId: 'img_1' }),
    ]);
  });

  it('never writes an API key even when a settings object is logged', async () => {
    const capture = captureStream();
    const logger = createJsonLogger({ level: 'debug', destination: capture.stream });
    logger.info('settings', { openai: { api_key: 'sk-secret-value-1234' } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(JSON.stringify(capture.lines())).not.toContain('sk-secret-value-1234');
  });

  it('never writes a key twice: bindings repeated by nested children and fields replace, the latest winning', async () => {
    const capture = captureStream();
    const logger = createJsonLogger({ level: 'info', destination: capture.stream, base: { service: 'imagegen' } });
    const engine = logger.child({ provider: 'openai', correlationId: 'c-1' });
    engine.child({ provider: 'openai', operation: 'generate' }).warn('openai image call failed', { provider: 'openai', code: 'timeout' });
    engine.info('with a field named like the line itself', { level: 'custom', msg: 'shadow', time: 1, service: 'worker' });
    await new Promise((resolve) => setImmediate(resolve));
    for (const line of capture.raw()) {
      const keys = [...line.matchAll(/"([^"\\]+)":/g)].map((match) => match[1]);
      expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
    }
    const [failed, shadowed] = capture.lines();
    expect(failed).toMatchObject({
      level: 'warn',
      msg: 'openai image call failed',
      provider: 'openai',
      operation: 'generate',
      code: 'timeout',
    });
    expect(shadowed).toMatchObject({
      level: 'info',
      msg: 'with a field named like the line itself',
      field_level: 'custom',
      field_msg: 'shadow',
    });
  });
});
