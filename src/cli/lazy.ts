// Commands import their implementation on first use, so that defining every command for parsing and --help
// costs little. Kept once loaded: a later call in the same process (tests call main() again and again) awaits
// a settled promise instead of going back to the module loader, which may yield to the event loop.

/** `load` on the first call; the same promise on every later one. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}
