// X-Request-Id: echoed when valid, generated (32 lower-case hex) otherwise, on every response.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, assertProblem, rawGet, rawRequest, startServer } from './helpers.js';

const GENERATED = /^[0-9a-f]{32}$/;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('a request without X-Request-Id gets a generated 32-hex id', async () => {
  const res = await api(server, 'GET', '/healthz');
  assert.match(res.headers.get('x-request-id') || '', GENERATED);
});

test('generated request ids differ between requests', async () => {
  const ids = new Set();
  for (let i = 0; i < 20; i++) {
    const res = await api(server, 'GET', '/healthz');
    ids.add(res.headers.get('x-request-id'));
  }
  assert.equal(ids.size, 20);
});

test('a valid X-Request-Id is echoed back unchanged', async () => {
  const id = 'Client-req_42.retry-1';
  const res = await api(server, 'GET', '/healthz', { headers: { 'X-Request-Id': id } });
  assert.equal(res.headers.get('x-request-id'), id);
});

test('a 128-character X-Request-Id is echoed back', async () => {
  const id = 'a'.repeat(64) + 'B'.repeat(63) + '9';
  const res = await api(server, 'GET', '/healthz', { headers: { 'X-Request-Id': id } });
  assert.equal(res.headers.get('x-request-id'), id);
});

test('a 129-character X-Request-Id is replaced by a generated one', async () => {
  const res = await api(server, 'GET', '/healthz', { headers: { 'X-Request-Id': 'a'.repeat(129) } });
  assert.match(res.headers.get('x-request-id') || '', GENERATED);
});

test('an X-Request-Id with characters outside [A-Za-z0-9._-] is replaced by a generated one', async () => {
  for (const bad of ['has space', 'semi;colon', '<script>', 'quote"d', 'slash/ed', 'ünïcode']) {
    const res = await rawRequest(server.port, rawGet('/healthz', { headers: { 'X-Request-Id': bad } }));
    assert.equal(res.status, 200);
    assert.match(res.headers['x-request-id'] || '', GENERATED, `for ${JSON.stringify(bad)}`);
  }
});

test('an empty X-Request-Id is replaced by a generated one', async () => {
  const res = await rawRequest(server.port, rawGet('/healthz', { headers: { 'X-Request-Id': '' } }));
  assert.equal(res.status, 200);
  assert.match(res.headers['x-request-id'] || '', GENERATED);
});

test('error responses carry the request id in the header and in the problem body', async () => {
  const id = 'trace-404-check';
  const res = await api(server, 'GET', '/api/v1/no-such-route', { headers: { 'X-Request-Id': id } });
  const body = assertProblem(res, 404, 'not_found');
  assert.equal(res.headers.get('x-request-id'), id);
  assert.equal(body.request_id, id);
});

test('a 405 carries a generated request id that matches its problem body', async () => {
  const res = await api(server, 'POST', '/healthz');
  const body = assertProblem(res, 405, 'method_not_allowed');
  assert.match(res.headers.get('x-request-id') || '', GENERATED);
  assert.equal(body.request_id, res.headers.get('x-request-id'));
});
