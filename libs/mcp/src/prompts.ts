import { z } from 'zod';
import { completable, type McpServer } from '@modelcontextprotocol/server';
import type { TemplateRegistry } from '@imagegen/prompt-templates';

/**
 * Every prompt template as an MCP prompt. A prompt only returns messages: it tells the assistant what to send to
 * `generate_image` (prompt, exact size, quality) and never calls a paid API itself.
 */
export function registerPrompts(server: McpServer, templates: TemplateRegistry): void {
  for (const template of templates.list()) {
    const shape: Record<string, z.ZodType<string | undefined>> = {};
    for (const argument of template.arguments) {
      const described = z.string().describe(argument.description + (argument.flag ? ' (yes or no)' : ''));
      // `.optional()` goes outside `completable(...)`: SDK v2 finds completions only there (the other nesting
      // answers every completion request with an empty list, silently).
      const completing = argument.values
        ? completable(described, (value) => templates.completeArgument(template.name, argument.name, value ?? ''))
        : described;
      shape[argument.name] = argument.required ? completing : completing.optional();
    }
    server.registerPrompt(
      template.name,
      { title: template.name, description: template.description, argsSchema: z.object(shape) },
      (args) => {
        const rendered = templates.render(template.name, args as Record<string, unknown>);
        return {
          description: `${template.description} Recommended size ${rendered.recommendedSize} (${rendered.aspectRatio}).`,
          messages: [
            {
              role: 'user',
              content: {
                type: 'text',
                text:
                  `${rendered.prompt}\n\n` +
                  `Generate this with the generate_image tool using size "${rendered.recommendedSize}"` +
                  `${rendered.recommendedQuality ? ` and quality "${rendered.recommendedQuality}"` : ''}.`,
              },
            },
          ],
        };
      },
    );
  }
}
