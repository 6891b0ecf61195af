import { ProtocolErrorCode, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/server';
import type { Logger } from '@imagegen/common';

/** What an internal error tells the client; the details go to the server log. */
export const internalErrorMessage = 'Internal error; the server log has the details.';

/** Longest error message sent for a request that failed validation. */
const maxValidationMessageLength = 300;

interface ValidationIssue {
  path?: unknown;
  message?: unknown;
  expected?: unknown;
  code?: unknown;
}

/** Schema type names as a person reads them (`record` is what a JSON object is called in the schema library). */
const typeNames: Record<string, string> = { record: 'an object', object: 'an object', array: 'an array', string: 'a string' };

/**
 * The issues of a schema-validation dump (`[ { "path": [...], "message": ... }, ... ]`, how the SDK reports a request
 * its schemas refuse), or undefined when the text is not one.
 */
function validationIssues(text: string): ValidationIssue[] | undefined {
  const start = text.indexOf('[');
  if (start === -1) return undefined;
  try {
    const parsed: unknown = JSON.parse(text.slice(start));
    return Array.isArray(parsed) &&
      parsed.length > 0 &&
      parsed.every((issue) => typeof issue === 'object' && issue !== null && 'message' in issue)
      ? (parsed as ValidationIssue[])
      : undefined;
  } catch {
    return undefined;
  }
}

/** One issue as `params.arguments: expected an object, received an array`. */
function describeIssue(issue: ValidationIssue): string {
  const path = Array.isArray(issue.path) && issue.path.length > 0 ? issue.path.map(String).join('.') : 'the request';
  const message = String(issue.message)
    .replace(/^Invalid input: /, '')
    .replace(
      /\b(expected|received) (record|object|array|string)\b/g,
      (_whole, verb: string, type: string) => `${verb} ${typeNames[type] ?? type}`,
    );
  return `${path}: ${message}`;
}

/** `Invalid tools/call request: params.arguments: expected an object, received an array`, at most a few issues long. */
export function summarizeValidationFailure(prefix: string, issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 3).map(describeIssue);
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : '';
  const summary = `${prefix}${shown.join('; ')}${more}`;
  return summary.length > maxValidationMessageLength ? `${summary.slice(0, maxValidationMessageLength - 1)}…` : summary;
}

/** The error as the client should see it, or undefined when it may go as it is. */
function rewrittenError(error: {
  code: number;
  message: string;
  data?: unknown;
}): { code: number; message: string; data?: unknown } | undefined {
  const issues = validationIssues(error.message);
  if (issues && (error.code === ProtocolErrorCode.InvalidParams || error.code === ProtocolErrorCode.InternalError)) {
    // A request the SDK's schemas refused: invalid params, however the SDK classed it, in a sentence.
    const prefixMatch = /^(Invalid [\w/]+ (?:request|params)[^:]*: )/.exec(error.message);
    return { code: ProtocolErrorCode.InvalidParams, message: summarizeValidationFailure(prefixMatch?.[1] ?? 'Invalid params: ', issues) };
  }
  if (error.code === ProtocolErrorCode.InternalError && error.message !== internalErrorMessage) {
    return { code: error.code, message: internalErrorMessage };
  }
  return undefined;
}

/**
 * Makes a transport send protocol errors a person can act on and nothing internal: a request the SDK's schemas
 * refused (a schema-library dump, sometimes as an internal error) becomes invalid params in one sentence; any other
 * internal error becomes a generic message, its text logged instead (it may name files or internals).
 */
export function withPlainProtocolErrors<T extends Transport>(transport: T, logger: Logger): T {
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options) => {
    const error = (message as { error?: { code: number; message: string; data?: unknown } }).error;
    const rewritten = error && typeof error.message === 'string' ? rewrittenError(error) : undefined;
    if (!error || !rewritten) return send(message, options);
    if (rewritten.code === ProtocolErrorCode.InternalError) logger.error('MCP request failed', { error: error.message });
    return send({ ...message, error: rewritten } as JSONRPCMessage, options);
  };
  return transport;
}
