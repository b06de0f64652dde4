// router.jsx: client-side routing on the History API. The URL is the state: path and query
// string (search, filters, page) live in it, so back/forward, reload and shared links work.
// Routes are a table of patterns (app.jsx); later sections (checkout, admin) add rows to it.
import { useEffect } from 'preact/hooks';
import { createStore, useStore } from './store.js';

const here = () => ({ path: location.pathname, search: location.search, key: history.state?.key || 0 });
export const locationStore = createStore(here());

let keySeq = Date.now();

/** Goes to `to` (a path with an optional query). replace: no new history entry. */
export function navigate(to, { replace = false, scroll = true } = {}) {
  const url = new URL(to, location.origin);
  const next = url.pathname + url.search + url.hash;
  if (next === location.pathname + location.search + location.hash && !replace) return;
  const state = { key: ++keySeq };
  if (replace) history.replaceState(state, '', next);
  else history.pushState(state, '', next);
  locationStore.set(here());
  if (scroll && !replace) window.scrollTo(0, 0);
}

addEventListener('popstate', () => locationStore.set(here()));

/** The current location: {path, search, query (URLSearchParams), key}. */
export function useLocation() {
  const loc = useStore(locationStore);
  return { ...loc, query: new URLSearchParams(loc.search) };
}

/** The path and query of the current page, for "come back here after signing in" links. */
export const currentUrl = () => location.pathname + location.search;

/**
 * Matches `path` against `pattern` ('/products/:slug', '*' at the end matches the rest).
 * Returns the params object or null.
 */
export function matchPath(pattern, path) {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '*') {
      params.rest = s.slice(i).join('/');
      return params;
    }
    if (i >= s.length) return null;
    if (p[i].startsWith(':')) {
      try {
        params[p[i].slice(1)] = decodeURIComponent(s[i]);
      } catch {
        return null;
      }
    } else if (p[i] !== s[i]) return null;
  }
  return p.length === s.length ? params : null;
}

/** An <a> that navigates in the app for plain left clicks and acts as a link otherwise. */
export function Link({ href, onClick, replace, ...props }) {
  const click = (e) => {
    if (onClick) onClick(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (props.target && props.target !== '_self') return;
    e.preventDefault();
    navigate(href, { replace });
  };
  return <a href={href} onClick={click} {...props} />;
}

/** Replaces the current URL with `to` on mount (a redirect inside the app). */
export function Redirect({ to }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** Builds a path with a query from an object, dropping empty values ('', null, undefined, false). */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === '' || v === null || v === undefined || v === false) continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
