// shop.js: the shop's name, currency and limits (GET /api/v1/shop), read once when the app
// starts and shared, so that nothing in the app hard-codes what the server decides. The pages
// render only once it is here (app.jsx); a failed load can be retried.
import { api } from './api.js';
import { createStore, useStore } from './store.js';

export const shopStore = createStore({ status: 'idle', shop: null, error: null });

let pending = null;

/** Loads the shop unless it is loaded or loading; resolves to it. */
export function loadShop() {
  const s = shopStore.get();
  if (s.status === 'ready') return Promise.resolve(s.shop);
  if (pending) return pending;
  shopStore.set({ status: 'loading', shop: null, error: null });
  pending = api('GET', '/shop')
    .then((d) => {
      shopStore.set({ status: 'ready', shop: d.shop, error: null });
      return d.shop;
    })
    .catch((error) => {
      shopStore.set({ status: 'error', shop: null, error });
      throw error;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
}

/** The shop ({name, currency, currency_exponent, limits, ...}), or null until it is loaded. */
export const useShop = () => useStore(shopStore).shop;

/** The shop without subscribing (for plain functions); null until it is loaded. */
export const currentShop = () => shopStore.get().shop;
