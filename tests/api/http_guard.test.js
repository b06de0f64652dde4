// The first layer, before any body is read (issue 12): RFC 9112 framing, query size, cookies
// the library used to choke on, bodies over their route's limit, uploads without an admin's
// token, and request deadlines. Raw sockets, so what goes over the wire is exactly what is
// tested; the slow-client tests use bounded counts (a few hundred) and times (a few seconds).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { openShop, newProduct, addOk } from './cart_helpers.js';
import { api, rawConnection, rawRequest, sleep, startServer } from './helpers.js';

function rssMiB(server) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

/** Sends text over a new connection; resolves to {raw, closed, ms}: everything the server
 * sent until it closed the connection (or `ms` passed). */
function exchange(port, text, { ms = 3000, localAddress } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    let raw = '';
    const done = (closed) => { clearTimeout(timer); sock.destroy(); resolve({ raw, closed, ms: Date.now() - t0 }); };
    const timer = setTimeout(() => done(false), ms);
    sock.on('connect', () => sock.write(text));
    sock.on('data', (d) => { raw += d.toString('latin1'); });
    sock.on('error', () => {});
    sock.on('close', () => done(true));
  });
}

/** Asserts raw is exactly one problem response with status and code, asking to close. */
function assertOneProblem(r, status, code) {
  assert.equal((r.raw.match(/HTTP\/1\.1 \d{3}/g) || []).length, 1, `one status line in ${JSON.stringify(r.raw.slice(0, 300))}`);
  assert.match(r.raw, new RegExp(`^HTTP/1\\.1 ${status} `));
  assert.match(r.raw, /\r\nContent-Type: application\/problem\+json/i);
  assert.match(r.raw, /\r\nConnection: close\r\n/i);
  assert.equal(JSON.parse(r.raw.slice(r.raw.indexOf('\r\n\r\n') + 4)).code, code);
  assert.equal(r.closed, true, 'the server closes the connection');
}

/** Opens n connections from localAddress that each send `head` and then one byte of `drip`
 * every dripMs; returns {socks, open(), stop()}. */
function holdOpen(port, n, head, { drip = 'a', dripMs = 500, localAddress = '127.0.0.1' } = {}) {
  let open = 0;
  const socks = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.on('connect', () => { s.live = true; open++; s.write(head); });
    s.on('error', () => {});
    s.on('close', () => { if (s.live) open--; s.live = false; });
    socks.push(s);
  }
  const timer = setInterval(() => { for (const s of socks) if (s.live) s.write(drip); }, dripMs);
  return {
    open: () => open,
    stop: () => { clearInterval(timer); for (const s of socks) s.destroy(); },
  };
}

