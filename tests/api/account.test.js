// The signed-in user's own account: GET /me, PATCH /me (only the name is writable; a role, an
// email or a status is refused as an unknown field and changes nothing), and POST /me/password
// (checks the current password, applies the password rules, revokes every other session and
// returns a fresh token pair).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import { api, assertInvalid, assertProblem, bearer, claimsOf, refreshCookies, startServer, uniqueEmail } from './helpers.js';

const HIGH_LIMITS = ['--rate-login-ip', '100000', '--rate-login-account', '100000', '--rate-signup-ip', '100000'];
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a whole new passphrase 2';
const REFRESH_RE = /^[0-9a-f]{32}\.[0-9a-f]{64}$/;

let server;
before(async () => { server = await startServer({ args: HIGH_LIMITS }); });
after(async () => { await server?.stop(); });

// ---- local helpers --------------------------------------------------------------------------


/** Signs up a fresh customer with body delivery; returns {email, user, access, refresh}. */
async function newUser(name = 'Account Tester') {
  const email = uniqueEmail('acct');
  const res = await api(server, 'POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name, token_delivery: 'body' } });
  assert.equal(res.status, 201, res.text);
  return { email, user: res.body.user, access: res.body.access_token, refresh: res.body.refresh_token };
}

const login = (email, password, extra = {}) => api(server, 'POST', '/api/v1/auth/login', { body: { email, password, ...extra } });
const getMe = (token) => api(server, 'GET', '/api/v1/me', { headers: bearer(token) });
const patchMe = (token, body) => api(server, 'PATCH', '/api/v1/me', { headers: bearer(token), body });
const changePassword = (token, body) => api(server, 'POST', '/api/v1/me/password', { headers: bearer(token), body });
const refresh = (token) => api(server, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });


/** Asserts GET /me still shows exactly `user`. */
async function assertUnchanged(token, user) {
  const me = await getMe(token);
  assert.equal(me.status, 200, me.text);
  assert.deepEqual(me.body.user, user, 'the account is unchanged');
}

// ---- GET /me --------------------------------------------------------------------------------

test('GET /me returns the signed-in user and nothing secret', async () => {
  const { user, access } = await newUser('Greta');
  const res = await getMe(access);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { user });
  assert.deepEqual(Object.keys(res.body.user).sort(), ['created_at', 'email', 'id', 'name', 'role', 'status', 'updated_at']);
});

test('GET /me without a token gets 401 unauthenticated', async () => {
  const res = await api(server, 'GET', '/api/v1/me');
  assertProblem(res, 401, 'unauthenticated');
  assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/);
});

test('GET /me answers for the token\'s own user only', async () => {
  const a = await newUser('Alpha');
  const b = await newUser('Beta');
  assert.equal((await getMe(a.access)).body.user.id, a.user.id);
  assert.equal((await getMe(b.access)).body.user.id, b.user.id);
});

// ---- PATCH /me ------------------------------------------------------------------------------

