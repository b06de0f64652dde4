// catalog.js: reading the public catalog. The category tree is loaded once per visit and
// shared; product lists and pages are plain calls (the browser's HTTP cache and the API's
// ETags do the caching).
import { api } from './api.js';
import { createStore, loadOnce } from './store.js';

export const categoriesStore = createStore({ status: 'idle', tree: [], error: null });

/** Loads the category tree unless it is loaded or loading; a failed load can be retried. */
export const loadCategories = loadOnce(categoriesStore, 'tree', [], () => api('GET', '/categories').then((d) => d.categories));

/** Every category of the tree, flat, each with its parent (or null). */
export function flatCategories(tree) {
  const out = [];
  for (const c of tree) {
    out.push({ ...c, parent: null });
    for (const k of c.children || []) out.push({ ...k, parent: c });
  }
  return out;
}

export const findCategory = (tree, slug) => flatCategories(tree).find((c) => c.slug === slug) || null;

export const findCategoryById = (tree, id) => flatCategories(tree).find((c) => c.id === id) || null;

/** GET /products with the API's own parameter names. */
export async function listProducts(params, signal) {
  return api('GET', '/products', { query: params, signal });
}

export async function getProduct(key, signal) {
  const d = await api('GET', `/products/${encodeURIComponent(key)}`, { signal });
  return d.product;
}
