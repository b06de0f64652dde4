// CORS from the --cors-origins allow-list: echo the allowed origin (never *), credentials,
// Vary: Origin, preflights answered 204 or refused 403.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, assertProblem, startServer } from './helpers.js';

const ALLOWED = 'https://shop.example.com';
const ALSO_ALLOWED = 'http://localhost:5173';
const DENIED = 'https://evil.example.net';

let server;
before(async () => { server = await startServer({ args: ['--cors-origins', `${ALLOWED},${ALSO_ALLOWED}`] }); });
after(async () => { await server?.stop(); });

const varyHas = (res, name) => (res.headers.get('vary') || '').split(',').map((s) => s.trim().toLowerCase()).includes(name.toLowerCase());

test('an allowed Origin gets Access-Control-Allow-Origin echoing it, with credentials and Vary: Origin', async () => {
  for (const origin of [ALLOWED, ALSO_ALLOWED]) {
    const res = await api(server, 'GET', '/healthz', { headers: { Origin: origin } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.ok(varyHas(res, 'Origin'), `Vary: ${res.headers.get('vary')}`);
  }
});

test('a disallowed Origin gets no Access-Control-Allow-Origin', async () => {
  const res = await api(server, 'GET', '/healthz', { headers: { Origin: DENIED } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), null);
  assert.equal(res.headers.get('access-control-allow-credentials'), null);
});

test('an origin that only resembles an allowed one is not allowed', async () => {
  for (const origin of [`${ALLOWED}.evil.net`, 'https://shop.example.co', ALLOWED.replace('https', 'http'), `${ALLOWED}:8443`, 'null']) {
    const res = await api(server, 'GET', '/healthz', { headers: { Origin: origin } });
    assert.equal(res.headers.get('access-control-allow-origin'), null, `origin ${origin}`);
  }
});

test('Access-Control-Allow-Origin is never *', async () => {
  for (const origin of [ALLOWED, DENIED, '*']) {
    const res = await api(server, 'GET', '/readyz', { headers: { Origin: origin } });
    assert.notEqual(res.headers.get('access-control-allow-origin'), '*');
  }
});

test('an allowed Origin gets the CORS headers on error responses too', async () => {
  const res = await api(server, 'GET', '/api/v1/nope', { headers: { Origin: ALLOWED } });
  assertProblem(res, 404, 'not_found');
  assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
});

test('a preflight from an allowed origin is 204 with methods, headers and max-age', async () => {
  const res = await api(server, 'OPTIONS', '/api/v1/cart/items', {
    headers: {
      Origin: ALLOWED,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type, authorization, idempotency-key',
    },
  });
  assert.equal(res.status, 204);
  assert.equal(res.text, '');
  assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  const methods = (res.headers.get('access-control-allow-methods') || '').toUpperCase();
  assert.match(methods, /\bPOST\b/, `Access-Control-Allow-Methods: ${methods}`);
  const allowHeaders = (res.headers.get('access-control-allow-headers') || '').toLowerCase().split(',').map((s) => s.trim());
  for (const h of ['authorization', 'content-type', 'idempotency-key']) {
    assert.ok(allowHeaders.includes(h), `Access-Control-Allow-Headers lacks ${h}: ${allowHeaders}`);
  }
  assert.match(res.headers.get('access-control-max-age') || '', /^[1-9]\d*$/);
  assert.ok(varyHas(res, 'Origin'), `Vary: ${res.headers.get('vary')}`);
});

test('a preflight from a disallowed origin is 403 cors_origin_denied', async () => {
  const res = await api(server, 'OPTIONS', '/api/v1/cart/items', {
    headers: { Origin: DENIED, 'Access-Control-Request-Method': 'POST' },
  });
  assertProblem(res, 403, 'cors_origin_denied');
  assert.equal(res.headers.get('access-control-allow-origin'), null);
});

test('without --cors-origins no origin is allowed', async () => {
  const plain = await startServer();
  try {
    const res = await api(plain, 'GET', '/healthz', { headers: { Origin: ALLOWED } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const pre = await api(plain, 'OPTIONS', '/api/v1/cart/items', { headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'POST' } });
    assertProblem(pre, 403, 'cors_origin_denied');
  } finally {
    await plain.stop();
  }
});

test('MERCATO_CORS_ORIGINS configures the allow-list like the flag', async () => {
  const viaEnv = await startServer({ env: { MERCATO_CORS_ORIGINS: ALSO_ALLOWED } });
  try {
    const ok = await api(viaEnv, 'GET', '/healthz', { headers: { Origin: ALSO_ALLOWED } });
    assert.equal(ok.headers.get('access-control-allow-origin'), ALSO_ALLOWED);
    const no = await api(viaEnv, 'GET', '/healthz', { headers: { Origin: ALLOWED } });
    assert.equal(no.headers.get('access-control-allow-origin'), null);
  } finally {
    await viaEnv.stop();
  }
});
