// Abuse limits on carts and coupons (issue 12, findings 5, 7 and 11): one client cannot grow the
// database with guest carts without bound, new guest carts that are never used again go within a
// day, coupon codes cannot be guessed without limit and do not reveal promotions to come, and a
// cart whose totals would pass what the shop can price is refused naming the field, not a 500.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { assertProblem } from './helpers.js';
import { addOk, adminCall, cartCall, getCart, newCoupon, newCustomer, newProduct, openShop } from './cart_helpers.js';

const GUEST_CARTS = 5;
const COUPON_IP = 6;
const COUPON_CART = 3;
const DAY = 24 * 3600 * 1000;
const TTL_S = 7 * 24 * 3600;

let shop;
before(async () => {
  shop = await openShop({
    env: {
      MERCATO_RATE_GUEST_CART_IP: String(GUEST_CARTS), MERCATO_RATE_COUPON_IP: String(COUPON_IP),
      MERCATO_RATE_COUPON_CART: String(COUPON_CART), MERCATO_GUEST_CART_TTL: String(TTL_S),
    },
  });
});
after(async () => { await shop?.server.stop(); });

const haveSqlite3 = spawnSync('sh', ['-c', 'command -v sqlite3']).status === 0;
const needSqlite3 = { skip: haveSqlite3 ? false : 'the sqlite3 shell is not installed' };

/** One value that sql answers on the live database, read with the sqlite3 shell. */
function dbValue(sql) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(shop.server.dataDir, 'mercato.db'), sql],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

function assertLimited(res) {
  const body = assertProblem(res, 429, 'rate_limited');
  const wait = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(wait) && wait >= 1, `Retry-After ${res.headers.get('retry-after')}`);
  return body;
}

// The guest-cart test runs first: it spends this client's whole budget of new carts.
test('one client makes at most its limit of guest carts; past it 429, and the database does not grow', needSqlite3, async () => {
  const p = await newProduct(shop, { stock: 1000 });
  const before = dbValue('SELECT count(*) FROM carts');
  const made = [];
  for (let i = 0; i < GUEST_CARTS + 4; i++) {
    const res = await cartCall(shop, 'POST', '/items', {}, { product_id: p.id, quantity: 1 });
    if (res.status === 200) made.push(res.body.cart.token);
    else assertLimited(res);
  }
  assert.equal(made.length, GUEST_CARTS);
  // A well-formed token that names no cart does not get around the limit.
  const forged = 'A'.repeat(42) + 'E';
  assertLimited(await cartCall(shop, 'POST', '/items', { token: forged }, { product_id: p.id, quantity: 1 }));
  assertLimited(await cartCall(shop, 'POST', '/coupon', {}, { code: 'ANYTHING' }));
  assert.equal(dbValue('SELECT count(*) FROM carts') - before, GUEST_CARTS);
  // The carts the client has keep working, and customers are not limited by it.
  assert.equal((await addOk(shop, { token: made[0] }, p.id, 2)).item_count, 3);
  const customer = await newCustomer(shop);
  assert.equal((await addOk(shop, customer, p.id, 1)).item_count, 1);
});

test('a new guest cart lives a day until its second write, then the whole guest lifetime', needSqlite3, async () => {
  // This client's budget is spent: a customer's first write is not limited, and its cart does
  // not expire; the lifetimes are checked on the carts the budget test made and wrote again.
  const fresh = dbValue("SELECT count(*) FROM carts WHERE token_hash IS NOT NULL AND expires_at - updated_at = " + DAY);
  const full = dbValue(`SELECT count(*) FROM carts WHERE token_hash IS NOT NULL AND expires_at - updated_at = ${TTL_S * 1000}`);
  assert.equal(fresh, GUEST_CARTS - 1, 'the carts written once expire a day after their first write');
  assert.equal(full, 1, 'the cart written twice lives the whole guest lifetime');
});

