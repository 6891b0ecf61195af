/** A module loaded on first use, once; see {@link lazyModule}. */
export interface LazyModule<T> {
  /** Loads the module the first time, then returns the same promise. */
  load(): Promise<T>;
  /** The module when it has finished loading; `undefined` before (nothing from it can exist yet). */
  loaded(): T | undefined;
}

/**
 * Defers a heavy dependency (a vendor SDK, sharp) until it is first needed, so a server answers `initialize` without
 * paying for modules it may never use. `importModule` is typically a dynamic import of the package.
 */
export function lazyModule<T>(importModule: () => Promise<T>): LazyModule<T> {
  let module: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    load() {
      loading ??= importModule().then((value) => {
        module = value;
        return value;
      });
      return loading;
    },
    loaded: () => module,
  };
}
