// The cart: guest carts named by a token (body, X-Cart-Token, HttpOnly cookie), customers' carts,
// quantities within 1..max and the stock, the limit on lines, per-line warnings and
// checkout_ready, totals computed on the server (shipping threshold, tax from the server's
// settings), and that nobody ever reaches another's cart. Merging, persistence and coupons are
// in cart_merge.test.js and cart_coupons.test.js.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertInvalid, assertProblem } from './helpers.js';
import {
  addOk, adminCall, cartCall, cartCookies, changeProduct, getCart, linesOf, newCustomer, newProduct, openShop,
} from './cart_helpers.js';

let shop;
before(async () => { shop = await openShop(); });
after(async () => { await shop?.server.stop(); });

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

// ---- guest carts ------------------------------------------------------------------------------

test('a guest without a cart sees an empty cart, and reading creates nothing', async () => {
  const res = await cartCall(shop, 'GET', '', {});
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.cart, {
    id: null, token: null, items: [], item_count: 0, coupon: null, coupon_problem: null,
    totals: { subtotal: 0, discount: 0, shipping: 0, tax: 0, total: 0, currency: 'EUR', tax_inclusive: false },
    checkout_ready: false, updated_at: null,
  });
  assert.deepEqual(cartCookies(res), []);
  assert.equal(res.headers.get('x-cart-token'), null);
  assert.equal(res.headers.get('cache-control'), 'no-store');
});

test("a guest's first add creates the cart: token in the body, X-Cart-Token and an HttpOnly cookie", async () => {
  const p = await newProduct(shop, { price: 1250, stock: 10 });
  const res = await cartCall(shop, 'POST', '/items', {}, { product_id: p.id, quantity: 2 });
  assert.equal(res.status, 200, res.text);
  const { cart } = res.body;
  assert.match(cart.id, /^crt_[0-9a-z]{26}$/);
  assert.match(cart.token, TOKEN_RE);
  assert.equal(res.headers.get('x-cart-token'), cart.token);
  const [cookie, ...more] = cartCookies(res);
  assert.equal(more.length, 0);
  assert.ok(cookie.startsWith(`mercato_cart=${cart.token};`), cookie);
  for (const attr of ['HttpOnly', 'SameSite=Lax', 'Path=/api/v1', 'Max-Age=2592000', 'Secure']) {
    assert.ok(cookie.split('; ').includes(attr), `${attr} in ${cookie}`);
  }
  assert.deepEqual(cart.items, [{
    product_id: p.id, name: p.name, slug: p.slug, image: null, unit_price: 1250, quantity: 2, line_total: 2500,
    discount: 0, currency: 'EUR', available: 10, warnings: [],
  }]);
  assert.equal(cart.item_count, 2);
  assert.equal(cart.checkout_ready, true);
});

test('the guest cart is found by X-Cart-Token or the cookie, and later writes keep its token', async () => {
  const [a, b] = [await newProduct(shop), await newProduct(shop)];
  const first = await addOk(shop, {}, a.id, 1);
  const byHeader = await addOk(shop, { token: first.token }, b.id, 1);
  assert.equal(byHeader.id, first.id);
  assert.equal(byHeader.token, first.token);
  const byCookie = await getCart(shop, { cookie: first.token });
  assert.deepEqual(linesOf(byCookie), [`1x${a.id}`, `1x${b.id}`]);
  assert.equal(byCookie.token, first.token);
  // The header wins over the cookie.
  const other = await addOk(shop, {}, a.id, 3);
  const both = await getCart(shop, { token: other.token, cookie: first.token });
  assert.equal(both.id, other.id);
});

test('an unknown token reads as no cart, and a write then makes a new cart with a new token', async () => {
  const p = await newProduct(shop);
  const made = 'A'.repeat(42) + 'w';
  for (const token of [made, 'not-a-token', 'x'.repeat(300)]) {
    const cart = await getCart(shop, { token });
    assert.equal(cart.id, null);
    assert.equal(cart.token, null);
  }
  const res = await cartCall(shop, 'POST', '/items', { token: made }, { product_id: p.id, quantity: 1 });
  assert.equal(res.status, 200, res.text);
  assert.notEqual(res.body.cart.token, made);
  assert.match(res.body.cart.token, TOKEN_RE);
  assert.equal((await getCart(shop, { token: made })).id, null);
});

// ---- lines and limits ------------------------------------------------------------------------

test('adding a product already in the cart adds to its line', async () => {
  const p = await newProduct(shop, { stock: 20 });
  const first = await addOk(shop, {}, p.id, 2);
  const cart = await addOk(shop, { token: first.token }, p.id, 5);
  assert.deepEqual(linesOf(cart), [`7x${p.id}`]);
  assert.equal(cart.item_count, 7);
});

