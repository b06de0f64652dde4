// Coupons on the cart: POST /cart/coupon applies one code (any case; another replaces it) when it
// applies to the cart as it is, DELETE /cart/coupon takes it off, and every refusal reachable
// without a checkout has its own 422 code naming the field. (coupon_exhausted and
// coupon_already_used_by_you need redemptions, which only checkout makes: tests/unit/test_carts.c
// covers them through the store's coupon_redeem.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertInvalid, assertProblem } from './helpers.js';
import {
  addOk, adminCall, cartCall, cartCookies, getCart, newCoupon, newCustomer, newProduct, openShop,
} from './cart_helpers.js';

let shop;
before(async () => { shop = await openShop(); });
after(async () => { await shop?.server.stop(); });

const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString();

/** A guest cart holding `price` worth of one product; answers the guest ({token}). */
async function guestWith(price) {
  const p = await newProduct(shop, { price, stock: 50 });
  const cart = await addOk(shop, {}, p.id, 1);
  return { token: cart.token };
}

const apply = (who, code) => cartCall(shop, 'POST', '/coupon', who, { code });

/** Expects the refusal `code` on the field `code`; answers the problem body. */
function assertRefused(res, code) {
  const body = assertProblem(res, 422, code);
  assert.deepEqual(body.errors.map((e) => `${e.field}:${e.code}`), [`code:${code}`]);
  assert.equal(body.errors[0].message, body.detail);
  return body;
}

test('a coupon applies in any case and its discount shows on the cart and its lines', async () => {
  const who = await guestWith(4000);
  const coupon = await newCoupon(shop, { kind: 'percent', value: 25 });
  const res = await apply(who, `  ${coupon.code.toLowerCase()} `);
  assert.equal(res.status, 200, res.text);
  const { cart } = res.body;
  assert.deepEqual(cart.coupon, { code: coupon.code, kind: 'percent', value: 25, discount: 1000 });
  assert.equal(cart.coupon_problem, null);
  assert.equal(cart.items[0].discount, 1000);
  assert.deepEqual(cart.totals, { subtotal: 4000, discount: 1000, shipping: 499, tax: 0, total: 3499, currency: 'EUR', tax_inclusive: false });
});

test('applying another coupon replaces the first; DELETE /cart/coupon takes it off', async () => {
  const who = await guestWith(3000);
  const [ten, fixed] = [await newCoupon(shop, { value: 10 }), await newCoupon(shop, { kind: 'fixed', value: 500 })];
  assert.equal((await apply(who, ten.code)).body.cart.coupon.code, ten.code);
  const replaced = (await apply(who, fixed.code)).body.cart;
  assert.deepEqual(replaced.coupon, { code: fixed.code, kind: 'fixed', value: 500, discount: 500 });
  const removed = await cartCall(shop, 'DELETE', '/coupon', who);
  assert.equal(removed.status, 200);
  assert.equal(removed.body.cart.coupon, null);
  assert.equal(removed.body.cart.totals.discount, 0);
  const none = await cartCall(shop, 'DELETE', '/coupon', {});
  assert.equal(none.status, 200);
  assert.equal(none.body.cart.id, null);
});

