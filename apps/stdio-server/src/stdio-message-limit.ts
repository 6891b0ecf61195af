import { Transform, type Readable } from 'node:stream';

/** What is known of a message that was too large to read: its size and its first and last bytes. */
export interface OversizedMessage {
  bytes: number;
  head: string;
  tail: string;
}

const edgeBytes = 1024;
const newline = 0x0a;

/**
 * Passes stdin through one whole line (one JSON-RPC message) at a time and drops any line longer than `maxBytes`,
 * reporting it instead. The SDK's stdio transport closes the whole connection, without a word, when one message
 * outgrows its buffer; with this in front it never sees such a message, so the session lives on and the sender gets
 * an answer.
 */
export function limitMessageSize(input: Readable, maxBytes: number, onOversized: (message: OversizedMessage) => void): Readable {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let discarding = false;
  let discardedBytes = 0;
  let head: Buffer = Buffer.alloc(0);
  let tail: Buffer = Buffer.alloc(0);
  const keepTail = (bytes: Buffer) => {
    tail = bytes.length >= edgeBytes ? bytes.subarray(bytes.length - edgeBytes) : Buffer.concat([tail, bytes]).subarray(-edgeBytes);
  };
  const startDiscarding = () => {
    const buffered = Buffer.concat(pending);
    discarding = true;
    discardedBytes = buffered.length;
    head = Buffer.from(buffered.subarray(0, edgeBytes));
    tail = Buffer.from(buffered.subarray(-edgeBytes));
    pending = [];
    pendingBytes = 0;
  };
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let rest = chunk;
      while (rest.length > 0) {
        const end = rest.indexOf(newline);
        const piece = end === -1 ? rest : rest.subarray(0, end + 1);
        rest = end === -1 ? Buffer.alloc(0) : rest.subarray(end + 1);
        if (discarding) {
          discardedBytes += piece.length;
          keepTail(end === -1 ? piece : piece.subarray(0, piece.length - 1));
          if (end !== -1) {
            discarding = false;
            onOversized({ bytes: discardedBytes, head: head.toString('utf8'), tail: tail.toString('utf8') });
          }
          continue;
        }
        pending.push(piece);
        pendingBytes += piece.length;
        if (end !== -1) {
          this.push(pending.length === 1 ? piece : Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        } else if (pendingBytes > maxBytes) {
          startDiscarding();
        }
      }
      done();
    },
    flush(done) {
      if (pendingBytes > 0) this.push(Buffer.concat(pending));
      done();
    },
  });
  input.on('error', (error) => limiter.destroy(error));
  return input.pipe(limiter);
}

const idAtEnd = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*\}\s*$/;
const idAtStart = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")/;
const methodAtStart = /^\s*\{[^{]*?"method"\s*:\s*"([^"]+)"/;

/**
 * The JSON-RPC error that answers a message too large to read, or nothing for a notification. The request id is
 * read from the message's edges (JSON-RPC clients put it first or last); when it cannot be found the id is null,
 * as JSON-RPC prescribes.
 */
export function oversizedMessageAnswer(message: OversizedMessage, maxBytes: number): string | undefined {
  const method = methodAtStart.exec(message.head)?.[1];
  const id = idAtEnd.exec(message.tail)?.[1] ?? idAtStart.exec(message.head)?.[1];
  if (id === undefined && method?.startsWith('notifications/')) return undefined;
  const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${JSON.stringify({
    jsonrpc: '2.0',
    id: id === undefined ? null : (JSON.parse(id) as string | number),
    error: {
      code: -32600,
      message:
        `The message is ${megabytes(message.bytes)}; this server reads messages up to ${megabytes(maxBytes)} over stdio ` +
        '(sized from IMAGES__MAX_INPUT_BYTES). Pass a large image as a stored image id or a file path inside SERVER__ALLOWED_FOLDERS, ' +
        'or raise IMAGES__MAX_INPUT_BYTES.',
      data: { receivedBytes: message.bytes, maxBytes },
    },
  })}\n`;
}

/** The largest stdio message read: one input image at the input limit, base64-encoded, plus room for the rest. */
export function stdioMessageLimit(maxInputBytes: number): number {
  return Math.ceil(maxInputBytes / 3) * 4 + 1024 * 1024;
}
