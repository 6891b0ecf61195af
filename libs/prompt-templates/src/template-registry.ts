import { ImageGenError } from '@imagegen/common';
import { builtInTemplates } from './built-in-templates';
import type { PromptTemplate, RenderedTemplate, TemplateValues } from './template-definition';

/** Options of {@link createTemplateRegistry}. */
export interface TemplateRegistryOptions {
  /** Custom templates (from {@link loadCustomTemplates}); a name already taken by a built-in template is an error. */
  customTemplates?: readonly PromptTemplate[];
}

/** The templates the server offers. */
export interface TemplateRegistry {
  /** Every template, built-in first. */
  list(): PromptTemplate[];
  /** One template, or `undefined`. */
  get(name: string): PromptTemplate | undefined;
  /** Validates `args` and renders the template; throws `invalid_request` naming what is allowed. */
  render(name: string, args: Readonly<Record<string, unknown>>): RenderedTemplate;
  /** Known values of an argument starting with `partial` (case-insensitive), for completion. */
  completeArgument(name: string, argument: string, partial: string): string[];
}

const truthy = new Set(['true', 'yes', '1', 'on']);
const falsy = new Set(['false', 'no', '0', 'off', '']);

function invalid(message: string, details: Record<string, unknown>): ImageGenError {
  return new ImageGenError({ code: 'invalid_request', message, details });
}

function validateValues(template: PromptTemplate, args: Readonly<Record<string, unknown>>): TemplateValues {
  const known = new Set(template.arguments.map((argument) => argument.name));
  const unknown = Object.keys(args).filter((name) => !known.has(name) && args[name] !== undefined);
  if (unknown.length > 0) {
    throw invalid(`The template ${template.name} has no argument ${unknown.join(', ')}. Its arguments: ${[...known].join(', ')}.`, {
      setting: unknown[0],
      allowed: [...known],
    });
  }
  // Without a prototype, an argument named `constructor` or `valueOf` that was not given renders as nothing, not as
  // Object's own member.
  const values: Record<string, string | boolean | undefined> = Object.create(null);
  for (const argument of template.arguments) {
    const raw = Object.hasOwn(args, argument.name) ? args[argument.name] : undefined;
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      if (argument.required) {
        throw invalid(`The template ${template.name} needs ${argument.name}: ${argument.description}.`, { setting: argument.name });
      }
      continue;
    }
    if (argument.flag) {
      const normalized = String(raw).trim().toLowerCase();
      if (typeof raw === 'boolean') values[argument.name] = raw;
      else if (truthy.has(normalized)) values[argument.name] = true;
      else if (falsy.has(normalized)) values[argument.name] = false;
      else
        throw invalid(`${argument.name} must be yes or no (true/false), not ${JSON.stringify(raw)}.`, {
          setting: argument.name,
          allowed: ['true', 'false'],
        });
      continue;
    }
    const value = String(raw).trim();
    if (argument.closed && argument.values && !argument.values.includes(value.toLowerCase())) {
      throw invalid(`${argument.name} must be one of ${argument.values.join(', ')}, not ${JSON.stringify(value)}.`, {
        setting: argument.name,
        allowed: argument.values,
      });
    }
    values[argument.name] = argument.closed ? value.toLowerCase() : value;
  }
  return values;
}

export function createTemplateRegistry(options: TemplateRegistryOptions = {}): TemplateRegistry {
  const templates = new Map<string, PromptTemplate>();
  for (const template of [...builtInTemplates, ...(options.customTemplates ?? [])]) {
    if (templates.has(template.name)) {
      throw new ImageGenError({
        code: 'invalid_config',
        message: `The custom template ${template.name} has the name of a built-in template; give it another name.`,
        details: { template: template.name },
      });
    }
    templates.set(template.name, template);
  }
  const require = (name: string) => {
    const template = templates.get(name);
    if (!template) {
      throw invalid(`There is no prompt template named ${name}. Templates: ${[...templates.keys()].join(', ')}.`, {
        setting: 'template',
        allowed: [...templates.keys()],
      });
    }
    return template;
  };
  return {
    list: () => [...templates.values()],
    get: (name) => templates.get(name),
    render(name, args) {
      const template = require(name);
      const values = validateValues(template, args);
      const recommendation = template.recommend(values);
      return {
        template: template.name,
        prompt: template.render(values),
        recommendedSize: recommendation.size,
        aspectRatio: recommendation.aspectRatio,
        ...(recommendation.quality ? { recommendedQuality: recommendation.quality } : {}),
      };
    },
    completeArgument(name, argumentName, partial) {
      const argument = templates.get(name)?.arguments.find((candidate) => candidate.name === argumentName);
      const wanted = partial.trim().toLowerCase();
      return (argument?.values ?? []).filter((value) => value.toLowerCase().startsWith(wanted));
    },
  };
}
