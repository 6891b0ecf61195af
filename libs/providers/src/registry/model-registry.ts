import { ImageGenError, systemClock, type Clock } from '@imagegen/common';
import type { ModelDefinition } from '../contract';
import { closestNames } from './closest-names';
import { retiredModelError } from './retired-model-error';
import { describeIssues, modelDefinitionSchema, modelOverrideSchema, type DefinitionIssue } from './model-definition-schema';

/** How to build a registry. */
export interface ModelRegistryOptions {
  /** The known models, usually `builtInModels`. */
  models: readonly ModelDefinition[];
  /**
   * User-supplied definitions, validated here (configuration is untrusted input): each one either changes fields of
   * a known model (matched by id or alias) or adds a model the built-ins do not know yet. See `ModelOverride`.
   */
  overrides?: readonly unknown[];
  /** Provider id → model id or alias that `defaultModelFor` returns; wins over `providerDefault` flags. */
  defaultModels?: Readonly<Record<string, string>>;
  /** Today's date; a deprecated model is treated as retired from its shutdown date on. Default: the system clock. */
  clock?: Clock;
}

/** Filters for {@link ModelRegistry.list}. */
export interface ListModelsOptions {
  /** Only this provider's models. */
  provider?: string;
  /** Include retired models (default false: only models a request may use). */
  includeRetired?: boolean;
}

/** Looks up models by id or alias, case-insensitively. Definitions are frozen. */
export interface ModelRegistry {
  /**
   * The usable model named `idOrAlias`. Throws `model_not_found` (with `details.suggestions`, close names) for an
   * unknown name and `model_retired` (with `details.replacement` and `details.retiredDate`) for a shut-down one.
   * Deprecated models resolve; `planRequest` adds the warning.
   */
  resolve(idOrAlias: string): ModelDefinition;
  /** The model named `idOrAlias` whatever its status, or `undefined`. */
  get(idOrAlias: string): ModelDefinition | undefined;
  /** Models in registration order (built-ins first, then added ones). */
  list(options?: ListModelsOptions): ModelDefinition[];
  /**
   * The provider's default model: from `defaultModels`, else the one flagged `providerDefault`, else its first
   * usable model. Throws `model_not_found` when the provider has no usable model.
   */
  defaultModelFor(provider: string): ModelDefinition;
}

/** Builds a registry from known models plus validated user definitions. Throws `invalid_config` on a bad definition. */
export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const clock = options.clock ?? systemClock;
  // Copies, so freezing never touches the caller's (or the built-in) objects.
  const models = applyOverrides(options.models, options.overrides ?? []).map((model) => deepFreeze(structuredClone(model)));
  const byName = indexByName(models);

  const today = (): string => clock.now().toISOString().slice(0, 10);
  const isUsable = (model: ModelDefinition): boolean =>
    model.status.kind === 'active' || (model.status.kind === 'deprecated' && model.status.shutdownDate > today());
  // A deprecated model is retired from its shutdown date on: every view of it (listing, lookup, refusal) says so.
  const asOfToday = createStatusAsOf(today, (model) => model.status.replacement ?? firstUsable(model.provider)?.id);
  const lookup = (idOrAlias: string): ModelDefinition | undefined => {
    const model = typeof idOrAlias === 'string' ? byName.get(idOrAlias.trim().toLowerCase()) : undefined;
    return model === undefined ? undefined : asOfToday(model);
  };

  const firstUsable = (provider: string): ModelDefinition | undefined => {
    const candidates = models.filter((model) => model.provider === provider && isUsable(model));
    return (
      candidates.find((model) => model.providerDefault === true) ??
      candidates.find((model) => model.status.kind === 'active') ??
      candidates[0]
    );
  };

  const registry: ModelRegistry = {
    get: lookup,
    resolve(idOrAlias) {
      const model = lookup(idOrAlias);
      if (model === undefined) throw unknownModel(idOrAlias, models, isUsable);
      if (model.status.kind === 'retired') {
        throw retiredModelError(model, model.status.retiredDate, model.status.replacement);
      }
      return model;
    },
    list(listOptions = {}) {
      return models
        .filter(
          (model) =>
            (listOptions.provider === undefined || model.provider === listOptions.provider) &&
            (listOptions.includeRetired === true || isUsable(model)),
        )
        .map(asOfToday);
    },
    defaultModelFor(provider) {
      const configured = options.defaultModels?.[provider];
      const model = configured === undefined ? firstUsable(provider) : registry.resolve(configured);
      if (model === undefined) {
        throw new ImageGenError({
          code: 'model_not_found',
          message: `No usable model is registered for provider '${provider}'.`,
          details: { provider },
        });
      }
      return model;
    },
  };

  for (const [provider, name] of Object.entries(options.defaultModels ?? {})) {
    const model = lookup(name);
    if (model === undefined || model.provider !== provider) {
      throw new ImageGenError({
        code: 'invalid_config',
        message: `The default model '${name}' for provider '${provider}' is not a registered ${provider} model.`,
        details: { setting: `defaultModels.${provider}`, provider, model: name },
      });
    }
  }
  return registry;
}

/**
 * `model` as of today: a deprecated model whose shutdown date has come is shown retired on that date, naming its
 * replacement (or the provider's first usable model). The copy is made once: a shutdown date, once come, stays past.
 */
