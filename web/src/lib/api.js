// api.js: the one way the app talks to the server (/api/v1 only). JSON in and out; problem
// details become ApiError with per-field messages; the access token lives here, in memory only,
// and a 401 on a request that carried it gets one silent refresh (the refresh token is the
// API's HttpOnly cookie) and one retry, after which the session is over.

export const API_BASE = '/api/v1';

/** A failed request: an RFC 9457 problem (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.status = status;
    this.code = problem.code || (status ? 'http_' + status : 'network');
    this.problem = problem;
    /** field name -> the first message for it, from problem.errors[]. */
    this.fields = {};
    for (const e of problem.errors || []) {
      if (e && e.field && !(e.field in this.fields)) this.fields[e.field] = e.message;
    }
  }
}

const session = {
  token: null,
  refreshing: null,
  onRefreshed: () => {},
  onExpired: () => {},
};

/** Called by auth.js: who hears about a refreshed or a lost session. */
export function configureSession({ onRefreshed, onExpired }) {
  session.onRefreshed = onRefreshed;
  session.onExpired = onExpired;
}

/** Sets (or with null forgets) the access token. Never persisted anywhere. */
export function setAccessToken(token) {
  session.token = token || null;
}

async function send(method, path, { body, query, signal, headers = {} }) {
  let url = API_BASE + path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const s = q.toString();
    if (s) url += '?' + s;
  }
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (session.token) h.Authorization = 'Bearer ' + session.token;
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, {
      code: 'network',
      detail: 'The shop could not be reached. Check your connection and try again.',
    });
  }
  return res;
}

async function parse(res) {
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (res.ok) return data;
  const problem = data && typeof data === 'object' ? data : {};
  if (!problem.detail) {
    problem.detail = res.status >= 500
      ? 'Something went wrong on our side. Please try again in a moment.'
      : `The request failed (${res.status}).`;
  }
  throw new ApiError(res.status, problem);
}

/**
 * Rotates the refresh cookie for a new access token. One refresh at a time per tab, and per
 * browser where Web Locks exist: two tabs presenting the same cookie would look like token reuse
 * and revoke the session. Resolves to the token response or null (not signed in).
 */
export function refreshSession() {
  if (session.refreshing) return session.refreshing;
  const run = async () => {
    const res = await send('POST', '/auth/refresh', {});
    if (res.status === 401 || res.status === 403) {
      await res.text().catch(() => ''); // read to the end, so the connection is reused
      session.token = null;
      return null;
    }
    const data = await parse(res);
    session.token = data.access_token;
    session.onRefreshed(data);
    return data;
  };
  const locked = navigator.locks ? () => navigator.locks.request('mercato-refresh', run) : run;
  session.refreshing = locked().finally(() => {
    session.refreshing = null;
  });
  return session.refreshing;
}

/**
 * One API call. Resolves to the parsed JSON (null for 204); rejects with ApiError (or an
 * AbortError when `signal` aborts).
 */
export async function api(method, path, opts = {}) {
  const sentToken = session.token;
  let res = await send(method, path, opts);
  if (res.status === 401 && sentToken && !path.startsWith('/auth/')) {
    await res.text().catch(() => '');
    let fresh = null;
    try {
      fresh = await refreshSession();
    } catch {
      fresh = null;
    }
    if (!fresh) {
      session.onExpired();
      throw new ApiError(401, { code: 'session_expired', detail: 'Your session has ended. Please sign in again.' });
    }
    res = await send(method, path, opts);
    if (res.status === 401) {
      session.token = null;
      session.onExpired();
    }
  }
  return parse(res);
}
