// Liveness and readiness: GET /healthz and GET /readyz, and readiness when a port fails.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, assertProblem, KV_ADAPTER, startRedis, startServer } from './helpers.js';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('GET /healthz answers 200 {"status":"ok"} as application/json', async () => {
  const res = await api(server, 'GET', '/healthz');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(res.body, { status: 'ok' });
});

test('HEAD /healthz answers 200 with the GET headers and no body', async () => {
  const res = await api(server, 'HEAD', '/healthz');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.equal(res.text, '');
});

test('GET /readyz reports every port ready with its adapter', async () => {
  const res = await api(server, 'GET', '/readyz');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(res.body, {
    status: 'ready',
    checks: {
      store: { status: 'ok', adapter: 'sqlite' },
      kv: { status: 'ok', adapter: KV_ADAPTER },
    },
  });
});

test('HEAD /readyz answers 200 with no body', async () => {
  const res = await api(server, 'HEAD', '/readyz');
  assert.equal(res.status, 200);
  assert.equal(res.text, '');
});

test('POST /healthz is 405 method_not_allowed with Allow: GET, HEAD', async () => {
  const res = await api(server, 'POST', '/healthz');
  assertProblem(res, 405, 'method_not_allowed');
  const allow = (res.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase());
  assert.ok(allow.includes('GET') && allow.includes('HEAD'), `Allow: ${res.headers.get('allow')}`);
  assert.ok(!allow.includes('POST'), `Allow: ${res.headers.get('allow')}`);
});

test('DELETE /readyz is 405 method_not_allowed with Allow: GET, HEAD', async () => {
  const res = await api(server, 'DELETE', '/readyz');
  assertProblem(res, 405, 'method_not_allowed');
  const allow = (res.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase());
  assert.ok(allow.includes('GET') && allow.includes('HEAD'), `Allow: ${res.headers.get('allow')}`);
  assert.ok(!allow.includes('DELETE'), `Allow: ${res.headers.get('allow')}`);
});

test('readyz is 503 not_ready naming the kv when redis goes away, and recovers when it is back', async (t) => {
  const redis = await startRedis();
  if (!redis) { t.skip('redis-server is not installed'); return; }
  let own;
  try {
    own = await startServer({ redisUrl: redis.url });
    const ok = await api(own, 'GET', '/readyz');
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.checks.kv, { status: 'ok', adapter: 'redis' });

    await redis.kill();
    const started = Date.now();
    const down = await api(own, 'GET', '/readyz');
    const elapsed = Date.now() - started;
    const body = assertProblem(down, 503, 'not_ready');
    assert.match(body.detail, /kv/i, `detail names the failing port: ${body.detail}`);
    assert.equal(body.checks.kv.status, 'unavailable');
    assert.equal(body.checks.kv.adapter, 'redis');
    assert.deepEqual(body.checks.store, { status: 'ok', adapter: 'sqlite' });
    assert.ok(elapsed < 5000, `a dead redis is detected within the timeout, not a hang (${elapsed} ms)`);

    const live = await api(own, 'GET', '/healthz');
    assert.equal(live.status, 200, 'liveness does not depend on the ports');

    await redis.restart();
    let back;
    for (let i = 0; i < 40; i++) {
      back = await api(own, 'GET', '/readyz');
      if (back.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(back.status, 200, 'readyz recovers once redis answers again (reconnect)');
    assert.deepEqual(back.body.checks.kv, { status: 'ok', adapter: 'redis' });
  } finally {
    await own?.stop();
    await redis.stop();
  }
});