test('PATCH /me changes the name, trimmed, and GET /me shows it', async () => {
  const { user, access } = await newUser('Old Name');
  await new Promise((r) => setTimeout(r, 5));
  const res = await patchMe(access, { name: '  New Name  ' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.user.name, 'New Name');
  for (const k of ['id', 'email', 'role', 'status', 'created_at']) assert.equal(res.body.user[k], user[k], k);
  assert.ok(Date.parse(res.body.user.updated_at) >= Date.parse(user.updated_at), 'updated_at does not go back');
  assert.notEqual(res.body.user.updated_at, user.updated_at, 'updated_at moves on a change');
  const me = await getMe(access);
  assert.deepEqual(me.body.user, res.body.user);
});

test('PATCH /me refuses a role as an unknown field and the role stays customer', async () => {
  const { user, access } = await newUser();
  for (const body of [{ role: 'admin' }, { name: 'Sneaky', role: 'admin' }, { role: 'customer' }]) {
    const res = await patchMe(access, body);
    const expected = [['role', 'unknown_field']];
    if (!('name' in body)) expected.push(['name', 'required']);
    assertInvalid(res, expected);
    await assertUnchanged(access, user);
  }
  // The role in new tokens is still customer.
  const again = await login(user.email, PASSWORD, { token_delivery: 'body' });
  assert.equal(claimsOf(again.body.access_token).role, 'customer');
});

test('PATCH /me refuses email, status, id and password as unknown fields and changes nothing', async () => {
  const { user, access } = await newUser();
  for (const extra of [{ email: uniqueEmail('other') }, { status: 'disabled' }, { id: 'usr_00000000000000000000000000' },
    { password: NEW_PASSWORD }, { password_hash: 'x' }, { created_at: '2000-01-01T00:00:00Z' }]) {
    const res = await patchMe(access, { name: 'Changed', ...extra });
    assertInvalid(res, [[Object.keys(extra)[0], 'unknown_field']]);
    await assertUnchanged(access, user);
  }
  assert.equal((await login(user.email, PASSWORD)).status, 200, 'the password is unchanged');
});

test('PATCH /me with an empty, blank or too long name is a 422 invalid_name', async () => {
  const { user, access } = await newUser();
  for (const name of ['', '   ', 'x'.repeat(201), 'Bad\u0007Name']) {
    assertInvalid(await patchMe(access, { name }), [['name', 'invalid_name']]);
  }
  assertInvalid(await patchMe(access, {}), [['name', 'required']]);
  assertInvalid(await patchMe(access, { name: 42 }), [['name', 'not_a_string']]);
  await assertUnchanged(access, user);
});

test('PATCH /me without a token gets 401 unauthenticated', async () => {
  assertProblem(await api(server, 'PATCH', '/api/v1/me', { body: { name: 'Nobody' } }), 401, 'unauthenticated');
});

test('PATCH /me needs a JSON body', async () => {
  const { user, access } = await newUser();
  const res = await api(server, 'PATCH', '/api/v1/me', { headers: { ...bearer(access), 'content-type': 'text/plain' }, body: 'name=X' });
  assertProblem(res, 415, 'unsupported_media_type');
  assertProblem(await api(server, 'PATCH', '/api/v1/me', { headers: { ...bearer(access), 'content-type': 'application/json' }, body: '{"name":' }), 400, 'malformed_json');
  await assertUnchanged(access, user);
});

// ---- POST /me/password ----------------------------------------------------------------------

test('changing the password answers 200 with a fresh token pair in a cookie by default', async () => {
  const { user, access } = await newUser();
  const res = await changePassword(access, { current_password: PASSWORD, new_password: NEW_PASSWORD });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.user.id, user.id);
  assert.equal(res.body.token_type, 'Bearer');
  assert.equal(res.body.expires_in, 900);
  assert.ok(!('refresh_token' in res.body));
  const cookies = refreshCookies(res);
  assert.equal(cookies.length, 1);
  assert.match(cookies[0].split(';')[0].slice('mercato_refresh='.length), REFRESH_RE);
  assert.match(cookies[0], /;\s*HttpOnly/i);
  assert.equal((await getMe(res.body.access_token)).status, 200);
});

test('the user in the password change response is the account as stored afterwards (updated_at included)', async () => {
  const { access } = await newUser();
  const res = await changePassword(access, { current_password: PASSWORD, new_password: NEW_PASSWORD, token_delivery: 'body' });
  assert.equal(res.status, 200, res.text);
  const me = await getMe(res.body.access_token);
  assert.equal(me.status, 200);
  assert.deepEqual(res.body.user, me.body.user);
});

test('after a password change the old password is refused and the new one signs in', async () => {
  const { email, access } = await newUser();
  const res = await changePassword(access, { current_password: PASSWORD, new_password: NEW_PASSWORD, token_delivery: 'body' });
  assert.equal(res.status, 200, res.text);
  assertProblem(await login(email, PASSWORD), 401, 'invalid_credentials');
  assert.equal((await login(email, NEW_PASSWORD)).status, 200);
});