test('coupon codes tried on one cart are limited, with Retry-After', async () => {
  const customer = await newCustomer(shop);
  const p = await newProduct(shop);
  await addOk(shop, customer, p.id, 1);
  for (let i = 0; i < COUPON_CART; i++) {
    assertProblem(await cartCall(shop, 'POST', '/coupon', customer, { code: `GUESS${i}` }), 422, 'coupon_unknown');
  }
  assertLimited(await cartCall(shop, 'POST', '/coupon', customer, { code: 'GUESSMORE' }));
  // Even a good code waits: the limit counts attempts, not failures.
  const good = await newCoupon(shop, {});
  assertLimited(await cartCall(shop, 'POST', '/coupon', customer, { code: good.code }));
});

test('coupon codes tried from one client are limited across carts', async () => {
  // The previous test spent COUPON_CART + 1 + 1 of this client's attempts.
  let limited = false;
  for (let i = 0; i < COUPON_IP && !limited; i++) {
    const customer = await newCustomer(shop);
    const res = await cartCall(shop, 'POST', '/coupon', customer, { code: `OTHER${i}` });
    if (res.status === 429) {
      assertLimited(res);
      limited = true;
    } else {
      assertProblem(res, 422, 'coupon_unknown');
    }
  }
  assert.ok(limited, 'the client limit was reached');
});

test('an inactive or not yet started code answers customers as an unknown one; admins still see why', async () => {
  const fresh = await openShop({ env: { MERCATO_RATE_COUPON_IP: '100', MERCATO_RATE_COUPON_CART: '100' } });
  try {
    const off = await newCoupon(fresh, { active: false });
    const later = await newCoupon(fresh, { starts_at: new Date(Date.now() + DAY).toISOString() });
    const customer = await newCustomer(fresh);
    const p = await newProduct(fresh);
    await addOk(fresh, customer, p.id, 1);
    const shape = ({ type, title, status, code, detail, errors }) => ({ type, title, status, code, detail, errors });
    const unknown = shape(assertProblem(await cartCall(fresh, 'POST', '/coupon', customer, { code: 'NOSUCHCODE' }), 422,
      'coupon_unknown'));
    for (const code of [off.code, later.code]) {
      const res = await cartCall(fresh, 'POST', '/coupon', customer, { code });
      assert.deepEqual(shape(assertProblem(res, 422, 'coupon_unknown')), unknown, `${code} answers as an unknown code`);
    }
    assert.equal((await adminCall(fresh, 'GET', `/coupons/${off.id}`)).body.coupon.active, false);
    assert.equal((await adminCall(fresh, 'GET', `/coupons/${later.id}`)).body.coupon.starts_at, later.starts_at);
  } finally {
    await fresh.server.stop();
  }
});

test('a line that would take the cart past what the shop can price is refused naming the quantity', async () => {
  const customer = await newCustomer(shop);
  // 40 x 2e13 = 8e14 fits under the 1e15 the shop prices; 20 more do not.
  const dear = await newProduct(shop, { price: 20_000_000_000_000, stock: 99 });
  await addOk(shop, customer, dear.id, 40);
  const res = await cartCall(shop, 'POST', '/items', customer, { product_id: dear.id, quantity: 20 });
  const body = assertProblem(res, 422, 'validation_failed');
  assert.deepEqual(body.errors.map((e) => `${e.field}:${e.code}`), ['quantity:total_limit']);
  assert.ok(Number.isInteger(body.limit) && body.limit <= 1e15, res.text);
  const set = await cartCall(shop, 'PATCH', `/items/${dear.id}`, customer, { quantity: 60 });
  assert.deepEqual(assertProblem(set, 422, 'validation_failed').errors.map((e) => e.code), ['total_limit']);
  const cart = await getCart(shop, customer);
  assert.equal(cart.item_count, 40);
  assert.equal(cart.totals.subtotal, 40 * 20_000_000_000_000);
});
