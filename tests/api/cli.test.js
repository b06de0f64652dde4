// The command line: --help, configuration from flags and MERCATO_* variables, invalid values
// refused with a message naming the setting, and the migrate subcommand.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { api, freePort, makeTempDir, request, rmTemp, runMercato, startServer } from './helpers.js';

const SETTINGS = [
  ['MERCATO_PORT', '--port'],
  ['MERCATO_BIND', '--bind'],
  ['MERCATO_DATA_DIR', '--data-dir'],
  ['MERCATO_WEB_DIR', '--web-dir'],
  ['MERCATO_REDIS_URL', '--redis-url'],
  ['MERCATO_LOG_LEVEL', '--log-level'],
  ['MERCATO_MAX_BODY', '--max-body'],
  ['MERCATO_CORS_ORIGINS', '--cors-origins'],
  ['MERCATO_TLS_CERT', '--tls-cert'],
  ['MERCATO_TLS_KEY', '--tls-key'],
  ['MERCATO_SHUTDOWN_TIMEOUT', '--shutdown-timeout'],
  ['MERCATO_ACCESS_LOG', null],
];

test('mercato --help exits 0 and lists every setting with its variable, flag and default', () => {
  const r = runMercato(['--help']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout;
  for (const [env, flag] of SETTINGS) {
    assert.ok(out.includes(env), `--help lacks ${env}`);
    if (flag) assert.ok(out.includes(flag), `--help lacks ${flag}`);
  }
  assert.match(out, /8080/, 'default port');
  assert.match(out, /127\.0\.0\.1/, 'default bind address');
  assert.match(out, /web\/dist/, 'default web dir');
  assert.match(out, /65536|64 ?KiB/i, 'default body limit');
});

test('a non-numeric MERCATO_PORT stops start-up with a message naming MERCATO_PORT', () => {
  const r = runMercato([], { env: { MERCATO_PORT: 'abc' } });
  assert.equal(r.timedOut, false, 'mercato started instead of refusing the setting');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /MERCATO_PORT/);
});

test('--port 70000 stops start-up with a message naming the port setting', () => {
  const r = runMercato(['--port', '70000']);
  assert.equal(r.timedOut, false, 'mercato started instead of refusing the setting');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /MERCATO_PORT|--port/);
});

test('--log-level loud stops start-up with a message naming the log level setting', () => {
  const r = runMercato(['--log-level', 'loud']);
  assert.equal(r.timedOut, false, 'mercato started instead of refusing the setting');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /MERCATO_LOG_LEVEL|--log-level/);
});

test('a non-numeric MERCATO_MAX_BODY stops start-up with a message naming it', () => {
  const r = runMercato([], { env: { MERCATO_MAX_BODY: 'lots' } });
  assert.equal(r.timedOut, false, 'mercato started instead of refusing the setting');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /MERCATO_MAX_BODY/);
});

test('an unknown flag stops start-up with a message naming it', () => {
  const r = runMercato(['--frobnicate', '1']);
  assert.equal(r.timedOut, false, 'mercato started despite an unknown flag');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /frobnicate/);
});

test('mercato migrate runs the migrations into the data dir and exits 0, twice', () => {
  const dir = makeTempDir('mercato-migrate-');
  try {
    const data = path.join(dir, 'data');
    const first = runMercato(['migrate', '--data-dir', data], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(fs.existsSync(data) && fs.readdirSync(data).some((f) => f.endsWith('.db')), `no database in ${data}: ${fs.existsSync(data) ? fs.readdirSync(data) : 'missing'}`);
    const second = runMercato(['migrate', '--data-dir', data], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
  } finally {
    rmTemp(dir);
  }
});

test('mercato migrate honours MERCATO_DATA_DIR', () => {
  const dir = makeTempDir('mercato-migrate-');
  try {
    const data = path.join(dir, 'from-env');
    const r = runMercato(['migrate'], { cwd: dir, env: { MERCATO_DATA_DIR: data } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(data) && fs.readdirSync(data).some((f) => f.endsWith('.db')));
    assert.ok(!fs.existsSync(path.join(dir, 'var')), 'nothing written to the default ./var');
  } finally {
    rmTemp(dir);
  }
});

test('MERCATO_PORT and MERCATO_DATA_DIR configure the server like the flags', async () => {
  const server = await startServer({ viaEnv: true });
  try {
    const res = await api(server, 'GET', '/readyz');
    assert.equal(res.status, 200);
    assert.ok(fs.readdirSync(server.dataDir).some((f) => f.endsWith('.db')), 'the database lives in MERCATO_DATA_DIR');
  } finally {
    await server.stop();
  }
});

test('a flag wins over its environment variable', async () => {
  const envPort = await freePort();
  const server = await startServer({ env: { MERCATO_PORT: String(envPort) } });
  try {
    const res = await api(server, 'GET', '/healthz');
    assert.equal(res.status, 200);
    await assert.rejects(request(`http://127.0.0.1:${envPort}/healthz`, { timeout: 1000 }));
  } finally {
    await server.stop();
  }
});

test('--bind makes the server listen on that address only', async () => {
  const server = await startServer({ args: ['--bind', '127.0.0.2'], host: '127.0.0.2' });
  try {
    const res = await api(server, 'GET', '/healthz');
    assert.equal(res.status, 200);
    await assert.rejects(request(`http://127.0.0.1:${server.port}/healthz`, { timeout: 1000 }));
  } finally {
    await server.stop();
  }
});
