// The body middleware: size limit (413), content type (415), malformed JSON (400), and what a
// good body to an unknown route gets (404).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, assertProblem, rawConnection, startServer } from './helpers.js';

const DEFAULT_MAX = 65536;

/** A JSON object whose serialised size is exactly n bytes. */
const jsonOfSize = (n) => `{"a":"${'x'.repeat(n - 8)}"}`;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('a JSON body one byte over the default 64 KiB limit is 413 payload_too_large', async () => {
  const res = await api(server, 'POST', '/api/v1/anything', {
    body: jsonOfSize(DEFAULT_MAX + 1), raw: true, headers: { 'content-type': 'application/json' },
  });
  assertProblem(res, 413, 'payload_too_large');
});

test('a JSON body of exactly 64 KiB passes the limit (and reaches routing: 404)', async () => {
  const res = await api(server, 'POST', '/api/v1/anything', {
    body: jsonOfSize(DEFAULT_MAX), raw: true, headers: { 'content-type': 'application/json' },
  });
  assertProblem(res, 404, 'not_found');
});

// The declared length is checked with the headers: the 413 comes before any of the body is
// sent (or buffered), and the connection closes since the body will not be read.
test('a body declared larger than the limit is 413 before any of it is sent, and the connection closes', async () => {
  const conn = rawConnection(server.port);
  await conn.connected;
  const size = 4 * 1024 * 1024;
  await conn.write('POST /api/v1/anything HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${size}\r\n\r\n`);
  const res = await conn.response();
  assert.equal(res.status, 413);
  assert.equal(res.headers.connection, 'close');
  assert.match(res.headers['content-type'] || '', /^application\/problem\+json/);
  const body = JSON.parse(res.body);
  assert.equal(body.code, 'payload_too_large');
  assert.equal(body.request_id, res.headers['x-request-id']);
});

test('an oversize chunked body (no Content-Length) is 413', async () => {
  const conn = rawConnection(server.port);
  await conn.connected;
  await conn.write('POST /api/v1/anything HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
  const chunk = 'x'.repeat(16384);
  let res;
  const got = conn.response().then((r) => { res = r; });
  await conn.write('1\r\n"\r\n');
  for (let i = 0; i < 6 && !res; i++) {
    try { await conn.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`); } catch { break; }
  }
  try { await conn.write('1\r\n"\r\n0\r\n\r\n'); } catch { /* the server may have closed already */ }
  await got;
  assert.equal(res.status, 413);
  assert.equal(JSON.parse(res.body).code, 'payload_too_large');
});

test('an oversize body is 413 on non-API paths too', async () => {
  const res = await api(server, 'POST', '/some/page', {
    body: jsonOfSize(DEFAULT_MAX + 1), raw: true, headers: { 'content-type': 'application/json' },
  });
  assertProblem(res, 413, 'payload_too_large');
});

test('--max-body lowers the limit', async () => {
  const small = await startServer({ args: ['--max-body', '2048'] });
  try {
    const over = await api(small, 'POST', '/api/v1/anything', { body: jsonOfSize(2049), raw: true, headers: { 'content-type': 'application/json' } });
    assertProblem(over, 413, 'payload_too_large');
    const at = await api(small, 'POST', '/api/v1/anything', { body: jsonOfSize(2048), raw: true, headers: { 'content-type': 'application/json' } });
    assertProblem(at, 404, 'not_found');
  } finally {
    await small.stop();
  }
});

test('MERCATO_MAX_BODY lowers the limit', async () => {
  const small = await startServer({ env: { MERCATO_MAX_BODY: '2048' } });
  try {
    const over = await api(small, 'POST', '/api/v1/anything', { body: jsonOfSize(2049), raw: true, headers: { 'content-type': 'application/json' } });
    assertProblem(over, 413, 'payload_too_large');
  } finally {
    await small.stop();
  }
});

test('a text/plain body on /api is 415 unsupported_media_type', async () => {
  const res = await api(server, 'POST', '/api/v1/anything', { body: 'hello', raw: true, headers: { 'content-type': 'text/plain' } });
  assertProblem(res, 415, 'unsupported_media_type');
});

test('a body without a Content-Type on /api is 415 unsupported_media_type', async () => {
  const conn = rawConnection(server.port);
  await conn.connected;
  await conn.write('POST /api/v1/anything HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{"a":1}');
  const res = await conn.response();
  assert.equal(res.status, 415);
  assert.equal(JSON.parse(res.body).code, 'unsupported_media_type');
});

test('a form-encoded body on /api is 415 unsupported_media_type', async () => {
  const res = await api(server, 'POST', '/api/v1/anything', {
    body: 'a=1&b=2', raw: true, headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assertProblem(res, 415, 'unsupported_media_type');
});

test('a content type that only starts with application/json is 415', async () => {
  for (const type of ['application/jsonp', 'application/json-patch+json', 'application/json5']) {
    const res = await api(server, 'POST', '/api/v1/anything', { body: '{"a":1}', raw: true, headers: { 'content-type': type } });
    assertProblem(res, 415, 'unsupported_media_type');
  }
});

test('application/json with parameters (charset=utf-8) is accepted', async () => {
  for (const type of ['application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
    const res = await api(server, 'POST', '/api/v1/anything', { body: '{"a":1}', raw: true, headers: { 'content-type': type } });
    assertProblem(res, 404, 'not_found');
  }
});

test('an empty POST to /api needs no Content-Type (reaches routing: 404)', async () => {
  const res = await api(server, 'POST', '/api/v1/anything');
  assertProblem(res, 404, 'not_found');
});

test('malformed JSON is 400 malformed_json and the detail says where', async () => {
  const res = await api(server, 'POST', '/api/v1/anything', {
    body: '{"name": "ok",\n "price": }', raw: true, headers: { 'content-type': 'application/json' },
  });
  const body = assertProblem(res, 400, 'malformed_json');
  assert.match(body.detail, /line|column|position|offset/i, `detail locates the error: ${body.detail}`);
  assert.match(body.detail, /\d/, `detail has a number for the location: ${body.detail}`);
});

test('truncated JSON is 400 malformed_json', async () => {
  const res = await api(server, 'POST', '/api/v1/anything', { body: '{"a":', raw: true, headers: { 'content-type': 'application/json' } });
  assertProblem(res, 400, 'malformed_json');
});

test('JSON followed by trailing garbage is 400 malformed_json', async () => {
  const res = await api(server, 'POST', '/api/v1/anything', { body: '{"a":1} trailing', raw: true, headers: { 'content-type': 'application/json' } });
  assertProblem(res, 400, 'malformed_json');
});

test('malformed JSON does not echo the body back in the problem', async () => {
  const secret = 'hunter2-do-not-echo';
  const res = await api(server, 'POST', '/api/v1/anything', {
    body: `{"password": "${secret}" oops}`, raw: true, headers: { 'content-type': 'application/json' },
  });
  assertProblem(res, 400, 'malformed_json');
  assert.ok(!res.text.includes(secret), res.text);
});

test('a valid JSON body to an unknown /api route is 404 not_found', async () => {
  const res = await api(server, 'POST', '/api/v1/no-such-thing', { body: { a: 1 } });
  assertProblem(res, 404, 'not_found');
});