test('a quantity that is not an integer from 1 to 99 is a 422 naming quantity, with every problem listed', async () => {
  const p = await newProduct(shop);
  for (const [quantity, code] of [[0, 'out_of_range'], [100, 'out_of_range'], [-1, 'out_of_range'],
    ['2', 'not_an_integer'], [1.5, 'not_an_integer'], [null, 'required']]) {
    const res = await cartCall(shop, 'POST', '/items', {}, { product_id: p.id, quantity });
    assertInvalid(res, [['quantity', code]]);
    assert.deepEqual(cartCookies(res), [], 'nothing was created');
  }
  assertInvalid(await cartCall(shop, 'POST', '/items', {}, {}), [['product_id', 'required'], ['quantity', 'required']]);
  assertInvalid(await cartCall(shop, 'POST', '/items', {}, { product_id: p.id, quantity: 1, price: 1 }),
    [['price', 'unknown_field']]);
  assertInvalid(await cartCall(shop, 'POST', '/items', {}, { product_id: 7, quantity: 1 }), [['product_id', 'not_a_string']]);
  const owner = await newCustomer(shop);
  await addOk(shop, owner, p.id, 1);
  const patch = await cartCall(shop, 'PATCH', `/items/${p.id}`, owner, { quantity: 0 });
  assertInvalid(patch, [['quantity', 'out_of_range']]);
});

test('an unknown or inactive product is a 422 naming product_id', async () => {
  const off = await newProduct(shop, { active: false });
  for (const productId of [off.id, 'prod_00000000000000000000000000', 'nonsense']) {
    const res = await cartCall(shop, 'POST', '/items', {}, { product_id: productId, quantity: 1 });
    assertInvalid(res, [['product_id', 'unknown_product']]);
    assert.deepEqual(cartCookies(res), []);
  }
});

test('more than in stock, counting the line, is a 409 insufficient_stock with how many are available', async () => {
  const p = await newProduct(shop, { stock: 5 });
  const over = await cartCall(shop, 'POST', '/items', {}, { product_id: p.id, quantity: 6 });
  const body = assertProblem(over, 409, 'insufficient_stock');
  assert.equal(body.available, 5);
  assert.deepEqual(body.errors.map((e) => `${e.field}:${e.code}`), ['quantity:insufficient_stock']);
  const cart = await addOk(shop, {}, p.id, 3);
  const again = await cartCall(shop, 'POST', '/items', { token: cart.token }, { product_id: p.id, quantity: 3 });
  assert.equal(assertProblem(again, 409, 'insufficient_stock').available, 5);
  assert.deepEqual(linesOf(await getCart(shop, { token: cart.token })), [`3x${p.id}`]);
});

test('a line never holds more than the maximum quantity: 422 line_limit on quantity', async () => {
  const p = await newProduct(shop, { stock: 1000 });
  const cart = await addOk(shop, {}, p.id, 95);
  const res = await cartCall(shop, 'POST', '/items', { token: cart.token }, { product_id: p.id, quantity: 5 });
  const body = assertInvalid(res, [['quantity', 'line_limit']]);
  assert.equal(body.available, 4);
  assert.deepEqual(linesOf(await addOk(shop, { token: cart.token }, p.id, 4)), [`99x${p.id}`]);
});

test('PATCH sets a line within the stock; another product is 404 not_in_cart', async () => {
  const [p, q] = [await newProduct(shop, { stock: 4 }), await newProduct(shop)];
  const cart = await addOk(shop, {}, p.id, 1);
  const who = { token: cart.token };
  const set = await cartCall(shop, 'PATCH', `/items/${p.id}`, who, { quantity: 4 });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual(linesOf(set.body.cart), [`4x${p.id}`]);
  assert.equal(assertProblem(await cartCall(shop, 'PATCH', `/items/${p.id}`, who, { quantity: 5 }), 409,
    'insufficient_stock').available, 4);
  assertProblem(await cartCall(shop, 'PATCH', `/items/${q.id}`, who, { quantity: 1 }), 404, 'not_in_cart');
  assertProblem(await cartCall(shop, 'PATCH', `/items/${p.id}`, {}, { quantity: 1 }), 404, 'not_in_cart');
  assertInvalid(await cartCall(shop, 'PATCH', `/items/${p.id}`, who, { quantity: 2, product_id: q.id }),
    [['product_id', 'unknown_field']]);
});