test("applying a coupon is a guest's first write too: it creates the cart and its token", async () => {
  const coupon = await newCoupon(shop, {});
  const res = await apply({}, coupon.code);
  assert.equal(res.status, 200, res.text);
  assert.match(res.body.cart.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(cartCookies(res).length, 1);
  assert.equal((await getCart(shop, { token: res.body.cart.token })).coupon.code, coupon.code);
});

test('an unknown code is coupon_unknown, whatever it looks like', async () => {
  const who = await guestWith(1000);
  for (const code of ['NOSUCHCODE', 'not a code!', 'X'.repeat(40)]) assertRefused(await apply(who, code), 'coupon_unknown');
});

test('an inactive coupon answers as an unknown one (coupon_unknown): customers cannot find promotions by guessing', async () => {
  const coupon = await newCoupon(shop, { active: false });
  assertRefused(await apply(await guestWith(1000), coupon.code), 'coupon_unknown');
});

test('a coupon before its start answers as an unknown one, after its end coupon_expired', async () => {
  const now = Date.now();
  const later = await newCoupon(shop, { starts_at: iso(now + HOUR) });
  const over = await newCoupon(shop, { starts_at: iso(now - 2 * HOUR), expires_at: iso(now - HOUR) });
  const who = await guestWith(1000);
  assertRefused(await apply(who, later.code), 'coupon_unknown');
  assertRefused(await apply(who, over.code), 'coupon_expired');
});

test('a coupon with a per-customer limit needs a customer: coupon_sign_in_required for guests', async () => {
  const coupon = await newCoupon(shop, { per_customer_limit: 1 });
  assertRefused(await apply(await guestWith(1000), coupon.code), 'coupon_sign_in_required');
  const customer = await newCustomer(shop);
  const res = await apply(customer, coupon.code);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.cart.coupon.code, coupon.code);
});

test('a subtotal under the minimum is coupon_below_minimum, with the minimum', async () => {
  const coupon = await newCoupon(shop, { min_subtotal: 5000 });
  const body = assertRefused(await apply(await guestWith(4999), coupon.code), 'coupon_below_minimum');
  assert.equal(body.minimum, 5000);
  assert.equal(body.detail, 'This coupon needs a subtotal of at least 50.00 EUR.');
  assert.equal((await apply(await guestWith(5000), coupon.code)).status, 200);
});

test('a refused code changes nothing: the coupon already on the cart stays', async () => {
  const who = await guestWith(2000);
  const good = await newCoupon(shop, {});
  const off = await newCoupon(shop, { active: false });
  await apply(who, good.code);
  assertRefused(await apply(who, off.code), 'coupon_unknown');
  assert.equal((await getCart(shop, who)).coupon.code, good.code);
});

test('an applied coupon that stops applying stays on the cart with coupon_problem and no discount', async () => {
  const p = await newProduct(shop, { price: 3000, stock: 10 });
  const coupon = await newCoupon(shop, { min_subtotal: 5000 });
  const customer = await newCustomer(shop);
  await addOk(shop, customer, p.id, 2);
  assert.equal((await apply(customer, coupon.code)).body.cart.totals.discount, 600);
  const lower = await cartCall(shop, 'PATCH', `/items/${p.id}`, customer, { quantity: 1 });
  assert.equal(lower.status, 200);
  const { cart } = lower.body;
  assert.deepEqual(cart.coupon, { code: coupon.code, kind: 'percent', value: 10, discount: 0 });
  assert.deepEqual(cart.coupon_problem, { code: 'coupon_below_minimum', message: 'This coupon needs a subtotal of at least 50.00 EUR.' });
  assert.equal(cart.totals.discount, 0);
  // The admin switches it off: the problem says so.
  await cartCall(shop, 'PATCH', `/items/${p.id}`, customer, { quantity: 2 });
  const res = await adminCall(shop, 'PATCH', `/coupons/${coupon.id}`, { active: false });
  assert.equal(res.status, 200, res.text);
  assert.equal((await getCart(shop, customer)).coupon_problem.code, 'coupon_inactive');
});

test('the coupon body is validated: code required, a string, no other fields', async () => {
  const who = await guestWith(1000);
  assertInvalid(await cartCall(shop, 'POST', '/coupon', who, {}), [['code', 'required']]);
  assertInvalid(await cartCall(shop, 'POST', '/coupon', who, { code: 10 }), [['code', 'not_a_string']]);
  assertInvalid(await cartCall(shop, 'POST', '/coupon', who, { code: 'A', discount: 100 }), [['discount', 'unknown_field']]);
  assertInvalid(await cartCall(shop, 'POST', '/coupon', who, { code: 'A'.repeat(65) }), [['code', 'too_long']]);
});
