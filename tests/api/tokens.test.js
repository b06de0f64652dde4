// Tokens: the access JWT (claims, signature, every way a forged or stale token is refused), the
// rotating refresh token (body and cookie delivery, Origin check on the cookie, reuse detection
// revoking the family, atomic rotation under 50 concurrent refreshes), logout and logout-all,
// the signing keys kept under the data dir, and ES256 with the JWKS document.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { api, assertProblem, bearer, makeTempDir, refreshCookies, rmTemp, startServer, uniqueEmail } from './helpers.js';

const HIGH_LIMITS = ['--rate-login-ip', '100000', '--rate-login-account', '100000', '--rate-signup-ip', '100000'];
const PASSWORD = 'correct horse battery staple';
const REFRESH_RE = /^[0-9a-f]{32}\.[0-9a-f]{64}$/;
const CORS_ORIGIN = 'https://shop.example.com';

let server;
before(async () => { server = await startServer({ args: [...HIGH_LIMITS, '--cors-origins', CORS_ORIGIN] }); });
after(async () => { await server?.stop(); });

// ---- local helpers --------------------------------------------------------------------------


/** Signs up a fresh customer with body delivery; returns {email, user, access, refresh}. */
async function newUser(srv = server, tag = 'tok') {
  const email = uniqueEmail(tag);
  const res = await api(srv, 'POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Token Tester', token_delivery: 'body' } });
  assert.equal(res.status, 201, res.text);
  return { email, user: res.body.user, access: res.body.access_token, refresh: res.body.refresh_token };
}

async function loginBody(srv, email) {
  const res = await api(srv, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD, token_delivery: 'body' } });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

const getMe = (srv, headers) => api(srv, 'GET', '/api/v1/me', { headers });
const refreshBody = (srv, token) => api(srv, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });
const refreshCookie = (srv, token, origin = srv.base) => api(srv, 'POST', '/api/v1/auth/refresh', {
  headers: { Cookie: `mercato_refresh=${token}`, ...(origin ? { Origin: origin } : {}) },
});

const cookieValue = (setCookie) => setCookie.split(';')[0].slice('mercato_refresh='.length);
const isClearing = (setCookie) => cookieValue(setCookie) === '' &&
  (/;\s*expires=thu, 01 jan 1970/i.test(setCookie) || /;\s*max-age=0/i.test(setCookie));

/** Asserts a 401 invalid_token problem with a Bearer challenge. */
function assertInvalidToken(res, why) {
  assertProblem(res, 401, 'invalid_token');
  assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/, `WWW-Authenticate (${why})`);
}

const b64u = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

