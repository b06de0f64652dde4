// Static files from --web-dir: index, content types, caching, SPA fallback, ETags, 404/405,
// and path traversal in every spelling we could think of (sent raw: fetch would normalise).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, assertProblem, rawGet, rawRequest, rmTemp, makeWebDir, startServer } from './helpers.js';

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

const IMMUTABLE = /^public, max-age=31536000, immutable$/;

test('GET / serves index.html as text/html; charset=utf-8 with Cache-Control no-cache', async () => {
  const res = await api(server, 'GET', '/');
  assert.equal(res.status, 200);
  assert.equal(res.text, web.files['index.html']);
  assert.match(res.headers.get('content-type'), /^text\/html;\s*charset=utf-8$/i);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
});

test('GET /index.html serves the same document', async () => {
  const res = await api(server, 'GET', '/index.html');
  assert.equal(res.status, 200);
  assert.equal(res.text, web.files['index.html']);
  assert.match(res.headers.get('content-type'), /^text\/html/i);
});

test('a hashed asset is text/javascript with a year-long immutable cache', async () => {
  const res = await api(server, 'GET', '/assets/app-0123abcd.js');
  assert.equal(res.status, 200);
  assert.equal(res.text, web.files['assets/app-0123abcd.js']);
  assert.match(res.headers.get('content-type'), /^text\/javascript(;\s*charset=utf-8)?$/i);
  assert.match(res.headers.get('cache-control') || '', IMMUTABLE);
  assert.equal(Number(res.headers.get('content-length') ?? res.text.length), Buffer.byteLength(res.text));
});

test('a hashed stylesheet is text/css with a year-long immutable cache', async () => {
  const res = await api(server, 'GET', '/assets/app-89abcdef.css');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/css/i);
  assert.match(res.headers.get('cache-control') || '', IMMUTABLE);
});

test('unhashed files get their content type and a one-hour cache', async () => {
  for (const [p, type] of [['/favicon.svg', /^image\/svg\+xml/i], ['/robots.txt', /^text\/plain/i]]) {
    const res = await api(server, 'GET', p);
    assert.equal(res.status, 200, p);
    assert.equal(res.text, web.files[p.slice(1)], p);
    assert.match(res.headers.get('content-type'), type, p);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=3600', p);
  }
});

test('a client-side route without an extension falls back to index.html', async () => {
  for (const p of ['/products/some-slug', '/account', '/admin/orders/ord_01', '/checkout?step=2']) {
    const res = await api(server, 'GET', p);
    assert.equal(res.status, 200, p);
    assert.equal(res.text, web.files['index.html'], p);
    assert.match(res.headers.get('content-type'), /^text\/html/i, p);
    assert.equal(res.headers.get('cache-control'), 'no-cache', p);
  }
});

test('a missing file with an extension is 404, not index.html', async () => {
  for (const p of ['/missing.png', '/assets/app-ffffffff.js', '/nope/deeper.css']) {
    const res = await api(server, 'GET', p);
    assert.equal(res.status, 404, p);
    assert.ok(!res.text.includes('INDEX-MARKER'), `${p} served index.html`);
  }
});

test('a static 404 is a not_found problem', async () => {
  const res = await api(server, 'GET', '/missing.png');
  assertProblem(res, 404, 'not_found');
});

test('ETag and If-None-Match give 304 with no body', async () => {
  for (const p of ['/assets/app-0123abcd.js', '/robots.txt', '/']) {
    const first = await api(server, 'GET', p);
    const etag = first.headers.get('etag');
    assert.ok(etag, `${p} has an ETag`);
    const again = await api(server, 'GET', p, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, p);
    assert.equal(again.text, '', p);
    assert.equal(again.headers.get('etag'), etag, `${p}: 304 repeats the ETag`);
  }
});

test('a stale If-None-Match gets the full 200', async () => {
  const res = await api(server, 'GET', '/robots.txt', { headers: { 'If-None-Match': '"not-the-etag"' } });
  assert.equal(res.status, 200);
  assert.equal(res.text, web.files['robots.txt']);
});

