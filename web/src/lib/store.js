// store.js: the smallest shared state there is: a value, subscribers, and a hook that
// re-renders a component when the value changes. Auth, cart, categories, the shop and the router
// use it; loadOnce fills a store from one request that every caller shares.
import { useEffect, useState } from 'preact/hooks';

/** A store holding `initial`. set() replaces the value (or takes an updater function). */
export function createStore(initial) {
  let value = initial;
  const subs = new Set();
  return {
    get: () => value,
    set(next) {
      const v = typeof next === 'function' ? next(value) : next;
      if (Object.is(v, value)) return;
      value = v;
      for (const fn of [...subs]) fn(v);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

/** The store's current value; the component re-renders when it changes. */
export function useStore(store) {
  const [, force] = useState(0);
  const seen = store.get();
  useEffect(() => {
    // A change between the first render and this subscription would otherwise go unseen (the
    // shop's settings arriving while the header mounts left it without the shop's name).
    if (!Object.is(store.get(), seen)) force((n) => n + 1);
    return store.subscribe(() => force((n) => n + 1));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);
  return seen;
}

/**
 * A loader for a store holding {status: 'idle'|'loading'|'ready'|'error', [key], error}: the
 * first call runs fetch() (-> Promise of the value), calls meanwhile share it, later calls get
 * the value, and after a failure the next call tries again. While not ready, [key] is `empty`.
 */
export function loadOnce(store, key, empty, fetch) {
  let pending = null;
  return function load() {
    const s = store.get();
    if (s.status === 'ready') return Promise.resolve(s[key]);
    if (pending) return pending;
    store.set({ status: 'loading', [key]: empty, error: null });
    pending = fetch()
      .then((value) => {
        store.set({ status: 'ready', [key]: value, error: null });
        return value;
      })
      .catch((error) => {
        store.set({ status: 'error', [key]: empty, error });
        throw error;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };
}