function decodeJwt(token) {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

function signHmac(header, payload, secret, hash = 'sha256') {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${crypto.createHmac(hash, secret).update(input).digest('base64url')}`;
}

function signEs256(header, payload, privateKey) {
  const input = `${b64u(header)}.${b64u(payload)}`;
  const sig = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** The server's HS256 secret: the bytes of <dataDir>/jwt-secret without the trailing newline. */
const serverSecret = (srv) => fs.readFileSync(path.join(srv.dataDir, 'jwt-secret'), 'utf8').replace(/[\r\n]+$/, '');

/** Claims the server would issue for `user`, overridden by `over` (undefined deletes a claim). */
function claimsFor(user, over = {}) {
  const now = Math.floor(Date.now() / 1000);
  const c = {
    iss: 'mercato', aud: 'mercato-api', sub: user.id, role: user.role, iat: now, nbf: now, exp: now + 900,
    jti: crypto.randomBytes(16).toString('hex'), token_use: 'access', ...over,
  };
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
  return c;
}

const HS = { alg: 'HS256', typ: 'JWT' };

// ---- access tokens --------------------------------------------------------------------------

test('the access token is an HS256 JWT with iss, aud, sub, role, iat, nbf, exp 15 minutes on, a 128-bit jti and token_use access', async () => {
  const before = Math.floor(Date.now() / 1000);
  const { user, access } = await newUser();
  const after = Math.ceil(Date.now() / 1000);
  const { header, payload, signingInput, signature } = decodeJwt(access);
  assert.equal(header.alg, 'HS256');
  assert.equal(payload.iss, 'mercato');
  assert.equal(payload.aud, 'mercato-api');
  assert.equal(payload.sub, user.id);
  assert.equal(payload.role, 'customer');
  assert.equal(payload.token_use, 'access');
  assert.match(payload.jti, /^[0-9a-f]{32}$/);
  assert.ok(payload.iat >= before - 1 && payload.iat <= after + 1, `iat ${payload.iat} is now`);
  assert.equal(payload.nbf, payload.iat);
  assert.equal(payload.exp, payload.iat + 900);
  const expected = crypto.createHmac('sha256', serverSecret(server)).update(signingInput).digest();
  assert.ok(crypto.timingSafeEqual(signature, expected), 'the signature verifies with <data-dir>/jwt-secret');
  const other = await newUser();
  assert.notEqual(decodeJwt(other.access).payload.jti, payload.jti, 'every token has its own jti');
});

test('the HS256 secret is generated on first start under the data dir with mode 0600 and 256+ random bits', async () => {
  const file = path.join(server.dataDir, 'jwt-secret');
  const st = fs.statSync(file);
  assert.equal(st.mode & 0o777, 0o600, `mode ${(st.mode & 0o777).toString(8)}`);
  const secret = serverSecret(server);
  assert.ok(Buffer.byteLength(secret) >= 32, `secret of ${Buffer.byteLength(secret)} bytes`);
  if (/^[0-9a-f]+$/.test(secret)) assert.ok(secret.length >= 64, 'hex secret of 256+ bits');
});

test('GET /me with a valid access token answers 200 with the user', async () => {
  const { user, access } = await newUser();
  const res = await getMe(server, bearer(access));
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { user });
});

test('the Bearer scheme name is case-insensitive', async () => {
  const { access } = await newUser();
  for (const scheme of ['bearer', 'BEARER']) {
    const res = await getMe(server, { Authorization: `${scheme} ${access}` });
    assert.equal(res.status, 200, `${scheme}: ${res.text}`);
  }
});

test('no token gets 401 unauthenticated with a Bearer challenge', async () => {
  const res = await getMe(server, {});
  assertProblem(res, 401, 'unauthenticated');
  assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/);
});

test('a token the test signs with the server secret and the right claims is accepted (control for the forgeries below)', async () => {
  const { user } = await newUser();
  const res = await getMe(server, bearer(signHmac(HS, claimsFor(user), serverSecret(server))));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.user.id, user.id);
});

test('alg "none" in any letter case is refused, with or without a signature', async () => {
  const { user, access } = await newUser();
  const original = access.split('.')[2];
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    const input = `${b64u({ alg, typ: 'JWT' })}.${b64u(claimsFor(user))}`;
    for (const token of [`${input}.`, `${input}.${original}`]) {
      assertInvalidToken(await getMe(server, bearer(token)), `alg ${alg}`);
    }
  }
});

test('an HS256 token signed with another secret is refused', async () => {
  const { user } = await newUser();
  const token = signHmac(HS, claimsFor(user), crypto.randomBytes(32).toString('hex'));
  assertInvalidToken(await getMe(server, bearer(token)), 'foreign secret');
});

test('a token under another algorithm name or HMAC is refused even with the server secret', async () => {
  const { user } = await newUser();
  const secret = serverSecret(server);
  for (const [alg, hash] of [['HS512', 'sha512'], ['HS384', 'sha384'], ['hs256', 'sha256'], ['Hs256', 'sha256']]) {
    const token = signHmac({ alg, typ: 'JWT' }, claimsFor(user), secret, hash);
    assertInvalidToken(await getMe(server, bearer(token)), alg);
  }
});

test('an expired access token is refused', async () => {
  const { user } = await newUser();
  const now = Math.floor(Date.now() / 1000);
  const token = signHmac(HS, claimsFor(user, { iat: now - 1000, nbf: now - 1000, exp: now - 100 }), serverSecret(server));
  assertInvalidToken(await getMe(server, bearer(token)), 'expired');
});

test('a token that is not valid yet (nbf or iat well in the future) is refused', async () => {
  const { user } = await newUser();
  const now = Math.floor(Date.now() / 1000);
  const secret = serverSecret(server);
  assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(user, { nbf: now + 300 }), secret))), 'nbf');
  assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(user, { iat: now + 300, nbf: now + 300, exp: now + 1200 }), secret))), 'iat');
});

test('a token for another audience is refused', async () => {
  const { user } = await newUser();
  const secret = serverSecret(server);
  for (const aud of ['mercato-admin', 'MERCATO-API', ['other-api'], '']) {
    assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(user, { aud }), secret))), `aud ${aud}`);
  }
  assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(user, { aud: undefined }), secret))), 'no aud');
});

test('a token from another issuer is refused', async () => {
  const { user } = await newUser();
  const secret = serverSecret(server);
  for (const iss of ['evil', 'Mercato', 'mercato ']) {
    assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(user, { iss }), secret))), `iss ${iss}`);
  }
  assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(user, { iss: undefined }), secret))), 'no iss');
});

test('a token whose token_use is not "access" is refused', async () => {
  const { user } = await newUser();
  const secret = serverSecret(server);
  assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(user, { token_use: 'refresh' }), secret))), 'refresh');
  assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(user, { token_use: undefined }), secret))), 'missing');
});

test('a token without exp is refused', async () => {
  const { user } = await newUser();
  assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(user, { exp: undefined }), serverSecret(server)))), 'no exp');
});

test('a refresh token used as a bearer token is refused', async () => {
  const { refresh } = await newUser();
  assertInvalidToken(await getMe(server, bearer(refresh)), 'refresh token');
});

test('a token whose payload was altered is refused', async () => {
  const { access } = await newUser();
  const [h, , s] = access.split('.');
  const { payload } = decodeJwt(access);
  const tampered = `${h}.${b64u({ ...payload, role: 'admin' })}.${s}`;
  assertInvalidToken(await getMe(server, bearer(tampered)), 'tampered');
});

test('a validly signed token for a user that does not exist is refused', async () => {
  const ghost = { id: `usr_${'0'.repeat(26)}`, role: 'customer' };
  assertInvalidToken(await getMe(server, bearer(signHmac(HS, claimsFor(ghost), serverSecret(server)))), 'unknown sub');
});

test('a malformed Authorization header is refused with invalid_token', async () => {
  const { access } = await newUser();
  for (const value of ['Basic x', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer not-a-jwt', 'Bearer a.b', 'Bearer a.b.c.d',
    `Token ${access}`, `Bearer ${access} extra`, `Bearer ${access}.`, `${access}`]) {
    assertInvalidToken(await getMe(server, { Authorization: value }), value.slice(0, 20));
  }
});

// ---- refresh tokens: body delivery ----------------------------------------------------------

test('every refresh returns a new refresh token and a working access token', async () => {
  const { user, refresh } = await newUser();
  const res = await refreshBody(server, refresh);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.user, user);
  assert.equal(res.body.token_type, 'Bearer');
  assert.equal(res.body.expires_in, 900);
  assert.match(res.body.refresh_token, REFRESH_RE);
  assert.notEqual(res.body.refresh_token, refresh);
  assert.equal(res.body.refresh_token.split('.')[0], refresh.split('.')[0], 'the family id stays');
  assert.deepEqual(refreshCookies(res), [], 'a body refresh sets no cookie');
  const me = await getMe(server, bearer(res.body.access_token));
  assert.equal(me.status, 200, me.text);
  const again = await refreshBody(server, res.body.refresh_token);
  assert.equal(again.status, 200, again.text);
  assert.notEqual(again.body.refresh_token, res.body.refresh_token);
});

test('presenting a rotated refresh token is refused and revokes the family, the newest token included', async () => {
  const { refresh: first } = await newUser();
  const second = (await refreshBody(server, first)).body.refresh_token;
  const third = (await refreshBody(server, second)).body.refresh_token;
  assert.match(third, REFRESH_RE);
  assertProblem(await refreshBody(server, first), 401, 'invalid_refresh_token');
  assertProblem(await refreshBody(server, third), 401, 'invalid_refresh_token');
  assertProblem(await refreshBody(server, second), 401, 'invalid_refresh_token');
});

test('a reuse revokes only that family: another session of the same user keeps working', async () => {
  const { email, refresh } = await newUser();
  const other = await loginBody(server, email);
  await refreshBody(server, refresh);
  assertProblem(await refreshBody(server, refresh), 401, 'invalid_refresh_token');
  const res = await refreshBody(server, other.refresh_token);
  assert.equal(res.status, 200, res.text);
});

test('a malformed, unknown or missing refresh token gets 401 invalid_refresh_token', async () => {
  const { refresh } = await newUser();
  const [fam, secret] = refresh.split('.');
  for (const token of ['garbage', '', fam, `${fam}.`, `${fam}.${secret}x`, `${fam.toUpperCase()}.${secret}`,
    `${crypto.randomBytes(16).toString('hex')}.${crypto.randomBytes(32).toString('hex')}`]) {
    assertProblem(await refreshBody(server, token), 401, 'invalid_refresh_token');
  }
  assertProblem(await api(server, 'POST', '/api/v1/auth/refresh', {}), 401, 'invalid_refresh_token');
  assertProblem(await api(server, 'POST', '/api/v1/auth/refresh', { body: {} }), 401, 'invalid_refresh_token');
  // A wrong secret for a real family is a reuse: the family is revoked.
  assertProblem(await refreshBody(server, `${fam}.${crypto.randomBytes(32).toString('hex')}`), 401, 'invalid_refresh_token');
  assertProblem(await refreshBody(server, refresh), 401, 'invalid_refresh_token');
});

test('refresh refuses unknown fields and a non-string token with 422', async () => {
  const { refresh } = await newUser();
  const res = await api(server, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: refresh, user_id: 'usr_x' } });
  const body = assertProblem(res, 422, 'validation_failed');
  assert.deepEqual(body.errors.map((e) => [e.field, e.code]), [['user_id', 'unknown_field']]);
  const typed = await api(server, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: 42 } });
  assert.deepEqual(assertProblem(typed, 422, 'validation_failed').errors.map((e) => [e.field, e.code]), [['refresh_token', 'not_a_string']]);
  assert.equal((await refreshBody(server, refresh)).status, 200, 'the refused requests did not use the token');
});

test('50 concurrent refreshes with one token: exactly one succeeds, and the race revokes the family', async () => {
  const { refresh } = await newUser();
  const results = await Promise.all(Array.from({ length: 50 }, () => refreshBody(server, refresh)));
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 401);
  assert.equal(ok.length, 1, `statuses: ${results.map((r) => r.status).join(',')}`);
  assert.equal(refused.length, 49);
  for (const r of refused) assertProblem(r, 401, 'invalid_refresh_token');
  // The 49 losers presented a token that had been rotated: a reuse, so the family is dead.
  assertProblem(await refreshBody(server, ok[0].body.refresh_token), 401, 'invalid_refresh_token');
});

// ---- refresh tokens: cookie delivery --------------------------------------------------------

async function cookieSession() {
  const email = uniqueEmail('cookie');
  const res = await api(server, 'POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Cookie Tester' } });
  assert.equal(res.status, 201, res.text);
  const [c] = refreshCookies(res);
  return { email, user: res.body.user, cookie: cookieValue(c) };
}

test('refresh from the cookie with this shop\'s Origin rotates the cookie and keeps the token out of the body', async () => {
  const { user, cookie } = await cookieSession();
  const res = await refreshCookie(server, cookie);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.user, user);
  assert.ok(!('refresh_token' in res.body), 'no refresh_token in the body');
  const set = refreshCookies(res);
  assert.equal(set.length, 1);
  const next = cookieValue(set[0]);
  assert.match(next, REFRESH_RE);
  assert.notEqual(next, cookie);
  assert.match(set[0], /;\s*HttpOnly/i);
  assert.match(set[0], /;\s*Secure/i);
  assert.match(set[0], /;\s*SameSite=Strict/i);
  assert.match(set[0], /;\s*Path=\/api\/v1\/auth(;|$)/i);
  assert.equal((await getMe(server, bearer(res.body.access_token))).status, 200);
  const again = await refreshCookie(server, next);
  assert.equal(again.status, 200, again.text);
});

test('a rotated cookie is refused with the cookie cleared, and the family is revoked', async () => {
  const { cookie } = await cookieSession();
  const next = cookieValue(refreshCookies(await refreshCookie(server, cookie))[0]);
  const reuse = await refreshCookie(server, cookie);
  assertProblem(reuse, 401, 'invalid_refresh_token');
  const set = refreshCookies(reuse);
  assert.equal(set.length, 1, 'the 401 clears the cookie');
  assert.ok(isClearing(set[0]), set[0]);
  assertProblem(await refreshCookie(server, next), 401, 'invalid_refresh_token');
});

test('the refresh cookie without an Origin or from a foreign Origin gets 403 origin_denied and is not used up', async () => {
  const { cookie } = await cookieSession();
  for (const origin of [null, 'https://evil.example.net', 'null', `${server.base}.evil.net`, 'http://localhost:1']) {
    const res = await refreshCookie(server, cookie, origin);
    assertProblem(res, 403, 'origin_denied');
    assert.deepEqual(refreshCookies(res), [], 'a refused request does not touch the cookie');
  }
  const ok = await refreshCookie(server, cookie);
  assert.equal(ok.status, 200, `the cookie still works from our own origin: ${ok.text}`);
});

test('the refresh cookie is accepted from an origin on the CORS allow-list', async () => {
  const { cookie } = await cookieSession();
  const res = await refreshCookie(server, cookie, CORS_ORIGIN);
  assert.equal(res.status, 200, res.text);
  assert.equal(refreshCookies(res).length, 1);
});

test('a body refresh token is honoured whatever the Origin (no cookie, no CSRF risk)', async () => {
  const { refresh } = await newUser();
  const res = await api(server, 'POST', '/api/v1/auth/refresh', {
    body: { refresh_token: refresh }, headers: { Origin: 'https://app.example.org' },
  });
  assert.equal(res.status, 200, res.text);
});

// ---- logout ---------------------------------------------------------------------------------

test('logout with a body token answers 204 and the family is dead', async () => {
  const { refresh } = await newUser();
  const next = (await refreshBody(server, refresh)).body.refresh_token;
  const res = await api(server, 'POST', '/api/v1/auth/logout', { body: { refresh_token: next } });
  assert.equal(res.status, 204, res.text);
  assert.equal(res.text, '');
  assertProblem(await refreshBody(server, next), 401, 'invalid_refresh_token');
});

test('logout with the cookie answers 204, clears the cookie, and the family is dead', async () => {
  const { cookie } = await cookieSession();
  const res = await api(server, 'POST', '/api/v1/auth/logout', { headers: { Cookie: `mercato_refresh=${cookie}`, Origin: server.base } });
  assert.equal(res.status, 204, res.text);
  const set = refreshCookies(res);
  assert.equal(set.length, 1);
  assert.ok(isClearing(set[0]), set[0]);
  assert.match(set[0], /;\s*Path=\/api\/v1\/auth(;|$)/i);
  assertProblem(await refreshCookie(server, cookie), 401, 'invalid_refresh_token');
});

test('logout without any refresh token gets 401 invalid_refresh_token', async () => {
  assertProblem(await api(server, 'POST', '/api/v1/auth/logout', {}), 401, 'invalid_refresh_token');
});

test('logout with the cookie from a foreign Origin gets 403 origin_denied and the session survives', async () => {
  const { cookie } = await cookieSession();
  const res = await api(server, 'POST', '/api/v1/auth/logout', { headers: { Cookie: `mercato_refresh=${cookie}`, Origin: 'https://evil.example.net' } });
  assertProblem(res, 403, 'origin_denied');
  assert.equal((await refreshCookie(server, cookie)).status, 200);
});

test('logout-all revokes every family of the user and no other user\'s', async () => {
  const a = await newUser(server, 'all');
  const a2 = await loginBody(server, a.email);
  const b = await newUser(server, 'bystander');
  const res = await api(server, 'POST', '/api/v1/auth/logout-all', { headers: bearer(a.access) });
  assert.equal(res.status, 204, res.text);
  assertProblem(await refreshBody(server, a.refresh), 401, 'invalid_refresh_token');
  assertProblem(await refreshBody(server, a2.refresh_token), 401, 'invalid_refresh_token');
  const other = await refreshBody(server, b.refresh);
  assert.equal(other.status, 200, `another user's session survives: ${other.text}`);
  // Signing in again afterwards starts a family that works.
  const fresh = await loginBody(server, a.email);
  const again = await refreshBody(server, fresh.refresh_token);
  assert.equal(again.status, 200, `a new session after logout-all works: ${again.text}`);
});

