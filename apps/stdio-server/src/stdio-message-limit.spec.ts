import { PassThrough } from 'node:stream';
import { limitMessageSize, oversizedMessageAnswer, stdioMessageLimit, type OversizedMessage } from './stdio-message-limit';

async function run(chunks: string[], maxBytes: number) {
  const input = new PassThrough();
  const oversized: OversizedMessage[] = [];
  const lines: string[] = [];
  const output = limitMessageSize(input, maxBytes, (message) => oversized.push(message));
  output.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
  const ended = new Promise((resolve) => output.on('end', resolve));
  for (const chunk of chunks) input.write(chunk);
  input.end();
  await ended;
  return { lines, oversized };
}

describe('stdio message limit', () => {
  it('passes messages through one whole line at a time, however the chunks fall', async () => {
    const { lines, oversized } = await run(['{"a":', '1}\n{"b":2}\n{"c"', ':3}\n'], 100);
    expect(lines).toEqual(['{"a":1}\n', '{"b":2}\n', '{"c":3}\n']);
    expect(oversized).toEqual([]);
  });

  it('drops a line over the limit, reports its size and edges, and goes on with the next one', async () => {
    const big = `{"method":"tools/call","params":{"image":"${'A'.repeat(5_000)}"},"jsonrpc":"2.0","id":42}`;
    const { lines, oversized } = await run([big.slice(0, 3_000), big.slice(3_000), '\n{"id":43}\n'], 1_000);
    expect(lines).toEqual(['{"id":43}\n']);
    expect(oversized).toHaveLength(1);
    expect(oversized[0]?.bytes).toBe(big.length + 1);
    const answer = JSON.parse(oversizedMessageAnswer(oversized[0] as OversizedMessage, 1_000) ?? '') as {
      id: number;
      error: { code: number; message: string };
    };
    expect(answer.id).toBe(42);
    expect(answer.error.code).toBe(-32600);
    expect(answer.error.message).toContain('IMAGES__MAX_INPUT_BYTES');
  });

  it('answers with a null id when none can be found, and not at all for a notification', () => {
    const unknown = { bytes: 5_000, head: '{"params":{"x":"AAAA', tail: 'AAAA"}}' };
    expect(JSON.parse(oversizedMessageAnswer(unknown, 1_000) ?? '')).toMatchObject({ id: null });
    const notification = { bytes: 5_000, head: '{"method":"notifications/message","params":{"x":"AAA', tail: 'AAA"}}' };
    expect(oversizedMessageAnswer(notification, 1_000)).toBeUndefined();
  });

  it('fits one input image at the input limit, base64-encoded, with room to spare', () => {
    const limit = stdioMessageLimit(50 * 1024 * 1024);
    expect(limit).toBeGreaterThan((50 * 1024 * 1024 * 4) / 3);
    expect(limit).toBeLessThan(70 * 1024 * 1024);
  });
});