test('DELETE removes a line (404 not_in_cart when absent); DELETE /cart empties the cart', async () => {
  const [p, q] = [await newProduct(shop), await newProduct(shop)];
  const cart = await addOk(shop, {}, p.id, 1);
  const who = { token: cart.token };
  await addOk(shop, who, q.id, 2);
  const removed = await cartCall(shop, 'DELETE', `/items/${p.id}`, who);
  assert.equal(removed.status, 200);
  assert.deepEqual(linesOf(removed.body.cart), [`2x${q.id}`]);
  assertProblem(await cartCall(shop, 'DELETE', `/items/${p.id}`, who), 404, 'not_in_cart');
  const cleared = await cartCall(shop, 'DELETE', '', who);
  assert.equal(cleared.status, 200);
  assert.equal(cleared.body.cart.id, cart.id);
  assert.deepEqual(cleared.body.cart.items, []);
  assert.equal(cleared.body.cart.checkout_ready, false);
  const nothing = await cartCall(shop, 'DELETE', '', {});
  assert.equal(nothing.status, 200);
  assert.equal(nothing.body.cart.id, null);
});

test('a deleted product leaves the cart', async () => {
  const [p, q] = [await newProduct(shop), await newProduct(shop)];
  const customer = await newCustomer(shop);
  await addOk(shop, customer, p.id, 1);
  await addOk(shop, customer, q.id, 1);
  const res = await adminCall(shop, 'DELETE', `/products/${p.id}`);
  assert.equal(res.status, 204, res.text);
  assert.deepEqual(linesOf(await getCart(shop, customer)), [`1x${q.id}`]);
});

// ---- warnings ------------------------------------------------------------------------------------

test('a price change, too little stock, none, or deactivation is a warning on the line and blocks checkout', async () => {
  const customer = await newCustomer(shop);
  const [a, b, c, d] = [await newProduct(shop, { price: 1000 }), await newProduct(shop, { price: 500, stock: 10 }),
    await newProduct(shop, { price: 300 }), await newProduct(shop, { price: 200 })];
  for (const [p, q] of [[a, 2], [b, 3], [c, 1], [d, 1]]) await addOk(shop, customer, p.id, q);
  assert.equal((await getCart(shop, customer)).checkout_ready, true);
  await changeProduct(shop, a.id, { price: 1100 });
  await changeProduct(shop, b.id, { stock: 2 });
  await changeProduct(shop, c.id, { stock: 0 });
  await changeProduct(shop, d.id, { active: false });
  const cart = await getCart(shop, customer);
  const warnings = cart.items.map((l) => l.warnings);
  assert.deepEqual(warnings[0], [{ code: 'price_changed', message: 'The price changed from 10.00 EUR to 11.00 EUR.', previous_price: 1000 }]);
  assert.deepEqual(warnings[1].map((w) => [w.code, w.available]), [['insufficient_stock', 2]]);
  assert.deepEqual(warnings[2].map((w) => w.code), ['out_of_stock']);
  assert.deepEqual(warnings[3].map((w) => w.code), ['unavailable']);
  assert.equal(cart.items[0].unit_price, 1100);
  assert.equal(cart.items[3].available, 0);
  assert.equal(cart.checkout_ready, false);
  // Current prices; the sold-out and deactivated lines are not counted.
  assert.equal(cart.totals.subtotal, 2 * 1100 + 3 * 500);
  // Resolving each one: PATCH accepts the price (same quantity) and fits the stock; remove the rest.
  await cartCall(shop, 'PATCH', `/items/${a.id}`, customer, { quantity: 2 });
  await cartCall(shop, 'PATCH', `/items/${b.id}`, customer, { quantity: 2 });
  assert.equal((await getCart(shop, customer)).checkout_ready, false);
  await cartCall(shop, 'DELETE', `/items/${c.id}`, customer);
  const done = (await cartCall(shop, 'DELETE', `/items/${d.id}`, customer)).body.cart;
  assert.deepEqual(done.items.map((l) => l.warnings), [[], []]);
  assert.equal(done.checkout_ready, true);
});

// ---- totals -------------------------------------------------------------------------------------

test('shipping is the flat 4.99 below the 50.00 threshold and free from it; no tax by default', async () => {
  const p = await newProduct(shop, { price: 2499, stock: 10 });
  let cart = await addOk(shop, {}, p.id, 1);
  assert.deepEqual(cart.totals, { subtotal: 2499, discount: 0, shipping: 499, tax: 0, total: 2998, currency: 'EUR', tax_inclusive: false });
  cart = await addOk(shop, { token: cart.token }, p.id, 1);
  assert.deepEqual(cart.totals, { subtotal: 4998, discount: 0, shipping: 499, tax: 0, total: 5497, currency: 'EUR', tax_inclusive: false });
  const q = await newProduct(shop, { price: 2, stock: 10 });
  cart = await addOk(shop, { token: cart.token }, q.id, 1);
  assert.equal(cart.totals.shipping, 0);
  assert.equal(cart.totals.total, 5000);
});