test('logout-all without an access token gets 401 and revokes nothing', async () => {
  const { refresh } = await newUser();
  const res = await api(server, 'POST', '/api/v1/auth/logout-all', {});
  assertProblem(res, 401, 'unauthenticated');
  assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/);
  assertInvalidToken(await api(server, 'POST', '/api/v1/auth/logout-all', { headers: bearer(refresh) }), 'refresh as bearer');
  assert.equal((await refreshBody(server, refresh)).status, 200);
});

// ---- keys -----------------------------------------------------------------------------------

test('GET /.well-known/jwks.json lists no keys when tokens are HS256', async () => {
  const res = await api(server, 'GET', '/.well-known/jwks.json');
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { keys: [] });
});

test('the HS256 secret is kept across a restart: a token issued before still works after', async () => {
  const first = await startServer({ args: HIGH_LIMITS, keepDataDir: true });
  const dir = first.dataDir;
  try {
    const { user, access } = await newUser(first, 'restart');
    const secret = serverSecret(first);
    await first.stop();
    const second = await startServer({ args: HIGH_LIMITS, dataDir: dir });
    try {
      assert.equal(serverSecret(second), secret, 'the secret file was not replaced');
      const res = await getMe(second, bearer(access));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.user.id, user.id);
    } finally {
      await second.stop();
    }
  } finally {
    rmTemp(dir);
  }
});

