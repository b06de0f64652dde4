// cart.js: the cart as the server last described it. Every change is one API call whose answer
// (the whole cart, with server totals and per-line warnings) replaces the local copy; nothing
// is computed here. Guests are recognised by the API's HttpOnly cart cookie.
import { api } from './api.js';
import { onAuthChange } from './auth.js';
import { createStore } from './store.js';

/** status: 'idle' | 'loading' | 'ready' | 'error'; cart: the API's Cart or null; error: ApiError. */
export const cartStore = createStore({ status: 'idle', cart: null, error: null });

let started = 0;
let shown = 0;

/** Runs `call` and shows its cart, unless the answer to a later call is already shown. */
async function apply(call) {
  const mine = ++started;
  const data = await call();
  if (mine > shown) {
    shown = mine;
    cartStore.set({ status: 'ready', cart: data.cart, error: null });
  }
  return data.cart;
}

export async function loadCart() {
  if (!cartStore.get().cart) cartStore.set((s) => ({ ...s, status: 'loading', error: null }));
  try {
    return await apply(() => api('GET', '/cart'));
  } catch (error) {
    if (!cartStore.get().cart) cartStore.set({ status: 'error', cart: null, error });
    throw error;
  }
}

export const addToCart = (productId, quantity) =>
  apply(() => api('POST', '/cart/items', { body: { product_id: productId, quantity } }));

export const setQuantity = (productId, quantity) =>
  apply(() => api('PATCH', `/cart/items/${encodeURIComponent(productId)}`, { body: { quantity } }));

export const removeLine = (productId) =>
  apply(() => api('DELETE', `/cart/items/${encodeURIComponent(productId)}`));

export const clearCart = () => apply(() => api('DELETE', '/cart'));

export const applyCoupon = (code) => apply(() => api('POST', '/cart/coupon', { body: { code } }));

export const removeCoupon = () => apply(() => api('DELETE', '/cart/coupon'));

// Signing in merges the guest cart on the server; signing out leaves a guest with no cart.
onAuthChange(() => {
  cartStore.set({ status: 'loading', cart: null, error: null });
  loadCart().catch(() => {});
});