describe('with the shop settings changed by flags', () => {
  let taxed;
  let inclusive;
  before(async () => {
    taxed = await openShop({ args: ['--tax-rate', '8.25', '--shipping-flat', '700', '--free-shipping-threshold', '0', '--cart-max-lines', '2'] });
    inclusive = await openShop({ args: ['--tax-rate', '20', '--tax-inclusive', '1'] });
  });
  after(async () => { await taxed?.server.stop(); await inclusive?.server.stop(); });

  test('tax exclusive of prices is added on top; shipping is never free with a threshold of 0', async () => {
    const p = await newProduct(taxed, { price: 10000 });
    const cart = await addOk(taxed, {}, p.id, 1);
    assert.deepEqual(cart.totals, { subtotal: 10000, discount: 0, shipping: 700, tax: 825, total: 11525, currency: 'EUR', tax_inclusive: false });
  });

  test('tax inclusive in prices is reported inside the total', async () => {
    const p = await newProduct(inclusive, { price: 6000 });
    const cart = await addOk(inclusive, {}, p.id, 1);
    assert.deepEqual(cart.totals, { subtotal: 6000, discount: 0, shipping: 0, tax: 1000, total: 6000, currency: 'EUR', tax_inclusive: true });
  });

  test('a product past MERCATO_CART_MAX_LINES is a 409 cart_full; more of a product already there fits', async () => {
    const [a, b, c] = [await newProduct(taxed), await newProduct(taxed), await newProduct(taxed)];
    const cart = await addOk(taxed, {}, a.id, 1);
    await addOk(taxed, { token: cart.token }, b.id, 1);
    const full = await cartCall(taxed, 'POST', '/items', { token: cart.token }, { product_id: c.id, quantity: 1 });
    const body = assertProblem(full, 409, 'cart_full');
    assert.equal(body.limit, 2);
    assert.deepEqual(body.errors.map((e) => `${e.field}:${e.code}`), ['product_id:cart_full']);
    assert.deepEqual(linesOf(await addOk(taxed, { token: cart.token }, a.id, 1)), [`2x${a.id}`, `1x${b.id}`]);
  });
});

// ---- nobody reaches another's cart ----------------------------------------------------------------

test("a customer's token only ever reaches their own cart", async () => {
  const [ann, bob] = [await newCustomer(shop), await newCustomer(shop)];
  const p = await newProduct(shop);
  const annCart = await addOk(shop, ann, p.id, 2);
  assert.equal(annCart.token, null, 'a customer cart has no token');
  const bobView = await getCart(shop, bob);
  assert.equal(bobView.id, null);
  assert.deepEqual(bobView.items, []);
  assertProblem(await cartCall(shop, 'DELETE', `/items/${p.id}`, bob), 404, 'not_in_cart');
  await cartCall(shop, 'DELETE', '', bob);
  assert.deepEqual(linesOf(await getCart(shop, ann)), [`2x${p.id}`]);
});

test("a guest's token reaches only that guest's cart", async () => {
  const p = await newProduct(shop);
  const one = await addOk(shop, {}, p.id, 1);
  const two = await addOk(shop, {}, p.id, 2);
  assert.notEqual(one.id, two.id);
  assert.deepEqual(linesOf(await getCart(shop, { token: one.token })), [`1x${p.id}`]);
  assert.deepEqual(linesOf(await getCart(shop, { token: two.token })), [`2x${p.id}`]);
  // The cart id is no key: only the token is.
  assert.equal((await getCart(shop, { token: one.id })).id, null);
});

test("a signed-in request with someone's guest token reads and changes only the customer's cart", async () => {
  const p = await newProduct(shop);
  const guest = await addOk(shop, {}, p.id, 3);
  const mallory = await newCustomer(shop);
  for (const who of [{ ...mallory, token: guest.token }, { ...mallory, cookie: guest.token }]) {
    const seen = await getCart(shop, who);
    assert.notEqual(seen.id, guest.id);
    assert.equal(seen.token, null);
    assert.ok(!linesOf(seen).includes(`3x${p.id}`), JSON.stringify(seen));
    const cleared = await cartCall(shop, 'DELETE', '', who);
    assert.equal(cleared.status, 200);
    assert.deepEqual(cartCookies(cleared), []);
  }
  assert.deepEqual(linesOf(await getCart(shop, { token: guest.token })), [`3x${p.id}`]);
});

test('a bad access token is a 401, never a fallback to the guest cart', async () => {
  const p = await newProduct(shop);
  const guest = await addOk(shop, {}, p.id, 1);
  const res = await cartCall(shop, 'GET', '', { headers: { Authorization: 'Bearer nope' }, token: guest.token });
  assertProblem(res, 401, 'invalid_token');
});