test('a password change revokes every other session while the returned pair keeps working', async () => {
  const { email, access, refresh: first } = await newUser();
  const second = (await login(email, PASSWORD, { token_delivery: 'body' })).body.refresh_token;
  const res = await changePassword(access, { current_password: PASSWORD, new_password: NEW_PASSWORD, token_delivery: 'body' });
  assert.equal(res.status, 200, res.text);
  assert.match(res.body.refresh_token, REFRESH_RE);
  assert.deepEqual(refreshCookies(res), [], 'no cookie with body delivery');
  assertProblem(await refresh(first), 401, 'invalid_refresh_token');
  assertProblem(await refresh(second), 401, 'invalid_refresh_token');
  const ok = await refresh(res.body.refresh_token);
  assert.equal(ok.status, 200, `the new pair's refresh token works: ${ok.text}`);
  assert.equal((await getMe(ok.body.access_token)).status, 200);
});

test('a wrong current password is a 422 current_password incorrect and changes nothing', async () => {
  const { email, access, refresh: rt } = await newUser();
  const res = await changePassword(access, { current_password: 'not my password at all', new_password: NEW_PASSWORD });
  const body = assertInvalid(res, [['current_password', 'incorrect']]);
  assert.equal(body.errors[0].field, 'current_password');
  assert.deepEqual(refreshCookies(res), []);
  assert.equal((await login(email, PASSWORD)).status, 200, 'the old password still works');
  assertProblem(await login(email, NEW_PASSWORD), 401, 'invalid_credentials');
  assert.equal((await refresh(rt)).status, 200, 'no session was revoked');
});

test('a new password that is too short or too long is a 422 naming new_password', async () => {
  const { email, access } = await newUser();
  assertInvalid(await changePassword(access, { current_password: PASSWORD, new_password: 'short' }), [['new_password', 'too_short']]);
  assertInvalid(await changePassword(access, { current_password: PASSWORD, new_password: 'x'.repeat(1025) }), [['new_password', 'too_long']]);
  assert.equal((await login(email, PASSWORD)).status, 200, 'the password is unchanged');
});

test('a password change with missing, mistyped or unknown fields is a 422 listing each', async () => {
  const { email, access } = await newUser();
  assertInvalid(await changePassword(access, {}), [['current_password', 'required'], ['new_password', 'required']]);
  assertInvalid(await changePassword(access, { current_password: 1, new_password: null }), [['current_password', 'not_a_string'], ['new_password', 'required']]);
  assertInvalid(await changePassword(access, { current_password: PASSWORD, new_password: NEW_PASSWORD, email: uniqueEmail() }), [['email', 'unknown_field']]);
  assert.equal((await login(email, PASSWORD)).status, 200, 'the password is unchanged');
});

test('a password change needs an access token', async () => {
  const { email, refresh: rt } = await newUser();
  assertProblem(await api(server, 'POST', '/api/v1/me/password', { body: { current_password: PASSWORD, new_password: NEW_PASSWORD } }), 401, 'unauthenticated');
  const res = await api(server, 'POST', '/api/v1/me/password', { headers: bearer(rt), body: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
  assertProblem(res, 401, 'invalid_token');
  assert.equal((await login(email, PASSWORD)).status, 200, 'the password is unchanged');
});

test('the new password may be any Unicode of 12+ bytes and is never truncated', async () => {
  const { email, access } = await newUser();
  const next = `ключ-🔐-${crypto.randomBytes(40).toString('hex')}`;
  assert.equal((await changePassword(access, { current_password: PASSWORD, new_password: next })).status, 200);
  assertProblem(await login(email, next.slice(0, 72)), 401, 'invalid_credentials');
  assert.equal((await login(email, next)).status, 200);
});
