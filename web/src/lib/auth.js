// auth.js: who is signed in. The user lives in a store; the access token stays inside api.js
// (memory only) and the refresh token in the API's HttpOnly cookie, so a reload restores the
// session with one POST /auth/refresh. Signing in or up also merges the guest cart (the API
// does it); the cart is reloaded after every change of who is signed in.
import { api, configureSession, refreshSession, setAccessToken } from './api.js';
import { createStore } from './store.js';
import { currentUrl, navigate, withQuery } from './router.jsx';

/**
 * status: 'loading' until the first refresh answered, then 'guest' or 'user'.
 * expired: true when a session ended on its own (shown on the sign-in page).
 */
export const authStore = createStore({ status: 'loading', user: null, expired: false });

const listeners = new Set();
/** fn(user) runs after every sign-in, sign-out and session restore (cart.js reloads). */
export const onAuthChange = (fn) => listeners.add(fn);
const changed = () => {
  for (const fn of listeners) fn(authStore.get().user);
};

function signedIn(data) {
  setAccessToken(data.access_token);
  authStore.set({ status: 'user', user: data.user, expired: false });
}

configureSession({
  onRefreshed: (data) => authStore.set((s) => ({ ...s, status: 'user', user: data.user })),
  onExpired: () => {
    const was = authStore.get().user;
    setAccessToken(null);
    authStore.set({ status: 'guest', user: null, expired: !!was });
    if (was) {
      changed();
      const path = location.pathname;
      if (!path.startsWith('/signin')) navigate(withQuery('/signin', { next: currentUrl() }), { replace: true });
    }
  },
});

/** Restores the session from the refresh cookie, once at start-up. */
export async function bootstrapAuth() {
  let data = null;
  try {
    data = await refreshSession();
  } catch {
    data = null; // the shop is unreachable: browse as a guest, pages show their own errors
  }
  if (data) signedIn(data);
  else authStore.set({ status: 'guest', user: null, expired: false });
  changed();
}

export async function signIn(email, password) {
  const data = await api('POST', '/auth/login', { body: { email, password } });
  signedIn(data);
  changed();
  return data.user;
}

export async function signUp(name, email, password) {
  const data = await api('POST', '/auth/signup', { body: { name, email, password } });
  signedIn(data);
  changed();
  return data.user;
}

/** Signs out this device (all: every device). The local state is cleared whatever the API says. */
export async function signOut({ all = false } = {}) {
  try {
    if (all) await api('POST', '/auth/logout-all');
    await api('POST', '/auth/logout');
  } catch {
    // The cookie may already be gone or revoked; signing out locally is what matters here.
  }
  setAccessToken(null);
  authStore.set({ status: 'guest', user: null, expired: false });
  changed();
}

export async function updateName(name) {
  const data = await api('PATCH', '/me', { body: { name } });
  authStore.set((s) => ({ ...s, user: data.user }));
  return data.user;
}

/** Changes the password; the API revokes other sessions and hands this one a new pair. */
export async function changePassword(current_password, new_password) {
  const data = await api('POST', '/me/password', { body: { current_password, new_password } });
  signedIn(data);
  return data.user;
}