/** A JWK usable by node:crypto (only the public members). */
const publicKeyOf = (jwk) => crypto.createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });

test('with ES256 the key file is created 0600, the JWKS publishes its public key, and tokens verify with it', async () => {
  const srv = await startServer({ args: [...HIGH_LIMITS, '--jwt-alg', 'ES256'] });
  try {
    const keyFile = path.join(srv.dataDir, 'jwt-es256.pem');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    const jwks = await api(srv, 'GET', '/.well-known/jwks.json');
    assert.equal(jwks.status, 200, jwks.text);
    assert.equal(jwks.body.keys.length, 1);
    const [jwk] = jwks.body.keys;
    assert.equal(jwk.kty, 'EC');
    assert.equal(jwk.crv, 'P-256');
    assert.equal(jwk.alg, 'ES256');
    assert.equal(jwk.use, 'sig');
    assert.ok(jwk.kid.length > 0);
    assert.match(jwk.x, /^[A-Za-z0-9_-]{43}$/);
    assert.match(jwk.y, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!('d' in jwk), 'the private part is never published');

    const { user, access } = await newUser(srv, 'es256');
    const { header, payload, signingInput, signature } = decodeJwt(access);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, jwk.kid);
    assert.equal(payload.sub, user.id);
    assert.equal(signature.length, 64, 'an ES256 signature is r||s, 64 bytes');
    const ok = crypto.verify('sha256', Buffer.from(signingInput), { key: publicKeyOf(jwk), dsaEncoding: 'ieee-p1363' }, signature);
    assert.ok(ok, 'the token verifies with the published key');
    assert.equal((await getMe(srv, bearer(access))).status, 200);
  } finally {
    await srv.stop();
  }
});

