import type { ModelListing } from '@imagegen/core';
import type { ModelDefinition } from '@imagegen/providers';

/** Sizes as a listing shows them: the list, or the presets plus the rule in words. */
export function describeSizes(definition: ModelDefinition): string[] {
  const sizes = definition.capabilities.sizes;
  switch (sizes.kind) {
    case 'list':
      return [...sizes.sizes];
    case 'rule':
      return [
        ...sizes.presets,
        `any WxH with sides multiple of ${sizes.multipleOf}, up to ${sizes.maxEdge}px, aspect ratio up to ${sizes.maxAspectRatio}:1`,
      ];
    case 'aspect-ratios':
      return sizes.ratios.map((ratio) => `aspect ${ratio}`);
  }
}

/** One model as `list_available_models` and `model-info://` present it. */
export function describeModel(listing: ModelListing) {
  const { definition } = listing;
  const features = definition.capabilities.vendorFeatures;
  const status = definition.status;
  return {
    name: definition.displayName,
    id: definition.id,
    provider: definition.provider,
    status: status.kind,
    ...(status.kind === 'deprecated'
      ? { shutdown_date: status.shutdownDate, ...(status.replacement ? { replacement: status.replacement } : {}) }
      : {}),
    ...(status.kind === 'retired' ? { retired_date: status.retiredDate, replacement: status.replacement } : {}),
    is_default: listing.isDefault,
    provider_configured: listing.providerConfigured,
    ...(listing.availableForKey === undefined ? {} : { available_for_key: listing.availableForKey }),
    ...(listing.availableForKey === false
      ? {
          availability: `Not in ${definition.provider}'s model list for this key: it may have been shut down or not be enabled; requests for it are refused until the list names it again.`,
        }
      : {}),
    capabilities: {
      generation: definition.capabilities.generate,
      editing: definition.capabilities.edit,
      mask: definition.capabilities.mask,
      max_input_images: definition.capabilities.maxInputImages,
      max_images_per_call: definition.capabilities.maxImagesPerCall,
      supported_sizes: describeSizes(definition),
      supported_formats: [...definition.capabilities.outputFormats, ...(features?.outputFormats ?? [])],
      qualities: [...definition.capabilities.qualities],
      backgrounds: [...definition.capabilities.backgrounds, ...(features?.previewBackgrounds ?? [])],
      partial_images: definition.capabilities.partialImages,
      // Abilities only some models have (Gemini); a request asking a model without them is refused.
      ...(definition.capabilities.thinkingLevels?.length ? { thinking_levels: [...definition.capabilities.thinkingLevels] } : {}),
      ...(definition.capabilities.searchGrounding
        ? {
            search_grounding: {
              ...(definition.capabilities.searchGrounding.pricePerQueryUsd === undefined
                ? {}
                : { price_per_query_usd: definition.capabilities.searchGrounding.pricePerQueryUsd }),
              ...(definition.capabilities.searchGrounding.unverified ? { price_unverified: true } : {}),
            },
          }
        : {}),
      ...(definition.capabilities.multiTurnEditing ? { multi_turn_editing: true } : {}),
      ...describeAbilities(definition),
      // Every vendor feature as recorded, including ones a later version of this server may request.
      ...(features ? { vendor_features: features } : {}),
    },
    ...(definition.pricing ? { pricing: definition.pricing } : {}),
    ...(definition.aliases.length > 0 ? { aliases: [...definition.aliases] } : {}),
    ...(definition.notes ? { notes: definition.notes } : {}),
  };
}

/** The abilities only some models have, named like the tool arguments that ask for them. */
function describeAbilities(definition: ModelDefinition): Record<string, unknown> {
  const features = definition.capabilities.vendorFeatures;
  if (features === undefined) return {};
  const gif = features.outputFormats?.includes('gif') ? features.gif : undefined;
  return {
    ...(features.complexities?.length ? { complexities: [...features.complexities] } : {}),
    ...(features.outputFormats?.includes('gif')
      ? {
          gif: {
            frame_count: { min: gif?.minFrames ?? 2, max: gif?.maxFrames ?? 16, default: gif?.defaultFrames ?? 9 },
            frame_duration_ms_default: gif?.defaultFrameDurationMs ?? 200,
            preview_access_needed: gif?.preview ?? false,
            restrictions: 'no partial images, no mask, no compression',
          },
        }
      : {}),
    ...(features.outputFormats?.includes('svg') ? { svg: { restrictions: 'n=1, no partial images, no compression' } } : {}),
    ...(features.markupEdits ? { markup_edits: true } : {}),
    ...(features.previewBackgrounds?.length ? { preview_backgrounds: [...features.previewBackgrounds] } : {}),
  };
}
