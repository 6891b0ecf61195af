import type { Command } from 'commander';
import type { ImageGenError as ImageGenErrorType, ModelListing } from '@imagegen/core';
import type { ModelDefinition, ModelStatus, VendorFeatures } from '@imagegen/providers';
import type { CliContext } from '../context';
import { formatUsd, table } from '../output';

/** The size and quality the listing prices one image at, so models can be compared. */
const referenceSize = '1024x1024';
const referenceQuality = 'medium';

export function describeStatus(status: ModelStatus): string {
  if (status.kind === 'active') return 'active';
  if (status.kind === 'deprecated')
    return `deprecated (shuts down ${status.shutdownDate}${status.replacement ? `, use ${status.replacement}` : ''})`;
  return `retired ${status.retiredDate}, use ${status.replacement}`;
}

/** The abilities only some models have (complexity, GIF and SVG output, markup edits, preview backgrounds), in one line. */
function describeVendorFeatures(features: VendorFeatures): string {
  const parts: string[] = [];
  if (features.complexities?.length) parts.push(`complexity ${features.complexities.join('/')}`);
  for (const format of features.outputFormats ?? []) {
    const gif = features.gif;
    parts.push(
      format === 'gif' && gif
        ? `gif output (${gif.minFrames}-${gif.maxFrames} frames${gif.preview ? ', preview access' : ''})`
        : `${format} output`,
    );
  }
  if (features.markupEdits) parts.push('markup edits');
  if (features.previewBackgrounds?.length) parts.push(`${features.previewBackgrounds.join(', ')} background (vendor preview)`);
  return parts.join('; ');
}

function describeAvailability(listing: ModelListing): string {
  if (listing.definition.status.kind === 'retired') return '-';
  if (!listing.providerConfigured) return 'provider not configured';
  if (listing.availableForKey === true) return 'available for your key';
  if (listing.availableForKey === false) return 'not available for your key (absent from the provider’s list; requests refused)';
  return 'provider configured';
}

/** Estimated USD of one image of `size` at `quality` (undefined when the model has no price for it). */
async function priceOf(definition: ModelDefinition, size: string, quality: string | undefined): Promise<number | undefined> {
  const { estimateCost, parseSize } = await import('@imagegen/providers');
  const parsed = parseSize(size);
  if (!parsed) return undefined;
  const usable = quality !== undefined && definition.capabilities.qualities.includes(quality) ? quality : undefined;
  return estimateCost(definition, { prompt: '', n: 1, size: parsed, ...(usable ? { quality: usable } : {}) });
}

/** Estimated prices per listed size and quality, from the model's price table. */
async function priceTable(definition: ModelDefinition): Promise<Array<{ size: string; quality: string | null; usd: number | null }>> {
  const pricing = definition.pricing;
  if (!pricing) return [];
  const rows: Array<{ size: string; quality: string | null; usd: number | null }> = [];
  if (pricing.kind === 'per-image') {
    for (const size of Object.keys(pricing.perImageBySize)) rows.push({ size, quality: null, usd: pricing.perImageBySize[size] ?? null });
    return rows;
  }
  for (const [size, byQuality] of Object.entries(pricing.outputTokensBySize)) {
    for (const quality of Object.keys(byQuality)) rows.push({ size, quality, usd: (await priceOf(definition, size, quality)) ?? null });
  }
  return rows;
}