test('different files have different ETags', async () => {
  const a = await api(server, 'GET', '/robots.txt');
  const b = await api(server, 'GET', '/favicon.svg');
  assert.notEqual(a.headers.get('etag'), b.headers.get('etag'));
});

test('HEAD on a static file has the GET headers and no body', async () => {
  const get = await api(server, 'GET', '/assets/app-0123abcd.js');
  const head = await api(server, 'HEAD', '/assets/app-0123abcd.js');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.get('content-type'), get.headers.get('content-type'));
  assert.equal(head.headers.get('etag'), get.headers.get('etag'));
});

test('non-GET/HEAD methods on static paths are 405 method_not_allowed', async () => {
  for (const [method, p] of [['POST', '/'], ['PUT', '/robots.txt'], ['DELETE', '/assets/app-0123abcd.js'], ['PATCH', '/products/some-slug']]) {
    const res = await api(server, method, p);
    assertProblem(res, 405, 'method_not_allowed');
    const allow = (res.headers.get('allow') || '').toUpperCase();
    assert.match(allow, /\bGET\b/, `${method} ${p}: Allow: ${allow}`);
  }
});

// Each of these, sent as is, points outside the web dir (or at an odd name); the answer must be
// 400 or 404 and never the secret placed beside the web dir.
const TRAVERSALS = [
  '/../secret.txt',
  '/../secret',
  '/../x',
  '/assets/../../secret.txt',
  '/%2e%2e/secret.txt',
  '/%2E%2E/secret',
  '/%2e%2e%2fsecret.txt',
  '/..%2fsecret.txt',
  '/..%2Fsecret',
  '/.%2e/secret.txt',
  '/%2e./secret',
  '/assets/..%2f..%2fsecret.txt',
  '/assets/%2e%2e/%2e%2e/secret.txt',
  '/%252e%252e/secret.txt',
  '/%252e%252e%252fsecret.txt',
  '/..\\secret.txt',
  '/..%5csecret.txt',
  '/assets\\..\\..\\secret.txt',
  '/assets/..%5c..%5csecret.txt',
  '/%c0%ae%c0%ae/secret.txt',
  '/..%00/secret.txt',
  '/secret.txt%00.js',
  '/index.html%00.png',
  '/%00',
  '/..;/secret.txt',
  '/....//secret.txt',
  '//../secret.txt',
  '/..%2f..%2f..%2f..%2fetc%2fpasswd',
  '/../web.js',
];

test('path traversal in any spelling never escapes the web dir (400 or 404)', async () => {
  const failures = [];
  for (const p of TRAVERSALS) {
    let res;
    try {
      res = await rawRequest(server.port, rawGet(p));
    } catch (err) {
      failures.push(`${p}: no response (${err.message})`);
      continue;
    }
    if (res.body.includes(web.secret) || res.body.includes('root:x:0')) failures.push(`${p}: LEAKED a file outside the web dir`);
    else if (![400, 404].includes(res.status)) failures.push(`${p}: status ${res.status} (want 400 or 404)`);
  }
  assert.deepEqual(failures, []);
});

test('traversal answers are problems with the security headers', async () => {
  const res = await rawRequest(server.port, rawGet('/%2e%2e/secret.txt'));
  assert.ok([400, 404].includes(res.status));
  assert.match(res.headers['content-type'] || '', /^application\/problem\+json/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  const body = JSON.parse(res.body);
  assert.equal(body.request_id, res.headers['x-request-id']);
});

test('the server still serves normally after traversal attempts', async () => {
  const res = await api(server, 'GET', '/robots.txt');
  assert.equal(res.status, 200);
});

test('without a web dir, / is a 404 problem', async () => {
  const bare = await startServer();
  try {
    const res = await api(bare, 'GET', '/');
    assertProblem(res, 404, 'not_found');
    const spa = await api(bare, 'GET', '/products/some-slug');
    assertProblem(spa, 404, 'not_found');
    const health = await api(bare, 'GET', '/healthz');
    assert.equal(health.status, 200);
  } finally {
    await bare.stop();
  }
});