describe('framing (RFC 9112)', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  const post = (headers, body = '') =>
    exchange(server.port, `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}\r\n${body}`);

  test('two different Content-Length headers are 400 and the connection closes', async () => {
    assertOneProblem(await post('Content-Length: 3\r\nContent-Length: 5\r\n', 'abcde'), 400, 'malformed_request');
  });

  test('a Content-Length that is not a number is one well-formed 400, not the library\'s doubled answer', async () => {
    assertOneProblem(await post('Content-Length: abc\r\n'), 400, 'malformed_request');
    assertOneProblem(await post('Content-Length: 5, 5\r\n', 'hello'), 400, 'malformed_request');
  });

  test('Content-Length with Transfer-Encoding is 400 and the connection closes', async () => {
    assertOneProblem(await post('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), 400, 'malformed_request');
  });

  test('an unknown transfer coding is 400 at once instead of a hung connection', async () => {
    const r = await post('Transfer-Encoding: gzip\r\n', 'abc');
    assertOneProblem(r, 400, 'malformed_request');
    assert.ok(r.ms < 2000, `answered after ${r.ms} ms`);
  });

  test('a transfer coding before chunked is 501 not_implemented', async () => {
    assertOneProblem(await post('Transfer-Encoding: gzip, chunked\r\n', '0\r\n\r\n'), 501, 'not_implemented');
  });

  test('an HTTP/1.1 request with no Host or two Hosts is 400 and the connection closes', async () => {
    assertOneProblem(await exchange(server.port, 'GET /healthz HTTP/1.1\r\n\r\n'), 400, 'malformed_request');
    assertOneProblem(await exchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'), 400, 'malformed_request');
  });

  test('a chunked body within the limit is still read', async () => {
    const r = await post('Transfer-Encoding: chunked\r\nConnection: close\r\n', '2\r\n{}\r\n0\r\n\r\n');
    assert.match(r.raw, /^HTTP\/1\.1 422 /); // reached the handler: the body was {} (fields missing)
  });
});

describe('query size and in-flight counting', () => {
  test('800 query parameters get 414 at once, and the request does not hold up a later shutdown', async () => {
    const server = await startServer({ args: ['--shutdown-timeout', '10'] });
    const query = Array.from({ length: 800 }, (_, i) => `a${i}=1`).join('&');
    const r = await exchange(server.port, `GET /api/v1/products?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    assertOneProblem(r, 414, 'uri_too_long');
    assert.ok(r.ms < 2000, `answered after ${r.ms} ms`);
    const ok = await api(server, 'GET', '/api/v1/products?limit=5');
    assert.equal(ok.status, 200);
    const t0 = Date.now();
    const code = await server.stop();
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 5000, `shutdown took ${Date.now() - t0} ms: a request was still counted in flight`);
    assert.ok(!server.logs().some((l) => /still in flight/.test(l)), server.logs().join('\n'));
  });

  test('64 query parameters are still answered by the route', async () => {
    const server = await startServer();
    const query = Array.from({ length: 64 }, (_, i) => `a${i}=1`).join('&');
    const res = await api(server, 'GET', `/api/v1/products?${query}`);
    assert.notEqual(res.status, 414);
    await server.stop();
  });
});

describe('cookies', () => {
  let shop;
  before(async () => { shop = await openShop(); });
  after(async () => { await shop?.server.stop(); });

  test('a malformed cookie (a="") is ignored: the route answers once, normally', async () => {
    const r = await exchange(shop.server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a="\r\nConnection: close\r\n\r\n');
    assert.equal((r.raw.match(/HTTP\/1\.1 \d{3}/g) || []).length, 1, r.raw);
    assert.match(r.raw, /^HTTP\/1\.1 200 /);
    assert.match(r.raw, /\r\nContent-Type: application\/json/i);
    assert.ok(r.raw.endsWith('{"status":"ok"}'), r.raw);
  });

  test('the cart cookie is still read beside malformed ones', async () => {
    const p = await newProduct(shop);
    const cart = await addOk(shop, {}, p.id, 2);
    for (const cookie of [`mercato_cart=${cart.token}; a="`, `b="x; mercato_cart=${cart.token}`, `=; mercato_cart="${cart.token}"`]) {
      const res = await rawRequest(shop.server.port,
        `GET /api/v1/cart HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
      assert.equal(res.status, 200, `${cookie}: ${res.body}`);
      assert.equal(JSON.parse(res.body).cart.item_count, 2, cookie);
    }
  });
});

describe('bodies over their limit and uploads', () => {
  let shop;
  let product;
  before(async () => {
    shop = await openShop();
    product = await newProduct(shop);
  });
  after(async () => { await shop?.server.stop(); });

  const upload = (auth) => `POST /api/v1/admin/products/${product.id}/images HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}` +
    'Content-Type: image/png\r\nContent-Length: 4000000\r\nExpect: 100-continue\r\n\r\n';

  test('an upload with Expect: 100-continue and no token gets 401, never 100 Continue', async () => {
    const r = await exchange(shop.server.port, upload(''));
    assert.doesNotMatch(r.raw, /100 Continue/);
    assertOneProblem(r, 401, 'unauthenticated');
  });

  test("a customer's upload gets 403 before the body, never 100 Continue", async () => {
    const email = `guard-${Date.now()}@example.com`;
    const signup = await api(shop.server, 'POST', '/api/v1/auth/signup', {
      body: { email, password: 'correct horse battery staple', name: 'Guard', token_delivery: 'body' },
    });
    assert.equal(signup.status, 201, signup.text);
    const r = await exchange(shop.server.port, upload(`Authorization: Bearer ${signup.body.access_token}\r\n`));
    assert.doesNotMatch(r.raw, /100 Continue/);
    assertOneProblem(r, 403, 'forbidden');
  });

  test("an admin's upload with Expect: 100-continue is told to go on", async () => {
    const r = await exchange(shop.server.port, upload(`${Object.entries(shop.adminHeaders).map(([k, v]) => `${k}: ${v}`).join('')}\r\n`), { ms: 1000 });
    assert.match(r.raw, /^HTTP\/1\.1 100 Continue/);
  });

  test('a JSON route refuses a declared 4.9 MB body before reading it', async () => {
    const conn = rawConnection(shop.server.port);
    await conn.connected;
    await conn.write('POST /api/v1/cart/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4900000\r\n\r\n');
    const res = await conn.response();
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.body).code, 'payload_too_large');
  });
});

