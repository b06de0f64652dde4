// store.js: the smallest shared state there is: a value, subscribers, and a hook that
// re-renders a component when the value changes. Auth, cart, categories and the router use it.
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
  useEffect(() => store.subscribe(() => force((n) => n + 1)), [store]);
  return store.get();
}
