import { z } from 'zod';
import type { ModelDefinition } from '../contract';

/**
 * zod schemas for model definitions that come from configuration. Objects are strict so a misspelt field
 * (`maxImagesPerCal`) is reported by name instead of silently ignored.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date like 2026-12-01');
const sizeText = z.string().regex(/^(auto|[1-9]\d*x[1-9]\d*)$/, 'expected `WxH` (e.g. 1024x1024) or `auto`');
const ratioText = z.string().regex(/^[1-9]\d*:[1-9]\d*$/, 'expected `W:H` (e.g. 16:9)');
const nonEmptyText = z.string().trim().min(1, 'must not be empty');
const positiveInteger = z.number().int().positive();
const nonNegativeInteger = z.number().int().min(0);
const price = z.number().min(0);

const statusSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('active') }),
  z.strictObject({ kind: z.literal('deprecated'), shutdownDate: isoDate, replacement: nonEmptyText.optional() }),
  z.strictObject({ kind: z.literal('retired'), retiredDate: isoDate, replacement: nonEmptyText }),
]);

const sizeCapabilitySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('list'), sizes: z.array(sizeText).min(1) }),
  z.strictObject({
    kind: z.literal('rule'),
    presets: z.array(sizeText),
    multipleOf: positiveInteger,
    maxEdge: positiveInteger,
    maxPixels: positiveInteger,
    minPixels: nonNegativeInteger,
    maxAspectRatio: z.number().min(1),
  }),
  z.strictObject({
    kind: z.literal('aspect-ratios'),
    ratios: z.array(ratioText).min(1),
    imageSizes: z.array(nonEmptyText).min(1),
    longEdgeByImageSize: z.record(z.string(), positiveInteger),
  }),
]);

const outputFormatSchema = z.enum(['png', 'jpeg', 'webp']);

const capabilityShape = {
  generate: z.boolean(),
  edit: z.boolean(),
  mask: z.boolean(),
  maskMode: z.enum(['native', 'composite']).optional(),
  maxInputImages: nonNegativeInteger,
  maxImagesPerCall: positiveInteger,
  sizes: sizeCapabilitySchema,
  qualities: z.array(nonEmptyText),
  backgrounds: z.array(z.enum(['transparent', 'opaque', 'auto'])),
  outputFormats: z.array(outputFormatSchema).min(1),
  compression: z.boolean(),
  moderation: z.array(nonEmptyText),
  inputFidelity: z.array(nonEmptyText),
  partialImages: z.number().int().min(0).max(10),
  style: z.boolean(),
  maxPromptLength: positiveInteger.optional(),
  extraProviderOptions: z.array(nonEmptyText).optional(),
  vendorFeatures: z
    .strictObject({
      complexities: z.array(nonEmptyText).optional(),
      outputFormats: z.array(z.enum(['gif', 'svg'])).optional(),
      gif: z
        .strictObject({
          minFrames: positiveInteger,
          maxFrames: positiveInteger,
          defaultFrames: positiveInteger,
          defaultFrameDurationMs: positiveInteger,
          preview: z.boolean(),
        })
        .optional(),
      markupEdits: z.boolean().optional(),
      previewBackgrounds: z.array(z.enum(['transparent', 'opaque', 'auto'])).optional(),
    })
    .optional(),
  // Gemini abilities (issue 19 item 3).
  thinkingLevels: z.array(z.enum(['minimal', 'low', 'medium', 'high', 'xhigh'])).optional(),
  searchGrounding: z
    .strictObject({
      pricePerQueryUsd: price.optional(),
      estimatedQueriesPerCall: positiveInteger.optional(),
      unverified: z.boolean().optional(),
    })
    .optional(),
  multiTurnEditing: z.boolean().optional(),
};

const capabilitiesSchema = z.strictObject(capabilityShape);

const pricingSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('tokens'),
    textInputPerMillion: price,
    imageInputPerMillion: price,
    imageOutputPerMillion: price,
    outputTokensBySize: z.record(sizeText, z.record(z.string(), nonNegativeInteger)),
    unverified: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('per-image'),
    perImageBySize: z.record(z.string(), price),
    textInputPerMillion: price,
    imageInputPerMillion: price,
    unverified: z.boolean().optional(),
  }),
]);

/** A complete model definition, as a configuration file may add one. */
export const modelDefinitionSchema = z.strictObject({
  id: nonEmptyText,
  provider: nonEmptyText,
  displayName: nonEmptyText,
  aliases: z.array(nonEmptyText).default([]),
  status: statusSchema.default({ kind: 'active' }),
  capabilities: capabilitiesSchema,
  pricing: pricingSchema.optional(),
  notes: z.string().optional(),
  providerDefault: z.boolean().optional(),
});

/**
 * What configuration may supply for one model: `id` (an id or alias) plus any fields to change. For an id the
 * registry does not know, either every required field, or `basedOn` naming a known model to copy from.
 * `capabilities` is merged field by field; every other field replaces the known value.
 */
export const modelOverrideSchema = z.strictObject({
  id: nonEmptyText,
  basedOn: nonEmptyText.optional(),
  provider: nonEmptyText.optional(),
  displayName: nonEmptyText.optional(),
  aliases: z.array(nonEmptyText).optional(),
  status: statusSchema.optional(),
  capabilities: z.strictObject(capabilityShape).partial().optional(),
  pricing: pricingSchema.optional(),
  notes: z.string().optional(),
  providerDefault: z.boolean().optional(),
});

/** A user-supplied model: a whole definition or fields that change a known one. See {@link modelOverrideSchema}. */
export type ModelOverride = z.input<typeof modelOverrideSchema>;

// Fails to compile when the schema and the contract drift apart.
const _schemaMatchesContract: (parsed: z.output<typeof modelDefinitionSchema>) => ModelDefinition = (parsed) => parsed;
void _schemaMatchesContract;

/** One problem found in a user-supplied definition. */
export interface DefinitionIssue {
  /** Dotted path of the field, e.g. `capabilities.maxImagesPerCall`. */
  field: string;
  /** What is wrong with it. */
  message: string;
}

/** Turns zod issues into `field: message` pairs a person can act on. */
export function describeIssues(error: z.ZodError): DefinitionIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length === 0 ? '(definition)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
