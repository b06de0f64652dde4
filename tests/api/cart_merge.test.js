// Carts across sign-in and time: a guest cart merges into the customer's at login and at signup
// (quantities added, capped by stock; the guest cart gone, its cookie expired), and carts are
// kept with the data, so they survive logout/login and a server restart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, rmTemp } from './helpers.js';
import {
  P, PASSWORD, addOk, cartCall, cartCookies, changeProduct, getCart, linesOf, login, newCoupon, newCustomer,
  newProduct, openShop,
} from './cart_helpers.js';

let shop;
before(async () => { shop = await openShop(); });
after(async () => { await shop?.server.stop(); });

test('login merges the guest cart: quantities added and capped by stock, the guest cart gone, the cookie expired', async () => {
  const customer = await newCustomer(shop);
  const [both, mine, theirs, withdrawn] = [await newProduct(shop, { stock: 4, price: 700 }), await newProduct(shop),
    await newProduct(shop, { stock: 10 }), await newProduct(shop)];
  await addOk(shop, customer, both.id, 2);
  await addOk(shop, customer, mine.id, 1);
  const guest = await addOk(shop, {}, both.id, 3);
  await addOk(shop, { token: guest.token }, theirs.id, 5);
  await addOk(shop, { token: guest.token }, withdrawn.id, 1);
  await changeProduct(shop, withdrawn.id, { active: false });

  const res = await login(shop, customer.email, { Cookie: `mercato_cart=${guest.token}` });
  assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user']);
  const [expired] = cartCookies(res);
  assert.ok(expired, 'the cart cookie is expired');
  assert.match(expired, /^mercato_cart=;/);
  assert.match(expired, /Expires=Thu, 01 Jan 1970 00:00:00 GMT/i);
  assert.ok(expired.includes('Path=/api/v1'), expired);

  const cart = await getCart(shop, { headers: { Authorization: `Bearer ${res.body.access_token}` } });
  // 2 + 3 capped at the 4 in stock; a new line for theirs; the withdrawn product dropped.
  assert.deepEqual(linesOf(cart), [`4x${both.id}`, `1x${mine.id}`, `5x${theirs.id}`]);
  assert.equal(cart.token, null);
  const gone = await getCart(shop, { token: guest.token });
  assert.equal(gone.id, null, 'the guest cart is deleted');
});

test("signup merges the guest cart named by X-Cart-Token into the new customer's cart", async () => {
  const p = await newProduct(shop, { stock: 3 });
  const guest = await addOk(shop, {}, p.id, 2);
  const customer = await newCustomer(shop, { 'X-Cart-Token': guest.token });
  assert.deepEqual(cartCookies(customer.res), [], 'no cookie was sent, so none is expired');
  const cart = await getCart(shop, customer);
  assert.deepEqual(linesOf(cart), [`2x${p.id}`]);
  assert.notEqual(cart.id, guest.id);
  assert.equal((await getCart(shop, { token: guest.token })).id, null);
});

test("the guest's coupon carries over only when the customer's cart has none", async () => {
  const p = await newProduct(shop, { price: 2000 });
  const [guestCoupon, ownCoupon] = [await newCoupon(shop, { value: 10 }), await newCoupon(shop, { value: 20 })];
  const apply = async (who, code) => {
    const res = await cartCall(shop, 'POST', '/coupon', who, { code });
    assert.equal(res.status, 200, res.text);
    return res.body.cart;
  };
  const first = await newCustomer(shop);
  const g1 = await addOk(shop, {}, p.id, 1);
  await apply({ token: g1.token }, guestCoupon.code);
  await login(shop, first.email, { 'X-Cart-Token': g1.token });
  assert.equal((await getCart(shop, first)).coupon.code, guestCoupon.code);

  const second = await newCustomer(shop);
  await addOk(shop, second, p.id, 1);
  await apply(second, ownCoupon.code);
  const g2 = await addOk(shop, {}, p.id, 1);
  await apply({ token: g2.token }, guestCoupon.code);
  await login(shop, second.email, { 'X-Cart-Token': g2.token });
  const cart = await getCart(shop, second);
  assert.equal(cart.coupon.code, ownCoupon.code);
  assert.deepEqual(linesOf(cart), [`2x${p.id}`]);
});

test('a login without a guest cart, or with a token that names none, leaves the customer cart as it is', async () => {
  const customer = await newCustomer(shop);
  const p = await newProduct(shop);
  await addOk(shop, customer, p.id, 2);
  const plain = await login(shop, customer.email);
  assert.deepEqual(cartCookies(plain), []);
  const unknown = await login(shop, customer.email, { 'X-Cart-Token': 'A'.repeat(42) + 'w', Cookie: 'mercato_cart=junk' });
  assert.equal(unknown.status, 200);
  assert.deepEqual(linesOf(await getCart(shop, customer)), [`2x${p.id}`]);
});

test('a failed login merges nothing', async () => {
  const customer = await newCustomer(shop);
  const p = await newProduct(shop);
  const guest = await addOk(shop, {}, p.id, 1);
  const res = await api(shop.server, 'POST', `${P}/auth/login`, {
    headers: { 'X-Cart-Token': guest.token }, body: { email: customer.email, password: 'wrong password, surely' },
  });
  assert.equal(res.status, 401);
  assert.deepEqual(cartCookies(res), []);
  assert.deepEqual(linesOf(await getCart(shop, { token: guest.token })), [`1x${p.id}`]);
  assert.deepEqual((await getCart(shop, customer)).items, []);
});

test('the cart survives logout and a new login', async () => {
  const customer = await newCustomer(shop);
  const p = await newProduct(shop);
  const before = await addOk(shop, customer, p.id, 3);
  const out = await api(shop.server, 'POST', `${P}/auth/logout`, { body: { refresh_token: customer.res.body.refresh_token } });
  assert.equal(out.status, 204);
  const again = await login(shop, customer.email);
  const cart = await getCart(shop, { headers: { Authorization: `Bearer ${again.body.access_token}` } });
  assert.equal(cart.id, before.id);
  assert.deepEqual(linesOf(cart), [`3x${p.id}`]);
});

test("customers' and guests' carts survive a server restart on the same data dir", async () => {
  const first = await openShop({ keepDataDir: true });
  const { dataDir } = first.server;
  let second;
  try {
    const p = await newProduct(first, { stock: 7 });
    const customer = await newCustomer(first);
    const mine = await addOk(first, customer, p.id, 2);
    const guest = await addOk(first, {}, p.id, 4);
    assert.equal(await first.server.stop(), 0);

    second = await openShop({ dataDir, admin: first.admin });
    const res = await api(second.server, 'POST', `${P}/auth/login`, {
      body: { email: customer.email, password: PASSWORD, token_delivery: 'body' },
    });
    assert.equal(res.status, 200, res.text);
    const cart = await getCart(second, { headers: { Authorization: `Bearer ${res.body.access_token}` } });
    assert.equal(cart.id, mine.id);
    assert.deepEqual(linesOf(cart), [`2x${p.id}`]);
    const guestCart = await getCart(second, { token: guest.token });
    assert.equal(guestCart.id, guest.id);
    assert.deepEqual(linesOf(guestCart), [`4x${p.id}`]);
  } finally {
    await second?.server.stop();
    rmTemp(dataDir);
  }
});