describe('slow clients', () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--header-timeout', '2', '--request-timeout', '3', '--max-connections-per-ip', '32'] });
  });
  after(async () => { await server?.stop(); });

  test('200 connections declaring 4.9 MB bodies to /healthz are refused at once and RSS stays within 30 MiB of its start', async () => {
    const rss0 = rssMiB(server);
    const head = 'POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4900000\r\n\r\n';
    const answers = [];
    for (let i = 0; i < 200; i += 25) {
      const batch = Array.from({ length: 25 }, (_, k) => exchange(server.port, head, { localAddress: `127.0.1.${1 + i + k}` }));
      answers.push(...await Promise.all(batch));
    }
    for (const r of answers) assert.match(r.raw, /^HTTP\/1\.1 413 /);
    assert.ok(rssMiB(server) - rss0 < 30, `RSS grew from ${rss0.toFixed(1)} to ${rssMiB(server).toFixed(1)} MiB`);
  });

  test('200 slow chunked bodies are kept within their limit, cut at the request deadline, and others are still served', async () => {
    const rss0 = rssMiB(server);
    const head = 'POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `10000\r\n${'x'.repeat(0x10000)}\r\n`;
    const holds = Array.from({ length: 8 }, (_, k) => holdOpen(server.port, 25, head, { drip: '1\r\nx\r\n', localAddress: `127.0.2.${k + 1}` }));
    await sleep(1000);
    const peak = rssMiB(server);
    const other = await exchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', { localAddress: '127.0.3.1' });
    assert.match(other.raw, /^HTTP\/1\.1 200 /);
    await sleep(3500);
    const left = holds.reduce((n, h) => n + h.open(), 0);
    for (const h of holds) h.stop();
    assert.ok(peak - rss0 < 40, `RSS grew from ${rss0.toFixed(1)} to ${peak.toFixed(1)} MiB`);
    assert.equal(left, 0, `${left} slow bodies still open after the 3 s request deadline`);
  });

  test('a body within its limit sent a byte at a time is cut at the request deadline, though each byte resets the idle timeout', async () => {
    const t0 = Date.now();
    const slow = holdOpen(server.port, 1, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{', { drip: ' ', dripMs: 300, localAddress: '127.0.5.1' });
    while (slow.open() === 0 && Date.now() - t0 < 1000) await sleep(20);
    assert.equal(slow.open(), 1);
    while (slow.open() > 0 && Date.now() - t0 < 6000) await sleep(100);
    const ms = Date.now() - t0;
    slow.stop();
    assert.ok(ms >= 2500 && ms < 5000, `closed after ${ms} ms (request deadline 3 s)`);
  });

  test('slowloris: 300 half-open connections from one address hold at most 32 slots, are cut at the header deadline, another client is served, and the log is not flooded', async () => {
    const rss0 = rssMiB(server);
    const loris = holdOpen(server.port, 300, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', { localAddress: '127.0.4.1' });
    await sleep(700);
    assert.ok(loris.open() <= 32, `${loris.open()} connections open from one address`);
    const other = await exchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', { localAddress: '127.0.4.2' });
    assert.match(other.raw, /^HTTP\/1\.1 200 /);
    assert.ok(other.ms < 1000, `another client waited ${other.ms} ms`);
    await sleep(2500);
    const left = loris.open();
    loris.stop();
    assert.equal(left, 0, `${left} header drips still open after the 2 s header deadline`);
    assert.ok(rssMiB(server) - rss0 < 20, `RSS grew from ${rss0.toFixed(1)} to ${rssMiB(server).toFixed(1)} MiB`);
    // One refused connection is one libmicrohttpd message: at most 20 a minute reach the log.
    const mhdLines = server.logs().filter((l) => /http\.mhd/.test(l));
    assert.ok(mhdLines.length <= 22, `${mhdLines.length} libmicrohttpd lines logged`);
  });

  test('a keep-alive connection may send several requests within the deadlines', async () => {
    const conn = net.connect({ port: server.port, host: '127.0.0.1' });
    let raw = '';
    conn.on('data', (d) => { raw += d; });
    await new Promise((r) => conn.on('connect', r));
    for (let i = 0; i < 3; i++) {
      conn.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await sleep(800);
    }
    conn.destroy();
    assert.equal((raw.match(/HTTP\/1\.1 200 /g) || []).length, 3, raw);
  });
});
