import { ImageGenError, type Logger } from '@imagegen/common';

/** How much of an unusable answer is logged: enough to recognise a proxy's login page, not a whole document. */
const loggedBodyCharacters = 300;

/** Who answered, for the message and the log line. */
export interface AnswerSource {
  /** `openai`, `gemini`. */
  provider: string;
  /** `OpenAI`, `Gemini`, for messages. */
  vendorName: string;
  /** The setting that says where requests go, e.g. `PROVIDERS__OPENAI__BASE_URL`. */
  baseUrlSetting: string;
  logger: Logger;
  requestId?: string;
}

/** The start of an answer's body and its type, as seen on the wire. */
export interface AnswerSample {
  statusCode: number;
  contentType: string;
  bodyStart: string;
}

/**
 * The `upstream_error` for a successful status whose body is not JSON (a proxy's HTML page, a cut-off answer), after
 * logging what came back: its status, type and first characters, with anything that looks like a key masked.
 */
export function notJsonAnswer(sample: AnswerSample, source: AnswerSource, cause?: unknown): ImageGenError {
  source.logger.warn(`${source.provider} answered with a body that is not JSON`, {
    statusCode: sample.statusCode,
    contentType: sample.contentType,
    bodyStart: maskKeys(sample.bodyStart.slice(0, loggedBodyCharacters)),
    ...(source.requestId === undefined ? {} : { requestId: source.requestId }),
  });
  return new ImageGenError({
    code: 'upstream_error',
    message:
      `${source.vendorName} answered ${sample.statusCode} with a body that is not JSON (${sample.contentType || 'no content type'}), ` +
      `so no image could be read from it. A proxy or gateway at ${source.baseUrlSetting} may have answered instead; the server log has the start of the body.`,
    provider: source.provider,
    statusCode: sample.statusCode,
    ...(source.requestId === undefined ? {} : { requestId: source.requestId }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Reads a successful answer as JSON; a body that is not JSON becomes {@link notJsonAnswer}. */
export async function readJsonAnswer(response: Response, source: AnswerSource): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw notJsonAnswer(
      { statusCode: response.status, contentType: response.headers.get('content-type') ?? '', bodyStart: text },
      source,
      error,
    );
  }
}

/**
 * The first characters of a successful answer, read from a copy so the SDK still gets the whole body; kept in case
 * the SDK then fails to parse it (its own error says nothing of what came back).
 */
export async function sampleAnswer(response: Response): Promise<AnswerSample> {
  const sample = { statusCode: response.status, contentType: response.headers.get('content-type') ?? '', bodyStart: '' };
  const reader = response.clone().body?.getReader();
  if (reader === undefined) return sample;
  try {
    const first = await reader.read();
    if (first.value !== undefined) sample.bodyStart = new TextDecoder().decode(first.value.subarray(0, loggedBodyCharacters * 4));
  } catch {
    // A body that cannot be read fails the SDK's own read too; the sample just stays empty.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return sample;
}

function maskKeys(text: string): string {
  return text
    .replace(/\bsk-[A-Za-z0-9_*.-]{3,}/g, 'sk-…')
    .replace(/\bAIza[0-9A-Za-z_-]{8,}/g, 'AIza…')
    .replace(/\bBearer\s+\S+/gi, 'Bearer …');
}
