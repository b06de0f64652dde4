// TLS through libmicrohttpd's GnuTLS support: https with a self-signed pair made by certtool at
// test time, HSTS only when TLS is on, plain http refused on the TLS port, and TLS 1.2 as the
// floor (gnutls-cli, from gnutls-bin, offers exactly one version per handshake).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { makeCert, request, rmTemp, runMercato, startServer, validateResponse } from './helpers.js';

let cert;
let server;
before(async () => {
  cert = makeCert();
  server = await startServer({ tls: { cert: cert.cert, key: cert.key } });
});
after(async () => {
  await server?.stop();
  rmTemp(cert?.dir);
});

const ca = () => fs.readFileSync(cert.cert);

test('with --tls-cert and --tls-key /healthz answers over https', async () => {
  const res = await request(`${server.base}/healthz`, { ca: ca() });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.text), { status: 'ok' });
  validateResponse({ method: 'GET', path: '/healthz', status: res.status, contentType: res.headers['content-type'], text: res.text });
});

test('https responses carry Strict-Transport-Security', async () => {
  const res = await request(`${server.base}/healthz`, { ca: ca() });
  assert.match(res.headers['strict-transport-security'] || '', /max-age=\d+/);
  const notFound = await request(`${server.base}/api/v1/nope`, { ca: ca() });
  assert.equal(notFound.status, 404);
  assert.match(notFound.headers['strict-transport-security'] || '', /max-age=\d+/);
  validateResponse({ method: 'GET', path: '/api/v1/nope', status: notFound.status, contentType: notFound.headers['content-type'], text: notFound.text });
});

/** 1 when gnutls-cli completes a handshake offering only TLS `version` ("1.0" .. "1.3"). */
function handshake(version) {
  const r = spawnSync('gnutls-cli', ['--insecure', '--priority', `NORMAL:-VERS-ALL:+VERS-TLS${version}`,
    '-p', String(server.port), '127.0.0.1'], { input: '', encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  return r.status === 0 && /Handshake was completed/.test(r.stdout) ? 1 : 0;
}

test('TLS 1.0 and 1.1 handshakes are refused; TLS 1.2 and 1.3 are accepted', () => {
  assert.deepEqual(['1.0', '1.1', '1.2', '1.3'].map(handshake), [0, 0, 1, 1]);
});

test('readyz answers over https', async () => {
  const res = await request(`${server.base}/readyz`, { ca: ca() });
  assert.equal(res.status, 200);
  validateResponse({ method: 'GET', path: '/readyz', status: res.status, contentType: res.headers['content-type'], text: res.text });
});

test('plain http to the TLS port does not get an answer', async () => {
  let res = null;
  try {
    res = await request(`http://127.0.0.1:${server.port}/healthz`, { timeout: 3000 });
  } catch { /* refused or reset: expected */ }
  assert.ok(res === null || res.status !== 200, `plain http got ${res?.status}`);
});

test('a TLS certificate without a key stops start-up with a message naming the key setting', () => {
  const r = runMercato(['--tls-cert', cert.cert]);
  assert.equal(r.timedOut, false, 'mercato started with half a TLS configuration');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /MERCATO_TLS_KEY|--tls-key/);
});

test('an unreadable TLS certificate file stops start-up with a message naming it', () => {
  const r = runMercato(['--tls-cert', path.join(cert.dir, 'missing.pem'), '--tls-key', cert.key]);
  assert.equal(r.timedOut, false, 'mercato started with a missing certificate');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /MERCATO_TLS_CERT|--tls-cert|missing\.pem/);
});
