// GET /api/v1/shop: the shop's name, currency, limits, tax, shipping, payment methods and
// countries; public and cacheable (ETag/304, Cache-Control) like the catalog; and the settings
// it reports are the ones the server enforces (a shop started with other settings says so).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, assertInvalid, assertProblem, runMercato, startServer } from './helpers.js';
import { P, addOk, cartCall, newProduct, openShop } from './cart_helpers.js';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const get = (s, headers = {}, reqPath = `${P}/shop`) => api(s, 'GET', reqPath, { headers });

test('GET /shop answers the defaults without a token: Mercato, EUR, manual payments, the limits', async () => {
  const res = await get(server);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const { countries, ...rest } = res.body.shop;
  assert.deepEqual(rest, {
    name: 'Mercato',
    currency: 'EUR',
    currency_exponent: 2,
    limits: {
      cart_max_quantity: 99, cart_max_lines: 100, guest_cart_ttl: 2592000, list_limit_default: 20, list_limit_max: 100,
      list_offset_max: 10000, search_q_max: 200, coupon_code_max: 32,
    },
    tax: { rate_bp: 0, inclusive: false },
    shipping: { flat: 499, free_threshold: 5000 },
    payments: { stripe: false, manual: true },
  });
  assert.ok(Array.isArray(countries));
});

test('the countries are every ISO 3166-1 alpha-2 code once, with English names in name order', async () => {
  const { countries } = (await get(server)).body.shop;
  assert.equal(countries.length, 249);
  assert.equal(new Set(countries.map((c) => c.code)).size, 249, 'no code twice');
  for (const c of countries) assert.match(c.code, /^[A-Z]{2}$/);
  const byCode = Object.fromEntries(countries.map((c) => [c.code, c.name]));
  assert.equal(byCode.DE, 'Germany');
  assert.equal(byCode.US, 'United States');
  assert.equal(byCode.CI, "Côte d'Ivoire");
  assert.deepEqual(countries.slice(0, 3).map((c) => c.code), ['AF', 'AX', 'AL'], 'accents aside');
  const names = countries.map((c) => c.name.normalize('NFD').replace(/\p{M}/gu, ''));
  assert.deepEqual(names, [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
});

test('GET /shop carries a strong ETag and Cache-Control: public, max-age=60; If-None-Match gets 304', async () => {
  const first = await get(server);
  const etag = first.headers.get('etag');
  assert.match(etag || '', /^"[0-9a-f]{16}"$/);
  assert.equal(first.headers.get('cache-control'), 'public, max-age=60');
  assert.equal((await get(server)).headers.get('etag'), etag, 'the same bytes every time');
  const again = await get(server, { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  assert.equal(again.headers.get('etag'), etag);
  assert.equal(again.headers.get('cache-control'), 'public, max-age=60');
  assert.equal((await get(server, { 'If-None-Match': `W/${etag}` })).status, 304, 'weak comparison');
  assert.equal((await get(server, { 'If-None-Match': `"0000000000000000", ${etag}` })).status, 304, 'a list');
  const other = await get(server, { 'If-None-Match': '"0000000000000000"' });
  assert.equal(other.status, 200);
  assert.equal(other.text, first.text);
});

test('HEAD /shop answers the GET headers without a body', async () => {
  const res = await api(server, 'HEAD', `${P}/shop`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('etag') || '', /^"[0-9a-f]{16}"$/);
  assert.equal(res.text, '');
});

test('GET /shop takes no query parameters: any is a 422 naming it, not cacheable', async () => {
  const res = await get(server, {}, `${P}/shop?currency=USD`);
  assertInvalid(res, [['currency', 'unknown_parameter']]);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('etag'), null);
});

test('POST /shop is 405 with Allow: GET, HEAD', async () => {
  const res = await api(server, 'POST', `${P}/shop`, { body: {} });
  assertProblem(res, 405, 'method_not_allowed');
  assert.match(res.headers.get('allow') || '', /GET/);
});

test('a shop started with other settings describes them, with another ETag, and enforces them', async () => {
  const shop = await openShop({
    env: {
      MERCATO_SHOP_NAME: 'Bäckerei Süß', MERCATO_CURRENCY: 'USD', MERCATO_CART_MAX_QUANTITY: '5',
      MERCATO_CART_MAX_LINES: '3', MERCATO_GUEST_CART_TTL: '86400', MERCATO_TAX_RATE: '8.25', MERCATO_TAX_INCLUSIVE: '1',
      MERCATO_SHIPPING_FLAT: '700', MERCATO_FREE_SHIPPING_THRESHOLD: '0',
    },
  });
  try {
    const res = await get(shop.server);
    assert.equal(res.status, 200);
    const s = res.body.shop;
    assert.equal(s.name, 'Bäckerei Süß');
    assert.equal(s.currency, 'USD');
    assert.equal(s.currency_exponent, 2);
    assert.equal(s.limits.cart_max_quantity, 5);
    assert.equal(s.limits.cart_max_lines, 3);
    assert.equal(s.limits.guest_cart_ttl, 86400);
    assert.deepEqual(s.tax, { rate_bp: 825, inclusive: true });
    assert.deepEqual(s.shipping, { flat: 700, free_threshold: null }, 'never free is null');
    assert.notEqual(res.headers.get('etag'), (await get(server)).headers.get('etag'));
    // The limit it publishes is the one the cart applies.
    const p = await newProduct(shop);
    assertInvalid(await cartCall(shop, 'POST', '/items', {}, { product_id: p.id, quantity: 6 }), [['quantity', 'out_of_range']]);
    const cart = await addOk(shop, {}, p.id, 5);
    assert.equal(cart.items[0].quantity, 5);
    assert.equal(cart.totals.currency, 'USD');
  } finally {
    await shop.server.stop();
  }
});

test('a shop name with a control character or an empty one stops the server before it starts', () => {
  const tab = runMercato(['--port', '1'], { env: { MERCATO_SHOP_NAME: 'a\tb' } });
  assert.equal(tab.code, 1, tab.stderr);
  assert.match(tab.stderr, /MERCATO_SHOP_NAME must be UTF-8 text without control characters/);
  const empty = runMercato([], { env: { MERCATO_SHOP_NAME: '' } });
  assert.equal(empty.code, 2, empty.stderr);
  assert.match(empty.stderr, /MERCATO_SHOP_NAME.*must not be empty/);
  const long = runMercato([], { env: { MERCATO_SHOP_NAME: 'x'.repeat(101) } });
  assert.equal(long.code, 2, long.stderr);
  assert.match(long.stderr, /is too long/);
});