test('with ES256, HS256 tokens keyed with the public key, foreign EC keys and unknown kids are refused', async () => {
  const srv = await startServer({ args: [...HIGH_LIMITS, '--jwt-alg', 'ES256'] });
  try {
    const [jwk] = (await api(srv, 'GET', '/.well-known/jwks.json')).body.keys;
    const { user } = await newUser(srv, 'es256');
    const claims = claimsFor(user);
    const pub = publicKeyOf(jwk);
    const pems = [pub.export({ type: 'spki', format: 'pem' })];
    pems.push(pems[0].trimEnd());
    const fileText = fs.readFileSync(path.join(srv.dataDir, 'jwt-es256.pem'), 'utf8');
    for (const pem of pems) {
      for (const header of [{ alg: 'HS256', typ: 'JWT' }, { alg: 'HS256', typ: 'JWT', kid: jwk.kid }]) {
        assertInvalidToken(await getMe(srv, bearer(signHmac(header, claims, pem))), 'HS256 keyed with the public PEM');
      }
    }
    assertInvalidToken(await getMe(srv, bearer(signHmac({ alg: 'HS256', kid: jwk.kid }, claims, fileText))), 'HS256 keyed with the key file');

    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    assertInvalidToken(await getMe(srv, bearer(signEs256({ alg: 'ES256', typ: 'JWT', kid: jwk.kid }, claims, privateKey))), 'foreign key, our kid');
    assertInvalidToken(await getMe(srv, bearer(signEs256({ alg: 'ES256', typ: 'JWT', kid: 'k0000000000000000' }, claims, privateKey))), 'unknown kid');
    assertInvalidToken(await getMe(srv, bearer(signEs256({ alg: 'ES256', typ: 'JWT' }, claims, privateKey))), 'no kid');
    for (const alg of ['none', 'NONE']) {
      assertInvalidToken(await getMe(srv, bearer(`${b64u({ alg, kid: jwk.kid })}.${b64u(claims)}.`)), alg);
    }
  } finally {
    await srv.stop();
  }
});