export function registerModelsCommands(program: Command, context: CliContext): void {
  const models = program
    .command('models')
    .description('the model registry with status, availability and prices')
    .option('--check-availability', 'ask each configured provider which models your key can use')
    .addHelpText(
      'after',
      `
Prices are estimates for one ${referenceSize} image at ${referenceQuality} quality (see \`models show ID\` for all sizes).
"*" marks the default model (IMAGES__DEFAULT_MODEL).

Examples:
  $ imagegen models
  $ imagegen models --check-availability
  $ imagegen models show gpt-image-2
  $ imagegen --json models | jq -r '.[] | select(.status.kind == "active") | .id'`,
    )
    .action(async (options: { checkAvailability?: boolean }) => {
      await context.withEngine(async (engine) => {
        const listings = await engine.listModels({ checkAvailability: Boolean(options.checkAvailability), signal: context.signal });
        const rows: Array<{
          id: string;
          displayName: string;
          provider: string;
          status: ModelStatus;
          isDefault: boolean;
          providerConfigured: boolean;
          availableForKey?: boolean;
          estimatedUsdPerImage: number | null;
          priceUnverified: boolean;
          listing: ModelListing;
        }> = [];
        for (const listing of listings) {
          const definition = listing.definition;
          rows.push({
            id: definition.id,
            displayName: definition.displayName,
            provider: definition.provider,
            status: definition.status,
            isDefault: listing.isDefault,
            providerConfigured: listing.providerConfigured,
            ...(listing.availableForKey === undefined ? {} : { availableForKey: listing.availableForKey }),
            estimatedUsdPerImage:
              definition.status.kind === 'retired' ? null : ((await priceOf(definition, referenceSize, referenceQuality)) ?? null),
            priceUnverified: definition.pricing?.unverified ?? false,
            listing,
          });
        }
        const color = context.output.color;
        context.output.result(
          rows.map(({ listing: _listing, ...row }) => row),
          () =>
            table([
              ['  MODEL', 'PROVIDER', 'STATUS', 'AVAILABILITY', `PRICE (${referenceSize} ${referenceQuality})`],
              ...rows.map((row) => [
                `${row.isDefault ? '*' : ' '} ${row.status.kind === 'retired' ? color.dim(row.id) : row.id}`,
                row.provider,
                row.status.kind === 'active'
                  ? color.green('active')
                  : row.status.kind === 'deprecated'
                    ? color.yellow(describeStatus(row.status))
                    : color.dim(describeStatus(row.status)),
                describeAvailability(row.listing),
                row.estimatedUsdPerImage === null
                  ? '-'
                  : `${formatUsd(row.estimatedUsdPerImage)}${row.priceUnverified ? ' (unverified)' : ''}`,
              ]),
            ]),
        );
      });
    });

  models
    .command('show')
    .description('everything about one model: status, capabilities, prices per size and quality')
    .argument('<id>', 'model id or alias')
    .addHelpText(
      'after',
      '\nExamples:\n  $ imagegen models show gpt-image-2\n  $ imagegen --json models show gpt-image-1.5 | jq .priceTable',
    )
    .action(async (id: string) => {
      const { ImageGenError } = await import('@imagegen/core');
      const { describeSizes } = await import('@imagegen/providers');
      await context.withEngine(async (engine) => {
        const definition = engine.registry.get(id);
        if (!definition) {
          let message = `There is no model ${id}.`;
          try {
            engine.registry.resolve(id);
          } catch (error) {
            if (ImageGenError.isInstance(error)) message = (error as ImageGenErrorType).message;
          }
          throw new ImageGenError({ code: 'not_found', message: `${message} See \`imagegen models\`.`, details: { model: id } });
        }
        const listing = (await engine.listModels({ includeRetired: true })).find((candidate) => candidate.definition.id === definition.id);
        const prices = await priceTable(definition);
        const capabilities = definition.capabilities;
        const color = context.output.color;
        const list = (values: readonly string[]) => (values.length === 0 ? 'none' : values.join(', '));
        context.output.result(
          {
            id: definition.id,
            displayName: definition.displayName,
            provider: definition.provider,
            status: definition.status,
            isDefault: listing?.isDefault ?? false,
            providerConfigured: listing?.providerConfigured ?? false,
            definition,
            priceTable: prices,
          },
          () => {
            const pricing = definition.pricing;
            const qualities = [...new Set(prices.map((row) => row.quality ?? ''))];
            const sizes = [...new Set(prices.map((row) => row.size))];
            const priceLines =
              prices.length === 0
                ? ['  unknown (no price table for this model)']
                : table([
                    ['size', ...qualities.map((quality) => quality || 'per image')],
                    ...sizes.map((size) => [
                      size,
                      ...qualities.map((quality) =>
                        formatUsd(prices.find((row) => row.size === size && (row.quality ?? '') === quality)?.usd ?? undefined),
                      ),
                    ]),
                  ])
                    .split('\n')
                    .map((line) => `  ${line}`);
            return [
              `${color.bold(definition.id)} — ${definition.displayName} (${definition.provider})${listing?.isDefault ? color.green('  default') : ''}`,
              `status:         ${describeStatus(definition.status)}`,
              `aliases:        ${list(definition.aliases)}`,
              `provider:       ${listing?.providerConfigured ? 'configured' : 'not configured'}`,
              `can:            ${[capabilities.generate && 'generate', capabilities.edit && 'edit', capabilities.mask && 'mask'].filter(Boolean).join(', ')}; up to ${capabilities.maxImagesPerCall} images per call, ${capabilities.maxInputImages} input images per edit`,
              `sizes:          ${describeSizes(capabilities.sizes)}`,
              `qualities:      ${list(capabilities.qualities)}`,
              `backgrounds:    ${list(capabilities.backgrounds)}`,
              `formats:        ${list(capabilities.outputFormats)}${capabilities.compression ? ' (compression for jpeg/webp)' : ''}`,
              `moderation:     ${list(capabilities.moderation)}`,
              `input fidelity: ${list(capabilities.inputFidelity)}`,
              `partial images: ${capabilities.partialImages === 0 ? 'no streaming' : `up to ${capabilities.partialImages}`}`,
              ...(capabilities.thinkingLevels?.length ? [`thinking level: ${list(capabilities.thinkingLevels)} (--thinking-level)`] : []),
              ...(capabilities.searchGrounding
                ? [
                    `grounding:      Google Search (--search-grounding)${capabilities.searchGrounding.pricePerQueryUsd === undefined ? ', price unknown' : `, ${formatUsd(capabilities.searchGrounding.pricePerQueryUsd)} per search query${capabilities.searchGrounding.unverified ? ' (unverified)' : ''}`}`,
                  ]
                : []),
              ...(capabilities.multiTurnEditing
                ? ['multi-turn:     edits can continue an image’s conversation (edit --continue-conversation)']
                : []),
              ...(capabilities.vendorFeatures ? [`also:           ${describeVendorFeatures(capabilities.vendorFeatures)}`] : []),
              ...(pricing?.kind === 'tokens'
                ? [
                    `pricing:        per million tokens: text in $${pricing.textInputPerMillion}, image in $${pricing.imageInputPerMillion}, image out $${pricing.imageOutputPerMillion}${pricing.unverified ? ' (unverified)' : ''}`,
                  ]
                : pricing?.kind === 'per-image'
                  ? [
                      `pricing:        per image by tier; per million tokens: text in $${pricing.textInputPerMillion}, image in $${pricing.imageInputPerMillion}${pricing.unverified ? ' (unverified)' : ''}`,
                    ]
                  : []),
              'estimated price of one image:',
              ...priceLines,
              ...(definition.notes ? [`notes:          ${definition.notes}`] : []),
            ].join('\n');
          },
        );
      });
    });
}
