// The access log: one stderr line per request with id, method, path, status, bytes and
// microseconds; never the Authorization header, the body or the query string.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, rawGet, rawRequest, sleep, startServer } from './helpers.js';

const LINE = /id=(\S+) method=(\S+) path=(\S+) status=(\d+) bytes=(\d+) us=(\d+)/;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** Waits for the access-log lines of request `id`, then a little more to catch duplicates. */
async function accessLines(srv, id) {
  const mine = () => srv.logs().filter((l) => LINE.test(l) && l.match(LINE)[1] === id);
  for (let i = 0; i < 40 && mine().length === 0; i++) await sleep(50);
  await sleep(150);
  return mine();
}

test('each request writes exactly one access-log line with id, method, path, status, bytes and us', async () => {
  const id = 'log-line-healthz';
  const res = await api(server, 'GET', '/healthz', { headers: { 'X-Request-Id': id } });
  const lines = await accessLines(server, id);
  assert.equal(lines.length, 1, `lines for ${id}:\n${lines.join('\n')}`);
  const [, , method, p, status, bytes, us] = lines[0].match(LINE);
  assert.equal(method, 'GET');
  assert.equal(p, '/healthz');
  assert.equal(Number(status), 200);
  assert.equal(Number(bytes), Buffer.byteLength(res.text), 'bytes is the body size sent');
  assert.ok(Number(us) >= 0);
});

test('the access log uses the generated id when the client sent none', async () => {
  const res = await api(server, 'GET', '/readyz');
  const id = res.headers.get('x-request-id');
  const lines = await accessLines(server, id);
  assert.equal(lines.length, 1, `no single access line for generated id ${id}`);
  assert.match(lines[0], /method=GET path=\/readyz status=200/);
});

test('error responses are logged with their status', async () => {
  const id = 'log-line-404';
  await api(server, 'DELETE', '/api/v1/nothing', { headers: { 'X-Request-Id': id } });
  const lines = await accessLines(server, id);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /method=DELETE path=\/api\/v1\/nothing status=404 /);
});

test('middleware rejections (413) are logged once with their status', async () => {
  const id = 'log-line-413';
  await api(server, 'POST', '/api/v1/x', {
    body: JSON.stringify('y'.repeat(70000)), raw: true,
    headers: { 'content-type': 'application/json', 'X-Request-Id': id },
  });
  const lines = await accessLines(server, id);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0], /method=POST path=\/api\/v1\/x status=413 /);
});

test('the access log never contains the Authorization header value', async () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.sekrit-token-value.sig';
  const id = 'log-no-auth';
  await api(server, 'GET', '/healthz', { headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': id } });
  await api(server, 'GET', '/api/v1/no-such-route', { headers: { Authorization: `Bearer ${token}` } });
  await accessLines(server, id);
  const leaked = server.logs().filter((l) => l.includes('sekrit-token-value'));
  assert.deepEqual(leaked, []);
});

test('the access log never contains the request body', async () => {
  const id = 'log-no-body';
  await api(server, 'POST', '/api/v1/no-such-login', {
    body: { email: 'a@example.com', password: 'hunter2-body-secret' }, headers: { 'X-Request-Id': id },
  });
  await api(server, 'POST', '/api/v1/no-such-login', {
    body: '{"password": "hunter2-body-secret" broken', raw: true, headers: { 'content-type': 'application/json' },
  });
  await accessLines(server, id);
  const leaked = server.logs().filter((l) => l.includes('hunter2-body-secret'));
  assert.deepEqual(leaked, []);
});

test('the access log records the path without the query string', async () => {
  const id = 'log-no-query';
  await api(server, 'GET', '/healthz?token=query-secret-value&x=1', { headers: { 'X-Request-Id': id } });
  const lines = await accessLines(server, id);
  assert.equal(lines.length, 1);
  assert.match(lines[0], / path=\/healthz /);
  const leaked = server.logs().filter((l) => l.includes('query-secret-value'));
  assert.deepEqual(leaked, []);
});

test('a request id cannot inject a fake access-log line', async () => {
  const res = await rawRequest(server.port, rawGet('/healthz', { headers: { 'X-Request-Id': 'x status=500 method=FAKE' } }));
  const id = res.headers['x-request-id'];
  assert.match(id, /^[0-9a-f]{32}$/);
  await accessLines(server, id);
  assert.deepEqual(server.logs().filter((l) => l.includes('method=FAKE')), []);
});

test('MERCATO_ACCESS_LOG=0 turns the access log off', async () => {
  const quiet = await startServer({ env: { MERCATO_ACCESS_LOG: '0' } });
  try {
    const id = 'log-off-check';
    await api(quiet, 'GET', '/healthz', { headers: { 'X-Request-Id': id } });
    await api(quiet, 'GET', '/api/v1/nope', { headers: { 'X-Request-Id': id } });
    await sleep(300);
    assert.deepEqual(quiet.logs().filter((l) => LINE.test(l)), []);
  } finally {
    await quiet.stop();
  }
});