test('the ES256 key is kept across a restart, and a retired key listed in --jwt-previous-keys still verifies its tokens', async () => {
  const first = await startServer({ args: [...HIGH_LIMITS, '--jwt-alg', 'ES256'], keepDataDir: true });
  const dir = first.dataDir;
  const keyDir = makeTempDir('mercato-newkey-');
  try {
    const [oldJwk] = (await api(first, 'GET', '/.well-known/jwks.json')).body.keys;
    const { user, access } = await newUser(first, 'rotate');
    await first.stop();

    const same = await startServer({ args: [...HIGH_LIMITS, '--jwt-alg', 'ES256'], dataDir: dir });
    try {
      assert.deepEqual((await api(same, 'GET', '/.well-known/jwks.json')).body.keys, [oldJwk]);
      assert.equal((await getMe(same, bearer(access))).status, 200);
    } finally {
      await same.stop();
    }

    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const newKeyFile = path.join(keyDir, 'new.pem');
    fs.writeFileSync(newKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const rotated = await startServer({
      args: [...HIGH_LIMITS, '--jwt-alg', 'ES256', '--jwt-key-file', newKeyFile, '--jwt-previous-keys', path.join(dir, 'jwt-es256.pem')],
      dataDir: dir,
    });
    try {
      const keys = (await api(rotated, 'GET', '/.well-known/jwks.json')).body.keys;
      assert.equal(keys.length, 2, JSON.stringify(keys));
      assert.ok(keys.some((k) => k.kid === oldJwk.kid && k.x === oldJwk.x), 'the retired key is still listed');
      const newJwk = keys.find((k) => k.kid !== oldJwk.kid);
      const me = await getMe(rotated, bearer(access));
      assert.equal(me.status, 200, `a token of the retired key still works: ${me.text}`);
      assert.equal(me.body.user.id, user.id);
      const login = await loginBody(rotated, user.email);
      const { header, signingInput, signature } = decodeJwt(login.access_token);
      assert.equal(header.kid, newJwk.kid, 'new tokens are signed with the new key');
      assert.ok(crypto.verify('sha256', Buffer.from(signingInput), { key: publicKeyOf(newJwk), dsaEncoding: 'ieee-p1363' }, signature));
    } finally {
      await rotated.stop();
    }
  } finally {
    rmTemp(dir);
    rmTemp(keyDir);
  }
});
