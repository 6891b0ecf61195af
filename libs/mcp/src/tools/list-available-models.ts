import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import type { Logger } from '@imagegen/common';
import type { ImageEngine } from '@imagegen/core';
import { describeModel } from '../model-description';
import { toolErrorResult } from '../tool-errors';

export const listAvailableModelsToolName = 'list_available_models';

export function registerListAvailableModelsTool(server: McpServer, engine: ImageEngine, logger: Logger): void {
  server.registerTool(
    listAvailableModelsToolName,
    {
      title: 'List image models',
      description:
        'Image models by provider, with status (active, deprecated with shutdown date, retired with replacement), whether the configured key can use them, capabilities, prices, and which is the default.',
      inputSchema: z.object({ include_retired: z.boolean().optional().describe('Also list shut-down models (default true)') }),
      outputSchema: z.object({
        default_model: z.string().optional(),
        providers: z.record(
          z.string(),
          z.object({ enabled: z.boolean(), models: z.record(z.string(), z.record(z.string(), z.unknown())) }),
        ),
      }),
      annotations: { title: 'List image models', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async (args, context) => {
      try {
        const listings = await engine.listModels({
          checkAvailability: true,
          includeRetired: args.include_retired ?? true,
          signal: context.mcpReq.signal,
        });
        const providers: Record<string, { enabled: boolean; models: Record<string, Record<string, unknown>> }> = {};
        for (const listing of listings) {
          const entry = (providers[listing.definition.provider] ??= { enabled: listing.providerConfigured, models: {} });
          entry.models[listing.definition.id] = describeModel(listing);
        }
        const defaultModel = listings.find((listing) => listing.isDefault)?.definition.id;
        const lines = Object.entries(providers).map(
          ([provider, entry]) =>
            `${provider}: ${entry.enabled ? 'configured' : 'not configured'}\n` +
            Object.values(entry.models)
              .map(
                (model) =>
                  `  ${String(model['id'])}${model['is_default'] ? ' (default)' : ''}: ${String(model['status'])}${model['replacement'] ? `, use ${String(model['replacement'])}` : ''}${model['available_for_key'] === false ? ' — not available for your key (absent from the provider’s model list)' : ''}${abilitiesText(model['capabilities'])}`,
              )
              .join('\n'),
        );
        return {
          content: [{ type: 'text', text: lines.join('\n') }],
          structuredContent: { ...(defaultModel ? { default_model: defaultModel } : {}), providers },
        };
      } catch (error) {
        return toolErrorResult(error, logger);
      }
    },
  );
}

/** The abilities only some models have, in words, for the text listing. */
function abilitiesText(capabilities: unknown): string {
  const facts = (capabilities ?? {}) as { thinking_levels?: string[]; search_grounding?: unknown; multi_turn_editing?: boolean };
  const abilities = [
    ...(facts.thinking_levels ? [`thinking level ${facts.thinking_levels.join('/')}`] : []),
    ...(facts.search_grounding ? ['Google Search grounding'] : []),
    ...(facts.multi_turn_editing ? ['multi-turn editing'] : []),
  ];
  return abilities.length === 0 ? '' : ` [${abilities.join(', ')}]`;
}