function createStatusAsOf(
  today: () => string,
  replacementOf: (model: ModelDefinition & { status: { kind: 'deprecated' } }) => string | undefined,
): (model: ModelDefinition) => ModelDefinition {
  const retiredCopies = new WeakMap<ModelDefinition, ModelDefinition>();
  return (model) => {
    const status = model.status;
    if (status.kind !== 'deprecated' || status.shutdownDate > today()) return model;
    let copy = retiredCopies.get(model);
    if (copy === undefined) {
      const replacement = replacementOf(model as ModelDefinition & { status: typeof status });
      copy = deepFreeze({
        ...model,
        status: { kind: 'retired', retiredDate: status.shutdownDate, ...(replacement === undefined ? {} : { replacement }) },
      } as ModelDefinition);
      retiredCopies.set(model, copy);
    }
    return copy;
  };
}

function unknownModel(requested: string, models: readonly ModelDefinition[], isUsable: (model: ModelDefinition) => boolean): ImageGenError {
  const usable = models.filter(isUsable);
  const ownerOf = new Map(models.flatMap((model) => [model.id, ...model.aliases].map((name) => [name, model] as const)));
  const suggestions = closestNames(requested, [...ownerOf.keys()]);
  const describe = (name: string): string => {
    const owner = ownerOf.get(name);
    if (owner === undefined || isUsable(owner)) return name;
    const replacement = owner.status.kind === 'active' ? undefined : owner.status.replacement;
    return `${name} (shut down${replacement === undefined ? '' : `; use ${replacement}`})`;
  };
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map(describe).join(' or ')}?` : '';
  return new ImageGenError({
    code: 'model_not_found',
    message: `Unknown image model '${requested}'.${hint} Available: ${usable.map((model) => model.id).join(', ')}.`,
    details: { requested, suggestions, available: usable.map((model) => model.id) },
  });
}

function applyOverrides(known: readonly ModelDefinition[], overrides: readonly unknown[]): ModelDefinition[] {
  const models = [...known];
  const findIndex = (name: string): number => {
    const wanted = name.trim().toLowerCase();
    return models.findIndex((model) => model.id.toLowerCase() === wanted || model.aliases.some((alias) => alias.toLowerCase() === wanted));
  };

  overrides.forEach((input, position) => {
    const where = `overrides[${position}]`;
    const parsed = modelOverrideSchema.safeParse(input);
    if (!parsed.success) throw invalidDefinition(where, idOf(input), describeIssues(parsed.error));
    const { basedOn, capabilities, ...fields } = parsed.data;

    const existing = findIndex(fields.id);
    let candidate: unknown;
    if (existing >= 0) {
      const base = models[existing] as ModelDefinition;
      candidate = { ...base, ...fields, id: base.id, capabilities: { ...base.capabilities, ...capabilities } };
    } else if (basedOn !== undefined) {
      const baseIndex = findIndex(basedOn);
      if (baseIndex < 0) {
        throw invalidDefinition(where, fields.id, [{ field: 'basedOn', message: `'${basedOn}' names no known model` }]);
      }
      const base = models[baseIndex] as ModelDefinition;
      candidate = {
        ...base,
        aliases: [],
        status: { kind: 'active' },
        providerDefault: undefined,
        notes: undefined,
        displayName: fields.id,
        ...fields,
        capabilities: { ...base.capabilities, ...capabilities },
      };
    } else {
      candidate = { displayName: fields.id, ...fields, ...(capabilities === undefined ? {} : { capabilities }) };
    }

    const complete = modelDefinitionSchema.safeParse(dropUndefined(candidate));
    if (!complete.success) throw invalidDefinition(where, fields.id, describeIssues(complete.error));
    const model: ModelDefinition = complete.data;
    if (model.providerDefault === true) {
      for (let index = 0; index < models.length; index++) {
        const other = models[index] as ModelDefinition;
        if (other.provider === model.provider && other.providerDefault === true) {
          models[index] = { ...other, providerDefault: false };
        }
      }
    }
    if (existing >= 0) models[existing] = model;
    else models.push(model);
  });
  return models;
}

function indexByName(models: readonly ModelDefinition[]): Map<string, ModelDefinition> {
  const byName = new Map<string, ModelDefinition>();
  for (const model of models) {
    for (const name of [model.id, ...model.aliases]) {
      const key = name.toLowerCase();
      const taken = byName.get(key);
      if (taken !== undefined && taken !== model) {
        throw new ImageGenError({
          code: 'invalid_config',
          message: `The model name '${name}' is used by both ${taken.id} and ${model.id}; give each model its own id and aliases.`,
          details: { setting: 'aliases', name, models: [taken.id, model.id] },
        });
      }
      byName.set(key, model);
    }
  }
  return byName;
}

function invalidDefinition(where: string, id: string | undefined, issues: DefinitionIssue[]): ImageGenError {
  const subject = id === undefined ? where : `'${id}' (${where})`;
  const list = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return new ImageGenError({
    code: 'invalid_config',
    message: `The model definition ${subject} is invalid: ${list}.`,
    details: { setting: where, model: id, issues },
  });
}

function idOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const id = (input as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

function dropUndefined(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}
