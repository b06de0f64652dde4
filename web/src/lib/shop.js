// shop.js: the shop's name, currency and limits (GET /api/v1/shop), read once when the app
// starts and shared, so that nothing in the app hard-codes what the server decides. The pages
// render only once it is here (app.jsx); a failed load can be retried.
import { api } from './api.js';
import { createStore, loadOnce, useStore } from './store.js';

export const shopStore = createStore({ status: 'idle', shop: null, error: null });

/** Loads the shop unless it is loaded or loading; resolves to it. A failed load can be retried. */
export const loadShop = loadOnce(shopStore, 'shop', null, () => api('GET', '/shop').then((d) => d.shop));

/** The shop ({name, currency, currency_exponent, limits, ...}), or null until it is loaded. */
export const useShop = () => useStore(shopStore).shop;

/** The shop without subscribing (for plain functions); null until it is loaded. */
export const currentShop = () => shopStore.get().shop;
