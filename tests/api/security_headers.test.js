// Security headers on every response, and Cache-Control: no-store on API responses.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, makeWebDir, rawGet, rawRequest, rmTemp, startServer } from './helpers.js';

let server;
let web;
before(async () => {
  web = makeWebDir();
  server = await startServer({ webDir: web.webDir });
});
after(async () => {
  await server?.stop();
  rmTemp(web?.root);
});

function assertCommon(headers, what) {
  const get = (h) => (typeof headers.get === 'function' ? headers.get(h) : headers[h]);
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.match(get('content-security-policy') || '', /frame-ancestors 'none'/, `${what}: Content-Security-Policy`);
  assert.ok(!get('strict-transport-security'), `${what}: no Strict-Transport-Security without TLS`);
}

test('pages of the web app also carry X-Frame-Options DENY for browsers without frame-ancestors', async () => {
  for (const p of ['/', '/products/some-slug']) {
    const res = await fetch(`${server.base}${p}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', `${p}: X-Frame-Options`);
  }
});

test('API responses carry nosniff, CSP frame-ancestors none, Referrer-Policy no-referrer and Cache-Control no-store', async () => {
  for (const p of ['/healthz', '/readyz']) {
    const res = await api(server, 'GET', p);
    assert.equal(res.status, 200);
    assertCommon(res.headers, p);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', `${p}: Referrer-Policy`);
    assert.match(res.headers.get('cache-control') || '', /no-store/, `${p}: Cache-Control`);
  }
});

test('API error responses carry the security headers and Cache-Control no-store', async () => {
  const cases = [
    ['GET', '/api/v1/nope', 404],
    ['POST', '/healthz', 405],
    ['DELETE', '/api/v1', 404],
  ];
  for (const [method, p, status] of cases) {
    const res = await api(server, method, p);
    assert.equal(res.status, status, `${method} ${p}`);
    assertCommon(res.headers, `${method} ${p}`);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', `${method} ${p}: Referrer-Policy`);
    assert.match(res.headers.get('cache-control') || '', /no-store/, `${method} ${p}: Cache-Control`);
  }
});

test('middleware rejections (413, 415, 400) carry the security headers', async () => {
  const cases = [
    { body: JSON.stringify('x'.repeat(70000)), type: 'application/json', status: 413 },
    { body: 'hello', type: 'text/plain', status: 415 },
    { body: '{"a":', type: 'application/json', status: 400 },
  ];
  for (const c of cases) {
    const res = await api(server, 'POST', '/api/v1/anything', { body: c.body, raw: true, headers: { 'content-type': c.type } });
    assert.equal(res.status, c.status);
    assertCommon(res.headers, `POST with ${c.type} -> ${c.status}`);
    assert.match(res.headers.get('cache-control') || '', /no-store/);
  }
});

test('static HTML carries the security headers with Referrer-Policy strict-origin-when-cross-origin', async () => {
  const res = await api(server, 'GET', '/');
  assert.equal(res.status, 200);
  assertCommon(res.headers, 'GET /');
  assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
});

test('static assets and static 404s carry the security headers', async () => {
  for (const [p, status] of [['/assets/app-0123abcd.js', 200], ['/robots.txt', 200], ['/missing.png', 404]]) {
    const res = await api(server, 'GET', p);
    assert.equal(res.status, status, p);
    assertCommon(res.headers, p);
  }
});

test('responses to malformed paths (raw traversal) carry the security headers', async () => {
  const res = await rawRequest(server.port, rawGet('/../secret.txt'));
  assert.ok([400, 404].includes(res.status), `status ${res.status}`);
  assertCommon(res.headers, 'GET /../secret.txt');
});
