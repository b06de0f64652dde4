// Process lifecycle: graceful shutdown on SIGTERM/SIGINT (in-flight requests finish, new ones
// are refused, the drain is bounded) and data that survives a restart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

import { api, rawConnection, rawGet, rawRequest, rmTemp, sleep, startServer, within } from './helpers.js';

const BODY = '{"k":"0123456789ab"}'; // 20 bytes
const HEAD = 'POST /api/v1/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
  `Content-Length: ${BODY.length}\r\nConnection: close\r\n\r\n`;

/** Resolves to the elapsed ms until `server` exits, or rejects after `ms`. */
async function exitWithin(server, ms) {
  const started = Date.now();
  const info = await within(server.exited, ms);
  if (!info) {
    server.proc.kill('SIGKILL');
    throw new Error(`mercato still running ${ms} ms after the signal\n${server.logs().join('\n')}`);
  }
  return { ...info, elapsed: Date.now() - started };
}

test('SIGTERM with nothing in flight exits 0 quickly, even with idle keep-alive connections', async () => {
  const server = await startServer();
  await api(server, 'GET', '/healthz'); // leaves a pooled keep-alive connection open
  server.proc.kill('SIGTERM');
  const { code, elapsed } = await exitWithin(server, 5000);
  await server.stop();
  assert.equal(code, 0, server.logs().join('\n'));
  assert.ok(elapsed < 3000, `exit took ${elapsed} ms`);
});

test('SIGINT exits 0', async () => {
  const server = await startServer();
  await api(server, 'GET', '/healthz');
  const code = await server.stop('SIGINT');
  assert.equal(code, 0, server.logs().join('\n'));
});

test('SIGTERM lets an in-flight request finish before exiting 0', async () => {
  const server = await startServer();
  const conn = rawConnection(server.port, { timeout: 8000 });
  await conn.connected;
  await conn.write(HEAD + BODY.slice(0, 10));
  await sleep(100);
  server.proc.kill('SIGTERM');
  await sleep(200);
  assert.equal(server.proc.exitCode, null, 'mercato exited with a request in flight');
  await conn.write(BODY.slice(10));
  const res = await conn.response();
  assert.equal(res.status, 404);
  assert.match(res.headers['content-type'] || '', /^application\/problem\+json/);
  assert.equal(JSON.parse(res.body).code, 'not_found');
  const { code } = await exitWithin(server, 5000);
  await server.stop();
  assert.equal(code, 0, server.logs().join('\n'));
});

test('after SIGTERM new connections are not served while in-flight requests drain', async () => {
  const server = await startServer();
  const conn = rawConnection(server.port, { timeout: 8000 });
  await conn.connected;
  await conn.write(HEAD + BODY.slice(0, 10));
  await sleep(100);
  server.proc.kill('SIGTERM');
  await sleep(300);
  let served = null;
  try {
    served = await rawRequest(server.port, rawGet('/healthz'), { timeout: 1500 });
  } catch { /* refused, reset or never answered: not accepted */ }
  assert.equal(served, null, `a new connection was served during the drain: ${served?.statusLine}`);
  await conn.write(BODY.slice(10));
  const res = await conn.response();
  assert.equal(res.status, 404);
  const { code } = await exitWithin(server, 5000);
  await server.stop();
  assert.equal(code, 0);
});

test('the drain is bounded by --shutdown-timeout when a request never completes', async () => {
  const server = await startServer({ args: ['--shutdown-timeout', '1'] });
  const conn = rawConnection(server.port, { timeout: 10000 });
  await conn.connected;
  await conn.write(HEAD + BODY.slice(0, 10)); // the rest never comes
  await sleep(100);
  server.proc.kill('SIGTERM');
  const { elapsed } = await exitWithin(server, 8000);
  conn.close();
  await server.stop();
  assert.ok(elapsed < 6000, `exit took ${elapsed} ms with a 1 s shutdown timeout`);
});

test('data survives a restart on the same data dir', async () => {
  const first = await startServer({ keepDataDir: true });
  const { dataDir } = first;
  try {
    assert.equal((await api(first, 'GET', '/readyz')).status, 200);
    assert.equal(await first.stop(), 0);
    const files = fs.readdirSync(dataDir);
    assert.ok(files.some((f) => f.endsWith('.db')), `database file kept in the data dir: ${files}`);

    const second = await startServer({ dataDir });
    try {
      const res = await api(second, 'GET', '/readyz');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.checks.store, { status: 'ok', adapter: 'sqlite' });
    } finally {
      assert.equal(await second.stop(), 0);
    }
  } finally {
    rmTemp(dataDir);
  }
});
