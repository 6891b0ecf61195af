import type { CallToolResult } from '@modelcontextprotocol/server';
import { ImageGenError, type ImageGenErrorCode, type Logger } from '@imagegen/common';

/** What a person can do next, per failure code; appended to the message. */
const hints: Partial<Record<ImageGenErrorCode, string>> = {
  provider_not_configured: 'Add the setting to the MCP server’s environment in your client configuration, then restart the server.',
  authentication_failed: 'Check the API key in the server’s configuration.',
  rate_limited: 'Wait a moment and try again.',
  content_blocked: 'Rephrase the prompt; the provider’s safety system refused it.',
  budget_exceeded: 'Raise the budget setting or wait for the next period; cached images are still available.',
  model_retired: 'Call list_available_models to see the models in service.',
  model_not_found: 'Call list_available_models to see the models in service.',
  upstream_unavailable: 'The provider is having trouble; try again shortly.',
  timeout: 'Try again, perhaps with a lower quality or smaller size.',
};

/**
 * A domain failure as an MCP tool result (`isError: true`) with a message a person can act on. Unexpected errors get
 * a generic message; their details go to the log only, never to the client (they may hold paths or secrets).
 */
export function toolErrorResult(error: unknown, logger: Logger): CallToolResult {
  if (ImageGenError.isInstance(error)) {
    const hint = hints[error.code];
    // No structuredContent: clients validate it against the tool's output schema, which describes success.
    return { isError: true, content: [{ type: 'text', text: `${error.message}${hint ? `\n${hint}` : ''}\n(error code: ${error.code})` }] };
  }
  logger.error('tool failed unexpectedly', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  return { isError: true, content: [{ type: 'text', text: 'An unexpected internal error occurred; the server log has the details.' }] };
}
