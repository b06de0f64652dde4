// Routing outcomes as problems: unknown API routes are 404 (never the SPA's index.html), a known
// path with the wrong method is 405 with Allow, and HEAD works wherever GET does.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, assertProblem, makeWebDir, rmTemp, startServer } from './helpers.js';

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

test('an unknown /api/v1 route is a 404 not_found problem', async () => {
  const res = await api(server, 'GET', '/api/v1/does-not-exist');
  assertProblem(res, 404, 'not_found');
});

test('unknown /api routes are never answered with the SPA index.html', async () => {
  for (const p of ['/api/v1/no-such-collection/some-slug', '/api/v2/x', '/api/nope', '/api/v1/', '/api/v1', '/api/']) {
    const res = await api(server, 'GET', p);
    assertProblem(res, 404, 'not_found');
    assert.ok(!res.text.includes('INDEX-MARKER'), `${p} served index.html`);
  }
});

test('an unknown /api route with a query string is still a 404 problem', async () => {
  const res = await api(server, 'GET', '/api/v1/missing?limit=10&q=shoes');
  assertProblem(res, 404, 'not_found');
});

test('every method on an unknown /api route is a 404 problem', async () => {
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    const res = await api(server, method, '/api/v1/nothing-here');
    assertProblem(res, 404, 'not_found');
  }
});

test('HEAD on an unknown /api route is 404 with no body', async () => {
  const res = await api(server, 'HEAD', '/api/v1/nothing-here');
  assert.equal(res.status, 404);
  assert.equal(res.text, '');
});

test('wrong methods on /healthz and /readyz are 405 with Allow listing GET and HEAD', async () => {
  for (const [method, p] of [['POST', '/healthz'], ['PUT', '/healthz'], ['PATCH', '/readyz'], ['DELETE', '/readyz']]) {
    const res = await api(server, method, p);
    assertProblem(res, 405, 'method_not_allowed');
    const allow = new Set((res.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase()));
    assert.ok(allow.has('GET') && allow.has('HEAD'), `${method} ${p}: Allow: ${res.headers.get('allow')}`);
    assert.ok(!allow.has(method), `${method} ${p}: Allow must not list ${method}`);
  }
});

test('HEAD works wherever GET does, with the same status and content type', async () => {
  for (const p of ['/healthz', '/readyz', '/', '/assets/app-0123abcd.js', '/products/some-slug', '/robots.txt']) {
    const get = await api(server, 'GET', p);
    const head = await api(server, 'HEAD', p);
    assert.equal(head.status, get.status, `HEAD ${p}`);
    assert.equal(head.headers.get('content-type'), get.headers.get('content-type'), `HEAD ${p}: content type`);
    assert.equal(head.text, '', `HEAD ${p} has no body`);
  }
});
