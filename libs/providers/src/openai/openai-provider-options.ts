import { z } from 'zod';
import type { ProviderCall } from '../contract';
import { invalidRequest } from '../validation/invalid-request';

/**
 * Options every OpenAI image model takes in `providerOptions.openai`:
 * - `safety_identifier`: a stable, non-identifying id of the end user (replaces `user`), for OpenAI's abuse monitoring.
 * - `user`: the older name of the same thing.
 * A model's `capabilities.extraProviderOptions` adds more names (a configuration override can pass a brand-new vendor
 * parameter); their values pass through as given (strings, numbers or booleans). `call.safetyIdentifier` (the request
 * field, or the configured default) is sent unless `safety_identifier` is given here.
 */
export const openaiCommonOptionsSchema = z.strictObject({
  safety_identifier: z.string().trim().min(1).optional(),
  user: z.string().trim().min(1).optional(),
});

/** Options the provider sends as extra request fields. */
export type OpenAIExtraFields = Record<string, string | number | boolean>;

const passThroughValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * Validates `call.providerOptions` for the OpenAI provider and returns the fields to add to the request.
 * Throws `invalid_request` naming the option (`details.setting: providerOptions.openai.<name>`) and the allowed names.
 */
export function parseOpenAIProviderOptions(call: ProviderCall): OpenAIExtraFields {
  const options = call.providerOptions ?? {};
  const extraNames = call.model.capabilities.extraProviderOptions ?? [];
  const allowed = [...Object.keys(openaiCommonOptionsSchema.shape), ...extraNames];
  const fields: OpenAIExtraFields = {};

  const common: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (Object.hasOwn(openaiCommonOptionsSchema.shape, name)) {
      common[name] = value;
      continue;
    }
    if (!extraNames.includes(name)) {
      throw invalidRequest({
        setting: `providerOptions.openai.${name}`,
        message: `${call.model.id} takes no OpenAI option '${name}'. Accepted: ${allowed.join(', ')}.`,
        allowed,
      });
    }
    const parsed = passThroughValue.safeParse(value);
    if (!parsed.success) {
      throw invalidRequest({
        setting: `providerOptions.openai.${name}`,
        message: `providerOptions.openai.${name} must be a string, number or boolean.`,
      });
    }
    fields[name] = parsed.data;
  }

  const parsedCommon = openaiCommonOptionsSchema.safeParse(common);
  if (!parsedCommon.success) {
    const issue = parsedCommon.error.issues[0];
    const name = issue?.path.map(String).join('.') ?? '';
    throw invalidRequest({
      setting: `providerOptions.openai.${name}`,
      message: `providerOptions.openai.${name}: ${issue?.message ?? 'invalid value'}.`,
    });
  }
  for (const [name, value] of Object.entries(parsedCommon.data)) {
    if (value !== undefined) fields[name] = value;
  }
  if (call.safetyIdentifier !== undefined && fields['safety_identifier'] === undefined) fields['safety_identifier'] = call.safetyIdentifier;
  return fields;
}
