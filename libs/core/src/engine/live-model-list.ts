import { ImageGenError, systemClock, type Clock } from '@imagegen/common';
import type { ModelDefinition } from '@imagegen/providers';

/**
 * What each provider's own model list (`models.list`) said, the last time it was read: the vendor, not the registry,
 * decides whether a model is still served. A listing reads it; a request for a model the fresh list lacks is refused
 * before any call, naming why. Nothing is fetched for a request: without a fresh list, requests go out as before.
 */
export interface LiveModelList {
  /** Records what `provider` listed for the configured key. */
  record(provider: string, modelIds: readonly string[]): void;
  /** Whether the fresh list of `model`'s provider names it (by id or alias); undefined when no fresh list is known. */
  isListed(model: ModelDefinition): boolean | undefined;
  /** Throws `model_not_found` when the fresh list lacks `model`, suggesting `replacement`. */
  assertListed(model: ModelDefinition, replacement?: string): void;
}

/** How long a list read stays authoritative: long enough for a session, short enough to notice a model coming back. */
export const liveModelListTtlMs = 15 * 60_000;

export function createLiveModelList(options: { clock?: Clock; ttlMs?: number } = {}): LiveModelList {
  const clock = options.clock ?? systemClock;
  const ttlMs = options.ttlMs ?? liveModelListTtlMs;
  const lists = new Map<string, { ids: Set<string>; readAt: number }>();
  const fresh = (provider: string) => {
    const list = lists.get(provider);
    return list !== undefined && clock.now().getTime() - list.readAt < ttlMs ? list : undefined;
  };
  const isListed = (model: ModelDefinition): boolean | undefined => {
    const list = fresh(model.provider);
    if (list === undefined) return undefined;
    return [model.id, ...model.aliases].some((name) => list.ids.has(name.toLowerCase()));
  };
  return {
    record(provider, modelIds) {
      lists.set(provider, { ids: new Set(modelIds.map((id) => id.toLowerCase())), readAt: clock.now().getTime() });
    },
    isListed,
    assertListed(model, replacement) {
      if (isListed(model) !== false) return;
      const readAt = lists.get(model.provider)?.readAt ?? clock.now().getTime();
      const minutes = Math.max(0, Math.round((clock.now().getTime() - readAt) / 60_000));
      const instead = replacement !== undefined && replacement !== model.id ? ` Use ${replacement} instead, or` : '';
      throw new ImageGenError({
        code: 'model_not_found',
        message: `${model.id} is not in ${model.provider}'s model list for this key (read ${minutes} min ago): it may have been shut down or not be enabled for your project.${instead} run list_available_models to see what your key can use.`,
        provider: model.provider,
        details: { model: model.id, reason: 'absent_from_live_model_list', ...(replacement ? { replacement } : {}) },
      });
    },
  };
}
